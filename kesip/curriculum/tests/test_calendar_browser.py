"""End to end in Chromium: from the group to its calendar schedule, break a rule, see it, mend it, approve; on a phone too."""

import pytest

from kesip.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_group_calendar_reopen_break_mend_and_approve(live_server, page, browser):
    from kesip.core import demo
    from kesip.core.models import StudyGroup, User
    from kesip.curriculum import demo as curriculum_demo

    demo.load()
    curriculum_demo.load()
    User.objects.filter(username="pl8.admin").update(language="en")
    group = StudyGroup.objects.get(name="ЭГС-23")
    schedule = group.calendars.get(academic_year=2024)

    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "pl8.admin")
    page.fill("#id_password", demo.DEMO_PASSWORD)
    page.click("form button[type=submit].btn-primary")
    page.wait_for_selector("#key-counts")

    # From the group's page to its schedules, and to the approved 2024–2025 schedule.
    page.goto(live_server.url + f"/groups/{group.pk}/edit/")
    page.click(f"a[href='/curriculum/groups/{group.pk}/calendars/']")
    page.click(f"a[href='/curriculum/calendars/{schedule.pk}/']")
    page.wait_for_selector("#no-violations")
    assert page.inner_text("#calendar-status") == "Approved"
    assert page.locator("#strip td[data-kind='practice']").count() >= 11
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "calendar.png"), full_page=True)

    # Reopen, add a period that overlaps the production practice: the rule shows with nothing approved.
    page.click("button[value=reopen]")
    page.wait_for_selector("#add-period")
    page.select_option("#id_kind", "theory")
    page.fill("#id_starts_on", "2025-03-03")
    page.fill("#id_ends_on", "2025-03-08")
    page.click("#add-period button[type=submit]")
    page.wait_for_selector("#violations li[data-code='curriculum.calendar.overlap']")
    page.click("button[value=approve]")
    page.wait_for_selector(".alert-danger")
    assert "cannot be approved" in page.inner_text(".alert-danger")
    assert page.inner_text("#calendar-status") == "Draft"

    # Mend it and approve.
    row = page.locator("#period-table tr", has_text="03.03.2025")
    row.locator("a[title=Delete]").click()
    page.click("form button.btn-danger")
    page.wait_for_selector("#no-violations")
    page.click("button[value=approve]")
    page.wait_for_selector("#calendar-status:text('Approved')")

    # On a phone the year scrolls sideways inside its box; the page itself does not.
    phone = browser.new_context(viewport={"width": 375, "height": 740}, locale="en-US")
    try:
        mobile = phone.new_page()
        mobile.goto(live_server.url + "/accounts/login/")
        mobile.fill("#id_username", "pl8.admin")
        mobile.fill("#id_password", demo.DEMO_PASSWORD)
        mobile.click("form button[type=submit].btn-primary")
        mobile.wait_for_selector("#key-counts")
        mobile.goto(live_server.url + f"/curriculum/calendars/{schedule.pk}/")
        mobile.wait_for_selector("#strip")
        assert mobile.evaluate("document.documentElement.scrollWidth") <= 375
        mobile.screenshot(path=str(ARTIFACTS / "calendar-phone.png"), full_page=True)
    finally:
        phone.close()
