"""The agreements API: drafts, the roster, signatures, steps, amendments, what blocks signing; scoping and query budgets."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kesip.core.tests import factories as f
from kesip.wbl import agreements
from kesip.wbl.models import Agreement, AgreementAmendment, AgreementRosterEntry, AgreementSignature
from kesip.wbl.tests.test_agreement_views import TODAY, current
from kesip.wbl.tests.test_agreements import PDF, college, draft

pytestmark = pytest.mark.django_db

A = Agreement
P = AgreementSignature.Party
URL = "/api/v1/agreements/"


def body(t, **kwargs):
    values = {
        "kind": "wbl",
        "employer": t.employer.pk,
        "form": "practice",
        "starts_on": (TODAY - datetime.timedelta(days=10)).isoformat(),
        "ends_on": (TODAY + datetime.timedelta(days=300)).isoformat(),
        "places": 2,
        "theory_percent": 40,
        "practice_percent": 60,
        "agreed_programme": "Программа практики",
        "specialties": [t.specialty.pk],
    }
    values.update(kwargs)
    return values


def test_a_draft_is_created_changed_and_deleted(client, login):
    t = college()
    login(t.admin)
    created = client.post(URL, body(t), content_type="application/json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["status"] == "draft" and data["institution"] == t.institution.pk and data["specialties"] == [t.specialty.pk]
    assert data["party_count"] == 2 and data["roster_size"] == 0
    url = f"{URL}{data['id']}/"
    changed = client.patch(url, {"places": 3}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["places"] == 3
    assert client.delete(url).status_code == 204 and not A.objects.exists()


def test_bad_input_is_refused_beside_its_field_and_nothing_is_saved(client, login):
    t = college()
    login(t.admin)
    response = client.post(URL, body(t, practice_percent=59), content_type="application/json")
    assert response.status_code == 400 and "practice_percent" in response.json()
    response = client.post(URL, body(t, ends_on="2020-01-01"), content_type="application/json")
    assert response.status_code == 400
    other = college()
    response = client.post(URL, body(t, employer=other.employer.pk), content_type="application/json")
    assert response.status_code == 400 and "employer" in response.json()
    response = client.post(URL, body(t, form="flying"), content_type="application/json")
    assert response.status_code == 400 and "form" in response.json()
    assert not A.objects.exists()


def test_the_roster_is_replaced_added_to_and_refused_past_the_places(client, login):
    t = college(students=3)
    agreement = draft(t, places=2)
    login(t.admin)
    url = f"{URL}{agreement.pk}/roster/"
    assert client.put(url, {"students": [t.students[0].pk]}, content_type="application/json").status_code == 200
    added = client.post(url, {"students": [t.students[1].pk]}, content_type="application/json")
    assert added.status_code == 200 and len(added.json()) == 2
    refused = client.post(url, {"students": [t.students[2].pk]}, content_type="application/json")
    assert refused.status_code == 400
    answer = refused.json()
    assert answer["code"] == "wbl.agreement.roster_within_places" and "п. 57" in answer["source"]
    assert answer["violations"][0]["field"] == "roster"
    assert client.get(url).json()[0]["student"] in {t.students[0].pk, t.students[1].pk}
    assert AgreementRosterEntry.objects.filter(agreement=agreement).count() == 2
    stranger = f.StudentFactory()
    assert client.put(url, {"students": [stranger.pk]}, content_type="application/json").status_code == 400


def test_signing_with_a_scan_and_the_steps(client, login):
    t = college()
    agreement = draft(t, starts_on=TODAY - datetime.timedelta(days=10), ends_on=TODAY + datetime.timedelta(days=100))
    login(t.admin)
    checks = client.get(f"{URL}{agreement.pk}/violations/").json()
    assert checks["violations"] == [] and "negotiate" in checks["steps"]
    step = client.post(f"{URL}{agreement.pk}/step/", {"name": "negotiate"}, content_type="application/json")
    assert step.status_code == 200 and step.json()["agreement"]["status"] == "negotiation"
    again = client.post(f"{URL}{agreement.pk}/step/", {"name": "negotiate"}, content_type="application/json")
    assert again.status_code == 400 and again.json()["code"] == "wbl.agreement.status"
    first = client.post(f"{URL}{agreement.pk}/sign/", {"party": "institution", "signatory": "Директор",
                        "signed_on": TODAY.isoformat()}, content_type="application/json")  # fmt: skip
    assert first.status_code == 200 and first.json()["agreement"]["status"] == "negotiation"
    missing = client.post(f"{URL}{agreement.pk}/sign/", {"party": "employer", "signatory": "Б.",
                          "signed_on": TODAY.isoformat()}, content_type="application/json")  # fmt: skip
    assert missing.status_code == 400 and missing.json()["field"] == "scan"
    scan = SimpleUploadedFile("signed.pdf", PDF, "application/pdf")
    last = client.post(f"{URL}{agreement.pk}/sign/", {"party": "employer", "signatory": "Директор Б.",
                       "signed_on": TODAY.isoformat(), "scan": scan})  # fmt: skip
    assert last.status_code == 200, last.json()
    assert last.json()["agreement"]["status"] == "active" and last.json()["agreement"]["has_signed_copy"]
    patch = client.patch(f"{URL}{agreement.pk}/", {"places": 9}, content_type="application/json")
    assert patch.status_code == 400 and A.objects.get(pk=agreement.pk).places == 3
    bad = client.post(f"{URL}{agreement.pk}/step/", {"name": "terminate", "on": TODAY.isoformat()},
                      content_type="application/json")  # fmt: skip
    assert bad.status_code == 400 and bad.json()["field"] == "reason"
    end = client.post(f"{URL}{agreement.pk}/step/", {"name": "terminate", "on": TODAY.isoformat(), "reason": "Закрытие"},
                      content_type="application/json")  # fmt: skip
    assert end.status_code == 200 and end.json()["agreement"]["status"] == "terminated"
    assert client.post(f"{URL}{agreement.pk}/step/", {"name": "fly"}, content_type="application/json").status_code == 400


def test_amendments_through_the_api(client, login):
    t = college(students=2)
    agreement = current(t, places=2)
    login(t.admin)
    url = f"{URL}{agreement.pk}/amend/"
    payload = {"signed_on": TODAY.isoformat(), "effective_from": TODAY.isoformat(), "text": "Мест три",
               "changes": {"places": 3, "roster": [s.pk for s in t.students]}}  # fmt: skip
    created = client.post(url, payload, content_type="application/json")
    assert created.status_code == 201, created.json()
    assert created.json()["number"] == 1 and created.json()["changes"]["places"] == [2, 3]
    refused = client.post(url, {**payload, "changes": {"places": 1}}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "wbl.agreement.roster_within_places"
    listing = client.get("/api/v1/agreement-amendments/", {"agreement": agreement.pk}).json()["results"]
    assert [a["number"] for a in listing] == [1]
    assert AgreementAmendment.objects.count() == 1 and A.objects.get(pk=agreement.pk).places == 3


def test_the_employers_representative_reads_and_signs_its_own_only(client, login):
    t = college()
    mine = draft(t, starts_on=TODAY, ends_on=TODAY + datetime.timedelta(days=100))
    agreements.to_negotiation(mine, t.admin)
    theirs = draft(t, employer=f.EmployerFactory(institution=t.institution))
    agreements.to_negotiation(theirs, t.admin)
    login(t.rep)
    assert [a["id"] for a in client.get(URL).json()["results"]] == [mine.pk]
    assert client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert client.post(f"{URL}{theirs.pk}/sign/", {"party": "employer", "signatory": "X", "signed_on": TODAY.isoformat()},
                       content_type="application/json").status_code == 404  # fmt: skip
    created = client.post(URL, body(t), content_type="application/json")
    assert created.status_code == 400 and created.json()["code"] == "wbl.agreement.forms_by_institution"
    form = client.patch(f"{URL}{mine.pk}/", {"form": "dual"}, content_type="application/json")
    assert form.status_code == 400 and form.json()["code"] == "wbl.agreement.forms_by_institution"
    wrong = client.post(f"{URL}{mine.pk}/sign/", {"party": "institution", "signatory": "X", "signed_on": TODAY.isoformat()},
                        content_type="application/json")  # fmt: skip
    assert wrong.status_code == 400 and wrong.json()["code"] == "wbl.permission"
    ok = client.post(f"{URL}{mine.pk}/sign/", {"party": "employer", "signatory": "Директор", "signed_on": TODAY.isoformat()},
                     content_type="application/json")  # fmt: skip
    assert ok.status_code == 200 and ok.json()["signature"]["user"] == t.rep.pk
    signatures = client.get("/api/v1/agreement-signatures/").json()["results"]
    assert {s["agreement"] for s in signatures} == {mine.pk}
    assert client.get(f"{URL}{mine.pk}/violations/").json()["steps"] == ["edit"]


def test_read_only_lists_are_scoped_to_the_institution(client, login):
    t, other = college(), college()
    mine, theirs = draft(t), draft(other)
    agreements.set_roster(mine, t.students[:1], t.admin)
    agreements.set_roster(theirs, other.students[:1], other.admin)
    login(t.admin)
    roster = client.get("/api/v1/agreement-roster/").json()["results"]
    assert [r["agreement"] for r in roster] == [mine.pk] and roster[0]["student_name"] == str(t.students[0])
    assert client.get(f"{URL}{theirs.pk}/violations/").status_code == 404
    assert client.put(f"{URL}{theirs.pk}/roster/", {"students": []}, content_type="application/json").status_code == 404
    assert client.post("/api/v1/agreement-roster/", {}, content_type="application/json").status_code == 405


@pytest.mark.parametrize("count", [2, 20])
def test_the_api_list_reads_a_fixed_number_of_queries(client, login, django_assert_max_num_queries, count):
    t = college()
    for i in range(count):
        agreement = draft(t, number=f"A-{i}", specialties=[t.specialty])
        agreements.set_roster(agreement, t.students[:1], t.admin)
    login(t.admin)
    with django_assert_max_num_queries(7):
        response = client.get(URL, {"limit": 50})
    assert response.status_code == 200 and len(response.json()["results"]) == count
    assert all(row["roster_size"] == 1 for row in response.json()["results"])
