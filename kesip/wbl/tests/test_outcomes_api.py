"""The API of graduates' employment and upgrading: the same rules as the pages, refusals with their clause."""

import datetime

import pytest

from kesip.wbl import outcome_rules as rules
from kesip.wbl import outcomes
from kesip.wbl.models import GraduateEmployment, TrainingNeed, UpgradingEnrolment
from kesip.wbl.tests.test_outcomes import need, programme, setup

pytestmark = pytest.mark.django_db
D = datetime.date


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_employment_through_the_api_works_out_the_host_flag_and_refuses_with_the_clause(client, login):
    t = setup()
    login(t.admin)
    ok = post(client, "/api/v1/graduate-employment/", {"student": t.g1.pk, "outcome": "employed", "employer": t.host.pk,
                                                        "starts_on": "2025-07-01", "is_host_employer": False})  # fmt: skip
    assert ok.status_code == 201 and ok.json()["is_host_employer"] is True and ok.json()["institution"] == t.institution.pk
    refused = post(client, "/api/v1/graduate-employment/", {"student": t.g2.pk, "outcome": "employed", "starts_on": "2025-07-01"})
    data = refused.json()
    assert refused.status_code == 400 and data["code"] == rules.EMPLOYER and data["field"] == "employer"
    assert "п. 19" in data["source"] and data["violations"][0]["code"] == rules.EMPLOYER
    assert GraduateEmployment.objects.count() == 1
    changed = client.patch(f"/api/v1/graduate-employment/{ok.json()['id']}/", {"employer": t.other.pk},
                           content_type="application/json")  # fmt: skip
    assert changed.status_code == 200 and changed.json()["is_host_employer"] is False


def test_the_bulk_endpoint_saves_all_rows_or_none(client, login):
    t = setup()
    login(t.admin)
    rows = [
        {"student": t.g1.pk, "outcome": "employed", "employer": t.host.pk, "starts_on": "2025-07-01", "in_profession": True},
        {"student": t.g2.pk, "outcome": "military", "employer_name": "Армия", "starts_on": "2025-07-01"},
    ]
    refused = post(client, "/api/v1/graduate-employment/bulk/", {"group": t.group.pk, "rows": rows})
    assert refused.status_code == 400 and refused.json()["code"] == rules.EMPLOYER
    assert str(t.g2) in refused.json()["violations"][0]["message"] and not GraduateEmployment.objects.exists()
    rows[1]["employer_name"] = ""
    ok = post(client, "/api/v1/graduate-employment/bulk/", {"group": t.group.pk, "rows": rows})
    assert ok.status_code == 200 and [r["is_host_employer"] for r in ok.json()] == [True, False]
    login(t.rep)
    assert post(client, "/api/v1/graduate-employment/bulk/", {"group": t.group.pk, "rows": rows}).status_code in (400, 403)


def test_needs_programme_enrolment_and_completion_through_the_api(client, login):
    t = setup()
    login(t.admin)
    n = post(client, "/api/v1/training-needs/", {"mentor": t.mentor.pk, "topic": "Насаатчылык", "academic_year": 2025})
    assert n.status_code == 201 and n.json()["status"] == "open"
    analysis = client.get("/api/v1/training-needs/analysis/?academic_year=2025").json()
    assert analysis[0]["total"] == 1 and analysis[0]["mentors"] == 1
    body = {"title": "Насаатчылык", "audience": "mentors", "hours": 16, "starts_on": "2025-10-06", "ends_on": "2025-10-07",
            "places": 1, "institution": t.institution.pk}  # fmt: skip
    refused = post(client, "/api/v1/upgrading-programmes/", {**body, "needs": []})
    assert refused.status_code == 400 and refused.json()["code"] == rules.NEEDS and "п. 56 item 14" in refused.json()["source"]
    p = post(client, "/api/v1/upgrading-programmes/", {**body, "needs": [n.json()["id"]]})
    assert p.status_code == 201 and TrainingNeed.objects.get().status == "planned"
    url = f"/api/v1/upgrading-programmes/{p.json()['id']}/enrol/"
    assert post(client, url, {"mentor": t.mentor.pk}).status_code == 201
    full = post(client, url, {"mentor": t.mentor2.pk})
    assert full.status_code == 400 and full.json()["code"] == "wbl.upgrading.places"
    e = UpgradingEnrolment.objects.get()
    done = post(
        client, f"/api/v1/upgrading-enrolments/{e.pk}/complete/", {"certificate_number": "КЖ-5", "completed_on": "2025-10-07"}
    )
    assert done.status_code == 200 and done.json()["result"] == "completed" and TrainingNeed.objects.get().status == "met"
    assert client.get(f"/api/v1/upgrading-programmes/{p.json()['id']}/").json()["enrolled"] == 1


def test_the_employers_representative_reads_its_mentors_upgrading_not_the_programmes(client, login):
    t = setup()
    nd = outcomes.save_need(need(t, mentor=t.mentor), t.admin)
    p = outcomes.create_programme(programme(t), [nd.pk], t.admin)
    outcomes.enrol(p, t.admin, mentor=t.mentor)
    login(t.rep)
    assert len(client.get("/api/v1/upgrading-enrolments/").json()["results"]) == 1
    assert len(client.get("/api/v1/training-needs/").json()["results"]) == 1
    assert client.get(f"/api/v1/upgrading-programmes/{p.pk}/").status_code == 404
    e = UpgradingEnrolment.objects.get()
    assert post(client, f"/api/v1/upgrading-enrolments/{e.pk}/drop/", {}).status_code in (400, 403, 404)
    assert UpgradingEnrolment.objects.get().result == "enrolled"
