"""A student's life by order: every step and every refusal, the removed-qualification rule, the 20 % remote cap."""

import datetime
from types import SimpleNamespace

import pytest

from kesip.core.models import Student
from kesip.core.roles import Role
from kesip.core.rules import RuleViolation
from kesip.core.tests import factories as f
from kesip.curriculum import services as design_services
from kesip.curriculum import students_services as services
from kesip.curriculum.models import DistanceExemption, IndividualCurriculum, IndividualEntry, Movement
from kesip.curriculum.students_rules import load_remote_check, student_remote_violations, study_period
from kesip.curriculum.tests.factories import ComponentFactory, ModuleFactory, QualificationFactory

pytestmark = pytest.mark.django_db

D = datetime.date
ORDER = {"order_number": "12-к", "order_date": D(2024, 8, 26), "on": D(2024, 9, 1)}
CAP = "curriculum.distance_learning.max_percent_time"


def kz_cohort(remote=0, intake=2024, year_of_study=1):
    """A KZ institution with a 3-year programme (4320 h: A, B, C of 1440 h), its working curriculum and group."""
    inst = f.InstitutionFactory(jurisdiction="KZ")
    spec = f.SpecialtyFactory(jurisdiction="KZ")
    p = f.ProgrammeFactory(institution=inst, specialty=spec, duration_months=34, total_hours=4320, total_credits=180)
    q = QualificationFactory(specialty=spec)
    p.qualifications.add(q)
    ge = ModuleFactory(programme=p, kind="general")
    prof = ModuleFactory(programme=p, kind="professional", qualification=q)
    a = ComponentFactory(module=ge, hours=1440, credits=60)
    b = ComponentFactory(module=prof, hours=1440, credits=60)
    c = ComponentFactory(module=prof, kind="practice", practice_type="production", hours=1440, credits=60)
    p.status = "approved"
    p.save()
    admin = f.member(Role.INSTITUTION_ADMIN, institution=inst)
    wc = design_services.open_working_curriculum(p, intake, admin)
    design_services.save_layout(wc, {(a.pk, 1, 1): (1440, remote), (b.pk, 2, 1): (1440, 0), (c.pk, 3, 1): (1440, 0)})
    group = f.GroupFactory(institution=inst, programme=p, intake_year=intake, year_of_study=year_of_study, name=f"ГР-{intake}")
    return SimpleNamespace(inst=inst, programme=p, qualification=q, a=a, b=b, c=c, admin=admin, wc=wc, group=group)


def new_student(c, **kwargs):
    return Student(institution=c.inst, last_name="Омаров", first_name="Ерлан", national_id=f.national_id_for(c.inst), **kwargs)


def enrolled(c, group=None):
    s = new_student(c)
    services.enrol(s, group or c.group, c.admin, **ORDER)
    return s


def step(c, student, kind, **kwargs):
    data = {"order_number": "30-к", "order_date": D(2025, 1, 10), "on": D(2025, 1, 13), **kwargs}
    return services.take_step(student, kind, c.admin, **data)


# --- enrolment and the removed-qualification rule (KZ §6) ---------------------------------------


def test_enrolment_creates_the_student_with_the_order_in_one_step():
    c = kz_cohort()
    s = enrolled(c)
    assert s.pk and s.status == "enrolled" and s.group == c.group and s.enrolled_on == D(2024, 9, 1)
    m = Movement.objects.get(student=s)
    assert (m.kind, m.order_number, m.to_group, m.from_group, m.recorded_by) == ("enrolment", "12-к", c.group, None, c.admin)


def test_a_new_intake_refuses_a_removed_qualification_naming_it_and_its_basis():
    c = kz_cohort(intake=2024)
    c.qualification.is_active = False
    c.qualification.valid_until = D(2025, 7, 15)
    c.qualification.removal_basis = "Приказ МОН РК № 500 от 27.09.2018"
    c.qualification.save()
    before = Student.objects.count()
    with pytest.raises(RuleViolation) as refused:
        enrolled(c)
    v = refused.value
    assert v.code == "curriculum.classifier.removed" and v.field == "to_group"
    assert c.qualification.code in v.message and "№ 500" in v.message and "new intake" in v.message
    assert "§6" in v.source  # the rulebook entry of the KZ guidance
    assert Student.objects.count() == before and not Movement.objects.exists()


@pytest.mark.parametrize("on, ok", [(D(2025, 7, 15), True), (D(2025, 7, 16), False)])
def test_an_existing_cohort_keeps_a_removed_qualification_until_its_valid_until(on, ok):
    c = kz_cohort(intake=2024)
    c.qualification.is_active, c.qualification.valid_until = False, D(2025, 7, 15)
    c.qualification.save()
    s = new_student(c)
    call = lambda: services.enrol(s, c.group, c.admin, order_number="5", order_date=D(2025, 1, 1), on=on)  # noqa: E731
    if ok:
        call()
        assert s.status == "enrolled"
    else:
        with pytest.raises(RuleViolation, match="kept it until 15.07.2025"):
            call()


def test_an_enrolled_student_is_not_enrolled_twice_but_a_graduate_may_start_again():
    c = kz_cohort(year_of_study=3)
    s = enrolled(c)
    with pytest.raises(RuleViolation, match="already recorded"):
        step(c, s, "enrolment", to_group=c.group)
    step(c, s, "graduation")
    other = f.GroupFactory(institution=c.inst, programme=c.programme, intake_year=2025, name="ГР-25")
    step(c, s, "enrolment", to_group=other, on=D(2025, 9, 1))
    s.refresh_from_db()
    assert s.status == "enrolled" and s.group == other


def test_a_student_recorded_without_an_order_gets_the_enrolment_recorded():
    c = kz_cohort()
    s = f.StudentFactory(institution=c.inst, group=c.group)
    assert [t.kind for t in services.allowed(s, c.admin)][0] == "enrolment"
    step(c, s, "enrolment", to_group=c.group)
    assert s.movements.get().kind == "enrolment"


# --- transfer -------------------------------------------------------------------------------------


def test_transfer_records_both_groups_and_moves_the_student():
    c = kz_cohort()
    s = enrolled(c)
    other = f.GroupFactory(institution=c.inst, programme=c.programme, intake_year=2024, name="ГР-24-2")
    m = step(c, s, "transfer", to_group=other)
    s.refresh_from_db()
    assert (m.from_group, m.to_group, s.group, s.status) == (c.group, other, other, "enrolled")


def test_transfer_refusals_leave_the_student_where_it_was():
    c = kz_cohort()
    s = enrolled(c)
    closed = f.GroupFactory(institution=c.inst, programme=c.programme, intake_year=2024, name="ГР-закрыта", is_active=False)
    foreign = f.GroupFactory(institution=f.InstitutionFactory(jurisdiction="KZ"), intake_year=2024)
    for group, message in [
        (c.group, "already studies"),
        (closed, "closed"),
        (foreign, "student's institution"),
        (None, "Choose the group"),
    ]:
        with pytest.raises(RuleViolation, match=message):
            step(c, s, "transfer", to_group=group)
    step(c, s, "academic_leave", leave_until=D(2025, 9, 1))
    other = f.GroupFactory(institution=c.inst, programme=c.programme, intake_year=2024, name="ГР-24-3")
    with pytest.raises(RuleViolation, match="cannot take the step"):
        step(c, s, "transfer", to_group=other)
    s.refresh_from_db()
    assert s.group == c.group and s.movements.count() == 2


# --- leave, return, expulsion, reinstatement, graduation ------------------------------------------


def test_academic_leave_and_return():
    c = kz_cohort()
    s = enrolled(c)
    with pytest.raises(RuleViolation, match="leave ends"):
        step(c, s, "academic_leave", leave_until=D(2025, 1, 13))  # ends the day it starts
    with pytest.raises(RuleViolation, match="leave ends"):
        step(c, s, "academic_leave")
    m = step(c, s, "academic_leave", leave_until=D(2025, 9, 1), reason="по медицинскому заключению")
    s.refresh_from_db()
    assert s.status == "academic_leave" and m.leave_until == D(2025, 9, 1) and m.from_group == c.group
    assert [t.kind for t in services.allowed(s, c.admin)] == ["return", "expulsion"]
    back = step(c, s, "return", on=D(2025, 9, 1))
    s.refresh_from_db()
    assert s.status == "enrolled" and back.to_group == c.group and s.group == c.group


def test_expulsion_needs_a_reason_and_reinstatement_a_group():
    c = kz_cohort()
    s = enrolled(c)
    with pytest.raises(RuleViolation, match="reason"):
        step(c, s, "expulsion", reason="  ")
    step(c, s, "expulsion", reason="по собственному желанию")
    s.refresh_from_db()
    assert s.status == "expelled" and s.group == c.group  # the last group is kept for the record
    assert [t.kind for t in services.allowed(s, c.admin)] == ["reinstatement"]
    with pytest.raises(RuleViolation, match="Choose the group"):
        step(c, s, "reinstatement", on=D(2025, 2, 1))
    m = step(c, s, "reinstatement", on=D(2025, 2, 1), to_group=c.group)
    s.refresh_from_db()
    assert s.status == "enrolled" and m.to_group == c.group


@pytest.mark.parametrize("year_of_study, ok", [(2, False), (3, True)])
def test_graduation_only_from_the_final_year(year_of_study, ok):
    c = kz_cohort(year_of_study=year_of_study)  # 34 months: 3 years of study
    s = enrolled(c)
    assert ("graduation" in [t.kind for t in services.allowed(s, c.admin)]) is ok
    if ok:
        step(c, s, "graduation", on=D(2027, 6, 30), order_date=D(2025, 1, 10))
        s.refresh_from_db()
        assert s.status == "graduated"
        assert [t.kind for t in services.allowed(s, c.admin)] == ["enrolment"]
    else:
        with pytest.raises(RuleViolation, match="year 2 of 3"):
            step(c, s, "graduation")
        s.refresh_from_db()
        assert s.status == "enrolled"


def test_impossible_steps_are_not_offered():
    c = kz_cohort()
    s = enrolled(c)
    assert [t.kind for t in services.allowed(s, c.admin)] == ["transfer", "academic_leave", "expulsion"]
    with pytest.raises(RuleViolation, match="cannot take the step"):
        step(c, s, "return")
    with pytest.raises(RuleViolation, match="cannot take the step"):
        step(c, s, "reinstatement", to_group=c.group)
    teacher = f.member(Role.TEACHER, institution=c.inst)
    assert services.allowed(s, teacher) == []
    with pytest.raises(RuleViolation, match="may not"):
        services.take_step(s, "expulsion", teacher, reason="x", **ORDER)
    assert s.movements.count() == 1


def test_orders_and_dates_are_checked():
    c = kz_cohort()
    s = enrolled(c)
    with pytest.raises(RuleViolation, match="number of the order"):
        step(c, s, "expulsion", reason="x", order_number=" ")
    with pytest.raises(RuleViolation, match="future"):
        step(c, s, "expulsion", reason="x", order_date=datetime.date.today() + datetime.timedelta(days=1))
    with pytest.raises(RuleViolation, match="cannot take effect earlier"):
        step(c, s, "expulsion", reason="x", on=D(2024, 8, 31))
    with pytest.raises(RuleViolation, match="Unknown step"):
        step(c, s, "promotion")
    assert s.movements.count() == 1 and Student.objects.get(pk=s.pk).status == "enrolled"


# --- individual curricula -------------------------------------------------------------------------


def test_an_individual_curriculum_only_for_a_student_with_sen():
    c = kz_cohort()
    s = enrolled(c)
    with pytest.raises(RuleViolation, match="special educational needs"):
        services.save_individual_curriculum(IndividualCurriculum(student=s, kind="individual", basis="ПМПК"), c.admin)
    s.special_needs = True
    s.save()
    plan = services.save_individual_curriculum(IndividualCurriculum(student=s, kind="individual", basis="ПМПК"), c.admin)
    assert plan.institution_id == c.inst.pk


def test_individual_entries_are_checked_and_saved_all_or_nothing():
    c = kz_cohort()
    s = enrolled(c)
    s.special_needs = True
    s.save()
    plan = services.save_individual_curriculum(IndividualCurriculum(student=s, kind="special", basis="ПМПК"), c.admin)
    services.save_individual_entries(plan, {(c.a.pk, 1, 1): (1000, 500)})
    foreign = ComponentFactory(module=ModuleFactory(programme=f.ProgrammeFactory(institution=c.inst)))
    for cells, message in [
        ({(c.a.pk, 1, 1): (10, 11)}, "cannot exceed"),
        ({(c.a.pk, 4, 1): (10, 0)}, "beyond the programme"),
        ({(foreign.pk, 1, 1): (10, 0)}, "another programme"),
    ]:
        with pytest.raises(RuleViolation, match=message):
            services.save_individual_entries(plan, {(c.b.pk, 2, 1): (1440, 0), **cells})
    assert [(e.component_id, e.hours, e.distance_hours) for e in IndividualEntry.objects.filter(plan=plan)] == [
        (c.a.pk, 1000, 500)
    ]


# --- the remote cap per student (KZ §7) -----------------------------------------------------------

ON = D(2025, 3, 1)


@pytest.mark.parametrize("remote, ok", [(864, True), (865, False)])
def test_at_most_20_percent_of_the_students_hours_remotely(remote, ok):
    c = kz_cohort(remote=remote)  # 864 of 4320 hours is exactly 20 %
    s = enrolled(c)
    found = student_remote_violations(s, on=ON)
    assert (found == []) is ok
    if not ok:
        assert found[0].code == CAP and "20.03" in found[0].message and "§7" in found[0].source


def exemption(s, valid_from, valid_until, reason="competition"):
    return DistanceExemption.objects.create(
        institution=s.institution,
        student=s,
        reason=reason,
        document="Приказ № 14 о participation in WorldSkills",
        document_date=valid_from,
        valid_from=valid_from,
        valid_until=valid_until,
    )


@pytest.mark.parametrize(
    "valid_until, ok", [(D(2025, 3, 1), True), (D(2025, 2, 28), False)], ids=["valid-on-the-day", "expired-the-day-before"]
)
def test_an_exemption_in_force_lifts_the_cap_and_an_expired_one_does_not(valid_until, ok):
    c = kz_cohort(remote=865)
    s = enrolled(c)
    x = exemption(s, D(2024, 10, 1), valid_until)
    check = load_remote_check(s, on=ON)
    assert (check.violations == []) is ok
    assert (check.exemption == x) is ok
    assert check.over_cap


def test_the_individual_curriculum_replaces_the_working_curriculums_components():
    c = kz_cohort(remote=864)
    s = enrolled(c)
    s.special_needs = True
    s.save()
    plan = services.save_individual_curriculum(IndividualCurriculum(student=s, kind="individual", basis="ПМПК"), c.admin)
    # A studied with one more remote hour: 865 of 4320 — above the cap.
    services.save_individual_entries(plan, {(c.a.pk, 1, 1): (720, 720), (c.a.pk, 1, 2): (720, 145)})
    s = Student.objects.get(pk=s.pk)
    check = load_remote_check(s, on=ON)
    assert (check.total, check.remote, check.individual) == (4320, 865, True)
    assert [v.code for v in check.violations] == [CAP]
    # Practice C dropped for the student (0 hours): 865 of 2880 — far above; an SEN exemption lifts it.
    services.save_individual_entries(plan, {(c.a.pk, 1, 1): (1440, 865), (c.c.pk, 3, 1): (0, 0)})
    check = load_remote_check(Student.objects.get(pk=s.pk), on=ON)
    assert (check.total, check.remote) == (2880, 865)
    services.save_exemption(
        DistanceExemption(
            student=s, reason="special_needs", document="ПМПК", document_date=ON, valid_from=ON, valid_until=D(2027, 6, 30)
        ),
        c.admin,
    )
    assert student_remote_violations(Student.objects.get(pk=s.pk), on=ON) == []


def test_a_country_without_the_cap_has_no_remote_violation():
    inst = f.InstitutionFactory(jurisdiction="KG")
    p = f.ProgrammeFactory(institution=inst, duration_months=10, status="approved")
    comp = ComponentFactory(module=ModuleFactory(programme=p), hours=100)
    wc = p.working_curricula.create(institution=inst, intake_year=2024)
    wc.entries.create(institution=inst, component=comp, year=1, semester=1, hours=100, distance_hours=100)
    s = f.StudentFactory(institution=inst, group=f.GroupFactory(institution=inst, programme=p, intake_year=2024))
    check = load_remote_check(s, on=ON)
    assert check.share == 100 and check.cap is None and check.violations == []


def test_a_graduates_check_speaks_of_a_day_within_the_study_period():
    c = kz_cohort(remote=865, year_of_study=3)
    s = enrolled(c)
    start, end = study_period(c.group)
    assert (start, end) == (D(2024, 9, 1), D(2027, 6, 30))
    exemption(s, D(2027, 1, 1), D(2027, 12, 31))
    assert load_remote_check(s, on=D(2024, 5, 1)).on == start
    assert load_remote_check(s, on=D(2030, 1, 1)).on == D(2030, 1, 1)  # still studying: today
    step(c, s, "graduation", on=D(2027, 6, 30))
    s.refresh_from_db()
    assert load_remote_check(s, on=D(2030, 1, 1)).on == end and student_remote_violations(s, on=D(2030, 1, 1)) == []


# --- exemptions -----------------------------------------------------------------------------------


def test_exemption_grounds_and_dates_are_checked():
    c = kz_cohort()
    s = enrolled(c)
    bad = DistanceExemption(student=s, reason="special_needs", document="x", document_date=ON, valid_from=ON, valid_until=ON)
    with pytest.raises(RuleViolation, match="not marked as having special educational needs") as refused:
        services.save_exemption(bad, c.admin)
    assert refused.value.field == "reason"
    reversed_dates = DistanceExemption(
        student=s, reason="temporary", document="x", document_date=ON, valid_from=ON, valid_until=D(2025, 2, 1)
    )
    with pytest.raises(RuleViolation, match="end before it starts"):
        services.save_exemption(reversed_dates, c.admin)
    assert not DistanceExemption.objects.exists()
    ok = services.save_exemption(
        DistanceExemption(student=s, reason="temporary", document="x", document_date=ON, valid_from=ON, valid_until=ON),
        c.admin,
    )
    assert ok.pk and ok.institution_id == c.inst.pk


def test_demo_movements_of_the_lyceum_group_follow_the_rules():
    from kesip.core import demo as core_demo
    from kesip.curriculum import demo as curriculum_demo
    from kesip.curriculum.demo_students import demo_students

    core_demo.load()
    curriculum_demo.load()
    created = demo_students()
    assert demo_students() == []  # idempotent
    kinds = sorted(m.kind for m in created)
    assert kinds.count("enrolment") == Student.objects.filter(group__name="ЭГС-23").count()
    assert kinds.count("academic_leave") == kinds.count("return") == 1
    transferred = Movement.objects.get(order_number="7-к")
    assert "лицея № 12" in transferred.reason and transferred.student.status == "enrolled"
