"""The diary API: the whole path ordered → closed, the same refusals as the pages, scoping and query budgets."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kesip.curriculum.models import ComponentGrade
from kesip.wbl import diary
from kesip.wbl.models import Briefing, DiaryEntry, Placement
from kesip.wbl.tests.test_diary import PNG, TODAY, entry, site, started

pytestmark = pytest.mark.django_db

JSON = "application/json"


def test_the_whole_path_through_the_api(client, login):
    t = site()
    p = t.placement
    day = (p.starts_on - datetime.timedelta(days=1)).isoformat()
    login(t.head)
    for kind, extra in (("institution", {}), ("safety", {}), ("local_documents", {"documents": [d.pk for d in t.docs]})):
        made = client.post("/api/v1/briefings/", {"placement": p.pk, "kind": kind, "held_on": day, "conducted_by": "Ж.", **extra},
                           content_type=JSON)  # fmt: skip
        assert made.status_code == 201, made.json()
    progress = client.get(f"/api/v1/placement-progress/{p.pk}/").json()
    assert progress["status"] == "ordered" and len(progress["briefings_missing"]) == 3 and progress["steps"] == []
    refused = client.post(f"/api/v1/placement-progress/{p.pk}/start/")
    assert refused.status_code == 400 and len(refused.json()["violations"]) == 3 and "п. 56" in refused.json()["source"]
    login(t.student_user)
    for b in Briefing.objects.filter(placement=p):
        assert client.post(f"/api/v1/briefings/{b.pk}/acknowledge/").status_code == 200
    login(t.head)
    started_ = client.post(f"/api/v1/placement-progress/{p.pk}/start/")
    assert started_.status_code == 200 and started_.json()["placement"]["status"] == "active"
    login(t.student_user)
    made = client.post(
        "/api/v1/diary-entries/",
        {"placement": p.pk, "date": TODAY.isoformat(), "task": "Ширетүү", "work_done": "Тигиш", "hours": "6.5",
         "attachment": SimpleUploadedFile("weld.png", PNG)},
    )  # fmt: skip
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["status"] == "draft" and body["attachment_name"].endswith(".png") and body["hours"] == "6.5"
    pk = body["id"]
    assert client.patch(f"/api/v1/diary-entries/{pk}/", {"task": "Ширетүү 2"}, content_type=JSON).json()["task"] == "Ширетүү 2"
    assert client.post(f"/api/v1/diary-entries/{pk}/submit/").json()["status"] == "submitted"
    assert client.post(f"/api/v1/diary-entries/{pk}/grade/", {"grade": "5"}, content_type=JSON).status_code == 403
    login(t.mentor_user)
    off = client.post(f"/api/v1/diary-entries/{pk}/grade/", {"grade": "6"}, content_type=JSON)
    assert off.status_code == 400 and off.json()["field"] == "grade"
    assert DiaryEntry.objects.get(pk=pk).grade is None
    ok = client.post(f"/api/v1/diary-entries/{pk}/grade/", {"grade": "4.5", "comment": "Жакшы"}, content_type=JSON)
    assert ok.status_code == 200 and ok.json()["grade"] == "4.5" and ok.json()["graded_by"] == t.mentor_user.pk
    login(t.teacher)
    assert (
        client.post(f"/api/v1/diary-entries/{pk}/check/", {"note": "OK"}, content_type=JSON).json()["checked_by"] == t.teacher.pk
    )
    login(t.mentor_user)
    blank = client.post(f"/api/v1/placement-progress/{p.pk}/complete/", {"review": "", "characterisation": ""}, content_type=JSON)
    assert blank.status_code == 400 and {v["field"] for v in blank.json()["violations"]} >= {"review", "characterisation"}
    done = client.post(
        f"/api/v1/placement-progress/{p.pk}/complete/",
        {"review": "R", "characterisation": "C", "recommended_grade": "5", "early_reason": "Ишкана жабылды"},
        content_type=JSON,
    )
    assert done.status_code == 200 and done.json()["placement"]["status"] == "completed"
    login(t.head)
    results = [{"competency": c.pk, "achieved": True} for c in t.competencies]
    payload = {"assessed_on": TODAY.isoformat(), "method": "practical_task", "value": "5", "results": results}
    none = client.post(f"/api/v1/placement-progress/{p.pk}/assess/", payload, content_type=JSON)
    assert none.status_code == 400 and {v["code"] for v in none.json()["violations"]} == {
        "wbl.assessment.min_peo_assessors",
        "wbl.assessment.min_employer_assessors",
    }
    payload.update(institution_assessors=[t.supervisor.pk], employer_assessors=[t.mentor.pk])
    assessed = client.post(f"/api/v1/placement-progress/{p.pk}/assess/", payload, content_type=JSON)
    assert assessed.status_code == 200, assessed.json()
    assert assessed.json()["assessment"]["mark"] == "5" and len(assessed.json()["assessment"]["competency_results"]) == 2
    grade = ComponentGrade.objects.get(student=t.student, component=t.component)
    assert (grade.source, grade.place) == ("placement", t.employer.name)
    # Reassessed in a multipart request with the evidence: the grade is replaced.
    video = SimpleUploadedFile("defence.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 32)
    again = client.post(
        f"/api/v1/placement-progress/{p.pk}/assess/",
        {**payload, "value": "4", "artefact": video, "results": json.dumps(
            [{"competency": t.competencies[0].pk, "achieved": True}, {"competency": t.competencies[1].pk, "achieved": False}])},
    )  # fmt: skip
    assert again.status_code == 200, again.json()
    assert ComponentGrade.objects.get(pk=grade.pk).value == Decimal(4)
    aid = again.json()["assessment"]["id"]
    assert client.get(f"/api/v1/assessments/{aid}/artefact/").status_code == 200
    assert client.post(f"/api/v1/placement-progress/{p.pk}/close/").json()["placement"]["status"] == "closed"


def test_the_api_scopes_diaries_like_the_pages(client, login):
    t = site(learners=2)
    for p in t.placements:
        started(t, p)
    Placement.objects.filter(pk=t.placements[1].pk).update(mentor=t.other_mentor)
    mine, theirs = entry(t, t.placements[0]), entry(t, t.placements[1])
    draft = entry(t, t.placements[0], submit=False)
    login(t.mentor_user)
    ids = {row["id"] for row in client.get("/api/v1/diary-entries/").json()["results"]}
    assert ids == {mine.pk}
    assert client.post(f"/api/v1/diary-entries/{theirs.pk}/grade/", {"grade": "5"}, content_type=JSON).status_code == 404
    progress = {row["id"] for row in client.get("/api/v1/placement-progress/").json()["results"]}
    assert progress == {t.placements[0].pk}
    assert client.get(f"/api/v1/placement-progress/{t.placements[1].pk}/").status_code == 404
    assert client.patch(f"/api/v1/diary-entries/{mine.pk}/", {"task": "X"}, content_type=JSON).status_code == 403
    login(t.student_users[1])
    assert client.get(f"/api/v1/diary-entries/{mine.pk}/").status_code == 404
    assert client.patch(f"/api/v1/diary-entries/{draft.pk}/", {"task": "X"}, content_type=JSON).status_code == 404
    other = client.post(
        "/api/v1/diary-entries/",
        {"placement": t.placements[0].pk, "date": TODAY.isoformat(), "task": "T", "work_done": "W", "hours": "1"},
        content_type=JSON,
    )
    assert other.status_code == 400 and "placement" in other.json()
    login(t.student_users[0])
    assert client.delete(f"/api/v1/diary-entries/{mine.pk}/").status_code == 400  # handed in: not deleted
    assert client.delete(f"/api/v1/diary-entries/{draft.pk}/").status_code == 204


def test_bad_entries_through_the_api_save_nothing(client, login):
    t = site()
    p = started(t)
    login(t.student_user)
    for payload, field in (
        ({"date": (p.ends_on + datetime.timedelta(days=1)).isoformat()}, "date"),
        ({"hours": "0.4"}, "hours"),
        ({"hours": "12.5"}, "hours"),
        ({"task": " "}, "task"),
    ):
        data = {"placement": p.pk, "date": TODAY.isoformat(), "task": "T", "work_done": "W", "hours": "2", **payload}
        response = client.post("/api/v1/diary-entries/", data, content_type=JSON)
        assert response.status_code == 400, payload
        body = response.json()
        assert body.get("field") == field or field in body, body
    assert not DiaryEntry.objects.exists()


def test_a_briefing_of_another_employers_documents_is_refused(client, login):
    from kesip.core.tests import factories as f
    from kesip.wbl.models import LocalDocument

    t = site()
    other = LocalDocument.objects.create(
        institution=t.institution, employer=f.EmployerFactory(institution=t.institution), kind="fire", title="Өрт"
    )
    login(t.rep_user)  # the representative of the host employer sees only its own documents
    response = client.post(
        "/api/v1/briefings/",
        {"placement": t.placement.pk, "kind": "local_documents", "held_on": TODAY.isoformat(), "conducted_by": "Ө.",
         "documents": [other.pk]},
        content_type=JSON,
    )  # fmt: skip
    assert response.status_code == 400 and "documents" in response.json()
    login(t.head)
    response = client.post(
        "/api/v1/briefings/",
        {"placement": t.placement.pk, "kind": "local_documents", "held_on": TODAY.isoformat(), "conducted_by": "Ө.",
         "documents": [other.pk]},
        content_type=JSON,
    )  # fmt: skip
    assert response.status_code == 400 and response.json()["field"] == "documents"
    assert not Briefing.objects.exists()


def test_warnings_come_back_from_a_step_that_goes_ahead(client, login):
    t = site(briefing_before_start=False)
    login(t.head)
    response = client.post(f"/api/v1/placement-progress/{t.placement.pk}/start/")
    assert response.status_code == 200 and len(response.json()["warnings"]) == 3
    assert {w["code"] for w in response.json()["warnings"]} == {"wbl.briefing.before_start"}


@pytest.mark.parametrize("n", [2, 20])
def test_api_lists_read_a_fixed_number_of_queries(client, login, django_assert_max_num_queries, n):
    t = site(learners=n)
    for p in t.placements:
        started(t, p)
        entry(t, p)
    login(t.mentor_user)
    with django_assert_max_num_queries(9):
        assert len(client.get("/api/v1/placement-progress/").json()["results"]) == n
    with django_assert_max_num_queries(9):
        assert len(client.get("/api/v1/diary-entries/?limit=50").json()["results"]) == n
    login(t.head)
    with django_assert_max_num_queries(9):
        assert len(client.get("/api/v1/briefings/?limit=100").json()["results"]) == 3 * n


@pytest.mark.parametrize("n", [2, 20])
def test_assessments_list_reads_a_fixed_number_of_queries(client, login, django_assert_max_num_queries, n):
    t = site(learners=n)
    for p in t.placements:
        started(t, p)
        diary.complete(p, t.mentor_user, review="R", characterisation="C", on=p.ends_on)
        diary.assess(
            p,
            t.head,
            assessed_on=TODAY,
            method="observation",
            value="5",
            institution_assessors=[t.supervisor],
            employer_assessors=[t.mentor],
            results={c.pk: (True, "") for c in t.competencies},
        )
    login(t.head)
    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/assessments/?limit=50")
    assert response.status_code == 200 and len(response.json()["results"]) == n
    assert {row["mark"] for row in response.json()["results"]} == {"5"}
