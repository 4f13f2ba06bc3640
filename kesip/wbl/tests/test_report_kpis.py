"""K2, K5, K8, K12, K13 of the annual report (extract §8.2) on the small world of test_reports, with exact numbers."""

import datetime

import pytest

from kesip.core.tests import factories as f
from kesip.curriculum.models import Competency
from kesip.wbl import reports
from kesip.wbl.models import Agreement, AgreementRosterEntry, Assessment, CompetencyResult, EmployerPerson, Order, OrderLine
from kesip.wbl.tests.test_reports import YEAR, college

pytestmark = pytest.mark.django_db
D = datetime.date


def kpis(institutions, year=YEAR):
    """The K-figures as the report composes them (report_kpis alone; the full report is checked at the end)."""
    from kesip.wbl import report_kpis
    from kesip.wbl.report_indicators import _pct, period

    ids = [i.pk for i in institutions]
    start, end = period(year)
    found, comps = report_kpis.figures(ids, start, end), report_kpis.competency_figures(ids, start, end)
    parts = [report_kpis.compose(found.get(i, {}), comps.get(i, [])) for i in ids]
    total = parts[0]
    for other in parts[1:]:
        report_kpis.merge(total, other)
    return report_kpis.finish(total, _pct)


def world():
    t = college()
    inst = t.institution
    dual = Agreement.objects.get(institution=inst, learner=t.s1)
    Agreement.objects.filter(pk=t.a1.pk).update(theory_percent=30, practice_percent=70)
    Agreement.objects.filter(pk=dual.pk).update(theory_percent=50, practice_percent=50)
    # An agreement that ended before the year: its shares and its roster do not count.
    old = Agreement.objects.get(institution=inst, status="expired")
    Agreement.objects.filter(pk=old.pk).update(theory_percent=10, practice_percent=90)
    t.s4 = f.StudentFactory(institution=inst, group=t.g1, sex="M")  # listed, never placed
    for student in (t.s1, t.s2, t.s4):
        AgreementRosterEntry.objects.create(institution=inst, agreement=t.a1, student=student)
    AgreementRosterEntry.objects.create(institution=inst, agreement=dual, student=t.s1)  # the same learner twice: once
    AgreementRosterEntry.objects.create(institution=inst, agreement=old, student=t.s3)
    # G1 has a head of practical training by a signed order; G2's order is a draft.
    for group, status in ((t.g1, "signed"), (t.g2, "draft")):
        order = Order.objects.create(
            institution=inst, kind="supervisor", year=2024, number=f"{group.pk}-ПО" if status == "signed" else "",
            dated=D(2024, 8, 25), title="О руководителях практики", status=status,
        )  # fmt: skip
        OrderLine.objects.create(institution=inst, order=order, group=group, supervisor=t.staff)
    a1, a3 = Assessment.objects.filter(institution=inst).order_by("placement__starts_on")
    a1.employer_assessors.add(t.mentor)
    c1 = Competency.objects.create(institution=inst, programme=t.programme1, code="ПК-1", description="Сварка")
    c2 = Competency.objects.create(institution=inst, programme=t.programme1, code="ПК-2", description="Чертёж")
    CompetencyResult.objects.create(institution=inst, assessment=a1, competency=c1, achieved=True)
    CompetencyResult.objects.create(institution=inst, assessment=a1, competency=c2, achieved=False)
    CompetencyResult.objects.create(institution=inst, assessment=a3, competency=c1, achieved=True)
    t.c1, t.c2 = c1, c2
    return t


def test_k2_mean_practice_to_theory_ratio_of_the_agreements_in_force():
    k = kpis([world().institution])
    # 70:30 = 2.333 and 50:50 = 1; the expired agreement's 90:10 is not of the year.
    assert (k["ratio"]["agreements"], k["ratio"]["mean"], k["ratio"]["theory"], k["ratio"]["practice"]) == (2, 1.67, 40.0, 60.0)


def test_k5_learners_placed_of_those_listed_on_rosters():
    k = kpis([world().institution])
    assert k["coverage"] == {"listed": 3, "placed": 2, "percent": 66.7}


def test_k8_groups_with_a_head_of_practical_training_appointed_by_a_signed_order():
    k = kpis([world().institution])
    assert k["groups"] == {"wbl": 2, "appointed": 1, "percent": 50.0}


def test_k12_competencies_achieved_by_competency_and_k13_employer_assessors():
    t = world()
    k = kpis([t.institution])
    assert [(r["code"], r["results"], r["achieved"], r["percent"]) for r in k["competencies"]] == [
        ("ПК-1", 2, 2, 100.0),
        ("ПК-2", 1, 0, 0.0),
    ]
    assert k["competency_total"] == {"results": 3, "achieved": 2, "percent": 66.7}
    assert k["assessors"] == {"assessed": 2, "with_employer": 1, "percent": 50.0}


def test_the_kpis_sum_over_institutions_and_an_empty_year_has_none():
    a, b = world(), world()
    k = kpis([a.institution, b.institution])
    assert k["coverage"] == {"listed": 6, "placed": 4, "percent": 66.7}
    assert (k["ratio"]["agreements"], k["ratio"]["mean"]) == (4, 1.67)
    assert len(k["competencies"]) == 4 and k["competency_total"]["results"] == 6
    empty = kpis([a.institution], YEAR + 5)
    assert empty["ratio"]["mean"] is None and empty["coverage"]["percent"] is None and empty["competencies"] == []
    assert EmployerPerson.objects.filter(pk=a.mentor.pk).exists()


def test_the_report_carries_the_kpis():
    t = world()
    k = reports.indicators([t.institution], YEAR)["kpis"]
    assert k["coverage"]["percent"] == 66.7 and k["groups"]["percent"] == 50.0 and k["assessors"]["percent"] == 50.0


def test_the_section_prints_the_kpis():
    from kesip.wbl import report_kpis, report_tables

    t = world()
    ind = {"kpis": kpis([t.institution])}
    section = report_kpis.section(ind, report_tables.num, report_tables.pct, report_tables.dec)
    pairs = dict(section["blocks"][0]["pairs"])
    assert any("2 / 3" in v and "66.7" in v for v in pairs.values())
    assert section["blocks"][1]["rows"][0][:3] == ["ПК-1 Сварка", "2", "2"]
    assert report_kpis.section({}, report_tables.num, report_tables.pct, report_tables.dec) is None


def test_the_kpis_take_six_queries_whatever_the_data():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kesip.wbl.tests.test_report_indicators import _grow

    small, large = world(), world()
    _grow(small, 1)
    _grow(large, 12)
    counts = []
    for t in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            figures = kpis([t.institution])
        counts.append(len(ctx.captured_queries))
    assert figures["coverage"]["listed"] == 3 + 12 and figures["competency_total"]["results"] == 3 + 12
    assert counts == [6, 6]


def test_k20_learners_with_special_needs_with_adapted_forms_and_accessible_workplaces():
    from kesip.core.models import Student
    from kesip.wbl.models import Placement, WblProgramme, Workplace

    t = world()
    assert kpis([t.institution])["inclusion"] == {
        "learners": 0, "adapted": 0, "accessible": 0, "adapted_percent": None, "accessible_percent": None,
    }  # fmt: skip
    # s1 (practice p1 at w1, dual p4) and s3 (apprenticeship p3, and placements outside the year) have special needs.
    Student.objects.filter(pk__in=[t.s1.pk, t.s3.pk]).update(special_needs=True)
    Workplace.objects.filter(pk=t.w1.pk).update(accessible=True)
    k = kpis([t.institution])["inclusion"]
    assert (k["learners"], k["adapted"], k["accessible"], k["accessible_percent"]) == (2, 0, 1, 50.0)
    # A usable WBL programme of s3's group's programme for apprenticeship sets out adapted forms (п. 54).
    WblProgramme.objects.create(
        institution=t.institution, programme=t.g2.programme, form="apprenticeship", academic_year=2024,
        status="approved", accessibility="Кыскартылган жумуш күнү, жеңилдетилген тапшырмалар",
    )  # fmt: skip
    k = kpis([t.institution])["inclusion"]
    assert (k["adapted"], k["adapted_percent"]) == (1, 50.0)
    assert Placement.objects.filter(student=t.s3, status="cancelled").count() == 0
