"""Query budgets of the API lists added with the own bases, briefings, plan of measures and issued documents, and of
the K27 analysis: the same number of queries for one row or several."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from kesip.core.tests import factories as f
from kesip.wbl import bases, employers, support_measures
from kesip.wbl.models import EmployerBriefing, SupportMeasure, WblBase
from kesip.wbl.tests.placement_setup import college

pytestmark = pytest.mark.django_db


def _count(api, url):
    assert api.get(url).status_code == 200  # warm the per-process caches
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_new_api_lists_read_the_same_queries_for_one_row_or_several():
    t = college()
    api = APIClient()
    api.force_authenticate(t.admin)

    def brief(i):
        employers.save_briefing(
            EmployerBriefing(employer=t.employer, held_on=datetime.date(2025, 2, i), conducted_by=t.supervisor, topics="ОРМ"),
            t.admin,
            t.mentors,
            datetime.date(2025, 3, 1),
        )

    def measure(i):
        support_measures.save(
            SupportMeasure(institution=t.institution, academic_year=2024, text=f"Мера {i}", responsible="Методист",
                           employer=t.employer),
            t.admin,
        )  # fmt: skip

    def base(i):
        bases.save_base(WblBase(institution=t.institution, kind="workshop", name=f"Устакана {i}", places=5), t.admin, [])

    grow = {"/api/v1/employer-briefings/": brief, "/api/v1/support-measures/": measure, "/api/v1/wbl-bases/": base}
    for url, add in grow.items():
        add(1)
        one = _count(api, url)
        for i in range(2, 5):
            add(i)
        assert _count(api, url) == one, url
    assert _count(api, "/api/v1/issued-documents/") <= 6
    before = _count(api, "/api/v1/employer-needs/analysis/?year=2024")
    f.EmployerFactory(institution=t.institution)
    assert _count(api, "/api/v1/employer-needs/analysis/?year=2024") == before
