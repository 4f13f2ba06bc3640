"""The API of WBL events: the same rules as the pages, errors as the core exception handler answers them."""

import datetime

import pytest

from kesip.wbl import event_rules, events
from kesip.wbl.models import WblEvent
from kesip.wbl.tests.test_events import college, everyone, save

pytestmark = pytest.mark.django_db

E = WblEvent
URL = "/api/v1/wbl-events/"


def test_create_held_with_attendance_and_jury_acknowledged(client, login):
    t = college()
    login(t.head_of_practice)
    body = {"title": "Мыкты ширетүүчү", "kind": "competition", "starts_on": "2025-05-15", "hours": "6",
            "group": t.group.pk, "component": t.taught.pk, "employer": t.employer.pk}  # fmt: skip
    created = client.post(URL, body, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["stage"] == "7.2b" and data["status"] == "planned" and data["institution"] == t.institution.pk
    assert [w["code"] for w in data["warnings"]] == [event_rules.JURY]
    pk = data["id"]
    refused = client.post(f"{URL}{pk}/held/", {}, content_type="application/json")
    assert refused.status_code == 400
    assert {v["code"] for v in refused.json()["violations"]} == {event_rules.ATTENDANCE, event_rules.JURY}
    sheet = {"entries": [{"student": s.pk, "present": i != 1} for i, s in enumerate(t.students)]}
    answer = client.post(f"{URL}{pk}/attendance/", sheet, content_type="application/json")
    assert answer.status_code == 200 and sum(a["present"] for a in answer.json()["attendance"]) == 2
    refused = client.post(f"{URL}{pk}/held/", {}, content_type="application/json").json()
    assert refused["code"] == event_rules.JURY and refused["source"].endswith("п. 7.2")
    juror = client.post(f"{URL}{pk}/jury/", {"employer": t.employer.pk, "full_name": "Бекмуратов А."},
                        content_type="application/json")  # fmt: skip
    assert juror.status_code == 201 and juror.json()["warnings"] == [] and len(juror.json()["jury"]) == 1
    held = client.post(f"{URL}{pk}/held/", {}, content_type="application/json")
    assert held.status_code == 200 and held.json()["status"] == "held"


def test_acknowledge_lets_a_competition_without_jury_be_held(client, login):
    t = college()
    event = save(t, kind="competition")
    everyone(t, event)
    login(t.admin)
    answer = client.post(f"{URL}{event.pk}/held/", {"acknowledge": True}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["status"] == "held"


def test_wrong_discipline_and_stage_answer_400_with_the_field(client, login):
    t = college()
    login(t.admin)
    body = {"title": "X", "kind": "excursion", "starts_on": "2024-11-20", "hours": "4", "group": t.group.pk,
            "component": t.not_laid_out.pk}  # fmt: skip
    answer = client.post(URL, body, content_type="application/json")
    assert answer.status_code == 400 and answer.json()["code"] == event_rules.DISCIPLINE and answer.json()["field"] == "component"
    body.update(component=t.taught.pk, stage="7.1")
    answer = client.post(URL, body, content_type="application/json")
    assert answer.status_code == 400 and answer.json()["code"] == event_rules.STAGE
    assert not E.objects.exists()


def test_another_institutions_event_and_learners_are_not_found(client, login):
    t, other = college(), college()
    event = save(t)
    login(other.admin)
    assert client.get(f"{URL}{event.pk}/").status_code == 404
    assert client.post(f"{URL}{event.pk}/held/", {}, content_type="application/json").status_code == 404
    assert event.pk not in {r["id"] for r in client.get(URL).json()["results"]}
    mine = save(other)
    answer = client.post(f"{URL}{mine.pk}/attendance/", {"entries": [{"student": t.students[0].pk}]},
                         content_type="application/json")  # fmt: skip
    assert answer.status_code == 400 and answer.json()["code"] == "wbl.event.institution"


def test_the_employers_representative_reads_but_does_not_write(client, login):
    t = college()
    event = save(t)
    login(t.employer_rep)
    assert client.get(f"{URL}{event.pk}/").status_code == 200
    assert client.post(f"{URL}{event.pk}/cancel/", {"reason": "x"}, content_type="application/json").status_code == 404
    body = {"title": "X", "kind": "fair", "starts_on": "2024-11-20", "hours": "2", "institution": t.institution.pk}
    assert client.post(URL, body, content_type="application/json").status_code in (400, 403)


def test_the_list_answers_in_a_fixed_number_of_queries(client, login, django_assert_max_num_queries):
    counts = []
    for n in (2, 10):
        t = college()
        for i in range(n):
            event = save(t, kind="competition", starts_on=datetime.date(2025, 5, 1 + i))
            everyone(t, event)
            events.mark_held(event, t.admin, acknowledge=True)
        login(t.admin)
        with django_assert_max_num_queries(12) as ctx:
            assert len(client.get(URL).json()["results"]) == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
