"""End to end in Chromium: design a programme, approve it, lay out its curriculum, fill a journal row, see the transcript."""

import pytest

from kesip.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_design_approve_lay_out_fill_the_journal_and_see_the_transcript(live_server, page):
    from kesip.core import demo
    from kesip.core.models import Programme, Specialty, User
    from kesip.curriculum import demo as curriculum_demo
    from kesip.curriculum.models import Qualification

    demo.load()
    curriculum_demo.load()
    User.objects.filter(username="pl8.admin").update(language="en")
    welder = Specialty.objects.get(jurisdiction="KG", code="7212")
    qualification = Qualification.objects.get(code="7212.2-3")

    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "pl8.admin")
    page.fill("#id_password", demo.DEMO_PASSWORD)
    page.click("form button[type=submit].btn-primary")
    page.wait_for_selector("#key-counts")

    # The passport: a 10-month welding course after grade 11, 600 hours.
    page.goto(live_server.url + "/programmes/add/")
    page.select_option("#id_specialty", str(welder.pk))
    page.fill("#id_name_ru", "Электросварщик (короткая программа)")
    page.select_option("#id_qualifications", str(qualification.pk))
    page.select_option("#id_entry_base", "grade11")
    page.fill("#id_duration_months", "10")
    page.fill("#id_total_hours", "600")
    page.select_option("#id_language", "ky")
    page.click("form button[type=submit].btn-primary")

    # The design page lists what is missing, each rule at once.
    page.wait_for_selector("#violations")
    codes = page.locator("#violations li").evaluate_all("items => items.map(i => i.dataset.code)")
    assert "wbl.practice.min_types_per_programme" in codes and "curriculum.programme.total_hours" in codes

    page.click("text=Add a module")
    page.select_option("#id_kind", "professional")
    page.fill("#id_code", "КМ 1")
    page.fill("#id_name_ru", "Ручная дуговая сварка")
    page.select_option("#id_qualification", str(qualification.pk))
    page.fill("#id_learning_outcomes", "Сваривает пластины в нижнем положении")
    page.click("form button[type=submit].btn-primary")

    for kind, name, hours, practice_type in (
        ("subject", "Технология сварки", "240", None),
        ("practice", "Производственная практика", "360", "production"),
    ):
        page.click("text=Add a component")
        page.select_option("#id_kind", kind)
        if practice_type:
            page.select_option("#id_practice_type", practice_type)
        page.fill("#id_name_ru", name)
        page.fill("#id_hours", hours)
        page.click("form button[type=submit].btn-primary")
        page.wait_for_selector("#modules")

    assert page.locator("#sum-hours").inner_text() == "600"
    page.wait_for_selector("#no-violations")
    page.click("button[value=approve]")
    page.wait_for_selector("#programme-status")
    assert page.locator("#programme-status").inner_text() == "Approved by the institution"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "programme-design-en.png"), full_page=True)
    programme = Programme.objects.get(name_ru="Электросварщик (короткая программа)")
    assert programme.status == "approved" and programme.modules.get().components.count() == 2

    # The working curriculum for this year's intake: the subject in semester 1, the practice in semester 2.
    from kesip.core.models import StudyGroup
    from kesip.core.tests.factories import StudentFactory
    from kesip.curriculum import journal

    year = journal.academic_year_of()
    subject = programme.modules.get().components.get(kind="subject")
    practice = programme.modules.get().components.get(kind="practice")
    page.fill("input[name=intake_year]", str(year))
    page.click("#working-curricula form button")
    page.wait_for_selector("#layout")
    page.fill(f"input[name=h-{subject.pk}-1-1]", "240")
    page.fill(f"input[name=h-{practice.pk}-1-2]", "360")
    page.click("text=Save the layout")
    page.wait_for_selector("#no-violations")
    page.click("button[value=approve]")
    page.wait_for_selector("#curriculum-status")
    assert page.locator("#curriculum-status").inner_text() == "Approved"

    # A group of this intake with one student; the journal offers the year's subjects.
    group = StudyGroup.objects.create(
        institution=programme.institution, programme=programme, name="ЭС-1", intake_year=year, language="ky"
    )
    student = StudentFactory(institution=programme.institution, group=group, last_name="Абдыраев", first_name="Нурсултан")
    page.goto(live_server.url + f"/curriculum/groups/{group.pk}/journal/")
    page.click(f"#subject-{subject.pk} a")
    page.click("text=Add a lesson")
    page.select_option("#id_kind", "final_attestation")
    page.fill("#id_topic", "Жыйынтыктоочу аттестация")
    page.click("#lesson-form button[type=submit]")

    # Fill the row on a phone-sized screen: present, mark 5.
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_selector("#lesson-marks")
    page.click(f"label[for=a-{student.pk}-present]")
    page.fill(f"input[name=m-{student.pk}]", "5")
    page.screenshot(path=str(ARTIFACTS / "journal-lesson-phone.png"), full_page=True)
    page.click("#lesson-marks button[type=submit]")
    page.wait_for_selector("#journal")
    assert page.locator(f"#row-{student.pk} td").last.inner_text().strip() == "5"

    # The attestation is the grade in the transcript, and the transcript prints.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + f"/curriculum/students/{student.pk}/transcript/")
    page.wait_for_selector("#transcript-table")
    assert "Технология сварки" in page.locator("#transcript-table").inner_text()
    assert page.locator("#cumulative-gpa").inner_text() == "5.00"
    page.screenshot(path=str(ARTIFACTS / "transcript-en.png"), full_page=True)
    response = page.request.get(live_server.url + f"/curriculum/students/{student.pk}/transcript.pdf?lang=ky")
    assert response.ok and response.headers["content-type"] == "application/pdf" and response.body().startswith(b"%PDF")
