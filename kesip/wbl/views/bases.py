"""Pages of the institution's own WBL bases (F1; п. 3, п. 10): the register, a base, its form and history.

Every page reads through `for_user`: another institution's base answers 404, GET and POST. Only the
institution's WBL staff (`change_wbl`) register and change a base; a refused save shows each problem
beside its field and changes nothing. The register reads a fixed number of queries.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from kesip.core import access
from kesip.core.forms import add_violation
from kesip.core.models import Employer, Institution, Specialty
from kesip.core.rules import RuleViolation
from kesip.core.views.generic import history_entries, require_perm
from kesip.curriculum.views.common import scoped_or_404
from kesip.wbl import bases
from kesip.wbl.base_forms import BaseForm, MentorForm
from kesip.wbl.common import WblInvalid
from kesip.wbl.models import Placement, WblBase

SELECT = ("institution", "head", "host")


def _base(user, pk, action="view"):
    return scoped_or_404(WblBase, user, pk, action, SELECT)


def _own_institution(user):
    """The institution where the user registers bases, or None."""
    scope = access.scope_for(user, WblBase, "change")
    if scope.everything:
        return Institution.objects.order_by("pk").first()
    ids = sorted(scope.institution_ids)
    return Institution.objects.filter(pk=ids[0]).first() if ids else None


def visible_bases(user):
    return WblBase.objects.for_user(user, "view")


@login_required
def base_list(request):
    """The institution's bases: filter by kind, profession, in use; search by name, address, equipment."""
    require_perm(request.user, "view_wbl")
    base_qs = visible_bases(request.user)
    qs = base_qs.select_related(*SELECT).prefetch_related("specialties")
    chosen = {}
    kind = request.GET.get("kind", "")
    if kind in WblBase.Kind.values:
        qs, chosen["kind"] = qs.filter(kind=kind), kind
    specialty = request.GET.get("specialty", "")
    if specialty.isdigit():
        qs, chosen["specialty"] = qs.filter(specialties=int(specialty)), specialty
    if request.GET.get("active") == "1":
        qs, chosen["active"] = qs.filter(is_active=True), "1"
    q = request.GET.get("q", "").strip()[:100]
    if q:
        qs, chosen["q"] = qs.filter(Q(name__icontains=q) | Q(address__icontains=q) | Q(equipment__icontains=q)), q
    page = Paginator(qs.distinct().order_by("kind", "name", "pk"), settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    return render(
        request,
        "wbl/base_list.html",
        {
            "title": _("The institution's WBL bases"),
            "page": page,
            "rows": rows,
            "kinds": WblBase.Kind.choices,
            "specialties": Specialty.objects.filter(pk__in=base_qs.values("specialties")).order_by("code"),
            "chosen": chosen,
            "query": urlencode(chosen),
            "can_add": _own_institution(request.user) is not None,
            "many_institutions": len({b.institution_id for b in rows}) > 1,
        },
    )


@login_required
def base_detail(request, pk):
    """The base's card; its mentors, workplaces, documents and placements are on its WBL page (the host's)."""
    base = _base(request.user, pk)
    counts = {"mentors": 0, "workplaces": 0, "placements": 0}
    if base.host_id:
        counts = Employer.objects.filter(pk=base.host_id).aggregate(
            mentors=Count("people", filter=Q(people__is_mentor=True, people__is_active=True), distinct=True),
            workplaces=Count("workplaces", filter=Q(workplaces__is_active=True), distinct=True),
            placements=Count("placements", filter=~Q(placements__status=Placement.Status.CANCELLED), distinct=True),
        )
    return render(
        request,
        "wbl/base_detail.html",
        {
            "base": base,
            "title": str(base),
            "specialties": list(base.specialties.order_by("code")),
            "can_edit": bases.may_manage(request.user, base.institution_id),
            "may_open_host": Employer.objects.for_user(request.user, "view").filter(pk=base.host_id).exists(),
            "counts": counts,
        },
    )


@login_required
def base_mentor_add(request, pk):
    """Register one of the institution's staff as a mentor of the base (п. 10)."""
    base = _base(request.user, pk, "change")
    status = 200
    if request.method == "POST":
        status = 400
        form = MentorForm(request.POST, base=base)
        if form.is_valid():
            data = form.cleaned_data
            try:
                person = bases.add_mentor(base, data["staff"], request.user, data["qualification"], data["experience_years"])
            except (WblInvalid, RuleViolation) as error:
                for v in getattr(error, "violations", [error]):
                    add_violation(form, v)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": person})
                return HttpResponseRedirect(reverse("wbl:employer_detail", args=[base.host_id]))
    else:
        form = MentorForm(base=base)
    return render(
        request,
        "wbl/base_mentor_form.html",
        {"form": form, "base": base, "title": _("A mentor of the base")},
        status=status,
    )


def _form_page(request, base, institution, title):
    status = 200
    if request.method == "POST":
        status = 400
        form = BaseForm(request.POST, instance=base, institution=institution)
        if form.is_valid():
            form.instance.institution = institution
            try:
                saved = bases.save_base(form.instance, request.user, list(form.cleaned_data["specialties"]))
            except (WblInvalid, RuleViolation) as error:
                for v in getattr(error, "violations", [error]):
                    add_violation(form, v)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": saved})
                return HttpResponseRedirect(saved.get_absolute_url())
    else:
        form = BaseForm(instance=base, institution=institution)
    return render(
        request,
        "wbl/base_form.html",
        {"form": form, "base": base if base.pk else None, "title": title},
        status=status,
    )


@login_required
def base_add(request):
    require_perm(request.user, "view_wbl")
    institution = _own_institution(request.user)
    if institution is None:
        raise PermissionDenied
    return _form_page(request, WblBase(institution=institution), institution, _("New WBL base"))


@login_required
def base_edit(request, pk):
    base = _base(request.user, pk, "change")
    return _form_page(request, base, base.institution, _("Edit: %(object)s") % {"object": base})


@login_required
def base_history(request, pk):
    base = _base(request.user, pk)
    return render(
        request,
        "core/history.html",
        {
            "object": base,
            "entries": history_entries(base),
            "title": _("The institution's WBL bases"),
            "list_url": reverse("wbl:base_list"),
        },
    )


urlpatterns = [
    path("bases/", base_list, name="base_list"),
    path("bases/add/", base_add, name="base_add"),
    path("bases/<int:pk>/", base_detail, name="base_detail"),
    path("bases/<int:pk>/edit/", base_edit, name="base_edit"),
    path("bases/<int:pk>/mentors/add/", base_mentor_add, name="base_mentor_add"),
    path("bases/<int:pk>/history/", base_history, name="base_history"),
]
