"""The journal: subjects of the year, lessons filled on a phone, attestation to grades, GPA, teacher load."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kesip.core.roles import Role
from kesip.core.tests import factories as f
from kesip.curriculum import journal
from kesip.curriculum.models import ComponentGrade, CurriculumEntry, Lesson, Mark, TeachingAssignment, WorkingCurriculum
from kesip.curriculum.tests.factories import ComponentFactory, ModuleFactory, QualificationFactory

pytestmark = pytest.mark.django_db

YEAR = 2024  # academic year 2024–2025: the group of intake 2024 is in its first year


def cohort(jurisdiction="KZ", students=3, lessons=0, components=2):
    """An institution with an approved working curriculum for intake 2024, a group, students and a teacher."""
    inst = f.InstitutionFactory(jurisdiction=jurisdiction)
    spec = f.SpecialtyFactory(jurisdiction=jurisdiction)
    p = f.ProgrammeFactory(institution=inst, specialty=spec, duration_months=22)
    q = QualificationFactory(specialty=spec)
    p.qualifications.add(q)
    module = ModuleFactory(programme=p, kind="professional", qualification=q, code="ПМ 01")
    parts = [ComponentFactory(module=module, hours=48, credits=2) for _ in range(components - 1)]
    parts.append(ComponentFactory(module=module, kind="practice", practice_type="production", hours=96, credits=4))
    wc = WorkingCurriculum.objects.create(institution=inst, programme=p, intake_year=2024, status="approved")
    for c in parts:
        CurriculumEntry.objects.create(institution=inst, curriculum=wc, component=c, year=1, semester=1, hours=c.hours)
    group = f.GroupFactory(institution=inst, programme=p, intake_year=2024, name="ТС-24")
    people = [f.StudentFactory(institution=inst, group=group, last_name=f"Студент{i:02d}") for i in range(students)]
    teacher_user = f.member(Role.TEACHER, institution=inst)
    teacher = f.StaffFactory(institution=inst, user=teacher_user, last_name="Учитель")
    admin = f.member(Role.INSTITUTION_ADMIN, institution=inst)
    subject = parts[0]
    for i in range(lessons):
        les = Lesson.objects.create(
            institution=inst, group=group, component=subject, date=datetime.date(2024, 9, 2) + datetime.timedelta(days=i)
        )
        Mark.objects.bulk_create(Mark(institution=inst, lesson=les, student=s, value=80 + i % 20) for s in people)
    return type(
        "Cohort",
        (),
        dict(
            inst=inst,
            p=p,
            module=module,
            parts=parts,
            subject=subject,
            practice=parts[-1],
            wc=wc,
            group=group,
            students=people,
            teacher=teacher,
            teacher_user=teacher_user,
            admin=admin,
        ),
    )


def test_subjects_of_the_year_come_from_the_approved_working_curriculum():
    c = cohort()
    found = journal.subjects(c.group, YEAR)
    assert [(s.component, s.planned) for s in found] == [(c.subject, 48), (c.practice, 96)]
    assert journal.subjects(c.group, YEAR + 1) == []  # year 2 has nothing laid out
    c.wc.status = "draft"
    c.wc.save()
    assert journal.subjects(c.group, YEAR) == []


def test_a_lesson_saves_every_row_at_once_and_a_bad_mark_saves_nothing():
    c = cohort()
    scale = journal.scale_for(c.inst)
    lesson = Lesson.objects.create(institution=c.inst, group=c.group, component=c.subject, date=datetime.date(2024, 9, 5))
    a, b, d = c.students
    journal.save_lesson_marks(lesson, {a.pk: ("present", "85"), b.pk: ("absent", ""), d.pk: ("late", "70,5")}, scale, c.admin)
    assert {m.student_id: (m.attendance, m.value) for m in lesson.marks.all()} == {
        a.pk: ("present", Decimal("85")),
        b.pk: ("absent", None),
        d.pk: ("late", Decimal("70.5")),
    }
    with pytest.raises(journal.LessonInvalid) as caught:
        journal.save_lesson_marks(
            lesson, {a.pk: ("present", "90"), b.pk: ("present", "101"), d.pk: ("absent", "60")}, scale, c.admin
        )
    assert set(caught.value.errors) == {b.pk, d.pk}
    assert "0 and 100" in caught.value.errors[b.pk]
    assert Mark.objects.get(lesson=lesson, student=a).value == Decimal("85")  # untouched


@pytest.mark.parametrize("raw, ok", [("100", True), ("0", True), ("100.1", False), ("-1", False), ("abc", False), ("", True)])
def test_kz_marks_lie_on_the_100_point_scale(raw, ok):
    scale = journal.scale_for(f.InstitutionFactory(jurisdiction="KZ"))
    if ok:
        journal.parse_mark(raw, scale)
    else:
        with pytest.raises(ValidationError):
            journal.parse_mark(raw, scale)


@pytest.mark.parametrize("raw, ok", [("5", True), ("2", True), ("1", False), ("6", False)])
def test_kg_marks_lie_on_the_5_point_scale(raw, ok):
    scale = journal.scale_for(f.InstitutionFactory(jurisdiction="KG"))
    if ok:
        journal.parse_mark(raw, scale)
    else:
        with pytest.raises(ValidationError):
            journal.parse_mark(raw, scale)


@pytest.mark.parametrize(
    "value, letter, points, passed",
    [("95", "A", "4.00", True), ("94.9", "A-", "3.67", True), ("50", "D", "1.00", True), ("49.9", "F", "0.00", False)],
)
def test_kz_bands_at_their_boundaries(value, letter, points, passed):
    band = journal.scale_for(f.InstitutionFactory(jurisdiction="KZ")).band_for(Decimal(value))
    assert (band.letter, band.points, band.passed) == (letter, Decimal(points), passed)


def test_the_latest_attestation_is_the_final_grade_and_placement_grades_are_kept():
    c = cohort()
    scale = journal.scale_for(c.inst)
    a, b, _d = c.students
    mid = Lesson.objects.create(
        institution=c.inst, group=c.group, component=c.subject, date=datetime.date(2024, 12, 20), kind="intermediate_attestation"
    )
    journal.save_lesson_marks(mid, {a.pk: ("present", "70"), b.pk: ("present", "60")}, scale, c.admin)
    assert ComponentGrade.objects.get(student=a, component=c.subject).value == 70
    final = Lesson.objects.create(
        institution=c.inst, group=c.group, component=c.subject, date=datetime.date(2025, 5, 20), kind="final_attestation"
    )
    journal.save_lesson_marks(final, {a.pk: ("present", "91")}, scale, c.admin)
    assert ComponentGrade.objects.get(student=a, component=c.subject).value == 91
    # Re-saving the earlier attestation does not overwrite the later one.
    journal.save_lesson_marks(mid, {a.pk: ("present", "75"), b.pk: ("present", "60")}, scale, c.admin)
    assert ComponentGrade.objects.get(student=a, component=c.subject).value == 91
    # A placement's grade of the practice is not replaced by a journal attestation.
    journal.record_grade(
        a, c.practice, Decimal("88"), c.admin, source="placement", graded_on=datetime.date(2025, 6, 30), place="ТОО Сварка"
    )
    att = Lesson.objects.create(
        institution=c.inst, group=c.group, component=c.practice, date=datetime.date(2025, 7, 1), kind="final_attestation"
    )
    journal.save_lesson_marks(att, {a.pk: ("present", "50")}, scale, c.admin)
    g = ComponentGrade.objects.get(student=a, component=c.practice)
    assert (g.value, g.source, g.place) == (Decimal("88"), "placement", "ТОО Сварка")


def test_module_grade_follows_stated_weights_else_hours():
    c = cohort(components=3)
    s1, s2, pr = c.parts
    grades = {
        s1.pk: ComponentGrade(value=Decimal(90)),
        s2.pk: ComponentGrade(value=Decimal(60)),
        pr.pk: ComponentGrade(value=Decimal(80)),
    }
    # Hours 48, 48, 96: (90*48 + 60*48 + 80*96) / 192 = 77.5
    assert journal.module_grade([s1, s2, pr], grades) == (Decimal("77.5"), True)
    s1.grade_weight, s2.grade_weight, pr.grade_weight = 50, 25, 25
    assert journal.module_grade([s1, s2, pr], grades) == (Decimal("80.0"), True)
    del grades[pr.pk]
    assert journal.module_grade([s1, s2, pr], grades)[1] is False


def test_gpa_is_credit_weighted_per_year_and_cumulative():
    c = cohort(students=1)
    s = c.students[0]
    d = datetime.date
    journal.record_grade(s, c.subject, Decimal(95), c.admin, source="transfer", graded_on=d(2024, 12, 25))  # A 4.00 × 2 credits
    journal.record_grade(s, c.practice, Decimal(80), c.admin, source="placement", graded_on=d(2025, 10, 1))  # B 3.00 × 4 credits
    gpa = journal.gpa_by_year([s], uses_credits=True)[s.pk]
    assert gpa[2024] == Decimal("4.00") and gpa[2025] == Decimal("3.00")
    assert gpa[None] == Decimal("3.33")  # (8 + 12) / 6


def test_kg_gpa_is_the_hour_weighted_mean_mark():
    c = cohort(jurisdiction="KG", students=1)
    s = c.students[0]
    journal.record_grade(s, c.subject, Decimal(5), c.admin, source="transfer", graded_on=datetime.date(2024, 12, 25))
    journal.record_grade(s, c.practice, Decimal(3), c.admin, source="placement", graded_on=datetime.date(2025, 6, 25))
    assert journal.gpa_by_year([s], uses_credits=False)[s.pk][None] == Decimal("3.67")  # (5*48 + 3*96) / 144


def test_a_grade_for_a_component_outside_the_programme_is_refused():
    c = cohort(students=1)
    other = cohort(students=0)
    with pytest.raises(Exception, match="not part of the student's programme"):
        journal.record_grade(
            c.students[0], other.subject, Decimal(90), c.admin, source="transfer", graded_on=datetime.date(2025, 1, 1)
        )


def test_teacher_load_follows_curricula_times_groups():
    c = cohort()
    f.GroupFactory(institution=c.inst, programme=c.p, intake_year=2024, name="ТС-24-2")  # a second group of the same intake
    TeachingAssignment.objects.create(
        institution=c.inst, group=c.group, component=c.subject, teacher=c.teacher, academic_year=YEAR
    )
    lines, per_teacher = journal.teacher_load(c.inst.pk, YEAR)
    assert sorted((line.group.name, line.hours) for line in lines) == [
        ("ТС-24", 48),
        ("ТС-24", 96),
        ("ТС-24-2", 48),
        ("ТС-24-2", 96),
    ]
    assert per_teacher == {c.teacher: 48}
    assert journal.teacher_load(c.inst.pk, YEAR + 2) == ([], {})


def test_a_teacher_fills_only_what_they_are_assigned(client):
    c = cohort()
    assert not journal.can_fill(c.teacher_user, c.group, c.subject, YEAR)
    TeachingAssignment.objects.create(
        institution=c.inst, group=c.group, component=c.subject, teacher=c.teacher, academic_year=YEAR
    )
    assert journal.can_fill(c.teacher_user, c.group, c.subject, YEAR)
    assert not journal.can_fill(c.teacher_user, c.group, c.practice, YEAR)
    assert journal.can_fill(c.admin, c.group, c.practice, YEAR)
