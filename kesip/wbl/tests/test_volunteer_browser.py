"""End to end in Chromium: a student submits volunteering on a phone; the head of practical training recognises it."""

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


def test_a_student_submits_on_a_phone_and_the_staff_recognise(live_server, browser, page):
    from kesip.core.models import User
    from kesip.core.roles import Role
    from kesip.core.tests import factories as f
    from kesip.wbl.models import VolunteerRecognition
    from kesip.wbl.tests.test_volunteer import college

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    t = college()
    student_user = f.member(Role.STUDENT, institution=t.institution)
    t.student.user = student_user
    t.student.save(update_fields=["user"])
    User.objects.filter(pk__in=[student_user.pk, t.head_of_practice.pk]).update(language="en")

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    mobile = phone.new_page()
    _login(mobile, live_server, student_user)
    mobile.goto(live_server.url + "/wbl/volunteer/add/")
    mobile.select_option("#id_organisation", str(t.organisation.pk))
    mobile.fill("#id_activity", "Помощь в приюте для животных")
    mobile.fill("#id_starts_on", "2025-04-01")
    mobile.fill("#id_ends_on", "2025-04-30")
    mobile.fill("#id_hours", "39")
    mobile.fill("#id_book_reference", "ЛК-001")
    mobile.fill("#id_volunteer_agreement_reference", "ДВ-17")
    mobile.select_option("#id_practice_type", "educational")
    mobile.click("#volunteer-form button[type=submit]")
    mobile.wait_for_selector("#volunteer-status")
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
    mobile.screenshot(path=str(ARTIFACTS / "wbl-volunteer-student-phone.png"), full_page=True)
    phone.close()
    rec = VolunteerRecognition.objects.get()
    assert rec.student == t.student and rec.memorandum == t.memorandum

    _login(page, live_server, t.head_of_practice)
    page.goto(f"{live_server.url}/wbl/volunteer/{rec.pk}/")
    assert "39 hours of volunteering" in page.inner_text("#volunteer-check")
    assert page.is_disabled("#decision form button.btn-success")
    VolunteerRecognition.objects.filter(pk=rec.pk).update(hours=40)  # the corrected book shows 40 hours
    page.reload()
    page.click("#decision form button.btn-success")
    page.wait_for_selector("#volunteer-decision")
    rec.refresh_from_db()
    assert rec.status == "recognised" and rec.decided_by == t.head_of_practice and rec.decided_on == datetime.date.today()
    page.screenshot(path=str(ARTIFACTS / "wbl-volunteer-recognised.png"), full_page=True)
