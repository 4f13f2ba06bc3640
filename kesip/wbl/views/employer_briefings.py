"""Pages of the institution's briefings of employers and mentors on conducting WBL (F15; п. 56 item 4).

The employer's WBL page lists them; the institution's WBL staff record, correct and delete one. Every
page reads through `for_user`: another institution's employer or briefing answers 404. A refused save
shows each problem beside its field and changes nothing.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kesip.core.forms import DATE, add_violation
from kesip.core.models import Employer, StaffMember
from kesip.core.rules import RuleViolation
from kesip.curriculum.views.common import scoped_or_404
from kesip.wbl import employers as svc
from kesip.wbl.common import WblInvalid
from kesip.wbl.models import EmployerBriefing, EmployerPerson


class BriefingForm(forms.ModelForm):
    attendees = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Who took part"),
        queryset=EmployerPerson.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = EmployerBriefing
        fields = ["held_on", "conducted_by", "topics"]
        widgets = {"held_on": DATE, "topics": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, employer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conducted_by"].queryset = StaffMember.objects.filter(institution_id=employer.institution_id, is_active=True)
        self.fields["attendees"].queryset = EmployerPerson.objects.filter(employer=employer, is_active=True).order_by(
            "-is_head", "-is_representative", "last_name", "pk"
        )
        self.fields["attendees"].label_from_instance = lambda p: f"{p} · {p.position}" if p.position else str(p)
        self.fields["topics"].help_text = _("The procedure of WBL, the mentor's duties, the diary and its grades, safety.")
        if self.instance.pk:
            self.initial["attendees"] = list(self.instance.attendees.values_list("pk", flat=True))


def _page(request, briefing, employer, title):
    status = 200
    if request.method == "POST":
        status = 400
        form = BriefingForm(request.POST, instance=briefing, employer=employer)
        if form.is_valid():
            try:
                svc.save_briefing(form.instance, request.user, list(form.cleaned_data["attendees"]))
            except (WblInvalid, RuleViolation) as error:
                for v in getattr(error, "violations", [error]):
                    add_violation(form, v)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": form.instance})
                return HttpResponseRedirect(reverse("wbl:employer_detail", args=[employer.pk]) + "#briefings")
    else:
        form = BriefingForm(instance=briefing, employer=employer)
    return render(
        request,
        "wbl/employer_briefing_form.html",
        {
            "form": form,
            "employer": employer,
            "object": briefing if briefing.pk else None,
            "title": title,
            "cancel_url": reverse("wbl:employer_detail", args=[employer.pk]),
        },
        status=status,
    )


@login_required
def briefing_add(request, employer_pk):
    employer = scoped_or_404(Employer, request.user, employer_pk, "view", ("institution",))
    if not svc.may_brief(request.user, employer.institution_id):
        raise Http404
    return _page(request, EmployerBriefing(employer=employer, institution_id=employer.institution_id), employer,
                 _("Briefing of the employer on conducting WBL"))  # fmt: skip


def _briefing(user, pk):
    briefing = scoped_or_404(EmployerBriefing, user, pk, "view", ("employer__institution", "conducted_by"))
    if not svc.may_brief(user, briefing.institution_id):
        raise Http404
    return briefing


@login_required
def briefing_edit(request, pk):
    briefing = _briefing(request.user, pk)
    return _page(request, briefing, briefing.employer, _("Edit: %(object)s") % {"object": briefing})


@login_required
def briefing_delete(request, pk):
    briefing = _briefing(request.user, pk)
    back = reverse("wbl:employer_detail", args=[briefing.employer_id])
    if request.method == "POST":
        svc.delete_briefing(briefing, request.user)
        messages.success(request, _("Deleted: %(object)s") % {"object": briefing})
        return HttpResponseRedirect(back + "#briefings")
    return render(request, "core/confirm_delete.html", {"object": briefing, "cancel_url": back, "title": _("Delete")})


urlpatterns = [
    path("employers/<int:employer_pk>/briefings/add/", briefing_add, name="employer_briefing_add"),
    path("employer-briefings/<int:pk>/", briefing_edit, name="employer_briefing_edit"),
    path("employer-briefings/<int:pk>/delete/", briefing_delete, name="employer_briefing_delete"),
]
