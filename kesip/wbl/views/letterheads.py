"""The employer's letterhead (F2): set the logo and the lines under the name, see the logo, print a sample.

Those who change the employer's records (the institution's WBL staff, the employer's representative)
set it; whoever sees the employer sees it. Another institution's employer answers 404, and so does the
host of the institution's own base, whose documents carry the institution's letterhead.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kesip.core.forms import add_violation
from kesip.core.models import Employer
from kesip.core.rules import RuleViolation
from kesip.curriculum.views.common import scoped_or_404
from kesip.wbl import employers as svc
from kesip.wbl import letterheads
from kesip.wbl.employers_forms import LetterheadForm
from kesip.wbl.models import EmployerLetterhead


def _employer(user, pk, change=False):
    employer = scoped_or_404(Employer, user, pk, "view", ("institution", "letterhead"))
    if employer.is_own_base or (change and not svc.may_change(user, employer)):
        raise Http404
    return employer


def _letterhead(employer):
    try:
        return employer.letterhead
    except EmployerLetterhead.DoesNotExist:
        return EmployerLetterhead(employer=employer, institution_id=employer.institution_id)


@login_required
def employer_letterhead(request, employer_pk):
    employer = _employer(request.user, employer_pk, change=True)
    letterhead = _letterhead(employer)
    if request.method == "POST":
        form = LetterheadForm(request.POST, request.FILES, instance=letterhead, employer=employer)
        if form.is_valid():
            try:
                letterheads.save_letterhead(form.instance, request.user)
            except RuleViolation as violation:
                add_violation(form, violation)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": form.instance})
                return HttpResponseRedirect(reverse("wbl:employer_detail", args=[employer.pk]) + "#letterhead")
        status = 400
    else:
        form = LetterheadForm(instance=letterhead, employer=employer)
        status = 200
    return render(
        request,
        "wbl/letterhead_form.html",
        {
            "form": form,
            "employer": employer,
            "object": letterhead if letterhead.pk else None,
            "letterhead_lines": letterheads.lines_of(employer, letterhead),
            "title": _("Letterhead"),
            "cancel_url": reverse("wbl:employer_detail", args=[employer.pk]),
        },
        status=status,
    )


@login_required
@require_GET
def employer_letterhead_logo(request, employer_pk):
    """The logo, to those who see the employer."""
    return letterheads.logo_response(_letterhead(_employer(request.user, employer_pk)))


@login_required
@require_GET
def employer_letterhead_sample(request, employer_pk):
    """A page on the letterhead as a PDF or DOCX (`?format=`, `?lang=`), before a document is issued on it."""
    employer = _employer(request.user, employer_pk)
    return letterheads.sample_response(request, employer, _letterhead(employer))


urlpatterns = [
    path("employers/<int:employer_pk>/letterhead/", employer_letterhead, name="employer_letterhead"),
    path("employers/<int:employer_pk>/letterhead/logo/", employer_letterhead_logo, name="employer_letterhead_logo"),
    path("employers/<int:employer_pk>/letterhead/sample/", employer_letterhead_sample, name="employer_letterhead_sample"),
]
