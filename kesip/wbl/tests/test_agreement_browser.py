"""End to end in Chromium: conclude an agreement, compile its roster, send it, sign it (the employer on a phone), amend it."""

import datetime

import pytest

from kesip.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Kesip-test-2026"


def login(page, live_server, user):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_load_state()


def test_conclude_compile_the_roster_sign_and_amend(live_server, page, browser, tmp_path):
    from kesip.core.models import User
    from kesip.wbl.models import Agreement
    from kesip.wbl.tests.test_agreements import PDF, college

    t = college(students=3)
    User.objects.filter(pk__in=[t.admin.pk, t.rep.pk]).update(language="en")
    today = datetime.date.today()
    login(page, live_server, t.admin)

    page.goto(live_server.url + f"/wbl/agreements/add/?employer={t.employer.pk}")
    page.select_option("#id_form", "practice")
    page.select_option("#id_specialties", str(t.specialty.pk))
    page.fill("#id_starts_on", (today - datetime.timedelta(days=5)).isoformat())
    page.fill("#id_ends_on", (today + datetime.timedelta(days=180)).isoformat())
    page.fill("#id_places", "2")
    page.fill("#id_theory_percent", "40")
    page.fill("#id_practice_percent", "59")
    page.fill("#id_agreed_programme", "Программа производственной практики")
    page.click("#agreement-form button[type=submit]")
    assert "100" in page.locator("#agreement-form .invalid-feedback").first.inner_text()
    page.fill("#id_practice_percent", "60")
    page.click("#agreement-form button[type=submit]")
    page.wait_for_selector("#agreement-status")
    agreement = Agreement.objects.get()
    assert page.locator("#agreement-status").inner_text() == "Draft"

    # The roster: two places, three learners ticked — refused, nothing saved; two — saved.
    page.click("#agreement-steps >> text=Roster")
    page.check("#check-all")
    page.click("#roster-form button[type=submit]")
    assert "2 workplaces" in page.locator("#roster-errors").inner_text()
    assert agreement.roster.count() == 0
    page.uncheck(f"#student-{t.students[2].pk}")
    page.click("#roster-form button[type=submit]")
    page.wait_for_selector("#roster-table")
    assert page.locator("#roster-table tbody tr").count() == 2

    page.click("#agreement-steps button:has-text('Send for negotiation')")
    page.wait_for_selector("#agreement-status:has-text('Under negotiation')")
    page.click("#agreement-steps >> text=Record a signature")
    page.select_option("#id_party", "institution")
    page.fill("#id_signatory", "Директор Асанов А.")
    page.click("#sign-form button[type=submit]")
    page.wait_for_selector("#party-institution .bi-check-circle-fill")

    # The employer's representative signs on a phone, with the scan.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    mobile = phone.new_page()
    login(mobile, live_server, t.rep)
    mobile.goto(live_server.url + "/wbl/agreements/")
    mobile.click(f"#agreement-{agreement.pk} a >> nth=0")
    mobile.click("#agreement-steps >> text=Record a signature")
    assert mobile.locator("#id_party option").all_inner_texts() == ["Employer"]
    mobile.fill("#id_signatory", "Директор Токтосунов Б.")
    scan = tmp_path / "signed.pdf"
    scan.write_bytes(PDF)
    mobile.set_input_files("#id_scan", str(scan))
    mobile.click("#sign-form button[type=submit]")
    mobile.wait_for_selector("#agreement-status:has-text('Active')")
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    mobile.screenshot(path=str(ARTIFACTS / "agreement-signed-phone-en.png"), full_page=True)
    phone.close()

    # An amendment: three places; the page shows old → new.
    page.goto(live_server.url + agreement.get_absolute_url())
    page.click("#agreement-steps >> text=Amendment")
    page.fill("#id_text", "Рабочих мест — три")
    page.fill("#id_places", "3")
    page.click("#step-form button[type=submit]")
    page.wait_for_selector("#amendment-1")
    assert "→" in page.locator("#amendment-1").inner_text()
    page.screenshot(path=str(ARTIFACTS / "agreement-detail-en.png"), full_page=True)
    agreement.refresh_from_db()
    assert agreement.status == "active" and agreement.places == 3 and agreement.amendments.get().changes == {"places": [2, 3]}
