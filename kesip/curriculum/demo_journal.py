"""Demo journal: Lyceum No. 8's welders (ЭГС-23) through their second year, and APC's ДС-24-1 through its first.

Teachers are assigned from the curricula, lessons run weekly with attendance and marks, and the
final attestations become the component grades the transcript shows. Marks come from a seeded
random generator, so the demo is the same on every machine. Idempotent: a group that already has
lessons is left as it is.
"""

import datetime
import random
from decimal import Decimal

from django.db import transaction

from kesip.core.models import Employer, Institution, StaffMember, Student, StudyGroup
from kesip.curriculum import journal
from kesip.curriculum.models import ComponentGrade, CurriculumEntry, Lesson, Mark, TeachingAssignment

TOPICS_KY = ["Киришүү", "Негизги түшүнүктөр", "Практикалык иш", "Лабораториялык иш", "Кайталоо", "Өз алдынча иш", "Текшерүү иши"]


def _weekdays(start, end, count):
    """`count` teaching days spread evenly between two dates (Monday to Friday)."""
    span = (end - start).days
    days = []
    for i in range(count):
        d = start + datetime.timedelta(days=span * i // max(count, 1))
        while d.weekday() > 4:
            d += datetime.timedelta(days=1)
        days.append(d)
    return days


def _semester_dates(academic_year, semester):
    if semester == 1:
        return datetime.date(academic_year, 9, 2), datetime.date(academic_year, 12, 20)
    return datetime.date(academic_year + 1, 1, 13), datetime.date(academic_year + 1, 5, 23)


def _fill_group(group, academic_year, teachers, scale, rng, practice_place, lessons_per_semester=8):
    """Lessons and marks of every component the group studies this year; the last semester of each ends in a final attestation."""
    study_year = journal.year_of_study(group, academic_year)
    entries = list(
        CurriculumEntry.objects.filter(
            curriculum__programme=group.programme, curriculum__intake_year=group.intake_year, year=study_year
        ).select_related("component")
    )
    last_semester = {}
    for e in CurriculumEntry.objects.filter(curriculum__programme=group.programme, curriculum__intake_year=group.intake_year):
        last_semester[e.component_id] = max(last_semester.get(e.component_id, (0, 0)), (e.year, e.semester))
    students = journal.roster(group)
    low, high = float(scale.min_value), float(scale.max_value)
    five_point = high <= 5
    # Each student has a steady level, so their marks and grades tell a consistent story.
    level = {s.pk: rng.uniform(0.45, 1.0) for s in students}

    def mark(sid):
        x = min(1.0, max(0.0, rng.gauss(level[sid], 0.12)))
        if five_point:
            return Decimal(max(2, min(5, round(2 + 3 * x + 0.3))))
        return Decimal(int(low + (high - low) * (0.35 + 0.65 * x)))

    lessons, marks, assignments = [], [], []
    components = {}
    for i, e in enumerate(sorted(entries, key=lambda e: (e.component_id, e.semester))):
        c = e.component
        components[c.pk] = c
        teacher = teachers[i % len(teachers)] if not c.is_practice else teachers[-1]
        if not any(a.component_id == c.pk for a in assignments):
            assignments.append(
                TeachingAssignment(
                    institution=group.institution, group=group, component=c, teacher=teacher, academic_year=academic_year
                )
            )
        if c.kind == "practice":
            continue  # practice is graded from the placement, below
        start, end = _semester_dates(academic_year, e.semester)
        count = max(2, min(lessons_per_semester, e.hours // 2))
        for j, day in enumerate(_weekdays(start, end, count)):
            lessons.append(
                Lesson(
                    institution=group.institution, group=group, component=c, teacher=teacher, date=day, hours=2,
                    kind=Lesson.Kind.CURRENT_CONTROL if j == count // 2 else Lesson.Kind.LESSON,
                    topic=f"{TOPICS_KY[j % len(TOPICS_KY)]} ({j + 1})",
                )
            )  # fmt: skip
        if last_semester[c.pk] == (study_year, e.semester):
            lessons.append(
                Lesson(
                    institution=group.institution, group=group, component=c, teacher=teacher,
                    date=end + datetime.timedelta(days=3), hours=2, kind=Lesson.Kind.FINAL_ATTESTATION,
                    topic="Жыйынтыктоочу аттестация",
                )
            )  # fmt: skip
    TeachingAssignment.objects.bulk_create(assignments)
    Lesson.objects.bulk_create(lessons)
    grades = []
    for lesson in lessons:
        for s in students:
            if s.status != Student.Status.ENROLLED:
                continue
            roll = rng.random()
            if lesson.kind == Lesson.Kind.FINAL_ATTESTATION:
                value = mark(s.pk)
                marks.append(Mark(institution=group.institution, lesson=lesson, student=s, value=value))
                grades.append(
                    ComponentGrade(
                        institution=group.institution, student=s, component=lesson.component, scale=scale, value=value,
                        academic_year=academic_year, source=ComponentGrade.Source.JOURNAL, graded_on=lesson.date,
                    )
                )  # fmt: skip
            elif roll < 0.05:
                marks.append(Mark(institution=group.institution, lesson=lesson, student=s, attendance=Mark.Attendance.ABSENT))
            elif roll < 0.08:
                marks.append(Mark(institution=group.institution, lesson=lesson, student=s, attendance=Mark.Attendance.EXCUSED))
            else:
                late = roll > 0.97
                value = mark(s.pk) if (lesson.kind != Lesson.Kind.LESSON or roll < 0.45) else None
                attendance = Mark.Attendance.LATE if late else Mark.Attendance.PRESENT
                marks.append(Mark(institution=group.institution, lesson=lesson, student=s, attendance=attendance, value=value))
    # Practice: the host employer's assessment is the grade (issue #4 will record it from the placement itself).
    for c in components.values():
        if c.kind != "practice" or last_semester[c.pk][0] != study_year:
            continue
        for s in students:
            if s.status == Student.Status.ENROLLED:
                grades.append(
                    ComponentGrade(
                        institution=group.institution, student=s, component=c, scale=scale, value=mark(s.pk),
                        academic_year=academic_year, source=ComponentGrade.Source.PLACEMENT,
                        graded_on=datetime.date(academic_year + 1, 6, 27), place=practice_place,
                    )
                )  # fmt: skip
    Mark.objects.bulk_create(marks)
    ComponentGrade.objects.bulk_create(grades, ignore_conflicts=True)


@transaction.atomic
def load():
    rng = random.Random(20241)
    pl8 = Institution.objects.get(inn="00307199510011")
    apc = Institution.objects.get(short_name_en="APC")
    for institution, name, years in ((pl8, "ЭГС-23", (2023, 2024)), (apc, "ДС-24-1", (2024, 2025))):
        group = StudyGroup.objects.filter(institution=institution, name=name).select_related("programme", "institution").first()
        if group is None or Lesson.objects.filter(group=group).exists():
            continue
        teachers = list(StaffMember.objects.filter(institution=institution, category__in=("teacher", "master")).order_by("pk"))
        if institution == pl8:
            master = StaffMember.objects.filter(institution=pl8, category="master").first()
            teachers = [t for t in teachers if t != master] + [master]
        employer = Employer.objects.filter(institution=institution).order_by("pk").first()
        place = str(employer) if employer else ""
        scale = journal.scale_for(institution)
        for year in years:
            _fill_group(group, year, teachers, scale, rng, place)
