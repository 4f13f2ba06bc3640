"""The annual report through the API: open, texts, steps, live indicators, the employers' answers, the
consolidated figures; the same rules as the pages (400 with code, message, source, field), the same scoping."""

import datetime

import pytest

from kesip.core.roles import Role
from kesip.core.tests import factories as f
from kesip.wbl import reports
from kesip.wbl.models import AnnualReport, ReportAgreement
from kesip.wbl.tests.test_reports import YEAR, agreement_of, college, opened, sent

pytestmark = pytest.mark.django_db
D = datetime.date
API = "/api/v1/annual-reports/"


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


def test_a_report_goes_through_its_whole_life_by_the_api(client, login, monkeypatch):
    t = college()
    login(t.admin)
    monkeypatch.setattr(reports, "today_", lambda: D(2025, 8, 31))
    early = post(client, f"{API}open/", {"institution": t.institution.pk, "academic_year": YEAR})
    assert early.status_code == 400 and early.json()["code"] == "wbl.report.annual.period"
    assert "п. 56, item 12" in early.json()["source"] and early.json()["field"] == "academic_year"
    monkeypatch.setattr(reports, "today_", lambda: D(2025, 9, 1))
    created = post(client, f"{API}open/", {"institution": t.institution.pk})
    assert created.status_code == 201
    body = created.json()
    assert (body["academic_year"], body["status"], body["steps"], body["indicators"]) == (2024, "draft", ["edit"], {})
    url = f"{API}{body['id']}/"
    refused = post(client, f"{url}step/", {"step": "send"})
    assert refused.status_code == 400 and refused.json()["violations"][0]["code"] == "wbl.report.recommendations"
    texts = patch(client, url, {"summary": "Жакшы", "recommendations": "Насаатчылар"})
    assert (
        texts.status_code == 200
        and texts.json()["recommendations"] == "Насаатчылар"
        and texts.json()["steps"] == ["edit", "send"]
    )
    assert patch(client, url, {"problems": "Кечигүү"}).json()["summary"] == "Жакшы"  # what is not sent stays
    done = post(client, f"{url}step/", {"step": "send"})
    assert done.status_code == 200 and done.json()["status"] == "sent"
    assert {a["employer"] for a in done.json()["agreements"]} == {t.e1.pk, t.e2.pk}
    late = patch(client, url, {"summary": "X"})
    assert late.status_code == 400 and late.json()["code"] == "wbl.annualreport.status"
    pending = post(client, f"{url}step/", {"step": "finalise"})
    assert pending.status_code == 400 and len(pending.json()["violations"]) == 2
    for a in ReportAgreement.objects.filter(report_id=body["id"]):
        answered = post(client, f"/api/v1/report-agreements/{a.pk}/answer/", {"status": "agreed", "agreed_by": "Башчы"})
        assert answered.status_code == 200 and answered.json()["status"] == "agreed"
    final = post(client, f"{url}step/", {"step": "finalise"})
    assert final.status_code == 200 and final.json()["indicators"]["learners"]["total"] == 3
    assert final.json()["indicators"]["frozen_on"] == "2025-09-01"
    assert post(client, f"{url}step/", {"step": "publish"}).json()["status"] == "published"
    assert post(client, f"{url}step/", {"step": "reopen"}).status_code == 400
    assert post(client, f"{url}step/", {"step": "approve"}).status_code == 400
    assert client.put(url, {}, content_type="application/json").status_code == 405
    assert client.delete(url).status_code == 405
    assert post(client, API, {"institution": t.institution.pk, "academic_year": 2023}).status_code == 405


def test_live_indicators_of_a_year_for_one_institution_or_all(client, login):
    t = college()
    login(t.admin)
    body = client.get(f"{API}indicators/", {"year": YEAR}).json()
    assert body["academic_year"] == 2024 and body["institutions"] == [t.institution.pk]
    assert body["indicators"]["learners"]["by_form"]["apprenticeship"] == 2
    assert client.get(f"{API}indicators/", {"year": YEAR, "institution": t.institution.pk}).status_code == 200
    assert client.get(f"{API}indicators/", {"year": YEAR, "institution": college().institution.pk}).status_code == 404
    assert client.get(f"{API}indicators/", {"year": "next"}).status_code == 400
    assert client.get(f"{API}indicators/", {"year": 1900}).status_code == 400


def test_the_consolidated_figures_are_those_of_the_authoritys_institutions(client, login):
    ministry = f.AuthorityFactory(jurisdiction="KG")
    one, two, elsewhere = college(authority=ministry), college(authority=ministry), college()
    report = opened(one)
    login(f.member(Role.AUTHORITY_ANALYST, authority=ministry))
    body = client.get(f"{API}consolidated/", {"year": YEAR}).json()
    rows = {r["institution"]: r for r in body["rows"]}
    assert set(rows) == {one.institution.pk, two.institution.pk} and elsewhere.institution.pk not in rows
    assert rows[one.institution.pk]["report"] == report.pk and rows[one.institution.pk]["report_status"] == "draft"
    assert rows[two.institution.pk]["report"] is None
    assert body["total"]["learners"]["total"] == 6 and rows[one.institution.pk]["indicators"]["learners"]["total"] == 3
    ids = {r["id"] for r in client.get(API).json()["results"]}
    assert ids == {report.pk}
    assert patch(client, f"{API}{report.pk}/", {"summary": "X"}).status_code == 403
    login(one.rep1)
    assert client.get(f"{API}consolidated/").status_code == 403
    assert client.get(f"{API}indicators/").status_code == 403


def test_employer_representatives_read_and_answer_for_their_own_employer_only(client, login):
    t = college()
    report = sent(t)
    mine, theirs = agreement_of(report, t.e1), agreement_of(report, t.e2)
    other = opened(college(), recommendations="R")  # another institution's report: never seen
    login(t.rep1)
    assert {r["id"] for r in client.get(API).json()["results"]} == {report.pk}
    assert client.get(f"{API}{other.pk}/").status_code == 404
    listed = client.get("/api/v1/report-agreements/").json()["results"]
    assert [a["id"] for a in listed] == [mine.pk] and listed[0]["employer_name"] == t.e1.name
    assert post(client, f"/api/v1/report-agreements/{theirs.pk}/answer/", {"status": "agreed"}).status_code == 404
    missing = post(client, f"/api/v1/report-agreements/{mine.pk}/answer/", {"status": "remarks"})
    assert missing.status_code == 400 and missing.json()["field"] == "remarks"
    bad = post(client, f"/api/v1/report-agreements/{mine.pk}/answer/", {"status": "pending"})
    assert bad.status_code == 400 and "status" in bad.json()
    ok = post(client, f"/api/v1/report-agreements/{mine.pk}/answer/", {"status": "remarks", "remarks": "Сандар"})
    assert ok.status_code == 200 and ok.json()["agreed_by"] == t.rep1.display_name()
    # The representative answers, but does not change the institution's report.
    assert patch(client, f"{API}{report.pk}/", {"summary": "X"}).status_code == 404
    assert post(client, f"{API}{report.pk}/step/", {"step": "reopen"}).status_code == 404
    assert post(client, f"{API}open/", {"institution": t.institution.pk}).status_code == 400
    login(t.mentor_user)
    assert post(client, f"/api/v1/report-agreements/{mine.pk}/answer/", {"status": "agreed"}).status_code == 403
    theirs.refresh_from_db()
    assert theirs.status == "pending"


def test_another_institutions_report_is_not_found(client, login):
    t = college()
    report = sent(t)
    login(college().admin)
    assert client.get(f"{API}{report.pk}/").status_code == 404
    assert patch(client, f"{API}{report.pk}/", {"summary": "X"}).status_code == 404
    assert post(client, f"{API}{report.pk}/step/", {"step": "reopen"}).status_code == 404
    a = agreement_of(report, t.e1)
    assert post(client, f"/api/v1/report-agreements/{a.pk}/answer/", {"status": "agreed", "agreed_by": "X"}).status_code == 404
    refused = post(client, f"{API}open/", {"institution": t.institution.pk})
    assert refused.status_code == 400 and "institution" in refused.json()
    assert AnnualReport.objects.count() == 1 and AnnualReport.objects.get().status == "sent"


def test_the_list_answers_in_a_fixed_number_of_queries(client, login, django_assert_max_num_queries):
    t = college()
    login(t.admin)

    def make(years):
        for year in years:
            report = AnnualReport.objects.create(institution=t.institution, academic_year=year)
            for employer in (t.e1, t.e2):
                ReportAgreement.objects.create(institution=t.institution, report=report, employer=employer)

    make(range(2000, 2002))
    with django_assert_max_num_queries(10) as few:
        assert client.get(API).status_code == 200
    make(range(2002, 2020))
    with django_assert_max_num_queries(10) as many:
        assert client.get(API).json()["count"] == 20
    assert len(few.captured_queries) == len(many.captured_queries)
