"""The calendar API: the same services and rules as the pages, and the VR-17 question for placements."""

import datetime

import pytest

from kesip.core.roles import Role
from kesip.core.tests import factories as f
from kesip.curriculum import calendar_services
from kesip.curriculum.models import CalendarPeriod
from kesip.curriculum.tests.test_calendar_rules import add, good_year, world

pytestmark = pytest.mark.django_db

D = datetime.date
JSON = "application/json"


def test_open_a_schedule_add_periods_check_and_approve_through_the_api(client, login):
    w = world()
    group = f.GroupFactory(institution=w.inst, programme=w.programme, intake_year=2023)
    login(w.admin)
    created = client.post("/api/v1/calendars/", {"group": group.pk, "academic_year": 2024, "practice_mode": "by_type"}, JSON)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["year_of_study"], body["status"], body["institution"], body["periods"]) == (2, "draft", w.inst.pk, [])
    assert (body["starts_on"], body["ends_on"]) == ("2024-09-01", "2025-08-31")
    url = f"/api/v1/calendars/{body['id']}/"
    twice = client.post("/api/v1/calendars/", {"group": group.pk, "academic_year": 2024, "practice_mode": "by_type"}, JSON)
    assert twice.status_code == 400 and twice.json()["code"] == "curriculum.calendar.exists"

    periods = [
        ("theory", "2024-09-02", "2024-11-02", None),
        ("industrial_training", "2024-11-04", "2024-12-14", w.it.pk),
        ("theory", "2024-12-16", "2025-02-15", None),
        ("practice", "2025-02-17", "2025-05-10", w.pp.pk),
    ]
    ids = []
    for kind, start, end, component in periods:
        data = {"schedule": body["id"], "kind": kind, "starts_on": start, "ends_on": end, "component": component}
        response = client.post("/api/v1/calendar-periods/", data, JSON)
        assert response.status_code == 201, response.json()
        ids.append(response.json()["id"])
    assert client.get(f"/api/v1/calendar-periods/{ids[3]}/").json()["days"] == 83
    backwards = client.post(
        "/api/v1/calendar-periods/",
        {"schedule": body["id"], "kind": "theory", "starts_on": "2025-05-31", "ends_on": "2025-05-12"},
        JSON,
    )
    assert backwards.status_code == 400 and "ends_on" in backwards.json()
    wrong = client.post(
        "/api/v1/calendar-periods/",
        {"schedule": body["id"], "kind": "practice", "starts_on": "2025-05-12", "ends_on": "2025-05-17", "component": w.it.pk},
        JSON,
    )
    assert wrong.status_code == 400 and wrong.json()["field"] == "component"

    # Split the production practice with a week of theory: discrete by type breaks, and the API says which clause.
    client.patch(f"/api/v1/calendar-periods/{ids[3]}/", {"starts_on": "2025-03-03"}, JSON)
    add_theory = {"schedule": body["id"], "kind": "theory", "starts_on": "2025-02-17", "ends_on": "2025-02-22"}
    client.post("/api/v1/calendar-periods/", add_theory, JSON)
    split = {"schedule": body["id"], "kind": "practice", "starts_on": "2025-02-10", "ends_on": "2025-02-15", "component": w.pp.pk}
    extra = client.post("/api/v1/calendar-periods/", split, JSON)
    assert extra.status_code == 201
    violations = client.get(url + "violations/").json()
    assert [v["code"] for v in violations] == ["curriculum.calendar.overlap", "wbl.practice.mode.by_type.max_blocks_per_type"]
    assert "п. 26" in violations[1]["source"]
    head = f.member(Role.HEAD, institution=w.inst)
    login(head)
    refused = client.post(url + "step/", {"step": "approve"}, JSON)
    assert refused.status_code == 400 and len(refused.json()["violations"]) == 2
    assert client.get(url).json()["status"] == "draft"
    login(w.admin)
    assert client.delete(f"/api/v1/calendar-periods/{extra.json()['id']}/").status_code == 204
    CalendarPeriod.objects.filter(schedule_id=body["id"], starts_on=D(2025, 2, 10)).delete()
    client.patch(f"/api/v1/calendar-periods/{ids[2]}/", {"ends_on": "2025-03-01"}, JSON)
    CalendarPeriod.objects.filter(schedule_id=body["id"], starts_on=D(2025, 2, 17), kind="theory").delete()
    assert client.get(url + "violations/").json() == []
    login(head)
    approved = client.post(url + "step/", {"step": "approve"}, JSON)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["approved_by"] == head.pk and len(approved.json()["periods"]) == 4

    # An approved schedule refuses changes to its periods with the rule's shape, and keeps them.
    login(w.admin)
    for response in (
        client.patch(f"/api/v1/calendar-periods/{ids[0]}/", {"note": "x"}, JSON),
        client.delete(f"/api/v1/calendar-periods/{ids[0]}/"),
        client.post("/api/v1/calendar-periods/", {**add_theory, "starts_on": "2025-05-12", "ends_on": "2025-05-17"}, JSON),
        client.patch(url, {"practice_mode": "continuous"}, JSON),
    ):
        assert response.status_code == 400, response.json()
        assert response.json().keys() == {"code", "message", "source", "field"}
        assert response.json()["code"] == "curriculum.calendar.frozen"
    assert CalendarPeriod.objects.filter(schedule_id=body["id"]).count() == 4
    assert CalendarPeriod.objects.get(pk=ids[0]).note == ""


def test_only_who_may_approve_takes_the_steps(client, login):
    w = world()
    s = good_year(w)
    url = f"/api/v1/calendars/{s.pk}/step/"
    login(f.member(Role.HEAD_OF_PRACTICE, institution=w.inst))
    assert client.post(url, {"step": "approve"}, JSON).status_code == 403
    login(f.member(Role.TEACHER, institution=w.inst))
    assert client.post(url, {"step": "approve"}, JSON).status_code == 403
    assert client.patch(f"/api/v1/calendars/{s.pk}/", {"note": "x"}, JSON).status_code == 403
    login(f.member(Role.HEAD, institution=w.inst))
    assert client.post(url, {"step": "publish"}, JSON).status_code == 400
    assert client.post(url, {"step": "approve"}, JSON).status_code == 200
    assert client.post(url, {"step": "reopen"}, JSON).json()["status"] == "draft"
    other = f.member(Role.HEAD, institution=f.InstitutionFactory())
    login(other)
    assert client.post(url, {"step": "approve"}, JSON).status_code == 404


def test_schedule_fields_change_only_in_a_draft(client, login):
    w = world()
    s = w.schedule
    login(w.admin)
    url = f"/api/v1/calendars/{s.pk}/"
    changed = client.patch(url, {"practice_mode": "continuous", "note": "Кеңеш", "group": 10**6}, JSON)
    assert changed.status_code == 200 and changed.json()["practice_mode"] == "continuous"
    assert changed.json()["group"] == w.group.pk  # the group is fixed once opened
    assert client.patch(url, {"year_of_study": 9}, JSON).status_code == 400
    assert client.delete(url).status_code == 204


@pytest.mark.parametrize(
    "starts_on, ends_on, within",
    [
        ("2025-02-17", "2025-05-10", True),
        ("2025-02-16", "2025-05-10", False),
        ("2025-02-17", "2025-05-11", False),
    ],
)
def test_practice_window_answers_vr_17(client, login, starts_on, ends_on, within):
    w = world()
    s = good_year(w)
    calendar_services.approve_calendar(s, f.member(Role.HEAD, institution=w.inst))
    login(w.admin)
    query = {"group": w.group.pk, "starts_on": starts_on, "ends_on": ends_on, "component": w.pp.pk}
    response = client.get("/api/v1/calendars/practice-window/", query)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["within"] is within
    if within:
        assert [p["component"] for p in body["periods"]] == [w.pp.pk] and body["violation"] is None
    else:
        assert body["periods"] == [] and body["violation"]["code"] == "wbl.practice.dates.within_calendar"
        assert "п. 27" in body["violation"]["source"]


def test_practice_window_refuses_bad_input_and_another_institutions_group(client, login, world):
    a, b = world.a, world.b
    login(b.admin)
    url = "/api/v1/calendars/practice-window/"
    assert client.get(url, {"group": a.group.pk, "starts_on": "2025-03-03", "ends_on": "2025-03-08"}).status_code == 400
    assert client.get(url, {"group": b.group.pk, "starts_on": "2025-03-08", "ends_on": "2025-03-03"}).status_code == 400
    assert client.get(url, {"group": b.group.pk, "starts_on": "soon"}).status_code == 400
    draft = client.get(url, {"group": b.group.pk, "starts_on": "2025-03-03", "ends_on": "2025-03-08"}).json()
    assert draft["within"] is False  # b's calendar is a draft


def test_another_institutions_ids_are_refused(client, login, world):
    a, b = world.a, world.b
    login(b.admin)
    foreign_group = client.post(
        "/api/v1/calendars/", {"group": a.group.pk, "academic_year": 2025, "practice_mode": "continuous"}, JSON
    )
    assert foreign_group.status_code == 400 and "group" in foreign_group.json()
    into_foreign = {"schedule": a.calendar.pk, "kind": "theory", "starts_on": "2024-09-02", "ends_on": "2024-09-07"}
    assert client.post("/api/v1/calendar-periods/", into_foreign, JSON).status_code == 400
    foreign_component = {
        "schedule": b.calendar.pk,
        "kind": "practice",
        "starts_on": "2024-09-02",
        "ends_on": "2024-09-07",
        "component": a.component.pk,
    }
    response = client.post("/api/v1/calendar-periods/", foreign_component, JSON)
    assert response.status_code == 400 and "component" in response.json()
    assert a.calendar.periods.count() == 1


@pytest.mark.parametrize("count", [1, 10])
def test_calendar_list_query_budget(client, login, django_assert_max_num_queries, count):
    w = world()
    for _ in range(count):
        g = f.GroupFactory(institution=w.inst, programme=w.programme, intake_year=2023)
        s = g.calendars.create(institution=w.inst, academic_year=2024, year_of_study=2, practice_mode="continuous")
        add(s, "theory", D(2024, 9, 2), D(2024, 12, 28))
        add(s, "practice", D(2025, 1, 13), D(2025, 2, 8), w.pp)
    login(w.admin)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/calendars/")
    assert response.status_code == 200 and len(response.json()["results"]) == count + 1
