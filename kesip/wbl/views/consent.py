"""Consent to the WBL list answered by the learner or the legal representative, and the learners' representatives.

The learner of age and a minor's legal representative answer on /wbl/consent/ (F11, п. 56 items 2, 5);
the institution keeps each learner's legal representatives and invites them to Kesip (F36).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kesip.core import invitations
from kesip.core.models import Student, StudentRepresentative
from kesip.core.rules import RuleViolation
from kesip.core.views.generic import require_perm
from kesip.curriculum.views.common import scoped_or_404
from kesip.wbl import common, consent
from kesip.wbl.models import Placement


@login_required
def consent_page(request):
    """The learner's (or the represented learners') placements whose consent is asked or answered in Kesip."""
    require_perm(request.user, "consent_wbl")
    rows = list(
        consent.for_user(request.user)
        .select_related("student", "employer", "institution", "consent_user")
        .order_by("-starts_on", "pk")[:100]
    )
    books = {}
    for p in rows:
        if p.institution_id not in books:
            books[p.institution_id] = common.rulebook(p.institution)
        book = books[p.institution_id]
        p.answerable = consent.may_answer(request.user, p, book)
        p.minor = consent.is_minor(p, book)
    waiting = sum(1 for p in rows if p.consent_by == Placement.Consent.REQUESTED)
    return render(
        request,
        "wbl/consent.html",
        {"title": _("Consent to work-based learning"), "rows": rows, "waiting": waiting},
    )


@login_required
@require_POST
def consent_answer(request, pk):
    require_perm(request.user, "consent_wbl")
    placement = consent.for_user(request.user).select_related("student", "institution").filter(pk=pk).first()
    if placement is None:
        raise Http404
    try:
        consent.answer(placement, request.user, request.POST.get("answer", ""))
    except RuleViolation as violation:
        messages.error(request, f"{violation.message} {('(' + violation.source + ')') if violation.source else ''}".strip())
        return HttpResponseRedirect(reverse("wbl:consent"))
    if request.POST.get("answer") == consent.GIVE:
        messages.success(request, _("Consent given: %(learner)s is on the WBL list.") % {"learner": placement.student})
    else:
        messages.warning(
            request,
            _("Consent refused: the institution is told and takes %(learner)s off the list.") % {"learner": placement.student},
        )
    return HttpResponseRedirect(reverse("wbl:consent"))


# --- The learner's legal representatives ------------------------------------------------------------------------------


class RepresentativeForm(forms.ModelForm):
    class Meta:
        model = StudentRepresentative
        fields = ["full_name", "relation", "phone", "email"]

    def __init__(self, *args, student=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.student = student

    def clean_email(self):
        email = (self.cleaned_data.get("email") or "").strip().lower()
        if email:
            clash = StudentRepresentative.objects.filter(student=self.student, email__iexact=email)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise forms.ValidationError(_("This learner already has a representative with this e-mail."))
        return email


def _student(user, pk, action="view"):
    return scoped_or_404(Student, user, pk, action, ("institution", "group"))


@login_required
def representatives(request, pk):
    """A learner's legal representatives: add, correct, deactivate, invite to Kesip."""
    student = _student(request.user, pk)
    can_change = Student.objects.for_user(request.user, "change").filter(pk=student.pk).exists()
    editing = None
    if request.GET.get("edit", "").isdigit():
        editing = student.representatives.filter(pk=int(request.GET["edit"])).first()
        if editing is None:
            raise Http404
    form = RepresentativeForm(instance=editing or StudentRepresentative(student=student), student=student)
    status = 200
    if request.method == "POST":
        if not can_change:
            raise Http404
        rep = editing or StudentRepresentative(student=student, institution=student.institution)
        form = RepresentativeForm(request.POST, instance=rep, student=student)
        if form.is_valid():
            try:
                with transaction.atomic():
                    saved = form.save()
            except IntegrityError:
                form.add_error("email", _("This learner already has a representative with this e-mail."))
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": saved})
                return HttpResponseRedirect(reverse("wbl:student_representatives", args=[student.pk]))
        status = 400
    reps = list(student.representatives.select_related("user").order_by("-is_active", "full_name", "pk"))
    return render(
        request,
        "wbl/representatives.html",
        {
            "title": _("Legal representatives of %(learner)s") % {"learner": student},
            "student": student,
            "reps": reps,
            "form": form,
            "editing": editing,
            "can_change": can_change,
            "minor_age": common.rulebook(student.institution).get(consent.rules.MINOR_AGE),
        },
        status=status,
    )


def _representative(user, student_pk, pk):
    student = _student(user, student_pk, "change")
    rep = student.representatives.filter(pk=pk).select_related("user").first()
    if rep is None:
        raise Http404
    return student, rep


@login_required
@require_POST
def representative_active(request, pk, rep_pk):
    """Deactivate a representative (their account no longer sees the learner), or activate them again."""
    student, rep = _representative(request.user, pk, rep_pk)
    with transaction.atomic():
        rep = StudentRepresentative.objects.select_for_update().get(pk=rep.pk)
        rep.is_active = not rep.is_active
        rep.save(update_fields=["is_active", "updated_at"])
    messages.success(request, _("Saved: %(object)s") % {"object": rep})
    return HttpResponseRedirect(reverse("wbl:student_representatives", args=[student.pk]))


@login_required
@require_POST
def representative_invite(request, pk, rep_pk):
    """Invite the representative to Kesip: on accepting, the new account is linked to this learner."""
    student, rep = _representative(request.user, pk, rep_pk)
    back = HttpResponseRedirect(reverse("wbl:student_representatives", args=[student.pk]))
    try:
        link = invitations.invite_representative(rep, request.user, request.build_absolute_uri)
    except RuleViolation as refusal:
        if refusal.code == "core.invitation.user":
            messages.info(request, refusal.message)
        else:
            messages.error(request, refusal.message)
        return back
    messages.success(request, _("Invitation created. Send this link to %(email)s: %(link)s") % {"email": rep.email, "link": link})
    return back


urlpatterns = [
    path("consent/", consent_page, name="consent"),
    path("consent/<int:pk>/", consent_answer, name="consent_answer"),
    path("students/<int:pk>/representatives/", representatives, name="student_representatives"),
    path("students/<int:pk>/representatives/<int:rep_pk>/active/", representative_active, name="student_representative_active"),
    path("students/<int:pk>/representatives/<int:rep_pk>/invite/", representative_invite, name="student_representative_invite"),
]
