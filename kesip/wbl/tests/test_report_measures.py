"""Improvement measures after the annual report and the stakeholders told of them (п. 56 item 15, F30), and K26:
the report on time (the institution's due day, at its boundary) and agreed by the employers."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from kesip.core.rules import RuleViolation
from kesip.wbl import report_measures as measures
from kesip.wbl import reports
from kesip.wbl.common import WblInvalid
from kesip.wbl.models import EmployerPerson, ImprovementMeasure, StakeholderNotice, WblSettings
from kesip.wbl.tests.test_reports import YEAR, agreement_of, college, sent

pytestmark = pytest.mark.django_db
D = datetime.date


FINAL_ON = D(2025, 9, 10)


def final(t, on=FINAL_ON):
    report = sent(t)
    reports.answer(agreement_of(report, t.e1), "agreed", "Р. 1", "", t.rep1)
    reports.answer(agreement_of(report, t.e2), "agreed", "Р. 2", "", t.rep2)
    return reports.finalise(report, t.admin, today=on)


def measure(report, **kwargs):
    values = dict(report=report, text="Насаатчылар үчүн семинар", responsible="Практика бөлүмү", due_on=D(2025, 12, 1))
    values.update(kwargs)
    return ImprovementMeasure(**values)


def test_a_measure_says_what_who_and_is_dated_only_when_done():
    t = college()
    report = final(t)
    with pytest.raises(WblInvalid) as bad:
        measures.save_measure(measure(report, text=" ", responsible=""), t.admin)
    assert {v.field for v in bad.value.violations} == {"text", "responsible"}
    with pytest.raises(WblInvalid) as undated:
        measures.save_measure(measure(report, status="done"), t.admin, today=D(2025, 10, 1))
    assert [v.field for v in undated.value.violations] == ["done_on"]
    with pytest.raises(WblInvalid):
        measures.save_measure(measure(report, status="done", done_on=D(2025, 10, 2)), t.admin, today=D(2025, 10, 1))
    with pytest.raises(WblInvalid):
        measures.save_measure(measure(report, status="planned", done_on=D(2025, 9, 30)), t.admin, today=D(2025, 10, 1))
    with pytest.raises(WblInvalid) as early:
        measures.save_measure(measure(report, due_on=D(2024, 8, 31)), t.admin)  # before the report's year
    assert [v.field for v in early.value.violations] == ["due_on"]
    assert not ImprovementMeasure.objects.exists()
    saved = measures.save_measure(measure(report, status="done", done_on=D(2025, 10, 1)), t.admin, today=D(2025, 10, 1))
    assert saved.institution_id == t.institution.pk
    with pytest.raises(RuleViolation):
        measures.save_measure(measure(report), t.rep1)  # an employer's person does not plan the institution's measures


def test_stakeholders_are_told_only_of_a_published_report_with_measures(django_capture_on_commit_callbacks):
    t = college()
    report = final(t)
    EmployerPerson.objects.create(
        institution=t.institution, employer=t.e1, last_name="Башчы", first_name="Азат", is_head=True, email="Head@e1.kg"
    )
    EmployerPerson.objects.create(
        institution=t.institution, employer=t.e2, last_name="Устат", first_name="Бек", is_mentor=True, email="mentor@e2.kg"
    )
    measures.save_measure(measure(report), t.admin)
    with pytest.raises(WblInvalid) as unpublished:
        measures.notify(report, t.admin)
    assert [v.field for v in unpublished.value.violations] == ["status"]
    report = reports.publish(report, t.admin, today=D(2025, 9, 15))
    with pytest.raises(WblInvalid) as bad:
        measures.notify(report, t.admin, extra="ministry@edu.gov.kg\nnot-an-address")
    assert "not-an-address" in bad.value.violations[0].message and not StakeholderNotice.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        notice = measures.notify(report, t.admin, extra="Ministry@edu.gov.kg, head@e1.kg")
    # The host employers' head (the mentor is not on the list) and the added address, each once.
    assert [r["email"] for r in notice.recipients] == ["head@e1.kg", "ministry@edu.gov.kg"]
    assert sorted(m.to[0] for m in mail.outbox) == ["head@e1.kg", "ministry@edu.gov.kg"]
    assert "Насаатчылар үчүн семинар" in mail.outbox[0].body and "п. 56" in mail.outbox[0].body


def test_without_measures_or_recipients_nothing_is_sent():
    t = college()
    report = reports.publish(final(t), t.admin, today=D(2025, 9, 15))
    with pytest.raises(WblInvalid) as none:
        measures.notify(report, t.admin)
    assert {v.field for v in none.value.violations} == {"measures"}
    measures.save_measure(measure(report), t.admin)
    with pytest.raises(WblInvalid) as nobody:
        measures.notify(report, t.admin)  # no host employer's head or representative has an e-mail
    assert [v.field for v in nobody.value.violations] == ["extra"]


def test_k26_the_report_final_on_the_due_day_is_on_time_and_a_day_later_is_late():
    t = college()
    due = D(2025, 8, 31) + datetime.timedelta(days=61)  # 31.10.2025 by default
    ids = [t.institution.pk]
    assert measures.timeliness({}, ids, YEAR, today=due)[t.institution.pk]["on_time"] is None
    assert measures.timeliness({}, ids, YEAR, today=due + datetime.timedelta(days=1))[t.institution.pk]["on_time"] is False
    report = final(t, on=due)
    found = measures.timeliness({t.institution.pk: report}, ids, YEAR)[t.institution.pk]
    assert (found["due_on"], found["on_time"], found["agreed"], found["asked"]) == (due, True, 2, 2)
    WblSettings.objects.create(institution=t.institution, report_due_days=60)
    assert measures.timeliness({t.institution.pk: report}, ids, YEAR)[t.institution.pk]["on_time"] is False


def test_the_report_page_adds_measures_and_sends_them_and_refuses_another_institution(client, django_capture_on_commit_callbacks):
    t, other = college(), college()
    report = reports.publish(final(t), t.admin, today=D(2025, 9, 15))
    client.force_login(t.admin)
    add = reverse("wbl:report_measure_add", args=[report.pk])
    assert client.post(add, {"text": "", "responsible": "", "status": "planned"}).status_code == 400
    response = client.post(
        add, {"text": "Жаңы симулятор", "responsible": "Директор", "due_on": "2026-03-01", "status": "planned"}
    )
    assert response.status_code == 302 and ImprovementMeasure.objects.count() == 1
    page = client.get(reverse("wbl:report_detail", args=[report.pk])).content.decode()
    assert "Жаңы симулятор" in page and 'id="stakeholders"' in page and 'id="report-timely"' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("wbl:report_notify", args=[report.pk]), {"extra": "council@lyceum.kg"})
    assert StakeholderNotice.objects.get().recipients == [{"name": "", "email": "council@lyceum.kg", "employer": ""}]
    assert mail.outbox[-1].to == ["council@lyceum.kg"]
    theirs = reports.open_report(other.institution, YEAR, other.admin, today=D(2025, 9, 1))
    assert client.post(reverse("wbl:report_measure_add", args=[theirs.pk]), {"text": "x"}).status_code == 404
    assert client.post(reverse("wbl:report_notify", args=[theirs.pk])).status_code == 404


def test_the_api_keeps_measures_and_notifies_and_answers_404_for_another_institution(django_capture_on_commit_callbacks):
    from rest_framework.test import APIClient

    t, other = college(), college()
    report = reports.publish(final(t), t.admin, today=D(2025, 9, 15))
    theirs = reports.open_report(other.institution, YEAR, other.admin, today=D(2025, 9, 1))
    api = APIClient()
    api.force_authenticate(t.admin)
    bad = api.post("/api/v1/improvement-measures/", {"report": report.pk, "text": "", "responsible": ""}, format="json")
    assert bad.status_code == 400 and {"text", "responsible"} <= set(bad.json())
    blank = api.post("/api/v1/improvement-measures/", {"report": report.pk, "text": " ", "responsible": "Ж"}, format="json")
    assert blank.status_code == 400 and "text" in blank.json() and not ImprovementMeasure.objects.exists()
    foreign = api.post("/api/v1/improvement-measures/", {"report": theirs.pk, "text": "x", "responsible": "y"}, format="json")
    assert foreign.status_code == 400 and "report" in foreign.json()
    made = api.post(
        "/api/v1/improvement-measures/",
        {"report": report.pk, "text": "Семинар", "responsible": "Директор", "due_on": "2026-01-15"},
        format="json",
    )
    assert made.status_code == 201 and made.json()["status"] == "planned"
    done = api.patch(f"/api/v1/improvement-measures/{made.json()['id']}/", {"status": "done"}, format="json")
    assert done.status_code == 400 and done.json()["field"] == "done_on"
    with django_capture_on_commit_callbacks(execute=True):
        sent_ = api.post(f"/api/v1/annual-reports/{report.pk}/notify/", {"extra": "council@lyceum.kg"}, format="json")
    assert sent_.status_code == 201 and sent_.json()["recipients"][0]["email"] == "council@lyceum.kg"
    assert api.post(f"/api/v1/annual-reports/{theirs.pk}/notify/", {}, format="json").status_code == 404
    consolidated = api.get("/api/v1/annual-reports/consolidated/", {"year": YEAR}).json()
    assert consolidated["rows"][0]["timely"] == {"due_on": "2025-10-31", "on_time": True, "agreed": 2, "asked": 2}
