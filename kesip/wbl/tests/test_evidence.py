"""F35: the QA / accreditation evidence ZIP of an institution and a year (п. 60), as a coordinator and an expert get it."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse

from kesip.core.roles import Role
from kesip.core.tests import factories as f
from kesip.wbl.models import PracticeType, WblForm, WblProgramme
from kesip.wbl.tests.test_reports import YEAR, college, sent

pytestmark = pytest.mark.django_db


def url(institution):
    return reverse("wbl:evidence_export", args=[institution.pk]) + f"?year={YEAR}&lang=en"


def _rows(z, name):
    return list(csv.reader(io.StringIO(z.read(name).decode("utf-8-sig"))))


def _world(authority=None):
    t = college(authority=authority)
    WblProgramme.objects.create(
        institution=t.institution, programme=t.programme1, form="practice", co_developer=t.e1, academic_year=YEAR,
        status="approved",
    )  # fmt: skip
    WblProgramme.objects.create(  # a draft is no evidence
        institution=t.institution, programme=t.programme2, form="dual", co_developer=t.e2, academic_year=YEAR
    )
    return t


def test_the_coordinator_downloads_one_zip_with_the_evidence_of_the_year(client, login):
    t = _world()
    login(t.head_of_practice)
    response = client.get(url(t.institution))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="wbl-evidence-{t.institution.pk}-{YEAR}-{YEAR + 1}.zip"'
    z = zipfile.ZipFile(io.BytesIO(response.content))
    # p1 is the year's only closed placement: its diary is the sample; no report opened yet, so no report PDF.
    assert sorted(z.namelist()) == sorted(["programmes.csv", "placements.csv", "assessments.csv", f"diaries/diary-{t.p1.pk}.pdf"])
    assert z.read(f"diaries/diary-{t.p1.pk}.pdf").startswith(b"%PDF")
    programmes = _rows(z, "programmes.csv")
    assert len(programmes) == 2 and programmes[1][2] == t.programme1.specialty.code
    assert programmes[1][5] == str(WblForm("practice").label) and programmes[1][6] == "Approved by the institution"
    form, kind = (lambda code: str(WblForm(code).label)), (lambda code: str(PracticeType(code).label))
    # In the year, not cancelled: p2 and p3 apprenticeships, p4 dual, p1 production practice (p5 is cancelled).
    assert _rows(z, "placements.csv")[1:] == [
        [form("apprenticeship"), "", "2", "2"],
        [form("dual"), "", "1", "1"],
        [form("practice"), kind("production"), "1", "1"],
    ]
    assessments = _rows(z, "assessments.csv")
    assert [(r[0], r[5]) for r in assessments[1:]] == [("2024-09-30", "5"), ("2025-04-01", "2")]


def test_another_institution_and_a_teacher_get_404_an_expert_of_the_authority_gets_it(client, login):
    authority = f.AuthorityFactory()
    t = _world(authority=authority)
    other = college()
    login(other.head_of_practice)
    assert client.get(url(t.institution)).status_code == 404
    login(f.member(Role.TEACHER, institution=t.institution))
    assert client.get(url(t.institution)).status_code == 404
    login(f.member(Role.ACCREDITATION_EXPERT, authority=f.AuthorityFactory()))  # another authority
    assert client.get(url(t.institution)).status_code == 404
    assert client.get(reverse("wbl:evidence_export", args=[t.institution.pk]) + "?year=abc").status_code == 404
    expert = f.member(Role.ACCREDITATION_EXPERT, authority=authority)
    login(expert)
    api = client.get(f"/api/v1/wbl-evidence/{t.institution.pk}/?year={YEAR}&lang=ru")
    assert api.status_code == 200 and zipfile.ZipFile(io.BytesIO(api.content)).testzip() is None
    assert client.get(f"/api/v1/wbl-evidence/{other.institution.pk}/?year={YEAR}").status_code == 404


def test_the_annual_report_is_in_the_zip_when_there_is_one_and_the_page_links_it(client, login):
    t = _world()
    report = sent(t)
    login(t.admin)
    page = client.get(reverse("wbl:report_detail", args=[report.pk])).content.decode()
    assert reverse("wbl:evidence_export", args=[t.institution.pk]) + f"?year={YEAR}" in page
    z = zipfile.ZipFile(io.BytesIO(client.get(url(t.institution)).content))
    assert z.read("annual-report.pdf").startswith(b"%PDF")


def test_the_api_lists_the_institutions_whose_evidence_the_user_may_export(client, login):
    t = college()
    login(t.head_of_practice)
    rows = client.get("/api/v1/wbl-evidence/").json()["results"]
    assert [r["id"] for r in rows] == [t.institution.pk]
    client.logout()
    assert client.get("/api/v1/wbl-evidence/").status_code in (401, 403)


def test_the_programmes_of_the_evidence_take_the_same_queries_however_many_there_are():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kesip.wbl import evidence, programme_rules

    t = _world()
    with CaptureQueriesContext(connection) as one:
        rows = evidence.programme_rows(t.institution, YEAR)
    assert rows[0][-1] == programme_rules.wbl_percent(WblProgramme.objects.get(programme=t.programme1))["percent"]
    for _ in range(4):
        WblProgramme.objects.create(
            institution=t.institution, programme=f.ProgrammeFactory(institution=t.institution), form="practice",
            academic_year=YEAR, status="approved",
        )  # fmt: skip
    with CaptureQueriesContext(connection) as five:
        assert len(evidence.programme_rows(t.institution, YEAR)) == 5
    assert len(five.captured_queries) == len(one.captured_queries)
