"""Pages of employers' needs, their analysis against graduates, and employers' evaluations (F6, F34, K27, K15).

Every record is read through the scoped querysets (another institution's record answers 404, GET and
POST); an employer's people see and fill in only their employer's. A refused step shows its rule
beside the field, with the clause, and changes nothing.
"""

import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from kesip.core import access
from kesip.core.forms import add_violation
from kesip.core.models import Employer, Institution, Specialty
from kesip.core.rules import RuleViolation
from kesip.core.views.generic import history_entries, require_perm
from kesip.wbl import common, partnership
from kesip.wbl.models import EmployerEvaluation, EmployerNeed
from kesip.wbl.partnership_forms import EvaluationForm, NeedForm
from kesip.wbl.report_indicators import academic_year_of


def _get(qs, pk):
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _to_form(form, error):
    for v in getattr(error, "violations", None) or [error]:
        add_violation(form, v)


def _year(request, chosen, key="year"):
    year = request.GET.get(key, "")
    if year.isdigit() and 2000 <= int(year) <= 2100:
        chosen[key] = year
        return int(year)
    return None


def _years():
    this = academic_year_of(datetime.date.today())
    return list(range(this + 1, this - 6, -1))


def _target(request, model, wanted=""):
    """Where a new record goes: (institution, employer fixed for an employer's person, staff?) — `wanted` employer."""
    user = request.user
    employers = Employer.objects.partners().for_user(user, "view").select_related("institution")
    if wanted.isdigit():
        employer = _get(employers, int(wanted))
        staff = partnership.staff_of(user, model, employer.institution_id)
        if not staff and partnership.person_at(user, employer.pk, mentor=model is EmployerEvaluation) is None:
            raise PermissionDenied
        return employer.institution, employer, staff
    scope = access.scope_for(user, model, "change")
    if scope.everything or scope.institution_ids:
        ids = sorted(scope.institution_ids)
        inst = Institution.objects.filter(pk__in=ids).first() if ids else Institution.objects.order_by("pk").first()
        return inst, None, True
    mine = sorted(partnership.employer_ids_of(user, mentor=model is EmployerEvaluation))
    if mine:
        employer = employers.filter(pk=mine[0]).first()
        if employer is not None:
            return employer.institution, employer, False
    return None, None, False


def _history(request, obj, title, list_name):
    return render(
        request,
        "core/history.html",
        {"object": obj, "entries": history_entries(obj), "title": title, "list_url": reverse(list_name)},
    )


# --- Needs ------------------------------------------------------------------------------------------------

NEED_SELECT = ("institution", "employer", "specialty")


def _need(user, pk):
    return _get(partnership.visible_needs(user).select_related(*NEED_SELECT), pk)


@login_required
def need_list(request):
    """Employers' needs for specialists (п. 4, 6): filter by year, employer, profession."""
    require_perm(request.user, "view_wbl")
    base = partnership.visible_needs(request.user)
    qs = base.select_related(*NEED_SELECT)
    chosen = {}
    year = _year(request, chosen)
    if year:
        qs = qs.filter(academic_year=year)
    employer = request.GET.get("employer", "")
    if employer.isdigit():
        qs, chosen["employer"] = qs.filter(employer_id=int(employer)), employer
    specialty = request.GET.get("specialty", "")
    if specialty.isdigit():
        qs, chosen["specialty"] = qs.filter(specialty_id=int(specialty)), specialty
    page = Paginator(qs.order_by("-academic_year", "specialty__code", "employer__name", "pk"), settings.KESIP_PAGE_SIZE)
    page = page.get_page(request.GET.get("page"))
    institution = _target(request, EmployerNeed)[0]
    return render(
        request,
        "wbl/need_list.html",
        {
            "title": _("Employers' needs for specialists"),
            "page": page,
            "chosen": chosen,
            "query": urlencode(chosen),
            "employers": Employer.objects.filter(pk__in=base.values("employer_id")).order_by("name"),
            "specialties": Specialty.objects.filter(pk__in=base.values("specialty_id")).order_by("code"),
            "years": _years(),
            "can_add": institution is not None,
            "may_analyse": _may_analyse(request.user),
            "many_institutions": len({n.institution_id for n in page.object_list}) > 1,
        },
    )


def _need_form(request, need, institution, employer, title):
    status = 200
    if request.method == "POST":
        status = 400
        form = NeedForm(request.POST, instance=need, institution=institution, employer=employer)
        if form.is_valid():
            try:
                saved = partnership.save_need(form.instance, request.user)
            except (common.WblInvalid, RuleViolation) as error:
                _to_form(form, error)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": saved})
                return HttpResponseRedirect(saved.get_absolute_url())
    else:
        initial = (
            {} if need.pk else {"academic_year": academic_year_of(datetime.date.today()), "collected_on": datetime.date.today()}
        )
        form = NeedForm(instance=need, institution=institution, employer=employer, initial=initial)
    return render(request, "wbl/need_form.html", {"title": title, "form": form, "need": need if need.pk else None}, status=status)


@login_required
def need_add(request):
    institution, employer, _staff = _target(request, EmployerNeed, request.GET.get("employer", ""))
    if institution is None:
        raise PermissionDenied
    need = EmployerNeed(institution_id=institution.pk, institution=institution)
    return _need_form(request, need, institution, employer, _("Record an employer's need"))


@login_required
def need_detail(request, pk):
    need = _need(request.user, pk)
    return render(
        request,
        "wbl/need_detail.html",
        {
            "title": str(need),
            "need": need,
            "may_edit": partnership.may_record_need(request.user, need),
            "may_analyse": _may_analyse(request.user),
        },
    )


@login_required
def need_edit(request, pk):
    need = _need(request.user, pk)
    if not partnership.may_record_need(request.user, need):
        raise PermissionDenied
    employer = None if partnership.staff_of(request.user, EmployerNeed, need.institution_id) else need.employer
    return _need_form(request, need, need.institution, employer, _("Edit: %(object)s") % {"object": need})


@login_required
def need_delete(request, pk):
    need = _need(request.user, pk)
    if not partnership.may_record_need(request.user, need):
        raise PermissionDenied
    if request.method == "POST":
        partnership.delete_need(need, request.user)
        messages.success(request, _("Deleted: %(object)s") % {"object": need})
        return HttpResponseRedirect(reverse("wbl:need_list"))
    return render(
        request, "core/confirm_delete.html", {"object": need, "cancel_url": need.get_absolute_url(), "title": _("Delete")}
    )


@login_required
def need_history(request, pk):
    return _history(request, _need(request.user, pk), _("Employers' needs for specialists"), "wbl:need_list")


def _may_analyse(user):
    """Whether `need_analysis` opens for the user (its own test): the permission and institutions read in full."""
    if not access.has_perm(user, "view_wbl"):
        return False
    ids = partnership.scope_institution_ids(user, EmployerNeed)
    return Institution.objects.exists() if ids is None else bool(ids)


@login_required
def need_analysis(request):
    """K27: per profession, the specialists employers need and the WBL places they offer, against the learners in WBL
    of that profession and the year's graduates."""
    require_perm(request.user, "view_wbl")
    ids = partnership.scope_institution_ids(request.user, EmployerNeed)
    if ids is None:
        ids = list(Institution.objects.values_list("pk", flat=True))
    if not ids:
        raise PermissionDenied
    chosen = {}
    year = _year(request, chosen) or academic_year_of(datetime.date.today())
    rows, total = partnership.needs_analysis(ids, year)
    evaluations = partnership.evaluation_summary(ids, year)
    return render(
        request,
        "wbl/need_analysis.html",
        {
            "title": _("Employers' needs and graduates"),
            "year": year,
            "years": _years(),
            "rows": rows,
            "total": total,
            "labels": partnership.STATE_LABELS,
            "evaluations": evaluations,
            "criteria": [(label, evaluations["criteria"][code]) for code, label in partnership.EVALUATION_CRITERIA],
        },
    )


# --- Evaluations ------------------------------------------------------------------------------------------

EVALUATION_SELECT = ("institution", "employer", "programme", "filled_by")


def _evaluation(user, pk):
    return _get(partnership.visible_evaluations(user).select_related(*EVALUATION_SELECT), pk)


@login_required
def evaluation_list(request):
    """Employers' evaluations of how WBL programmes were carried out (п. 57 item 8): filter by year and employer."""
    require_perm(request.user, "view_wbl")
    base = partnership.visible_evaluations(request.user)
    qs = base.select_related(*EVALUATION_SELECT)
    chosen = {}
    year = _year(request, chosen)
    if year:
        qs = qs.filter(academic_year=year)
    employer = request.GET.get("employer", "")
    if employer.isdigit():
        qs, chosen["employer"] = qs.filter(employer_id=int(employer)), employer
    page = Paginator(qs.order_by("-academic_year", "employer__name", "pk"), settings.KESIP_PAGE_SIZE)
    page = page.get_page(request.GET.get("page"))
    institution = _target(request, EmployerEvaluation)[0]
    return render(
        request,
        "wbl/evaluation_list.html",
        {
            "title": _("Employers' evaluations of WBL"),
            "page": page,
            "chosen": chosen,
            "query": urlencode(chosen),
            "employers": Employer.objects.filter(pk__in=base.values("employer_id")).order_by("name"),
            "years": _years(),
            "can_add": institution is not None,
            "many_institutions": len({e.institution_id for e in page.object_list}) > 1,
        },
    )


def _evaluation_form(request, ev, institution, employer, staff, title):
    status = 200
    if request.method == "POST":
        status = 400
        form = EvaluationForm(request.POST, instance=ev, institution=institution, employer=employer, staff=staff)
        if form.is_valid():
            try:
                saved = partnership.save_evaluation(form.save_answers(), request.user)
            except (common.WblInvalid, RuleViolation) as error:
                _to_form(form, error)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": saved})
                return HttpResponseRedirect(saved.get_absolute_url())
    else:
        initial = {}
        if not ev.pk:
            initial = {"academic_year": academic_year_of(datetime.date.today()) - 1, "filled_on": datetime.date.today()}
        form = EvaluationForm(instance=ev, institution=institution, employer=employer, staff=staff, initial=initial)
    return render(
        request,
        "wbl/evaluation_form.html",
        {
            "title": title,
            "form": form,
            "evaluation": ev if ev.pk else None,
            "criteria": [form[code] for code in form.criteria],
            "others": [form[name] for name in form.fields if name not in form.criteria],
        },
        status=status,
    )


@login_required
def evaluation_add(request):
    institution, employer, staff = _target(request, EmployerEvaluation, request.GET.get("employer", ""))
    if institution is None:
        raise PermissionDenied
    ev = EmployerEvaluation(institution_id=institution.pk, institution=institution)
    return _evaluation_form(request, ev, institution, employer, staff, _("Employer's evaluation of WBL"))


@login_required
def evaluation_detail(request, pk):
    ev = _evaluation(request.user, pk)
    return render(
        request,
        "wbl/evaluation_detail.html",
        {
            "title": str(ev),
            "evaluation": ev,
            "rows": partnership.criterion_rows(ev),
            "may_edit": partnership.may_evaluate(request.user, ev),
        },
    )


@login_required
def evaluation_edit(request, pk):
    ev = _evaluation(request.user, pk)
    if not partnership.may_evaluate(request.user, ev):
        raise PermissionDenied
    staff = partnership.staff_of(request.user, EmployerEvaluation, ev.institution_id)
    return _evaluation_form(
        request, ev, ev.institution, None if staff else ev.employer, staff, _("Edit: %(object)s") % {"object": ev}
    )


@login_required
def evaluation_delete(request, pk):
    ev = _evaluation(request.user, pk)
    if not partnership.may_evaluate(request.user, ev):
        raise PermissionDenied
    if request.method == "POST":
        partnership.delete_evaluation(ev, request.user)
        messages.success(request, _("Deleted: %(object)s") % {"object": ev})
        return HttpResponseRedirect(reverse("wbl:evaluation_list"))
    return render(request, "core/confirm_delete.html", {"object": ev, "cancel_url": ev.get_absolute_url(), "title": _("Delete")})


@login_required
def evaluation_history(request, pk):
    return _history(request, _evaluation(request.user, pk), _("Employers' evaluations of WBL"), "wbl:evaluation_list")


urlpatterns = [
    path("needs/", need_list, name="need_list"),
    path("needs/add/", need_add, name="need_add"),
    path("needs/analysis/", need_analysis, name="need_analysis"),
    path("needs/<int:pk>/", need_detail, name="need_detail"),
    path("needs/<int:pk>/edit/", need_edit, name="need_edit"),
    path("needs/<int:pk>/delete/", need_delete, name="need_delete"),
    path("needs/<int:pk>/history/", need_history, name="need_history"),
    path("evaluations/", evaluation_list, name="evaluation_list"),
    path("evaluations/add/", evaluation_add, name="evaluation_add"),
    path("evaluations/<int:pk>/", evaluation_detail, name="evaluation_detail"),
    path("evaluations/<int:pk>/edit/", evaluation_edit, name="evaluation_edit"),
    path("evaluations/<int:pk>/delete/", evaluation_delete, name="evaluation_delete"),
    path("evaluations/<int:pk>/history/", evaluation_history, name="evaluation_history"),
]
