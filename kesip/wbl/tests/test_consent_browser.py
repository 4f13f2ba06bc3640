"""End to end in Chromium: the coordinator records a minor's legal representative and asks the consent in Kesip
(the placement is planned with a warning); the representative, on a phone, gives it; the coordinator then agrees
the roster with the employer. Then improvement measures are added to a published report and sent to stakeholders."""

import datetime

import pytest
from django.core import mail

from kesip.conftest import ARTIFACTS, browser_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_representative_answers_the_consent_on_a_phone(live_server, browser):
    from kesip.core.models import Student, StudentRepresentative
    from kesip.core.roles import Role
    from kesip.core.tests import factories as f
    from kesip.wbl import placements as services
    from kesip.wbl.models import Placement
    from kesip.wbl.tests.placement_setup import college, values

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    t = college()
    learner = t.students[0]
    Student.objects.filter(pk=learner.pk).update(birth_date=datetime.date(2008, 6, 1))
    learner.refresh_from_db()

    # The coordinator records the mother, with her e-mail, on the learner's page.
    context, page = browser_session(browser, live_server, t.admin)
    page.goto(live_server.url + f"/students/{learner.pk}/")
    page.click("text=Legal representatives")
    page.fill("#id_full_name", "Асанова Гүлнара")
    page.select_option("#id_relation", "mother")
    page.fill("#id_email", "not-an-email")
    page.click("#representative-form button[type=submit]")
    assert page.locator(".invalid-feedback, .text-danger").count() >= 1 and not StudentRepresentative.objects.exists()
    page.fill("#id_email", "gulnara@example.kg")
    page.click("#representative-form button[type=submit]")
    page.wait_for_selector("#representatives td")
    assert "Асанова Гүлнара" in page.inner_text("#representatives")
    context.close()

    # She has a Kesip account (as after accepting the invitation); the coordinator asks the consent in Kesip.
    mother = f.member(Role.LEGAL_REPRESENTATIVE, institution=t.institution, email="gulnara@example.kg")
    StudentRepresentative.objects.filter(student=learner).update(user=mother)
    p = Placement(**values(t, consent_by="requested", consent_on=None))
    warnings = services.save_placement(p, t.admin)
    assert [w.code for w in warnings] == ["wbl.placement.consent"]

    context, phone = browser_session(browser, live_server, mother, width=390)
    phone.goto(live_server.url + "/wbl/")  # the WBL start page leads a representative to the consent page
    phone.wait_for_selector(f"#consent-{p.pk}")
    assert "awaits your answer" in phone.inner_text("#consent-waiting")
    phone.screenshot(path=str(ARTIFACTS / "consent-phone.png"), full_page=True)
    phone.click(f"#consent-{p.pk} button[value=give]")
    phone.wait_for_selector(".alert-success")
    context.close()
    p.refresh_from_db()
    assert (p.consent_by, p.consent_user, p.legal_representative) == ("representative", mother, "Асанова Гүлнара")
    services.agree_roster([p], datetime.date.today(), t.admin)
    p.refresh_from_db()
    assert p.status == "roster_agreed"
    assert [m.to for m in mail.outbox] == [["gulnara@example.kg"]] and "/wbl/consent/" in mail.outbox[0].body


def test_measures_are_added_to_the_published_report_and_sent(live_server, browser):
    from kesip.wbl import reports
    from kesip.wbl.models import ImprovementMeasure, StakeholderNotice
    from kesip.wbl.tests.test_report_measures import final
    from kesip.wbl.tests.test_reports import college

    t = college()
    report = reports.publish(final(t), t.admin, today=datetime.date(2025, 9, 15))
    context, page = browser_session(browser, live_server, t.admin)
    page.goto(live_server.url + report.get_absolute_url())
    page.click("#measures a:has-text('Add a measure')")
    page.fill("#id_text", "Семинар для наставников")
    page.fill("#id_responsible", "Отдел практики")
    page.select_option("#id_status", "done")
    page.click("#measure-form button[type=submit]")
    assert "Say when the measure was done" in page.inner_text("#measure-form")
    page.fill("#id_done_on", "2025-10-01")
    page.click("#measure-form button[type=submit]")
    page.wait_for_selector("#measure-table tbody tr[id^=measure-]")
    page.fill("#id_extra", "council@lyceum.kg")
    page.click("#stakeholders button[type=submit]")
    page.wait_for_selector("#notices li")
    page.screenshot(path=str(ARTIFACTS / "report-measures.png"), full_page=True)
    context.close()
    assert ImprovementMeasure.objects.get().status == "done"
    assert StakeholderNotice.objects.get().recipients[0]["email"] == "council@lyceum.kg"
