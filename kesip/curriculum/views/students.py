"""Pages of groups and students: the group's list, a student's life by order, individual curriculum, exemptions.

Every page reads through `for_user`, so another institution's group, student or exemption answers
404. The steps of a student's life are offered only when they are open (`students_services.allowed`);
each one runs in one transaction and leaves a movement in the history.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from kesip.core import access
from kesip.core.forms import add_violation
from kesip.core.models import Student, StudyGroup
from kesip.core.rules import RuleViolation
from kesip.curriculum import rules
from kesip.curriculum import students_services as services
from kesip.curriculum.models import (
    Component,
    CurriculumEntry,
    DistanceExemption,
    IndividualCurriculum,
    IndividualEntry,
    Lesson,
    Movement,
    WorkingCurriculum,
)
from kesip.curriculum.students_forms import EnrolForm, ExemptionForm, IndividualCurriculumForm, MovementForm
from kesip.curriculum.students_rules import load_remote_check, plan_of, remote_check, study_period, study_years
from kesip.curriculum.views.design import _parse_layout


def _get(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _link(name, *args):
    """The URL of a page another part of Kesip provides, or None while it does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _reads_journal(user, institution_id):
    """Journal and transcript pages are the journal's: linked only for users who may read it there."""
    return access.scope_for(user, Lesson).allows_institution(institution_id)


def _student_url(student, anchor=""):
    return reverse("curriculum:student", args=[student.pk]) + (f"#{anchor}" if anchor else "")


def _students(user, action="view"):
    return Student.objects.for_user(user, action).select_related(
        "institution", "group__programme__specialty", "individual_curriculum"
    )


def _working_curriculum(group):
    return WorkingCurriculum.objects.filter(programme_id=group.programme_id, intake_year=group.intake_year).first()


# ---------------------------------------------------------------------------------------------
# The group


@login_required
def group(request, pk):
    g = _get(StudyGroup.objects.for_user(request.user).select_related("programme__specialty", "curator", "institution"), pk)
    wc = _working_curriculum(g)
    wc_entries = list(CurriculumEntry.objects.filter(curriculum=wc)) if wc else []
    book = rules.rulebook_for(g.institution.jurisdiction)
    students = list(
        Student.objects.for_user(request.user)
        .filter(group=g)
        .select_related("individual_curriculum")
        .prefetch_related("individual_curriculum__entries", "distance_exemptions")
        .order_by("last_name", "first_name", "pk")
    )
    rows = []
    counts = {}
    for s in students:
        s.group = g  # the page's group: no query per student
        plan = plan_of(s)
        check = remote_check(s, wc_entries, list(plan.entries.all()) if plan else [], s.distance_exemptions.all(), book)
        rows.append({"student": s, "check": check, "plan": plan})
        counts[s.status] = counts.get(s.status, 0) + 1
    can_change = access.scope_for(request.user, Movement, "change").allows_institution(g.institution_id)
    start, end = study_period(g)
    return render(
        request,
        "curriculum/group.html",
        {
            "group": g,
            "title": str(g),
            "rows": rows,
            "counts": [(label, counts[value]) for value, label in Student.Status.choices if value in counts],
            "wc": wc,
            "years": study_years(g.programme),
            "period": (start, end),
            "cap": book.get(rules.DISTANCE_CAP),
            "can_enrol": can_change and g.is_active,
            "can_edit": access.scope_for(request.user, StudyGroup, "change").allows_institution(g.institution_id),
            "journal_url": _link("curriculum:journal", g.pk) if _reads_journal(request.user, g.institution_id) else None,
            "calendar_url": _calendar_link(g),
        },
    )


def _calendar_link(group):
    """The group's calendar schedule page, where the calendar part of Kesip provides one."""
    return _link("curriculum:group_calendars", group.pk)


@login_required
def group_enrol(request, pk):
    """Enrol a new student into the group by order: the student and the enrolment movement in one transaction."""
    g = _get(StudyGroup.objects.for_user(request.user).select_related("programme", "institution"), pk)
    if not services.may_change(request.user, g.institution_id):
        raise Http404
    form = EnrolForm(request.POST or None, group=g)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            student = form.save(commit=False)
            data = form.cleaned_data
            try:
                services.enrol(
                    student, g, request.user, order_number=data["order_number"], order_date=data["order_date"], on=data["on"]
                )
            except RuleViolation as violation:
                add_violation(form, violation)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Enrolled: %(student)s") % {"student": student})
                return HttpResponseRedirect(_student_url(student))
    return render(
        request,
        "curriculum/group_enrol.html",
        {"group": g, "form": form, "title": _("Enrol a student into %(group)s") % {"group": g}},
        status=status,
    )


# ---------------------------------------------------------------------------------------------
# The student


def _student_page(request, s, bound=None, status=200):
    movements = list(
        Movement.objects.filter(student=s).select_related("from_group", "to_group", "recorded_by").order_by("on", "pk")
    )
    exemptions = list(DistanceExemption.objects.filter(student=s).order_by("-valid_from", "-pk"))
    plan = plan_of(s)
    plan_entries = (
        list(IndividualEntry.objects.filter(plan=plan).select_related("component__module").order_by("year", "semester", "pk"))
        if plan
        else []
    )
    check = load_remote_check(s, plan_entries=plan_entries, exemptions=exemptions)
    steps = services.allowed(s, request.user, has_movements=bool(movements))
    forms = []
    for step in steps:
        if bound is not None and bound.step.kind == step.kind:
            forms.append(bound)
        else:
            forms.append(MovementForm(student=s, kind=step.kind))
    can_change = services.may_change(request.user, s.institution_id)
    for x in exemptions:
        x.in_force = x.valid_from <= check.on <= x.valid_until
    return render(
        request,
        "curriculum/student.html",
        {
            "student": s,
            "group": s.group,
            "programme": s.group.programme if s.group_id else None,
            "title": str(s),
            "movements": movements,
            "step_forms": forms,
            "open_form": bound.step.kind if bound is not None else "",
            "exemptions": exemptions,
            "plan": plan,
            "plan_entries": plan_entries,
            "check": check,
            "can_change": can_change,
            "can_edit": access.scope_for(request.user, Student, "change").allows_institution(s.institution_id),
            "transcript_url": _link("curriculum:transcript", s.pk) if _reads_journal(request.user, s.institution_id) else None,
        },
        status=status,
    )


@login_required
def student(request, pk):
    return _student_page(request, _get(_students(request.user), pk))


@login_required
def student_step(request, pk, name):
    """Take one step of the student's life by order; a refused step leaves everything as it was."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    s = _get(_students(request.user, "change"), pk)
    step = services.STEPS.get(name)
    if step is None:
        raise Http404
    if step not in services.allowed(s, request.user):
        messages.error(request, _("This step is not open for the student now."))
        return HttpResponseRedirect(_student_url(s))
    form = MovementForm(request.POST, student=s, kind=name)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.take_step(
                s,
                name,
                request.user,
                order_number=data["order_number"],
                order_date=data["order_date"],
                on=data["on"],
                to_group=data.get("to_group"),
                leave_until=data.get("leave_until"),
                reason=data.get("reason", ""),
            )
        except RuleViolation as violation:
            add_violation(form, violation)
        else:
            messages.success(
                request,
                _("Recorded: %(step)s. The student is now “%(status)s”.")
                % {"step": step.label, "status": s.get_status_display()},
            )
            return HttpResponseRedirect(_student_url(s, "movements"))
    s = _get(_students(request.user), pk)
    return _student_page(request, s, bound=form, status=400)


# ---------------------------------------------------------------------------------------------
# Individual curriculum


def _plan_grid(s, plan):
    """Rows of the programme's components: the working curriculum's hours and the student's own, per term."""
    group = s.group
    years = study_years(group.programme)
    terms = [(y, sem) for y in range(1, years + 1) for sem in (1, 2)]
    components = list(
        Component.objects.filter(module__programme_id=group.programme_id)
        .select_related("module")
        .order_by("module__position", "module__pk", "position", "pk")
    )
    wc = _working_curriculum(group)
    wc_cells = (
        {(e.component_id, e.year, e.semester): (e.hours, e.distance_hours) for e in CurriculumEntry.objects.filter(curriculum=wc)}
        if wc
        else {}
    )
    own = list(IndividualEntry.objects.filter(plan=plan)) if plan and plan.pk else []
    own_cells = {(e.component_id, e.year, e.semester): (e.hours, e.distance_hours) for e in own}
    individual = {e.component_id for e in own}
    rows = []
    for c in components:
        source = own_cells if c.pk in individual else wc_cells
        cells = []
        for y, sem in terms:
            mine = source.get((c.pk, y, sem))
            planned = wc_cells.get((c.pk, y, sem))
            cells.append(
                {"term": (y, sem), "hours": mine[0] if mine else "", "remote": mine[1] if mine and mine[1] else "", "wc": planned}
            )
        rows.append({"component": c, "cells": cells, "individual": c.pk in individual})
    return rows, terms, wc, wc_cells


def individual_cells(components, wc_cells, submitted):
    """The entries to store: only components whose submitted hours differ from the working curriculum.

    A component left empty where the working curriculum has hours is dropped for the student (0-hour entries).
    """
    cells = {}
    for c in components:
        planned = {(y, sem): v for (cid, y, sem), v in wc_cells.items() if cid == c.pk}
        mine = {(y, sem): v for (cid, y, sem), v in submitted.items() if cid == c.pk}
        if mine == planned:
            continue
        for (y, sem), v in (mine or {k: (0, 0) for k in planned}).items():
            cells[(c.pk, y, sem)] = v
    return cells


@login_required
def student_individual(request, pk):
    """The student's individual curriculum: its basis and, per component, the hours that replace the working curriculum's."""
    s = _get(_students(request.user), pk)
    plan = plan_of(s) or IndividualCurriculum(student=s, institution_id=s.institution_id)
    can_change = services.may_change(request.user, s.institution_id) and s.special_needs and s.group_id is not None
    if request.method == "POST" and not services.may_change(request.user, s.institution_id):
        raise Http404
    form = IndividualCurriculumForm(request.POST or None, instance=plan)
    rows = terms = None
    if s.group_id:
        rows, terms, wc, wc_cells = _plan_grid(s, plan)
    status = 200
    if request.method == "POST":
        status = 400
        if not can_change:
            why = (
                _("An individual curriculum is drawn up only for a student with special educational needs.")
                if not s.special_needs
                else _("The student is in no group, so has no programme to individualise.")
            )
            messages.error(request, why)
            return HttpResponseRedirect(_student_url(s))
        if form.is_valid():
            try:
                submitted = _parse_layout(request.POST, None)
                with transaction.atomic():
                    saved = services.save_individual_curriculum(form.save(commit=False), request.user)
                    services.save_individual_entries(saved, individual_cells([r["component"] for r in rows], wc_cells, submitted))
            except RuleViolation as violation:
                add_violation(form, violation)
            else:
                messages.success(request, _("The individual curriculum is saved."))
                return HttpResponseRedirect(_student_url(s, "individual"))
        # The refused save left nothing behind; the form and the grid show what was typed.
        s = _get(_students(request.user), pk)
        plan = plan_of(s)
        for row in rows or []:
            for cell in row["cells"]:
                key = f"{row['component'].pk}-{cell['term'][0]}-{cell['term'][1]}"
                cell["hours"], cell["remote"] = request.POST.get(f"h-{key}", ""), request.POST.get(f"d-{key}", "")
    check = load_remote_check(s)
    return render(
        request,
        "curriculum/individual_curriculum.html",
        {
            "student": s,
            "plan": plan if plan is not None and plan.pk else None,
            "form": form,
            "rows": rows,
            "terms": terms,
            "can_change": can_change,
            "check": check,
            "title": _("Individual curriculum") + f" · {s}",
        },
        status=status,
    )


@login_required
def individual_delete(request, pk):
    plan = _get(IndividualCurriculum.objects.for_user(request.user, "change").select_related("student"), pk)
    url = _student_url(plan.student, "individual")
    if request.method == "POST":
        with transaction.atomic():
            plan.delete()
        messages.success(request, _("Deleted: %(object)s") % {"object": plan})
        return HttpResponseRedirect(url)
    return render(request, "core/confirm_delete.html", {"object": plan, "cancel_url": url, "title": _("Delete")})


# ---------------------------------------------------------------------------------------------
# Remote-study exemptions


def _exemption_form(request, s, exemption):
    form = ExemptionForm(request.POST or None, request.FILES or None, instance=exemption)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved = services.save_exemption(form.save(commit=False), request.user)
            except RuleViolation as violation:
                add_violation(form, violation)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": saved})
                return HttpResponseRedirect(_student_url(s, "exemptions"))
    title = _("Edit the exemption") if exemption.pk else _("Add a remote-study exemption")
    return render(
        request,
        "curriculum/exemption_form.html",
        {"student": s, "form": form, "object": exemption if exemption.pk else None, "title": title},
        status=status,
    )


@login_required
def student_exemption(request, pk):
    s = _get(_students(request.user, "change"), pk)
    return _exemption_form(request, s, DistanceExemption(student=s, institution_id=s.institution_id))


def _exemption(user, pk, action="view"):
    return _get(
        DistanceExemption.objects.for_user(user, action).select_related("student__institution", "student__group__programme"),
        pk,
    )


@login_required
def exemption_edit(request, pk):
    x = _exemption(request.user, pk, "change")
    return _exemption_form(request, x.student, x)


@login_required
def exemption_delete(request, pk):
    x = _exemption(request.user, pk, "change")
    url = _student_url(x.student, "exemptions")
    if request.method == "POST":
        with transaction.atomic():
            x.delete()
        messages.success(request, _("Deleted: %(object)s") % {"object": x})
        return HttpResponseRedirect(url)
    return render(request, "core/confirm_delete.html", {"object": x, "cancel_url": url, "title": _("Delete")})


@login_required
def exemption_scan(request, pk):
    """The scan of the granting document, to the institution's own users only."""
    x = _exemption(request.user, pk)
    if not x.scan:
        raise Http404
    try:
        handle = x.scan.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=x.scan.name.rsplit("/", 1)[-1])
