"""The journal and the grade book: what a group studies this year, lessons and marks, final grades, GPA, teacher load.

Practice is a component like a subject, so a placement's assessment (WBL) lands here as the
component grade with source "placement", and the transcript and GPA read it like any other.
Every read here is a fixed number of queries, whatever the number of students or lessons.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, DecimalField, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from kesip.core import access
from kesip.core.models import StaffMember, Student, StudyGroup
from kesip.core.roles import Role
from kesip.curriculum.models import (
    Component,
    ComponentGrade,
    CurriculumEntry,
    GradeBand,
    GradingScale,
    Lesson,
    Mark,
    TeachingAssignment,
    WorkingCurriculum,
)

TWO = Decimal("0.01")


def academic_year_of(day=None):
    """The academic year (by its starting calendar year) a day belongs to: 1 September to 31 August."""
    day = day or datetime.date.today()
    return day.year if day.month >= 9 else day.year - 1


def year_of_study(group, academic_year):
    return academic_year - group.intake_year + 1


def default_year(group, today=None):
    """The current academic year, or the last year of study of a group that has finished its programme."""
    years = max(1, -(-group.programme.duration_months // 12))
    return min(academic_year_of(today), group.intake_year + years - 1)


def scale_for(institution):
    """The default grading scale of the institution's country (bands prefetched)."""
    scale = GradingScale.default_for(institution.jurisdiction)
    if scale is None:
        raise ValidationError(_("No default grading scale is set for this country."))
    return scale


def working_curriculum(group):
    return (
        WorkingCurriculum.objects.filter(programme_id=group.programme_id, intake_year=group.intake_year)
        .order_by("-status")
        .first()
    )


# --- What the group studies -------------------------------------------------------------------


@dataclass
class Subject:
    component: Component
    planned: int = 0
    given: int = 0
    lessons: int = 0
    teacher: StaffMember | None = None
    assignment: TeachingAssignment | None = None


def subjects(group, academic_year):
    """The components the group's working curriculum lays out for this academic year, and any it has lessons of.

    Four queries: curriculum entries, lesson sums, assignments, components.
    """
    study_year = year_of_study(group, academic_year)
    planned = dict(
        CurriculumEntry.objects.filter(
            curriculum__programme_id=group.programme_id,
            curriculum__intake_year=group.intake_year,
            curriculum__status=WorkingCurriculum.Status.APPROVED,
            year=study_year,
        )
        .values_list("component_id")
        .annotate(h=Sum("hours"))
    )
    start, end = datetime.date(academic_year, 9, 1), datetime.date(academic_year + 1, 8, 31)
    given = {
        row["component_id"]: row
        for row in Lesson.objects.filter(group=group, date__range=(start, end))
        .values("component_id")
        .annotate(h=Sum("hours"), n=Count("pk"))
    }
    assignments = {
        a.component_id: a
        for a in TeachingAssignment.objects.filter(group=group, academic_year=academic_year).select_related("teacher")
    }
    ids = set(planned) | set(given)
    components = (
        Component.objects.filter(pk__in=ids).select_related("module").order_by("module__position", "module_id", "position", "pk")
    )
    result = []
    for c in components:
        a = assignments.get(c.pk)
        g = given.get(c.pk, {})
        result.append(Subject(c, planned.get(c.pk, 0), g.get("h") or 0, g.get("n") or 0, a.teacher if a else None, a))
    return result


# --- Who may fill what ------------------------------------------------------------------------


def can_fill(user, group, component, academic_year):
    """Change rights on the journal of the group's institution; a teacher only for what they are assigned."""
    if not access.scope_for(user, Lesson, "change").allows_institution(group.institution_id):
        return False
    if access.is_system_admin(user):
        return True
    roles = {
        m.role
        for m in access.memberships(user)
        if m.institution_id == group.institution_id and "change_journal" in access.PERMISSIONS.get(m.role, set())
    }
    if roles - {Role.TEACHER}:
        return True
    return TeachingAssignment.objects.filter(
        group=group, component=component, academic_year=academic_year, teacher__user=user
    ).exists()


# --- The journal grid -------------------------------------------------------------------------


@dataclass
class Row:
    student: Student
    cells: list = field(default_factory=list)
    absences: int = 0
    average: Decimal | None = None
    grade: ComponentGrade | None = None
    band: GradeBand | None = None


def roster(group, on=None):
    """The students of the group who study (or are on leave): the journal's rows."""
    return list(
        Student.objects.filter(group=group, status__in=(Student.Status.ENROLLED, Student.Status.ACADEMIC_LEAVE)).order_by(
            "last_name", "first_name", "pk"
        )
    )


def grid(group, component, academic_year, scale):
    """Rows of students × columns of lessons, with attendance, marks, average and the final grade.

    Four queries whatever the size: students, lessons, marks, grades.
    """
    start, end = datetime.date(academic_year, 9, 1), datetime.date(academic_year + 1, 8, 31)
    lessons = list(Lesson.objects.filter(group=group, component=component, date__range=(start, end)).order_by("date", "pk"))
    students = roster(group)
    marks = (
        {
            (m.student_id, m.lesson_id): m
            for m in Mark.objects.filter(lesson__in=[lesson.pk for lesson in lessons]).only(
                "student_id", "lesson_id", "attendance", "value"
            )
        }
        if lessons
        else {}
    )
    grades = {g.student_id: g for g in ComponentGrade.objects.filter(component=component, student__in=students)}
    rows = []
    for s in students:
        row = Row(s)
        values = []
        for lesson in lessons:
            m = marks.get((s.pk, lesson.pk))
            row.cells.append(m)
            if m is not None:
                if m.attendance == Mark.Attendance.ABSENT:
                    row.absences += lesson.hours
                if m.value is not None:
                    values.append(m.value)
        if values:
            row.average = (sum(values) / len(values)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        row.grade = grades.get(s.pk)
        row.band = scale.band_for(row.grade.value) if row.grade else None
        rows.append(row)
    return lessons, rows


# --- Filling a lesson -------------------------------------------------------------------------


def parse_mark(raw, scale):
    raw = (raw or "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except ArithmeticError:
        raise ValidationError(_("“%(value)s” is not a mark.") % {"value": raw}) from None
    if not value.is_finite() or value != value.quantize(Decimal("0.1")):
        raise ValidationError(_("“%(value)s” is not a mark.") % {"value": raw})
    scale.clean_value(value)
    return value


def save_lesson_marks(lesson, rows, scale, user):
    """Write attendance and marks of one lesson for every student at once.

    `rows` maps student id to (attendance, raw mark). All are validated first; one bad mark saves
    nothing and the errors come back per student. An attestation lesson's marks become the
    students' final grades of the component (unless a placement or exam already graded it).
    """
    students = {s.pk: s for s in roster(lesson.group)}
    errors, clean = {}, {}
    for sid, (attendance, raw) in rows.items():
        if sid not in students:
            errors[sid] = _("This student is not in the group.")
            continue
        if attendance not in Mark.Attendance.values:
            errors[sid] = _("Choose present, absent, excused or late.")
            continue
        try:
            value = parse_mark(raw, scale)
        except ValidationError as exc:
            errors[sid] = " ".join(exc.messages)
            continue
        if value is not None and attendance in (Mark.Attendance.ABSENT, Mark.Attendance.EXCUSED):
            errors[sid] = _("An absent student gets no mark.")
            continue
        clean[sid] = (attendance, value)
    if errors:
        raise LessonInvalid(errors)
    with transaction.atomic():
        existing = {m.student_id: m for m in Mark.objects.select_for_update().filter(lesson=lesson)}
        create, update = [], []
        for sid, (attendance, value) in clean.items():
            m = existing.get(sid)
            if m is None:
                create.append(
                    Mark(institution_id=lesson.institution_id, lesson=lesson, student_id=sid, attendance=attendance, value=value)
                )
            elif (m.attendance, m.value) != (attendance, value):
                m.attendance, m.value = attendance, value
                update.append(m)
        Mark.objects.bulk_create(create)
        Mark.objects.bulk_update(update, ["attendance", "value"])
        if lesson.kind in Lesson.ATTESTATION_KINDS:
            _grades_from_attestation(lesson, {sid: v for sid, (_a, v) in clean.items() if v is not None}, scale, user)


class LessonInvalid(Exception):
    def __init__(self, errors):
        super().__init__("; ".join(str(e) for e in errors.values()))
        self.errors = errors


def _grades_from_attestation(lesson, values, scale, user):
    """The latest attestation's mark is the component's final grade; placement and exam grades are kept."""
    existing = {
        g.student_id: g
        for g in ComponentGrade.objects.select_for_update().filter(component=lesson.component, student_id__in=values)
    }
    later = set(
        Lesson.objects.filter(
            group=lesson.group, component=lesson.component, kind__in=Lesson.ATTESTATION_KINDS, date__gt=lesson.date
        ).values_list("marks__student_id", flat=True)
    )
    year = academic_year_of(lesson.date)
    for sid, value in values.items():
        if sid in later:
            continue
        g = existing.get(sid)
        if g is None:
            g = ComponentGrade(institution_id=lesson.institution_id, student_id=sid, component=lesson.component)
        elif g.source != ComponentGrade.Source.JOURNAL:
            continue
        g.scale, g.value, g.academic_year, g.graded_on, g.graded_by = scale, value, year, lesson.date, user
        g.source = ComponentGrade.Source.JOURNAL
        g.save()


def record_grade(student, component, value, user, *, source, graded_on, place=""):
    """Set a student's final grade of a component from outside the journal (a placement, a transferred record)."""
    scale = scale_for(student.institution)
    scale.clean_value(value)
    if component.module.programme_id != getattr(student.group, "programme_id", None):
        raise ValidationError(_("The component is not part of the student's programme."))
    with transaction.atomic():
        grade, _created = ComponentGrade.objects.select_for_update().get_or_create(
            student=student,
            component=component,
            defaults={
                "institution_id": student.institution_id,
                "scale": scale,
                "value": value,
                "academic_year": academic_year_of(graded_on),
                "graded_on": graded_on,
            },
        )
        grade.scale, grade.value, grade.source, grade.graded_on, grade.graded_by, grade.place = (
            scale,
            value,
            source,
            graded_on,
            user,
            place,
        )
        grade.academic_year = academic_year_of(graded_on)
        grade.save()
    return grade


# --- Module grades and GPA --------------------------------------------------------------------


def band_points():
    """GPA points of a grade's band, as an SQL subquery: the highest band whose lower bound the mark reaches."""
    return Subquery(
        GradeBand.objects.filter(scale=OuterRef("scale"), min_value__lte=OuterRef("value"))
        .order_by("-min_value")
        .values("points")[:1]
    )


def weight_expression(jurisdiction_uses_credits):
    if jurisdiction_uses_credits:
        return Coalesce(
            F("component__credits"), ExpressionWrapper(F("component__hours") / Decimal(24), output_field=DecimalField())
        )
    return F("component__hours")


def gpa_by_year(students, uses_credits):
    """{student id: {academic year: gpa, None: cumulative}}: the credit- (KZ) or hour-weighted (KG) mean of GPA points.

    One aggregate query, grouped by student and year, whatever the number of grades.
    """
    weight = ExpressionWrapper(weight_expression(uses_credits), output_field=DecimalField(max_digits=12, decimal_places=4))
    rows = (
        ComponentGrade.objects.filter(student__in=students)
        .annotate(points=band_points(), w=weight)
        .annotate(pw=ExpressionWrapper(F("points") * F("w"), output_field=DecimalField(max_digits=14, decimal_places=4)))
        .values("student_id", "academic_year")
        .annotate(sw=Sum("w"), spw=Sum("pw"))
        .order_by()
    )
    result = defaultdict(dict)
    totals = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for r in rows:
        sw, spw = Decimal(r["sw"] or 0), Decimal(r["spw"] or 0)
        if sw:
            result[r["student_id"]][r["academic_year"]] = (spw / sw).quantize(TWO, ROUND_HALF_UP)
        totals[r["student_id"]][0] += sw
        totals[r["student_id"]][1] += spw
    for sid, (sw, spw) in totals.items():
        if sw:
            result[sid][None] = (spw / sw).quantize(TWO, ROUND_HALF_UP)
    return result


def module_grade(components, grades):
    """The module's grade: the mean of its component grades weighed by the stated weights (else hours).

    Returns (value, complete): `complete` is False while some component has no grade yet.
    """
    total_w, total = Decimal(0), Decimal(0)
    complete = True
    for c in components:
        g = grades.get(c.pk)
        if g is None:
            complete = False
            continue
        w = Decimal(c.grade_weight if c.grade_weight else c.hours)
        total_w += w
        total += g.value * w
    if not total_w:
        return None, False
    return (total / total_w).quantize(Decimal("0.1"), ROUND_HALF_UP), complete


# --- Teacher load -----------------------------------------------------------------------------


@dataclass
class LoadLine:
    group: StudyGroup
    component: Component
    hours: int
    teacher: StaffMember | None


def teacher_load(institution_id, academic_year):
    """Hours each teacher teaches this academic year, from the working curricula of the active groups.

    Three queries: groups, the curriculum hours aggregated in SQL per programme, intake and
    component, and the assignments.
    """
    groups = list(StudyGroup.objects.filter(institution_id=institution_id, is_active=True).select_related("programme"))
    if not groups:
        return [], {}
    cond = Q()
    for g in groups:
        cond |= Q(
            curriculum__programme_id=g.programme_id, curriculum__intake_year=g.intake_year, year=year_of_study(g, academic_year)
        )
    planned = (
        CurriculumEntry.objects.filter(
            cond, curriculum__institution_id=institution_id, curriculum__status=WorkingCurriculum.Status.APPROVED
        )
        .values("curriculum__programme_id", "curriculum__intake_year", "component_id")
        .annotate(h=Sum("hours"))
        .order_by()
    )
    by_cohort = defaultdict(list)
    for r in planned:
        by_cohort[(r["curriculum__programme_id"], r["curriculum__intake_year"])].append((r["component_id"], r["h"]))
    assignments = {
        (a.group_id, a.component_id): a
        for a in TeachingAssignment.objects.filter(institution_id=institution_id, academic_year=academic_year).select_related(
            "teacher", "component"
        )
    }
    components = {
        c.pk: c
        for c in Component.objects.filter(pk__in={cid for rows in by_cohort.values() for cid, _h in rows}).only(
            "pk", "name_ky", "name_ru", "name_kk", "name_en", "code", "kind", "hours"
        )
    }
    lines, per_teacher = [], defaultdict(int)
    for g in sorted(groups, key=lambda g: g.name):
        for cid, hours in by_cohort.get((g.programme_id, g.intake_year), []):
            a = assignments.get((g.pk, cid))
            lines.append(LoadLine(g, components[cid], hours, a.teacher if a else None))
            if a:
                per_teacher[a.teacher] += hours
    return lines, dict(sorted(per_teacher.items(), key=lambda kv: (kv[0].last_name, kv[0].first_name)))
