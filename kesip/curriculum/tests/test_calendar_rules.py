"""The calendar schedule's rules at their boundaries: consistency, the graduating year (KZ §4), practice modes (KG п. 26)
and practice dates within an approved practice period (KG п. 27, VR-17)."""

import datetime
from types import SimpleNamespace

import pytest

from kesip.core.roles import Role
from kesip.core.rules import RuleViolation
from kesip.core.tests import factories as f
from kesip.curriculum import calendar_rules as cr
from kesip.curriculum import calendar_services, services
from kesip.curriculum.models import CalendarPeriod, CurriculumEntry, WorkingCurriculum
from kesip.curriculum.tests.factories import ComponentFactory, ModuleFactory, QualificationFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def world(jurisdiction="KG", duration=24, year_of_study=2, practice_in_year=True, subjects_in_year=True, approved=True):
    """A group of intake 2023 and its draft schedule for 2024–2025; the working curriculum plans, in that year,
    a subject, industrial training (`it`) and production practice (`pp`), and educational practice (`ep`) in year 1."""
    inst = f.InstitutionFactory(jurisdiction=jurisdiction)
    spec = f.SpecialtyFactory(jurisdiction=jurisdiction)
    p = f.ProgrammeFactory(institution=inst, specialty=spec, duration_months=duration)
    q = QualificationFactory(specialty=spec)
    p.qualifications.add(q)
    m = ModuleFactory(programme=p, kind="professional", qualification=q)
    subject = ComponentFactory(module=m, hours=200)
    it = ComponentFactory(module=m, kind="industrial_training", hours=206)
    pp = ComponentFactory(module=m, kind="practice", practice_type="production", hours=432)
    ep = ComponentFactory(module=m, kind="practice", practice_type="educational", hours=72)
    wc = WorkingCurriculum.objects.create(
        institution=inst, programme=p, intake_year=2023, status="approved" if approved else "draft"
    )
    rows = [(ep, 1, 2, 72)]
    if subjects_in_year:
        rows.append((subject, year_of_study, 1, 200))
    if practice_in_year:
        rows += [(it, year_of_study, 1, 206), (pp, year_of_study, 2, 432)]
    for c, year, semester, hours in rows:
        CurriculumEntry.objects.create(institution=inst, curriculum=wc, component=c, year=year, semester=semester, hours=hours)
    group = f.GroupFactory(institution=inst, programme=p, intake_year=2023)
    admin = f.member(Role.INSTITUTION_ADMIN, institution=inst)
    schedule = calendar_services.open_calendar(group, 2024, "by_type", admin, year_of_study=year_of_study)
    return SimpleNamespace(
        inst=inst, programme=p, group=group, schedule=schedule, admin=admin, subject=subject, it=it, pp=pp, ep=ep, wc=wc
    )


def add(schedule, kind, start, end, component=None, note=""):
    return CalendarPeriod.objects.create(
        institution_id=schedule.institution_id,
        schedule=schedule,
        kind=kind,
        starts_on=start,
        ends_on=end,
        component=component,
        note=note,
    )


def good_year(w):
    """A year that keeps every rule in both countries: theory, industrial training, production practice, attestations."""
    s = w.schedule
    add(s, "theory", D(2024, 9, 2), D(2024, 11, 2))
    add(s, "industrial_training", D(2024, 11, 4), D(2024, 12, 14), w.it)
    add(s, "theory", D(2024, 12, 16), D(2024, 12, 21))
    add(s, "intermediate_attestation", D(2024, 12, 23), D(2024, 12, 28))
    add(s, "holidays", D(2024, 12, 30), D(2025, 1, 12))
    add(s, "theory", D(2025, 1, 13), D(2025, 2, 15))
    add(s, "practice", D(2025, 2, 17), D(2025, 5, 10), w.pp)
    add(s, "final_attestation", D(2025, 6, 2), D(2025, 6, 21))
    add(s, "holidays", D(2025, 6, 23), D(2025, 8, 31))
    return s


def codes(schedule):
    schedule.refresh_from_db()
    return sorted(v.code for v in cr.calendar_violations(schedule))


@pytest.mark.parametrize("jurisdiction", ["KG", "KZ"])
def test_a_well_formed_year_breaks_no_rule(jurisdiction):
    w = world(jurisdiction)
    assert codes(good_year(w)) == []


def test_the_year_of_study_is_counted_from_the_intake():
    w = world()
    assert w.schedule.year_of_study == 2  # 2024 − 2023 + 1
    other = f.GroupFactory(institution=w.inst, programme=w.programme, intake_year=2024)
    assert calendar_services.open_calendar(other, 2024, "continuous", w.admin).year_of_study == 1
    with pytest.raises(RuleViolation) as twice:
        calendar_services.open_calendar(other, 2024, "continuous", w.admin)
    assert twice.value.code == "curriculum.calendar.exists"


@pytest.mark.parametrize("second_starts, overlaps", [(D(2024, 11, 3), False), (D(2024, 11, 2), True)])
def test_periods_may_touch_but_not_overlap(second_starts, overlaps):
    w = world()
    s = good_year(w)
    CalendarPeriod.objects.filter(schedule=s, kind="industrial_training").update(starts_on=second_starts)
    assert (cr.OVERLAP in codes(s)) is overlaps


@pytest.mark.parametrize("ends_on, outside", [(D(2025, 8, 31), False), (D(2025, 9, 1), True)])
def test_periods_lie_in_the_academic_year(ends_on, outside):
    w = world()
    s = good_year(w)
    CalendarPeriod.objects.filter(schedule=s, starts_on=D(2025, 6, 23)).update(ends_on=ends_on)
    assert (cr.OUTSIDE_YEAR in codes(s)) is outside


def test_theory_is_required_unless_the_year_is_pure_practice():
    w = world()
    s = good_year(w)
    CalendarPeriod.objects.filter(schedule=s, kind="theory").delete()
    assert cr.THEORY in codes(s)
    pure = world(subjects_in_year=False)
    add(pure.schedule, "industrial_training", D(2024, 9, 2), D(2024, 12, 28), pure.it)
    add(pure.schedule, "practice", D(2025, 1, 13), D(2025, 5, 31), pure.pp)
    assert cr.THEORY not in codes(pure.schedule)


def test_each_practice_the_curriculum_plans_this_year_has_its_period():
    w = world()
    s = good_year(w)
    CalendarPeriod.objects.filter(schedule=s, component=w.it).update(kind="theory", component=None)
    found = [v for v in cr.calendar_violations(s) if v.code == cr.PRACTICE_COMPONENTS]
    assert len(found) == 1 and "206" in found[0].message and found[0].source == ""
    # Naming no component at all: one practice period is enough.
    CalendarPeriod.objects.filter(schedule=s, component=w.pp).update(component=None)
    assert cr.PRACTICE_COMPONENTS not in codes(s)
    CalendarPeriod.objects.filter(schedule=s, kind="practice").update(kind="theory")
    assert cr.PRACTICE_COMPONENTS in codes(s)


def test_a_period_for_practice_the_curriculum_plans_in_another_year_is_flagged():
    w = world()
    s = good_year(w)
    add(s, "practice", D(2025, 5, 12), D(2025, 5, 24), w.ep)  # educational practice is planned in year 1
    assert cr.PRACTICE_COMPONENTS in codes(s)


def test_no_practice_planned_needs_no_practice_period():
    w = world(practice_in_year=False)
    add(w.schedule, "theory", D(2024, 9, 2), D(2025, 5, 31))
    add(w.schedule, "final_attestation", D(2025, 6, 2), D(2025, 6, 21))
    assert codes(w.schedule) == []


def test_without_an_approved_working_curriculum_the_schedule_cannot_be_checked():
    w = world(approved=False)
    assert cr.WORKING_CURRICULUM in codes(good_year(w))


def test_the_year_of_study_exists_in_the_programme():
    w = world(year_of_study=3)
    assert cr.YEAR_OF_STUDY in codes(good_year(w))


@pytest.mark.parametrize(
    "duration, year, final, ok",
    [
        (24, 2, True, True),  # graduating year with its final attestation
        (24, 2, False, False),  # graduating year without it
        (34, 2, False, True),  # 34 months is 3 years: year 2 has none
        (34, 2, True, False),  # and may not have one
        (34, 3, True, True),
    ],
)
def test_kz_final_attestation_belongs_to_the_graduating_year_only(duration, year, final, ok):
    w = world("KZ", duration=duration, year_of_study=year)
    s = good_year(w)
    if not final:
        CalendarPeriod.objects.filter(schedule=s, kind="final_attestation").update(kind="intermediate_attestation")
    found = [c for c in codes(s) if c.startswith("curriculum.calendar.final_attestation")]
    assert (found == []) is ok, found
    if not ok:
        v = next(v for v in cr.calendar_violations(s) if v.code == found[0])
        assert "§4" in v.source


def test_kg_has_no_final_attestation_rule():
    w = world("KG")
    s = good_year(w)
    CalendarPeriod.objects.filter(schedule=s, kind="final_attestation").update(kind="intermediate_attestation")
    assert codes(s) == []


def mode_world(mode, jurisdiction="KG"):
    """A year whose theory runs September to May; tests place practice periods into it."""
    w = world(jurisdiction)
    s = w.schedule
    s.practice_mode = mode
    s.save()
    return w, s


@pytest.mark.parametrize(
    "between, blocks",
    [
        (None, 1),  # two adjacent practice periods are one block
        ("holidays", 1),  # holidays are not study time: the block goes on
        ("theory", 2),
        ("intermediate_attestation", 2),
    ],
)
def test_continuous_practice_is_one_block(between, blocks):
    w, s = mode_world("continuous")
    add(s, "theory", D(2024, 9, 2), D(2025, 2, 8))
    add(s, "industrial_training", D(2025, 2, 10), D(2025, 3, 22), w.it)
    if between:
        add(s, between, D(2025, 3, 24), D(2025, 3, 29))
    add(s, "practice", D(2025, 3, 31), D(2025, 6, 14), w.pp)
    add(s, "final_attestation", D(2025, 6, 16), D(2025, 6, 28))
    found = codes(s)
    assert (cr.CONTINUOUS_MAX_BLOCKS in found) is (blocks > 1), found
    assert len(cr.practice_blocks(cr.load_periods(s))) == blocks
    if blocks > 1:
        v = next(v for v in cr.calendar_violations(s) if v.code == cr.CONTINUOUS_MAX_BLOCKS)
        assert "п. 26" in v.source and "10.02.2025–22.03.2025" in v.message


@pytest.mark.parametrize("split, ok", [(False, True), (True, False)])
def test_discrete_by_type_gives_each_type_one_block(split, ok):
    w, s = mode_world("by_type")
    add(s, "theory", D(2024, 9, 2), D(2024, 11, 2))
    add(s, "industrial_training", D(2024, 11, 4), D(2024, 12, 14), w.it)
    add(s, "theory", D(2024, 12, 16), D(2025, 2, 15))
    add(s, "practice", D(2025, 2, 17), D(2025, 3, 29), w.pp)
    if split:
        add(s, "theory", D(2025, 3, 31), D(2025, 4, 5))
    add(s, "practice", D(2025, 4, 7), D(2025, 5, 10), w.pp)
    add(s, "final_attestation", D(2025, 6, 2), D(2025, 6, 21))
    found = codes(s)
    assert (cr.BY_TYPE_MAX_BLOCKS not in found) is ok, found


def test_discrete_by_type_counts_a_period_without_a_component_by_its_kind():
    w, s = mode_world("by_type")
    add(s, "theory", D(2024, 9, 2), D(2024, 11, 2))
    add(s, "practice", D(2024, 11, 4), D(2024, 12, 14))
    add(s, "theory", D(2024, 12, 16), D(2025, 2, 15))
    add(s, "practice", D(2025, 2, 17), D(2025, 5, 10))
    add(s, "final_attestation", D(2025, 6, 2), D(2025, 6, 21))
    assert cr.BY_TYPE_MAX_BLOCKS in codes(s)
    # Two types back to back are two blocks, one per type: allowed.
    CalendarPeriod.objects.filter(schedule=s, starts_on=D(2024, 11, 4)).update(kind="industrial_training")
    assert cr.BY_TYPE_MAX_BLOCKS not in codes(s)


@pytest.mark.parametrize(
    "second, between, found",
    [
        (False, None, {cr.BY_PERIOD_MIN_BLOCKS}),  # one block does not alternate
        (True, "theory", set()),  # practice, theory, practice
        (True, "intermediate_attestation", {cr.BY_PERIOD_THEORY_BETWEEN}),  # separated, but not by theory
        (True, None, {cr.BY_PERIOD_MIN_BLOCKS}),  # adjacent: still one block
    ],
)
def test_discrete_by_period_alternates_practice_with_theory(second, between, found):
    w, s = mode_world("by_period")
    add(s, "theory", D(2024, 9, 2), D(2024, 11, 2))
    add(s, "industrial_training", D(2024, 11, 4), D(2024, 12, 14), w.it)
    if between:
        add(s, between, D(2024, 12, 16), D(2024, 12, 21))
    if second:
        start = D(2024, 12, 23) if between else D(2024, 12, 16)
        add(s, "practice", start, D(2025, 2, 15), w.pp)
    add(s, "theory", D(2025, 2, 17), D(2025, 5, 31))
    add(s, "final_attestation", D(2025, 6, 2), D(2025, 6, 21))
    if not second:
        add(s, "practice", D(2024, 12, 16), D(2024, 12, 28), w.pp)  # next to the industrial training: same block
    mode = {c for c in codes(s) if c.startswith("wbl.practice.mode")}
    assert mode == found


def test_practice_modes_are_a_kg_rule():
    w, s = mode_world("continuous", jurisdiction="KZ")
    good_year(w)
    assert cr.CONTINUOUS_MAX_BLOCKS not in codes(s)  # two blocks, but KZ has no such rule


def approved_practice(jurisdiction="KG"):
    w = world(jurisdiction)
    s = good_year(w)
    head = f.member(Role.HEAD, institution=w.inst)
    calendar_services.approve_calendar(s, head, on=D(2024, 8, 28))
    return w, s, head


@pytest.mark.parametrize(
    "starts_on, ends_on, ok",
    [
        (D(2025, 2, 17), D(2025, 5, 10), True),  # exactly the first and the last day
        (D(2025, 2, 16), D(2025, 5, 10), False),  # one day before
        (D(2025, 2, 17), D(2025, 5, 11), False),  # one day after
        (D(2025, 3, 3), D(2025, 3, 29), True),
    ],
)
def test_practice_dates_lie_within_an_approved_practice_period(starts_on, ends_on, ok):
    w, s, _ = approved_practice()
    if ok:
        assert cr.practice_window(w.group, starts_on, ends_on, w.pp).component == w.pp
    else:
        with pytest.raises(RuleViolation) as refused:
            cr.practice_window(w.group, starts_on, ends_on, w.pp)
        v = refused.value
        assert v.code == cr.WITHIN_CALENDAR and "п. 27" in v.source and "17.02.2025–10.05.2025" in v.message


def test_practice_window_counts_only_the_groups_approved_schedule_for_the_component():
    w, s, head = approved_practice()
    with pytest.raises(RuleViolation):
        cr.practice_window(w.group, D(2025, 3, 3), D(2025, 3, 8), w.it)  # that period is the production practice's
    assert cr.practice_window(w.group, D(2024, 11, 4), D(2024, 11, 9), w.it).component == w.it
    assert cr.practice_window(w.group, D(2024, 11, 4), D(2024, 11, 9), w.it.pk).component == w.it  # an id will do
    assert cr.practice_window(w.group, D(2025, 3, 3), D(2025, 3, 8)).component == w.pp  # any practice
    other = f.GroupFactory(institution=w.inst, programme=w.programme, intake_year=2023)
    with pytest.raises(RuleViolation):
        cr.practice_window(other, D(2025, 3, 3), D(2025, 3, 8))  # another group's calendar does not count
    calendar_services.reopen_calendar(s, head)
    with pytest.raises(RuleViolation):
        cr.practice_window(w.group, D(2025, 3, 3), D(2025, 3, 8))  # a draft does not count
    with pytest.raises(RuleViolation) as order:
        cr.practice_window(w.group, D(2025, 3, 8), D(2025, 3, 3))
    assert order.value.code == "wbl.practice.dates.order"


def test_practice_window_holds_in_kz_with_its_clause():
    w, s, _ = approved_practice("KZ")
    assert cr.practice_window(w.group, D(2025, 2, 17), D(2025, 5, 10)).pk
    with pytest.raises(RuleViolation) as refused:
        cr.practice_window(w.group, D(2025, 5, 12), D(2025, 5, 17))
    assert "§4" in refused.value.source


def test_approval_needs_a_clean_schedule_and_the_right_to_approve():
    w = world()
    s = w.schedule
    add(s, "theory", D(2024, 9, 2), D(2025, 5, 31))
    practice_head = f.member(Role.HEAD_OF_PRACTICE, institution=w.inst)
    head = f.member(Role.HEAD, institution=w.inst)
    with pytest.raises(RuleViolation) as denied:
        calendar_services.approve_calendar(s, practice_head)  # may change groups, may not approve
    assert denied.value.code == "curriculum.calendar.permission"
    with pytest.raises(services.ProgrammeInvalid) as invalid:
        calendar_services.approve_calendar(s, head)
    assert {v.code for v in invalid.value.violations} == {cr.PRACTICE_COMPONENTS}
    s.refresh_from_db()
    assert s.status == "draft" and s.approved_on is None
    CalendarPeriod.objects.filter(schedule=s).delete()
    good_year(w)
    calendar_services.approve_calendar(s, head, on=D(2024, 8, 30))
    s.refresh_from_db()
    assert (s.status, s.approved_on, s.approved_by) == ("approved", D(2024, 8, 30), head)
    with pytest.raises(RuleViolation) as frozen:
        calendar_services.add_period(s, w.admin, kind="theory", starts_on=D(2025, 5, 12), ends_on=D(2025, 5, 31))
    assert frozen.value.code == "curriculum.calendar.frozen"
    with pytest.raises(RuleViolation):
        calendar_services.reopen_calendar(s, practice_head)
    calendar_services.reopen_calendar(s, head)
    s.refresh_from_db()
    assert (s.status, s.approved_on, s.approved_by) == ("draft", None, None)
    period = calendar_services.add_period(s, w.admin, kind="theory", starts_on=D(2025, 5, 12), ends_on=D(2025, 5, 31))
    assert period.institution_id == w.inst.pk


def test_a_period_holds_a_component_of_its_own_kind():
    w = world()
    with pytest.raises(RuleViolation) as wrong:
        calendar_services.add_period(
            w.schedule, w.admin, kind="practice", starts_on=D(2024, 11, 4), ends_on=D(2024, 12, 14), component=w.it
        )
    assert wrong.value.field == "component"
    assert not CalendarPeriod.objects.filter(schedule=w.schedule).exists()


def test_rulebook_holds_the_calendar_rules_with_their_clauses():
    from kesip.core import rules

    assert rules.rule(cr.WITHIN_CALENDAR, "KG").clause == "п. 27"
    assert rules.value(cr.CONTINUOUS_MAX_BLOCKS, "KG") == 1
    assert rules.value(cr.BY_PERIOD_MIN_BLOCKS, "KG") == 2
    assert rules.rule(cr.FINAL_IN_GRADUATING_YEAR, "KZ").clause.startswith("§4")
    with pytest.raises(rules.RuleMissing):
        rules.rule(cr.FINAL_IN_GRADUATING_YEAR, "KG")


def test_demo_calendars_are_approved_and_follow_the_working_curricula():
    from kesip.core import demo as core_demo
    from kesip.core.models import StudyGroup
    from kesip.curriculum import demo

    core_demo.load()
    demo.load()
    demo.load()  # idempotent
    kg = StudyGroup.objects.get(name="ЭГС-23").calendars.get(academic_year=2024)
    kz = StudyGroup.objects.get(name="ДС-24-1").calendars.get(academic_year=2024)
    assert (kg.year_of_study, kz.year_of_study) == (2, 1)
    for s in (kg, kz):
        assert s.status == "approved" and s.approved_by is not None
        assert cr.calendar_violations(s) == [], [v.message for v in cr.calendar_violations(s)]
    assert kg.approved_by.memberships.filter(role="head").exists()
    plan = cr.practice_plan(kg)
    production = next(c for c in plan.practice if c.kind == "practice")
    assert plan.practice[production] == 432
    period = kg.periods.get(component=production)
    assert cr.practice_window(kg.group, period.starts_on, period.ends_on, production) == period
    assert kg.periods.count() == 10 and kz.periods.count() == 6
