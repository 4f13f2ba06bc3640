"""End to end in Chromium: the coordinator records a mentor and a workplace, finds its free places, and the
employer's representative reads the page on a phone."""

import pytest

from kesip.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Kesip-test-2026"


def _login(page, live_server, user):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit].btn-primary")
    page.wait_for_load_state()


def test_record_a_mentor_and_a_workplace_then_find_its_free_places(live_server, page, browser):
    from kesip.wbl.models import EmployerPerson, Workplace
    from kesip.wbl.tests.test_employers import site

    t = site()
    _login(page, live_server, t.coordinator)
    page.goto(f"{live_server.url}/wbl/employers/{t.employer.pk}/")
    assert page.locator("#warning-wbl\\.mentor\\.coordinators_per_employer").is_visible()

    # The authorised representative silences VR-56.
    page.click("text=Add an employee")
    page.fill("#id_last_name", "Өкүлова")
    page.fill("#id_first_name", "Гүлнара")
    page.fill("#id_position", "Кадрлар бөлүмүнүн башчысы")
    page.check("#id_is_representative")
    page.click("#person-form button[type=submit]")
    page.wait_for_selector("#representative")
    assert "Өкүлова Гүлнара" in page.inner_text("#representative")
    assert page.locator("#warning-wbl\\.mentor\\.coordinators_per_employer").count() == 0

    # A workplace with a reversed period is refused beside the field, then saved.
    page.click("text=Add a workplace")
    page.fill("#id_title", "Токардык цех")
    page.fill("#id_places", "2")
    page.fill("#id_available_from", "2025-12-31")
    page.fill("#id_available_to", "2025-09-01")
    page.click("#workplace-form button[type=submit]")
    assert "cannot end before it starts" in page.inner_text("#workplace-form")
    page.fill("#id_available_from", "2025-09-01")
    page.fill("#id_available_to", "2025-12-31")
    page.click("#workplace-form button[type=submit]")
    page.wait_for_selector("#workplaces")
    added = Workplace.objects.get(title="Токардык цех")
    assert page.inner_text(f"#workplace-{added.pk} .places-free") == "2"
    page.screenshot(path=str(ARTIFACTS / "wbl-employer.png"), full_page=True)

    # The capacity list for the autumn shows the new workplace with its two free places.
    page.click("text=Find free places")
    page.fill("#f-from", "2025-10-01")
    page.fill("#f-to", "2025-10-31")
    page.check("#f-free")
    page.click("#list-filters button[type=submit]")
    page.wait_for_selector(f"#workplace-{added.pk}")
    assert page.inner_text(f"#workplace-{added.pk} .places-free") == "2"
    assert page.locator(f"#workplace-{t.workplace.pk}").count() == 0  # March only

    # The representative reads and changes the page on a phone; the rows stay readable at 390 px.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US").new_page()
    _login(phone, live_server, t.rep_user)
    phone.goto(f"{live_server.url}/wbl/employers/{t.employer.pk}/")
    assert phone.locator(f"#person-{t.mentor.pk} a").first.is_visible()
    assert phone.locator("text=Add a mentor").is_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width
    phone.screenshot(path=str(ARTIFACTS / "wbl-employer-phone.png"), full_page=True)
    assert EmployerPerson.objects.filter(employer=t.employer, is_representative=True).count() == 1
