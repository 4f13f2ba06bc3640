"""Placement pages: the list and its filters, a placement with its steps, the form per form of WBL, the roster, visits."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse

from kesip.core.roles import Role
from kesip.core.tests import factories as f
from kesip.wbl import placements as services
from kesip.wbl.models import Agreement, MonitoringVisit, Order, Placement
from kesip.wbl.tests.placement_setup import FIRST, LAST, college, plan

pytestmark = pytest.mark.django_db
S = Placement.Status


def many(t, count):
    """`count` placements of the college, each of its own student at its own workplace slot."""
    t.workplace.places = max(count, 1)
    t.workplace.save()
    found = []
    for i in range(count):
        s = f.StudentFactory(
            institution=t.institution, group=t.group, last_name=f"Көп{i:02d}", birth_date=datetime.date(2003, 1, 1)
        )
        found.append(plan(t, student=s))
    return found


# ---------------------------------------------------------------------------- the list


@pytest.mark.parametrize("count", [2, 20])
def test_the_list_reads_a_fixed_number_of_queries(client, login, django_assert_max_num_queries, count):
    t = college(students=0)
    many(t, count)
    login(t.admin)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("wbl:placement_list"))
    assert response.status_code == 200 and len(response.context["page"].object_list) == count


def test_the_list_filters_by_group_employer_form_status_dates_and_attention(client, login):
    t = college()
    a = plan(t, student=t.students[0])
    b = plan(t, student=t.students[1], mentor=None)
    services.agree_roster([a], datetime.date(2025, 2, 20), t.admin)
    login(t.admin)
    url = reverse("wbl:placement_list")

    def ids(**params):
        return {p.pk for p in client.get(url, params).context["page"].object_list}

    assert ids() == {a.pk, b.pk}
    assert ids(status="roster_agreed") == {a.pk} and ids(status="planned") == {b.pk}
    assert ids(form="dual") == set() and ids(form="practice") == {a.pk, b.pk}
    assert ids(group=t.group.pk) == {a.pk, b.pk} and ids(employer=t.employer.pk + 999) == set()
    assert (
        ids(**{"from": LAST.isoformat()}) == {a.pk, b.pk}
        and ids(**{"from": (LAST + datetime.timedelta(days=1)).isoformat()}) == set()
    )
    assert ids(q=t.students[1].last_name) == {b.pk}
    assert ids(**{"from": "not-a-date"}) == {a.pk, b.pk}
    assert ids(specialty=t.specialty.pk, sex="M") == {a.pk}  # the first student is a man, the second a woman
    t.students[1].special_needs = True
    t.students[1].save()
    assert ids(needs="1") == {b.pk}


def test_my_groups_are_those_the_head_of_practical_training_is_appointed_to(client, login):
    t = college()
    mine = plan(t)
    other_group = f.GroupFactory(institution=t.institution, programme=t.programme)
    other_calendar = other_group.calendars.create(
        institution=t.institution, academic_year=2024, year_of_study=1, practice_mode="continuous", status="approved"
    )
    other_calendar.periods.create(institution=t.institution, kind="practice", starts_on=FIRST, ends_on=LAST)
    stranger = f.StudentFactory(institution=t.institution, group=other_group, birth_date=datetime.date(2003, 1, 1))
    someone = f.StaffFactory(institution=t.institution)
    theirs = plan(t, student=stranger, supervisor=someone)
    login(t.supervisor_user)
    response = client.get(reverse("wbl:placement_list"), {"mine": "1"})
    assert {p.pk for p in response.context["page"].object_list} == {mine.pk}
    Placement.objects.filter(pk=theirs.pk).update(supervisor=t.supervisor)
    response = client.get(reverse("wbl:placement_list"), {"mine": "1"})
    assert {p.pk for p in response.context["page"].object_list} == {mine.pk, theirs.pk}


def test_who_sees_which_placements(client, login):
    t = college()
    p = plan(t)
    q = plan(t, student=t.students[1], mentor=t.mentors[1])
    mentor_user = f.member(Role.MENTOR, institution=t.institution, employer=t.employer)
    t.mentor.user = mentor_user
    t.mentor.save()
    student_user = f.member(Role.STUDENT, institution=t.institution)
    t.students[1].user = student_user
    t.students[1].save()
    other = college()
    for user, expected in ((t.rep, {p.pk, q.pk}), (mentor_user, {p.pk}), (student_user, {q.pk}), (other.admin, set())):
        login(user)
        listed = {x.pk for x in client.get(reverse("wbl:placement_list")).context["page"].object_list}
        assert listed == expected, user
        for x in (p, q):
            code = client.get(reverse("wbl:placement_detail", args=[x.pk])).status_code
            assert code == (200 if x.pk in expected else 404), (user, x)
    login(other.admin)
    assert client.post(reverse("wbl:placement_cancel", args=[p.pk]), {"cancel_reason": "x"}).status_code == 404
    assert client.post(reverse("wbl:placement_agree", args=[p.pk]), {"roster_agreed_on": "2025-02-20"}).status_code == 404
    p.refresh_from_db()
    assert p.status == S.PLANNED


# ---------------------------------------------------------------------------- one placement


@pytest.mark.parametrize("lines", [1, 6])
def test_the_placement_page_reads_a_fixed_number_of_queries(client, login, django_assert_max_num_queries, lines):
    t = college()
    p = plan(t)
    for i in range(lines):
        order = Order.objects.create(
            institution=t.institution, kind="referral", year=2025, dated=FIRST, title=f"Буйрук {i}", status="draft"
        )
        order.lines.create(institution=t.institution, placement=p)
    login(t.admin)
    with django_assert_max_num_queries(24):
        response = client.get(reverse("wbl:placement_detail", args=[p.pk]))
    assert response.status_code == 200 and response.content.decode().count("/wbl/orders/") >= lines


def test_the_placement_page_shows_the_steps_the_warnings_and_the_timeline(client, login):
    t = college()
    p = plan(t, mentor=None)
    login(t.admin)
    body = client.get(reverse("wbl:placement_detail", args=[p.pk])).content.decode()
    assert 'id="step-edit"' in body and 'id="step-agree"' in body and 'id="step-cancel"' in body and 'id="step-order"' not in body
    assert 'id="placement-warnings"' in body and "Name the mentor before the referral order" in body
    response = client.post(reverse("wbl:placement_agree", args=[p.pk]), {"roster_agreed_on": "2025-02-20"})
    assert response.status_code == 302
    body = client.get(reverse("wbl:placement_detail", args=[p.pk])).content.decode()
    assert 'id="step-order"' in body and f"?placements={p.pk}" in body and 'id="step-edit"' not in body
    assert 'id="placement-problems"' in body  # no mentor: it blocks the referral now
    assert body.count('class="mb-1"><span class="badge') == 2  # planned → roster agreed
    login(t.rep)
    body = client.get(reverse("wbl:placement_detail", args=[p.pk])).content.decode()
    assert 'id="step-cancel"' not in body and 'id="step-order"' not in body


def test_an_apprenticeship_outside_a_programme_shows_the_notice_of_p_47(client, login):
    t = college(level="primary_vocational")
    Agreement.objects.create(
        institution=t.institution, employer=t.employer, kind="apprenticeship", form="apprenticeship", learner=t.students[0],
        status="active", starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2025, 12, 31),
    )  # fmt: skip
    p = plan(
        t,
        form="apprenticeship",
        practice_type="",
        apprenticeship_form="individual",
        outside_wbl_programme=True,
        component=None,
        workplace=None,
    )
    login(t.admin)
    body = client.get(reverse("wbl:placement_detail", args=[p.pk])).content.decode()
    assert 'id="outside-notice"' in body and "Independent Certification and Validation Centre" in body


# ---------------------------------------------------------------------------- the form, per form of WBL


def test_the_form_shows_the_fields_of_its_form_of_wbl(client, login):
    t = college()
    login(t.admin)
    url = reverse("wbl:placement_add")
    practice = client.get(url).content.decode()
    assert (
        'name="practice_type"' in practice
        and 'name="individual_schedule"' not in practice
        and 'name="intern_category"' not in practice
    )
    dual = client.get(url, {"form": "dual"}).content.decode()
    assert 'name="individual_schedule"' in dual and 'name="enterprise_timetable"' in dual and 'name="practice_type"' not in dual
    internship = client.get(url, {"form": "internship"}).content.decode()
    assert 'name="intern_staff"' in internship and 'name="duration_reason"' in internship and 'name="component"' not in internship
    apprenticeship = client.get(url, {"form": "apprenticeship"}).content.decode()
    assert 'name="apprenticeship_form"' in apprenticeship and 'name="outside_wbl_programme"' in apprenticeship


def form_data(t, **kwargs):
    data = {"student": t.students[0].pk, "employer": t.employer.pk, "workplace": t.workplace.pk, "component": t.component.pk,
            "practice_type": "production", "starts_on": "2025-03-03", "ends_on": "2025-03-29", "mentor": t.mentor.pk,
            "consent_by": "learner", "consent_on": "2025-02-10"}  # fmt: skip
    data.update(kwargs)
    return data


def test_planning_through_the_form_shows_each_broken_rule_beside_its_field(client, login):
    t = college()
    login(t.admin)
    url = reverse("wbl:placement_add")
    response = client.post(url + "?form=practice", form_data(t, starts_on="2025-03-02", consent_by="", consent_on=""))
    assert response.status_code == 400 and Placement.objects.count() == 0
    form = response.context["form"]
    assert "п. 27" in form.errors["starts_on"][0] and "consent_by" in form.errors
    response = client.post(url + "?form=practice", form_data(t))
    p = Placement.objects.get()
    assert response.status_code == 302 and response["Location"] == p.get_absolute_url() and p.agreement == t.agreement
    edit = client.post(reverse("wbl:placement_edit", args=[p.pk]), form_data(t, hours="60"))
    assert edit.status_code == 302 and Placement.objects.get(pk=p.pk).hours == 60


def test_another_institutions_records_are_not_choosable(client, login):
    t = college()
    other = college()
    login(t.admin)
    response = client.post(reverse("wbl:placement_add") + "?form=practice", form_data(t, workplace=other.workplace.pk))
    assert response.status_code == 400 and "workplace" in response.context["form"].errors and Placement.objects.count() == 0


def test_cancelling_asks_for_the_reason(client, login):
    t = college()
    p = plan(t)
    login(t.admin)
    url = reverse("wbl:placement_cancel", args=[p.pk])
    assert client.post(url, {"cancel_reason": ""}).status_code == 400
    assert client.post(url, {"cancel_reason": "Переезд"}).status_code == 302
    p.refresh_from_db()
    assert p.status == S.CANCELLED


def test_the_roster_page_agrees_many_placements_of_an_employer(client, login):
    t = college()
    a, b = plan(t, student=t.students[0]), plan(t, student=t.students[1])
    login(t.rep)
    url = reverse("wbl:placement_roster")
    page = client.get(url, {"employer": t.employer.pk})
    assert {p.pk for p in page.context["rows"]} == {a.pk, b.pk}
    assert client.post(url, {"placements": [a.pk], "roster_agreed_on": "2025-02-20"}).status_code == 302
    assert set(Placement.objects.values_list("status", flat=True)) == {S.PLANNED, S.ROSTER_AGREED}
    refused = client.post(url, {"placements": [b.pk], "roster_agreed_on": "2999-01-01"})
    assert refused.status_code == 400 and Placement.objects.get(pk=b.pk).status == S.PLANNED


# ---------------------------------------------------------------------------- monitoring visits


def test_a_visit_is_recorded_with_the_placements_seen_at_that_employer(client, login):
    t = college()
    p = plan(t)
    Placement.objects.filter(pk=p.pk).update(status=S.ACTIVE)
    login(t.admin)
    data = {
        "employer": t.employer.pk,
        "visited_on": "2025-03-12",
        "visitor": t.supervisor.pk,
        "placements": [p.pk],
        "findings": "Шарттар жакшы",
    }
    response = client.post(reverse("wbl:visit_add"), data)
    visit = MonitoringVisit.objects.get()
    assert response.status_code == 302 and list(visit.placements.all()) == [p]
    assert "Шарттар жакшы" in client.get(reverse("wbl:visit_detail", args=[visit.pk])).content.decode()
    elsewhere = f.EmployerFactory(institution=t.institution)
    response = client.post(reverse("wbl:visit_edit", args=[visit.pk]), {**data, "employer": elsewhere.pk})
    assert response.status_code == 400 and MonitoringVisit.objects.get().employer == t.employer
    future = client.post(reverse("wbl:visit_add"), {**data, "visited_on": "2999-01-01"})
    assert future.status_code == 400 and MonitoringVisit.objects.count() == 1
    login(t.rep)
    assert client.get(reverse("wbl:visit_detail", args=[visit.pk])).status_code == 200
    assert client.get(reverse("wbl:visit_edit", args=[visit.pk])).status_code == 404
    other = college()
    login(other.admin)
    assert client.get(reverse("wbl:visit_detail", args=[visit.pk])).status_code == 404


@pytest.mark.parametrize(
    ("lang", "titles"),
    [
        ("ru", ["Обучающийся и принимающая сторона", "Сроки и руководство", "Согласие на список обучения на рабочем месте"]),
        ("ky", ["Билим алуучу жана кабыл алуучу", "Мөөнөттөр жана жетекчилик"]),
        ("kk", ["Білім алушы және қабылдаушы тарап", "Мерзімдер және басшылық"]),
    ],
)
def test_the_placement_forms_section_titles_are_in_the_readers_language(client, login, lang, titles):
    t = college()
    login(t.admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    page = client.get("/wbl/placements/add/").content.decode()
    for title in titles:
        assert title in page, title
    assert "Dates and supervision" not in page
