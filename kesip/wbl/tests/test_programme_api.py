"""The WBL programmes API: the same rules and steps as the pages, the rows of sections 5, 7 and 9 while a
draft, another institution's ids refused, and query budgets that do not grow with the rows."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kesip.wbl.models import LoadRow, RubricItem, WblProgramme, WblSettings
from kesip.wbl.tests.test_programme_rules import college

pytestmark = pytest.mark.django_db
JSON = "application/json"
S = WblProgramme.Status


def test_create_a_draft_and_read_its_violations(client, login):
    t = college()
    login(t.practice_head)
    response = client.post(
        "/api/v1/wbl-programmes/",
        {"programme": t.programme.pk, "form": "dual", "academic_year": 2025, "co_developer": t.employer.pk, "goal": "Цель"},
        content_type=JSON,
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["institution"] == t.institution.pk and body["status"] == "draft" and body["goal"] == "Цель"
    assert {v["field"] for v in body["violations"]} >= {"normative_base", "load_rows", "outcomes", "safety"}
    checks = client.get(f"/api/v1/wbl-programmes/{body['id']}/violations/").json()
    assert [s["number"] for s in checks["sections"]] == list(range(1, 10))
    assert {s["number"]: s["state"] for s in checks["sections"]}[2] == "complete"
    assert all(v["source"] for v in checks["hard"] if v["code"] == "wbl.programme.sections")


def test_create_refuses_another_institutions_programme_and_employer(client, login):
    t, other = college(), college()
    login(t.practice_head)
    foreign = client.post(
        "/api/v1/wbl-programmes/", {"programme": other.programme.pk, "form": "dual", "academic_year": 2025}, content_type=JSON
    )
    assert foreign.status_code == 400 and "programme" in foreign.json()
    employer = client.post(
        "/api/v1/wbl-programmes/",
        {"programme": t.programme.pk, "form": "dual", "academic_year": 2025, "co_developer": other.employer.pk},
        content_type=JSON,
    )
    assert employer.status_code == 400 and "co_developer" in employer.json()
    bad = client.post(
        "/api/v1/wbl-programmes/", {"programme": t.programme.pk, "form": "none", "academic_year": 1800}, content_type=JSON
    )
    assert bad.status_code == 400 and {"form", "academic_year"} <= set(bad.json())
    assert WblProgramme.objects.filter(programme=t.programme).count() == 1


def test_the_percent_endpoint_with_both_denominators(client, login):
    t = college()
    login(t.practice_head)
    body = client.get(f"/api/v1/wbl-programmes/{t.wp.pk}/percent/").json()
    assert (body["denominator"], body["wbl_hours"], body["curriculum_hours"], body["percent"]) == ("all_hours", 432, 3000, "14.4")
    assert {s["semester"]: s["percent"] for s in body["semesters"]} == {1: "0.0", 2: "14.8", 3: "14.4", 4: "23.4"}
    WblSettings.objects.create(institution=t.institution, wbl_percent_denominator="practice_hours")
    body = client.get(f"/api/v1/wbl-programmes/{t.wp.pk}/percent/").json()
    assert (body["denominator"], body["curriculum_hours"], body["percent"], body["other"]["percent"]) == (
        "practice_hours",
        844,
        "51.2",
        "14.4",
    )


def test_the_steps_through_the_api(client, login):
    t = college()
    login(t.teacher)
    assert client.post(f"/api/v1/wbl-programmes/{t.wp.pk}/step/", {"step": "send"}, content_type=JSON).status_code == 400
    login(t.practice_head)
    sent = client.post(f"/api/v1/wbl-programmes/{t.wp.pk}/step/", {"step": "send"}, content_type=JSON)
    assert sent.status_code == 200 and sent.json()["status"] == "employer_review"
    paper = client.post(f"/api/v1/wbl-programmes/{t.wp.pk}/step/", {"step": "agree"}, content_type=JSON)
    assert paper.status_code == 400
    assert {v["field"] for v in paper.json()["violations"]} == {"employer_agreed_by", "employer_agreed_on"}
    early = client.post(f"/api/v1/wbl-programmes/{t.wp.pk}/step/", {"step": "approve"}, content_type=JSON)
    assert early.status_code == 400 and early.json()["code"] == "wbl.permission"
    login(t.rep)
    agreed = client.post(f"/api/v1/wbl-programmes/{t.wp.pk}/step/", {"step": "agree"}, content_type=JSON)
    assert agreed.status_code == 200 and agreed.json()["employer_agreed_on"] == datetime.date.today().isoformat()
    login(t.head)  # the head has no change_wbl, and approves
    approved = client.post(f"/api/v1/wbl-programmes/{t.wp.pk}/step/", {"step": "approve"}, content_type=JSON)
    assert approved.status_code == 200 and approved.json()["status"] == "approved" and approved.json()["approved_by"] == t.head.pk
    assert client.patch(f"/api/v1/wbl-programmes/{t.wp.pk}/", {"goal": "x"}, content_type=JSON).status_code == 403
    login(t.practice_head)
    frozen = client.patch(f"/api/v1/wbl-programmes/{t.wp.pk}/", {"goal": "x"}, content_type=JSON)
    assert frozen.status_code == 400 and frozen.json()["code"] == "wbl.wblprogramme.status"
    assert (
        client.post(f"/api/v1/wbl-programmes/{t.wp.pk}/step/", {"step": "reopen"}, content_type=JSON).json()["status"] == "draft"
    )


def test_a_refused_send_lists_every_broken_rule(client, login):
    t = college()
    WblProgramme.objects.filter(pk=t.wp.pk).update(goal="", safety="")
    login(t.practice_head)
    response = client.post(f"/api/v1/wbl-programmes/{t.wp.pk}/step/", {"step": "send"}, content_type=JSON)
    body = response.json()
    assert response.status_code == 400 and body["message"] == "2 rules are broken."
    assert [v["field"] for v in body["violations"]] == ["goal", "safety"] and "п. 53" in body["source"]


def test_prefill_through_the_api(client, login):
    t = college()
    LoadRow.objects.filter(programme=t.wp).delete()
    login(t.practice_head)
    response = client.post(f"/api/v1/wbl-programmes/{t.wp.pk}/prefill/", content_type=JSON)
    body = response.json()
    assert response.status_code == 200 and [r["semester"] for r in body["created"]] == [2, 4]
    assert body["normative_base"] is False and body["programme"]["id"] == t.wp.pk


def test_load_rows_are_written_while_a_draft_and_checked(client, login):
    t = college()
    login(t.practice_head)
    row = {"programme": t.wp.pk, "semester": 5, "activity": "excursion", "hours": 6, "credits": "0.3"}
    refused = client.post("/api/v1/wbl-load-rows/", row, content_type=JSON)
    assert refused.status_code == 400 and refused.json()["code"] == "curriculum.wbl_load.non_practice_form.min_disciplines"
    assert refused.json()["field"] == "component"
    created = client.post("/api/v1/wbl-load-rows/", {**row, "component": t.subject.pk}, content_type=JSON)
    assert created.status_code == 201 and created.json()["institution"] == t.institution.pk
    pk = created.json()["id"]
    assert client.patch(f"/api/v1/wbl-load-rows/{pk}/", {"hours": 8}, content_type=JSON).json()["hours"] == 8
    zero = client.patch(f"/api/v1/wbl-load-rows/{pk}/", {"hours": 0}, content_type=JSON)
    assert zero.status_code == 400 and "hours" in zero.json()
    client.post(f"/api/v1/wbl-programmes/{t.wp.pk}/step/", {"step": "send"}, content_type=JSON)
    frozen = client.patch(f"/api/v1/wbl-load-rows/{pk}/", {"hours": 9}, content_type=JSON)
    assert frozen.status_code == 400 and frozen.json()["code"] == "wbl.wblprogramme.status"
    assert client.delete(f"/api/v1/wbl-load-rows/{pk}/").status_code == 400
    assert LoadRow.objects.get(pk=pk).hours == 8


def test_rows_refuse_another_institutions_ids(client, login):
    t, other = college(), college()
    login(t.practice_head)
    practice = {"semester": 1, "activity": "practice", "practice_type": "educational", "hours": 1, "credits": 1}
    excursion = {"semester": 1, "activity": "excursion", "hours": 1, "credits": 1}
    content = {"practice_type": "educational", "topic": "x", "hours": 1, "environment": "x", "equipment": "x"}
    grade = {"method": "case_study", "level": "5", "descriptor": "x"}
    for path, data in (
        ("wbl-load-rows", {"programme": other.wp.pk, **practice}),
        ("wbl-load-rows", {"programme": t.wp.pk, "component": other.subject.pk, **excursion}),
        ("wbl-content-rows", {"programme": t.wp.pk, "competency": other.competencies[0].pk, **content}),
        ("wbl-rubric-items", {"programme": t.wp.pk, "competencies": [other.competencies[0].pk], **grade}),
    ):
        response = client.post(f"/api/v1/{path}/", data, content_type=JSON)
        assert response.status_code == 400, (path, response.json())
    assert client.get(f"/api/v1/wbl-load-rows/{other.rows.lecture.pk}/").status_code == 404
    assert client.patch(f"/api/v1/wbl-rubric-items/{other.grade.pk}/", {"level": "1"}, content_type=JSON).status_code == 404
    assert client.get(f"/api/v1/wbl-programmes/{other.wp.pk}/percent/").status_code == 404
    assert client.post(f"/api/v1/wbl-programmes/{other.wp.pk}/step/", {"step": "send"}, content_type=JSON).status_code == 404
    ids = {r["id"] for r in client.get("/api/v1/wbl-programmes/").json()["results"]}
    assert ids == {t.wp.pk}


def test_rubric_items_link_competencies_of_section_6(client, login):
    t = college()
    login(t.practice_head)
    base = {"programme": t.wp.pk, "method": "video_interview", "level": "4", "descriptor": "Хорошо"}
    none = client.post("/api/v1/wbl-rubric-items/", base, content_type=JSON)
    assert none.status_code == 400 and none.json()["code"] == "wbl.programme.assessment.min_competencies_per_descriptor"
    created = client.post("/api/v1/wbl-rubric-items/", {**base, "competencies": [t.competencies[1].pk]}, content_type=JSON)
    assert created.status_code == 201 and created.json()["competencies"] == [t.competencies[1].pk]
    item = RubricItem.objects.get(pk=created.json()["id"])
    assert client.patch(f"/api/v1/wbl-rubric-items/{item.pk}/", {"level": "4+"}, content_type=JSON).status_code == 200
    assert list(item.competencies.all()) == [t.competencies[1]]  # a patch without competencies keeps them


def test_the_representative_writes_sections_but_not_the_passport(client, login):
    t = college()
    login(t.rep)
    assert client.patch(f"/api/v1/wbl-programmes/{t.wp.pk}/", {"goal": "Цель предприятия"}, content_type=JSON).status_code == 200
    passport = client.patch(f"/api/v1/wbl-programmes/{t.wp.pk}/", {"academic_year": 2030}, content_type=JSON)
    assert passport.status_code == 400 and passport.json()["field"] == "academic_year"
    outcomes = client.patch(f"/api/v1/wbl-programmes/{t.wp.pk}/", {"outcomes": [t.competencies[2].pk]}, content_type=JSON)
    assert outcomes.status_code == 200 and outcomes.json()["outcomes"] == [t.competencies[2].pk]
    new = {"programme": t.programme.pk, "form": "dual", "academic_year": 2025}
    assert client.post("/api/v1/wbl-programmes/", new, content_type=JSON).status_code == 400
    wp = WblProgramme.objects.get(pk=t.wp.pk)
    assert (wp.goal, wp.academic_year) == ("Цель предприятия", 2024)


def test_delete_a_draft(client, login):
    t = college()
    login(t.practice_head)
    assert client.delete(f"/api/v1/wbl-programmes/{t.wp.pk}/").status_code == 204
    assert not WblProgramme.objects.filter(pk=t.wp.pk).exists()


def _count(client, target):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(target).status_code == 200
    return len(queries)


def test_query_budgets_do_not_grow_with_the_rows(client, login, django_assert_max_num_queries):
    t = college()
    login(t.practice_head)
    targets = [
        "/api/v1/wbl-programmes/",
        f"/api/v1/wbl-programmes/{t.wp.pk}/",
        f"/api/v1/wbl-programmes/{t.wp.pk}/violations/",
        f"/api/v1/wbl-programmes/{t.wp.pk}/percent/",
        "/api/v1/wbl-load-rows/",
        "/api/v1/wbl-content-rows/",
        "/api/v1/wbl-rubric-items/",
    ]
    before = [_count(client, target) for target in targets]
    for i in range(18):
        WblProgramme.objects.create(
            institution=t.institution, programme=t.programme, form="dual", academic_year=2000 + i
        ).outcomes.add(t.competencies[0])
        LoadRow.objects.create(
            institution=t.institution,
            programme=t.wp,
            semester=1,
            activity="master_class",
            component=t.subject,
            hours=2,
            credits=Decimal("0.1"),
        )
        item = RubricItem.objects.create(
            institution=t.institution, programme=t.wp, method="case_study", level=str(i), descriptor="…"
        )
        item.competencies.add(t.competencies[0], t.competencies[1])
    after = [_count(client, target) for target in targets]
    assert before == after, list(zip(targets, before, after))
    for target in targets:
        with django_assert_max_num_queries(16):
            client.get(target)
