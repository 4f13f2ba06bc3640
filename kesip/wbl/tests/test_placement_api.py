"""The placements API: the same rules and steps as the pages, every refusal with its clause, scoped to the user."""

import datetime

import pytest

from kesip.core.roles import Role
from kesip.core.tests import factories as f
from kesip.wbl import placement_rules as rules
from kesip.wbl.models import MonitoringVisit, Placement
from kesip.wbl.tests.placement_setup import college, plan

pytestmark = pytest.mark.django_db
URL = "/api/v1/placements/"


def body(t, **kwargs):
    data = {"form": "practice", "practice_type": "production", "student": t.students[0].pk, "employer": t.employer.pk,
            "workplace": t.workplace.pk, "component": t.component.pk, "starts_on": "2025-03-03", "ends_on": "2025-03-29",
            "consent_by": "learner", "consent_on": "2025-02-10"}  # fmt: skip
    data.update(kwargs)
    return data


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_planning_answers_the_placement_with_its_warnings_or_every_broken_rule(client, login):
    t = college()
    login(t.admin)
    ok = post(client, URL, body(t))
    assert ok.status_code == 201 and ok.json()["status"] == "planned" and ok.json()["agreement"] == t.agreement.pk
    assert [w["code"] for w in ok.json()["warnings"]] == [rules.MENTOR] and ok.json()["supervisor"] == t.supervisor.pk
    refused = post(client, URL, body(t, student=t.students[1].pk, starts_on="2025-03-02", consent_by=""))
    data = refused.json()
    assert refused.status_code == 400 and {v["code"] for v in data["violations"]} == {rules.WITHIN_CALENDAR, rules.CONSENT}
    assert any("п. 27" in v["source"] for v in data["violations"]) and Placement.objects.count() == 1


def test_a_planned_placement_changes_and_is_deleted_and_a_later_one_is_not(client, login):
    t = college()
    login(t.admin)
    pk = post(client, URL, body(t)).json()["id"]
    changed = client.patch(f"{URL}{pk}/", {"hours": 48, "mentor": t.mentor.pk}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["hours"] == 48 and changed.json()["warnings"] == []
    assert (
        client.patch(f"{URL}{pk}/", {"student": t.students[1].pk}, content_type="application/json").json()["student"]
        == t.students[0].pk
    )
    step = post(client, f"{URL}{pk}/step/", {"name": "agree_roster", "on": "2025-02-20"})
    assert (
        step.status_code == 200 and step.json()["status"] == "roster_agreed" and step.json()["roster_agreed_on"] == "2025-02-20"
    )
    assert client.patch(f"{URL}{pk}/", {"hours": 12}, content_type="application/json").status_code == 400
    assert client.delete(f"{URL}{pk}/").status_code == 400
    assert post(client, f"{URL}{pk}/step/", {"name": "cancel"}).json()["field"] == "cancel_reason"
    cancelled = post(client, f"{URL}{pk}/step/", {"name": "cancel", "reason": "Болезнь"})
    assert cancelled.json()["status"] == "cancelled"
    other = post(client, URL, body(t, student=t.students[1].pk)).json()["id"]
    assert client.delete(f"{URL}{other}/").status_code == 204 and not Placement.objects.filter(pk=other).exists()


def test_violations_lists_what_blocks_the_next_step(client, login):
    t = college()
    p = plan(t, mentor=None)
    login(t.admin)
    planned = client.get(f"{URL}{p.pk}/violations/").json()
    assert planned["hard"] == [] and [v["code"] for v in planned["soft"]] == [rules.MENTOR]
    Placement.objects.filter(pk=p.pk).update(status="roster_agreed")
    assert [v["code"] for v in client.get(f"{URL}{p.pk}/violations/").json()["hard"]] == [rules.MENTOR]


def test_the_api_is_scoped_like_the_pages(client, login):
    t = college()
    p = plan(t)
    other = college()
    login(other.admin)
    assert client.get(f"{URL}{p.pk}/").status_code == 404
    assert post(client, f"{URL}{p.pk}/step/", {"name": "cancel", "reason": "x"}).status_code == 404
    assert post(client, URL, body(other, workplace=t.workplace.pk)).status_code == 400
    login(t.rep)
    assert [r["id"] for r in client.get(URL).json()["results"]] == [p.pk]
    assert post(client, URL, body(t, student=t.students[1].pk)).status_code == 400  # a representative does not plan
    assert post(client, f"{URL}{p.pk}/step/", {"name": "agree_roster", "on": "2025-02-20"}).status_code == 200
    mentor_user = f.member(Role.MENTOR, institution=t.institution, employer=t.employer)
    login(mentor_user)
    assert client.get(URL).json()["results"] == []
    assert client.get(f"{URL}{p.pk}/").status_code == 404
    p.refresh_from_db()
    assert p.status == "roster_agreed"


@pytest.mark.parametrize("count", [2, 20])
def test_the_list_reads_a_fixed_number_of_queries(client, login, django_assert_max_num_queries, count):
    t = college(students=count, places=count)
    for s in t.students:
        plan(t, student=s)
    login(t.admin)
    with django_assert_max_num_queries(6):
        response = client.get(URL)
    assert response.json()["count"] == count


def test_monitoring_visits_record_the_placements_seen_at_the_employer(client, login):
    t = college()
    p = plan(t)
    login(t.admin)
    url = "/api/v1/monitoring-visits/"
    data = {
        "employer": t.employer.pk,
        "visited_on": "2025-03-12",
        "visitor": t.supervisor.pk,
        "placements": [p.pk],
        "findings": "Жакшы",
    }
    created = post(client, url, data)
    assert created.status_code == 201 and created.json()["seen"] == 1 and created.json()["institution"] == t.institution.pk
    elsewhere = f.EmployerFactory(institution=t.institution)
    refused = client.patch(f"{url}{created.json()['id']}/", {"employer": elsewhere.pk}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["field"] == "placements"
    assert MonitoringVisit.objects.get().employer == t.employer
    assert post(client, url, {**data, "visited_on": str(datetime.date.today() + datetime.timedelta(days=1))}).status_code == 400
    login(college().admin)
    assert client.get(f"{url}{created.json()['id']}/").status_code == 404
    login(t.rep)
    assert client.get(f"{url}{created.json()['id']}/").status_code == 200
    assert client.delete(f"{url}{created.json()['id']}/").status_code in (400, 403)
    assert MonitoringVisit.objects.count() == 1


def test_the_dashboard_answers_the_same_numbers_as_the_page(client, login):
    t = college()
    plan(t, mentor=None)
    login(t.admin)
    data = client.get(f"{URL}dashboard/").json()
    page = client.get("/wbl/").context["n"]
    assert data["total"] == page["total"] == 1
    assert {s["status"]: s["count"] for s in data["by_status"]}["planned"] == 1
    assert data["groups_without_head"]["count"] == page["groups_without_head"]["count"]
    assert client.get(f"{URL}dashboard/", {"year": "20x4"}).status_code == 400
