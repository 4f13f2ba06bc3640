"""Pages of the employer's side of WBL: the employer's WBL page, its people (the mentor register with their
load), local documents and workplaces (the capacity list), and the institution's WBL settings.

Every page reads through `for_user`: another institution's record — or, for an employer's own users,
another employer's — answers 404. The institution's admin and head of practical training, and the
employer's representative, change the employer's records; a mentor reads them. Each page reads a fixed
number of queries whatever the number of rows.
"""

import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kesip.core import access
from kesip.core.forms import add_violation
from kesip.core.models import Employer, Institution, Invitation, Specialty
from kesip.core.rules import RuleViolation
from kesip.core.views.generic import history_entries, require_perm
from kesip.curriculum.views.common import scoped_or_404 as _get
from kesip.wbl import bases, letterheads, open_questions, partnership
from kesip.wbl import employers as svc
from kesip.wbl.common import WblInvalid, rulebook
from kesip.wbl.employers_forms import DocumentForm, PersonForm, SettingsForm, WorkplaceForm
from kesip.wbl.models import Agreement, EmployerPerson, LocalDocument, Placement, WblSettings, Workplace
from kesip.wbl.outcomes import upgrading_of

AGREEMENTS_SHOWN = 20


def _url(name, *args):
    return reverse(f"wbl:{name}", args=args)


def _employer_url(employer_id):
    return _url("employer_detail", employer_id)


def _changeable_employer(user, pk):
    """The employer whose records the user may change (else 404: the page does not exist for them)."""
    employer = _get(Employer, user, pk, "view", ("institution",))
    if not svc.may_change(user, employer):
        raise Http404
    return employer


def _record(model, user, pk, action="view"):
    """A person, document or workplace; for `change`, only where the user may change the employer's records."""
    obj = _get(model, user, pk, "view", ("employer__institution",))
    if action == "change" and not svc.may_change(user, obj.employer):
        raise Http404
    return obj


# --- The employer's WBL page -------------------------------------------------------------------------


@login_required
def employer_detail(request, pk):
    """Head, representative, mentors with their load, local documents, workplaces with free places, agreements,
    placements by status, and the warnings of the soft rules."""
    user = request.user
    employer = _get(Employer, user, pk, "view", ("institution", "letterhead"))
    today = datetime.date.today()
    rules = rulebook(employer.institution)
    letterhead = getattr(employer, "letterhead", None)  # F2; a missing reverse one-to-one reads as None
    people = list(
        svc.with_current_load(EmployerPerson.objects.for_user(user).filter(employer=employer), today)
        .select_related("user")
        .order_by("-is_active", "last_name", "first_name", "pk")
    )
    documents = list(LocalDocument.objects.for_user(user).filter(employer=employer).order_by("kind", "title", "pk"))
    workplaces = list(
        svc.with_capacity(Workplace.objects.for_user(user).filter(employer=employer).select_related("specialty")).order_by(
            "-is_active", "title", "available_from", "pk"
        )
    )
    agreements = (
        list(Agreement.objects.for_user(user).filter(employer=employer).order_by("-starts_on", "pk")[: AGREEMENTS_SHOWN + 1])
        if not employer.is_own_base
        else []
    )
    labels = dict(Placement.Status.choices)
    by_status = {
        row["status"]: row["n"]
        for row in Placement.objects.for_user(user).filter(employer=employer).values("status").annotate(n=Count("pk")).order_by()
    }
    placement_counts = [(value, labels[value], by_status[value]) for value in Placement.Status.values if value in by_status]
    can_change = svc.may_change(user, employer)
    can_invite = access.has_perm(user, "change_member")
    invited = set()
    if can_invite:
        invited = {
            e.lower()
            for e in Invitation.objects.for_user(user, "change")
            .filter(employer=employer, accepted_at__isnull=True, expires_at__gt=timezone.now())
            .values_list("email", flat=True)
        }
    limit = svc.mentor_limit(rules)
    for p in people:
        p.invite_role = svc.invite_role(p) if can_invite else None
        p.invited = p.email.lower() in invited if p.email else False
        p.at_limit = limit is not None and p.current_apprentices >= limit
    active = [p for p in people if p.is_active]
    host = rules.get("wbl.mentor.host_employee")
    base = bases.base_of(employer)  # the institution's own base: no agreements, no partnership, its head on its card
    return render(
        request,
        "wbl/employer_detail.html",
        {
            "title": employer.name,
            "employer": employer,
            "head": next((p for p in active if p.is_head), None),
            "representative": next((p for p in active if p.is_representative), None),
            "mentors": [p for p in people if p.is_mentor or p.current_placements],
            "others": [p for p in people if not p.is_mentor and not p.current_placements],
            "documents": documents,
            "workplaces": workplaces,
            "agreements": agreements[:AGREEMENTS_SHOWN],
            "more_agreements": len(agreements) > AGREEMENTS_SHOWN,
            "placement_counts": placement_counts,
            "placement_total": sum(by_status.values()),
            "warnings": svc.employer_warnings(people, rules) if base is None else [],
            "kind_error": svc.kind_violation(employer, rules),
            "limit": limit,
            "host_source": host.source if host else "",
            "can_change": can_change,
            "today": today,
            "partnership": partnership.employer_panel(employer, user) if base is None else None,
            "base": base,
            "can_edit_base": base is not None and bases.may_manage(user, base.institution_id),
            "briefings": svc.briefings_of(employer, user),
            "letterhead": letterhead,
            # the lists of WBL records (part-time work, rewards, requests, workplaces, needs, evaluations) need view_wbl
            "may_view_wbl": access.has_perm(user, "view_wbl"),
            "letterhead_lines": letterheads.lines_of(employer, letterhead) if base is None else (),
            "can_brief": svc.may_brief(user, employer.institution_id),
        },
    )


# --- Forms: one pattern for people, documents and workplaces ------------------------------------------------


def _form_page(request, form_class, instance, employer, save, template, title, files=False):
    if request.method == "POST":
        form = form_class(request.POST, request.FILES if files else None, instance=instance, employer=employer)
        if form.is_valid():
            try:
                save(form.instance, request.user)
            except WblInvalid as invalid:
                for v in invalid.violations:
                    add_violation(form, v)
            except RuleViolation as violation:
                add_violation(form, violation)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": form.instance})
                return HttpResponseRedirect(_employer_url(employer.pk))
        status = 400
    else:
        form = form_class(instance=instance, employer=employer)
        status = 200
    return render(
        request,
        template,
        {
            "form": form,
            "employer": employer,
            "object": instance if instance.pk else None,
            "title": title,
            "cancel_url": _employer_url(employer.pk),
        },
        status=status,
    )


def _delete_page(request, obj, delete, cancel_url):
    if request.method == "POST":
        try:
            delete(obj, request.user)
        except RuleViolation as violation:
            messages.error(request, violation.message)
            return HttpResponseRedirect(cancel_url)
        messages.success(request, _("Deleted: %(object)s") % {"object": obj})
        return HttpResponseRedirect(_employer_url(obj.employer_id))
    return render(request, "core/confirm_delete.html", {"object": obj, "cancel_url": cancel_url, "title": _("Delete")})


def _history_page(request, obj, title, back_url):
    return render(
        request, "core/history.html", {"object": obj, "entries": history_entries(obj), "title": title, "list_url": back_url}
    )


# --- People -----------------------------------------------------------------------------------------------


@login_required
def employer_personadd(request, employer_pk):
    employer = _changeable_employer(request.user, employer_pk)
    person = EmployerPerson(employer=employer, institution_id=employer.institution_id)
    if request.method == "GET":
        for flag in ("is_mentor", "is_representative", "is_head"):
            if request.GET.get(flag) == "1":
                setattr(person, flag, True)
    return _form_page(request, PersonForm, person, employer, svc.save_person, "wbl/person_form.html", _("Add an employee"))


@login_required
def person_edit(request, pk):
    person = _record(EmployerPerson, request.user, pk, "change")
    title = _("Edit: %(object)s") % {"object": person}
    return _form_page(request, PersonForm, person, person.employer, svc.save_person, "wbl/person_form.html", title)


@login_required
def person_delete(request, pk):
    person = _record(EmployerPerson, request.user, pk, "change")
    return _delete_page(request, person, svc.delete_person, _url("person_detail", person.pk))


@login_required
def person_history(request, pk):
    person = _record(EmployerPerson, request.user, pk)
    return _history_page(request, person, person.employer.name, _url("person_detail", person.pk))


@login_required
def person_detail(request, pk):
    """An employee: the profile, the Kesip login, and (a mentor) the load and the placements they mentor."""
    user = request.user
    person = _record(EmployerPerson, user, pk)
    today = datetime.date.today()
    rules = rulebook(person.employer.institution)
    loaded = svc.with_current_load(EmployerPerson.objects.filter(pk=person.pk), today).values(
        "current_placements", "current_apprentices"
    )[0]
    placements = (
        Placement.objects.for_user(user)
        .filter(mentor=person)
        .select_related("student", "intern_staff", "group", "workplace")
        .order_by("-starts_on", "pk")
    )
    page = Paginator(placements, settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
    can_invite = access.has_perm(user, "change_member")
    invited = (
        can_invite
        and bool(person.email)
        and Invitation.objects.for_user(user, "change")
        .filter(employer_id=person.employer_id, email__iexact=person.email, accepted_at__isnull=True)
        .filter(expires_at__gt=timezone.now())
        .exists()
    )
    limit = svc.mentor_limit(rules)
    host = rules.get("wbl.mentor.host_employee")
    return render(
        request,
        "wbl/person_detail.html",
        {
            "title": str(person),
            "person": person,
            "employer": person.employer,
            "load": loaded,
            "limit": limit,
            "at_limit": limit is not None and loaded["current_apprentices"] >= limit,
            "page": page,
            "can_change": svc.may_change(user, person.employer),
            "invite_role": svc.invite_role(person) if can_invite else None,
            "invited": invited,
            "host_source": host.source if host else "",
            "today": today,
            **upgrading_of(user, mentor=person),
        },
    )


@login_required
def person_list(request):
    """The mentor register: every mentor in the user's scope with their load today, filtered by employer."""
    user = request.user
    require_perm(user, "view_employer")
    require_perm(user, "view_wbl")
    today = datetime.date.today()
    employers_in_scope = list(
        Employer.objects.for_user(user).filter(is_active=True).select_related("institution").order_by("name")[:500]
    )
    qs = svc.with_current_load(
        EmployerPerson.objects.for_user(user).filter(is_mentor=True).select_related("employer", "institution"), today
    ).order_by("employer__name", "last_name", "first_name", "pk")
    chosen = {}
    employer = request.GET.get("employer", "")
    if employer.isdigit():
        qs, chosen["employer"] = qs.filter(employer_id=int(employer)), employer
    if request.GET.get("inactive") != "1":
        qs = qs.filter(is_active=True)
    else:
        chosen["inactive"] = "1"
    if request.GET.get("busy") == "1":
        qs, chosen["busy"] = qs.filter(current_placements__gt=0), "1"
    page = Paginator(qs, settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = {p.employer_id for p in page.object_list}
    open_employers = set(Employer.objects.for_user(user, "view").filter(pk__in=shown).values_list("pk", flat=True))
    limits = {}  # the rulebook depends on the country only: at most one query per country
    for p in page.object_list:
        country = p.institution.jurisdiction
        if country not in limits:
            limits[country] = svc.mentor_limit(rulebook(p.institution))
        limit = limits[country]
        p.limit, p.at_limit = limit, limit is not None and p.current_apprentices >= limit
    return render(
        request,
        "wbl/person_list.html",
        {
            "title": _("Mentors"),
            "page": page,
            "employers": employers_in_scope,
            "chosen": chosen,
            "query": urlencode(chosen),
            "many_institutions": len({e.institution_id for e in employers_in_scope}) > 1,
            "today": today,
            "open_employers": open_employers,
        },
    )


# --- Local documents -----------------------------------------------------------------------------------------


@login_required
def employer_localdocadd(request, employer_pk):
    employer = _changeable_employer(request.user, employer_pk)
    document = LocalDocument(employer=employer, institution_id=employer.institution_id)
    return _form_page(
        request, DocumentForm, document, employer, svc.save_document, "wbl/localdoc_form.html", _("Add a local document"), True
    )


@login_required
def localdoc_edit(request, pk):
    document = _record(LocalDocument, request.user, pk, "change")
    title = _("Edit: %(object)s") % {"object": document}
    return _form_page(
        request, DocumentForm, document, document.employer, svc.save_document, "wbl/localdoc_form.html", title, True
    )


@login_required
def localdoc_delete(request, pk):
    document = _record(LocalDocument, request.user, pk, "change")
    return _delete_page(request, document, svc.delete_document, _employer_url(document.employer_id))


@login_required
def localdoc_history(request, pk):
    document = _record(LocalDocument, request.user, pk)
    return _history_page(request, document, document.employer.name, _employer_url(document.employer_id))


@login_required
@require_GET
def localdoc_file(request, pk):
    """The document's file, to those who see the employer's records only."""
    document = _record(LocalDocument, request.user, pk)
    if not document.file:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=document.file.name.rsplit("/", 1)[-1])


# --- Workplaces ---------------------------------------------------------------------------------------------


@login_required
def employer_workplaceadd(request, employer_pk):
    employer = _changeable_employer(request.user, employer_pk)
    workplace = Workplace(employer=employer, institution_id=employer.institution_id)
    return _form_page(
        request, WorkplaceForm, workplace, employer, svc.save_workplace, "wbl/workplace_form.html", _("Add a workplace")
    )


@login_required
def workplace_edit(request, pk):
    workplace = _record(Workplace, request.user, pk, "change")
    title = _("Edit: %(object)s") % {"object": workplace.title}
    return _form_page(request, WorkplaceForm, workplace, workplace.employer, svc.save_workplace, "wbl/workplace_form.html", title)


@login_required
def workplace_delete(request, pk):
    workplace = _record(Workplace, request.user, pk, "change")
    return _delete_page(request, workplace, svc.delete_workplace, _url("workplace_detail", workplace.pk))


@login_required
def workplace_history(request, pk):
    workplace = _record(Workplace, request.user, pk)
    return _history_page(request, workplace, workplace.employer.name, _url("workplace_detail", workplace.pk))


@login_required
def workplace_detail(request, pk):
    """A workplace: what it offers, its places used and free over its period, and the placements held there."""
    user = request.user
    workplace = _get(Workplace, user, pk, "view", ("employer__institution", "specialty"))
    capacity = svc.with_capacity(Workplace.objects.filter(pk=workplace.pk)).values("used_places", "free_places")[0]
    placements = (
        Placement.objects.for_user(user)
        .filter(workplace=workplace)
        .select_related("student", "intern_staff", "group", "mentor")
        .order_by("-starts_on", "pk")
    )
    page = Paginator(placements, settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "wbl/workplace_detail.html",
        {
            "title": workplace.title,
            "workplace": workplace,
            "employer": workplace.employer,
            "capacity": capacity,
            "page": page,
            "can_change": svc.may_change(user, workplace.employer),
        },
    )


def _period(request):
    """The period of the capacity filter from `from` / `to` (ISO dates), with a message for a bad one."""
    raw_from, raw_to = request.GET.get("from", "").strip(), request.GET.get("to", "").strip()
    try:
        start = parse_date(raw_from) if raw_from else None
        end = parse_date(raw_to) if raw_to else None
    except ValueError:
        start = end = None
    if (raw_from and start is None) or (raw_to and end is None):
        return None, None, _("Give the period as two dates; the period filter was ignored.")
    if start and end and end < start:
        return None, None, _("The period cannot end before it starts; the period filter was ignored.")
    if start and not end:
        end = start
    if end and not start:
        start = end
    return start, end, None


@login_required
def workplace_list(request):
    """Where a coordinator looks for capacity: workplaces of the employers in scope, with the places used and free
    over the chosen period (or each workplace's own), filtered by employer, profession and free places."""
    user = request.user
    require_perm(user, "view_employer")
    require_perm(user, "view_wbl")
    start, end, error = _period(request)
    if error:
        messages.warning(request, error)
    base = Workplace.objects.for_user(user)
    employers_in_scope = list(Employer.objects.for_user(user).select_related("institution").order_by("name")[:500])
    specialties = list(Specialty.objects.filter(pk__in=base.exclude(specialty=None).values("specialty")).order_by("code"))
    qs = base.select_related("employer", "specialty", "institution")
    chosen = {}
    employer = request.GET.get("employer", "")
    if employer.isdigit():
        qs, chosen["employer"] = qs.filter(employer_id=int(employer)), employer
    specialty = request.GET.get("specialty", "")
    if specialty.isdigit():
        qs, chosen["specialty"] = qs.filter(specialty_id=int(specialty)), specialty
    q = request.GET.get("q", "").strip()
    if q:
        qs, chosen["q"] = qs.filter(Q(title__icontains=q) | Q(profession__icontains=q) | Q(address__icontains=q)), q
    if start:
        qs = qs.filter(available_from__lte=end, available_to__gte=start)
        chosen["from"], chosen["to"] = start.isoformat(), end.isoformat()
    qs = svc.with_capacity(qs, start, end)
    if request.GET.get("free") == "1":
        qs, chosen["free"] = qs.filter(is_active=True, free_places__gt=0), "1"
    if request.GET.get("accessible") == "1":  # F32, п. 54
        qs, chosen["accessible"] = qs.filter(accessible=True), "1"
    qs = qs.order_by("employer__name", "title", "available_from", "pk")
    page = Paginator(qs, settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = {w.employer_id for w in page.object_list}
    # the employers whose page (`employer_detail`, the scoped queryset) opens for the user, in one query
    open_employers = set(Employer.objects.for_user(user, "view").filter(pk__in=shown).values_list("pk", flat=True))
    return render(
        request,
        "wbl/workplace_list.html",
        {
            "title": _("Workplaces"),
            "page": page,
            "employers": employers_in_scope,
            "specialties": specialties,
            "chosen": chosen,
            "query": urlencode(chosen),
            "period": (start, end) if start else None,
            "open_employers": open_employers,
            "many_institutions": len({e.institution_id for e in employers_in_scope}) > 1,
        },
    )


# --- The institution's WBL settings -----------------------------------------------------------------------------


def _settings_page(request, obj, status=200, form=None):
    can_edit = open_questions.may_edit_settings(request.user, obj.institution_id)
    rules = rulebook(obj.institution)
    if form is None:
        form = SettingsForm(instance=obj, rules=rules)
    if not can_edit:
        for f in form.fields.values():
            f.disabled = True
    return render(
        request,
        "wbl/settings_form.html",
        {
            "title": _("WBL settings"),
            "form": form,
            "settings_obj": obj,
            "institution": obj.institution,
            "rows": open_questions.settings_rows(obj),
            "can_edit": can_edit,
        },
        status=status,
    )


def _settings_post(request, obj):
    if not open_questions.may_edit_settings(request.user, obj.institution_id):
        raise PermissionDenied
    form = SettingsForm(request.POST, instance=obj, rules=rulebook(obj.institution))
    if form.is_valid():
        try:
            saved = open_questions.save_settings(form.instance, request.user)
        except WblInvalid as invalid:
            for v in invalid.violations:
                add_violation(form, v)
        except RuleViolation as violation:
            add_violation(form, violation)
        else:
            messages.success(request, _("The WBL settings of %(institution)s are saved.") % {"institution": obj.institution})
            return HttpResponseRedirect(_url("settings_edit", saved.pk))
    return _settings_page(request, obj, 400, form)


@login_required
def settings_own(request):
    """The settings of the user's institution (for its admin): opened, or created on the first save."""
    user = request.user
    if not (access.is_system_admin(user) or open_questions.admin_institution_ids(user)):
        raise PermissionDenied
    raw = request.GET.get("institution", "")
    institution = open_questions.settings_institution(user, int(raw) if raw.isdigit() else None)
    if institution is None:
        if raw:
            raise Http404
        # Several institutions: choose one.
        if access.is_system_admin(user):
            choices = Institution.objects.all()
        else:
            choices = Institution.objects.filter(pk__in=open_questions.admin_institution_ids(user))
        page = Paginator(choices.order_by("short_name_ru", "pk"), settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "wbl/settings_choose.html", {"title": _("WBL settings"), "page": page})
    obj = WblSettings.of(institution)
    if request.method == "POST":
        return _settings_post(request, obj)
    return _settings_page(request, obj)


def _settings(user, pk):
    return _get(WblSettings, user, pk, "view", ("institution",))


@login_required
def settings_edit(request, pk):
    obj = _settings(request.user, pk)
    if request.method == "POST":
        return _settings_post(request, obj)
    return _settings_page(request, obj)


@login_required
def settings_history(request, pk):
    obj = _settings(request.user, pk)
    return _history_page(request, obj, _("WBL settings"), _url("settings_edit", obj.pk))


urlpatterns = [
    path("employers/<int:pk>/", employer_detail, name="employer_detail"),
    path("employers/<int:employer_pk>/people/add/", employer_personadd, name="employer_personadd"),
    path("employers/<int:employer_pk>/documents/add/", employer_localdocadd, name="employer_localdocadd"),
    path("employers/<int:employer_pk>/workplaces/add/", employer_workplaceadd, name="employer_workplaceadd"),
    path("mentors/", person_list, name="person_list"),
    path("people/<int:pk>/", person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", person_edit, name="person_edit"),
    path("people/<int:pk>/delete/", person_delete, name="person_delete"),
    path("people/<int:pk>/history/", person_history, name="person_history"),
    path("local-documents/<int:pk>/edit/", localdoc_edit, name="localdoc_edit"),
    path("local-documents/<int:pk>/delete/", localdoc_delete, name="localdoc_delete"),
    path("local-documents/<int:pk>/file/", localdoc_file, name="localdoc_file"),
    path("local-documents/<int:pk>/history/", localdoc_history, name="localdoc_history"),
    path("workplaces/", workplace_list, name="workplace_list"),
    path("workplaces/<int:pk>/", workplace_detail, name="workplace_detail"),
    path("workplaces/<int:pk>/edit/", workplace_edit, name="workplace_edit"),
    path("workplaces/<int:pk>/delete/", workplace_delete, name="workplace_delete"),
    path("workplaces/<int:pk>/history/", workplace_history, name="workplace_history"),
    path("settings/", settings_own, name="settings_own"),
    path("settings/<int:pk>/", settings_edit, name="settings_edit"),
    path("settings/<int:pk>/history/", settings_history, name="settings_history"),
]
