"""The plan of measures supporting the educational process, developed with the employers (F8; п. 56 item 1): kept by
the institution's WBL staff, refused field by field with nothing saved, read by the employer it was developed with,
404 for another institution; pages, API and a fixed query count."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from kesip.core.rules import RuleViolation
from kesip.wbl import support_measures as svc
from kesip.wbl.common import WblInvalid
from kesip.wbl.models import SupportMeasure
from kesip.wbl.tests.placement_setup import college

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 3, 1)


def plan(t, user=None, **kwargs):
    values = dict(institution=t.institution, academic_year=2024, text="Совместный семинар наставников",
                  responsible="Зам. директора", employer=t.employer, due_on=datetime.date(2025, 1, 31))  # fmt: skip
    values.update(kwargs)
    return svc.save(SupportMeasure(**values), user or t.admin, TODAY)


def login(user):
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_a_measure_is_kept_and_a_bad_one_refused_field_by_field():
    t = college()
    m = plan(t)
    assert m.pk and m.history.count() == 1
    with pytest.raises(WblInvalid) as refused:
        plan(t, text=" ", responsible="", due_on=datetime.date(2024, 8, 31), status="done", done_on=None)
    assert {v.field for v in refused.value.violations} == {"text", "responsible", "due_on", "done_on"}
    assert plan(t, due_on=datetime.date(2024, 9, 1)).pk  # the first day of the year is in it
    with pytest.raises(WblInvalid) as refused:
        plan(t, status="done", done_on=TODAY + datetime.timedelta(days=1))
    assert [v.field for v in refused.value.violations] == ["done_on"]
    with pytest.raises(WblInvalid) as refused:
        plan(t, employer=college().employer)
    assert [v.field for v in refused.value.violations] == ["employer"]
    with pytest.raises(RuleViolation):
        plan(t, user=t.rep)
    assert SupportMeasure.objects.count() == 2


def test_the_pages_and_the_employers_view_and_another_institution():
    t = college()
    m = plan(t)
    staff = login(t.admin)
    page = staff.get(reverse("wbl:support_measure_list"), {"year": 2024})
    assert page.status_code == 200 and f'id="support-measure-{m.pk}"' in page.content.decode()
    bad = staff.post(
        reverse("wbl:support_measure_add"), {"academic_year": "2024", "text": "", "responsible": "x", "status": "planned"}
    )
    assert bad.status_code == 400 and "text" in bad.context["form"].errors
    ok = staff.post(
        reverse("wbl:support_measure_add"),
        {"academic_year": "2024", "text": "Стажировка мастеров на предприятии", "responsible": "Методист", "status": "planned"},
    )
    assert ok.status_code == 302 and SupportMeasure.objects.count() == 2
    rep = login(t.rep)
    seen = rep.get(reverse("wbl:support_measure_list"), {"year": 2024}).content.decode()
    assert f'id="support-measure-{m.pk}"' in seen and "Стажировка мастеров" not in seen  # only the ones with its employer
    assert rep.get(reverse("wbl:support_measure_edit", args=[m.pk])).status_code == 404
    stranger = login(college().admin)
    assert stranger.get(reverse("wbl:support_measure_edit", args=[m.pk])).status_code == 404
    assert staff.post(reverse("wbl:support_measure_delete", args=[m.pk])).status_code == 302
    assert not SupportMeasure.objects.filter(pk=m.pk).exists()


def test_the_api_keeps_the_plan_and_refuses_with_the_rule():
    t = college()
    api = APIClient()
    api.force_authenticate(t.admin)
    made = api.post(
        "/api/v1/support-measures/",
        {"academic_year": 2024, "text": "Семинар", "responsible": "Методист", "employer": t.employer.pk, "status": "planned"},
        format="json",
    )
    assert made.status_code == 201 and made.json()["institution"] == t.institution.pk
    refused = api.post("/api/v1/support-measures/", {"academic_year": 2024, "text": "", "responsible": "", "status": "planned"},
                       format="json")  # fmt: skip
    assert refused.status_code == 400 and SupportMeasure.objects.count() == 1
    stranger = APIClient()
    stranger.force_authenticate(college().admin)
    assert stranger.get(f"/api/v1/support-measures/{made.json()['id']}/").status_code == 404


def test_the_list_reads_the_same_queries_for_one_measure_or_several():
    t = college()
    plan(t)
    client = login(t.admin)
    url = reverse("wbl:support_measure_list") + "?year=2024"

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    one = count()
    for i in range(4):
        plan(t, text=f"Мера {i}")
    assert count() == one
