"""Pages of internships, their certificates and public verification, volunteer practice and the apprenticeship notice.

Every page reads through `for_user` (another institution's record answers 404, GET and POST); the
steps are POST buttons shown only when possible; a refused step shows its rule beside the field,
with its clause, and changes nothing. Only the verification page (`certificate_verify`) is public.
"""

import datetime
import hashlib
from pathlib import Path
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kesip.core import access, documents
from kesip.core.forms import DATE, add_violation
from kesip.core.models import Employer, Student
from kesip.core.pdf import DOCUMENT_LANGUAGES
from kesip.core.rules import RuleViolation
from kesip.core.views.generic import history_entries, require_perm
from kesip.curriculum.models import Component
from kesip.curriculum.views.common import scoped_or_404
from kesip.wbl import common, internship_rules, internships
from kesip.wbl.models import Agreement, Certificate, InternshipSite, Order, Placement, VolunteerRecognition, WblForm
from kesip.wbl.placement_forms import institutions_to_plan

P = Placement
V = VolunteerRecognition
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
UPLOAD_TYPES = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".docx": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
}
LANGUAGE_NAMES = {
    "ky": gettext_lazy("Kyrgyz"),
    "ru": gettext_lazy("Russian"),
    "kk": gettext_lazy("Kazakh"),
    "en": gettext_lazy("English"),
}


def validate_upload(upload):
    """A PDF, picture or document of at most 10 MB whose content is what its name says."""
    if not isinstance(upload, UploadedFile):
        return
    if upload.size > UPLOAD_MAX_BYTES:
        raise ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": UPLOAD_MAX_BYTES // (1024 * 1024)})
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in UPLOAD_TYPES:
        raise ValidationError(_("Upload a PDF, JPEG, PNG, DOC, DOCX or ODT file."))
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in UPLOAD_TYPES[suffix]):
        raise ValidationError(_("The file is not a readable %(type)s.") % {"type": suffix.lstrip(".").upper()})


def _violations_to_form(form, error):
    for v in getattr(error, "violations", [error]):
        add_violation(form, v)


def _with_source(v):
    return f"{v.message} ({_('source')}: {v.source})" if v.source else v.message


def _flash_violations(request, error):
    for v in getattr(error, "violations", [error]):
        messages.error(request, _with_source(v))


# --- Internships ------------------------------------------------------------------------------------


def _internships(user, action="view"):
    return P.objects.for_user(user, action).filter(form=WblForm.INTERNSHIP)


def _get_internship(user, pk, action="view"):
    qs = _internships(user, action).select_related("student__group", "intern_staff", "employer", "group", "institution")
    try:
        return qs.get(pk=pk)
    except (P.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _certificates_of(placement):
    """All certificates of the internship, the one in force first, then the revoked ones, newest first (one query)."""
    return sorted(
        Certificate.objects.filter(placement_id=placement.pk),
        key=lambda c: (c.revoked_on is None, c.issued_on, c.pk),
        reverse=True,
    )


@login_required
def internship_list(request):
    """Internships of learners completing the programme, graduates and teachers (F22, F25), filtered in SQL."""
    require_perm(request.user, "view_wbl")
    qs = (
        _internships(request.user)
        .select_related("student", "intern_staff", "employer", "institution")
        .prefetch_related("certificates")
        .annotate(site_count=Count("sites", distinct=True))
        .order_by("-starts_on", "pk")
    )
    chosen = {}
    for name, choices in (
        ("category", P.InternCategory),
        ("type", P.InternshipType),
        ("status", P.Status),
        ("outcome", P.Outcome),
    ):
        value = request.GET.get(name, "")
        if value in choices.values:
            field = {"category": "intern_category", "type": "internship_type"}.get(name, name)
            qs, chosen[name] = qs.filter(**{field: value}), value
    year = request.GET.get("year", "")
    if year.isdigit() and 1990 <= int(year) <= 2100:
        y = int(year)
        qs, chosen["year"] = qs.filter(starts_on__lte=datetime.date(y, 12, 31), ends_on__gte=datetime.date(y, 1, 1)), year
    search = request.GET.get("q", "").strip()[:100]
    if search:
        qs = qs.filter(
            Q(student__last_name__icontains=search)
            | Q(intern_staff__last_name__icontains=search)
            | Q(employer__name__icontains=search)
        )
        chosen["q"] = search
    page = Paginator(qs, settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
    this_year = datetime.date.today().year
    plannable = institutions_to_plan(request.user)  # the test of `placement_add`, where the button leads
    return render(
        request,
        "wbl/internship_list.html",
        {
            "title": _("Internships"),
            "page": page,
            "chosen": chosen,
            "query": urlencode(chosen),
            "categories": P.InternCategory.choices,
            "types": P.InternshipType.choices,
            "statuses": P.Status.choices,
            "outcomes": P.Outcome.choices,
            "years": list(range(this_year + 1, this_year - 6, -1)),
            "can_change": access.has_perm(request.user, "change_wbl"),
            "can_plan": plannable is None or bool(plannable),
            "many_institutions": len({p.institution_id for p in page.object_list}) > 1,
        },
    )


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = P
        fields = internships.PROGRAMME_FIELDS
        widgets = {
            "individual_programme": forms.Textarea(attrs={"rows": 8}),
            "internship_goals": forms.Textarea(attrs={"rows": 3}),
            "duration_reason": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["individual_programme"].help_text = _(
            "The intern's main regulating document (п. 42): every task and the result expected of it (п. 40)."
        )
        self.fields["duration_reason"].help_text = _(
            "The duration is set individually from the intern's education, goals, experience and position (п. 40)."
        )
        for name in ("intern_category", "internship_type", "internship_mode"):
            self.fields[name].required = True


class AgreeForm(forms.Form):
    agreed_on = forms.DateField(label=gettext_lazy("Agreed on"), widget=DATE)
    agreed_by = forms.CharField(label=gettext_lazy("Agreed by (name and position at the enterprise)"), max_length=255)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=P.Outcome.choices)


class CertificateForm(forms.Form):
    letterhead = forms.ChoiceField(label=gettext_lazy("Letterhead"), choices=Certificate.Letterhead.choices)
    issued_on = forms.DateField(label=gettext_lazy("Issued on"), widget=DATE)
    language = forms.ChoiceField(label=gettext_lazy("Language of the certificate"), choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [(c, LANGUAGE_NAMES[c]) for c in DOCUMENT_LANGUAGES]


class RevokeForm(forms.Form):
    revoked_on = forms.DateField(label=gettext_lazy("Revoked on"), widget=DATE)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


def _detail_context(request, placement, **forms_given):
    user = request.user
    certificates = _certificates_of(placement)
    certificate = certificates[0] if certificates else None
    lines = internships.order_lines(placement)
    referred = internships.is_referred(placement, lines)
    sites = internships.site_context(placement)
    book = common.rulebook(placement.institution)
    warnings = internships.site_warnings_for(placement, sites, book)
    steps = internships.allowed_steps(placement, user, referred, certificate)
    today = datetime.date.today()
    orders = internships.orders_by_kind(lines)
    justification = [
        (P._meta.get_field(name).verbose_name, getattr(placement, name)) for name, _w in internship_rules.JUSTIFICATION
    ]
    agreed_by = internships.programme_agreement(placement)
    head_name = ""
    if "agree" in steps:
        from kesip.wbl.models import EmployerPerson

        head = EmployerPerson.objects.filter(employer_id=placement.employer_id, is_head=True, is_active=True).first()
        head_name = f"{head.short_name}, {head.position}" if head else ""
    revocation = internships.revocation_reason(certificate) if certificate else ""
    original = None
    if certificate:
        stored = internships.stored_original(certificate)
        original = stored[0] if stored else None
    return {
        "title": str(placement.learner),
        "placement": placement,
        "intern": placement.learner,
        "certificate": certificate,
        "certificates": certificates,
        "revocation": revocation,
        "original_language": original,
        "languages": [(c, LANGUAGE_NAMES[c]) for c in DOCUMENT_LANGUAGES],
        "sites": sites,
        "site_warnings": {s.pk: warnings.get(s.employer_id, []) for s in sites},
        "host_warnings": warnings.get(placement.employer_id, []),
        "referral": orders.get(Order.Kind.INTERNSHIP_REFERRAL),
        "admission": orders.get(Order.Kind.INTERNSHIP_ADMISSION),
        "lines": lines,
        "referred": referred,
        "steps": steps,
        "justification": justification,
        "agreed_by": agreed_by,
        "agree_form": forms_given.get("agree_form") or AgreeForm(initial={"agreed_on": today, "agreed_by": head_name}),
        "outcome_form": forms_given.get("outcome_form")
        or OutcomeForm(initial={"outcome": placement.outcome or P.Outcome.SUCCESSFUL}),
        "certificate_form": forms_given.get("certificate_form")
        or CertificateForm(
            initial={
                "issued_on": max(min(today, placement.ends_on + datetime.timedelta(days=1)), placement.ends_on),
                "letterhead": Certificate.Letterhead.INSTITUTION,
                "language": (request.LANGUAGE_CODE or "ru")
                if getattr(request, "LANGUAGE_CODE", "") in DOCUMENT_LANGUAGES
                else "ru",
            }
        ),
        "revoke_form": forms_given.get("revoke_form") or RevokeForm(initial={"revoked_on": today}),
        "ends_passed": today >= placement.ends_on,
    }


@login_required
def internship_detail(request, pk):
    """The internship: the individual programme, the grounds of its duration, the sites, the two orders, the steps."""
    placement = _get_internship(request.user, pk)
    return render(request, "wbl/internship_detail.html", _detail_context(request, placement))


def _detail_with(request, placement, status=400, **forms_given):
    return render(request, "wbl/internship_detail.html", _detail_context(request, placement, **forms_given), status=status)


@login_required
def internship_programme(request, pk):
    """Edit the individual programme and the grounds of its duration (before the referral order)."""
    placement = _get_internship(request.user, pk, "change")
    if placement.status not in internships.EDITABLE or internships.is_referred(placement):
        messages.error(request, _("The internship is referred by order: its programme is no longer changed."))
        return HttpResponseRedirect(reverse("wbl:internship_detail", args=[placement.pk]))
    status = 200
    form = ProgrammeForm(request.POST or None, instance=placement)
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                _saved, reagree = internships.save_internship(form.instance, request.user)
            except (common.WblInvalid, RuleViolation) as error:
                _violations_to_form(form, error)
            else:
                messages.success(request, _("The programme is saved."))
                if reagree:
                    messages.warning(request, _("The programme changed after the enterprise agreed it: agree it again."))
                return HttpResponseRedirect(reverse("wbl:internship_detail", args=[placement.pk]))
    return render(
        request,
        "wbl/internship_programme.html",
        {"title": _("Individual internship programme"), "placement": placement, "form": form},
        status=status,
    )


@login_required
@require_POST
def internship_agree(request, pk):
    placement = _get_internship(request.user, pk, "change")
    form = AgreeForm(request.POST)
    if form.is_valid():
        try:
            internships.agree_programme(placement, form.cleaned_data["agreed_on"], form.cleaned_data["agreed_by"], request.user)
        except (common.WblInvalid, RuleViolation) as error:
            _violations_to_form(form, error)
            _flash_violations(request, error)
        else:
            messages.success(request, _("The enterprise's agreement of the programme is recorded."))
            return HttpResponseRedirect(reverse("wbl:internship_detail", args=[placement.pk]))
    return _detail_with(request, placement, agree_form=form)


@login_required
@require_POST
def internship_outcome(request, pk):
    placement = _get_internship(request.user, pk, "change")
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            internships.record_outcome(placement, form.cleaned_data["outcome"], request.user)
        except (common.WblInvalid, RuleViolation) as error:
            _violations_to_form(form, error)
            _flash_violations(request, error)
        else:
            messages.success(request, _("The outcome is recorded."))
            return HttpResponseRedirect(reverse("wbl:internship_detail", args=[placement.pk]))
    return _detail_with(request, placement, outcome_form=form)


def _base_url(request):
    return request.build_absolute_uri("/").rstrip("/")


@login_required
@require_POST
def internship_certify(request, pk):
    placement = _get_internship(request.user, pk, "change")
    form = CertificateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            certificate = internships.issue_certificate(
                placement,
                data["letterhead"],
                data["issued_on"],
                request.user,
                language=data["language"],
                base_url=_base_url(request),
            )
        except (common.WblInvalid, RuleViolation) as error:
            _violations_to_form(form, error)
            _flash_violations(request, error)
        else:
            messages.success(request, _("Certificate № %(number)s is issued.") % {"number": certificate.number})
            return HttpResponseRedirect(reverse("wbl:internship_detail", args=[placement.pk]))
    return _detail_with(request, placement, certificate_form=form)


class SiteForm(forms.ModelForm):
    class Meta:
        model = InternshipSite
        fields = ["employer", "starts_on", "ends_on", "tasks"]
        widgets = {"starts_on": DATE, "ends_on": DATE, "tasks": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, placement=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = (
            Employer.objects.partners().for_user(user, "view").filter(institution_id=placement.institution_id).order_by("name")
        )
        self.fields["employer"].label = _("Enterprise")
        self.instance.placement, self.instance.institution_id = placement, placement.institution_id

    def _post_clean(self):
        # The site's own rules (within the internship, one institution) are the service's; keep the model's.
        super()._post_clean()


def _site_of(request, placement):
    raw = request.POST.get("site") or request.GET.get("site") or ""
    if not raw:
        return InternshipSite(placement=placement, institution_id=placement.institution_id)
    if not raw.isdigit():
        raise Http404
    try:
        return InternshipSite.objects.select_related("employer").get(pk=int(raw), placement_id=placement.pk)
    except InternshipSite.DoesNotExist:
        raise Http404 from None


@login_required
def internship_site(request, pk):
    """Add a site (`?site=` absent) or change one of the internship's sites (п. 37)."""
    placement = _get_internship(request.user, pk, "change")
    site = _site_of(request, placement)
    if placement.status not in internships.SITE_EDITABLE:
        messages.error(
            request,
            _("The internship is “%(status)s”: its sites are no longer changed.") % {"status": placement.get_status_display()},
        )
        return HttpResponseRedirect(reverse("wbl:internship_detail", args=[placement.pk]))
    status = 200
    if request.method == "POST":
        form = SiteForm(request.POST, instance=site, placement=placement, user=request.user)
        status = 400
        if form.is_valid():
            try:
                saved, warnings = internships.save_site(form.instance, request.user)
            except (common.WblInvalid, RuleViolation) as error:
                _violations_to_form(form, error)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": saved})
                for w in warnings:
                    messages.warning(request, _with_source(w))
                return HttpResponseRedirect(reverse("wbl:internship_detail", args=[placement.pk]) + "#sites")
    else:
        initial = (
            {} if site.pk else {"starts_on": placement.starts_on, "ends_on": placement.ends_on, "employer": placement.employer_id}
        )
        form = SiteForm(instance=site, placement=placement, user=request.user, initial=initial)
    return render(
        request,
        "wbl/internship_site.html",
        {
            "title": _("Change the site") if site.pk else _("Add a site"),
            "placement": placement,
            "site": site if site.pk else None,
            "form": form,
        },
        status=status,
    )


@login_required
@require_POST
def internship_sitedelete(request, pk):
    placement = _get_internship(request.user, pk, "change")
    site = _site_of(request, placement)
    if not site.pk:
        raise Http404
    try:
        internships.delete_site(site, request.user)
    except (common.WblInvalid, RuleViolation) as error:
        _flash_violations(request, error)
    else:
        messages.success(request, _("Deleted: %(object)s") % {"object": site})
    return HttpResponseRedirect(reverse("wbl:internship_detail", args=[placement.pk]) + "#sites")


@login_required
def internship_history(request, pk):
    placement = _get_internship(request.user, pk)
    return render(
        request,
        "core/history.html",
        {
            "object": placement,
            "entries": history_entries(placement),
            "title": _("Internships"),
            "list_url": reverse("wbl:internship_list"),
        },
    )


# --- Certificates -----------------------------------------------------------------------------------


def _certificate(user, pk, action="view"):
    return scoped_or_404(
        Certificate,
        user,
        pk,
        action,
        ("institution", "placement__student__group", "placement__intern_staff", "placement__employer", "placement__group"),
    )


@login_required
def certificate_document(request, pk):
    """The certificate: the PDF issued (whose SHA-256 the verification page checks), or a copy in another language or DOCX."""
    certificate = _certificate(request.user, pk)
    fmt, language = documents.requested(request)
    stored = internships.stored_original(certificate)
    asked_language = request.GET.get("lang")
    if fmt == "pdf" and stored and (not asked_language or asked_language == stored[0]):
        response = HttpResponse(stored[1], content_type=documents.CONTENT_TYPES["pdf"])
        response["Content-Disposition"] = f'inline; filename="certificate-{certificate.pk}.pdf"'
        response["X-Document-SHA256"] = documents.sha256(stored[1])
        return response
    qr = request.build_absolute_uri(reverse("wbl:certificate_verify", args=[certificate.token]))
    note = _("A copy: the certificate was issued as a PDF whose SHA-256 is %(sha)s.") % {"sha": certificate.sha256}
    return documents.render(
        lambda lang: internships.certificate_official(certificate, lang, qr, copy_note=note),
        request,
        f"certificate-{certificate.pk}",
    )


@login_required
@require_POST
def certificate_revoke(request, pk):
    certificate = _certificate(request.user, pk, "change")
    form = RevokeForm(request.POST)
    placement = _get_internship(request.user, certificate.placement_id)
    if form.is_valid():
        try:
            internships.revoke_certificate(
                certificate, form.cleaned_data["revoked_on"], form.cleaned_data["reason"], request.user
            )
        except (common.WblInvalid, RuleViolation) as error:
            _violations_to_form(form, error)
            _flash_violations(request, error)
        else:
            messages.success(request, _("Certificate № %(number)s is revoked.") % {"number": certificate.number})
            return HttpResponseRedirect(reverse("wbl:internship_detail", args=[placement.pk]))
    return _detail_with(request, placement, revoke_form=form)


class ShaCheckForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("The certificate's PDF file"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_MAX_BYTES:
            raise ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": UPLOAD_MAX_BYTES // (1024 * 1024)})
        upload.seek(0)
        if not upload.read(5).startswith(b"%PDF-"):
            raise ValidationError(_("The file is not a readable PDF."))
        upload.seek(0)
        return upload


def certificate_verify(request, token):
    """Public: whether a certificate is genuine. One query, by the token only; only the data printed on the certificate."""
    certificate = (
        Certificate.objects.select_related("institution", "placement__student", "placement__intern_staff")
        .filter(token=token)
        .first()
        if len(token) <= 64
        else None
    )
    if certificate is None:
        return render(request, "wbl/certificate_verify.html", {"title": _("Certificate check"), "found": False}, status=404)
    form, match = None, None
    if request.method == "POST":
        form = ShaCheckForm(request.POST, request.FILES)
        if form.is_valid():
            digest = hashlib.sha256()
            for chunk in form.cleaned_data["file"].chunks():
                digest.update(chunk)
            match = bool(certificate.sha256) and digest.hexdigest() == certificate.sha256
    placement = certificate.placement
    intern = placement.student or placement.intern_staff
    return render(
        request,
        "wbl/certificate_verify.html",
        {
            "title": _("Certificate check"),
            "found": True,
            "certificate": certificate,
            "institution": documents.institution_name(certificate.institution),
            "intern_name": internships.public_name(intern),
            "internship_type": placement.get_internship_type_display(),
            "starts_on": placement.starts_on,
            "ends_on": placement.ends_on,
            "form": form or ShaCheckForm(),
            "match": match,
        },
        status=200 if request.method != "POST" or (form and form.is_valid()) else 400,
    )


# --- Apprenticeship outside a WBL programme ----------------------------------------------------------


@login_required
def placement_notice(request, pk):
    """The notice to an apprentice trained outside a WBL programme (п. 47): no diploma, apply to the Centre."""
    placement = scoped_or_404(P, request.user, pk, "view", ("institution", "student", "employer", "group", "mentor", "agreement"))
    book = common.rulebook(placement.institution)
    if not internships.needs_notice(placement) or internship_rules.OUTSIDE_NOTICE not in book:
        raise Http404
    return documents.render(lambda lang: internships.notice_official(placement, lang), request, f"notice-{placement.pk}")


# --- Volunteer practice -----------------------------------------------------------------------------


class VolunteerForm(forms.ModelForm):
    class Meta:
        model = V
        fields = internships.VOLUNTEER_FIELDS
        widgets = {"starts_on": DATE, "ends_on": DATE, "activity": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, institution=None, own_student=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.own_student = user, own_student
        inst_id = institution.pk
        self.instance.institution_id = inst_id
        if own_student is not None:
            del self.fields["student"]
            self.instance.student = own_student
        else:
            self.fields["student"].queryset = (
                Student.objects.for_user(user, "view")
                .filter(institution_id=inst_id)
                .select_related("group")
                .order_by("last_name", "first_name")
            )
        self.fields["organisation"].queryset = Employer.objects.partners().filter(institution_id=inst_id).order_by("name")
        self.fields["organisation"].help_text = _("An employer of the institution; add it to the employers first.")
        self.fields["memorandum"].queryset = Agreement.objects.filter(
            institution_id=inst_id, kind=Agreement.Kind.VOLUNTEER
        ).select_related("employer")
        self.fields["memorandum"].help_text = _("Left empty, the memorandum in force on the volunteering dates is found.")
        self.fields["practice_type"].choices = [
            (v, label) for v, label in self.fields["practice_type"].choices if v in V.CREDITABLE
        ]
        self.fields["component"].queryset = Component.objects.filter(
            institution_id=inst_id, kind=Component.Kind.PRACTICE, practice_type__in=V.CREDITABLE
        ).select_related("module")
        for name in ("book", "volunteer_agreement"):
            self.fields[name].validators.append(validate_upload)
            self.fields[name].help_text = _("PDF, JPEG, PNG, DOC, DOCX or ODT, at most 10 MB; or give the number beside it.")
            self.fields[name].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png,.doc,.docx,.odt"

    def clean(self):
        data = super().clean()
        if self.own_student is not None:
            self.instance.student = self.own_student
        return data


def _volunteers(user, action="view"):
    return V.objects.for_user(user, action)


def _volunteer(user, pk, action="view"):
    return scoped_or_404(
        V, user, pk, action, ("institution", "student__group", "organisation", "memorandum", "component", "decided_by")
    )


@login_required
def volunteer_list(request):
    """Volunteering submitted for recognition as practice (п. 31): filter by status, type and year."""
    require_perm(request.user, "view_wbl")
    qs = _volunteers(request.user).select_related("student", "organisation", "institution").order_by("-starts_on", "pk")
    chosen = {}
    for name, choices in (("status", V.Status), ("type", None)):
        value = request.GET.get(name, "")
        if name == "type" and value in V.CREDITABLE:
            qs, chosen[name] = qs.filter(practice_type=value), value
        elif choices is not None and value in choices.values:
            qs, chosen[name] = qs.filter(status=value), value
    year = request.GET.get("year", "")
    if year.isdigit() and 1990 <= int(year) <= 2100:
        qs, chosen["year"] = qs.filter(starts_on__year=int(year)), year
    page = Paginator(qs, settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
    own = internships.student_of(request.user)
    this_year = datetime.date.today().year
    from kesip.wbl.models import PracticeType

    return render(
        request,
        "wbl/volunteer_list.html",
        {
            "title": _("Volunteer practice"),
            "page": page,
            "chosen": chosen,
            "query": urlencode(chosen),
            "statuses": V.Status.choices,
            "types": [(v, label) for v, label in PracticeType.choices if v in V.CREDITABLE],
            "years": list(range(this_year, this_year - 6, -1)),
            "can_submit": own is not None or _staff_anywhere(request.user),
            "many_institutions": len({r.institution_id for r in page.object_list}) > 1,
        },
    )


def _staff_anywhere(user):
    scope = access.scope_for(user, V, "change")
    return scope.everything or bool(scope.institution_ids)


def _submit_institution(user):
    """The institution a new record goes to, and the learner when a student submits their own."""
    own = internships.student_of(user)
    scope = access.scope_for(user, V, "change")
    if scope.institution_ids or scope.everything:
        from kesip.core.models import Institution

        ids = sorted(scope.institution_ids) if not scope.everything else []
        inst = (
            Institution.objects.filter(pk__in=ids).first() if ids else (own.institution if own else Institution.objects.first())
        )
        return inst, None
    if own is not None:
        return own.institution, own
    if scope.employer_ids:
        employer = Employer.objects.filter(pk__in=scope.employer_ids).select_related("institution").first()
        return (employer.institution if employer else None), None
    return None, None


def _volunteer_form(request, recognition, institution, own, title):
    status = 200
    if request.method == "POST":
        status = 400
        form = VolunteerForm(
            request.POST, request.FILES, instance=recognition, user=request.user, institution=institution, own_student=own
        )
        if form.is_valid():
            try:
                saved = internships.save_volunteer(form.instance, request.user)
            except (common.WblInvalid, RuleViolation) as error:
                _violations_to_form(form, error)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": saved})
                return HttpResponseRedirect(saved.get_absolute_url())
    else:
        form = VolunteerForm(instance=recognition, user=request.user, institution=institution, own_student=own)
    return render(
        request,
        "wbl/volunteer_form.html",
        {"title": title, "form": form, "recognition": recognition if recognition.pk else None, "own": own},
        status=status,
    )


@login_required
def volunteer_add(request):
    institution, own = _submit_institution(request.user)
    if institution is None:
        raise PermissionDenied
    recognition = V(institution_id=institution.pk, student=own) if own else V(institution_id=institution.pk)
    if own is None and not common.may(request.user, V, "change", institution.pk):
        raise PermissionDenied  # the organisation's people add evidence to a submitted record; they do not pick learners
    return _volunteer_form(request, recognition, institution, own, _("Submit volunteering for recognition"))


@login_required
def volunteer_detail(request, pk):
    recognition = _volunteer(request.user, pk)
    book = common.rulebook(recognition.institution, recognition.ends_on)
    steps = internships.volunteer_steps(recognition, request.user)
    check = []
    if recognition.status in (V.Status.SUBMITTED, V.Status.VERIFIED) and "recognise" in steps:
        candidate = V.objects.select_related("memorandum", "organisation", "student__group", "component__module").get(
            pk=recognition.pk
        )
        internships._auto_memorandum(candidate)
        check = internship_rules.recognition_violations(candidate, book)
        evidence_ok = not internship_rules.evidence_violations(candidate, book)
    else:
        evidence_ok = False
    least = book.get(internship_rules.VOLUNTEER_HOURS)
    return render(
        request,
        "wbl/volunteer_detail.html",
        {
            "title": str(recognition),
            "recognition": recognition,
            "steps": steps,
            "check": check,
            "evidence_ok": evidence_ok,
            "least": least,
            "reject_form": RejectForm(),
            "recognise_form": RecogniseForm(),
        },
    )


@login_required
def volunteer_edit(request, pk):
    recognition = _volunteer(request.user, pk)
    if "edit" not in internships.volunteer_steps(recognition, request.user):
        raise Http404
    staff = common.may(request.user, V, "change", recognition.institution_id)
    own = None if staff else recognition.student  # the learner or the organisation changes the evidence, not whose it is
    return _volunteer_form(request, recognition, recognition.institution, own, _("Edit: %(object)s") % {"object": recognition})


@login_required
def volunteer_delete(request, pk):
    recognition = _volunteer(request.user, pk)
    if "delete" not in internships.volunteer_steps(recognition, request.user):
        raise Http404
    if request.method == "POST":
        try:
            internships.delete_volunteer(recognition, request.user)
        except RuleViolation as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(recognition.get_absolute_url())
        messages.success(request, _("Deleted: %(object)s") % {"object": recognition})
        return HttpResponseRedirect(reverse("wbl:volunteer_list"))
    return render(
        request,
        "core/confirm_delete.html",
        {"object": recognition, "cancel_url": recognition.get_absolute_url(), "title": _("Delete")},
    )


class RecogniseForm(forms.Form):
    grade = forms.DecimalField(
        label=gettext_lazy("Mark for the practice component (optional)"),
        required=False,
        max_digits=5,
        decimal_places=1,
        help_text=gettext_lazy(
            "Only when the institution assesses the volunteering: the mark goes to the journal and transcript."
        ),
    )


class RejectForm(forms.Form):
    decision_note = forms.CharField(
        label=gettext_lazy("Why it is not recognised"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


@login_required
@require_POST
def volunteer_recognise(request, pk):
    recognition = _volunteer(request.user, pk)
    form = RecogniseForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return HttpResponseRedirect(recognition.get_absolute_url())
    try:
        internships.recognise(recognition, request.user, grade=form.cleaned_data.get("grade"))
    except (common.WblInvalid, RuleViolation) as error:
        _flash_violations(request, error)
    else:
        messages.success(request, _("The volunteering is recognised as practice."))
    return HttpResponseRedirect(recognition.get_absolute_url())


@login_required
@require_POST
def volunteer_verify(request, pk):
    """The evidence checked and frozen (§9.4): hours, memorandum, personal book, volunteer agreement (VR-22)."""
    recognition = _volunteer(request.user, pk)
    try:
        internships.verify(recognition, request.user)
    except (common.WblInvalid, RuleViolation) as error:
        _flash_violations(request, error)
    else:
        messages.success(request, _("The evidence is verified; the decision comes next."))
    return HttpResponseRedirect(recognition.get_absolute_url())


@login_required
@require_POST
def volunteer_reject(request, pk):
    recognition = _volunteer(request.user, pk)
    try:
        internships.reject(recognition, request.POST.get("decision_note", ""), request.user)
    except (common.WblInvalid, RuleViolation) as error:
        _flash_violations(request, error)
    else:
        messages.success(request, _("The volunteering is not recognised."))
    return HttpResponseRedirect(recognition.get_absolute_url())


def _file(field):
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=field.name.rsplit("/", 1)[-1])


@login_required
def volunteer_book(request, pk):
    return _file(_volunteer(request.user, pk).book)


@login_required
def volunteer_agreement(request, pk):
    return _file(_volunteer(request.user, pk).volunteer_agreement)


@login_required
def volunteer_history(request, pk):
    recognition = _volunteer(request.user, pk)
    return render(
        request,
        "core/history.html",
        {
            "object": recognition,
            "entries": history_entries(recognition),
            "title": _("Volunteer practice"),
            "list_url": reverse("wbl:volunteer_list"),
        },
    )


urlpatterns = [
    path("internships/", internship_list, name="internship_list"),
    path("internships/<int:pk>/", internship_detail, name="internship_detail"),
    path("internships/<int:pk>/programme/", internship_programme, name="internship_programme"),
    path("internships/<int:pk>/agree/", internship_agree, name="internship_agree"),
    path("internships/<int:pk>/outcome/", internship_outcome, name="internship_outcome"),
    path("internships/<int:pk>/certify/", internship_certify, name="internship_certify"),
    path("internships/<int:pk>/site/", internship_site, name="internship_site"),
    path("internships/<int:pk>/site/delete/", internship_sitedelete, name="internship_sitedelete"),
    path("internships/<int:pk>/history/", internship_history, name="internship_history"),
    path("certificates/<int:pk>/document/", certificate_document, name="certificate_document"),
    path("certificates/<int:pk>/revoke/", certificate_revoke, name="certificate_revoke"),
    path("certificates/verify/<str:token>/", certificate_verify, name="certificate_verify"),
    path("placements/<int:pk>/notice/", placement_notice, name="placement_notice"),
    path("volunteer/", volunteer_list, name="volunteer_list"),
    path("volunteer/add/", volunteer_add, name="volunteer_add"),
    path("volunteer/<int:pk>/", volunteer_detail, name="volunteer_detail"),
    path("volunteer/<int:pk>/edit/", volunteer_edit, name="volunteer_edit"),
    path("volunteer/<int:pk>/delete/", volunteer_delete, name="volunteer_delete"),
    path("volunteer/<int:pk>/verify/", volunteer_verify, name="volunteer_verify"),
    path("volunteer/<int:pk>/recognise/", volunteer_recognise, name="volunteer_recognise"),
    path("volunteer/<int:pk>/reject/", volunteer_reject, name="volunteer_reject"),
    path("volunteer/<int:pk>/book/", volunteer_book, name="volunteer_book"),
    path("volunteer/<int:pk>/agreement/", volunteer_agreement, name="volunteer_agreement"),
    path("volunteer/<int:pk>/history/", volunteer_history, name="volunteer_history"),
]
