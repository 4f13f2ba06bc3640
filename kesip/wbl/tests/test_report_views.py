"""The report's pages as the head of practical training, an employer's representative and a ministry analyst meet
them: the list by year, opening a report, the indicators with their charts, the texts, the steps, the answers,
the official document in ky and ru, and the consolidated view across institutions."""

import datetime
import io

import pytest
from django.urls import reverse

from kesip.core.roles import Role
from kesip.core.tests import factories as f
from kesip.wbl import reports
from kesip.wbl.models import AnnualReport, Placement, ReportAgreement
from kesip.wbl.tests.test_reports import AFTER, YEAR, agreement_of, college, opened, sent

pytestmark = pytest.mark.django_db
D = datetime.date


def url(name, *args):
    return reverse(f"wbl:{name}", args=args)


def test_the_list_shows_the_institutions_reports_by_year(client, login):
    t = college()
    other = college()
    mine = opened(t, recommendations="Сунуш")
    theirs = opened(other)
    login(t.head_of_practice)
    page = client.get(url("report_list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'id="report-{mine.pk}"' in html and f'id="report-{theirs.pk}"' not in html
    assert 'id="open-report"' in html
    assert client.get(url("report_list"), {"status": "sent"}).context["reports"] == []


def test_the_list_answers_in_a_fixed_number_of_queries(client, login, django_assert_max_num_queries):
    t = college()
    login(t.admin)

    def reports_for(years):
        for year in years:
            AnnualReport.objects.create(institution=t.institution, academic_year=year, recommendations="R")
            report = AnnualReport.objects.get(institution=t.institution, academic_year=year)
            for employer in (t.e1, t.e2):
                ReportAgreement.objects.create(institution=t.institution, report=report, employer=employer, status="agreed")

    reports_for(range(2000, 2002))
    with django_assert_max_num_queries(12) as few:
        assert client.get(url("report_list")).status_code == 200
    reports_for(range(2002, 2020))
    with django_assert_max_num_queries(12) as many:
        assert len(client.get(url("report_list")).context["reports"]) == 20
    assert len(many.captured_queries) == len(few.captured_queries)


def test_opening_refuses_the_year_not_ended_beside_the_field_and_opens_the_past_one(client, login, monkeypatch):
    t = college()
    login(t.admin)
    monkeypatch.setattr(reports, "today_", lambda: D(2025, 8, 31))
    page = client.get(url("report_open"))
    assert page.status_code == 200 and page.context["form"].initial["academic_year"] == 2023
    refused = client.post(url("report_open"), {"institution": t.institution.pk, "academic_year": 2024})
    assert refused.status_code == 400
    error = refused.context["form"].errors["academic_year"][0]
    assert "31.08.2025" in error and "п. 56, item 12" in error
    assert not AnnualReport.objects.exists()
    monkeypatch.setattr(reports, "today_", lambda: D(2025, 9, 1))
    done = client.post(url("report_open"), {"institution": t.institution.pk, "academic_year": 2024})
    report = AnnualReport.objects.get()
    assert done.status_code == 302 and done["Location"] == url("report_detail", report.pk)
    twice = client.post(url("report_open"), {"institution": t.institution.pk, "academic_year": 2024})
    assert twice.status_code == 400 and "already has a report" in twice.context["form"].errors["academic_year"][0]
    bad = client.post(url("report_open"), {"institution": t.institution.pk, "academic_year": "20x4"})
    assert bad.status_code == 400 and "academic_year" in bad.context["form"].errors
    foreign = client.post(url("report_open"), {"institution": college().institution.pk, "academic_year": 2024})
    assert foreign.status_code == 400 and "institution" in foreign.context["form"].errors


def test_employer_people_and_students_do_not_open_reports(client, login):
    t = college()
    login(t.rep1)
    assert client.get(url("report_open")).status_code == 403
    login(t.mentor_user)
    assert client.get(url("report_open")).status_code == 403


def test_the_report_page_shows_the_indicators_as_tables_and_charts(client, login):
    t = college()
    report = opened(t)
    login(t.head_of_practice)
    page = client.get(url("report_detail", report.pk))
    assert page.status_code == 200
    html = page.content.decode()
    for key in ("learners", "agreements", "workplaces", "share", "mentors", "diary", "briefings", "gender", "graduates"):
        assert f'id="section-{key}"' in html, key
    assert html.count('class="progress-bar"') >= 15  # forms, types, mentor load, diary, gender
    assert "Learners by form of WBL" in html and "Diary completion" in html and "Mentor load" in html
    assert t.programme1.specialty.code in html and ("66,7 %" in html or "66.7 %" in html)
    assert page.context["steps"] == {"edit"} and 'id="report-hint"' in html
    assert "<script" not in html.split("<main")[1].split("</main>")[0]  # the charts are plain HTML and CSS


def test_the_report_page_answers_in_a_fixed_number_of_queries(client, login, django_assert_max_num_queries):
    from kesip.wbl.tests.test_report_indicators import _grow

    small, large = college(), college()
    _grow(small, 2)
    _grow(large, 30)
    counts = []
    for t in (small, large):
        report = sent(t)
        login(t.admin)
        with django_assert_max_num_queries(44) as ctx:
            assert client.get(url("report_detail", report.pk)).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_texts_are_written_while_a_draft_and_the_steps_are_buttons(client, login):
    t = college()
    report = opened(t)
    login(t.head_of_practice)
    edit = client.get(url("report_edit", report.pk))
    assert edit.status_code == 200
    saved = client.post(
        url("report_edit", report.pk), {"summary": "Бардыгы жакшы", "problems": "Кечигүүлөр", "recommendations": "Сунуш"}
    )
    assert saved.status_code == 302
    report.refresh_from_db()
    assert (report.summary, report.recommendations) == ("Бардыгы жакшы", "Сунуш")
    page = client.get(url("report_detail", report.pk)).content.decode()
    assert url("report_step", report.pk, "send") in page and url("report_step", report.pk, "finalise") not in page
    assert client.get(url("report_step", report.pk, "send")).status_code == 405
    assert client.post(url("report_step", report.pk, "approve")).status_code == 404
    client.post(url("report_step", report.pk, "send"))
    report.refresh_from_db()
    assert report.status == "sent" and report.agreements.count() == 2
    assert client.get(url("report_edit", report.pk)).status_code == 302  # sent: reopen first
    refused = client.post(url("report_step", report.pk, "finalise"), follow=True)
    assert "This step is not open for the report now." in refused.content.decode()


def test_an_employer_representative_answers_for_their_employer_only(client, login):
    t = college()
    report = sent(t)
    mine, theirs = agreement_of(report, t.e1), agreement_of(report, t.e2)
    login(t.rep1)
    listing = client.get(url("report_list")).content.decode()
    assert url("reportagreement_answer", mine.pk) in listing and url("reportagreement_answer", theirs.pk) not in listing
    detail = client.get(url("report_detail", report.pk))
    assert detail.status_code == 200 and detail.context["steps"] == set() and detail.context["answerable"] == {mine.pk}
    assert client.get(url("reportagreement_answer", theirs.pk)).status_code == 404
    assert client.post(url("reportagreement_answer", theirs.pk), {"status": "agreed", "agreed_by": "X"}).status_code == 404
    page = client.get(url("reportagreement_answer", mine.pk))
    assert page.status_code == 200 and page.context["form"].initial["agreed_by"] == t.rep1.display_name()
    missing = client.post(url("reportagreement_answer", mine.pk), {"status": "remarks", "agreed_by": "Р. 1", "remarks": ""})
    assert missing.status_code == 400 and "remarks" in missing.context["form"].errors
    done = client.post(url("reportagreement_answer", mine.pk), {"status": "agreed", "agreed_by": "Р. 1, директор"})
    assert done.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, mine.agreed_by, theirs.status) == ("agreed", "Р. 1, директор", "pending")
    login(t.mentor_user)  # reads the report of its employer, answers nothing
    assert client.get(url("report_detail", report.pk)).status_code == 200
    assert client.get(url("reportagreement_answer", mine.pk)).status_code == 404


def test_through_the_pages_every_employer_agrees_and_the_final_report_shows_frozen_figures(client, login):
    t = college()
    report = sent(t)
    for employer, rep in ((t.e1, t.rep1), (t.e2, t.rep2)):
        login(rep)
        a = agreement_of(report, employer)
        assert client.post(url("reportagreement_answer", a.pk), {"status": "agreed", "agreed_by": "Р."}).status_code == 302
    login(t.admin)
    page = client.get(url("report_detail", report.pk))
    assert "finalise" in page.context["steps"]
    client.post(url("report_step", report.pk, "finalise"))
    report.refresh_from_db()
    assert report.status == "final" and report.indicators["learners"]["total"] == 3
    Placement.objects.filter(institution=t.institution).update(status="cancelled")  # the data change afterwards
    page = client.get(url("report_detail", report.pk))
    assert page.context["frozen"] and page.context["ind"]["learners"]["total"] == 3
    assert "As frozen when the report became final" in page.content.decode()
    client.post(url("report_step", report.pk, "publish"))
    report.refresh_from_db()
    assert report.status == "published"
    assert client.get(url("report_detail", report.pk)).context["steps"] == set()


def test_another_institutions_report_answers_404(client, login):
    t = college()
    report = sent(t)
    stranger = college().admin
    login(stranger)
    a = agreement_of(report, t.e1)
    for target in (
        url("report_detail", report.pk),
        url("report_edit", report.pk),
        url("report_document", report.pk),
        url("report_history", report.pk),
        url("reportagreement_answer", a.pk),
    ):
        assert client.get(target).status_code == 404, target
    assert client.post(url("report_step", report.pk, "reopen")).status_code == 404
    report.refresh_from_db()
    assert report.status == "sent"


def _docx_text(content):
    from docx import Document

    doc = Document(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_the_report_as_pdf_and_docx(client, login, lang):
    t = college()
    t.institution.full_name_ky, t.institution.full_name_ru, t.institution.head = "№5 кесиптик лицейи", "Лицей №5", "Асанов А."
    t.institution.save()
    report = sent(t)
    reports.answer(agreement_of(report, t.e1), "agreed", "Р. Биринчи", "", t.rep1, today=D(2025, 9, 3))
    login(t.admin)
    pdf = client.get(url("report_document", report.pk), {"format": "pdf", "lang": lang})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    docx = client.get(url("report_document", report.pk), {"format": "docx", "lang": lang})
    assert docx.status_code == 200 and docx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert docx["Content-Disposition"].endswith('wbl-report-2024.docx"')
    text = _docx_text(docx.content)
    assert ("№5 кесиптик лицейи" if lang == "ky" else "Лицей №5") in text
    assert "2024–2025" in text and "Насаатчыларды көбөйтүү" in text and "Кечигүүлөр" in text
    assert t.e1.name in text and t.e2.name in text and "Р. Биринчи" in text and "03.09.2025" in text
    assert "Асанов А." in text  # the head signs
    assert "66.7 %" in text or "66,7 %" in text  # the diary completion
    assert client.get(url("report_document", report.pk), {"format": "odt"}).status_code == 404


def test_the_analyst_sees_the_consolidated_figures_of_its_institutions_only(client, login, django_assert_max_num_queries):
    ministry = f.AuthorityFactory(jurisdiction="KG")
    region = f.AuthorityFactory(jurisdiction="KG", parent=ministry, kind="regional")
    one, two = college(authority=region), college(authority=ministry)
    elsewhere = college()  # under another authority
    AnnualReport.objects.create(institution=one.institution, academic_year=YEAR, status="final")
    analyst = f.member(Role.AUTHORITY_ANALYST, authority=ministry)
    login(analyst)
    # The indicators of every institution in one pass (32 queries, whatever their number) and the page's own.
    with django_assert_max_num_queries(44) as ctx:
        page = client.get(url("report_authority"), {"year": YEAR})
    assert page.status_code == 200
    shown = {row["institution"].pk for row in page.context["body"]}
    assert shown == {one.institution.pk, two.institution.pk} and elsewhere.institution.pk not in shown
    assert page.context["total"]["learners"]["total"] == 6 and page.context["total"]["institutions"] == 2
    html = page.content.decode()
    assert str(elsewhere.institution) not in html and 'id="totals"' in html and "Agreed and final" in html
    # More institutions, the same queries.
    for _ in range(3):
        college(authority=region)
    with django_assert_max_num_queries(44) as more:
        assert len(client.get(url("report_authority"), {"year": YEAR}).context["body"]) == 5
    assert len(more.captured_queries) == len(ctx.captured_queries)
    xlsx = client.get(url("report_authority"), {"year": YEAR, "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx["Content-Disposition"].endswith('wbl-consolidated-2024.xlsx"')
    from openpyxl import load_workbook

    cells = [c for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True) for c in row]
    assert "Total" in cells and str(elsewhere.institution.full_name) not in cells
    bad = client.get(url("report_authority"), {"year": "abc"})
    assert bad.status_code == 200 and bad.context["year"] == reports.past_academic_year()
    # The analyst reads the reports of its institutions, but changes nothing.
    assert client.get(url("report_list")).status_code == 200
    report = AnnualReport.objects.get(institution=one.institution)
    assert client.get(url("report_detail", report.pk)).context["steps"] == set()
    assert client.get(url("report_edit", report.pk)).status_code == 404
    login(f.member(Role.AUTHORITY_ANALYST, authority=f.AuthorityFactory(jurisdiction="KG")))
    assert client.get(url("report_detail", report.pk)).status_code == 404
    assert client.get(url("report_authority")).context["body"] == []


def test_employer_people_have_no_consolidated_view(client, login):
    t = college()
    login(t.rep1)
    assert client.get(url("report_authority")).status_code == 403
    login(t.admin)
    page = client.get(url("report_authority"))
    assert page.status_code == 200 and [r["institution"] for r in page.context["body"]] == [t.institution]


def test_history_of_the_report(client, login):
    t = college()
    report = sent(t)
    for employer, rep in ((t.e1, t.rep1), (t.e2, t.rep2)):
        reports.answer(agreement_of(report, employer), "agreed", "Р.", "", rep)
    reports.finalise(report, t.admin, today=AFTER)
    login(t.admin)
    page = client.get(url("report_history", report.pk))
    assert page.status_code == 200
    assert '"learners"' not in page.content.decode()  # the frozen JSON is not dumped into the page
