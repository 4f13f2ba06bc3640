"""Pages of placements: the WBL start page, the list, a placement, planning one, placing a group, the roster, visits.

Every page reads through `for_user`: another institution's placement, group or visit answers 404, a
mentor sees their own learners, a student their own placements, an employer's representative the
placements at their employer. Steps are POSTs to the services; a refused step shows every broken
rule beside its field and saves nothing. Each page reads a fixed number of queries.
"""

import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext
from django.views.decorators.http import require_POST

from kesip.core import access
from kesip.core.forms import add_violation
from kesip.core.models import Employer, Specialty, StaffMember, Student, StudentRepresentative, StudyGroup
from kesip.core.models.registries import Sex
from kesip.core.roles import Role
from kesip.core.rules import RuleViolation
from kesip.core.views.generic import history_entries, require_perm
from kesip.curriculum.models import CalendarPeriod, Component
from kesip.curriculum.views.common import scoped_or_404
from kesip.wbl import consent, placement_dashboard, placement_rules
from kesip.wbl import diary as diary_services
from kesip.wbl import placements as services
from kesip.wbl.common import WblInvalid, rulebook
from kesip.wbl.models import (
    Agreement,
    Assessment,
    Briefing,
    DiaryEntry,
    EmployerPerson,
    InternshipSite,
    MonitoringVisit,
    Placement,
    WblForm,
    WblProgramme,
    Workplace,
)
from kesip.wbl.models.agreements import PracticeType
from kesip.wbl.placement_forms import CancelForm, PlacementForm, RosterForm, VisitForm, institutions_to_plan
from kesip.wbl.views import engagement as engagement_views

P = Placement
S = Placement.Status
SELECT = (
    "student__group",
    "intern_staff",
    "group__programme__specialty",
    "employer",
    "workplace",
    "agreement__employer",
    "wbl_programme__programme",
    "component",
    "supervisor",
    "mentor",
    "conformity_approved_by",
    "institution",
)
LIST_SELECT = ("student", "intern_staff", "group", "employer", "workplace", "mentor", "supervisor", "institution")


def _placement(user, pk, action="view"):
    return scoped_or_404(P, user, pk, action, SELECT)


def _with_source(violation):
    return f"{violation.message} ({_('source')}: {violation.source})" if violation.source else violation.message


def _reverse(name, *args):
    """The URL of a page of another part of WBL, or None while that page does not exist yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _list_url(**params):
    url = reverse("wbl:placement_list")
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{url}?{urlencode(params)}" if params else url


# ----------------------------------------------------------------------------------------------
# The list


def _date_param(request, name):
    raw = request.GET.get(name, "")
    try:
        return parse_date(raw) if raw else None
    except ValueError:
        return None


@login_required
def placement_list(request):
    """Placements in scope, newest first; filter by group, employer, form, status, dates, profession, sex, attention."""
    user = request.user
    require_perm(user, "view_wbl")
    bulk = request.GET.get("bulk", "")
    if bulk:
        return HttpResponseRedirect(reverse("wbl:placement_bulk", args=[bulk]) if bulk.isdigit() else _list_url())
    qs = P.objects.for_user(user).select_related(*LIST_SELECT).order_by("-starts_on", "student__last_name", "pk")
    chosen = {}
    for name, field in (("group", "group_id"), ("employer", "employer_id"), ("specialty", "group__programme__specialty_id")):
        value = request.GET.get(name, "")
        if value.isdigit():
            qs, chosen[name] = qs.filter(**{field: int(value)}), value
    for name, choices in (("form", WblForm), ("status", S)):
        value = request.GET.get(name, "")
        if value in choices.values:
            qs, chosen[name] = qs.filter(**{name: value}), value
    sex = request.GET.get("sex", "")
    if sex in Sex.values:
        qs, chosen["sex"] = qs.filter(student__sex=sex).exclude(status=S.CANCELLED), sex
    start, end = _date_param(request, "from"), _date_param(request, "to")
    if start:
        qs, chosen["from"] = qs.filter(ends_on__gte=start), start.isoformat()
    if end:
        qs, chosen["to"] = qs.filter(starts_on__lte=end), end.isoformat()
    if request.GET.get("mine") == "1":
        qs, chosen["mine"] = qs.filter(services.mine_q(user)), "1"
    if request.GET.get("needs") == "1":
        qs, chosen["needs"] = qs.filter(student__special_needs=True), "1"
    attention = request.GET.get("attention", "")
    if attention in services.ATTENTION_LABELS:
        qs = qs.filter(services.attention_q(attention))
        chosen["attention"] = attention
    q = request.GET.get("q", "").strip()[:100]
    if q:
        qs = qs.filter(
            Q(student__last_name__icontains=q) | Q(student__first_name__icontains=q) | Q(intern_staff__last_name__icontains=q)
        )
        chosen["q"] = q
    page = Paginator(qs, settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
    groups = list(StudyGroup.objects.for_user(user).filter(is_active=True).select_related("institution").order_by("name")[:500])
    employers = list(Employer.objects.for_user(user).filter(is_active=True).order_by("name")[:500])
    plannable = institutions_to_plan(user)
    can_plan = plannable is None or bool(plannable)
    specialty = Specialty.objects.filter(pk=chosen["specialty"]).first() if "specialty" in chosen else None
    return render(
        request,
        "wbl/placement_list.html",
        {
            "title": _("Placements"),
            "page": page,
            "chosen": chosen,
            "query": urlencode(chosen),
            "groups": groups,
            "employers": employers,
            "forms": WblForm.choices,
            "statuses": S.choices,
            "attention_label": services.ATTENTION_LABELS.get(attention),
            "specialty": specialty,
            "sex_label": dict(Sex.choices).get(sex),
            "can_plan": can_plan,
            "bulk_groups": [g for g in groups if plannable is None or g.institution_id in plannable],
            "many_institutions": len({g.institution_id for g in groups}) > 1,
        },
    )


# ----------------------------------------------------------------------------------------------
# One placement


def _context_of(placement, user):
    """Everything the placement's page shows besides the placement itself, in a fixed number of queries."""
    p = placement
    order_lines = list(p.order_lines.select_related("order").order_by("order__dated", "pk"))
    briefings = list(p.briefings.all())
    held = {b.kind for b in briefings}
    diary = DiaryEntry.objects.filter(placement=p).aggregate(
        total=Count("pk"),
        submitted=Count("pk", filter=Q(status=DiaryEntry.Status.SUBMITTED)),
        graded=Count("pk", filter=Q(status=DiaryEntry.Status.GRADED)),
        unchecked=Count("pk", filter=Q(checked_at__isnull=True) & ~Q(status=DiaryEntry.Status.DRAFT)),
    )
    hard, soft = [], []
    if p.status not in (S.CANCELLED, S.CLOSED):
        step = placement_rules.ORDER if p.status == S.ROSTER_AGREED else placement_rules.SAVE
        hard, soft = placement_rules.violations(p, step=step)
        if p.status not in (S.PLANNED, S.ROSTER_AGREED):
            hard = []
    return {
        "order_lines": order_lines,
        "briefings": briefings,
        "missing_briefings": [label for kind, label in Briefing.Kind.choices if kind not in held],
        "diary": diary,
        "assessment": Assessment.objects.filter(placement=p).first(),
        "certificate": p.certificate,  # in force, else the latest revoked
        "sites": list(InternshipSite.objects.filter(placement=p).select_related("employer"))
        if p.form == WblForm.INTERNSHIP
        else [],
        "visits": list(p.visits.select_related("visitor").order_by("-visited_on")),
        "timeline": services.timeline(p),
        "hard": hard,
        "soft": soft,
        "steps": services.allowed_steps(p, user),
        "internship_orders": services.internship_orders_complete(p) if p.form == WblForm.INTERNSHIP else None,
    }


@login_required
def placement_detail(request, pk):
    require_perm(request.user, "view_wbl")
    p = _placement(request.user, pk)
    user = request.user
    context = _context_of(p, user)
    seen_in = [v.pk for v in context["visits"]]
    context.update(
        {
            "open_visits": set(MonitoringVisit.objects.for_user(user, "view").filter(pk__in=seen_in).values_list("pk", flat=True))
            if seen_in
            else set(),
            # the linked pages open only as their own views let them (scoped querysets, the diary's permission, the step)
            "may_open_agreement": bool(p.agreement_id)
            and Agreement.objects.for_user(user, "view").filter(pk=p.agreement_id).exists(),
            "may_open_programme": bool(p.wbl_programme_id)
            and WblProgramme.objects.for_user(user, "view").filter(pk=p.wbl_programme_id).exists(),
            "may_open_employer": Employer.objects.for_user(user, "view").filter(pk=p.employer_id).exists(),
            "may_open_diary": access.has_perm(user, "view_diary"),
            "may_complete": p.status == S.ACTIVE and "complete" in diary_services.allowed_steps(p, user),
            "placement": p,
            "title": str(p),
            "roster_form": RosterForm(initial={"roster_agreed_on": datetime.date.today()}),
            "order_referral_url": _reverse("wbl:order_referral"),
            "engagement": engagement_views.placement_panel(p, request.user),
        }
    )
    return render(request, "wbl/placement_detail.html", context)


@login_required
def placement_history(request, pk):
    require_perm(request.user, "view_wbl")
    p = _placement(request.user, pk)
    return render(
        request,
        "core/history.html",
        {"object": p, "entries": history_entries(p), "title": _("Placements"), "list_url": reverse("wbl:placement_list")},
    )


def _show_invalid(form, refusal):
    violations = refusal.violations if isinstance(refusal, WblInvalid) else [refusal]
    for v in violations:
        add_violation(form, v)


SECTIONS = (
    (
        gettext_noop("Learner and host"),
        ("student", "intern_staff", "employer", "workplace", "agreement", "wbl_programme", "component", "practice_type"),
    ),
    (gettext_noop("Dates and supervision"), ("starts_on", "ends_on", "hours", "supervisor", "mentor")),
    (gettext_noop("Consent to the WBL list (п. 56 item 5)"), ("consent_by", "consent_on", "legal_representative")),
    (gettext_noop("Dual training (п. 16–20)"), ("individual_schedule", "enterprise_timetable", "employment_promised")),
    (
        gettext_noop("Internship (п. 34–43)"),
        (
            "intern_category",
            "internship_type",
            "internship_mode",
            "individual_programme",
            "programme_agreed_on",
            "intern_education",
            "intern_experience",
            "intern_position",
            "internship_goals",
            "duration_reason",
        ),
    ),  # fmt: skip
    (gettext_noop("Apprenticeship (п. 44–49)"), ("apprenticeship_form", "outside_wbl_programme")),
    (
        gettext_noop("At the learner's own workplace (п. 21, 30)"),
        ("at_own_workplace", "conformity_note", "conformity_approved_on"),
    ),
    (gettext_noop("Note"), ("note",)),
)


def _sections(form):
    """The form's fields in titled groups, only the groups with a field of this form of WBL."""
    found = []
    for title, names in SECTIONS:
        fields = [form[name] for name in names if name in form.fields]
        if fields:
            found.append((_(title), fields))
    return found


def _form_page(request, placement, form_kind, title, group=None):
    user = request.user
    accessible_only = request.GET.get("accessible") == "1"
    if request.method == "POST":
        form = PlacementForm(
            request.POST, instance=placement, user=user, form_kind=form_kind, group=group, accessible_only=accessible_only
        )
        if form.is_valid():
            try:
                warnings = services.save_placement(form.instance, user)
            except (WblInvalid, RuleViolation) as refusal:
                _show_invalid(form, refusal)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": form.instance})
                for w in warnings:
                    messages.warning(request, _with_source(w))
                return HttpResponseRedirect(form.instance.get_absolute_url())
        status = 400
    else:
        initial = {}
        for name in ("student", "employer", "component", "workplace"):
            value = request.GET.get(name, "")
            if value.isdigit():
                initial[name] = int(value)
        form = PlacementForm(
            instance=placement, user=user, form_kind=form_kind, group=group, initial=initial, accessible_only=accessible_only
        )
        status = 200
    toggle = request.GET.copy()
    if accessible_only:
        toggle.pop("accessible", None)
    else:
        toggle["accessible"] = "1"
    return render(
        request,
        "wbl/placement_form.html",
        {
            "form": form,
            "sections": _sections(form),
            "placement": placement if placement.pk else None,
            "form_kind": form.form_kind,
            "form_label": dict(WblForm.choices)[form.form_kind],
            "forms": WblForm.choices,
            "group": group,
            "title": title,
            "accessible_only": accessible_only,
            "accessible_toggle": "?" + toggle.urlencode(),
        },
        status=status,
    )


@login_required
def placement_add(request):
    """Plan one placement; `?form=` chooses the form of WBL (its fields), `?group=` narrows the learners."""
    user = request.user
    plannable = institutions_to_plan(user)
    if plannable is not None and not plannable:
        raise PermissionDenied
    form_kind = request.GET.get("form", WblForm.PRACTICE)
    if form_kind not in WblForm.values:
        form_kind = WblForm.PRACTICE
    group = None
    raw = request.GET.get("group", "")
    if raw.isdigit():
        group = scoped_or_404(StudyGroup, user, int(raw), "view", ("institution",))
    return _form_page(request, P(form=form_kind), form_kind, _("Plan a placement"), group)


@login_required
def placement_edit(request, pk):
    p = _placement(request.user, pk)
    if not services.may_plan(request.user, p.institution_id):
        raise Http404
    if p.status != S.PLANNED:
        messages.error(
            request, _("Only a planned placement can be changed; this one is “%(status)s”.") % {"status": p.get_status_display()}
        )
        return HttpResponseRedirect(p.get_absolute_url())
    return _form_page(request, p, p.form, _("Edit: %(object)s") % {"object": p})


@login_required
def placement_delete(request, pk):
    p = _placement(request.user, pk)
    if not services.may_plan(request.user, p.institution_id):
        raise Http404
    if p.status != S.PLANNED:
        messages.error(request, _("Only a planned placement can be deleted: cancel this one instead."))
        return HttpResponseRedirect(p.get_absolute_url())
    if request.method == "POST":
        try:
            services.delete_placement(p, request.user)
        except RuleViolation as violation:
            messages.error(request, _with_source(violation))
            return HttpResponseRedirect(p.get_absolute_url())
        messages.success(request, _("Deleted: %(object)s") % {"object": p})
        return HttpResponseRedirect(_list_url(group=p.group_id))
    return render(request, "core/confirm_delete.html", {"object": p, "cancel_url": p.get_absolute_url(), "title": _("Delete")})


@login_required
def placement_agree(request, pk):
    """Record that the employer agreed the dates and the named list (planned → roster agreed)."""
    p = _placement(request.user, pk)
    if not services.may_agree(request.user, p):
        raise Http404
    if request.method != "POST":
        return HttpResponseRedirect(p.get_absolute_url())
    form = RosterForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return HttpResponseRedirect(p.get_absolute_url())
    try:
        services.agree_roster([p], form.cleaned_data["roster_agreed_on"], request.user)
    except (WblInvalid, RuleViolation) as refusal:
        for v in getattr(refusal, "violations", [refusal]):
            messages.error(request, _with_source(v))
    else:
        messages.success(request, _("The employer agreed the roster and the dates."))
    return HttpResponseRedirect(p.get_absolute_url())


@login_required
@require_POST
def placement_ask_consent(request, pk):
    """Ask the consent to the WBL list in Kesip (or ask again): the learner of age and the representatives are mailed."""
    p = _placement(request.user, pk)
    if not services.may_plan(request.user, p.institution_id):
        raise Http404
    try:
        consent.ask(p, request.user)
    except (WblInvalid, RuleViolation) as refusal:
        for v in getattr(refusal, "violations", [refusal]):
            messages.error(request, _with_source(v))
    else:
        messages.success(
            request,
            _("The consent is asked: %(learner)s and the legal representatives are told by e-mail.") % {"learner": p.student},
        )
    return HttpResponseRedirect(p.get_absolute_url())


@login_required
def placement_roster(request):
    """Agree with an employer the dates and named list of many planned placements at once."""
    user = request.user
    require_perm(user, "view_wbl")
    scope = access.scope_for(user, P, "change")
    if not (scope.everything or scope.institution_ids or scope.employer_ids):
        raise PermissionDenied
    qs = (
        P.objects.for_user(user, "change")
        .filter(status=S.PLANNED)
        .select_related(*LIST_SELECT)
        .order_by("employer__name", "starts_on", "student__last_name", "pk")
    )
    chosen = {}
    source = request.POST if request.method == "POST" else request.GET
    for name in ("employer", "group"):
        value = source.get(name, "")
        if value.isdigit():
            qs, chosen[name] = qs.filter(**{f"{name}_id": int(value)}), value
    rows = list(qs[:300])
    form = RosterForm(request.POST or None, initial={"roster_agreed_on": datetime.date.today()})
    errors, status = [], 200
    if request.method == "POST":
        picked = {int(v) for v in request.POST.getlist("placements") if v.isdigit()}
        selected = [p for p in rows if p.pk in picked]
        if not selected:
            errors.append(_("Tick the placements whose roster the employer agreed."))
        elif form.is_valid():
            try:
                done = services.agree_roster(selected, form.cleaned_data["roster_agreed_on"], user)
            except (WblInvalid, RuleViolation) as refusal:
                errors += [_with_source(v) for v in getattr(refusal, "violations", [refusal])]
            else:
                messages.success(
                    request,
                    ngettext(
                        "The employer agreed the roster of %(count)s placement.",
                        "The employer agreed the roster of %(count)s placements.",
                        len(done),
                    )
                    % {"count": len(done)},
                )
                return HttpResponseRedirect(_list_url(status=S.ROSTER_AGREED, **chosen))
        status = 400
    employer_ids = P.objects.for_user(user, "change").filter(status=S.PLANNED).values("employer_id")
    employers = list(Employer.objects.filter(pk__in=employer_ids).order_by("name"))
    return render(
        request,
        "wbl/placement_roster.html",
        {
            "title": _("Agree the roster with the employer"),
            "rows": rows,
            "form": form,
            "errors": errors,
            "chosen": chosen,
            "picked": {int(v) for v in request.POST.getlist("placements") if v.isdigit()} if request.method == "POST" else set(),
            "employers": employers,
        },
        status=status,
    )


@login_required
def placement_cancel(request, pk):
    p = _placement(request.user, pk)
    if not services.may_plan(request.user, p.institution_id):
        raise Http404
    if p.status in (S.CLOSED, S.CANCELLED):
        messages.error(request, _("A closed or cancelled placement cannot be cancelled."))
        return HttpResponseRedirect(p.get_absolute_url())
    form = CancelForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.cancel(p, form.cleaned_data["cancel_reason"], request.user)
            except RuleViolation as violation:
                add_violation(form, violation)
            else:
                messages.success(request, _("The placement is cancelled."))
                return HttpResponseRedirect(p.get_absolute_url())
        status = 400
    return render(
        request,
        "wbl/placement_cancel.html",
        {"placement": p, "form": form, "title": _("Cancel the placement"), "has_order": p.order_lines.exists()},
        status=status,
    )


# ----------------------------------------------------------------------------------------------
# Placing a whole group


def default_period(group, component, today=None):
    """The approved practice period of the group's calendar for the component: the next one, else the latest."""
    today = today or datetime.date.today()
    qs = CalendarPeriod.objects.approved().practice().filter(schedule__group=group)
    if component is not None:
        qs = qs.filter(Q(component=component) | Q(component__isnull=True))
    periods = list(qs.order_by("starts_on", "pk"))
    if component is not None:
        periods.sort(key=lambda c: (c.component_id != component.pk, c.starts_on))
    upcoming = [c for c in periods if c.ends_on >= today]
    return (upcoming or periods[-1:] or [None])[0]


def _pick(qs, raw):
    if raw and str(raw).isdigit():
        return next((o for o in qs if o.pk == int(raw)), None)
    return None


COMMON_TEXT = ("individual_schedule", "enterprise_timetable")


def _bulk_common(post, form_kind, components, supervisors, today):
    """The values for every row, as posted; (values, errors {field: message})."""
    values, errors = {"form": form_kind}, {}
    component = _pick(components, post.get("component"))
    if post.get("component") and component is None:
        errors["component"] = _("Choose a practice component of the group's programme.")
    values["component"] = component
    values["practice_type"] = post.get("practice_type", "") if form_kind == WblForm.PRACTICE else ""
    for name in ("starts_on", "ends_on", "consent_on"):
        raw = post.get(name, "")
        parsed = None
        if raw:
            try:
                parsed = parse_date(raw)
            except ValueError:
                parsed = None
            if parsed is None:
                errors[name] = _("Enter a valid date.")
        values[name] = parsed
    raw_hours = post.get("hours", "").strip()
    values["hours"] = int(raw_hours) if raw_hours.isdigit() and int(raw_hours) <= 5000 else None
    if raw_hours and values["hours"] is None:
        errors["hours"] = _("Hours are a whole number up to 5000.")
    values["supervisor"] = _pick(supervisors, post.get("supervisor"))
    consent = post.get("consent_by", "")
    values["consent_by"] = consent if consent in P.COORDINATOR_CONSENTS else ""
    if form_kind == WblForm.APPRENTICESHIP:
        form = post.get("apprenticeship_form", "")
        values["apprenticeship_form"] = form if form in P.ApprenticeshipForm.values else ""
    if form_kind == WblForm.DUAL:
        for name in COMMON_TEXT:
            values[name] = post.get(name, "").strip()[:5000]
        values["employment_promised"] = post.get("employment_promised") == "on"
    return values, errors


@login_required
def placement_bulk(request, group_pk):
    """Place a whole group on one screen: each studying student with an employer, workplace, mentor and dates.

    Nothing is saved while any row is wrong; each row shows its errors and keeps what was typed.
    """
    user = request.user
    group = scoped_or_404(StudyGroup, user, group_pk, "view", ("institution", "programme__specialty"))
    if not services.may_plan(user, group.institution_id):
        raise Http404
    today = datetime.date.today()
    source = request.POST if request.method == "POST" else request.GET
    form_kind = source.get("form", WblForm.PRACTICE)
    if form_kind not in services.BULK_FORMS:
        form_kind = WblForm.PRACTICE
    students = list(Student.objects.filter(group=group, status=Student.Status.ENROLLED).order_by("last_name", "first_name", "pk"))
    components = list(
        Component.objects.filter(
            module__programme_id=group.programme_id, kind__in=[Component.Kind.PRACTICE, Component.Kind.INDUSTRIAL_TRAINING]
        )
        .select_related("module")
        .order_by("module__position", "position", "pk")
    )
    supervisors = list(
        StaffMember.objects.filter(institution_id=group.institution_id, is_active=True).order_by("last_name", "first_name")
    )
    employers = list(Employer.objects.filter(institution_id=group.institution_id, is_active=True).order_by("name"))
    accessible_only = source.get("accessible") == "1"  # F32, п. 54: only workplaces marked accessible
    workplaces = Workplace.objects.filter(institution_id=group.institution_id, is_active=True)
    if accessible_only:
        workplaces = workplaces.filter(accessible=True)
    workplaces = list(workplaces.select_related("employer").order_by("employer__name", "title"))
    mentors = list(
        EmployerPerson.objects.filter(institution_id=group.institution_id, is_mentor=True, is_active=True).order_by(
            "last_name", "first_name"
        )
    )
    appointed = placement_rules.appointed_supervisors([group.pk]).get(group.pk, [])

    if request.method == "POST":
        common, common_errors = _bulk_common(request.POST, form_kind, components, supervisors, today)
    else:
        component = _pick(components, request.GET.get("component"))
        if component is None:
            upcoming = default_period(group, None, today)
            picked = upcoming.component_id if upcoming is not None else None
            component = next((c for c in components if c.pk == picked), components[0] if len(components) == 1 else None)
        common, common_errors = {"form": form_kind, "component": component, "consent_on": None}, {}
        if component is not None and form_kind == WblForm.PRACTICE:
            common["practice_type"] = component.practice_type
        if len(appointed) == 1:
            common["supervisor"] = appointed[0]
    period = default_period(group, common.get("component"), today)
    if request.method != "POST" or request.POST.get("action") == "defaults":
        if period is not None:
            common["starts_on"], common["ends_on"] = period.starts_on, period.ends_on
        if common.get("component") is not None and form_kind == WblForm.PRACTICE:
            common["practice_type"] = common["component"].practice_type or common.get("practice_type", "")
    starts_on, ends_on = common.get("starts_on"), common.get("ends_on")

    typed = {}
    for s in students:
        prefix = f"r{s.pk}-"
        typed[s.pk] = (
            {k[len(prefix) :]: v for k, v in request.POST.items() if k.startswith(prefix)} if request.method == "POST" else {}
        )

    row_errors, general = {}, []
    if request.method == "POST" and request.POST.get("action") != "defaults":
        rows, index = [], []
        for s in students:
            t = typed[s.pk]
            if not t.get("employer"):
                continue
            row = {"student": s}
            problems = []
            employer = _pick(employers, t.get("employer"))
            if employer is None:
                problems.append(_("Choose an employer of the institution."))
            row["employer"] = employer
            for name, pool in (("workplace", workplaces), ("mentor", mentors)):
                picked = _pick(pool, t.get(name))
                if t.get(name) and picked is None:
                    problems.append(_("Choose a record of the list."))
                row[name] = picked
            for name in ("starts_on", "ends_on"):
                raw = t.get(name, "")
                if raw:
                    try:
                        row[name] = parse_date(raw)
                    except ValueError:
                        row[name] = None
                    if row[name] is None:
                        problems.append(_("Enter a valid date."))
            consent = t.get("consent_by", "")
            if consent in P.COORDINATOR_CONSENTS:
                row["consent_by"] = consent
            row["legal_representative"] = t.get("legal_representative", "").strip()[:255]
            if form_kind == WblForm.PRACTICE and t.get("practice_type") in PracticeType.values:
                row["practice_type"] = t["practice_type"]
            if problems:
                row_errors[s.pk] = problems
            rows.append(row)
            index.append(s.pk)
        if not row_errors and not common_errors:
            try:
                placed, warnings = services.place_group(group, rows, user, common)
            except WblInvalid as invalid:
                rows_by_index = getattr(invalid, "rows", {})
                for i, found in rows_by_index.items():
                    row_errors.setdefault(index[i], []).extend(_with_source(v) for v in found)
                general += [_with_source(v) for v in getattr(invalid, "general", [])]
                if not rows_by_index and not getattr(invalid, "general", None):
                    general += [_with_source(v) for v in invalid.violations]
            except RuleViolation as violation:
                general.append(_with_source(violation))
            else:
                messages.success(
                    request,
                    ngettext("%(count)s placement is planned.", "%(count)s placements are planned.", len(placed))
                    % {"count": len(placed)},
                )
                for found in warnings.values():
                    for w in found:
                        messages.warning(request, _with_source(w))
                ids = ",".join(str(p.pk) for p in placed)
                return HttpResponseRedirect(f"{reverse('wbl:placement_bulk', args=[group.pk])}?form={form_kind}&placed={ids}")
        if row_errors or general or common_errors:
            messages.error(
                request,
                ngettext(
                    "Nothing was saved: %(count)s row needs attention.",
                    "Nothing was saved: %(count)s rows need attention.",
                    len(row_errors),
                )
                % {"count": len(row_errors)}
                if row_errors
                else _("Nothing was saved."),
            )

    existing = {}
    if starts_on and ends_on and starts_on <= ends_on:
        for p in (
            P.objects.counting()
            .overlapping(starts_on, ends_on)
            .filter(student_id__in=[s.pk for s in students])
            .select_related("employer")
        ):
            existing.setdefault(p.student_id, p)
    dated = bool(starts_on and ends_on and starts_on <= ends_on)
    free = placement_rules.free_places(workplaces, starts_on, ends_on) if dated else {}
    book = rulebook(group.institution)
    minor_age = int(book[placement_rules.MINOR_AGE].value) if placement_rules.MINOR_AGE in book else None
    apprentice_limit = int(book[placement_rules.MAX_APPRENTICES].value) if placement_rules.MAX_APPRENTICES in book else None
    mentor_free = {}
    if form_kind == WblForm.APPRENTICESHIP and dated and apprentice_limit is not None:
        mentor_free = placement_rules.apprentices_free(mentors, starts_on, ends_on, apprentice_limit)
    rows = []
    representatives = {}  # the first active legal representative on record, offered for the consent (one query)
    for r in StudentRepresentative.objects.filter(student__in=students, is_active=True).order_by("student_id", "pk"):
        representatives.setdefault(r.student_id, r.full_name)
    for s in students:
        t = typed[s.pk]
        age = placement_rules.age_on(s.birth_date, starts_on or today) if s.birth_date else None
        rows.append(
            {
                "student": s,
                "typed": t,
                "errors": row_errors.get(s.pk, []),
                "existing": existing.get(s.pk),
                "age": age,
                "minor": age is not None and minor_age is not None and age < minor_age,
                "representative": representatives.get(s.pk, ""),
            }
        )
    placed = []
    raw_placed = request.GET.get("placed", "") if request.method == "GET" else ""
    if raw_placed:
        ids = [int(v) for v in raw_placed.split(",") if v.isdigit()][:500]
        placed = list(
            P.objects.for_user(user)
            .filter(pk__in=ids, group=group)
            .select_related("student", "employer")
            .order_by("student__last_name")
        )
    order_url = _reverse("wbl:order_referral")
    return render(
        request,
        "wbl/bulk_place.html",
        {
            "title": _("Place the group %(group)s") % {"group": group},
            "group": group,
            "form_kind": form_kind,
            "forms": [(k, v) for k, v in WblForm.choices if k in services.BULK_FORMS],
            "common": common,
            "common_errors": common_errors,
            "general": general,
            "rows": rows,
            "components": components,
            "supervisors": supervisors,
            "appointed": appointed,
            "employers": employers,
            "workplaces": workplaces,
            "accessible_only": accessible_only,
            "free": free,
            "mentors": mentors,
            "period": period,
            "practice_types": P._meta.get_field("practice_type").choices,
            "consents": P.COORDINATOR_CONSENT_CHOICES,
            "apprenticeship_forms": P.ApprenticeshipForm.choices,
            "placed": placed,
            "placed_ids": ",".join(str(p.pk) for p in placed),
            "order_url": order_url,
            "minor_age": minor_age,
            "mentor_free": mentor_free,
            "apprentice_limit": apprentice_limit,
        },
        status=400 if (row_errors or general or common_errors) else 200,
    )


# ----------------------------------------------------------------------------------------------
# The start page of WBL


@login_required
def dashboard(request):
    """The head of practical training's page: their groups' placements and what needs attention today."""
    user = request.user
    require_perm(user, "view_wbl")
    roles = {m.role for m in access.memberships(user)}
    if roles and not access.is_system_admin(user):
        if roles <= {Role.LEGAL_REPRESENTATIVE}:
            return HttpResponseRedirect(reverse("wbl:consent"))
        if roles <= {Role.VOLUNTEER_CONTACT}:
            return HttpResponseRedirect(reverse("wbl:volunteer_list"))
        if roles <= {Role.MENTOR, Role.STUDENT, Role.LEGAL_REPRESENTATIVE}:
            return HttpResponseRedirect(_reverse("wbl:diaries") or reverse("wbl:placement_list"))
    scope = request.GET.get("scope", "")
    mine = services.mine_by_default(user) if scope not in ("mine", "all") else scope == "mine"
    linked = mine and StaffMember.objects.filter(user=user).exists()
    if mine and not linked:
        mine = False
    year = request.GET.get("year", "")
    numbers = placement_dashboard.numbers(
        user, mine=mine, year=int(year) if year.isdigit() and 1990 <= int(year) <= 2100 else None
    )
    employer_memberships = [m for m in access.memberships(user) if m.role in (Role.EMPLOYER_REP,) and m.employer_id]
    return render(
        request,
        "wbl/dashboard.html",
        {
            "title": _("Work-based learning"),
            "n": numbers,
            "mine": mine,
            "mine_query": "1" if mine else "",
            "can_switch": services.mine_by_default(user) or scope == "mine",
            "unlinked": scope != "all" and services.mine_by_default(user) and not linked,
            "employer_memberships": employer_memberships,
            "can_plan": bool(institutions_to_plan(user)) or institutions_to_plan(user) is None,
            "agreement_list_url": _reverse("wbl:agreement_list"),
            "order_list_url": _reverse("wbl:order_list"),
            "own_bases": _own_bases(user),
        },
    )


def _own_bases(user):
    """The institution's own WBL bases in use (F1, п. 3, п. 10): their number and places, one aggregate query."""
    from django.db.models import Sum

    from kesip.wbl.models import WblBase

    if not access.has_perm(user, "list_wbl"):
        return None
    found = WblBase.objects.for_user(user, "view").filter(is_active=True).aggregate(count=Count("pk"), places=Sum("places"))
    return {"count": found["count"], "places": found["places"] or 0}


# ----------------------------------------------------------------------------------------------
# Monitoring visits


def _visit(user, pk, action="view"):
    return scoped_or_404(MonitoringVisit, user, pk, action, ("employer", "visitor", "institution"))


@login_required
def visit_list(request):
    user = request.user
    require_perm(user, "view_wbl")
    qs = (
        MonitoringVisit.objects.for_user(user)
        .select_related("employer", "visitor", "institution")
        .annotate(seen=Count("placements"))
        .order_by("-visited_on", "-pk")
    )
    chosen = {}
    employer = request.GET.get("employer", "")
    if employer.isdigit():
        qs, chosen["employer"] = qs.filter(employer_id=int(employer)), employer
    page = Paginator(qs, settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
    plannable = institutions_to_plan(user)
    return render(
        request,
        "wbl/visit_list.html",
        {
            "title": _("Monitoring visits"),
            "page": page,
            "chosen": chosen,
            "query": urlencode(chosen),
            "employers": list(Employer.objects.for_user(user).order_by("name")[:500]),
            "can_add": plannable is None or bool(plannable),
        },
    )


@login_required
def visit_detail(request, pk):
    require_perm(request.user, "view_wbl")
    visit = _visit(request.user, pk)
    seen = list(visit.placements.select_related("student", "intern_staff", "group").order_by("student__last_name", "pk"))
    return render(
        request,
        "wbl/visit_detail.html",
        {"visit": visit, "seen": seen, "title": str(visit), "can_change": services.may_plan(request.user, visit.institution_id)},
    )


def _visit_form(request, visit, title):
    user = request.user
    if request.method == "POST":
        form = VisitForm(request.POST, instance=visit, user=user)
        if form.is_valid():
            try:
                services.save_visit(form.instance, form.cleaned_data.get("placements"), user)
            except (WblInvalid, RuleViolation) as refusal:
                _show_invalid(form, refusal)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": form.instance})
                return HttpResponseRedirect(reverse("wbl:visit_detail", args=[form.instance.pk]))
        status = 400
    else:
        initial = {"visited_on": datetime.date.today()}
        employer = request.GET.get("employer", "")
        if employer.isdigit() and not visit.pk:
            initial["employer"] = int(employer)
        if not visit.pk:
            me = StaffMember.objects.filter(user=user, is_active=True).first()
            if me is not None:
                initial["visitor"] = me.pk
        form = VisitForm(instance=visit, user=user, initial=initial)
        status = 200
    return render(
        request, "wbl/visit_form.html", {"form": form, "visit": visit if visit.pk else None, "title": title}, status=status
    )


@login_required
def visit_add(request):
    plannable = institutions_to_plan(request.user)
    if plannable is not None and not plannable:
        raise PermissionDenied
    return _visit_form(request, MonitoringVisit(), _("Record a monitoring visit"))


@login_required
def visit_edit(request, pk):
    visit = _visit(request.user, pk)
    if not services.may_plan(request.user, visit.institution_id):
        raise Http404
    return _visit_form(request, visit, _("Edit: %(object)s") % {"object": visit})


@login_required
def visit_delete(request, pk):
    visit = _visit(request.user, pk)
    if not services.may_plan(request.user, visit.institution_id):
        raise Http404
    if request.method == "POST":
        services.delete_visit(visit, request.user)
        messages.success(request, _("Deleted: %(object)s") % {"object": visit})
        return HttpResponseRedirect(reverse("wbl:visit_list"))
    return render(
        request,
        "core/confirm_delete.html",
        {"object": visit, "cancel_url": reverse("wbl:visit_detail", args=[visit.pk]), "title": _("Delete")},
    )


urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("placements/", placement_list, name="placement_list"),
    path("placements/add/", placement_add, name="placement_add"),
    path("placements/roster/", placement_roster, name="placement_roster"),
    path("placements/<int:pk>/", placement_detail, name="placement_detail"),
    path("placements/<int:pk>/edit/", placement_edit, name="placement_edit"),
    path("placements/<int:pk>/delete/", placement_delete, name="placement_delete"),
    path("placements/<int:pk>/agree/", placement_agree, name="placement_agree"),
    path("placements/<int:pk>/ask-consent/", placement_ask_consent, name="placement_ask_consent"),
    path("placements/<int:pk>/cancel/", placement_cancel, name="placement_cancel"),
    path("placements/<int:pk>/history/", placement_history, name="placement_history"),
    path("groups/<int:group_pk>/placements/bulk/", placement_bulk, name="placement_bulk"),
    path("visits/", visit_list, name="visit_list"),
    path("visits/add/", visit_add, name="visit_add"),
    path("visits/<int:pk>/", visit_detail, name="visit_detail"),
    path("visits/<int:pk>/edit/", visit_edit, name="visit_edit"),
    path("visits/<int:pk>/delete/", visit_delete, name="visit_delete"),
]
