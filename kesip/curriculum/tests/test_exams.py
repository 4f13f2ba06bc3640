"""Exams and awards: each rule at its boundary, with its clause; a refused step changes nothing."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from kesip.core.models import Student
from kesip.core.roles import Role
from kesip.core.rules import RuleViolation
from kesip.core.tests import factories as f
from kesip.curriculum import exam_rules, exams
from kesip.curriculum.models import AwardedQualification, ExamResult, GradingScale, QualificationExam
from kesip.curriculum.tests.factories import QualificationFactory

pytestmark = pytest.mark.django_db

E = QualificationExam
DAY = datetime.date(2025, 6, 20)


def college(jurisdiction="KZ", students=3):
    """A group with a worker and a mid-level qualification, its studying students, a teacher and a head."""
    inst = f.InstitutionFactory(jurisdiction=jurisdiction)
    programme = f.ProgrammeFactory(institution=inst)
    worker = QualificationFactory(specialty=programme.specialty, kind="worker")
    mid = QualificationFactory(specialty=programme.specialty, kind="mid_level")
    programme.qualifications.add(worker, mid)
    group = f.GroupFactory(institution=inst, programme=programme)
    return SimpleNamespace(
        institution=inst,
        programme=programme,
        worker=worker,
        mid=mid,
        group=group,
        students=[f.StudentFactory(institution=inst, group=group, last_name=f"Студент{i:02d}") for i in range(students)],
        teacher=f.member(Role.TEACHER, institution=inst),
        head=f.member(Role.HEAD, institution=inst),
    )


def plan(t, user=None, **kwargs):
    values = dict(
        group=t.group,
        qualification=t.worker,
        kind=E.Kind.QUALIFICATION,
        form=E.Form.PRACTICAL_WORK,
        venue_kind=E.Venue.WORKSHOP,
        venue="Сварочная мастерская",
        held_on=DAY,
        experts="Иванов И. И., мастер\nПетров П. П., инженер",
    )
    values.update(kwargs)
    return exams.save_exam(E(**values), user or t.teacher)


def refused(t, **kwargs):
    with pytest.raises(exams.ExamInvalid) as caught:
        plan(t, **kwargs)
    return {v.code: v for v in caught.value.violations}


def marks(t, *values):
    return {s.pk: v for s, v in zip(t.students, values, strict=False)}


def test_an_exam_is_planned_on_the_countrys_default_scale():
    t = college("KZ")
    exam = plan(t)
    assert exam.status == "planned" and exam.institution == t.institution
    assert exam.scale == GradingScale.default_for("KZ") and exam.scale.code == "kz-100-letter"
    assert exam.expert_list == ["Иванов И. И., мастер", "Петров П. П., инженер"]
    assert exam.history.count() == 1


def test_only_a_qualification_of_the_groups_programme():
    t = college()
    other = QualificationFactory(specialty=t.programme.specialty, kind="worker")
    found = refused(t, qualification=other)
    assert list(found) == ["curriculum.exam.qualification"] and found["curriculum.exam.qualification"].field == "qualification"
    assert not E.objects.exists()


def test_kz_qualification_exam_only_for_a_worker_qualification_with_its_clause():
    t = college("KZ")
    found = refused(t, qualification=t.mid)
    v = found[exam_rules.PER_WORKER]
    assert "worker qualification" in v.message and "§13" in v.source
    # The mid-level qualification is assessed by a final demonstration exam instead.
    assert plan(t, qualification=t.mid, kind=E.Kind.DEMO_FINAL, form=E.Form.DEMONSTRATION).pk


def test_the_kz_rule_does_not_apply_in_kyrgyzstan():
    t = college("KG")
    exam = plan(t, qualification=t.mid)
    assert exam.pk and exam.scale.code == "kg-5-point"


def test_one_qualification_exam_per_worker_qualification_names_the_clause_in_kz():
    t = college("KZ")
    first = plan(t)
    v = refused(t, held_on=DAY + datetime.timedelta(days=30))[exam_rules.PER_WORKER]
    assert "already has a qualification exam" in v.message and "20.06.2025" in v.message and "§13, L940-948" in v.source
    # Other kinds for the same qualification are separate exams.
    assert plan(t, kind=E.Kind.DEMO_INTERMEDIATE, form=E.Form.DEMONSTRATION).pk
    assert E.objects.count() == 2 and E.objects.get(kind="qualification") == first


def test_a_second_exam_of_the_same_kind_is_refused_in_kyrgyzstan_without_a_clause():
    t = college("KG")
    plan(t)
    v = refused(t)["curriculum.exam.duplicate"]
    assert v.source == "" and v.field == "qualification"
    exam = plan(t, kind=E.Kind.DEMO_FINAL)
    exam.kind = E.Kind.QUALIFICATION  # changing an exam into a twin is refused too
    with pytest.raises(exams.ExamInvalid):
        exams.save_exam(exam, t.teacher)
    assert E.objects.get(pk=exam.pk).kind == "demo_final"


def test_at_least_one_expert():
    kz = college("KZ")
    v = refused(kz, experts="  \n \n")[exam_rules.MIN_EXPERTS]
    assert v.field == "experts" and "§13, L993-995" in v.source and "at least 1 expert" in v.message
    assert plan(kz, experts="Один эксперт").expert_list == ["Один эксперт"]
    kg = college("KG")
    assert "curriculum.exam.experts" in refused(kg, experts="\n")


def test_the_scale_is_of_the_institutions_country():
    t = college("KZ")
    assert "curriculum.exam.scale" in refused(t, scale=GradingScale.default_for("KG"))


def removed(t, until=datetime.date(2025, 7, 15)):
    t.worker.is_active, t.worker.valid_until = False, until
    t.worker.removal_basis = "Law No. 141-VII of 14.07.2022"
    t.worker.save()


def test_a_removed_qualification_is_examined_until_its_valid_until_day():
    t = college("KZ")
    removed(t)
    assert plan(t, held_on=datetime.date(2025, 7, 15)).pk  # the last day still counts
    v = refused(t, kind=E.Kind.DEMO_INTERMEDIATE, held_on=datetime.date(2025, 7, 16))[exam_rules.REMOVED]
    assert "Law No. 141-VII" in v.message and "15.07.2025" in v.message and "16.07.2025" in v.message
    assert v.field == "held_on" and v.source == "Law No. 141-VII of 14.07.2022"


def test_award_on_the_valid_until_day_and_refusal_the_day_after_saves_nothing():
    t = college("KZ")
    removed(t)
    last_day = plan(t, held_on=datetime.date(2025, 7, 15))
    outcome = exams.record_results(last_day, marks(t, 90, 80, 70), t.teacher, close=True)
    assert len(outcome.awarded) == 3 and {a.awarded_on for a in outcome.awarded} == {datetime.date(2025, 7, 15)}
    # An exam dated after the removal (planned before the classifier changed) cannot award.
    late = E.objects.create(
        institution=t.institution,
        group=t.group,
        qualification=t.worker,
        kind=E.Kind.DEMO_FINAL,
        venue_kind="workshop",
        held_on=datetime.date(2025, 7, 16),
        experts="Эксперт",
        scale=last_day.scale,
    )
    AwardedQualification.objects.all().delete()
    with pytest.raises(RuleViolation) as caught:
        exams.record_results(late, marks(t, 90, 80, 70), t.teacher, close=True)
    assert caught.value.code == exam_rules.REMOVED and "Law No. 141-VII" in caught.value.message
    late.refresh_from_db()
    assert late.status == "planned" and not late.results.exists() and not AwardedQualification.objects.exists()


def test_results_pass_or_fail_by_the_band_at_its_boundary():
    t = college("KZ", students=4)
    exam = plan(t)
    exams.record_results(exam, marks(t, "50", "49.9", "100", "0"), t.teacher)
    got = {r.student_id: (r.value, r.passed) for r in exam.results.all()}
    assert [got[s.pk] for s in t.students] == [
        (Decimal("50.0"), True),
        (Decimal("49.9"), False),
        (Decimal("100.0"), True),
        (Decimal("0.0"), False),
    ]
    assert exam.scale.band_for(Decimal("50")).letter == "D" and exam.scale.band_for(Decimal("49.9")).letter == "F"
    kg = college("KG", students=2)
    kg_exam = plan(kg)
    exams.record_results(kg_exam, marks(kg, "3", "2"), kg.teacher)
    assert [r.passed for r in kg_exam.results.order_by("student__last_name")] == [True, False]


def test_a_bad_mark_anywhere_saves_nothing_and_names_each_row():
    t = college("KZ", students=3)
    exam = plan(t)
    exams.record_results(exam, marks(t, 70, 70, 70), t.teacher)
    with pytest.raises(exams.ExamInvalid) as caught:
        exams.record_results(exam, marks(t, 80, "100.1", "abc"), t.teacher)
    fields = {v.field: v for v in caught.value.violations}
    assert set(fields) == {f"student-{t.students[1].pk}", f"student-{t.students[2].pk}"}
    assert "between 0 and 100" in fields[f"student-{t.students[1].pk}"].message
    assert "is not a mark" in fields[f"student-{t.students[2].pk}"].message
    assert sorted(exam.results.values_list("value", flat=True)) == [70, 70, 70]
    with pytest.raises(exams.ExamInvalid) as caught:
        exams.record_results(exam, marks(t, "70.25"), t.teacher)
    assert "one decimal place" in caught.value.violations[0].message


def test_kg_marks_take_a_decimal_comma_and_stay_within_2_to_5():
    t = college("KG", students=2)
    exam = plan(t)
    exams.record_results(exam, marks(t, "4,5", ""), t.teacher)
    assert list(exam.results.values_list("value", flat=True)) == [Decimal("4.5")]  # blank: no result
    with pytest.raises(exams.ExamInvalid) as caught:
        exams.record_results(exam, marks(t, "1.9"), t.teacher)
    assert "between 2 and 5" in caught.value.violations[0].message


def test_only_studying_students_of_the_group_get_results():
    t = college("KZ", students=2)
    on_leave = f.StudentFactory(institution=t.institution, group=t.group, status=Student.Status.ACADEMIC_LEAVE)
    elsewhere = f.StudentFactory(institution=t.institution)
    exam = plan(t)
    with pytest.raises(exams.ExamInvalid) as caught:
        exams.record_results(exam, {t.students[0].pk: 90, on_leave.pk: 90, elsewhere.pk: 90}, t.teacher)
    assert {v.field for v in caught.value.violations} == {f"student-{on_leave.pk}", f"student-{elsewhere.pk}"}
    assert {v.code for v in caught.value.violations} == {"curriculum.exam.student"}
    assert not exam.results.exists()


def test_marking_held_awards_those_who_passed_on_the_exam_day():
    t = college("KZ", students=3)
    exam = plan(t)
    outcome = exams.record_results(exam, marks(t, 95, 30, None), t.teacher, close=True)
    exam.refresh_from_db()
    assert exam.status == "held"
    assert [(a.student, a.qualification, a.exam, a.awarded_on) for a in outcome.awarded] == [(t.students[0], t.worker, exam, DAY)]
    assert AwardedQualification.objects.count() == 1 and outcome.skipped == []
    # A held exam is frozen: results, changes and deletion wait for a reopening.
    with pytest.raises(RuleViolation, match="reopen"):
        exams.record_results(exam, marks(t, 95, 95, 95), t.teacher)
    exam.venue = "Другое место"
    with pytest.raises(RuleViolation, match="reopen"):
        exams.save_exam(exam, t.teacher)
    with pytest.raises(RuleViolation, match="reopen"):
        exams.delete_exam(exam, t.teacher)
    assert exams.award_qualifications(exam, t.teacher) == ([], [])  # running it again awards nobody twice
    assert AwardedQualification.objects.count() == 1


def test_a_student_who_holds_the_qualification_is_not_awarded_twice():
    t = college("KZ", students=2)
    earlier = AwardedQualification.objects.create(
        institution=t.institution, student=t.students[0], qualification=t.worker, awarded_on=datetime.date(2024, 6, 1)
    )
    exam = plan(t)
    outcome = exams.record_results(exam, marks(t, 90, 90), t.teacher, close=True)
    assert [a.student for a in outcome.awarded] == [t.students[1]]
    [skipped] = outcome.skipped
    assert skipped.code == exam_rules.PER_WORKER and "§13" in skipped.source and "01.06.2024" in skipped.message
    assert skipped.field == f"student-{t.students[0].pk}"
    assert AwardedQualification.objects.get(student=t.students[0]) == earlier


def test_in_kyrgyzstan_the_twice_awarded_student_is_skipped_without_a_clause():
    t = college("KG", students=1)
    AwardedQualification.objects.create(
        institution=t.institution, student=t.students[0], qualification=t.worker, awarded_on=datetime.date(2024, 6, 1)
    )
    outcome = exams.record_results(plan(t), marks(t, 5), t.teacher, close=True)
    assert outcome.awarded == [] and [v.code for v in outcome.skipped] == ["curriculum.exam.already_awarded"]


def test_intermediate_demonstration_exam_awards_nothing_and_the_final_one_does():
    t = college("KZ", students=1)
    intermediate = plan(t, kind=E.Kind.DEMO_INTERMEDIATE, form=E.Form.DEMONSTRATION)
    assert exams.record_results(intermediate, marks(t, 99), t.teacher, close=True).awarded == []
    final = plan(t, qualification=t.mid, kind=E.Kind.DEMO_FINAL, form=E.Form.DEMONSTRATION)
    [award] = exams.record_results(final, marks(t, 99), t.teacher, close=True).awarded
    assert award.qualification == t.mid and not AwardedQualification.objects.filter(qualification=t.worker).exists()


def test_marking_held_needs_the_day_and_results():
    t = college("KZ", students=1)
    exam = plan(t, held_on=datetime.date(2030, 1, 10))
    with pytest.raises(RuleViolation) as caught:
        exams.record_results(exam, marks(t, 90), t.teacher, close=True, on=datetime.date(2030, 1, 9))
    assert caught.value.code == "curriculum.exam.date"
    assert not exam.results.exists()  # the results of the refused close are not kept either
    with pytest.raises(RuleViolation) as caught:
        exams.close_exam(exam, t.teacher, on=datetime.date(2030, 1, 10))
    assert caught.value.code == "curriculum.exam.no_results"
    exams.record_results(exam, marks(t, 90), t.teacher)
    assert len(exams.close_exam(exam, t.teacher, on=datetime.date(2030, 1, 10)).awarded) == 1


def test_a_student_who_left_before_the_exam_was_marked_held_blocks_it_until_the_results_are_saved_again():
    t = college("KZ", students=2)
    exam = plan(t)
    exams.record_results(exam, marks(t, 90, 90), t.teacher)
    Student.objects.filter(pk=t.students[1].pk).update(status=Student.Status.EXPELLED)
    with pytest.raises(exams.ExamInvalid) as caught:
        exams.close_exam(exam, t.teacher)
    assert caught.value.violations[0].field == f"student-{t.students[1].pk}"
    exams.record_results(exam, marks(t, 90), t.teacher, close=True)
    assert list(AwardedQualification.objects.values_list("student", flat=True)) == [t.students[0].pk]


def test_reopening_withdraws_the_awards_and_keeps_their_history():
    t = college("KZ", students=2)
    exam = plan(t)
    exams.record_results(exam, marks(t, 90, 20), t.teacher, close=True)
    withdrawn = exams.reopen_exam(exam, t.teacher)
    exam.refresh_from_db()
    assert exam.status == "planned" and len(withdrawn) == 1 and not AwardedQualification.objects.exists()
    assert AwardedQualification.history.filter(history_type="-").count() == 1
    assert list(exam.history.values_list("status", flat=True)[:3]) == ["planned", "held", "planned"]
    outcome = exams.record_results(exam, marks(t, 90, 90), t.teacher, close=True)
    assert len(outcome.awarded) == 2
    with pytest.raises(RuleViolation):
        exams.reopen_exam(plan(t, kind=E.Kind.DEMO_FINAL), t.teacher)


def test_the_scale_stays_while_there_are_results_and_a_planned_exam_is_deleted_with_them():
    t = college("KZ", students=1)
    exam = plan(t)
    exams.record_results(exam, marks(t, 90), t.teacher)
    other = GradingScale.objects.create(code="kz-test", jurisdiction="KZ", min_value=0, max_value=10)
    exam.scale = other
    with pytest.raises(exams.ExamInvalid) as caught:
        exams.save_exam(exam, t.teacher)
    assert caught.value.violations[0].field == "scale"
    exams.delete_exam(exam, t.teacher)
    assert not E.objects.exists() and not ExamResult.objects.exists()


def test_who_may_plan_and_record():
    t = college("KZ", students=1)
    with pytest.raises(RuleViolation) as caught:
        plan(t, user=t.head)  # the head reads exams, teachers and heads of practice keep them
    assert caught.value.code == "curriculum.exam.permission"
    practice = f.member(Role.HEAD_OF_PRACTICE, institution=t.institution)
    exam = plan(t, user=practice)
    other = college("KZ")
    with pytest.raises(RuleViolation):
        exams.record_results(exam, marks(t, 90), other.teacher)
    assert not exam.results.exists()
    assert exams.allowed_steps(exam, t.head, 0) == set()
    assert exams.allowed_steps(exam, t.teacher, 1, today=DAY) == {"edit", "results", "delete", "close"}
    assert exams.allowed_steps(exam, t.teacher, 1, today=DAY - datetime.timedelta(days=1)) == {"edit", "results", "delete"}


def test_the_demo_holds_the_lyceums_exam_and_plans_the_colleges():
    from kesip.curriculum import demo_exams

    assert demo_exams.demo_exams() == []  # no demo groups: nothing happens
    kg = college("KG", students=5)
    kg.group.name = "ЭГС-23"
    kg.group.save()
    kg.worker.code = "7212.2-3"
    kg.worker.save()
    kz = college("KZ", students=2)
    kz.group.name = "ДС-24-1"
    kz.group.save()
    today = datetime.date(2026, 3, 1)
    held, planned = demo_exams.demo_exams(today)
    assert (held.kind, held.status, held.held_on) == ("qualification", "held", datetime.date(2025, 6, 20))
    assert len(held.expert_list) == 2
    assert held.venue_kind == "workshop" and "ширетүү устаканасы" in held.venue
    assert held.results.count() == 5 and held.results.filter(passed=True).count() == 4
    assert AwardedQualification.objects.filter(exam=held, qualification=kg.worker).count() == 4
    assert (planned.kind, planned.status, planned.qualification, planned.form) == (
        "demo_intermediate",
        "planned",
        kz.worker,
        "demonstration",
    )
    assert planned.held_on > today and len(planned.expert_list) == 2
    again = demo_exams.demo_exams(today)
    assert [e.pk for e in again] == [held.pk, planned.pk] and E.objects.count() == 2
    assert AwardedQualification.objects.count() == 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_planning_and_awarding_leave_one_exam_and_one_award():
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("simultaneous requests are exercised on PostgreSQL (CI runs the suite there too)")
    t = college("KZ", students=1)

    def race(*steps):
        barrier, outcomes = threading.Barrier(len(steps)), []

        def run(step):
            barrier.wait()
            try:
                outcomes.append(step())
            except (exams.ExamInvalid, RuleViolation) as refusal:
                outcomes.append(refusal)
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(step,)) for step in steps]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return outcomes

    planned = race(*[lambda: plan(t)] * 4)
    assert E.objects.count() == 1 and sum(isinstance(o, exams.ExamInvalid) for o in planned) == 3
    exam = E.objects.get()
    final = plan(t, kind=E.Kind.DEMO_FINAL, form=E.Form.DEMONSTRATION)
    for e in (exam, final):
        exams.record_results(e, marks(t, 90), t.teacher)
    closed = race(*[lambda e=e: exams.close_exam(e, t.teacher) for e in (exam, final)])
    assert AwardedQualification.objects.count() == 1
    assert sorted(len(o.awarded) for o in closed) == [0, 1] and sum(len(o.skipped) for o in closed) == 1
