"""Placing a whole group at once: all or nothing, counted across the rows, on one screen and through the API."""

import datetime

import pytest
from django.urls import reverse

from kesip.core.tests import factories as f
from kesip.wbl import placement_rules as rules
from kesip.wbl import placements as services
from kesip.wbl.models import Agreement, EmployerPerson, Placement, Workplace
from kesip.wbl.tests.placement_setup import FIRST, LAST, college

pytestmark = pytest.mark.django_db
COMMON = {
    "form": "practice",
    "practice_type": "production",
    "starts_on": FIRST,
    "ends_on": LAST,
    "consent_by": "learner",
    "consent_on": datetime.date(2025, 2, 10),
}


def second_employer(t, places=3):
    employer = f.EmployerFactory(institution=t.institution)
    workplace = Workplace.objects.create(safety_compliant=True,
        institution=t.institution, employer=employer, title="Участок Б", places=places,
        available_from=datetime.date(2025, 1, 1), available_to=datetime.date(2025, 12, 31),
    )  # fmt: skip
    mentor = EmployerPerson.objects.create(
        institution=t.institution, employer=employer, last_name="Экинчи", first_name="Азамат", position="Инженер", is_mentor=True
    )
    Agreement.objects.create(
        institution=t.institution, employer=employer, kind="wbl", form="practice", status="active",
        starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2025, 12, 31),
    )  # fmt: skip
    return employer, workplace, mentor


def row(t, student, employer=None, workplace=None, mentor=None, **kwargs):
    found = {
        "student": student,
        "employer": employer or t.employer,
        "workplace": workplace or t.workplace,
        "mentor": mentor or t.mentor,
    }
    found.update(kwargs)
    return found


def test_one_call_places_a_group_across_several_employers():
    t = college(students=4)
    employer, workplace, mentor = second_employer(t)
    rows = [row(t, s) for s in t.students[:2]] + [row(t, s, employer, workplace, mentor) for s in t.students[2:]]
    placed, warnings = services.place_group(t.group, rows, t.admin, {**COMMON, "component": t.component})
    assert len(placed) == 4 and warnings == {}
    assert {p.employer_id for p in placed} == {t.employer.pk, employer.pk}
    assert {(p.status, p.practice_type, p.starts_on, p.ends_on, p.supervisor_id) for p in placed} == {
        ("planned", "production", FIRST, LAST, t.supervisor.pk)
    }
    assert Placement.objects.get(student=t.students[3]).agreement.employer == employer


def test_places_are_counted_across_the_rows_of_one_call_and_one_bad_row_saves_nothing():
    t = college(places=2, students=3)
    rows = [row(t, s) for s in t.students]
    with pytest.raises(services.BulkInvalid) as caught:
        services.place_group(t.group, rows, t.admin, COMMON)
    assert list(caught.value.rows) == [2] and caught.value.rows[2][0].code == rules.WORKPLACES
    assert caught.value.violations[0].field == "rows.2.workplace"
    assert Placement.objects.count() == 0
    employer, workplace, mentor = second_employer(t)
    rows[2] = row(t, t.students[2], employer, workplace, mentor)
    assert len(services.place_group(t.group, rows, t.admin, COMMON)[0]) == 3


def test_the_roster_and_the_agreed_workplaces_are_counted_across_the_rows():
    t = college(places=10, students=3)
    Agreement.objects.filter(pk=t.agreement.pk).update(places=2)
    with pytest.raises(services.BulkInvalid) as caught:
        services.place_group(t.group, [row(t, s) for s in t.students], t.admin, COMMON)
    assert caught.value.rows[2][0].field == "agreement"
    Agreement.objects.filter(pk=t.agreement.pk).update(places=None)
    t.agreement.roster.create(institution=t.institution, student=t.students[0])
    with pytest.raises(services.BulkInvalid) as caught:
        services.place_group(t.group, [row(t, s) for s in t.students], t.admin, COMMON)
    assert sorted(caught.value.rows) == [1, 2] and {v.code for vs in caught.value.rows.values() for v in vs} == {rules.ROSTER}


def test_a_mentor_gets_two_apprentices_in_one_call_and_not_a_third():
    t = college(level="primary_vocational", students=3, places=5)
    for s in t.students:
        Agreement.objects.create(
            institution=t.institution, employer=t.employer, kind="apprenticeship", form="apprenticeship", learner=s,
            status="active", starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2025, 12, 31),
        )  # fmt: skip
    common = {**COMMON, "form": "apprenticeship", "practice_type": "", "apprenticeship_form": "individual"}
    with pytest.raises(services.BulkInvalid) as caught:
        services.place_group(t.group, [row(t, s) for s in t.students], t.admin, common)
    assert list(caught.value.rows) == [2] and caught.value.rows[2][0].code == rules.MAX_APPRENTICES
    rows = [row(t, s) for s in t.students[:2]] + [row(t, t.students[2], mentor=t.mentors[1])]
    assert len(services.place_group(t.group, rows, t.admin, common)[0]) == 3


def test_the_apprenticeship_screen_shows_how_many_apprentices_each_mentor_may_still_take(client, login):
    t = college(level="primary_vocational", students=2, places=5)
    Agreement.objects.create(
        institution=t.institution, employer=t.employer, kind="apprenticeship", form="apprenticeship", learner=t.students[0],
        status="active", starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2025, 12, 31),
    )  # fmt: skip
    common = {**COMMON, "form": "apprenticeship", "practice_type": "", "apprenticeship_form": "individual"}
    services.place_group(t.group, [row(t, t.students[0])], t.admin, common)
    login(t.admin)
    body = client.get(reverse("wbl:placement_bulk", args=[t.group.pk]), {"form": "apprenticeship"}).content.decode()
    assert "1 of 2 apprentices free" in body and "2 of 2 apprentices free" in body


def test_rows_name_studying_students_of_the_group_once_and_internships_are_planned_one_by_one():
    t = college(students=2)
    stranger = f.StudentFactory(institution=t.institution)
    with pytest.raises(services.BulkInvalid) as caught:
        services.place_group(t.group, [row(t, t.students[0]), row(t, t.students[0]), row(t, stranger)], t.admin, COMMON)
    assert sorted(caught.value.rows) == [1, 2]
    with pytest.raises(services.BulkInvalid) as caught:
        services.place_group(t.group, [row(t, t.students[0])], t.admin, {**COMMON, "form": "internship"})
    assert caught.value.general[0].field == "form"
    with pytest.raises(services.BulkInvalid):
        services.place_group(t.group, [], t.admin, COMMON)
    assert Placement.objects.count() == 0


# ---------------------------------------------------------------------------- the screen


def post_rows(t, rows, **common):
    data = {"form": "practice", "action": "save", "component": t.component.pk, "starts_on": FIRST.isoformat(),
            "ends_on": LAST.isoformat(), "consent_by": "learner", "consent_on": "2025-02-10",
            "supervisor": t.supervisor.pk}  # fmt: skip
    data.update(common)
    for student, values in rows.items():
        for k, v in values.items():
            data[f"r{student.pk}-{k}"] = v
    return data


def test_the_screen_lists_every_studying_student_with_dates_from_the_calendar(client, login):
    t = college(students=3)
    login(t.admin)
    response = client.get(reverse("wbl:placement_bulk", args=[t.group.pk]))
    body = response.content.decode()
    assert response.status_code == 200 and all(f'id="row-{s.pk}"' in body for s in t.students)
    assert 'value="2025-03-03"' in body and 'value="2025-03-29"' in body
    assert "3 of 3 free" in body


def test_one_bad_row_on_the_screen_saves_nothing_and_keeps_what_was_typed(client, login):
    t = college(places=1, students=2)
    login(t.admin)
    url = reverse("wbl:placement_bulk", args=[t.group.pk])
    rows = {s: {"employer": t.employer.pk, "workplace": t.workplace.pk, "mentor": t.mentor.pk, "legal_representative": f"Ата {i}"}
            for i, s in enumerate(t.students)}  # fmt: skip
    response = client.post(url, post_rows(t, rows))
    body = response.content.decode()
    assert response.status_code == 400 and Placement.objects.count() == 0
    assert "has 1 place" in body and 'value="Ата 1"' in body and 'class="table-danger"' in body
    assert f'<option value="{t.workplace.pk}" data-employer="{t.employer.pk}" selected' in body


def test_a_good_screen_plans_the_group_and_offers_the_referral_order(client, login):
    t = college(students=3)
    login(t.admin)
    url = reverse("wbl:placement_bulk", args=[t.group.pk])
    rows = {s: {"employer": t.employer.pk, "workplace": t.workplace.pk, "mentor": t.mentor.pk} for s in t.students[:2]}
    response = client.post(url, post_rows(t, rows))
    assert response.status_code == 302 and Placement.objects.count() == 2
    page = client.get(response["Location"])
    body = page.content.decode()
    ids = ",".join(str(pk) for pk in Placement.objects.order_by("pk").values_list("pk", flat=True))
    assert 'id="bulk-placed"' in body and f"{reverse('wbl:order_referral')}?placements=" in body
    assert sorted(body.split("?placements=")[1].split('"')[0].split(",")) == sorted(ids.split(","))


def test_the_calendar_button_takes_the_period_of_the_component_and_saves_nothing(client, login):
    t = college()
    login(t.admin)
    data = post_rows(t, {t.students[0]: {"employer": t.employer.pk}}, action="defaults", starts_on="", ends_on="")
    response = client.post(reverse("wbl:placement_bulk", args=[t.group.pk]), data)
    body = response.content.decode()
    assert response.status_code == 200 and 'value="2025-03-03"' in body and Placement.objects.count() == 0
    assert f'<option value="{t.employer.pk}" selected' in body


def test_another_institutions_group_answers_404_and_a_representative_may_not_place(client, login):
    t = college()
    other = college()
    login(other.admin)
    assert client.get(reverse("wbl:placement_bulk", args=[t.group.pk])).status_code == 404
    login(t.rep)
    assert client.get(reverse("wbl:placement_bulk", args=[t.group.pk])).status_code == 404


# ---------------------------------------------------------------------------- the API


def test_the_api_places_a_group_or_names_each_bad_row(client, login):
    t = college(places=1, students=2)
    login(t.admin)
    body = {
        "group": t.group.pk,
        "common": {
            "form": "practice",
            "practice_type": "production",
            "starts_on": "2025-03-03",
            "ends_on": "2025-03-29",
            "consent_by": "learner",
            "consent_on": "2025-02-10",
        },
        "rows": [
            {"student": s.pk, "employer": t.employer.pk, "workplace": t.workplace.pk, "mentor": t.mentor.pk} for s in t.students
        ],
    }
    refused = client.post("/api/v1/placements/bulk/", body, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["violations"][0]["field"] == "rows.1.workplace"
    assert Placement.objects.count() == 0
    body["rows"] = body["rows"][:1]
    ok = client.post("/api/v1/placements/bulk/", body, content_type="application/json")
    assert ok.status_code == 201 and len(ok.json()["placements"]) == 1 and ok.json()["placements"][0]["status"] == "planned"
    other = college()
    body["rows"][0]["workplace"] = other.workplace.pk
    assert client.post("/api/v1/placements/bulk/", body, content_type="application/json").status_code == 400
