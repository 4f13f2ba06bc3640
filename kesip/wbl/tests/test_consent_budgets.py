"""Query budgets of the pages and endpoints added for families and stakeholders: the same number of queries
whether there is one record or several (consent page, representatives page and API, measures API and page)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from kesip.core.models import Student, StudentRepresentative
from kesip.core.roles import Role
from kesip.core.tests import factories as f
from kesip.wbl.models import ImprovementMeasure
from kesip.wbl.tests.placement_setup import college, plan

pytestmark = pytest.mark.django_db


def _count(call):
    call()  # warm the per-process caches (content types, the rulebook) so that only the page's own queries count
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_consent_page_reads_the_same_queries_for_one_learner_or_three(client):
    t = college(students=4, places=4)
    parent = f.member(Role.LEGAL_REPRESENTATIVE, institution=t.institution)
    for s in t.students:
        Student.objects.filter(pk=s.pk).update(birth_date=datetime.date(2008, 6, 1))
        s.refresh_from_db()
    client.force_login(parent)

    def link(student):
        StudentRepresentative.objects.create(
            institution=t.institution, student=student, full_name=f"Ата {student.pk}", relation="father", user=parent
        )
        plan(t, student=student, consent_by="requested", consent_on=None)

    link(t.students[0])
    one = _count(lambda: client.get(reverse("wbl:consent")))
    for s in t.students[1:3]:
        link(s)
    assert _count(lambda: client.get(reverse("wbl:consent"))) == one


def test_the_representatives_page_and_api_read_the_same_queries_however_many_there_are(client):
    t = college()
    learner = t.students[0]
    client.force_login(t.admin)
    api = APIClient()
    api.force_authenticate(t.admin)

    def add(i):
        StudentRepresentative.objects.create(
            institution=t.institution, student=learner, full_name=f"Өкүл {i}", relation="other", email=f"r{i}@example.kg",
            user=f.UserFactory() if i % 2 else None,
        )  # fmt: skip

    add(0)
    page_one = _count(lambda: client.get(reverse("wbl:student_representatives", args=[learner.pk])))
    api_one = _count(lambda: api.get("/api/v1/student-representatives/"))
    for i in range(1, 6):
        add(i)
    assert _count(lambda: client.get(reverse("wbl:student_representatives", args=[learner.pk]))) == page_one
    assert _count(lambda: api.get("/api/v1/student-representatives/")) == api_one


def test_the_measures_api_and_the_report_page_read_the_same_queries_however_many_measures(client):
    from kesip.wbl import reports
    from kesip.wbl.tests.test_report_measures import final
    from kesip.wbl.tests.test_reports import college as report_college

    t = report_college()
    report = reports.publish(final(t), t.admin, today=datetime.date(2025, 9, 15))
    client.force_login(t.admin)
    api = APIClient()
    api.force_authenticate(t.admin)

    def add(i):
        ImprovementMeasure.objects.create(institution=t.institution, report=report, text=f"Чара {i}", responsible="Бөлүм")

    add(0)
    page_one = _count(lambda: client.get(reverse("wbl:report_detail", args=[report.pk])))
    api_one = _count(lambda: api.get("/api/v1/improvement-measures/"))
    for i in range(1, 6):
        add(i)
    assert _count(lambda: client.get(reverse("wbl:report_detail", args=[report.pk]))) == page_one
    assert _count(lambda: api.get("/api/v1/improvement-measures/")) == api_one


def test_mailing_a_group_asked_for_consent_reads_the_same_queries_for_two_learners_or_six(
    django_capture_on_commit_callbacks,
):
    from django.core import mail

    from kesip.wbl import consent
    from kesip.wbl.models import Placement

    t = college(students=6, places=6)
    for s in t.students:
        Student.objects.filter(pk=s.pk).update(email=f"s{s.pk}@example.kg")
        s.refresh_from_db()
    placed = [plan(t, student=s, consent_by="requested", consent_on=None) for s in t.students]

    def mailed(placements):
        mail.outbox.clear()
        with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks(execute=True):
            consent.notify(list(Placement.objects.filter(pk__in=[p.pk for p in placements])))
        return len(ctx.captured_queries), len(mail.outbox)

    two, six = mailed(placed[:2]), mailed(placed)
    assert (two[1], six[1]) == (2, 6) and two[0] == six[0]
