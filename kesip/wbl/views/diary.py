"""Pages from the briefings to the closed placement: the diaries start page, a placement's diary (kept by the
learner, graded by the mentor in place, controlled by the head of practical training), briefings for one
placement or a whole group at an employer, the practical-classes journal of a group, the review, the
assessment, the steps, and the documents (diary, review, characterisation, briefing log).

Every page reads through `for_user`: another institution's record, another mentor's learner or another
learner's diary answers 404. The pages mentors and learners use are laid out for a 390 px phone first.
Each page reads a fixed number of queries whatever the number of entries or learners.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kesip.core import access
from kesip.core import documents as docs
from kesip.core.rules import RuleViolation
from kesip.core.views.generic import require_perm
from kesip.curriculum import journal
from kesip.curriculum.views.common import scoped_or_404
from kesip.wbl import diary, labour_rules
from kesip.wbl import diary_documents as papers
from kesip.wbl import diary_rules as rules
from kesip.wbl.common import WblInvalid, rulebook, settings_for
from kesip.wbl.diary_forms import (
    AssessForm,
    BriefingForm,
    CompleteForm,
    EntryForm,
    GradeForm,
    GroupBriefingForm,
    add_violations,
)
from kesip.wbl.models import Assessment, Briefing, DiaryEntry, Placement

P = Placement.Status
E = DiaryEntry.Status
PAGE_SELECT = (
    "institution",
    "employer",
    "workplace",
    "student__group__programme__specialty",
    "intern_staff",
    "mentor",
    "supervisor",
    "group__programme__specialty",
    "wbl_programme",
    "component__module",
)
# Placements the diaries pages show: from the referral order on (planned ones have no diary yet).
LISTED = (P.ORDERED, P.BRIEFED, P.ACTIVE, P.COMPLETED, P.ASSESSED, P.CLOSED)
CURRENT = (P.ORDERED, P.BRIEFED, P.ACTIVE, P.COMPLETED, P.ASSESSED)
SHOWS = ("current", "waiting", "control", "closed", "all")
ENTRY_SHOWS = ("waiting", "returned", "drafts", "unchecked")


def _placement(user, pk, select=PAGE_SELECT):
    return scoped_or_404(Placement, user, pk, "view", select)


def _entry(user, pk):
    entry = scoped_or_404(DiaryEntry, user, pk, "view", ["graded_by", "checked_by", *(f"placement__{s}" for s in PAGE_SELECT)])
    if entry.status == E.DRAFT and diary.learner_user_id(entry.placement) != user.pk:
        raise Http404  # a draft is the learner's own until handed in
    return entry


def _with_source(v):
    return f"{v.message} ({_('source')}: {v.source})" if v.source else v.message


def _refused(request, error):
    for v in getattr(error, "violations", None) or [error]:
        messages.error(request, _with_source(v))


def _warn(request, warnings):
    for w in warnings:
        messages.warning(request, _with_source(w))


def _is_htmx(request):
    return request.headers.get("HX-Request") == "true"


def _diary_url(placement, anchor=""):
    url = reverse("wbl:placement_diary", args=[placement.pk])
    return f"{url}#{anchor}" if anchor else url


def _post_only(request):
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def quick_marks(scale):
    """The marks of a short scale without letters as big buttons (5 4 3 2); None for a 100-point scale."""
    bands = sorted(scale.bands.all(), key=lambda b: b.min_value, reverse=True)
    if scale.has_letters or not bands or len(bands) > 6 or any(b.min_value != b.max_value for b in bands):
        return None
    return [f"{b.min_value.normalize():f}" for b in bands]


# --- The start page -----------------------------------------------------------------------------


def _open_briefings():
    return Coalesce(
        Subquery(
            Briefing.objects.filter(placement=OuterRef("pk"), acknowledged_at__isnull=True)
            .order_by()
            .values("placement")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        0,
    )


def _groups_to_control(user):
    """For staff who control diaries: each group at each employer with its placements, entries waiting and to control."""
    control = access.scope_for(user, DiaryEntry, "change")
    if not (control.everything or control.institution_ids):
        return None
    qs = Placement.objects.for_user(user, "view").filter(status__in=CURRENT, group__isnull=False)
    wbl = access.scope_for(user, Placement, "change")
    if not (wbl.everything or wbl.institution_ids):
        qs = qs.filter(supervisor__user=user)  # a teacher controls the placements they supervise
    counted = Q(diary__status__in=diary.COUNTED)
    return list(
        qs.values("group_id", "group__name", "employer_id", "employer__name")
        .annotate(
            placements=Count("pk", distinct=True),
            to_brief=Count("pk", filter=Q(status__in=[P.ORDERED]), distinct=True),
            waiting=Count("diary", filter=Q(diary__status=E.SUBMITTED)),
            unchecked=Count("diary", filter=counted & Q(diary__checked_at__isnull=True)),
        )
        .order_by("-unchecked", "group__name", "employer__name")[:50]
    )


@login_required
def diaries(request):
    """The start page of diary users: a mentor's learners with the entries waiting for the grade (overdue first),
    a learner's placements and briefings to acknowledge, the groups whose diaries staff control."""
    require_perm(request.user, "view_diary")
    user = request.user
    qs = (
        Placement.objects.for_user(user, "view")
        .filter(status__in=LISTED)
        .select_related("student", "intern_staff", "group", "employer", "mentor")
        .annotate(**diary.progress_annotations(), open_briefings=_open_briefings())
    )
    chosen = {}
    show = request.GET.get("show", "current")
    show = show if show in SHOWS else "current"
    if show == "current":
        qs = qs.filter(status__in=CURRENT)
    elif show == "waiting":
        qs = qs.filter(waiting_count__gt=0)
    elif show == "control":
        qs = qs.filter(status__in=diary.CONTROL_OPEN, unchecked_count__gt=0)
    elif show == "closed":
        qs = qs.filter(status=P.CLOSED)
    if show != "current":
        chosen["show"] = show
    group = request.GET.get("group", "")
    if group.isdigit():
        qs, chosen["group"] = qs.filter(group_id=int(group)), group
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(
            Q(student__last_name__icontains=q) | Q(student__first_name__icontains=q) | Q(intern_staff__last_name__icontains=q)
        )
        chosen["q"] = q
    qs = qs.order_by(
        "-overdue_count", "-waiting_count", "-unchecked_count", "student__last_name", "intern_staff__last_name", "pk"
    )
    page = Paginator(qs, settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
    to_acknowledge = []
    if access.scope_for(user, Briefing, "view").student_user_ids:
        to_acknowledge = list(
            Briefing.objects.for_user(user, "view")
            .filter(acknowledged_at__isnull=True, placement__status__in=diary.BRIEFING_OPEN, placement__student__user=user)
            .select_related("placement__employer")
            .prefetch_related("documents")
            .order_by("placement__starts_on", "kind")[:20]
        )
    perms = access.permissions(user)
    return render(
        request,
        "wbl/diary_index.html",
        {
            "title": _("Diaries"),
            "page": page,
            "show": show,
            "shows": [
                ("current", _("Current")),
                ("waiting", _("Waiting for the grade")),
                ("control", _("To control")),
                ("closed", _("Closed")),
                ("all", _("All")),
            ],
            "q": q,
            "query": urlencode(chosen),
            "groups": _groups_to_control(user),
            "to_acknowledge": to_acknowledge,
            "grades": "grade_diary" in perms,
        },
    )


# --- A placement's diary ------------------------------------------------------------------------


def _context(request, placement, form=None):
    """Everything the diary page shows about the placement, in a fixed number of queries."""
    user = request.user
    r = diary.rights(user, placement)
    grading_days = settings_for(placement.institution).diary_grading_days
    cutoff = rules.overdue_cutoff(grading_days)
    entries = DiaryEntry.objects.filter(placement=placement)
    sums = diary.totals(entries, cutoff)
    book = rulebook(placement.institution)
    briefings = diary.briefings_of(placement)
    gaps = diary.gaps(placement, book, briefings)
    scale = journal.scale_for(placement.institution)
    show = request.GET.get("show", "")
    qs = entries.select_related("graded_by", "checked_by").order_by("-date", "-pk")
    if not r.learner:
        qs = qs.exclude(status=E.DRAFT)
    if show == "waiting":
        qs = qs.filter(status=E.SUBMITTED)
    elif show == "returned":
        qs = qs.filter(status=E.RETURNED)
    elif show == "drafts":
        qs = qs.filter(status=E.DRAFT)
    elif show == "unchecked":
        qs = qs.filter(status__in=diary.COUNTED, checked_at__isnull=True)
    else:
        show = ""
    page = Paginator(qs, settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
    writing = r.write and placement.status == P.ACTIVE
    if form is None and writing:
        form = EntryForm(placement=placement)
    assessment = Assessment.objects.filter(placement=placement).first() if placement.status in (P.ASSESSED, P.CLOSED) else None
    return {
        "placement": placement,
        "title": _("Diary") + f" · {placement.learner}",
        "r": r,
        "sums": sums,
        "cutoff": cutoff,
        "grading_days": grading_days,
        "page": page,
        "show": show,
        "query": urlencode({"show": show}) if show else "",
        "form": form if writing else None,
        "scale": scale,
        "marks": quick_marks(scale),
        "briefings": briefings,
        "to_acknowledge": [b for b in briefings if b.acknowledged_at is None] if r.learner else [],
        "gaps": gaps,
        "steps": diary.allowed_steps(placement, user, briefed=not gaps, r=r),
        "grading": r.grade and placement.status == P.ACTIVE,
        "controlling": r.control and placement.status in diary.CONTROL_OPEN,
        "writing": writing,
        "warnings": (diary.overdue_warnings(placement, sums["overdue"], book) if r.grade or r.control else [])
        + labour_rules.diary_warnings(placement, book, entries.exclude(status=E.DRAFT) if not r.learner else entries),
        "assessment": assessment,
        "average": papers.average(sums, scale),
    }


@login_required
def placement_diary(request, pk):
    """The diary of one placement: its header and totals, the learner's new entry, the entries newest first with
    what the viewer may do with each (submit, grade or return, control), and the steps of the placement."""
    require_perm(request.user, "view_diary")
    placement = _placement(request.user, pk)
    return render(request, "wbl/diary_placement.html", _context(request, placement))


@login_required
def placement_diaryadd(request, pk):
    """The learner writes a new entry (a draft, or handed to the mentor at once)."""
    refused = _post_only(request)
    placement = _placement(request.user, pk)
    if refused:
        return refused
    form = EntryForm(request.POST, request.FILES, placement=placement)
    if form.is_valid():
        attachment, _clear = form.upload()
        try:
            diary.save_entry(form.instance, request.user, attachment=attachment, submit=request.POST.get("submit") == "1")
        except WblInvalid as invalid:
            add_violations(form, invalid.violations)
        except RuleViolation as v:
            add_violations(form, [v])
        else:
            messages.success(
                request,
                _("The entry is handed to the mentor.") if form.instance.status == E.SUBMITTED else _("The draft is saved."),
            )
            return HttpResponseRedirect(_diary_url(placement, f"entry-{form.instance.pk}"))
    return render(request, "wbl/diary_placement.html", _context(request, placement, form), status=400)


@login_required
def diaryentry_edit(request, pk):
    """The learner corrects a draft or an entry the mentor returned."""
    entry = _entry(request.user, pk)
    placement = entry.placement
    r = diary.rights(request.user, placement)
    if not (r.write and placement.status == P.ACTIVE and entry.status in (E.DRAFT, E.RETURNED)):
        messages.error(request, _("The entry is with the mentor: it can no longer be changed."))
        return HttpResponseRedirect(_diary_url(placement, f"entry-{entry.pk}"))
    status = 200
    if request.method == "POST":
        form = EntryForm(request.POST, request.FILES, instance=entry, placement=placement)
        if form.is_valid():
            attachment, clear = form.upload()
            try:
                diary.save_entry(
                    form.instance,
                    request.user,
                    attachment=attachment,
                    clear_attachment=clear,
                    submit=request.POST.get("submit") == "1",
                )
            except WblInvalid as invalid:
                add_violations(form, invalid.violations)
            except RuleViolation as v:
                add_violations(form, [v])
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": form.instance})
                return HttpResponseRedirect(_diary_url(placement, f"entry-{entry.pk}"))
        status = 400
    else:
        form = EntryForm(instance=entry, placement=placement)
    return render(
        request,
        "wbl/diary_entry_form.html",
        {"form": form, "entry": entry, "placement": placement, "title": _("Edit the entry")},
        status=status,
    )


def _entry_response(request, entry, error=None, note=None):
    """After a step on one entry: the entry's card (and the diary's totals) for HTMX, else back to the diary."""
    if not _is_htmx(request):
        if error is not None:
            _refused(request, error)
        elif note:
            messages.success(request, note)
        return HttpResponseRedirect(_diary_url(entry.placement, f"entry-{entry.pk}"))
    fresh = DiaryEntry.objects.select_related("graded_by", "checked_by").get(pk=entry.pk)
    ctx = _context(request, entry.placement)
    html = render_to_string(
        "wbl/diary_entry.html",
        {
            **ctx,
            "e": fresh,
            "error": _with_source(error) if error is not None else "",
            "posted": request.POST if error is not None else None,  # what the mentor typed stays in the form
            "note": note,
            "oob": True,
        },
        request=request,
    )
    status = 200 if error is None else (403 if getattr(error, "code", "") == "wbl.permission" else 400)
    return HttpResponse(html, status=status)


def _entry_step(request, pk, step, note):
    refused = _post_only(request)
    entry = _entry(request.user, pk)
    if refused:
        return refused
    try:
        step(entry)
    except (WblInvalid, RuleViolation) as error:
        first = error.violations[0] if isinstance(error, WblInvalid) else error
        return _entry_response(request, entry, first)
    return _entry_response(request, entry, note=note)


@login_required
def diaryentry_submit(request, pk):
    return _entry_step(request, pk, lambda e: diary.submit_entry(e, request.user), _("The entry is handed to the mentor."))


@login_required
def diaryentry_delete(request, pk):
    refused = _post_only(request)
    entry = _entry(request.user, pk)
    if refused:
        return refused
    try:
        diary.delete_entry(entry, request.user)
    except RuleViolation as v:
        _refused(request, v)
        return HttpResponseRedirect(_diary_url(entry.placement, f"entry-{entry.pk}"))
    messages.success(request, _("The draft is deleted."))
    return HttpResponseRedirect(_diary_url(entry.placement))


@login_required
def diaryentry_grade(request, pk):
    """The mentor grades the entry in place (HTMX swaps the card), with a comment."""
    form = GradeForm(request.POST or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    return _entry_step(
        request,
        pk,
        lambda e: diary.grade_entry(e, data.get("grade", ""), request.user, comment=data.get("comment", "")),
        _("Graded."),
    )


@login_required
def diaryentry_return(request, pk):
    """The mentor returns the entry for correction, saying what to correct."""
    comment = request.POST.get("comment", "")
    return _entry_step(request, pk, lambda e: diary.return_entry(e, comment, request.user), _("Returned for correction."))


@login_required
def diaryentry_check(request, pk):
    """The head of practical training marks the entry controlled, with a note."""
    note = request.POST.get("note", "")
    return _entry_step(request, pk, lambda e: diary.check_entry(e, request.user, note=note), _("Marked as controlled."))


@login_required
def diaryentry_attachment(request, pk):
    entry = _entry(request.user, pk)
    if not entry.attachment:
        raise Http404
    try:
        handle = entry.attachment.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=False, filename=entry.attachment.name.rsplit("/", 1)[-1])


@login_required
def placement_diarysubmit(request, pk):
    """The learner hands every draft to the mentor at once."""
    refused = _post_only(request)
    placement = _placement(request.user, pk)
    if refused:
        return refused
    try:
        count = diary.submit_all(placement, request.user)
    except (WblInvalid, RuleViolation) as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            ngettext("%(count)s entry is handed to the mentor.", "%(count)s entries are handed to the mentor.", count)
            % {"count": count},
        )
    return HttpResponseRedirect(_diary_url(placement))


@login_required
def placement_diarycheck(request, pk):
    """The head of practical training marks every entry handed in and not yet controlled as controlled."""
    refused = _post_only(request)
    placement = _placement(request.user, pk)
    if refused:
        return refused
    try:
        count = diary.check_all(placement, request.user, note=request.POST.get("note", ""))
    except RuleViolation as v:
        _refused(request, v)
    else:
        messages.success(
            request,
            ngettext("%(count)s entry is marked as controlled.", "%(count)s entries are marked as controlled.", count)
            % {"count": count},
        )
    return HttpResponseRedirect(_diary_url(placement))


# --- Briefings ----------------------------------------------------------------------------------


def _conductor(user, placement, kind):
    if kind == Briefing.Kind.INSTITUTION:
        return str(placement.supervisor) if placement.supervisor_id else (user.display_name() if user else "")
    return str(placement.mentor) if placement.mentor_id else ""


def _may_record(r, kind):
    return r.staff if kind == Briefing.Kind.INSTITUTION else r.manage


@login_required
def placement_briefings(request, pk):
    """The three briefings of a placement: record each, the learner acknowledges on their phone (or staff record the
    paper signature), then the placement is briefed and may start."""
    require_perm(request.user, "view_wbl")
    placement = _placement(request.user, pk)
    user = request.user
    r = diary.rights(user, placement)
    status, posted = 200, None
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        if kind not in Briefing.Kind.values:
            messages.error(request, _("Choose the kind of briefing."))
            return HttpResponseRedirect(reverse("wbl:placement_briefings", args=[placement.pk]))
        posted = BriefingForm(request.POST, employer=placement.employer, kind=kind)
        if posted.is_valid():
            try:
                diary.record_briefing(
                    placement,
                    kind,
                    user,
                    held_on=posted.cleaned_data["held_on"],
                    conducted_by=posted.cleaned_data["conducted_by"],
                    documents=posted.cleaned_data.get("documents") or [],
                    acknowledged=posted.cleaned_data["acknowledged"],
                )
            except WblInvalid as invalid:
                add_violations(posted, invalid.violations)
            except RuleViolation as v:
                add_violations(posted, [v])
            else:
                messages.success(request, _("The briefing is recorded."))
                return HttpResponseRedirect(reverse("wbl:placement_briefings", args=[placement.pk]))
        status = 400
    placement.refresh_from_db(fields=["status"])
    briefings = {b.kind: b for b in diary.briefings_of(placement)}
    book = rulebook(placement.institution)
    required = diary.required_documents(placement)
    gaps = diary.gaps(placement, book, list(briefings.values()), required)
    rows = []
    for kind, label in Briefing.Kind.choices:
        b = briefings.get(kind)
        form = None
        open_ = placement.status in diary.BRIEFING_OPEN and (b is None or b.acknowledged_at is None)
        if open_ and _may_record(r, kind):
            if posted is not None and posted.kind == kind:
                form = posted
            else:
                initial = {}
                if b is not None:
                    initial = {"held_on": b.held_on, "conducted_by": b.conducted_by}
                    if kind == Briefing.Kind.LOCAL_DOCUMENTS:
                        initial["documents"] = [d.pk for d in b.documents.all()]
                form = BriefingForm(
                    employer=placement.employer, kind=kind, conducted_by=_conductor(user, placement, kind), initial=initial
                )
        rows.append(
            {
                "kind": kind,
                "label": label,
                "briefing": b,
                "form": form,
                "acknowledge": b is not None
                and b.acknowledged_at is None
                and placement.status in diary.BRIEFING_OPEN
                and (r.learner or _may_record(r, kind)),
            }
        )
    before = settings_for(placement.institution).briefing_before_start
    return render(
        request,
        "wbl/briefing_placement.html",
        {
            "placement": placement,
            "title": _("Briefings") + f" · {placement.learner}",
            "rows": rows,
            "r": r,
            "gaps": gaps,
            "required": required,
            "before_start": before,
            "rule": book.get(rules.BEFORE_START),
            "steps": diary.allowed_steps(placement, user, briefed=not gaps, r=r),
            # `group_briefings` shows the group's placements at the employer still in briefing (this one among them)
            "may_group": bool(placement.group_id) and r.manage and placement.status in diary.BRIEFING_OPEN,
            "may_open_diary": access.has_perm(user, "view_diary"),  # `diaries` and `placement_diary` require it
        },
        status=status,
    )


@login_required
def briefing_acknowledge(request, pk):
    """The learner acknowledges a briefing (a button on their phone); staff record the signature from the paper log."""
    refused = _post_only(request)
    briefing = scoped_or_404(Briefing, request.user, pk, "view", ("placement",))
    if refused:
        return refused
    try:
        diary.acknowledge(briefing, request.user)
    except RuleViolation as v:
        _refused(request, v)
    else:
        placement = Placement.objects.only("status").get(pk=briefing.placement_id)
        messages.success(
            request,
            _("Acknowledged: %(briefing)s.") % {"briefing": briefing.get_kind_display()}
            + (" " + _("Every briefing is done: the placement is briefed.") if placement.status == P.BRIEFED else ""),
        )
    back = request.POST.get("next", "")
    if back not in ("diaries", "diary"):
        return HttpResponseRedirect(reverse("wbl:placement_briefings", args=[briefing.placement_id]))
    if back == "diaries":
        return HttpResponseRedirect(reverse("wbl:diaries"))
    return HttpResponseRedirect(reverse("wbl:placement_diary", args=[briefing.placement_id]))


def _group_placements(user, group_pk, employer_pk):
    """The group's placements at the employer that the user sees (404 when none: another institution's, or not theirs)."""
    placements = list(
        Placement.objects.for_user(user, "view")
        .filter(group_id=group_pk, employer_id=employer_pk, status__in=diary.BRIEFING_OPEN)
        .select_related("institution", "employer", "student", "intern_staff", "mentor", "supervisor", "group")
        .prefetch_related(Prefetch("briefings", queryset=Briefing.objects.prefetch_related("documents")))
        .order_by("student__last_name", "student__first_name", "pk")
    )
    if not placements:
        raise Http404
    return placements


@login_required
def group_briefings(request, pk, employer_pk):
    """One briefing for the whole group at one employer at once, and where each learner stands with the three."""
    require_perm(request.user, "view_wbl")
    user = request.user
    placements = _group_placements(user, pk, employer_pk)
    first = placements[0]
    group, employer = first.group, first.employer
    rights = {p.pk: diary.rights(user, p) for p in placements}
    manageable = [p for p in placements if rights[p.pk].manage]
    open_ = [p for p in manageable if any(b.acknowledged_at is None for b in p.briefings.all()) or len(p.briefings.all()) < 3]
    status = 200
    form = GroupBriefingForm(employer=employer, placements=manageable, initial={"placements": [str(p.pk) for p in open_]})
    if request.method == "POST" and request.POST.get("action") == "start":
        started, failed = 0, []
        for p in manageable:
            if p.status != P.BRIEFED:
                continue
            try:
                diary.start(p, user)
                started += 1
            except (WblInvalid, RuleViolation) as error:
                failed += [f"{p.learner}: {v.message}" for v in getattr(error, "violations", None) or [error]]
        messages.success(
            request,
            ngettext("%(count)s placement has started.", "%(count)s placements have started.", started) % {"count": started},
        )
        for message in failed:
            messages.error(request, message)
        return HttpResponseRedirect(reverse("wbl:group_briefings", args=[pk, employer_pk]))
    if request.method == "POST":
        form = GroupBriefingForm(request.POST, employer=employer, placements=manageable)
        if form.is_valid():
            chosen = {int(x) for x in form.cleaned_data["placements"]}
            kind = form.cleaned_data["kind"]
            try:
                done = diary.record_group_briefing(
                    [p for p in manageable if p.pk in chosen],
                    kind,
                    user,
                    held_on=form.cleaned_data["held_on"],
                    conducted_by=form.cleaned_data["conducted_by"],
                    documents=(form.cleaned_data.get("documents") or []) if kind == Briefing.Kind.LOCAL_DOCUMENTS else [],
                    acknowledged=form.cleaned_data["acknowledged"],
                )
            except WblInvalid as invalid:
                add_violations(form, invalid.violations)
            except RuleViolation as v:
                add_violations(form, [v])
            else:
                messages.success(
                    request,
                    ngettext(
                        "The briefing is recorded for %(count)s learner.",
                        "The briefing is recorded for %(count)s learners.",
                        len(done),
                    )
                    % {"count": len(done)},
                )
                return HttpResponseRedirect(reverse("wbl:group_briefings", args=[pk, employer_pk]))
        status = 400
    rows = []
    for p in placements:
        by_kind = {b.kind: b for b in p.briefings.all()}
        rows.append({"placement": p, "cells": [by_kind.get(k) for k in Briefing.Kind.values]})
    today = timezone.localdate()
    startable = [p for p in manageable if p.status == P.BRIEFED and p.starts_on <= today]
    return render(
        request,
        "wbl/briefing_group.html",
        {
            "title": _("Briefings") + f" · {group} · {employer}",
            "group": group,
            "employer": employer,
            "rows": rows,
            "kinds": Briefing.Kind.choices,
            "form": form if manageable else None,
            "startable": startable,
        },
        status=status,
    )


@login_required
def placement_briefingdoc(request, pk):
    require_perm(request.user, "view_wbl")
    placement = _placement(request.user, pk)
    briefings = sorted(diary.briefings_of(placement), key=lambda b: Briefing.Kind.values.index(b.kind))
    return docs.render(
        lambda language: papers.briefing_document(placement, briefings, language), request, f"briefings-{placement.pk}"
    )


# --- Steps of the placement ---------------------------------------------------------------------


def _step(request, pk, name):
    refused = _post_only(request)
    placement = _placement(request.user, pk)
    if refused:
        return refused
    back = request.POST.get("next") == "briefings"
    target = reverse("wbl:placement_briefings", args=[placement.pk]) if back else _diary_url(placement)
    try:
        if name == "brief":
            diary.brief(placement, request.user)
            messages.success(request, _("The placement is briefed."))
        elif name == "start":
            outcome = diary.start(placement, request.user)
            messages.success(request, _("The placement is under way: the learner keeps the diary."))
            _warn(request, outcome.warnings)
        else:
            diary.close(placement, request.user)
            messages.success(request, _("The placement is closed."))
    except (WblInvalid, RuleViolation) as error:
        _refused(request, error)
    return HttpResponseRedirect(target)


@login_required
def placement_brief(request, pk):
    return _step(request, pk, "brief")


@login_required
def placement_start(request, pk):
    return _step(request, pk, "start")


@login_required
def placement_close(request, pk):
    return _step(request, pk, "close")


@login_required
def placement_complete(request, pk):
    """The mentor (or staff recording it) writes the review and the characterisation and completes the placement."""
    placement = _placement(request.user, pk)
    user = request.user
    if "complete" not in diary.allowed_steps(placement, user):
        messages.error(request, _("This step is not open for the placement now."))
        return HttpResponseRedirect(_diary_url(placement))
    scale = journal.scale_for(placement.institution)
    early = placement.status == P.ACTIVE and timezone.localdate() < placement.ends_on
    entries = DiaryEntry.objects.filter(placement=placement)
    waiting = list(entries.filter(status=E.SUBMITTED).order_by("date").values_list("pk", "date"))
    status = 200
    if request.method == "POST":
        form = CompleteForm(request.POST, early=early, scale=scale)
        if form.is_valid():
            data = form.cleaned_data
            try:
                outcome = diary.complete(
                    placement,
                    user,
                    review=data["review"],
                    characterisation=data["characterisation"],
                    recommended_grade=data["recommended_grade"],
                    early_reason=data.get("early_reason", ""),
                )
            except WblInvalid as invalid:
                add_violations(form, invalid.violations)
            except RuleViolation as v:
                add_violations(form, [v])
            else:
                messages.success(request, _("The review is saved: the placement is completed."))
                _warn(request, outcome.warnings)
                return HttpResponseRedirect(_diary_url(placement))
        status = 400
    else:
        form = CompleteForm(
            early=early,
            scale=scale,
            initial={
                "review": placement.review,
                "characterisation": placement.characterisation,
                "recommended_grade": f"{placement.recommended_grade.normalize():f}" if placement.recommended_grade else "",
            },
        )
    sums = diary.totals(entries)
    return render(
        request,
        "wbl/complete_form.html",
        {
            "placement": placement,
            "title": _("Review and characterisation") + f" · {placement.learner}",
            "form": form,
            "waiting": waiting if placement.status == P.ACTIVE else [],
            "sums": sums,
            "average": papers.average(sums, scale),
            "marks": quick_marks(scale),
            "competencies": diary.competencies_for(placement),
        },
        status=status,
    )


@login_required
def placement_assess(request, pk):
    """The joint assessment of a completed placement; its grade goes to the journal and the transcript."""
    placement = _placement(request.user, pk)
    user = request.user
    if "assess" not in diary.allowed_steps(placement, user):
        messages.error(request, _("This step is not open for the placement now."))
        return HttpResponseRedirect(_diary_url(placement))
    scale = journal.scale_for(placement.institution)
    competencies = diary.competencies_for(placement)
    methods = diary.programme_methods(placement)
    current = Assessment.objects.filter(placement=placement).prefetch_related("competency_results").first()
    args = dict(placement=placement, competencies=competencies, methods=methods, scale=scale)
    status = 200
    if request.method == "POST":
        form = AssessForm(request.POST, request.FILES, **args)
        if form.is_valid():
            data = form.cleaned_data
            try:
                outcome = diary.assess(
                    placement,
                    user,
                    assessed_on=data["assessed_on"],
                    method=data["method"],
                    value=data["value"],
                    institution_assessors=list(data["institution_assessors"]),
                    employer_assessors=list(data["employer_assessors"]),
                    results=form.results(),
                    comment=data["comment"],
                    artefact=data.get("artefact") or None,
                )
            except WblInvalid as invalid:
                add_violations(form, invalid.violations)
            except RuleViolation as v:
                add_violations(form, [v])
            else:
                messages.success(request, _("The assessment is recorded: the grade is in the journal and the transcript."))
                _warn(request, outcome.warnings)
                return HttpResponseRedirect(_diary_url(placement))
        status = 400
    else:
        if current is not None:
            results = {r.competency_id: r for r in current.competency_results.all()}
            initial = {
                "assessed_on": current.assessed_on,
                "method": current.method,
                "value": f"{current.value.normalize():f}",
                "institution_assessors": list(current.institution_assessors.all()),
                "employer_assessors": list(current.employer_assessors.all()),
                "comment": current.comment,
            }
            for cid, r in results.items():
                initial[f"competency-{cid}"] = "yes" if r.achieved else "no"
                initial[f"note-{cid}"] = r.note
        else:
            initial = {
                "assessed_on": timezone.localdate(),
                "method": methods[0] if methods else "",
                "value": f"{placement.recommended_grade.normalize():f}" if placement.recommended_grade else "",
                "institution_assessors": [placement.supervisor] if placement.supervisor_id else [],
                "employer_assessors": [placement.mentor] if placement.mentor_id else [],
            }
        form = AssessForm(initial=initial, **args)
    sums = diary.totals(DiaryEntry.objects.filter(placement=placement))
    rubric = []
    if placement.wbl_programme_id:
        rubric = list(placement.wbl_programme.rubric.prefetch_related("competencies").order_by("method", "position", "pk"))
    return render(
        request,
        "wbl/assess_form.html",
        {
            "placement": placement,
            "title": _("Assessment") + f" · {placement.learner}",
            "form": form,
            "current": current,
            "sums": sums,
            "average": papers.average(sums, scale),
            "recommended": papers.mark(placement.recommended_grade, scale),
            "rubric": rubric,
            "book": rulebook(placement.institution),
        },
        status=status,
    )


@login_required
def assessment_artefact(request, pk):
    assessment = scoped_or_404(Assessment, request.user, pk, "view")
    if not assessment.artefact:
        raise Http404
    try:
        handle = assessment.artefact.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=assessment.artefact.name.rsplit("/", 1)[-1])


# --- The practical-classes journal of a group (F17) ---------------------------------------------


@login_required
def group_practicejournal(request, pk):
    """The head of practical training's journal of a group: each learner's placement with the diary's totals, and
    the register of graded days (date, learner, task, hours, grade, control)."""
    require_perm(request.user, "view_diary")
    user = request.user
    from kesip.core.models import StudyGroup

    group = scoped_or_404(StudyGroup, user, pk, "view", ("programme__specialty", "institution"))
    placements = list(diary.journal_placements(user, group))
    chosen = {}
    employers = sorted({(p.employer_id, p.employer.name) for p in placements}, key=lambda x: x[1])
    employer = request.GET.get("employer", "")
    entries = diary.journal_entries(user, group)
    rows = placements
    if employer.isdigit():
        rows = [p for p in rows if p.employer_id == int(employer)]
        entries = diary.journal_entries(user, group, int(employer))
        chosen["employer"] = employer
    page = Paginator(entries, settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
    scale = journal.scale_for(group.institution)
    for p in rows:
        p.average_mark = papers.average({"average": p.average_grade}, scale)
    return render(
        request,
        "wbl/diary_journal.html",
        {
            "title": _("Practical-classes journal") + f" · {group}",
            "group": group,
            "rows": rows,
            "page": page,
            "employers": employers,
            "chosen": chosen,
            "query": urlencode(chosen),
            "scale": scale,
        },
    )


# --- Documents ----------------------------------------------------------------------------------


def _document_placement(request, pk):
    require_perm(request.user, "view_diary")
    placement = _placement(request.user, pk, (*PAGE_SELECT, "assessment"))
    from django.db.models import prefetch_related_objects

    prefetch_related_objects([placement.employer], "people")
    return placement


def _letterhead(request):
    return "institution" if request.GET.get("letterhead") == "institution" else "employer"


@login_required
def placement_diarydoc(request, pk):
    """The diary on paper (F6): header, a row per day handed in, totals, the review and the characterisation."""
    placement = _document_placement(request, pk)
    entries = DiaryEntry.objects.filter(placement=placement, status__in=diary.COUNTED)
    sums = diary.totals(entries)
    rows = list(entries.order_by("date", "pk"))
    scale = journal.scale_for(placement.institution)
    from kesip.documents.archive import Keep

    keep = Keep(placement, "diary", _("Diary of %(learner)s") % {"learner": placement.student or placement.intern_staff})
    return docs.render(
        lambda language: papers.diary_document(placement, rows, sums, scale, language),
        request,
        f"diary-{placement.pk}",
        keep=keep if placement.status == Placement.Status.CLOSED else None,
    )


@login_required
def placement_reviewdoc(request, pk):
    """The mentor's review (F8), on the employer's letterhead (`?letterhead=institution` for the institution's)."""
    placement = _document_placement(request, pk)
    if not placement.review:
        raise Http404
    sums = diary.totals(DiaryEntry.objects.filter(placement=placement))
    scale = journal.scale_for(placement.institution)
    letterhead = _letterhead(request)
    return docs.render(
        lambda language: papers.review_document(placement, sums, scale, language, letterhead), request, f"review-{placement.pk}"
    )


@login_required
def placement_characterisationdoc(request, pk):
    """The characterisation of the learner (F9), on the employer's letterhead unless the institution's is asked for."""
    placement = _document_placement(request, pk)
    if not placement.characterisation:
        raise Http404
    letterhead = _letterhead(request)
    return docs.render(
        lambda language: papers.characterisation_document(placement, language, letterhead),
        request,
        f"characterisation-{placement.pk}",
    )


urlpatterns = [
    path("diaries/", diaries, name="diaries"),
    path("placements/<int:pk>/diary/", placement_diary, name="placement_diary"),
    path("placements/<int:pk>/diary/add/", placement_diaryadd, name="placement_diaryadd"),
    path("placements/<int:pk>/diary/submit/", placement_diarysubmit, name="placement_diarysubmit"),
    path("placements/<int:pk>/diary/check/", placement_diarycheck, name="placement_diarycheck"),
    path("placements/<int:pk>/diary/document/", placement_diarydoc, name="placement_diarydoc"),
    path("placements/<int:pk>/review/document/", placement_reviewdoc, name="placement_reviewdoc"),
    path(
        "placements/<int:pk>/characterisation/document/",
        placement_characterisationdoc,
        name="placement_characterisationdoc",
    ),
    path("placements/<int:pk>/briefings/", placement_briefings, name="placement_briefings"),
    path("placements/<int:pk>/briefings/document/", placement_briefingdoc, name="placement_briefingdoc"),
    path("placements/<int:pk>/brief/", placement_brief, name="placement_brief"),
    path("placements/<int:pk>/start/", placement_start, name="placement_start"),
    path("placements/<int:pk>/complete/", placement_complete, name="placement_complete"),
    path("placements/<int:pk>/assess/", placement_assess, name="placement_assess"),
    path("placements/<int:pk>/close/", placement_close, name="placement_close"),
    path("briefings/<int:pk>/acknowledge/", briefing_acknowledge, name="briefing_acknowledge"),
    path("diary/entries/<int:pk>/edit/", diaryentry_edit, name="diaryentry_edit"),
    path("diary/entries/<int:pk>/submit/", diaryentry_submit, name="diaryentry_submit"),
    path("diary/entries/<int:pk>/delete/", diaryentry_delete, name="diaryentry_delete"),
    path("diary/entries/<int:pk>/grade/", diaryentry_grade, name="diaryentry_grade"),
    path("diary/entries/<int:pk>/return/", diaryentry_return, name="diaryentry_return"),
    path("diary/entries/<int:pk>/check/", diaryentry_check, name="diaryentry_check"),
    path("diary/entries/<int:pk>/attachment/", diaryentry_attachment, name="diaryentry_attachment"),
    path("assessments/<int:pk>/artefact/", assessment_artefact, name="assessment_artefact"),
    path("groups/<int:pk>/employers/<int:employer_pk>/briefings/", group_briefings, name="group_briefings"),
    path("groups/<int:pk>/practice-journal/", group_practicejournal, name="group_practicejournal"),
]
