"""End to end in Chromium: from a group, enrol a student by order, send on academic leave, bring back, grant an exemption."""

import datetime

import pytest

from kesip.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_students_life_through_the_pages(live_server, page):
    from kesip.core import demo
    from kesip.core.models import Student, StudyGroup, User
    from kesip.curriculum import demo as curriculum_demo
    from kesip.curriculum.demo_students import demo_students

    demo.load()
    curriculum_demo.load()
    demo_students()
    User.objects.filter(username="pl8.admin").update(language="en")
    group = StudyGroup.objects.get(name="ЭГС-23")
    today = datetime.date.today()

    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "pl8.admin")
    page.fill("#id_password", demo.DEMO_PASSWORD)
    page.click("form button[type=submit].btn-primary")
    page.wait_for_selector("#key-counts")

    # From the core group page to the group's students.
    page.goto(f"{live_server.url}/groups/{group.pk}/")
    page.click("#page-link")
    page.wait_for_selector("#students")
    assert page.locator("#students tbody tr").count() == 13
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "group-en.png"), full_page=True)

    # Enrol a newcomer by order (the group is an existing cohort of 2023).
    page.click("#enrol")
    page.fill("#id_last_name", "Абдыкеримов")
    page.fill("#id_first_name", "Жыргалбек")
    page.fill("#id_national_id", "21503200650017")
    page.fill("#id_order_number", "5-к")
    page.fill("#id_order_date", str(today))
    page.fill("#id_on", str(today))
    page.click("form button[type=submit].btn-primary")
    page.wait_for_selector("#movements")
    student = Student.objects.get(last_name="Абдыкеримов")
    assert page.locator("#student-status").inner_text() == "Studying"

    # Academic leave: a bad date first (ends before it starts), then a good one; then the return.
    page.click("#button-academic_leave")
    page.fill("#id_academic_leave-order_number", "6-к")
    page.fill("#id_academic_leave-order_date", str(today))
    page.fill("#id_academic_leave-on", str(today))
    page.fill("#id_academic_leave-leave_until", str(today))
    page.click("#step-academic_leave button[type=submit]")
    page.wait_for_selector("#step-academic_leave .invalid-feedback, #step-academic_leave .alert-danger")
    student.refresh_from_db()
    assert student.status == "enrolled"
    page.fill("#id_academic_leave-leave_until", str(today + datetime.timedelta(days=180)))
    page.click("#step-academic_leave button[type=submit]")
    page.wait_for_selector("#button-return")
    assert page.locator("#student-status").inner_text() == "Academic leave"
    assert page.locator("#button-transfer").count() == 0
    page.click("#button-return")
    page.fill("#id_return-order_number", "7-к")
    page.fill("#id_return-order_date", str(today))
    page.fill("#id_return-on", str(today))
    page.click("#step-return button[type=submit]")
    page.wait_for_selector("#button-transfer")
    assert page.locator("#movements tbody tr").count() == 3

    # A remote-study exemption for a competition.
    page.click("#exemption-add")
    page.select_option("#id_reason", "competition")
    page.fill("#id_document", "Приказ № 14 — WorldSkills Kyrgyzstan")
    page.fill("#id_document_date", str(today))
    page.fill("#id_valid_from", str(today))
    page.fill("#id_valid_until", str(today + datetime.timedelta(days=30)))
    page.click("form button[type=submit].btn-primary")
    page.wait_for_selector("#exemptions .badge.text-bg-success")
    page.screenshot(path=str(ARTIFACTS / "student-en.png"), full_page=True)
    student.refresh_from_db()
    assert student.status == "enrolled" and student.movements.count() == 3 and student.distance_exemptions.count() == 1
