"""End to end in Chromium: the head of practical training opens the year's report, writes it and sends it; each host
employer's representative agrees it on a phone; the report is made final with its indicators frozen, and published."""

import pytest

from kesip.conftest import ARTIFACTS, browser_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_open_write_send_agree_finalise_and_publish_the_report(live_server, browser):
    from kesip.wbl.models import AnnualReport, ReportAgreement
    from kesip.wbl.tests.test_reports import college

    t = college()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    context, page = browser_session(browser, live_server, t.head_of_practice)
    page.goto(live_server.url + "/wbl/reports/")
    page.click("#open-report")
    page.fill("#id_academic_year", "2024")
    page.click("#report-open-form button[type=submit]")
    page.wait_for_selector("#report-status")
    assert "Draft" in page.inner_text("#report-status")
    assert page.locator("#section-learners .progress-bar").count() >= 4  # the charts
    page.click("text=Write the texts")
    page.fill("#id_summary", "Практика пландагыдай өттү.")
    page.fill("#id_recommendations", "Насаатчылардын санын көбөйтүү.")
    page.click("#report-texts-form button[type=submit]")
    page.click("#report-steps button[value=send]")
    page.wait_for_selector("#report-agreements .badge")
    assert page.locator("#report-agreements li").count() == 2
    report = AnnualReport.objects.get()
    assert report.status == "sent"
    context.close()

    for employer, rep in ((t.e1, t.rep1), (t.e2, t.rep2)):
        context, phone = browser_session(browser, live_server, rep, width=390)
        phone.goto(live_server.url + "/wbl/reports/")
        phone.click(f"text=Answer for {employer.name}")
        phone.check("input[name=status][value=agreed]")
        phone.fill("#id_agreed_by", f"{employer.name}, директор")
        phone.screenshot(path=str(ARTIFACTS / "report-answer-phone.png"), full_page=True)
        phone.click("#answer-form button[type=submit]")
        phone.wait_for_selector("#report-status")
        context.close()
    assert set(ReportAgreement.objects.values_list("status", flat=True)) == {"agreed"}

    context, page = browser_session(browser, live_server, t.admin)
    page.goto(live_server.url + report.get_absolute_url())
    page.click("#report-steps button[value=finalise]")
    page.wait_for_selector("#indicators-state")
    assert "As frozen" in page.inner_text("#indicators-state")
    page.click("#report-steps button[value=publish]")
    page.wait_for_selector("#report-status")
    assert "Published" in page.inner_text("#report-status")
    page.screenshot(path=str(ARTIFACTS / "report-published.png"), full_page=True)
    context.close()
    report.refresh_from_db()
    assert report.status == "published" and report.indicators["learners"]["total"] == 3
