"""The report's indicators (extract §8.2) for a small world with known numbers, computed in SQL in a fixed number of
queries; the same figures on SQLite and PostgreSQL (the grading lag in days included)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kesip.core.tests import factories as f
from kesip.wbl import reports
from kesip.wbl.models import Certificate, DiaryEntry, EmployerPerson, Placement, VolunteerRecognition, WblSettings
from kesip.wbl.tests.test_reports import YEAR, college

pytestmark = pytest.mark.django_db
D = datetime.date


def test_learners_placements_and_employers_of_the_year():
    t = college()
    ind = reports.indicators([t.institution.pk], YEAR)
    assert (ind["academic_year"], ind["starts_on"], ind["ends_on"]) == (2024, "2024-09-01", "2025-08-31")
    # p1 starts on 1 September and p4 on 31 August: both in; the placements a day outside are not.
    assert ind["placements"]["total"] == 5 and ind["placements"]["counted"] == 4
    assert ind["placements"]["by_status"] == {
        "planned": 1, "roster_agreed": 0, "ordered": 0, "briefed": 0, "active": 1, "completed": 1, "assessed": 0,
        "closed": 1, "cancelled": 1,
    }  # fmt: skip
    learners = ind["learners"]
    assert learners["total"] == 3 and learners["teachers"] == 0
    assert learners["by_form"] == {"dual": 1, "practice": 1, "internship": 0, "apprenticeship": 2}
    assert learners["by_practice_type"]["production"] == 1 and learners["by_practice_type"]["educational"] == 0
    assert ind["employers"] == {"hosting": 2, "with_agreements": 2, "own_bases": 0, "own_base_learners": 0}


def test_agreements_in_force_during_the_year_two_and_three_party():
    ag = reports.indicators([college().institution], YEAR)["agreements"]
    assert (ag["total"], ag["two_party"], ag["three_party"]) == (2, 1, 1)
    assert ag["by_kind"] == {"wbl": 2, "apprenticeship": 0, "volunteer": 0}
    assert ag["by_form"]["practice"] == 1 and ag["by_form"]["dual"] == 1


def test_workplaces_offered_and_used():
    w = reports.indicators([college().institution], YEAR)["workplaces"]
    assert w == {"workplaces": 1, "places": 5, "used": 1, "use_percent": 20.0}


def test_wbl_share_of_the_planned_curriculum_hours_follows_the_institutions_setting():
    t = college()
    s = reports.indicators([t.institution], YEAR)["share"]
    # G1: 60 + 40 hours (p4 has none) for 2 learners × 300 planned; G2: 100 hours for 1 learner × 400.
    assert (s["wbl_hours"], s["planned_hours"], s["percent"]) == (200, 1000, 20.0)
    assert (s["groups"], s["groups_without_plan"], s["placements_without_hours"]) == (2, 0, 1)
    WblSettings.objects.create(institution=t.institution, wbl_percent_denominator="practice_hours")
    s = reports.indicators([t.institution], YEAR)["share"]
    # Practice hours only: G1 plans 100 practice hours; G2 plans none, so it is left out.
    assert (s["wbl_hours"], s["planned_hours"], s["percent"], s["groups_without_plan"]) == (100, 200, 50.0, 1)


def test_mentor_coverage_load_and_apprentices_at_once_against_the_rulebook():
    t = college()
    m = reports.indicators([t.institution], YEAR)["mentors"]
    assert (m["with_mentor"], m["placements"], m["coverage_percent"]) == (3, 4, 75.0)
    assert (m["mentors"], m["average"], m["most"]) == (1, 3.0, 3)
    assert m["load"] == {"1": 0, "2": 0, "3-5": 1, "6+": 0}
    assert (m["apprentice_peak"], m["apprentice_limit"], m["over_limit"]) == (2, 2, 0)
    # A third apprentice under way at the same time: 3 > 2 (п. 48).
    third = f.StudentFactory(institution=t.institution, group=t.g2, sex="M")
    Placement.objects.create(
        institution=t.institution, form="apprenticeship", apprenticeship_form="individual", student=third, group=t.g2,
        employer=t.e1, mentor=t.mentor, starts_on=D(2024, 12, 1), ends_on=D(2025, 1, 31), status="active",
    )  # fmt: skip
    m = reports.indicators([t.institution], YEAR)["mentors"]
    assert (m["apprentice_peak"], m["over_limit"], m["most"]) == (3, 1, 4)


def test_apprentices_one_after_another_are_not_at_once():
    t = college()
    t.p3.starts_on = D(2025, 3, 2)  # the day after p2 ends
    t.p3.save(update_fields=["starts_on"])
    assert reports.indicators([t.institution], YEAR)["mentors"]["apprentice_peak"] == 1


def test_diary_completion_and_grading_lag_in_days():
    d = reports.indicators([college().institution], YEAR)["diary"]
    assert (d["asked"], d["graded"], d["waiting"], d["returned"], d["drafts"]) == (3, 2, 1, 1, 1)
    assert d["completion_percent"] == 66.7
    assert (d["average_lag"], d["lag_max"], d["late"], d["on_time_percent"]) == (6.5, 11.0, 1, 50.0)


def test_the_lag_counts_hours_and_the_institutions_own_days():
    t = college()
    WblSettings.objects.create(institution=t.institution, diary_grading_days=11)
    slow = DiaryEntry.objects.get(placement=t.p1, date=D(2024, 9, 3))  # submitted 3 September, 10:00
    slow.graded_at = datetime.datetime(2024, 9, 14, 22, tzinfo=datetime.UTC)  # 11.5 days: later than 11
    slow.save(update_fields=["graded_at"])
    d = reports.indicators([t.institution], YEAR)["diary"]
    assert (d["average_lag"], d["lag_max"], d["late"]) == (6.8, 11.5, 1)
    slow.graded_at = datetime.datetime(2024, 9, 14, 10, tzinfo=datetime.UTC)  # exactly 11 days: in time
    slow.save(update_fields=["graded_at"])
    assert reports.indicators([t.institution], YEAR)["diary"]["late"] == 0
    slow.graded_at = datetime.datetime(2024, 9, 14, 10, 1, tzinfo=datetime.UTC)  # a minute later: late
    slow.save(update_fields=["graded_at"])
    assert reports.indicators([t.institution], YEAR)["diary"]["late"] == 1


def test_briefings_and_completion_documents():
    ind = reports.indicators([college().institution], YEAR)
    # p1, p2, p3 reached “briefed” or later; p1 and p3 have all three briefings, only p1 all before its start.
    assert ind["briefings"] == {"placements": 3, "complete": 2, "before_start": 1, "percent": 66.7, "before_start_percent": 33.3}
    # Finished: p1 (review and characterisation) and p3 (review only).
    assert ind["completion"] == {"finished": 2, "documented": 1, "percent": 50.0}


def test_assessments_pass_on_the_scales_pass_mark():
    a = reports.indicators([college().institution], YEAR)["assessments"]
    assert (a["count"], a["average"], a["passed"], a["pass_percent"], a["pass_mark"]) == (2, 3.5, 1, 50.0, 3)


def test_gender_by_profession():
    t = college()
    ind = reports.indicators([t.institution], YEAR)
    rows = {r["specialty"]: r for r in ind["gender"]}
    a, b = rows[t.programme1.specialty_id], rows[t.programme2.specialty_id]
    assert (a["F"], a["M"], a["unknown"], a["female_percent"]) == (2, 1, 0, 66.7)
    assert (b["F"], b["M"], b["female_percent"]) == (1, 0, 100.0)
    assert a["code"] == t.programme1.specialty.code and a["names"]["ru"] == t.programme1.specialty.name_ru
    assert ind["gender_total"] == {"F": 3, "M": 1, "unknown": 0, "female_percent": 75.0}


def test_graduates_promised_employment_by_the_host_employer():
    g = reports.indicators([college().institution], YEAR)["graduates"]
    # s1 graduated in the year and her dual placement had employment agreed; s3 graduated the year before.
    promised = {k: g[k] for k in ("graduates", "dual", "employment_promised", "percent", "dual_percent")}
    assert promised == {"graduates": 1, "dual": 1, "employment_promised": 1, "percent": 100.0, "dual_percent": 100.0}
    # No employment recorded yet: nothing is counted as employed, and the promise is not (yet) kept.
    assert (g["recorded"], g["employed"], g["host_employer"], g["promise_kept"]) == (0, 0, 0, 0)


def test_graduates_employment_counts_the_records_next_to_the_promise():
    """K14: s1 works at e2 (her dual host: the promise kept); s4 works elsewhere; s5 studies on; s3 graduated before."""
    from kesip.curriculum.models import Movement
    from kesip.wbl import outcomes
    from kesip.wbl.models import GraduateEmployment

    t = college()
    s4 = f.StudentFactory(institution=t.institution, group=t.g1, status="graduated")
    s5 = f.StudentFactory(institution=t.institution, group=t.g1, status="graduated")
    for s in (s4, s5):
        Movement.objects.create(
            institution=t.institution,
            student=s,
            kind="graduation",
            on=D(2025, 6, 30),
            order_number="1-к",
            order_date=D(2025, 6, 30),
        )
    for student, kw in (
        (t.s1, {"employer": t.e2, "in_profession": True}),
        (s4, {"employer_name": "ОсОО «Сырткы»"}),
        (s5, {"outcome": "further_study"}),
        (t.s3, {"employer": t.e1}),
    ):
        values = {"outcome": "employed", "starts_on": D(2025, 7, 1), **kw}
        outcomes.save_employment(GraduateEmployment(institution=t.institution, student=student, **values), t.admin)
    g = reports.indicators([t.institution], YEAR)["graduates"]
    assert (g["graduates"], g["recorded"], g["employed"], g["in_profession"], g["host_employer"]) == (3, 3, 2, 1, 1)
    assert (g["employment_promised"], g["promise_kept"], g["promise_kept_percent"]) == (1, 1, 100.0)
    assert (g["employed_percent"], g["host_employer_percent"]) == (66.7, 33.3)
    assert g["by_outcome"]["employed"] == 2 and g["by_outcome"]["further_study"] == 1 and g["by_outcome"]["seeking"] == 0
    assert g["by_employer"] == [
        {"employer": None, "name": "ОсОО «Сырткы»", "graduates": 1, "host": 0, "in_profession": 0},
        {"employer": t.e2.pk, "name": "ОсОО «Экинчи»", "graduates": 1, "host": 1, "in_profession": 1},
    ]
    from kesip.wbl import report_tables

    [section] = [s for s in report_tables.sections(reports.indicators([t.institution], YEAR)) if s["key"] == "graduates"]
    assert "K14" in section["title"]


def test_qualification_upgrading_of_the_year_k18():
    from kesip.wbl import outcomes
    from kesip.wbl.models import TrainingNeed, UpgradingProgramme

    t = college()
    teacher = f.StaffFactory(institution=t.institution, category="master")
    need = outcomes.save_need(
        TrainingNeed(institution=t.institution, staff=teacher, topic="Ширетүү", academic_year=YEAR), t.admin
    )
    outcomes.save_need(TrainingNeed(institution=t.institution, mentor=t.mentor, topic="Насаатчылык", academic_year=YEAR), t.admin)
    programme = outcomes.create_programme(
        UpgradingProgramme(institution=t.institution, title="Ширетүү", audience="both", hours=24, starts_on=D(2025, 3, 3),
                           ends_on=D(2025, 3, 7), places=3),
        [need.pk], t.admin,
    )  # fmt: skip
    done = outcomes.enrol(programme, t.admin, staff=teacher)
    outcomes.enrol(programme, t.admin, mentor=t.mentor)
    outcomes.complete(done, "С-1", D(2025, 3, 7), t.admin)
    up = reports.indicators([t.institution], YEAR)["upgrading"]
    assert (up["programmes"], up["from_needs"], up["enrolled"], up["completed"], up["teachers"], up["mentors"]) == (
        1,
        1,
        2,
        1,
        1,
        1,
    )
    assert (up["needs"], up["needs_staff"], up["needs_mentors"], up["needs_met"], up["completed_percent"]) == (2, 1, 1, 1, 50.0)


def test_internships_apprenticeships_volunteering_and_visits():
    t = college()
    internship = Placement.objects.create(
        institution=t.institution, form="internship", intern_staff=t.staff, employer=t.e2, starts_on=D(2025, 6, 2),
        ends_on=D(2025, 6, 13), intern_category="teacher", internship_type="production", status="closed",
        outcome="successful",
    )  # fmt: skip
    Certificate.objects.create(
        institution=t.institution, placement=internship, number="С-1", issued_on=D(2025, 6, 14), letterhead="institution"
    )
    revoked = Placement.objects.create(
        institution=t.institution, form="internship", student=t.s2, group=t.g1, employer=t.e2, starts_on=D(2025, 5, 5),
        ends_on=D(2025, 5, 8), intern_category="graduating", internship_type="pedagogical", status="closed",
    )  # fmt: skip
    Certificate.objects.create(
        institution=t.institution, placement=revoked, number="С-2", issued_on=D(2025, 5, 9), letterhead="employer",
        revoked_on=D(2025, 5, 20),
    )  # fmt: skip
    for status, hours in (("recognised", 40), ("recognised", 52), ("rejected", 39), ("submitted", 45)):
        VolunteerRecognition.objects.create(
            institution=t.institution, student=t.s3, organisation=t.e2, activity="Волонтёрлук", starts_on=D(2025, 4, 1),
            ends_on=D(2025, 4, 30), hours=hours, practice_type="educational", status=status,
        )  # fmt: skip
    ind = reports.indicators([t.institution], YEAR)
    i = ind["internships"]
    assert (i["total"], i["successful"], i["certificates"], i["days"], i["average_days"]) == (2, 1, 1, 16, 8.0)
    assert i["by_category"] == {"graduating": 1, "graduate": 0, "teacher": 1}
    assert i["by_type"] == {"production": 1, "pedagogical": 1}
    assert ind["learners"]["teachers"] == 1 and ind["learners"]["by_form"]["internship"] == 1
    ap = ind["apprenticeships"]
    assert ap == {"total": 2, "outside_wbl": 0, "by_form": {"individual": 1, "brigade": 1, "course": 0}}
    assert ind["volunteers"] == {"submitted": 1, "recognised": 2, "rejected": 1, "hours": 92}
    assert ind["visits"] == {"count": 1, "employers": 1}


def test_the_indicators_sum_over_institutions_and_stay_json():
    import json

    one, two = college(), college()
    per, total = reports.consolidated([one.institution, two.institution], YEAR)
    assert [i for i, _ind in per] == sorted([one.institution, two.institution], key=lambda i: (i.short_name_ru, i.pk))
    assert total["learners"]["total"] == 6 and total["institutions"] == 2
    assert total["mentors"]["average"] == 3.0 and total["mentors"]["most"] == 3 and total["mentors"]["mentors"] == 2
    assert total["diary"]["average_lag"] == 6.5 and total["share"]["percent"] == 20.0
    assert total["gender_total"]["F"] == 6 and len(total["gender"]) == 4
    assert json.loads(json.dumps(total)) == total
    empty = reports.indicators([], YEAR)
    assert empty["learners"]["total"] == 0 and empty["diary"]["completion_percent"] is None


def test_marks_of_two_countries_do_not_average():
    kg, kz = college("KG"), college("KZ")
    kz_total = reports.indicators([kz.institution], YEAR)["assessments"]
    assert (kz_total["pass_mark"], kz_total["passed"]) == (50, 0)  # 5 and 2 fail on the 100-point scale
    assert kz_total["average"] == 3.5
    assert reports.indicators([kz.institution], YEAR)["mentors"]["apprentice_limit"] is None  # no KZ rule
    both = reports.indicators([kg.institution, kz.institution], YEAR)["assessments"]
    assert (both["average"], both["pass_mark"], both["passed"], both["count"]) == (None, None, 1, 4)


def _grow(t, n):
    """n more placements of the year, each with a mentor, a diary entry graded, a briefing and an assessment."""
    from kesip.wbl.models import Assessment

    mentor = EmployerPerson.objects.create(
        institution=t.institution, employer=t.e2, last_name="Экинчи", first_name="Насаатчы", position="Мастер", is_mentor=True
    )
    for k in range(n):
        student = f.StudentFactory(institution=t.institution, group=t.g1, sex="FM"[k % 2])
        p = Placement.objects.create(
            institution=t.institution, form="practice", practice_type="production", student=student, group=t.g1,
            employer=t.e2, mentor=mentor, starts_on=D(2025, 2, 1), ends_on=D(2025, 2, 28), hours=20, status="closed",
        )  # fmt: skip
        p.briefings.create(institution=t.institution, kind="institution", held_on=D(2025, 1, 30), conducted_by="Ж")
        p.diary.create(
            institution=t.institution, date=D(2025, 2, 3), task="T", work_done="W", hours=6, status="graded",
            submitted_at=datetime.datetime(2025, 2, 3, 9, tzinfo=datetime.UTC),
            graded_at=datetime.datetime(2025, 2, 4, 9, tzinfo=datetime.UTC), grade=4,
        )  # fmt: skip
        assessment = Assessment.objects.create(
            institution=t.institution, placement=p, assessed_on=D(2025, 3, 1), method="observation", value=4
        )
        _grow_kpis(t, student, assessment, mentor, k)
        _grow_outcomes(t, student, mentor, k)


def _grow_kpis(t, student, assessment, mentor, k):
    """K5, K12, K13: the learner on the agreement's roster, a competency result, the mentor as the employer's assessor."""
    from kesip.curriculum.models import Competency
    from kesip.wbl.models import AgreementRosterEntry, CompetencyResult

    AgreementRosterEntry.objects.create(institution=t.institution, agreement=t.a1, student=student)
    competency = Competency.objects.create(institution=t.institution, programme=t.programme1, code=f"Р-{k}", description="К")
    CompetencyResult.objects.create(institution=t.institution, assessment=assessment, competency=competency, achieved=bool(k % 2))
    assessment.employer_assessors.add(mentor)


def _grow_outcomes(t, student, mentor, k):
    """The learner graduates and works at the host employer; the mentor is enrolled in an upgrading programme."""
    from kesip.curriculum.models import Movement
    from kesip.wbl.models import GraduateEmployment, TrainingNeed, UpgradingEnrolment, UpgradingProgramme

    student.status = "graduated"
    student.save(update_fields=["status"])
    Movement.objects.create(
        institution=t.institution,
        student=student,
        kind="graduation",
        on=D(2025, 6, 30),
        order_number="1",
        order_date=D(2025, 6, 30),
    )
    GraduateEmployment.objects.create(
        institution=t.institution, student=student, outcome="employed", employer=t.e2, starts_on=D(2025, 7, 1),
        is_host_employer=True, in_profession=bool(k % 2),
    )  # fmt: skip
    programme = UpgradingProgramme.objects.create(
        institution=t.institution, title=f"П-{k}", audience="both", hours=8, starts_on=D(2025, 3, 3), ends_on=D(2025, 3, 4)
    )
    TrainingNeed.objects.create(
        institution=t.institution, mentor=mentor, topic=f"Т-{k}", academic_year=YEAR, status="planned", programme=programme
    )
    UpgradingEnrolment.objects.create(institution=t.institution, programme=programme, mentor=mentor, result="completed")
    # K27, K15: an employer's need for the learner's profession and its evaluation of the year.
    from kesip.wbl.models import EmployerEvaluation, EmployerNeed

    employer = f.EmployerFactory(institution=t.institution)
    EmployerNeed.objects.create(
        institution=t.institution, employer=employer, specialty=student.group.programme.specialty, academic_year=YEAR,
        headcount=2, collected_on=D(2024, 10, 1),
    )  # fmt: skip
    EmployerEvaluation.objects.create(
        institution=t.institution, employer=employer, academic_year=YEAR, filled_on=D(2025, 6, 1), score=3,
        answers={"programme_relevance": 3, "results": 3},
    )  # fmt: skip


def _queries(ids):
    with CaptureQueriesContext(connection) as ctx:
        reports.indicators(ids, YEAR)
    return len(ctx.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_placements():
    small, large = college(), college()
    _grow(small, 2)
    _grow(large, 30)
    assert reports.indicators([large.institution], YEAR)["placements"]["counted"] == 34
    few, many = _queries([small.institution.pk]), _queries([large.institution.pk])
    # 16 for the placements' figures, and 3 for graduates by employer, upgrading programmes and training needs (K14, K18);
    # 6 for employers' needs, learners and graduates by profession, their names, evaluations and the F33 share (K27, K15);
    # 6 for K2, K5, K8, K13, K20 and the competency results (K12); 2 for the WBL events (figures and who took part).
    assert few == many <= 33
    assert _queries([small.institution.pk, large.institution.pk]) == few


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_figures_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL run of the suite checks the same SQL there")
    t = college()
    ind = reports.indicators([t.institution], YEAR)
    assert (ind["diary"]["average_lag"], ind["diary"]["lag_max"], ind["diary"]["late"]) == (6.5, 11.0, 1)
    assert ind["share"]["percent"] == 20.0 and ind["mentors"]["apprentice_peak"] == 2
    assert ind["briefings"]["complete"] == 2 and ind["assessments"]["passed"] == 1
