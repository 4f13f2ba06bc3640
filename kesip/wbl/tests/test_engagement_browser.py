"""End to end in Chromium on a phone: the mentor proposes a reward for their learner and asks to involve a specialist;
the employer's head approves both from the inbox; the specialist then shows on the placement's page."""

import pytest

from kesip.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, user):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "Kesip-test-2026")
    page.click("form button[type=submit].btn-primary")
    page.wait_for_load_state()


def test_the_mentor_proposes_on_a_phone_and_the_head_decides(live_server, browser):
    from kesip.core.models import User
    from kesip.wbl.models import Incentive, MentorRequest
    from kesip.wbl.tests.engagement_setup import college

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    t = college()
    User.objects.filter(pk__in=[t.mentor_user.pk, t.head_user.pk, t.admin.pk]).update(language="en")
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    mobile = phone.new_page()
    _login(mobile, live_server, t.mentor_user)
    mobile.goto(live_server.url + "/wbl/engagement/")
    mobile.click(f"#learner-{t.placement.pk} a[href$='/propose/']")
    mobile.select_option("#id_kind", "moral_reward")
    mobile.fill("#id_reason", "Тыкан тигиштер")
    mobile.click("#incentive-form button[type=submit]")
    mobile.wait_for_selector("#incentive-status")
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
    mobile.goto(live_server.url + "/wbl/engagement/")
    mobile.click(f"#learner-{t.placement.pk} a[href$='/request/']")
    mobile.select_option("#id_kind", "specialist")
    mobile.select_option("#id_specialist", str(t.specialist.pk))
    mobile.fill("#id_scope", "Газ менен кесүү")
    mobile.click("#request-form button[type=submit]")
    mobile.wait_for_selector("#request-status")
    mobile.screenshot(path=str(ARTIFACTS / "wbl-engagement-mentor-phone.png"), full_page=True)
    i, r = Incentive.objects.get(), MentorRequest.objects.get()
    assert i.proposed_by == t.mentor and r.mentor == t.mentor and r.status == "proposed"
    phone.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    mobile = phone.new_page()
    _login(mobile, live_server, t.head_user)
    mobile.goto(live_server.url + "/wbl/engagement/")
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
    mobile.click(f"#decide-incentive-{i.pk} button[value=approved]")
    mobile.wait_for_load_state()
    mobile.click(f"#decide-request-{r.pk} button[value=approved]")
    mobile.wait_for_load_state()
    mobile.screenshot(path=str(ARTIFACTS / "wbl-engagement-head-phone.png"), full_page=True)
    phone.close()
    i.refresh_from_db()
    r.refresh_from_db()
    assert (i.status, i.decided_by, r.status, r.decided_by) == ("approved", t.head, "approved", t.head)

    page = browser.new_page()
    _login(page, live_server, t.admin)
    page.goto(f"{live_server.url}/wbl/placements/{t.placement.pk}/")
    assert "Технологов" in page.inner_text("#involved-specialists")
    page.close()
