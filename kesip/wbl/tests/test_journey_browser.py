"""The whole work-based-learning journey in Chromium, as the people who live it use the pages.

The head of practical training concludes an agreement with an employer (roster, signatures), places a group
across two employers on the bulk screen, agrees the roster, prepares the referral order, records its paper
signature and downloads the PDF, records the briefings and starts the placements. The learner writes a diary
entry; the mentor grades it on a phone, writes the review and characterisation and completes the placement;
the institution and the employer assess it together, the grade appears in the transcript, and the annual
report of the year counts the placements.

The world holds only what comes before WBL (the college, its group, curriculum and calendar, two employers with
workplaces and mentors, the head of practical training appointed by order): no agreement with the first
employer and no placement. The practice ran in March of the academic year that has ended, so its report can
be opened today.
"""

import datetime
import re
from types import SimpleNamespace

import pytest

from kesip.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Kesip-test-2026"
PHONE = {"width": 390, "height": 844}


def _year_ago():
    """The March practice period of the academic year that ended on the last 31 August."""
    today = datetime.date.today()
    ended = (today.year if today.month >= 9 else today.year - 1) - 1  # the academic year that has ended
    march = datetime.date(ended + 1, 3, 2)
    return ended, march, march + datetime.timedelta(days=26)


YEAR, FIRST, LAST = _year_ago()
UNTIL = datetime.date.today() + datetime.timedelta(days=180)  # the agreements are still in force today


def day(value):
    return value.isoformat()


def world():
    from kesip.core.roles import Role
    from kesip.core.tests import factories as f
    from kesip.curriculum.tests import factories as cf
    from kesip.wbl.models import Agreement, EmployerPerson, LocalDocument, Order, Workplace

    inst = f.InstitutionFactory(jurisdiction="KG", full_name_ru="Бишкекский строительный колледж")
    specialty = f.SpecialtyFactory(jurisdiction="KG", level="secondary_vocational", name_ru="Строительство")
    programme = f.ProgrammeFactory(institution=inst, specialty=specialty)
    group = f.GroupFactory(institution=inst, programme=programme, name="СТ-25", intake_year=YEAR)
    module = cf.ModuleFactory(programme=programme, kind="professional", name_ru="Каменные работы")
    component = cf.ComponentFactory(
        module=module, kind="practice", practice_type="production", hours=48, credits=2, name_ru="Производственная практика"
    )
    competency = cf.CompetencyFactory(programme=programme, code="ПК1", description="Выполнять кладку стен")
    calendar = group.calendars.create(
        institution=inst, academic_year=YEAR, year_of_study=1, practice_mode="continuous", status="approved"
    )
    calendar.periods.create(institution=inst, kind="practice", starts_on=FIRST, ends_on=LAST, component=component)
    plan = programme.working_curricula.create(institution=inst, intake_year=YEAR, status="approved")
    plan.entries.create(institution=inst, component=component, year=1, semester=2, hours=48)

    t = SimpleNamespace(institution=inst, specialty=specialty, group=group, component=component, competency=competency)
    t.coordinator = f.member(Role.HEAD_OF_PRACTICE, institution=inst, language="en")
    t.supervisor = f.StaffFactory(institution=inst, user=t.coordinator, last_name="Жетекчиева", first_name="Айгүл")
    appointment = Order.objects.create(
        institution=inst, kind="supervisor", year=YEAR + 1, number="1-ПР", dated=FIRST - datetime.timedelta(days=60),
        title="Практика жетекчисин дайындоо", status="signed", signed_on=FIRST - datetime.timedelta(days=60),
    )  # fmt: skip
    appointment.lines.create(institution=inst, group=group, supervisor=t.supervisor)

    t.students = [
        f.StudentFactory(
            institution=inst, group=group, last_name=last, first_name=first, birth_date=datetime.date(2004, 5, 1), sex=sex
        )
        for last, first, sex in (("Абдыраева", "Нургүл", "F"), ("Бекмуратов", "Азамат", "M"), ("Исаков", "Тилек", "M"))
    ]
    t.student_user = f.member(Role.STUDENT, institution=inst, language="en")
    t.students[0].user = t.student_user
    t.students[0].save(update_fields=["user"])

    def employer(name, mentor_last, login=False):
        e = f.EmployerFactory(institution=inst, name=name)
        mentor_user = f.member(Role.MENTOR, institution=inst, employer=e, language="en") if login else None
        EmployerPerson.objects.create(
            institution=inst, employer=e, last_name="Токтосунов", first_name="Бакыт", position="Директор", is_head=True
        )
        workplace = Workplace.objects.create(
            institution=inst, employer=e, title="Строительный участок", places=3, safety_compliant=True,
            available_from=datetime.date(FIRST.year, 1, 1), available_to=datetime.date(FIRST.year, 12, 31),
        )  # fmt: skip
        mentor = EmployerPerson.objects.create(
            institution=inst, employer=e, last_name=mentor_last, first_name="Нурлан", position="Прораб",
            is_mentor=True, user=mentor_user, experience_years=12,
        )  # fmt: skip
        return e, workplace, mentor

    t.e1, t.w1, t.mentor = employer("ОсОО «Курулуш»", "Устатов", login=True)
    t.mentor_user = t.mentor.user
    t.doc = LocalDocument.objects.create(institution=inst, employer=t.e1, kind="safety", title="Эмгекти коргоо эрежелери")
    t.e2, t.w2, t.mentor2 = employer("ОсОО «Монтаж»", "Мастеров")
    Agreement.objects.create(
        institution=inst, employer=t.e2, kind="wbl", form="practice", number="Д-7", status="active",
        starts_on=datetime.date(FIRST.year, 1, 1), ends_on=UNTIL,
        signed_on=datetime.date(FIRST.year - 1, 12, 20),
    )  # fmt: skip
    return t


def session(browser, live_server, user, viewport=None, **options):
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900}, locale="en-US", **options)
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit].btn-primary")
    page.wait_for_load_state()
    return context, page


def fits(page):
    """Nothing sticks out sideways: the page does not scroll horizontally at the phone's width."""
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def test_the_whole_journey_from_the_agreement_to_the_annual_report(live_server, browser, tmp_path):
    from kesip.curriculum.models import ComponentGrade
    from kesip.wbl.models import Agreement, DiaryEntry, Order, Placement
    from kesip.wbl.tests.test_certificate import shows

    t = world()
    base = live_server.url
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    first, second, third = t.students
    context, page = session(browser, live_server, t.coordinator)

    # 1. The agreement with the first employer: drafted, its roster of two, negotiated, signed by both parties.
    page.goto(base + f"/wbl/agreements/add/?employer={t.e1.pk}")
    page.select_option("#id_form", "practice")
    page.select_option("#id_specialties", str(t.specialty.pk))
    page.fill("#id_starts_on", day(datetime.date(FIRST.year, 1, 15)))
    page.fill("#id_ends_on", day(UNTIL))
    page.fill("#id_places", "2")
    page.fill("#id_theory_percent", "40")
    page.fill("#id_practice_percent", "60")
    page.fill("#id_agreed_programme", "Программа производственной практики")
    page.click("#agreement-form button[type=submit]")
    page.wait_for_selector("#agreement-status")
    assert page.inner_text("#agreement-status") == "Draft"
    agreement = Agreement.objects.get(employer=t.e1)

    page.click("#agreement-steps >> text=Roster")
    page.check(f"#student-{first.pk}")
    page.check(f"#student-{second.pk}")
    page.click("#roster-form button[type=submit]")
    page.wait_for_selector("#roster-table")
    assert page.locator("#roster-table tbody tr").count() == 2
    page.click("#agreement-steps button:has-text('Send for negotiation')")
    page.wait_for_selector("#agreement-status:has-text('Under negotiation')")
    for party, signatory in (("institution", "Директор Асанов А."), ("employer", "Директор Токтосунов Б.")):
        page.click("#agreement-steps >> text=Record a signature")
        page.select_option("#id_party", party)
        page.fill("#id_signatory", signatory)
        page.fill("#id_signed_on", day(datetime.date(FIRST.year, 1, 15)))
        if party == "employer":  # the last signature: signed on paper, outside Kesip
            page.check("#id_signed_outside")
        page.click("#sign-form button[type=submit]")
        page.wait_for_selector(f"#party-{party} .bi-check-circle-fill")
    assert page.inner_text("#agreement-status") == "Active"

    # 2. The group across both employers on one screen: two at the first, one at the second.
    page.goto(base + "/wbl/placements/")
    page.select_option("#bulk-group select[name=bulk]", str(t.group.pk))
    page.click("#bulk-group button[type=submit]")
    page.wait_for_selector("#bulk-rows")
    assert page.input_value("#common-starts") == day(FIRST) and page.input_value("#common-ends") == day(LAST)
    page.fill("#common-hours", "48")
    page.select_option("#common-consent", "learner")
    page.fill("#common-consent-on", day(FIRST - datetime.timedelta(days=20)))
    for student, employer, workplace, mentor in (
        (first, t.e1, t.w1, t.mentor),
        (second, t.e1, t.w1, t.mentor),
        (third, t.e2, t.w2, t.mentor2),
    ):
        page.select_option(f"select[name=r{student.pk}-employer]", str(employer.pk))
        page.select_option(f"select[name=r{student.pk}-workplace]", str(workplace.pk))
        page.select_option(f"select[name=r{student.pk}-mentor]", str(mentor.pk))
    page.screenshot(path=str(ARTIFACTS / "journey-bulk.png"), full_page=True)
    page.click("#bulk-save")
    page.wait_for_selector("#bulk-placed")
    assert page.locator("#bulk-placed li").count() == 3
    placements = {p.student_id: p for p in Placement.objects.all()}
    assert {p.status for p in placements.values()} == {"planned"}
    assert placements[first.pk].agreement == agreement and placements[third.pk].employer == t.e2

    # The employers agree the dates and the named list; then the referral order, signed on paper.
    page.click("#bulk-roster")
    page.wait_for_selector("#roster-rows")
    for p in placements.values():
        page.check(f"#pick-{p.pk}")
    page.fill("#id_roster_agreed_on", day(FIRST - datetime.timedelta(days=14)))
    page.click("#roster-form button[type=submit]")
    page.wait_for_selector(f"#placement-{placements[third.pk].pk}")
    assert all("Roster agreed with the employer" in page.inner_text(f"#placement-{p.pk}") for p in placements.values())
    assert set(Placement.objects.values_list("status", flat=True)) == {"roster_agreed"}

    page.goto(base + "/wbl/orders/referral/")
    page.wait_for_selector("#candidates")
    assert page.locator("#candidates tbody input[type=checkbox]").count() == 3
    page.click("#referral-choose button[type=submit]")
    page.wait_for_selector("#referral-form")
    page.fill("#id_dated", day(FIRST - datetime.timedelta(days=7)))
    page.click("#referral-form button[type=submit]")
    page.wait_for_selector("#order-status")
    assert page.inner_text("#order-status") == "Draft"
    order = Order.objects.get(kind="referral")
    page.click("#order-steps >> text=Sign")
    page.wait_for_selector("#sign-form")
    page.fill("#id_signatory_name", "Асанов А. А.")
    page.fill("#id_signatory_position", "Директор")
    page.fill("#id_signed_on", day(FIRST - datetime.timedelta(days=7)))
    page.click("#sign-form button[type=submit]")
    page.wait_for_selector("#order-status:has-text('Signed')")
    order.refresh_from_db()
    assert order.number and order.number in page.inner_text("#order-number")
    assert set(Placement.objects.values_list("status", flat=True)) == {"ordered"}
    page.click("#order-documents")
    href = page.locator("#order-steps .dropdown-menu a:has-text('PDF')").first.get_attribute("href")
    pdf = page.request.get(base + href)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    assert shows(pdf.body(), order.number, first.last_name, second.last_name, third.last_name, t.e1.name)

    # The first employer's head appointed the mentor for the whole term (п. 2, п. 10; VR-39): recorded from paper.
    ours = [placements[first.pk], placements[second.pk]]
    page.goto(base + f"/wbl/orders/mentor/?employer={t.e1.pk}")
    page.wait_for_selector("#mentor-form")
    for p in ours:
        page.check(f"#pick-{p.pk}")
    page.fill("#mentor-form input[name=dated]", day(FIRST - datetime.timedelta(days=7)))
    page.click("#mentor-form button[type=submit]")
    page.wait_for_selector("#order-status")
    page.click("#order-steps >> text=Sign")
    page.wait_for_selector("#sign-form")
    page.fill("#id_signatory_name", "Төрөкулов М.")
    page.fill("#id_signatory_position", "Директор")
    page.fill("#id_signed_on", day(FIRST - datetime.timedelta(days=7)))
    page.click("#sign-form button[type=submit]")
    page.wait_for_selector("#order-status:has-text('Signed')")
    assert Order.objects.filter(kind="mentor", status="signed", employer=t.e1).exists()

    # 3. The briefings of the two learners at the first employer, recorded from the paper log; both start.
    page.goto(base + f"/wbl/groups/{t.group.pk}/employers/{t.e1.pk}/briefings/")
    page.wait_for_selector("#group-briefing-form")
    for kind in ("institution", "safety", "local_documents"):
        page.select_option("#group-briefing-form select[name=group-kind]", kind)
        page.fill("#group-briefing-form input[name=group-held_on]", day(FIRST))
        page.fill("#group-briefing-form input[name=group-conducted_by]", "Жетекчиева А.")
        if kind == "local_documents":
            page.check(f"#group-briefing-form input[name=group-documents][value='{t.doc.pk}']")
        for p in ours:
            page.check(f"#group-briefing-form input[name=group-placements][value='{p.pk}']")
        page.check("#group-briefing-form input[name=group-acknowledged]")
        page.click("#group-briefing-form button[type=submit]")
        page.wait_for_selector("#group-briefings")
    assert page.locator("#group-briefings .bi-check-circle-fill").count() == 6
    page.click("button:has-text('Start 2 briefed placements')")
    page.wait_for_selector("#group-briefings")
    assert all(page.inner_text(f"#placement-{p.pk} td:nth-child(2)") == "Under way" for p in ours)
    assert all(Placement.objects.get(pk=p.pk).status == "active" for p in ours)
    placement = ours[0]
    context.close()

    # 4. The learner writes what she did on the first day and hands it to the mentor.
    context, page = session(browser, live_server, t.student_user)
    page.goto(base + "/wbl/diaries/")
    page.click(f"#placement-{placement.pk}")
    page.wait_for_selector("#entry-form")
    page.fill("#entry-form input[name=date]", day(FIRST + datetime.timedelta(days=1)))
    page.fill("#entry-form [name=task]", "Кладка кирпичной стены")
    page.fill("#entry-form [name=work_done]", "Выложила 2 м² стены в полкирпича под руководством мастера")
    page.fill("#entry-form [name=hours]", "6")
    page.click("#entry-form button[name=submit][value='1']")
    entry = DiaryEntry.objects.get()
    page.wait_for_selector(f"#entry-{entry.pk}")
    card = page.inner_text(f"#entry-{entry.pk}")
    assert "Waiting for the mentor's grade" in card and "Кладка кирпичной стены" in card and "Handed in on" in card
    assert entry.status == "submitted" and entry.placement_id == placement.pk
    context.close()

    # 5. The mentor, on a phone at the site: grades the entry, then writes the review and characterisation.
    context, phone = session(browser, live_server, t.mentor_user, viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto(base + "/wbl/diaries/")
    assert first.last_name in phone.inner_text(f"#placement-{placement.pk}")
    assert fits(phone)
    phone.click(f"#placement-{placement.pk}")
    phone.wait_for_selector(f"#grade-form-{entry.pk}")
    assert fits(phone)
    phone.click(f"#grade-form-{entry.pk} label:text-is('5')")
    phone.fill(f"#c-{entry.pk}", "Ровная кладка, швы заполнены")
    phone.screenshot(path=str(ARTIFACTS / "journey-mentor-grade-phone.png"), full_page=True)
    phone.click(f"#grade-form-{entry.pk} button:has-text('Give the grade')")
    phone.wait_for_selector(f"#grade-{entry.pk}")
    assert phone.inner_text(f"#grade-{entry.pk}").startswith("5") and fits(phone)
    entry.refresh_from_db()
    assert (entry.status, entry.grade, entry.graded_by) == ("graded", 5, t.mentor_user)

    phone.click("#placement-steps >> text=Write the review and complete")
    phone.wait_for_selector("#complete-form")
    assert fits(phone)
    phone.fill("#complete-form [name=review]", "Выполнила все задания программы практики, показала ПК1.")
    phone.fill("#complete-form [name=characterisation]", "Дисциплинированна, ответственна, аккуратна в работе.")
    phone.click("#complete-form label:text-is('5')")
    phone.click("#complete-form button[type=submit]")
    phone.wait_for_selector("#review")
    assert "Выполнила все задания" in phone.inner_text("#review") and fits(phone)
    context.close()
    assert Placement.objects.get(pk=placement.pk).status == "completed"

    # 6. The joint assessment by the institution and the employer; the grade goes to the transcript.
    context, page = session(browser, live_server, t.coordinator)
    page.goto(base + f"/wbl/placements/{placement.pk}/")
    assert page.inner_text("#placement-status").strip() == "Completed: review and characterisation written"
    page.click("#step-assess")
    page.wait_for_selector("#assess-form")
    page.fill("#assess-form input[name=assessed_on]", day(LAST))
    page.fill("#assess-form input[name=value]", "5")
    page.select_option("#assess-form select[name=institution_assessors]", str(t.supervisor.pk))
    page.check(f"#assess-form input[name=employer_assessors][value='{t.mentor.pk}']")
    page.click(f"#competency-{t.competency.pk} label:has-text('Shown')")
    page.click("#assess-form button[type=submit]")
    page.wait_for_selector("#assessment")
    assert "5" in page.inner_text("#assessment")
    page.click("#placement-steps button:has-text('Close the placement')")
    page.wait_for_selector("#placement-status:has-text('Closed')")
    grade = ComponentGrade.objects.get(student=first, component=t.component)
    assert (grade.source, grade.value, grade.place) == ("placement", 5, t.e1.name)

    page.goto(base + f"/curriculum/students/{first.pk}/transcript/")
    page.wait_for_selector("#transcript-practice")
    row = page.locator("#transcript-practice tbody tr", has_text="Производственная практика").inner_text()
    assert t.e1.name in row and re.search(r"\b5\b", row)

    # 7. The annual report of that academic year counts the learners, placements and employers.
    page.goto(base + "/wbl/reports/")
    page.click("#open-report")
    page.fill("#id_academic_year", str(YEAR))
    page.click("#report-open-form button[type=submit]")
    page.wait_for_selector("#section-learners")
    learners = page.inner_text("#section-learners")
    figures = dict(
        re.findall(r"^(Learners in WBL|Placements \(not cancelled\)|Employers hosting placements)\s+(\d+)$", learners, re.M)
    )
    assert figures == {"Learners in WBL": "3", "Placements (not cancelled)": "3", "Employers hosting placements": "2"}
    assert re.search(r"^Closed\s+1$", learners, re.M), learners
    share = page.inner_text("#section-share")
    assert re.search(r"^Hours of placements\s+144$", share, re.M) and re.search(r"^WBL share\s+100(\.0)? %$", share, re.M), share
    page.screenshot(path=str(ARTIFACTS / "journey-report.png"), full_page=True)
    context.close()
