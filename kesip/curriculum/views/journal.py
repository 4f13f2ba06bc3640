"""Pages of the journal: a group's subjects this year, the grid of one subject, the phone form of one lesson, teacher load.

Each page reads a fixed number of queries whatever the number of students or lessons.
"""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kesip.core import access
from kesip.core.models import StaffMember, StudyGroup
from kesip.curriculum import journal
from kesip.curriculum.models import Component, Lesson, Mark, TeachingAssignment
from kesip.curriculum.views.common import scoped_or_404 as _get


def _year(request, group=None):
    """The academic year asked for; by default the current one, or a finished group's last year of study."""
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or 0)
    except ValueError:
        year = 0
    if 1990 <= year <= 2100:
        return year
    return journal.default_year(group) if group is not None else journal.academic_year_of()


def _component_of(group, pk):
    """A component of the group's own programme, else 404."""
    try:
        return Component.objects.select_related("module").get(pk=pk, module__programme_id=group.programme_id)
    except (Component.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


class LessonForm(forms.ModelForm):
    class Meta:
        model = Lesson
        fields = ["date", "kind", "hours", "topic"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, academic_year=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.academic_year = academic_year

    def clean_date(self):
        day = self.cleaned_data["date"]
        if self.academic_year and journal.academic_year_of(day) != self.academic_year:
            raise forms.ValidationError(
                _("The date lies outside the academic year %(start)s–%(end)s.")
                % {"start": self.academic_year, "end": self.academic_year + 1}
            )
        return day


@login_required
def journal_index(request, group_pk):
    """The group's subjects this year: planned and given hours, the teacher, a link to each journal."""
    group = _get(StudyGroup, request.user, group_pk, select=("programme", "institution"))
    if not access.scope_for(request.user, Lesson).allows_institution(group.institution_id):
        raise Http404
    year = _year(request, group)
    subjects = journal.subjects(group, year)
    can_assign = access.scope_for(request.user, StudyGroup, "change").allows_institution(group.institution_id)
    teachers = (
        list(StaffMember.objects.filter(institution_id=group.institution_id, is_active=True).order_by("last_name", "first_name"))
        if can_assign
        else []
    )
    return render(
        request,
        "curriculum/journal_index.html",
        {
            "group": group,
            "year": year,
            "years": range(group.intake_year, group.intake_year + 6),
            "study_year": journal.year_of_study(group, year),
            "subjects": subjects,
            "can_assign": can_assign,
            "teachers": teachers,
            "title": _("Journal") + f" · {group}",
        },
    )


@login_required
def assign_teacher(request, group_pk):
    """Set or clear the teacher of one component for the group's academic year."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    group = _get(StudyGroup, request.user, group_pk, "change")
    year = _year(request)
    component = _component_of(group, request.POST.get("component"))
    raw = request.POST.get("teacher", "")
    with transaction.atomic():
        if not raw:
            TeachingAssignment.objects.filter(group=group, component=component, academic_year=year).delete()
        else:
            try:
                teacher = StaffMember.objects.get(pk=raw, institution_id=group.institution_id)
            except (StaffMember.DoesNotExist, ValueError):
                messages.error(request, _("Choose a teacher of this institution."))
                return HttpResponseRedirect(_index_url(group, year))
            TeachingAssignment.objects.update_or_create(
                group=group,
                component=component,
                academic_year=year,
                defaults={"teacher": teacher, "institution_id": group.institution_id},
            )
    messages.success(request, _("The teacher of “%(component)s” is saved.") % {"component": component.name})
    return HttpResponseRedirect(_index_url(group, year))


def _index_url(group, year):
    return reverse("curriculum:journal", args=[group.pk]) + f"?year={year}"


def _grid_url(group, component, year):
    return reverse("curriculum:journal_grid", args=[group.pk, component.pk]) + f"?year={year}"


@login_required
def journal_grid(request, group_pk, component_pk):
    """The journal of one component: students × lessons, attendance and marks, average and final grade."""
    group = _get(StudyGroup, request.user, group_pk, select=("programme", "institution"))
    if not access.scope_for(request.user, Lesson).allows_institution(group.institution_id):
        raise Http404
    component = _component_of(group, component_pk)
    year = _year(request, group)
    can_fill = journal.can_fill(request.user, group, component, year)
    form = LessonForm(academic_year=year, initial={"date": _default_date(year), "hours": 2})
    if request.method == "POST":
        if not can_fill:
            raise Http404
        form = LessonForm(request.POST, academic_year=year)
        if form.is_valid():
            lesson = form.save(commit=False)
            lesson.institution_id, lesson.group, lesson.component = group.institution_id, group, component
            lesson.teacher = StaffMember.objects.filter(user=request.user, institution_id=group.institution_id).first()
            lesson.save()
            messages.success(request, _("The lesson is added; mark attendance and marks now."))
            return HttpResponseRedirect(reverse("curriculum:lesson", args=[lesson.pk]))
    scale = journal.scale_for(group.institution)
    lessons, rows = journal.grid(group, component, year, scale)
    return render(
        request,
        "curriculum/journal_grid.html",
        {
            "group": group,
            "component": component,
            "year": year,
            "lessons": lessons,
            "rows": rows,
            "scale": scale,
            "form": form,
            "can_fill": can_fill,
            "given": sum(lesson.hours for lesson in lessons),
            "title": f"{component.name} · {group}",
        },
    )


def _default_date(year):
    today = datetime.date.today()
    return today if journal.academic_year_of(today) == year else datetime.date(year, 9, 1)


ATTENDANCE_SHORT = {
    Mark.Attendance.PRESENT: gettext_lazy("present"),
    Mark.Attendance.ABSENT: gettext_lazy("abs."),
    Mark.Attendance.EXCUSED: gettext_lazy("exc."),
    Mark.Attendance.LATE: gettext_lazy("late"),
}


@login_required
def lesson(request, pk):
    """One lesson on a phone: a row per student with attendance and a mark; saved all at once."""
    lesson = _get(Lesson, request.user, pk, select=("group__institution", "group__programme", "component__module"))
    group, component = lesson.group, lesson.component
    year = journal.academic_year_of(lesson.date)
    can_fill = journal.can_fill(request.user, group, component, year)
    scale = journal.scale_for(group.institution)
    students = journal.roster(group)
    existing = {m.student_id: m for m in Mark.objects.filter(lesson=lesson)}
    errors, posted = {}, {}
    meta = LessonForm(instance=lesson, academic_year=year, prefix="lesson")
    if request.method == "POST":
        if not can_fill:
            raise Http404
        meta = LessonForm(request.POST, instance=lesson, academic_year=year, prefix="lesson")
        for s in students:
            posted[s.pk] = (request.POST.get(f"a-{s.pk}", Mark.Attendance.PRESENT), request.POST.get(f"m-{s.pk}", ""))
        if meta.is_valid():
            try:
                with transaction.atomic():
                    meta.save()
                    journal.save_lesson_marks(lesson, posted, scale, request.user)
            except journal.LessonInvalid as invalid:
                errors = invalid.errors
            else:
                messages.success(request, _("The lesson is saved."))
                return HttpResponseRedirect(_grid_url(group, component, year))
        if errors or not meta.is_valid():
            messages.error(request, _("Nothing was saved: correct the marked rows."))
    rows = []
    for s in students:
        m = existing.get(s.pk)
        attendance, value = posted.get(s.pk, (m.attendance if m else Mark.Attendance.PRESENT, _fmt(m.value) if m else ""))
        rows.append({"student": s, "attendance": attendance, "value": value, "error": errors.get(s.pk)})
    return render(
        request,
        "curriculum/lesson.html",
        {
            "lesson": lesson,
            "group": group,
            "component": component,
            "year": year,
            "rows": rows,
            "meta": meta,
            "scale": scale,
            "can_fill": can_fill,
            "attendance": [(value, label, ATTENDANCE_SHORT[value]) for value, label in Mark.Attendance.choices],
            "title": f"{lesson.date:%d.%m.%Y} · {component.name} · {group}",
        },
    )


def _fmt(value):
    return "" if value is None else f"{value.normalize():f}"


@login_required
def lesson_delete(request, pk):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    lesson = _get(Lesson, request.user, pk, "change", select=("group", "component"))
    year = journal.academic_year_of(lesson.date)
    if not journal.can_fill(request.user, lesson.group, lesson.component, year):
        raise Http404
    group, component = lesson.group, lesson.component
    lesson.delete()
    messages.success(request, _("The lesson and its marks are deleted."))
    return HttpResponseRedirect(_grid_url(group, component, year))


@login_required
def load(request):
    """Teacher load of the institution this academic year: curricula × groups, by teacher and unassigned."""
    scope = access.scope_for(request.user, TeachingAssignment)
    institutions = _institutions_for(request.user, scope)
    if not institutions:
        raise Http404
    try:
        chosen = int(request.GET.get("institution") or institutions[0].pk)
    except ValueError:
        chosen = institutions[0].pk
    institution = next((i for i in institutions if i.pk == chosen), None)
    if institution is None:
        raise Http404
    year = _year(request)
    lines, per_teacher = journal.teacher_load(institution.pk, year)
    return render(
        request,
        "curriculum/load.html",
        {
            "institution": institution,
            "institutions": institutions,
            "year": year,
            "years": range(year - 3, year + 2),
            "lines": lines,
            "per_teacher": per_teacher.items(),
            "unassigned": sum(line.hours for line in lines if line.teacher is None),
            "total": sum(line.hours for line in lines),
            "title": _("Teacher load"),
        },
    )


def _institutions_for(user, scope):
    from kesip.core.models import Institution

    qs = Institution.objects.order_by("short_name_ru")
    if not scope.everything:
        qs = qs.filter(pk__in=scope.institution_ids)
    return list(qs[:200])


@login_required
def journals(request):
    """Where journals start: a teacher's own classes this year, and every active group the user may read."""
    from django.core.paginator import Paginator

    scope = access.scope_for(request.user, Lesson)
    if not scope.everything and not scope.institution_ids:
        raise Http404
    groups = StudyGroup.objects.for_user(request.user).filter(is_active=True).select_related("programme", "institution")
    if not scope.everything:
        groups = groups.filter(institution_id__in=scope.institution_ids)
    page = Paginator(groups.order_by("institution_id", "-intake_year", "name"), 50).get_page(request.GET.get("page"))
    year = journal.academic_year_of()
    mine = list(
        TeachingAssignment.objects.filter(teacher__user=request.user, academic_year__gte=year - 1)
        .select_related("group", "component")
        .order_by("-academic_year", "group__name", "component__position")
    )
    return render(request, "curriculum/journals.html", {"page": page, "mine": mine, "title": _("Journals")})
