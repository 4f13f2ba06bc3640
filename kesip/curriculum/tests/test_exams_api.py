"""The exams API: the same rules as the pages, the whole results table at once, awards and scales to read."""

import pytest

from kesip.curriculum import exam_rules, exams
from kesip.curriculum.models import AwardedQualification, ExamResult, QualificationExam
from kesip.curriculum.tests.factories import QualificationFactory
from kesip.curriculum.tests.test_exams import DAY, college, marks, plan

pytestmark = pytest.mark.django_db

JSON = "application/json"


def payload(t, **kwargs):
    data = {
        "group": t.group.pk,
        "qualification": t.worker.pk,
        "kind": "qualification",
        "form": "practical_work",
        "venue_kind": "enterprise",
        "venue": "ТОО «Металл», цех 3",
        "held_on": DAY.isoformat(),
        "experts": "Омаров Е., бас инженер\nСейтқали А., WorldSkills",
    }
    data.update(kwargs)
    return data


def test_plan_an_exam_through_the_api_on_the_default_scale(client, login):
    t = college("KZ")
    login(t.teacher)
    response = client.post("/api/v1/exams/", payload(t), content_type=JSON)
    assert response.status_code == 201, response.json()
    body = response.json()
    exam = QualificationExam.objects.get(pk=body["id"])
    assert body["institution"] == t.institution.pk and body["status"] == "planned" and exam.scale.code == "kz-100-letter"
    assert body["expert_list"] == ["Омаров Е., бас инженер", "Сейтқали А., WorldSkills"] and body["result_count"] == 0


def test_the_api_refuses_a_second_exam_and_a_foreign_group_with_clear_errors(client, login):
    t = college("KZ")
    plan(t)
    login(t.teacher)
    twin = client.post("/api/v1/exams/", payload(t), content_type=JSON)
    assert twin.status_code == 400
    body = twin.json()
    assert body["code"] == exam_rules.PER_WORKER and "§13, L940-948" in body["source"] and body["field"] == "qualification"
    assert [v["code"] for v in body["violations"]] == [exam_rules.PER_WORKER]
    mid = client.post("/api/v1/exams/", payload(t, qualification=t.mid.pk), content_type=JSON).json()
    assert mid["code"] == exam_rules.PER_WORKER and "worker qualification" in mid["message"]
    stranger = QualificationFactory(specialty=t.programme.specialty, kind="mid_level")
    two = client.post("/api/v1/exams/", payload(t, qualification=stranger.pk), content_type=JSON).json()
    assert two["message"] == "2 rules are broken."
    assert [v["code"] for v in two["violations"]] == ["curriculum.exam.qualification", exam_rules.PER_WORKER]
    blank = client.post("/api/v1/exams/", payload(t, kind="demo_final", experts=" "), content_type=JSON)
    assert blank.status_code == 400 and "experts" in blank.json()
    lines = client.post("/api/v1/exams/", payload(t, kind="demo_final", experts=" \n \n"), content_type=JSON)
    assert lines.status_code == 400 and "experts" in str(lines.json())
    other = college("KZ")
    foreign = client.post("/api/v1/exams/", payload(t, group=other.group.pk), content_type=JSON)
    assert foreign.status_code == 400 and "group" in foreign.json()
    assert QualificationExam.objects.count() == 1


def test_the_whole_results_table_is_all_or_nothing_then_the_exam_is_held_and_awards(client, login):
    t = college("KZ", students=3)
    exam = plan(t)
    login(t.teacher)
    path = f"/api/v1/exams/{exam.pk}/results/"
    rows = [{"student": t.students[0].pk, "value": "95"}, {"student": t.students[1].pk, "value": 101}]
    bad = client.post(path, {"results": rows, "close": True}, content_type=JSON)
    assert bad.status_code == 400
    assert bad.json()["field"] == f"student-{t.students[1].pk}" and "between 0 and 100" in bad.json()["message"]
    assert not ExamResult.objects.exists()
    twice = client.post(path, {"results": [rows[0], rows[0]]}, content_type=JSON)
    assert twice.status_code == 400 and "twice" in str(twice.json())
    rows[1]["value"] = 40
    rows.append({"student": t.students[2].pk, "value": None})
    done = client.post(path, {"results": rows, "close": True}, content_type=JSON)
    assert done.status_code == 200, done.json()
    body = done.json()
    assert body["exam"]["status"] == "held" and body["exam"]["result_count"] == 2 and body["exam"]["passed_count"] == 1
    assert [(a["student"], a["awarded_on"]) for a in body["awarded"]] == [(t.students[0].pk, DAY.isoformat())]
    results = client.get(f"/api/v1/exam-results/?exam={exam.pk}").json()["results"]
    got = {r["student"]: (r["value"], r["passed"], r["letter"], r["traditional"]) for r in results}
    assert got == {t.students[0].pk: ("95.0", True, "A", 5), t.students[1].pk: ("40.0", False, "F", 2)}
    awards = client.get(f"/api/v1/awarded-qualifications/?student={t.students[0].pk}").json()["results"]
    assert [(a["qualification"], a["exam"]) for a in awards] == [(t.worker.pk, exam.pk)]
    again = client.post(path, {"results": rows}, content_type=JSON)
    assert again.status_code == 400 and again.json()["code"] == "curriculum.exam.held"


def test_a_held_exam_is_changed_only_after_reopening(client, login):
    t = college("KZ", students=1)
    exam = plan(t)
    exams.record_results(exam, marks(t, 90), t.teacher, close=True)
    login(t.teacher)
    item = f"/api/v1/exams/{exam.pk}/"
    assert client.patch(item, {"venue": "Другое"}, content_type=JSON).json()["code"] == "curriculum.exam.held"
    assert client.delete(item).status_code == 400
    reopened = client.post(f"{item}step/", {"step": "reopen"}, content_type=JSON)
    assert reopened.status_code == 200 and reopened.json()["exam"]["status"] == "planned"
    assert not AwardedQualification.objects.exists()
    changed = client.patch(item, {"venue": "Другое"}, content_type=JSON)
    assert changed.status_code == 200 and changed.json()["venue"] == "Другое"
    closed = client.post(f"{item}step/", {"step": "close"}, content_type=JSON)
    assert closed.status_code == 200 and len(closed.json()["awarded"]) == 1
    assert client.post(f"{item}step/", {"step": "close"}, content_type=JSON).json()["code"] == "curriculum.exam.held"
    assert client.post(f"{item}step/", {"step": "approve"}, content_type=JSON).status_code == 400
    client.post(f"{item}step/", {"step": "reopen"}, content_type=JSON)
    assert client.delete(item).status_code == 204 and not QualificationExam.objects.exists()


def test_a_head_reads_exams_but_cannot_write_and_awards_are_read_only(client, login):
    t = college("KZ", students=1)
    exam = plan(t)
    login(t.head)
    assert [e["id"] for e in client.get("/api/v1/exams/").json()["results"]] == [exam.pk]
    rows = {"results": [{"student": t.students[0].pk, "value": "90"}]}
    assert client.post(f"/api/v1/exams/{exam.pk}/results/", rows, content_type=JSON).status_code == 403
    assert client.post("/api/v1/exams/", payload(t, kind="demo_final"), content_type=JSON).status_code == 403
    login(t.teacher)
    assert client.post("/api/v1/awarded-qualifications/", {}, content_type=JSON).status_code == 405
    assert client.post("/api/v1/exam-results/", {}, content_type=JSON).status_code == 405
    assert not ExamResult.objects.exists()


def test_grading_scales_are_shared_with_their_bands(client, login):
    t = college("KZ")
    assert client.get("/api/v1/grading-scales/").status_code in (401, 403)
    login(t.teacher)
    rows = {s["code"]: s for s in client.get("/api/v1/grading-scales/").json()["results"]}
    assert {"kz-100-letter", "kg-5-point"} <= set(rows)
    kz = rows["kz-100-letter"]
    assert kz["is_default"] and len(kz["bands"]) == 11
    d = next(b for b in kz["bands"] if b["letter"] == "D")
    assert (d["min_value"], d["max_value"], d["traditional"], d["passed"]) == ("50.0", "54.0", 3, True)
    assert [s["code"] for s in client.get("/api/v1/grading-scales/?jurisdiction=KG").json()["results"]] == ["kg-5-point"]


@pytest.mark.parametrize("endpoint", ["exams", "exam-results", "awarded-qualifications", "grading-scales"])
@pytest.mark.parametrize("count", [1, 8])
def test_api_list_query_budget(client, login, django_assert_max_num_queries, endpoint, count):
    t = college("KZ", students=2)
    for _ in range(count):
        from kesip.core.tests import factories as f

        group = f.GroupFactory(institution=t.institution, programme=t.programme)
        students = [f.StudentFactory(institution=t.institution, group=group) for _ in range(2)]
        exam = plan(t, group=group)
        exams.record_results(exam, {s.pk: 90 for s in students}, t.teacher, close=True)
    login(t.teacher)
    with django_assert_max_num_queries(8):
        assert client.get(f"/api/v1/{endpoint}/").status_code == 200
