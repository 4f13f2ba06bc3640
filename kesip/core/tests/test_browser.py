"""End to end in a real Chromium (Debian's), driven by Playwright: log in, switch language, dashboard."""

import pytest

from kesip.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _kyrgyz_default(settings):
    settings.LANGUAGE_CODE = "ky"  # the product default, which the shared test setup switches to English


def test_login_switch_language_and_dashboard(live_server, page):
    from kesip.core import demo

    demo.load()
    page.goto(live_server.url + "/")
    # A visitor sees the login page in Kyrgyz, whatever the browser's language.
    assert page.locator("html").get_attribute("lang") == "ky"
    assert page.locator("h1").inner_text() == "Kesip системасына кирүү"
    page.click("#language-menu")
    page.click("button[value=ru]")
    assert page.locator("html").get_attribute("lang") == "ru"
    page.fill("#id_username", "pl8.admin")
    page.fill("#id_password", demo.DEMO_PASSWORD)
    page.click("form button[type=submit].btn-primary")
    page.wait_for_selector("#key-counts")
    assert page.locator("html").get_attribute("lang") == "ru"
    counts = page.locator("#key-counts").inner_text()
    assert "Обучающиеся\n13" in counts and "Сотрудники\n15" in counts
    nav = page.locator("#nav-items").inner_text()
    assert "Сотрудники" in nav and "Органы управления" not in nav  # an institution admin manages no authorities
    # Switch to Kazakh after login: it sticks for the user on the next visit.
    page.click("#language-menu")
    page.click("button[value=kk]")
    page.wait_for_selector("html[lang=kk]")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-kk.png"), full_page=True)
    page.goto(live_server.url + "/students/")
    assert page.locator("html").get_attribute("lang") == "kk"
    assert page.locator("tbody tr").count() == 13


def test_staff_form_error_is_shown_beside_the_field(live_server, page):
    from kesip.core import demo

    demo.load()
    page.goto(live_server.url + "/accounts/login/")
    page.click("#language-menu")
    page.click("button[value=en]")
    page.fill("#id_username", "pl8.admin")
    page.fill("#id_password", demo.DEMO_PASSWORD)
    page.click("form button[type=submit].btn-primary")
    page.wait_for_selector("#key-counts")
    page.goto(live_server.url + "/staff/add/")
    page.fill("#id_last_name", "Бообекова")
    page.fill("#id_first_name", "Бермет")
    page.fill("#id_national_id", "12345")
    page.fill("#id_position", "Мугалим")
    page.select_option("#id_category", "teacher")
    page.click("form button[type=submit].btn-primary")
    feedback = page.locator("#id_national_id ~ .invalid-feedback").inner_text()
    assert "exactly 14 digits" in feedback
    assert page.input_value("#id_last_name") == "Бообекова"  # what was typed is kept
