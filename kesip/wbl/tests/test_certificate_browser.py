"""End to end in Chromium: agree an internship's programme, record its outcome, issue the certificate, and check it
on the public verification page on a 390 px phone."""

import datetime

import pytest

from kesip.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, user):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "Kesip-test-2026")
    page.click("form button[type=submit].btn-primary")
    page.wait_for_load_state()


def test_agree_record_the_outcome_issue_and_verify_on_a_phone(live_server, page, browser):
    from kesip.core.models import User
    from kesip.wbl.models import Certificate, Placement
    from kesip.wbl.tests.test_internships import college, internship

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    t = college()
    User.objects.filter(pk=t.admin.pk).update(language="en")
    p = internship(t, starts_on=datetime.date(2025, 6, 2), ends_on=datetime.date(2025, 6, 13))
    _login(page, live_server, t.admin)

    page.goto(f"{live_server.url}/wbl/internships/{p.pk}/")
    page.fill("#agree-form input[name=agreed_on]", "2025-05-20")
    page.fill("#agree-form input[name=agreed_by]", "Башчы Б., директор")
    page.click("#agree-form button[type=submit]")
    page.wait_for_selector("#programme-agreed .bi-check2-circle")
    assert "Башчы Б., директор" in page.inner_text("#programme-agreed")

    Placement.objects.filter(pk=p.pk).update(status="completed")  # referred, admitted, briefed, reviewed elsewhere
    page.reload()
    page.select_option("#outcome-form select[name=outcome]", "successful")
    page.click("#outcome-form button[type=submit]")
    page.wait_for_selector("#certify-form")
    page.fill("#certify-form input[name=issued_on]", "2025-06-14")
    page.select_option("#certify-form select[name=letterhead]", "institution")
    page.select_option("#certify-form select[name=language]", "en")
    page.click("#certify-form button[type=submit]")
    page.wait_for_selector("#certificate-number")
    certificate = Certificate.objects.get()
    assert certificate.number in page.inner_text("#certificate-number")
    assert page.inner_text("#internship-status") == "Closed"
    page.screenshot(path=str(ARTIFACTS / "wbl-internship-certificate.png"), full_page=True)

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    visitor = phone.new_page()
    visitor.goto(f"{live_server.url}/wbl/certificates/verify/{certificate.token}/")
    assert "genuine" in visitor.inner_text("#verdict")
    assert visitor.evaluate("document.documentElement.scrollWidth") <= 390
    visitor.screenshot(path=str(ARTIFACTS / "wbl-certificate-verify-phone.png"), full_page=True)
    phone.close()
