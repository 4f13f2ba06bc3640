"""Pages that are not plain registries: dashboard, language, rulebook, passport, invitations."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kesip.core import access
from kesip.core.exports import xlsx_response
from kesip.core.forms import AcceptInvitationForm, InvitationForm, LicenceForm
from kesip.core.models import (
    Authority,
    Employer,
    Institution,
    Invitation,
    LegalDocument,
    Licence,
    Membership,
    Programme,
    Rule,
    StaffMember,
    Student,
    StudyGroup,
)
from kesip.core.models.rulebook import localize_clause
from kesip.core.rules import in_force as rules_in_force
from kesip.core.views.generic import history_entries


def _count(model, **filters):
    """A correlated COUNT subquery per institution, so counts never multiply through joins."""
    qs = model.objects.filter(institution=OuterRef("pk"), **filters).order_by().values("institution")
    return Coalesce(Subquery(qs.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0)


COUNTS = {
    "staff": (StaffMember, {"is_active": True}),
    "students": (Student, {"status": Student.Status.ENROLLED}),
    "groups": (StudyGroup, {"is_active": True}),
    "programmes": (Programme, {"is_active": True}),
    "employers": (Employer, {"is_active": True, "kind__in": Employer.PARTNER_KINDS}),
}


def institutions_with_counts(user):
    qs = Institution.objects.for_user(user).select_related("authority")
    return qs.annotate(**{k: _count(m, **f) for k, (m, f) in COUNTS.items()})


@login_required
def dashboard(request):
    user = request.user
    institutions = institutions_with_counts(user)
    page = Paginator(institutions, settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
    totals = None
    if page.paginator.count > 1:
        in_scope = Institution.objects.for_user(user).values("pk")
        totals = {k: m.objects.filter(institution__in=in_scope, **f).count() for k, (m, f) in COUNTS.items()}
    breakdown = _breakdown(page.object_list[0]) if page.paginator.count == 1 else None
    own_student = Student.objects.filter(user=user).select_related("group__programme", "institution").first()
    employer_memberships = [m for m in access.memberships(user) if m.employer_id]
    return render(
        request,
        "core/dashboard.html",
        {
            "page": page,
            "totals": totals,
            "single": page.paginator.count == 1,
            "breakdown": breakdown,
            "own_student": own_student,
            "employer_memberships": employer_memberships,
            "memberships": access.memberships(user),
        },
    )


def _breakdown(institution):
    """Students by status, staff by category and employers by sector: one GROUP BY query each."""

    def group(model, field, **filters):
        f = model._meta.get_field(field)
        labels = dict(f.flatchoices)
        rows = model.objects.filter(institution=institution, **filters).values(field).annotate(n=Count("pk")).order_by("-n")
        return [(labels.get(r[field], r[field]), r["n"]) for r in rows]

    return [
        (_("Students by status"), group(Student, "status")),
        (_("Staff by category"), group(StaffMember, "category", is_active=True)),
        (_("Employers by sector"), group(Employer, "sector", is_active=True, kind__in=Employer.PARTNER_KINDS)),
    ]


@require_POST
def set_language(request):
    """Switch the UI language; remembered in a cookie and, when logged in, on the user."""
    code = request.POST.get("language", "")
    if code not in dict(settings.LANGUAGES):
        messages.error(request, _("Unknown language."))
        code = None
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if code:
        if request.user.is_authenticated:
            request.user.language = code
            request.user.save(update_fields=["language"])
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
            httponly=False,
            samesite="Lax",
        )
    return response


RULE_MODULES = ["wbl", "curriculum", "staffdev", "accreditation", "careers"]


def _filtered_rules(request):
    rules = Rule.objects.select_related("document").order_by("code", "jurisdiction", "-effective_from")
    jurisdiction = request.GET.get("jurisdiction", "")
    if jurisdiction in ("KG", "KZ"):
        rules = rules.filter(jurisdiction=jurisdiction)
    module = request.GET.get("module", "")
    if module in RULE_MODULES:
        rules = rules.filter(code__startswith=module + ".")
    q = request.GET.get("q", "").strip()
    if q:
        rules = rules.filter(
            Q(code__icontains=q)
            | Q(title_ky__icontains=q)
            | Q(title_ru__icontains=q)
            | Q(title_kk__icontains=q)
            | Q(title_en__icontains=q)
            | Q(clause__icontains=q)
        )
    return rules, jurisdiction, module, q


@login_required
def rulebook(request):
    rules, jurisdiction, module, q = _filtered_rules(request)
    page = Paginator(rules, 50).get_page(request.GET.get("page"))
    params = urlencode({k: v for k, v in (("jurisdiction", jurisdiction), ("module", module), ("q", q)) if v})
    from kesip.wbl import open_questions

    # The institution's answers to the WBL regulation's open questions (its own for a user of one institution).
    wbl_institution, wbl_rows = open_questions.settings_overview(request.user)
    editable = wbl_institution is not None and open_questions.may_edit_settings(request.user, wbl_institution.pk)
    return render(
        request,
        "core/rulebook.html",
        {
            "wbl_settings_institution": wbl_institution,
            "wbl_settings_rows": wbl_rows,
            "wbl_inferred_rows": open_questions.inferred_rows(request.user),
            "wbl_form_questions": open_questions.form_rows(),
            "wbl_decided_questions": open_questions.decided_rows(),
            "wbl_settings_url": reverse("wbl:settings_own") if editable else None,
            "page": page,
            "jurisdiction": jurisdiction,
            "module": module,
            "modules": RULE_MODULES,
            "q": q,
            "documents": LegalDocument.objects.annotate(n=Count("rules")).order_by("jurisdiction", "key"),
            "query": params,
        },
    )


@login_required
def institution_detail(request, pk):
    institution = get_object_or_404(institutions_with_counts(request.user), pk=pk)
    can_edit = Institution.objects.for_user(request.user, "change").filter(pk=pk).exists()
    out_of_wbl = None
    if institution.military_state_body:
        # VR-1 (п. 1): the WBL regulation does not apply to it; the rule names the clause where it is in force.
        out_of_wbl = rules_in_force(institution.jurisdiction, ("wbl.scope.military_state_body",)).get(
            "wbl.scope.military_state_body"
        )
    return render(
        request,
        "core/institution_detail.html",
        {
            "institution": institution,
            "licences": institution.licences.all(),
            "can_edit": can_edit,
            "can_history": True,
            "military_body": institution.military_state_body,
            "out_of_wbl": out_of_wbl,
        },
    )


@login_required
def authority_detail(request, pk):
    """An authority in its tree: the chain above it, the authorities below, and every institution under it."""
    authority = get_object_or_404(Authority.objects.for_user(request.user).select_related("parent"), pk=pk)
    subtree = Authority.subtree_ids({authority.pk})
    institutions = institutions_with_counts(request.user).filter(authority_id__in=subtree).order_by("short_name_ru", "pk")
    page = Paginator(institutions, settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
    chain, node = [], authority.parent
    while node is not None:
        chain.insert(0, node)
        node = node.parent
    return render(
        request,
        "core/authority_detail.html",
        {
            "authority": authority,
            "chain": chain,
            "children": authority.children.order_by("name_ru"),
            "page": page,
            "can_edit": access.is_system_admin(request.user),
        },
    )


def _editable_institution(request, pk):
    return get_object_or_404(Institution.objects.for_user(request.user, "change"), pk=pk)


@login_required
def licence_edit(request, institution_pk, pk=None):
    institution = _editable_institution(request, institution_pk)
    licence = get_object_or_404(Licence, pk=pk, institution=institution) if pk else Licence(institution=institution)
    form = LicenceForm(request.POST or None, instance=licence, institution=institution)
    if request.method == "POST":
        if form.is_valid():
            with transaction.atomic():
                form.save()
            messages.success(request, _("Saved: %(object)s") % {"object": licence})
            return HttpResponseRedirect(reverse("core:institutions_detail", args=[institution.pk]))
        return render(request, "core/licence_form.html", {"form": form, "institution": institution}, status=400)
    return render(request, "core/licence_form.html", {"form": form, "institution": institution})


@login_required
def licence_history(request, institution_pk, pk):
    institution = get_object_or_404(Institution.objects.for_user(request.user), pk=institution_pk)
    licence = get_object_or_404(Licence, pk=pk, institution=institution)
    return render(
        request,
        "core/history.html",
        {
            "object": licence,
            "entries": history_entries(licence),
            "title": str(institution),
            "list_url": reverse("core:institutions_detail", args=[institution.pk]),
        },
    )


@login_required
def rule_history(request, pk):
    rule = get_object_or_404(Rule.objects.select_related("document"), pk=pk)
    return render(
        request,
        "core/history.html",
        {
            "object": rule,
            "entries": history_entries(rule),
            "title": _("Rulebook"),
            "list_url": reverse("core:rulebook"),
        },
    )


@login_required
def rulebook_export(request):
    rules = _filtered_rules(request)[0]
    headers = [
        _("Rule"),
        _("Code"),
        _("Value"),
        _("Unit"),
        _("Comparison"),
        _("Jurisdiction"),
        _("Effective from"),
        _("Effective to"),
        _("Legal source"),
        _("Clause"),
    ]
    rows = (
        [
            r.title,
            r.code,
            float(r.value),
            str(r.get_unit_display()),
            str(r.get_comparison_display()),
            r.jurisdiction,
            r.effective_from,
            r.effective_to or "",
            r.document.title,
            localize_clause(r.clause),
        ]
        for r in rules.iterator(chunk_size=500)
    )
    return xlsx_response("rulebook.xlsx", str(_("Rulebook")), [str(h) for h in headers], rows)


@login_required
@require_POST
def licence_delete(request, institution_pk, pk):
    institution = _editable_institution(request, institution_pk)
    licence = get_object_or_404(Licence, pk=pk, institution=institution)
    licence.delete()
    messages.success(request, _("Deleted: %(object)s") % {"object": licence})
    return HttpResponseRedirect(reverse("core:institutions_detail", args=[institution.pk]))


@login_required
def invitations(request):
    if not access.has_perm(request.user, "change_member"):
        raise PermissionDenied
    form = InvitationForm(request.POST or None, instance=Invitation(invited_by=request.user), user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            invitation = form.save()
        link = request.build_absolute_uri(reverse("core:accept_invitation", args=[invitation.token]))
        from django.core.mail import send_mail

        send_mail(
            _("Invitation to Kesip"),
            _("You are invited to join %(institution)s in Kesip as %(role)s. Open this link to create your login: %(link)s")
            % {"institution": invitation.place, "role": invitation.get_role_display(), "link": link},
            None,
            [invitation.email],
            fail_silently=True,
        )
        messages.success(
            request, _("Invitation created. Send this link to %(email)s: %(link)s") % {"email": invitation.email, "link": link}
        )
        return HttpResponseRedirect(reverse("core:invitations"))
    pending = (
        Invitation.objects.for_user(request.user, "change")
        .select_related("institution", "authority", "employer")
        .filter(accepted_at__isnull=True)
    )
    page = Paginator(pending, settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
    status = 400 if request.method == "POST" else 200
    return render(request, "core/invitations.html", {"form": form, "page": page, "now": timezone.now()}, status=status)


@login_required
@require_POST
def invitation_revoke(request, pk):
    invitation = get_object_or_404(Invitation.objects.for_user(request.user, "change"), pk=pk, accepted_at__isnull=True)
    invitation.delete()
    messages.success(request, _("Invitation withdrawn."))
    return HttpResponseRedirect(reverse("core:invitations"))


def accept_invitation(request, token):
    invitation = Invitation.objects.select_related("institution", "authority").filter(token=token).first()
    if invitation is None or not invitation.is_open:
        raise Http404
    form = AcceptInvitationForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        from kesip.core.models import User

        with transaction.atomic():
            locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
            if locked.accepted_at is not None:
                raise Http404
            user = User.objects.create_user(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                email=invitation.email,
                first_name=invitation.first_name,
                last_name=invitation.last_name,
                language=request.LANGUAGE_CODE,
            )
            Membership.objects.create(
                user=user,
                role=invitation.role,
                institution=invitation.institution,
                authority=invitation.authority,
                employer=invitation.employer,
            )
            locked.accepted_at = timezone.now()
            locked.accepted_user = user
            locked.save(update_fields=["accepted_at", "accepted_user"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to Kesip."))
        return HttpResponseRedirect(reverse("core:dashboard"))
    return render(
        request,
        "core/accept_invitation.html",
        {"form": form, "invitation": invitation},
        status=400 if request.method == "POST" else 200,
    )
