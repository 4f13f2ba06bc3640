"""Pages of the plan of measures supporting the educational process, developed with the employers (F8; п. 56 item 1).

Every page reads through `for_user`: another institution's measure answers 404; an employer's users read
the measures developed with their employer. The list reads a fixed number of queries.
"""

import datetime
from urllib.parse import urlencode

from django import forms
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
from kesip.core.forms import DATE, add_violation
from kesip.core.models import Employer, Institution
from kesip.core.rules import RuleViolation
from kesip.core.views.generic import require_perm
from kesip.curriculum.views.common import scoped_or_404
from kesip.wbl import support_measures as svc
from kesip.wbl.common import WblInvalid
from kesip.wbl.models import SupportMeasure
from kesip.wbl.report_indicators import academic_year_of


class MeasureForm(forms.ModelForm):
    class Meta:
        model = SupportMeasure
        fields = ["academic_year", "text", "responsible", "employer", "due_on", "status", "done_on"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3}), "due_on": DATE, "done_on": DATE}

    def __init__(self, *args, institution=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = Employer.objects.partners().filter(institution=institution).order_by("name")

    def _post_clean(self):  # the service checks the record and answers each problem beside its field
        opts = self._meta
        self.instance = forms.models.construct_instance(self, self.instance, opts.fields, opts.exclude)


def _institution(user):
    scope = access.scope_for(user, SupportMeasure, "change")
    if scope.everything:
        return Institution.objects.order_by("pk").first()
    ids = sorted(scope.institution_ids)
    return Institution.objects.filter(pk=ids[0]).first() if ids else None


@login_required
def measure_list(request):
    require_perm(request.user, "view_wbl")
    base = SupportMeasure.objects.for_user(request.user)
    chosen = {}
    year = request.GET.get("year", "")
    if year.isdigit() and len(year) == 4:
        chosen["year"] = year
    else:
        year = str(academic_year_of(datetime.date.today()))
    qs = base.filter(academic_year=int(year)).select_related("employer", "institution").order_by("due_on", "pk")
    employer = request.GET.get("employer", "")
    if employer.isdigit():
        qs, chosen["employer"] = qs.filter(employer_id=int(employer)), employer
    page = Paginator(qs, settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
    institution = _institution(request.user)
    return render(
        request,
        "wbl/support_measure_list.html",
        {
            "title": _("Plan of measures supporting the educational process"),
            "page": page,
            "rows": list(page.object_list),
            "year": int(year),
            "years": list(range(academic_year_of(datetime.date.today()) + 1, 2019, -1)),
            "employers": Employer.objects.filter(pk__in=base.values("employer_id")).order_by("name"),
            "chosen": chosen,
            "query": urlencode(chosen),
            "can_add": institution is not None,
        },
    )


def _form_page(request, measure, institution, title):
    status = 200
    if request.method == "POST":
        status = 400
        form = MeasureForm(request.POST, instance=measure, institution=institution)
        if form.is_valid():
            form.instance.institution = institution
            try:
                saved = svc.save(form.instance, request.user)
            except (WblInvalid, RuleViolation) as error:
                for v in getattr(error, "violations", [error]):
                    add_violation(form, v)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": saved})
                return HttpResponseRedirect(reverse("wbl:support_measure_list") + f"?year={saved.academic_year}")
    else:
        form = MeasureForm(instance=measure, institution=institution)
    return render(
        request,
        "wbl/support_measure_form.html",
        {"form": form, "object": measure if measure.pk else None, "title": title},
        status=status,
    )


@login_required
def measure_add(request):
    institution = _institution(request.user)
    if institution is None:
        raise PermissionDenied
    year = request.GET.get("year", "")
    measure = SupportMeasure(
        institution=institution, academic_year=int(year) if year.isdigit() else academic_year_of(datetime.date.today())
    )
    return _form_page(request, measure, institution, _("New measure of the plan"))


def _measure(user, pk):
    measure = scoped_or_404(SupportMeasure, user, pk, "view", ("institution", "employer"))
    if not svc.may_keep(user, measure.institution_id):
        raise Http404
    return measure


@login_required
def measure_edit(request, pk):
    measure = _measure(request.user, pk)
    return _form_page(request, measure, measure.institution, _("Edit: %(object)s") % {"object": measure})


@login_required
def measure_delete(request, pk):
    measure = _measure(request.user, pk)
    back = reverse("wbl:support_measure_list") + f"?year={measure.academic_year}"
    if request.method == "POST":
        svc.delete(measure, request.user)
        messages.success(request, _("Deleted: %(object)s") % {"object": measure})
        return HttpResponseRedirect(back)
    return render(request, "core/confirm_delete.html", {"object": measure, "cancel_url": back, "title": _("Delete")})


urlpatterns = [
    path("support-measures/", measure_list, name="support_measure_list"),
    path("support-measures/add/", measure_add, name="support_measure_add"),
    path("support-measures/<int:pk>/", measure_edit, name="support_measure_edit"),
    path("support-measures/<int:pk>/delete/", measure_delete, name="support_measure_delete"),
]
