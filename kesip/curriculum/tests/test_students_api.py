"""The API of a student's life: movements only through their steps, individual curricula, exemptions, the remote check."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kesip.core.roles import Role
from kesip.core.tests import factories as f
from kesip.curriculum.models import DistanceExemption, IndividualCurriculum, Movement
from kesip.curriculum.tests.test_students_services import enrolled, kz_cohort
from kesip.curriculum.tests.test_students_views import PDF

pytestmark = pytest.mark.django_db

D = datetime.date
JSON = "application/json"
ORDER = {"order_number": "1", "order_date": "2025-01-10", "on": "2025-01-13"}


def test_enrol_and_move_a_student_through_the_api(client, login):
    c = kz_cohort()
    login(c.admin)
    student = client.post(
        "/api/v1/students/",
        {"institution": c.inst.pk, "last_name": "Омаров", "first_name": "Ерлан", "national_id": f.national_id_for(c.inst)},
        content_type=JSON,
    ).json()
    order = {"order_number": "112-к", "order_date": "2024-08-26", "on": "2024-09-01"}
    enrol = client.post(
        "/api/v1/movements/", {"student": student["id"], "kind": "enrolment", "to_group": c.group.pk, **order}, content_type=JSON
    )
    assert enrol.status_code == 201, enrol.json()
    assert enrol.json()["to_group"] == c.group.pk and enrol.json()["recorded_by"] == c.admin.pk
    again = client.post(
        "/api/v1/movements/", {"student": student["id"], "kind": "enrolment", "to_group": c.group.pk, **order}, content_type=JSON
    )
    assert again.status_code == 400
    assert again.json().keys() == {"code", "message", "source", "field"} and again.json()["code"] == "curriculum.student.status"
    leave = client.post(
        "/api/v1/movements/",
        {"student": student["id"], "kind": "academic_leave", **order, "on": "2024-11-01", "leave_until": "2024-10-01"},
        content_type=JSON,
    )
    assert leave.status_code == 400 and leave.json()["field"] == "leave_until"
    expel = client.post(
        "/api/v1/movements/",
        {"student": student["id"], "kind": "expulsion", **order, "on": "2024-11-01", "reason": "по собственному желанию"},
        content_type=JSON,
    )
    assert expel.status_code == 201
    listed = client.get(f"/api/v1/movements/?student={student['id']}").json()["results"]
    assert [m["kind"] for m in listed] == ["enrolment", "expulsion"]
    movement = listed[0]["id"]
    assert client.patch(f"/api/v1/movements/{movement}/", {"order_number": "x"}, content_type=JSON).status_code == 405
    assert client.delete(f"/api/v1/movements/{movement}/").status_code == 405
    assert Movement.objects.get(pk=movement).order_number == "112-к"


def test_a_removed_qualification_refuses_a_new_intake_through_the_api(client, login):
    c = kz_cohort()
    c.qualification.is_active, c.qualification.valid_until, c.qualification.removal_basis = False, D(2025, 7, 15), "№ 500"
    c.qualification.save()
    s = f.StudentFactory(institution=c.inst, group=None)
    login(c.admin)
    refused = client.post(
        "/api/v1/movements/",
        {"student": s.pk, "kind": "enrolment", "to_group": c.group.pk, "order_number": "1", "order_date": "2024-08-26",
         "on": "2024-09-01"},
        content_type=JSON,
    )  # fmt: skip
    body = refused.json()
    assert refused.status_code == 400 and body["code"] == "curriculum.classifier.removed" and "§6" in body["source"]
    assert body["field"] == "to_group" and not Movement.objects.exists()


def test_ids_of_another_institution_are_refused(client, login):
    c = kz_cohort()
    s = enrolled(c)
    other = kz_cohort()
    login(other.admin)
    response = client.post(
        "/api/v1/movements/",
        {"student": s.pk, "kind": "expulsion", "reason": "x", **ORDER},
        content_type=JSON,
    )
    assert response.status_code == 400 and "student" in response.json()
    own = enrolled(other)
    response = client.post(
        "/api/v1/movements/",
        {"student": own.pk, "kind": "transfer", "to_group": c.group.pk, "order_number": "1", "order_date": "2025-01-10",
         "on": "2025-01-13"},
        content_type=JSON,
    )  # fmt: skip
    assert response.status_code == 400 and "to_group" in response.json()
    assert client.get(f"/api/v1/distance-exemptions/remote-check/?student={s.pk}").status_code == 404
    s.refresh_from_db()
    assert s.status == "enrolled"


def test_individual_curriculum_with_entries(client, login):
    c = kz_cohort()
    s = enrolled(c)
    login(c.admin)
    data = {"student": s.pk, "kind": "individual", "basis": "ПМПК № 7", "entries": [
        {"component": c.a.pk, "year": 1, "semester": 1, "hours": 1000, "distance_hours": 900}]}  # fmt: skip
    refused = client.post("/api/v1/individual-curricula/", data, content_type=JSON)
    assert refused.status_code == 400 and refused.json()["code"] == "curriculum.individual.special_needs"
    s.special_needs = True
    s.save()
    created = client.post("/api/v1/individual-curricula/", data, content_type=JSON)
    assert created.status_code == 201, created.json()
    plan = created.json()
    assert plan["entries"] == [{"component": c.a.pk, "year": 1, "semester": 1, "hours": 1000, "distance_hours": 900}]
    bad = client.patch(
        f"/api/v1/individual-curricula/{plan['id']}/",
        {"entries": [{"component": c.a.pk, "year": 1, "semester": 1, "hours": 10, "distance_hours": 11}]},
        content_type=JSON,
    )
    assert bad.status_code == 400 and bad.json()["code"] == "curriculum.individual.distance"
    twice = client.patch(
        f"/api/v1/individual-curricula/{plan['id']}/",
        {"entries": [{"component": c.a.pk, "year": 1, "semester": 1, "hours": 10}] * 2},
        content_type=JSON,
    )
    assert twice.status_code == 400
    assert IndividualCurriculum.objects.get().entries.get().hours == 1000
    check = client.get(f"/api/v1/distance-exemptions/remote-check/?student={s.pk}").json()
    # A studied individually (1000 h, 900 remote) with B and C as laid out: 900 of 3880 hours.
    assert (check["total_hours"], check["remote_hours"], check["individual"]) == (3880, 900, True)
    assert check["share"] == "23.20" and check["cap"] == "20.00" and "§7" in check["cap_source"]
    assert [v["code"] for v in check["violations"]] == ["curriculum.distance_learning.max_percent_time"]
    assert check["exemption"] is None


def test_exemptions_crud_and_the_remote_check(client, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    c = kz_cohort(remote=865)
    s = enrolled(c)
    login(c.admin)
    today = datetime.date.today()
    data = {"student": s.pk, "reason": "competition", "document": "Приказ № 14", "document_date": "2024-10-01",
            "valid_from": "2024-10-01", "valid_until": str(today + datetime.timedelta(days=1))}  # fmt: skip
    bad = client.post("/api/v1/distance-exemptions/", {**data, "scan": SimpleUploadedFile("x.pdf", b"nope")})
    assert bad.status_code == 400 and "scan" in bad.json()
    sen = client.post("/api/v1/distance-exemptions/", {**data, "reason": "special_needs"})
    assert sen.status_code == 400 and sen.json()["field"] == "reason"
    assert not DistanceExemption.objects.exists()
    before = client.get(f"/api/v1/distance-exemptions/remote-check/?student={s.pk}").json()
    assert before["share"] == "20.03" and before["violations"] and before["exemption"] is None
    created = client.post("/api/v1/distance-exemptions/", {**data, "scan": SimpleUploadedFile("x.pdf", PDF)})
    assert created.status_code == 201, created.json()
    x = created.json()
    assert x["has_scan"] is True and "scan" not in x
    assert b"".join(client.get(f"/api/v1/distance-exemptions/{x['id']}/scan/").streaming_content) == PDF
    after = client.get(f"/api/v1/distance-exemptions/remote-check/?student={s.pk}").json()
    assert after["violations"] == [] and after["exemption"]["document"] == "Приказ № 14"
    expired = client.patch(
        f"/api/v1/distance-exemptions/{x['id']}/", {"valid_until": str(today - datetime.timedelta(days=1))}, content_type=JSON
    )
    assert expired.status_code == 200 and expired.json()["has_scan"] is True
    assert client.get(f"/api/v1/distance-exemptions/remote-check/?student={s.pk}").json()["violations"]
    reversed_dates = client.patch(f"/api/v1/distance-exemptions/{x['id']}/", {"valid_until": "2024-01-01"}, content_type=JSON)
    assert reversed_dates.status_code == 400
    assert client.get("/api/v1/distance-exemptions/remote-check/?student=abc").status_code == 400
    assert client.delete(f"/api/v1/distance-exemptions/{x['id']}/").status_code == 204


def test_a_teacher_reads_but_does_not_write(client, login):
    c = kz_cohort()
    s = enrolled(c)
    login(f.member(Role.TEACHER, institution=c.inst))
    assert client.get("/api/v1/movements/").json()["count"] == 1
    response = client.post(
        "/api/v1/movements/",
        {"student": s.pk, "kind": "expulsion", "reason": "x", **ORDER},
        content_type=JSON,
    )
    assert response.status_code == 403
    assert client.get(f"/api/v1/distance-exemptions/remote-check/?student={s.pk}").status_code == 200


@pytest.mark.parametrize("size", [2, 20])
def test_api_list_query_budget(client, login, django_assert_max_num_queries, size):
    c = kz_cohort()
    for _ in range(size):
        s = enrolled(c)
        plan = IndividualCurriculum.objects.create(institution=c.inst, student=s, kind="special", basis="ПМПК")
        plan.entries.create(institution=c.inst, component=c.a, year=1, semester=1, hours=100)
        DistanceExemption.objects.create(
            institution=c.inst, student=s, reason="competition", document="№ 1", document_date=D(2024, 10, 1),
            valid_from=D(2024, 10, 1), valid_until=D(2025, 10, 1),
        )  # fmt: skip
    login(c.admin)
    for endpoint in ("movements", "individual-curricula", "distance-exemptions"):
        with django_assert_max_num_queries(7):
            response = client.get(f"/api/v1/{endpoint}/")
        assert response.status_code == 200 and response.json()["count"] == size
