"""Pages of agreements: the list with expiry warnings, an agreement's page with its steps, the forms of each step.

Every page reads through `for_user`: another institution's agreement answers 404. Institution
staff with `change_wbl` take every step; an employer's representative sees its employer's
agreements, signs for the employer and, under negotiation, changes what is not the institution's
to set (п. 8). The list runs `expire_due` first, so a status is never stale. Each page reads a
fixed number of queries whatever the number of agreements, signatures or learners.
"""

import datetime
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kesip.core import access
from kesip.core import documents as docs
from kesip.core.forms import DATE, add_violation
from kesip.core.models import Employer, Institution, Specialty, Student, StudyGroup
from kesip.core.rules import RuleViolation
from kesip.core.views.generic import history_entries, require_perm
from kesip.curriculum.views.common import scoped_or_404 as _get
from kesip.wbl import agreement_rules, agreements
from kesip.wbl.common import WblInvalid, settings_for
from kesip.wbl.models import (
    Agreement,
    AgreementRosterEntry,
    AgreementSignature,
    Placement,
    WblProgramme,
    WblSettings,
)

A = Agreement
P = AgreementSignature.Party
SELECT = ("institution", "employer", "learner__group__programme__specialty", "wbl_programme")
DEFAULT_WARNING_DAYS = WblSettings._meta.get_field("agreement_warning_days").default
LANGUAGES = (("ky", "Кыргызча"), ("ru", "Русский"), ("kk", "Қазақша"), ("en", "English"))


def _agreement(user, pk, action="view"):
    """The agreement, its status brought up to today first (past its last day it has expired; signed and begun, it is
    active), as the list does: a page or a step never works from a stale status."""
    agreement = _get(A, user, pk, action, SELECT)
    if agreements.is_due(agreement):
        agreements.expire_due(agreements=A.objects.filter(pk=agreement.pk))
        agreement = _get(A, user, pk, action, SELECT)
    return agreement


def _url(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _with_source(violation):
    return f"{violation.message} ({_('source')}: {violation.source})" if violation.source else violation.message


def _refused(request, exc):
    for v in getattr(exc, "violations", [exc]):
        messages.error(request, _with_source(v))


def _add_all(form, exc):
    for v in getattr(exc, "violations", [exc]):
        add_violation(form, v)


def _change_institutions(user):
    """Institutions where the user may add agreements (None: every institution)."""
    scope = access.scope_for(user, A, "change")
    return None if scope.everything else set(scope.institution_ids)


def _many_institutions(user):
    scope = access.scope_for(user, A, "view")
    return scope.everything or len(scope.institution_ids) > 1


def days_left(agreement, today):
    return (agreement.ends_on - today).days


def expiry_warning(agreement, today, warning_days):
    """Days until an agreement in force ends, when within the institution's warning days (else None)."""
    if agreement.status not in A.IN_FORCE:
        return None
    left = days_left(agreement, today)
    return left if 0 <= left <= warning_days else None


def _expiring_q(institution_ids, today):
    """Agreements in force that end within their institution's warning days (`institution_ids` None: all)."""
    rows = WblSettings.objects.all()
    if institution_ids is not None:
        rows = rows.filter(institution_id__in=institution_ids)
    by_days = {}
    for institution_id, days in rows.values_list("institution_id", "agreement_warning_days"):
        by_days.setdefault(days, []).append(institution_id)
    custom = [i for ids in by_days.values() for i in ids]
    cond = ~Q(institution_id__in=custom) & Q(ends_on__lte=today + datetime.timedelta(days=DEFAULT_WARNING_DAYS))
    for days, ids in by_days.items():
        cond |= Q(institution_id__in=ids, ends_on__lte=today + datetime.timedelta(days=days))
    return Q(status__in=A.IN_FORCE, ends_on__gte=today) & cond


# --------------------------------------------------------------------------------------------
# The list


@login_required
def agreement_list(request):
    """Agreements of the user's institutions (an employer's representative: its employer's), newest first."""
    require_perm(request.user, "view_wbl")
    user, today = request.user, datetime.date.today()
    visible = A.objects.for_user(user, "view")
    agreements.expire_due(today, visible)
    qs = (
        visible.select_related("employer", "institution", "learner")
        .annotate(
            roster_size=Count("roster"),
            warning_days=Coalesce(F("institution__wbl_settings__agreement_warning_days"), Value(DEFAULT_WARNING_DAYS)),
        )
        .order_by("-starts_on", "employer__name", "pk")
    )
    chosen = {}
    for name, choices in (("kind", A.Kind), ("status", A.Status), ("form", None)):
        value = request.GET.get(name, "")
        values = choices.values if choices else [v for v, _label in A._meta.get_field("form").choices]
        if value in values:
            qs, chosen[name] = qs.filter(**{name: value}), value
    employers = list(Employer.objects.for_user(user, "view").filter(agreements__isnull=False).distinct().order_by("name")[:500])
    employer = request.GET.get("employer", "")
    if employer.isdigit():
        qs, chosen["employer"] = qs.filter(employer_id=int(employer)), employer
    if request.GET.get("expiring") == "1":
        scope = access.scope_for(user, A, "view")
        ids = None if scope.everything else set(scope.institution_ids) | {e.institution_id for e in employers}
        qs, chosen["expiring"] = qs.filter(_expiring_q(ids, today)), "1"
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(employer__name__icontains=q) | Q(learner__last_name__icontains=q))
        chosen["q"] = q
    page = Paginator(qs, settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(a, expiry_warning(a, today, a.warning_days)) for a in page.object_list]
    institutions = _change_institutions(user)
    can_add = access.has_perm(user, "change_wbl") and (institutions is None or bool(institutions))
    return render(
        request,
        "wbl/agreement_list.html",
        {
            "title": _("Agreements"),
            "page": page,
            "rows": rows,
            "chosen": chosen,
            "query": urlencode(chosen),
            "kinds": A.Kind.choices,
            "statuses": A.Status.choices,
            "forms": A._meta.get_field("form").choices,
            "employers": employers,
            "can_add": can_add,
            "many_institutions": _many_institutions(user),
        },
    )


# --------------------------------------------------------------------------------------------
# Create and edit


class SpecialtyChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class LearnerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} · {obj.group}" if obj.group_id else str(obj)


class AgreementForm(forms.ModelForm):
    """The agreement's text; the institution comes from the employer. The employer's side sees only what it may change."""

    specialties = SpecialtyChoice(
        queryset=Specialty.objects.none(),
        required=False,
        label=gettext_lazy("Professions"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=gettext_lazy("Leave empty when the agreement covers every profession."),
    )

    field_order = ["kind", "employer", "form", "specialties", "number", "concluded_on", "starts_on", "ends_on", "places",
                   "theory_percent", "practice_percent", "agreed_programme", "wbl_programme", "learner",
                   "legal_representative", "employer_is_customer", "curriculum_agreed_on", "individual_schedule",
                   "employment_clause", "obligations"]  # fmt: skip

    class Meta:
        model = Agreement
        fields = agreements.AGREEMENT_FIELDS
        field_classes = {"learner": LearnerChoice}
        widgets = {
            "concluded_on": DATE,
            "starts_on": DATE,
            "ends_on": DATE,
            "curriculum_agreed_on": DATE,
            "agreed_programme": forms.Textarea(attrs={"rows": 3}),
            "obligations": forms.Textarea(attrs={"rows": 3}),
            "individual_schedule": forms.Textarea(attrs={"rows": 3}),
            "employment_clause": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        institutions = _change_institutions(user)
        if self.instance.pk:
            institutions = {self.instance.institution_id}

        def within(qs, path="institution_id"):
            return qs if institutions is None else qs.filter(**{f"{path}__in": institutions})

        self.fields["employer"].queryset = within(Employer.objects.partners().for_user(user, "view")).order_by("name")
        self.fields["learner"].queryset = (
            within(Student.objects.for_user(user, "view"))
            .filter(Q(status=Student.Status.ENROLLED) | Q(pk=self.instance.learner_id or 0))
            .select_related("group")
            .order_by("last_name", "first_name")
        )
        self.fields["wbl_programme"].queryset = within(
            WblProgramme.objects.for_user(user, "view").filter(
                ~Q(status=WblProgramme.Status.REVISED) | Q(pk=self.instance.wbl_programme_id or 0)
            )
        ).select_related("programme")
        countries = (
            set(Institution.objects.filter(pk__in=institutions).values_list("jurisdiction", flat=True))
            if institutions is not None
            else {"KG", "KZ"}
        )
        chosen = list(self.instance.specialties.values_list("pk", flat=True)) if self.instance.pk else []
        self.fields["specialties"].queryset = Specialty.objects.filter(jurisdiction__in=countries).filter(
            Q(is_active=True) | Q(pk__in=chosen)
        )
        if self.instance.pk:
            self.initial["specialties"] = chosen
        self.fields["kind"].help_text = _(
            "An apprenticeship agreement is concluded with the apprentice under the Labour Code; a memorandum with a volunteer "
            "organisation covers no form of WBL."
        )
        self.fields["form"].help_text = _("The form of WBL the agreement covers (WBL agreements).")
        self.fields["learner"].help_text = _(
            "The third party of a 3-party agreement. A minor is represented by the legal representative."
        )
        self.fields["number"].help_text = _("Left empty, the next number of the register is given when every party has signed.")
        if self.instance.pk and agreements.employer_side(user, self.instance):
            for name in agreements.INSTITUTION_ONLY:
                self.fields.pop(name, None)

    def clean(self):
        data = super().clean()
        employer = data.get("employer") or (self.instance.employer if self.instance.employer_id else None)
        if employer is not None and not self.instance.pk:
            self.instance.institution = employer.institution
        return data

    def _get_validation_exclusions(self):
        # The institution comes from the employer; once known, the number's uniqueness in it is checked here.
        exclude = super()._get_validation_exclusions()
        if self.instance.institution_id:
            exclude.discard("institution")
        return exclude


def _agreement_form(request, agreement, title):
    user = request.user
    if request.method == "POST":
        form = AgreementForm(request.POST, instance=agreement, user=user)
        if form.is_valid():
            specialties = form.cleaned_data["specialties"] if "specialties" in form.fields else None
            try:
                agreements.save_agreement(form.instance, user, specialties=specialties)
            except (WblInvalid, RuleViolation) as exc:
                _add_all(form, exc)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": form.instance})
                if form.instance.withdrawn:
                    messages.warning(
                        request,
                        ngettext(
                            "The text changed after %(count)s party signed it: the signature is withdrawn.",
                            "The text changed after %(count)s parties signed it: their signatures are withdrawn.",
                            len(form.instance.withdrawn),
                        )
                        % {"count": len(form.instance.withdrawn)},
                    )
                return HttpResponseRedirect(form.instance.get_absolute_url())
        status = 400
    else:
        initial = {}
        employer = request.GET.get("employer", "")
        if not agreement.pk and employer.isdigit():
            initial["employer"] = int(employer)
        form = AgreementForm(instance=agreement, user=user, initial=initial)
        status = 200
    return render(
        request,
        "wbl/agreement_form.html",
        {"form": form, "agreement": agreement if agreement.pk else None, "title": title},
        status=status,
    )


@login_required
def agreement_add(request):
    require_perm(request.user, "change_wbl")
    institutions = _change_institutions(request.user)
    if institutions is not None and not institutions:
        raise PermissionDenied  # an employer's representative: the institution sets the form (п. 8)
    return _agreement_form(request, A(), _("New agreement"))


@login_required
def agreement_edit(request, pk):
    agreement = _agreement(request.user, pk, "change")
    if "edit" not in agreements.allowed_steps(agreement, request.user, _signed_parties(agreement)):
        messages.error(request, _("The agreement cannot be changed now: a signed agreement changes by an amendment."))
        return HttpResponseRedirect(agreement.get_absolute_url())
    return _agreement_form(request, agreement, _("Edit: %(object)s") % {"object": agreement})


@login_required
def agreement_delete(request, pk):
    agreement = _agreement(request.user, pk, "change")
    if "delete" not in agreements.allowed_steps(agreement, request.user):
        messages.error(request, _("Only a draft can be deleted."))
        return HttpResponseRedirect(agreement.get_absolute_url())
    if request.method == "POST":
        try:
            agreements.delete_agreement(agreement, request.user)
        except RuleViolation as violation:
            messages.error(request, _with_source(violation))
            return HttpResponseRedirect(agreement.get_absolute_url())
        messages.success(request, _("Deleted: %(object)s") % {"object": agreement})
        return HttpResponseRedirect(reverse("wbl:agreement_list"))
    return render(
        request,
        "core/confirm_delete.html",
        {"object": agreement, "cancel_url": agreement.get_absolute_url(), "title": _("Delete")},
    )


# --------------------------------------------------------------------------------------------
# The agreement's page


def _signed_parties(agreement):
    return set(AgreementSignature.objects.filter(agreement=agreement).values_list("party", flat=True))


def _value_label(name, value, names):
    """An amendment's recorded value as people read it."""
    if value in (None, "", []):
        return "—"
    if name in ("ends_on",):
        try:
            return datetime.date.fromisoformat(value).strftime("%d.%m.%Y")
        except (TypeError, ValueError):
            return str(value)
    if name in ("roster", "specialties"):
        return ", ".join(names.get((name, v), f"#{v}") for v in value)
    if name == "wbl_programme":
        return names.get((name, value), f"#{value}")
    return str(value)


def amendment_rows(amendments):
    """Each amendment with its changes as (field label, old, new), naming learners and professions (3 queries)."""
    wanted = {"roster": set(), "specialties": set(), "wbl_programme": set()}
    for amendment in amendments:
        for name, pair in (amendment.changes or {}).items():
            if name in ("roster", "specialties") and isinstance(pair, list) and len(pair) == 2:
                wanted[name] |= {v for side in pair for v in (side or []) if isinstance(v, int)}
            elif name == "wbl_programme" and isinstance(pair, list):
                wanted[name] |= {v for v in pair if isinstance(v, int)}
    names = {}
    if wanted["roster"]:
        names |= {("roster", s.pk): str(s) for s in Student.objects.filter(pk__in=wanted["roster"])}
    if wanted["specialties"]:
        names |= {("specialties", s.pk): f"{s.code} {s.name}" for s in Specialty.objects.filter(pk__in=wanted["specialties"])}
    if wanted["wbl_programme"]:
        names |= {
            ("wbl_programme", p.pk): str(p)
            for p in WblProgramme.objects.filter(pk__in=wanted["wbl_programme"]).select_related("programme")
        }
    rows = []
    for amendment in amendments:
        changes = []
        for name, pair in (amendment.changes or {}).items():
            label = _("roster") if name == "roster" else _field_label(name)
            old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
            if name == "roster" and isinstance(old, list) and isinstance(new, list):
                added = [v for v in new if v not in old]
                removed = [v for v in old if v not in new]
                changes.append((label, _value_label(name, removed, names), _value_label(name, added, names), True))
            else:
                changes.append((label, _value_label(name, old, names), _value_label(name, new, names), False))
        rows.append({"amendment": amendment, "changes": changes})
    return rows


def _field_label(name):
    try:
        return str(A._meta.get_field(name).verbose_name)
    except Exception:  # a field renamed since the amendment was recorded
        return name


@login_required
def agreement_detail(request, pk):
    """Everything about an agreement: its text, the parties and their signatures, the roster, amendments, the steps."""
    user, today = request.user, datetime.date.today()
    agreement = _agreement(request.user, pk)
    specialties = list(agreement.specialties.order_by("code"))
    signatures = list(agreement.signatures.select_related("user").order_by("party"))
    signed = {s.party for s in signatures}
    roster = list(
        AgreementRosterEntry.objects.filter(agreement=agreement)
        .select_related("student__group__programme")
        .order_by("student__last_name", "student__first_name", "pk")
    )
    amendments = list(agreement.amendments.select_related("created_by").order_by("number"))
    placements = list(
        Placement.objects.for_user(user, "view")
        .filter(agreement=agreement)
        .select_related("student", "intern_staff")
        .order_by("starts_on", "pk")[:50]
    )
    wbl_settings = settings_for(agreement.institution)
    steps = agreements.allowed_steps(agreement, user, signed, today)
    required = agreement_rules.required_parties(agreement)
    violations, warnings = [], []
    if agreement.status in A.EDITABLE or agreement.status in A.IN_FORCE:
        students = [e.student for e in roster]
        violations = agreement_rules.signing_violations(agreement, students=students, specialties=specialties,
                                                        settings=wbl_settings)  # fmt: skip
        warnings = agreement_rules.warnings(agreement, settings=wbl_settings)
    if violations:
        steps -= {"negotiate", "sign"}  # neither is possible until the rules hold
    parties = [
        {
            "party": party,
            "label": P(party).label,
            "who": _party_name(agreement, party),
            "signature": next((s for s in signatures if s.party == party), None),
        }
        for party in required
    ]
    head = agreement.employer.people.filter(is_head=True, is_active=True).first()
    return render(
        request,
        "wbl/agreement_detail.html",
        {
            "agreement": agreement,
            "title": str(agreement),
            "specialties": specialties,
            "parties": parties,
            "stray_signatures": [s for s in signatures if s.party not in required],
            "employer_head": head,
            "roster": roster,
            "amendments": amendment_rows(amendments),
            "placements": [(p, _url("wbl:placement_detail", p.pk)) for p in placements],
            "steps": steps,
            "violations": violations,
            "warnings": warnings,
            "expires_in": expiry_warning(agreement, today, wbl_settings.agreement_warning_days),
            "days_left": days_left(agreement, today),
            "languages": LANGUAGES,
            # the employer's WBL page, for whom it opens (its own check); the name is plain text for the others
            "employer_url": _url("wbl:employer_detail", agreement.employer_id)
            if Employer.objects.for_user(request.user, "view").filter(pk=agreement.employer_id).exists()
            else "",
            # a link only for those the programme's own page lets in (a mentor reads the agreement, not the programme)
            "programme_url": _url("wbl:wblprogramme_detail", agreement.wbl_programme_id)
            if agreement.wbl_programme_id
            and WblProgramme.objects.for_user(request.user, "view").filter(pk=agreement.wbl_programme_id).exists()
            else None,
            "many_institutions": _many_institutions(user),
        },
    )


def _party_name(agreement, party):
    if party == P.INSTITUTION:
        return docs.institution_name(agreement.institution)
    if party == P.EMPLOYER:
        return agreement.employer.name
    if agreement.legal_representative and agreement.learner_id:
        return _("%(learner)s, represented by %(representative)s") % {
            "learner": agreement.learner,
            "representative": agreement.legal_representative,
        }
    return str(agreement.learner or agreement.legal_representative)


@login_required
def agreement_history(request, pk):
    agreement = _agreement(request.user, pk)
    return render(
        request,
        "core/history.html",
        {
            "object": agreement,
            "entries": history_entries(agreement),
            "title": _("Agreements"),
            "list_url": reverse("wbl:agreement_list"),
        },  # fmt: skip
    )


@login_required
def agreement_scan(request, pk):
    """The signed copy, to those who may read the agreement."""
    agreement = _agreement(request.user, pk)
    if not agreement.signed_scan:
        raise Http404
    try:
        handle = agreement.signed_scan.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=False, filename=agreement.signed_scan.name.rsplit("/", 1)[-1])


# --------------------------------------------------------------------------------------------
# Steps


@login_required
def agreement_step(request, pk, name):
    """Send for negotiation or activate (POST); terminate has its own form."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    agreement = _agreement(request.user, pk)
    if name not in ("negotiate", "activate"):
        raise Http404
    if name not in agreements.allowed_steps(agreement, request.user, _signed_parties(agreement)):
        messages.error(request, _("This step is not open for the agreement now."))
        return HttpResponseRedirect(agreement.get_absolute_url())
    try:
        if name == "negotiate":
            agreements.to_negotiation(agreement, request.user)
            messages.success(request, _("The agreement is sent for negotiation and can be signed."))
        else:
            agreements.activate(agreement, request.user)
            messages.success(request, _("The agreement is active."))
    except (WblInvalid, RuleViolation) as exc:
        _refused(request, exc)
    return HttpResponseRedirect(agreement.get_absolute_url())


class SignForm(forms.Form):
    party = forms.ChoiceField(label=gettext_lazy("Party"))
    signatory = forms.CharField(label=gettext_lazy("Signed by"), max_length=255,
                                help_text=gettext_lazy("Name and position of the person who signed."))  # fmt: skip
    signed_on = forms.DateField(label=gettext_lazy("Signed on"), widget=DATE)
    scan = forms.FileField(
        label=gettext_lazy("Signed copy"),
        required=False,
        help_text=gettext_lazy("PDF, image or document, at most 10 MB. Needed with the last signature, unless signed on paper."),
    )
    signed_outside = forms.BooleanField(label=gettext_lazy("Signed on paper outside Kesip"), required=False)

    def __init__(self, *args, parties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = [(p, P(p).label) for p in parties]


@login_required
def agreement_sign(request, pk):
    """Record one party's signature (with the scan, or marked signed on paper)."""
    user, today = request.user, datetime.date.today()
    agreement = _agreement(user, pk, "change")
    signed = _signed_parties(agreement)
    if "sign" not in agreements.allowed_steps(agreement, user, signed):
        messages.error(request, _("The agreement cannot be signed now."))
        return HttpResponseRedirect(agreement.get_absolute_url())
    parties = [p for p in agreement_rules.required_parties(agreement) if p not in signed]
    if agreements.employer_side(user, agreement):
        parties = [p for p in parties if p == P.EMPLOYER]
    suggestions = {
        P.INSTITUTION: agreement.institution.head,
        P.EMPLOYER: str(agreement.employer.people.filter(is_head=True, is_active=True).first() or ""),
        P.LEARNER: agreement.legal_representative or str(agreement.learner or ""),
    }
    if request.method == "POST":
        form = SignForm(request.POST, request.FILES, parties=parties)
        if form.is_valid():
            d = form.cleaned_data
            try:
                agreements.sign(agreement, d["party"], d["signatory"], d["signed_on"], user, scan=d["scan"],
                                signed_outside=d["signed_outside"])  # fmt: skip
            except (WblInvalid, RuleViolation) as exc:
                _add_all(form, exc)
            else:
                agreement.refresh_from_db()
                if agreement.status in A.IN_FORCE:
                    messages.success(request, _("Every party has signed: the agreement is %(status)s.")
                                     % {"status": agreement.get_status_display().lower()})  # fmt: skip
                else:
                    messages.success(request, _("The signature is recorded."))
                return HttpResponseRedirect(agreement.get_absolute_url())
        status = 400
    else:
        first = parties[0] if parties else ""
        form = SignForm(parties=parties, initial={"party": first, "signed_on": today, "signatory": suggestions.get(first, "")})
        status = 200
    return render(
        request,
        "wbl/agreement_sign.html",
        {
            "agreement": agreement,
            "form": form,
            "title": _("Sign: %(object)s") % {"object": agreement},
            "last": len(parties) == 1,
            "suggestions": {str(k): v for k, v in suggestions.items() if v},
        },
        status=status,
    )


class TerminateForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("Terminated on"), widget=DATE)
    reason = forms.CharField(label=gettext_lazy("Reason for termination"), widget=forms.Textarea(attrs={"rows": 3}))


@login_required
def agreement_terminate(request, pk):
    agreement = _agreement(request.user, pk, "change")
    if "terminate" not in agreements.allowed_steps(agreement, request.user):
        messages.error(request, _("Only a signed or active agreement can be terminated."))
        return HttpResponseRedirect(agreement.get_absolute_url())
    if request.method == "POST":
        form = TerminateForm(request.POST)
        if form.is_valid():
            try:
                left = agreements.terminate(agreement, form.cleaned_data["on"], form.cleaned_data["reason"], request.user)
            except (WblInvalid, RuleViolation) as exc:
                _add_all(form, exc)
            else:
                messages.success(request, _("The agreement is terminated."))
                for warning in left:
                    messages.warning(request, warning.message)
                return HttpResponseRedirect(agreement.get_absolute_url())
        status = 400
    else:
        form = TerminateForm(initial={"on": datetime.date.today()})
        status = 200
    return render(
        request,
        "wbl/agreement_step_form.html",
        {
            "agreement": agreement,
            "form": form,
            "title": _("Terminate: %(object)s") % {"object": agreement},
            "button": _("Terminate the agreement"),
            "danger": True,
        },  # fmt: skip
        status=status,
    )


def _label(name):
    return capfirst(A._meta.get_field(name).verbose_name)


TEXT = forms.Textarea(attrs={"rows": 3})


class AmendForm(forms.Form):
    """An amendment: when it was signed and takes effect, what it says, and the new values of what it changes."""

    signed_on = forms.DateField(label=gettext_lazy("Signed on"), widget=DATE)
    effective_from = forms.DateField(label=gettext_lazy("Effective from"), widget=DATE)
    text = forms.CharField(label=gettext_lazy("What changes"), widget=forms.Textarea(attrs={"rows": 3}))
    ends_on = forms.DateField(label=_label("ends_on"), widget=DATE)
    places = forms.IntegerField(label=_label("places"), required=False, min_value=1, max_value=1000)
    theory_percent = forms.IntegerField(label=_label("theory_percent"), required=False, min_value=0, max_value=100)
    practice_percent = forms.IntegerField(label=_label("practice_percent"), required=False, min_value=0, max_value=100)
    agreed_programme = forms.CharField(label=_label("agreed_programme"), required=False, widget=TEXT)
    wbl_programme = forms.ModelChoiceField(queryset=WblProgramme.objects.none(), required=False, label=_label("wbl_programme"))
    obligations = forms.CharField(label=_label("obligations"), required=False, widget=TEXT)
    individual_schedule = forms.CharField(label=_label("individual_schedule"), required=False, widget=TEXT)
    employment_clause = forms.CharField(label=_label("employment_clause"), required=False, widget=TEXT)
    legal_representative = forms.CharField(label=_label("legal_representative"), required=False, max_length=255)
    specialties = SpecialtyChoice(
        queryset=Specialty.objects.none(),
        required=False,
        label=gettext_lazy("Professions"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    CHANGEABLE = [n for n in agreements.AMENDABLE if n != "roster"]

    def __init__(self, *args, agreement=None, user=None, **kwargs):
        self.agreement = agreement
        initial = {n: getattr(agreement, n) for n in self.CHANGEABLE if n != "specialties"}
        initial["specialties"] = list(agreement.specialties.values_list("pk", flat=True))
        initial["signed_on"] = initial["effective_from"] = datetime.date.today()
        self.current = dict(initial)
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["wbl_programme"].queryset = WblProgramme.objects.for_user(user, "view").filter(
            institution_id=agreement.institution_id
        )
        self.fields["specialties"].queryset = Specialty.objects.filter(jurisdiction=agreement.institution.jurisdiction).filter(
            Q(is_active=True) | Q(pk__in=self.current["specialties"])
        )
        if agreement.kind == A.Kind.VOLUNTEER:
            for name in ("places", "theory_percent", "practice_percent", "individual_schedule", "employment_clause"):
                self.fields.pop(name)

    def changes(self):
        """The fields whose new value differs from the agreement's, as `amend` takes them."""
        found = {}
        for name in self.CHANGEABLE:
            if name not in self.fields:
                continue
            new = self.cleaned_data.get(name)
            old = self.current.get(name)
            if name == "specialties":
                ids = sorted(s.pk for s in new or [])
                if ids != sorted(old or []):
                    found[name] = ids
                continue
            if name == "wbl_programme":
                new_id, old_id = getattr(new, "pk", None), getattr(old, "pk", None)
                if new_id != old_id:
                    found[name] = new_id
                continue
            if (new if new not in (None, "") else None) != (old if old not in (None, "") else None):
                found[name] = new
        return found


@login_required
def agreement_amend(request, pk):
    agreement = _agreement(request.user, pk, "change")
    if "amend" not in agreements.allowed_steps(agreement, request.user):
        messages.error(request, _("Only a signed or active agreement is amended."))
        return HttpResponseRedirect(agreement.get_absolute_url())
    if request.method == "POST":
        form = AmendForm(request.POST, agreement=agreement, user=request.user)
        if form.is_valid():
            d = form.cleaned_data
            try:
                amendment = agreements.amend(agreement, d["signed_on"], d["effective_from"], d["text"], form.changes(),
                                             request.user)  # fmt: skip
            except (WblInvalid, RuleViolation) as exc:
                _add_all(form, exc)
            else:
                messages.success(request, _("%(amendment)s is recorded.") % {"amendment": amendment})
                return HttpResponseRedirect(agreement.get_absolute_url() + "#amendments")
        status = 400
    else:
        form = AmendForm(agreement=agreement, user=request.user)
        status = 200
    return render(
        request,
        "wbl/agreement_step_form.html",
        {"agreement": agreement, "form": form, "title": _("Amendment: %(object)s") % {"object": agreement},
         "button": _("Record the amendment"),
         "intro": _("Change the values the amendment changes; the agreement keeps the old ones in the amendment.")},
        status=status,
    )  # fmt: skip


class RosterAmendForm(forms.Form):
    signed_on = forms.DateField(label=gettext_lazy("Amendment signed on"), widget=DATE)
    effective_from = forms.DateField(label=gettext_lazy("Effective from"), widget=DATE)
    text = forms.CharField(label=gettext_lazy("What changes"), widget=forms.Textarea(attrs={"rows": 2}))


@login_required
def agreement_roster(request, pk):
    """Pick the students of a group with checkboxes; other groups' learners on the roster stay. Signed: by an amendment."""
    user = request.user
    agreement = _agreement(user, pk, "change")
    signed_now = agreement.status in A.IN_FORCE
    allowed = agreements.allowed_steps(agreement, user, _signed_parties(agreement))
    if "roster" not in allowed and not (signed_now and "amend" in allowed and agreement.kind != A.Kind.VOLUNTEER):
        messages.error(request, _("The roster of this agreement cannot be changed now."))
        return HttpResponseRedirect(agreement.get_absolute_url())
    groups = list(
        StudyGroup.objects.for_user(user, "view")
        .filter(institution_id=agreement.institution_id, is_active=True)
        .select_related("programme__specialty")
        .order_by("name")
    )
    raw = request.POST.get("group") if request.method == "POST" else request.GET.get("group")
    group = next((g for g in groups if str(g.pk) == str(raw)), None)
    if group is None and groups and not raw:
        on_roster = AgreementRosterEntry.objects.filter(agreement=agreement, student__group__isnull=False).values_list(
            "student__group_id", flat=True
        )
        first = on_roster.first()
        group = next((g for g in groups if g.pk == first), groups[0])
    roster = list(
        AgreementRosterEntry.objects.filter(agreement=agreement)
        .select_related("student__group")
        .order_by("student__last_name", "student__first_name")
    )
    on_ids = {e.student_id for e in roster}
    students = []
    if group is not None:
        students = list(
            Student.objects.filter(group=group)
            .filter(Q(status=Student.Status.ENROLLED) | Q(pk__in=on_ids))
            .order_by("last_name", "first_name", "pk")
        )
    amend_form = RosterAmendForm(request.POST or None, initial={"signed_on": datetime.date.today(),
                                                                "effective_from": datetime.date.today()})  # fmt: skip
    errors, status, checked = [], 200, on_ids
    if request.method == "POST":
        if group is None:
            raise Http404
        chosen = [int(v) for v in request.POST.getlist("students") if v.isdigit()]
        checked = {s for s in on_ids if s not in {st.pk for st in students}} | set(chosen)
        try:
            if signed_now:
                if not amend_form.is_valid():
                    raise WblInvalid([])
                kept = [e.student_id for e in roster if e.student.group_id != group.pk]
                d = amend_form.cleaned_data
                agreements.amend(agreement, d["signed_on"], d["effective_from"], d["text"], {"roster": kept + chosen}, user)
            else:
                changed = agreements.set_roster(agreement, chosen, user, group=group)
                if changed.withdrawn:
                    messages.warning(request, _("The roster changed after some parties signed: their signatures are withdrawn."))
        except (WblInvalid, RuleViolation) as exc:
            errors = [_with_source(v) for v in getattr(exc, "violations", [exc])]
            for v in getattr(exc, "violations", [exc]):
                if v.field in amend_form.fields:
                    amend_form.add_error(v.field, v.message)
            status = 400
        else:
            messages.success(request, _("The roster is saved."))
            return HttpResponseRedirect(agreement.get_absolute_url() + "#roster")
    return render(
        request,
        "wbl/agreement_roster.html",
        {
            "agreement": agreement,
            "title": _("Roster: %(object)s") % {"object": agreement},
            "groups": groups,
            "group": group,
            "students": students,
            "checked": checked,
            "roster": roster,
            "errors": errors,
            "signed_now": signed_now,
            "amend_form": amend_form,
        },
        status=status,
    )


# --------------------------------------------------------------------------------------------
# The document


@login_required
def agreement_document(request, pk):
    """The agreement as an official document, PDF or DOCX, in the language asked for."""
    from kesip.documents.archive import Keep
    from kesip.wbl.agreement_document import build

    agreement = _agreement(request.user, pk)
    keep = None
    if agreement.status not in Agreement.EDITABLE:
        # Signed by every party: the print is an issued document; an amendment or the termination is a new revision.
        revision = f"a{agreement.amendments.count()}" + ("-t" if agreement.status == Agreement.Status.TERMINATED else "")
        keep = Keep(agreement, "agreement", str(agreement), agreement.number, revision)
    return docs.render(
        lambda language: build(agreement, language), request, f"agreement-{agreement.number or agreement.pk}", keep=keep
    )


urlpatterns = [
    path("agreements/", agreement_list, name="agreement_list"),
    path("agreements/add/", agreement_add, name="agreement_add"),
    path("agreements/<int:pk>/", agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/edit/", agreement_edit, name="agreement_edit"),
    path("agreements/<int:pk>/delete/", agreement_delete, name="agreement_delete"),
    path("agreements/<int:pk>/roster/", agreement_roster, name="agreement_roster"),
    path("agreements/<int:pk>/sign/", agreement_sign, name="agreement_sign"),
    path("agreements/<int:pk>/amend/", agreement_amend, name="agreement_amend"),
    path("agreements/<int:pk>/terminate/", agreement_terminate, name="agreement_terminate"),
    path("agreements/<int:pk>/step/<slug:name>/", agreement_step, name="agreement_step"),
    path("agreements/<int:pk>/document/", agreement_document, name="agreement_document"),
    path("agreements/<int:pk>/scan/", agreement_scan, name="agreement_scan"),
    path("agreements/<int:pk>/history/", agreement_history, name="agreement_history"),
]
