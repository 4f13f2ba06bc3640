"""Pages of the curriculum: a programme's design (module tree, checks, status flow) and its parts.

Every page reads through `for_user`, so another institution's programme, module or component
answers 404. Parts of an approved programme are not editable until a new revision is opened.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from kesip.core import access
from kesip.core.forms import add_violation
from kesip.core.models import Programme
from kesip.core.rules import RuleViolation
from kesip.curriculum import rules, services
from kesip.curriculum.forms import CompetencyForm, ComponentForm, ConclusionForm, ModuleForm
from kesip.curriculum.models import Competency, Component, Module
from kesip.curriculum.views.common import scoped_or_404 as _get


def _programme_url(programme, anchor=""):
    return reverse("curriculum:programme", args=[programme.pk]) + (f"#{anchor}" if anchor else "")


def _section_key(module):
    return (module.kind, module.qualification_id or 0)


@login_required
def programme(request, pk):
    p = _get(Programme, request.user, pk, select=("institution", "specialty"))
    modules = list(
        Module.objects.filter(programme=p)
        .select_related("qualification", "integrated_into")
        .prefetch_related(Prefetch("components", queryset=Component.objects.order_by("position", "pk")), "competencies")
        .order_by("position", "pk")
    )
    qualifications = list(p.qualifications.select_related("specialty"))
    violations = rules.programme_violations(p, tree=(modules, qualifications))
    can_change = p.is_editable and access.scope_for(request.user, Programme, "change").allows_institution(p.institution_id)

    # Sections: general education, basic, then professional modules per qualification.
    order = {Module.Kind.GENERAL: 0, Module.Kind.BASIC: 1, Module.Kind.PROFESSIONAL: 2}
    sections = {}
    for m in sorted(modules, key=lambda m: (order[m.kind], m.qualification_id or 0, m.position, m.pk)):
        key = _section_key(m)
        if key not in sections:
            title = m.get_kind_display()
            if m.qualification_id:
                title = f"{title}: {m.qualification}"
            sections[key] = {"title": title, "modules": [], "hours": 0, "credits": Decimal(0)}
        parts = list(m.components.all())
        m.total_hours = sum(c.hours for c in parts)
        m.total_credits = sum((c.credits or Decimal(0)) for c in parts)
        sections[key]["modules"].append(m)
        sections[key]["hours"] += m.total_hours
        sections[key]["credits"] += m.total_credits
    total_hours = sum(s["hours"] for s in sections.values())
    total_credits = sum((s["credits"] for s in sections.values()), Decimal(0))
    for s in sections.values():
        s["share"] = round(100 * s["hours"] / total_hours, 1) if total_hours else 0
    # The volume by part, as a programme passport states it: general education, basic modules,
    # then the professional modules split into subjects, industrial training and practice.
    kinds = {}
    for m in sorted(modules, key=lambda m: order[m.kind]):
        for c in m.components.all():
            label = _("Professional subjects") if m.kind == Module.Kind.PROFESSIONAL and not c.is_practice else None
            label = label or (c.get_kind_display() if c.is_practice else m.get_kind_display())
            row = kinds.setdefault(label, [0, Decimal(0)])
            row[0] += c.hours
            row[1] += c.credits or 0
    return render(
        request,
        "curriculum/programme.html",
        {
            "programme": p,
            "title": p.name,
            "qualifications": qualifications,
            "co_developers": list(p.co_developers.all()),
            "competencies": list(p.competencies.all()),
            "sections": list(sections.values()),
            "by_kind": [(k, h, c, round(100 * h / total_hours, 1) if total_hours else 0) for k, (h, c) in kinds.items()],
            "total_hours": total_hours,
            "total_credits": total_credits,
            "uses_credits": rules.hours_per_credit(rules.rulebook_for(p.institution.jurisdiction)) is not None,
            "violations": violations,
            "can_change": can_change,
            "can_edit_header": access.scope_for(request.user, Programme, "change").allows_institution(p.institution_id),
            "transitions": services.allowed(p, request.user),
            "conclusion_form": ConclusionForm(),
            "working_curricula": list(p.working_curricula.order_by("-intake_year")),
        },
    )


def _editable_programme(request, pk):
    """The programme, if the user may change it (else 404) and its status allows (else a message)."""
    p = _get(Programme, request.user, pk, "change", select=("institution", "specialty"))
    if not p.is_editable:
        messages.error(
            request,
            _("The programme is “%(status)s”: open a new revision before changing it.") % {"status": p.get_status_display()},
        )
        return p, HttpResponseRedirect(_programme_url(p))
    return p, None


def _part_form(request, programme, form_class, instance, anchor, template_title, form_kwargs):
    if request.method == "POST":
        form = form_class(request.POST, instance=instance, **form_kwargs)
        if form.is_valid():
            try:
                with transaction.atomic():
                    saved = form.save()
            except RuleViolation as violation:
                add_violation(form, violation)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": saved})
                return HttpResponseRedirect(_programme_url(programme, anchor(saved)))
        status = 400
    else:
        form = form_class(instance=instance, **form_kwargs)
        status = 200
    return render(
        request,
        "curriculum/part_form.html",
        {"form": form, "programme": programme, "title": template_title, "object": instance if instance.pk else None},
        status=status,
    )


@login_required
def module_form(request, programme_pk=None, pk=None):
    if pk is not None:
        module = _get(Module, request.user, pk, "change", select=("programme",))
        programme_pk = module.programme_id
    p, refused = _editable_programme(request, programme_pk)
    if refused:
        return refused
    module = module if pk is not None else Module(programme=p, institution=p.institution)
    title = _("Edit module") if pk else _("Add a module")
    return _part_form(request, p, ModuleForm, module, lambda m: f"module-{m.pk}", title, {"programme": p})


@login_required
def component_form(request, module_pk=None, pk=None):
    if pk is not None:
        component = _get(Component, request.user, pk, "change", select=("module",))
        module = component.module
    else:
        module = _get(Module, request.user, module_pk, "change")
        component = Component(module=module, institution=module.institution)
    p, refused = _editable_programme(request, module.programme_id)
    if refused:
        return refused
    module.programme, module.institution = p, p.institution
    title = (_("Edit: %(object)s") % {"object": component}) if pk else (_("Add to module %(module)s") % {"module": module})
    return _part_form(request, p, ComponentForm, component, lambda c: f"module-{c.module_id}", title, {"module": module})


@login_required
def competency_form(request, programme_pk=None, pk=None):
    if pk is not None:
        competency = _get(Competency, request.user, pk, "change")
        programme_pk = competency.programme_id
    p, refused = _editable_programme(request, programme_pk)
    if refused:
        return refused
    competency = competency if pk is not None else Competency(programme=p, institution=p.institution)
    title = _("Edit competency") if pk else _("Add a competency")
    return _part_form(request, p, CompetencyForm, competency, lambda c: "competencies", title, {"programme": p})


def _delete(request, model, pk, programme_of, anchor):
    obj = _get(model, request.user, pk, "change")
    p, refused = _editable_programme(request, programme_of(obj))
    if refused:
        return refused
    if request.method == "POST":
        with transaction.atomic():
            obj.delete()
        messages.success(request, _("Deleted: %(object)s") % {"object": obj})
        return HttpResponseRedirect(_programme_url(p, anchor))
    return render(request, "core/confirm_delete.html", {"object": obj, "cancel_url": _programme_url(p), "title": _("Delete")})


@login_required
def module_delete(request, pk):
    return _delete(request, Module, pk, lambda m: m.programme_id, "modules")


@login_required
def component_delete(request, pk):
    return _delete(request, Component, pk, lambda c: c.module.programme_id, "modules")


@login_required
def competency_delete(request, pk):
    return _delete(request, Competency, pk, lambda c: c.programme_id, "competencies")


@login_required
def programme_transition(request, pk, name):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    p = _get(Programme, request.user, pk, "view", select=("institution", "specialty"))
    step = services.TRANSITIONS.get(name)
    if step is None or step not in services.allowed(p, request.user):
        messages.error(request, _("This step is not open for the programme now."))
        return HttpResponseRedirect(_programme_url(p))
    try:
        services.transition(p, name, request.user, conclusion=request.POST.get("expert_conclusion", ""))
    except services.ProgrammeInvalid as invalid:
        messages.error(
            request,
            _("The programme cannot be approved: %(count)s rules are broken. The draft is kept; see the list below.")
            % {"count": len(invalid.violations)},
        )
    except RuleViolation as violation:
        messages.error(request, violation.message)
    else:
        messages.success(request, _("The programme is now “%(status)s”.") % {"status": p.get_status_display()})
    return HttpResponseRedirect(_programme_url(p))


def _curriculum_grid(wc):
    """Rows of components with their hours per (year, semester), and the totals per semester and year."""
    from kesip.curriculum.models import CurriculumEntry

    components = list(
        Component.objects.filter(module__programme_id=wc.programme_id)
        .select_related("module")
        .order_by("module__position", "module__pk", "position", "pk")
    )
    cells = {(e.component_id, e.year, e.semester): e for e in CurriculumEntry.objects.filter(curriculum=wc)}
    terms = [(y, s) for y in range(1, wc.years + 1) for s in (1, 2)]
    rows = []
    for c in components:
        laid = [cells.get((c.pk, y, s)) for y, s in terms]
        total = sum(e.hours for e in laid if e)
        rows.append({"component": c, "cells": list(zip(terms, laid, strict=True)), "laid": total, "complete": total == c.hours})
    term_hours = [sum(e.hours for (cid, y, s), e in cells.items() if (y, s) == t) for t in terms]
    term_remote = [sum(e.distance_hours for (cid, y, s), e in cells.items() if (y, s) == t) for t in terms]
    return rows, terms, term_hours, term_remote


@login_required
def curriculum_layout(request, pk):
    from kesip.curriculum.models import WorkingCurriculum

    wc = _get(WorkingCurriculum, request.user, pk, select=("programme__institution", "programme__specialty"))
    p = wc.programme
    can_change = wc.status == WorkingCurriculum.Status.DRAFT and access.scope_for(
        request.user, Programme, "change"
    ).allows_institution(wc.institution_id)
    if request.method == "POST":
        if not can_change:
            messages.error(request, _("Reopen the approved working curriculum before changing it."))
            return HttpResponseRedirect(wc.get_absolute_url())
        try:
            cells = _parse_layout(request.POST, wc)
            services.save_layout(wc, cells)
        except RuleViolation as violation:
            messages.error(request, violation.message)
        else:
            messages.success(request, _("The layout is saved."))
        return HttpResponseRedirect(wc.get_absolute_url())
    rows, terms, term_hours, term_remote = _curriculum_grid(wc)
    book = rules.rulebook_for(p.institution.jurisdiction)
    per_credit = rules.hours_per_credit(book)
    years = []
    for y in range(1, wc.years + 1):
        hours = sum(h for (yy, _s), h in zip(terms, term_hours, strict=True) if yy == y)
        years.append(
            {
                "year": y,
                "hours": hours,
                "credits": (Decimal(hours) / per_credit).quantize(Decimal("0.01")) if per_credit else None,
            }
        )
    total = sum(term_hours)
    return render(
        request,
        "curriculum/working_curriculum.html",
        {
            "wc": wc,
            "programme": p,
            "title": str(wc),
            "rows": rows,
            "terms": terms,
            "term_hours": term_hours,
            "term_credits": [(Decimal(h) / per_credit).quantize(Decimal("0.01")) if per_credit else None for h in term_hours],
            "term_remote": term_remote,
            "years": years,
            "total_hours": total,
            "remote_share": round(100 * sum(term_remote) / total, 2) if total else 0,
            "violations": rules.curriculum_violations(wc),
            "can_change": can_change,
            "can_approve": wc.status == WorkingCurriculum.Status.DRAFT
            and access.scope_for(request.user, Programme, "approve").allows_institution(wc.institution_id),
            "can_reopen": wc.status == WorkingCurriculum.Status.APPROVED
            and access.scope_for(request.user, Programme, "change").allows_institution(wc.institution_id),
        },
    )


def _parse_layout(post, wc):
    """Read the grid's `h-<component>-<year>-<semester>` and `d-…` fields; a bad number refuses the whole post."""
    cells = {}
    for key, raw in post.items():
        if not key.startswith("h-"):
            continue
        try:
            _prefix, cid, year, semester = key.split("-")
            cid, year, semester = int(cid), int(year), int(semester)
            hours = int(raw.strip() or 0)
            distance = int(post.get(f"d-{cid}-{year}-{semester}", "").strip() or 0)
        except ValueError:
            raise RuleViolation(
                "curriculum.working.number",
                _("“%(value)s” is not a whole number of hours; nothing was saved.") % {"value": raw},
            ) from None
        if hours or distance:
            cells[(cid, year, semester)] = (hours, distance)
    return cells


@login_required
def curriculum_open(request, programme_pk):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    p = _get(Programme, request.user, programme_pk, "change", select=("institution",))
    try:
        year = int(request.POST.get("intake_year", ""))
        if not 1990 <= year <= 2100:
            raise ValueError
    except ValueError:
        messages.error(request, _("Give the intake year as four digits."))
        return HttpResponseRedirect(_programme_url(p, "working-curricula"))
    try:
        wc = services.open_working_curriculum(p, year, request.user)
    except RuleViolation as violation:
        messages.error(request, violation.message)
        return HttpResponseRedirect(_programme_url(p, "working-curricula"))
    return HttpResponseRedirect(wc.get_absolute_url())


@login_required
def curriculum_step(request, pk, name):
    from kesip.curriculum.models import WorkingCurriculum

    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    wc = _get(WorkingCurriculum, request.user, pk, select=("programme",))
    try:
        if name == "approve":
            services.approve_curriculum(wc, request.user)
            messages.success(request, _("The working curriculum is approved."))
        elif name == "reopen":
            services.reopen_curriculum(wc, request.user)
            messages.success(request, _("The working curriculum is open for changes again."))
        else:
            raise Http404
    except services.ProgrammeInvalid as invalid:
        messages.error(
            request,
            _("The working curriculum cannot be approved: %(count)s rules are broken; see the list below.")
            % {"count": len(invalid.violations)},
        )
    except RuleViolation as violation:
        messages.error(request, violation.message)
    return HttpResponseRedirect(wc.get_absolute_url())
