"""From the briefings to the closed placement: briefings, the diary, completion, assessment, closing.

ordered → briefed: the institution's briefing, the employer's labour-protection briefing and the
  employer's local documents are recorded and the learner acknowledged each (п. 56 item 4, п. 57
  items 6 and 11, п. 59 item 1); the placement becomes briefed by itself with the last acknowledgement.
briefed → active (`start`): on or after the first day of the placement, with a mentor (п. 57 item 7).
  When the institution lets a placement start unbriefed (`WblSettings.briefing_before_start` off), an
  ordered placement starts too and the missing briefings come back as warnings (VR-44).
active: the learner keeps the diary (п. 14, п. 59 item 5), the mentor grades each submitted entry on the
  institution's scale or returns it (п. 14, п. 58 item 6), the head of practical training controls it
  (п. 56 item 10). Entries waiting longer than the institution's days are overdue (a warning).
active → completed (`complete`): the mentor's review and characterisation (п. 14, VR-46), every
  submitted entry graded (VR-45), on or after the last day unless it ended early with a reason.
completed → assessed (`assess`): assessors of the institution and of the employer (VR-47), a method
  of section 9, a result per competency, the grade on the scale — which becomes the student's grade of
  the practice component in the journal and the transcript, with the employer as its place. Assessing
  again before closing replaces the assessment and the grade.
assessed → closed (`close`).

Each step is one transaction on the locked placement row; a refused step changes nothing and says
why (RuleViolation, or WblInvalid listing every broken rule). `user=None` is the system (the demo).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kesip.core import access
from kesip.core.rules import RuleViolation
from kesip.curriculum import journal
from kesip.wbl import diary_rules as rules
from kesip.wbl.common import WblInvalid, atomic_step, expect_status, locked, raise_all, rulebook, settings_for
from kesip.wbl.models import (
    Assessment,
    AssessmentMethod,
    Briefing,
    CompetencyResult,
    DiaryEntry,
    LocalDocument,
    Order,
    OrderLine,
    Placement,
    WblSettings,
)

P = Placement.Status
E = DiaryEntry.Status
K = Briefing.Kind

# What a placement step reads with the placement (one query with the row lock).
SELECT = (
    "institution",
    "employer",
    "student__group",
    "intern_staff",
    "mentor",
    "supervisor",
    "group",
    "wbl_programme",
    "component__module",
)
STEPS = ("brief", "start", "complete", "assess", "close")
# Briefings are recorded before the placement and while it runs (a late briefing when the institution allows it).
BRIEFING_OPEN = (P.PLANNED, P.ROSTER_AGREED, P.ORDERED, P.BRIEFED, P.ACTIVE)
CONTROL_OPEN = (P.ACTIVE, P.COMPLETED, P.ASSESSED)
COUNTED = (E.SUBMITTED, E.GRADED)  # entries that are part of the diary (drafts and returned ones are the learner's)


@dataclass
class Outcome:
    """A step's result: the record, and the soft rules it broke (shown as warnings, never blocking)."""

    obj: object
    warnings: list = field(default_factory=list)


# --- Who may do what ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rights:
    learner: bool = False  # the placement's own learner
    write: bool = False  # keeps the diary: the learner
    grade: bool = False  # grades the diary, writes the review: the mentor (or the employer's representative)
    control: bool = False  # controls the diary: the head of practical training, or the placement's supervisor
    manage: bool = False  # the employer's briefings and the start: the institution's WBL staff or the employer's representative
    staff: bool = False  # the institution's WBL staff: its own briefing, the assessment, closing


SYSTEM = Rights(True, True, True, True, True, True)


def learner_user_id(placement):
    learner = placement.student if placement.student_id else placement.intern_staff
    return learner.user_id if learner is not None else None


def rights(user, placement):
    """What `user` may do with the placement (read with its student, intern, mentor and supervisor), without a query."""
    if user is None:
        return SYSTEM
    if not getattr(user, "is_authenticated", False):
        return Rights()
    learner = learner_user_id(placement) == user.pk
    wbl = access.scope_for(user, Placement, "change")
    staff = wbl.allows_institution(placement.institution_id)
    manage = staff or placement.employer_id in wbl.employer_ids
    seen = access.scope_for(user, DiaryEntry, "view")
    own_mentor = placement.mentor_id is not None and placement.mentor.user_id == user.pk
    grade = access.has_perm(user, "grade_diary") and (
        seen.everything or (bool(seen.mentor_user_ids) and own_mentor) or placement.employer_id in seen.employer_ids
    )
    supervisor = placement.supervisor_id is not None and placement.supervisor.user_id == user.pk
    control = access.scope_for(user, DiaryEntry, "change").allows_institution(placement.institution_id) and (staff or supervisor)
    return Rights(
        learner=learner,
        write=learner and access.has_perm(user, "change_diary"),
        grade=grade,
        control=control,
        manage=manage,
        staff=staff,
    )


def _refuse(message=None, field="status"):
    raise RuleViolation("wbl.permission", message or _("You may not take this step."), "", field)


def _placement(placement):
    return locked(Placement, placement.pk, *SELECT)


def _prefixed(placement, violation):
    return RuleViolation(violation.code, f"{placement.learner}: {violation.message}", violation.source, violation.field)


# --- Briefings ----------------------------------------------------------------------------------


def required_documents(placement):
    """The host employer's local documents every learner must acknowledge (п. 57 items 6 and 11)."""
    return list(
        LocalDocument.objects.filter(
            institution_id=placement.institution_id, employer_id=placement.employer_id, must_acknowledge=True
        ).order_by("kind", "title")
    )


def briefings_of(placement):
    return list(Briefing.objects.filter(placement_id=placement.pk).prefetch_related("documents"))


def gaps(placement, book=None, briefings=None, documents=None):
    """What is still missing before the learner counts as briefed (RuleViolations, empty when briefed)."""
    book = rulebook(placement.institution) if book is None else book
    briefings = briefings_of(placement) if briefings is None else briefings
    documents = required_documents(placement) if documents is None else documents
    return rules.briefing_gaps(briefings, documents, book)


def _auto_brief(placement):
    """An ordered placement whose briefings are all recorded and acknowledged becomes briefed."""
    if placement.status == P.ORDERED and not gaps(placement):
        placement.status = P.BRIEFED
        placement.save()


def _record(placement, kind, user, held_on, conducted_by, documents, acknowledged, today, now):
    r = rights(user, placement)
    if kind not in K.values:
        raise RuleViolation("wbl.briefing.kind", _("Choose the kind of briefing."), "", "kind")
    if not (r.staff if kind == K.INSTITUTION else r.manage):
        _refuse(
            _("The institution's briefing is recorded by the institution.")
            if kind == K.INSTITUTION
            else _("The employer's briefings are recorded by the institution or the employer's representative."),
            "kind",
        )
    if placement.status not in BRIEFING_OPEN:
        raise RuleViolation(
            "wbl.placement.status", _("Briefings are recorded before and while the placement runs."), "", "status"
        )
    documents = list(documents or [])
    violations = rules.briefing_violations(placement, held_on, conducted_by, documents, today)
    if documents and kind != K.LOCAL_DOCUMENTS:
        violations.append(
            RuleViolation(
                "wbl.briefing.documents",
                _("Local documents are acknowledged in the briefing on the employer's local documents."),
                "",
                "documents",
            )
        )
    raise_all(violations)
    briefing = (
        Briefing.objects.select_for_update(of=("self",)).filter(placement_id=placement.pk, kind=kind).order_by("pk").first()
    )
    if briefing is not None and briefing.acknowledged_at is not None:
        raise RuleViolation(
            "wbl.briefing.acknowledged",
            _("The learner acknowledged this briefing on %(date)s: it stays as it was recorded.")
            % {"date": rules.day(timezone.localtime(briefing.acknowledged_at).date())},
            "",
            "kind",
        )
    if briefing is None:
        briefing = Briefing(institution_id=placement.institution_id, placement=placement, kind=kind)
    briefing.held_on, briefing.conducted_by = held_on, conducted_by.strip()
    if acknowledged:
        briefing.acknowledged_at = now or timezone.now()
    try:
        with transaction.atomic():
            briefing.save()
    except IntegrityError:  # recorded at the same moment by someone else
        raise RuleViolation(
            "wbl.briefing.duplicate", _("This briefing was just recorded by someone else; nothing was saved."), "", "kind"
        ) from None
    briefing.documents.set(documents)
    return briefing


@atomic_step
def record_briefing(placement, kind, user, *, held_on, conducted_by, documents=(), acknowledged=False, today=None, now=None):
    """Record (or correct, until the learner acknowledges it) one briefing of a placement.

    `acknowledged` records the learner's signature on the paper briefing log at once. The placement
    becomes briefed when this completes its briefings.
    """
    placement = _placement(placement)
    briefing = _record(
        placement, kind, user, held_on, conducted_by or "", documents, acknowledged, today or timezone.localdate(), now
    )
    _auto_brief(placement)
    return briefing


@atomic_step
def record_group_briefing(
    placements, kind, user, *, held_on, conducted_by, documents=(), acknowledged=False, today=None, now=None
):
    """The same briefing for several placements at once (a group at one employer); one refusal saves nothing."""
    if not placements:
        raise RuleViolation("wbl.briefing.placements", _("Choose the learners who were briefed."), "", "placements")
    today = today or timezone.localdate()
    done, violations = [], []
    for p in sorted(placements, key=lambda p: p.pk):
        p = _placement(p)
        try:
            done.append(_record(p, kind, user, held_on, conducted_by or "", documents, acknowledged, today, now))
            _auto_brief(p)
        except WblInvalid as invalid:
            shared = [v for v in invalid.violations if v.field in ("held_on", "conducted_by", "documents")]
            if shared:
                raise
            violations += [_prefixed(p, v) for v in invalid.violations]
        except RuleViolation as v:
            if v.field in ("held_on", "conducted_by", "documents"):
                raise
            violations.append(_prefixed(p, RuleViolation(v.code, v.message, v.source, "placements")))
    raise_all(violations)
    return done


@atomic_step
def acknowledge(briefing, user, now=None):
    """The learner acknowledges a briefing on their phone; staff record a signature from the paper log."""
    found = locked(Briefing, briefing.pk)
    placement = locked(Placement, found.placement_id, *SELECT)
    r = rights(user, placement)
    if not r.learner:
        if not (r.staff if found.kind == K.INSTITUTION else r.manage):
            _refuse(_("Only the learner, or staff recording the paper log, acknowledge a briefing."))
    if placement.status not in BRIEFING_OPEN:
        raise RuleViolation("wbl.placement.status", _("Briefings are acknowledged before and while the placement runs."))
    if found.acknowledged_at is not None:
        raise RuleViolation(
            "wbl.briefing.acknowledged",
            _("Already acknowledged on %(date)s.") % {"date": rules.day(timezone.localtime(found.acknowledged_at).date())},
            "",
            "acknowledged_at",
        )
    found.acknowledged_at = now or timezone.now()
    found.save()
    _auto_brief(placement)
    return found


@atomic_step
def brief(placement, user):
    """ordered → briefed: every briefing recorded and acknowledged (also happens by itself with the last acknowledgement)."""
    placement = _placement(placement)
    if not rights(user, placement).manage:
        _refuse()
    expect_status(placement, [P.ORDERED], _("Only a placement referred by order is marked briefed."))
    raise_all(gaps(placement))
    placement.status = P.BRIEFED
    placement.save()
    return placement


@atomic_step
def start(placement, user, on=None):
    """briefed → active, on or after the first day; ordered → active only when the institution lets it start unbriefed.

    The first day is the earliest: the learner is not at the employer before, and diary entries are
    written for the days of the placement. A late start (after the first day) is allowed: the diary
    may be kept from the first day. Returns an Outcome whose warnings name the missing briefings.
    """
    placement = _placement(placement)
    if not rights(user, placement).manage:
        _refuse()
    expect_status(placement, [P.ORDERED, P.BRIEFED], _("Only a placement referred by order and briefed starts."))
    on = on or timezone.localdate()
    book = rulebook(placement.institution)
    missing = gaps(placement, book) if placement.status == P.ORDERED else []
    appointments = list(
        OrderLine.objects.filter(
            placement=placement, order__kind=Order.Kind.MENTOR, order__status=Order.Status.SIGNED
        ).select_related("order")
    )
    violations = rules.start_violations(placement, on, book, appointments)
    before = settings_for(placement.institution).briefing_before_start
    if missing and before:
        violations = missing + violations
    raise_all(violations)
    if placement.status == P.ORDERED and not missing:
        placement.status = P.BRIEFED  # everything was there: the history shows it briefed, then started
        placement.save()
    placement.status = P.ACTIVE
    placement.save()
    return Outcome(placement, [] if before else missing)


# --- The diary ----------------------------------------------------------------------------------

ENTRY_FIELDS = ["date", "task", "work_done", "hours"]


def _model_errors(obj, exclude):
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        return [
            RuleViolation(f"wbl.{obj._meta.model_name}.{name}", message, "", None if name == "__all__" else name)
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return []


def _entry_for(entry, placement):
    if entry.placement_id != placement.pk:
        raise RuleViolation("wbl.diaryentry.placement", _("The entry belongs to another diary."), "", "placement")


def _writable(entry):
    if entry.status not in (E.DRAFT, E.RETURNED):
        raise RuleViolation(
            "wbl.diaryentry.status", _("The entry is with the mentor: it can no longer be changed."), "", "status"
        )


@atomic_step
def save_entry(entry, user, *, attachment=None, clear_attachment=False, submit=False, today=None, now=None):
    """Write a new entry of the learner's own diary, or change a draft or returned one; with `submit`, hand it to the mentor.

    `attachment` is a new photo or PDF (≤ 10 MB, checked by its content); `clear_attachment` removes the stored one.
    """
    placement = locked(Placement, entry.placement_id, *SELECT)
    if not rights(user, placement).write:
        _refuse(_("Only the learner keeps their diary."))
    expect_status(placement, [P.ACTIVE], _("The diary is kept while the placement is under way."))
    stored = ""
    if entry.pk:
        current = locked(DiaryEntry, entry.pk)
        _entry_for(current, placement)
        _writable(current)
        stored = current.attachment
        # The learner changes the text of the entry; what the mentor and the supervisor wrote stays theirs.
        entry.status, entry.submitted_at = current.status, current.submitted_at
        entry.grade, entry.graded_at, entry.graded_by = current.grade, current.graded_at, current.graded_by
        entry.mentor_comment = current.mentor_comment
        entry.checked_at, entry.checked_by, entry.supervisor_note = (
            current.checked_at,
            current.checked_by,
            current.supervisor_note,
        )
    else:
        entry.status = E.DRAFT
        entry.submitted_at = entry.grade = entry.graded_at = entry.graded_by = None
        entry.checked_at = entry.checked_by = None
        entry.mentor_comment = entry.supervisor_note = ""
    entry.institution_id = placement.institution_id
    violations = rules.entry_violations(entry, placement, today or timezone.localdate())
    bad_file = rules.upload_violation(attachment, rules.ATTACHMENT_TYPES, "attachment")
    if bad_file:
        violations.append(bad_file)
    raise_all(violations)
    raise_all(_model_errors(entry, ["placement", "institution", "attachment", "status", "graded_by", "checked_by"]))
    entry.attachment = attachment if attachment is not None else ("" if clear_attachment else stored)
    if submit:
        _hand_in(entry, now)
    entry.save()
    return entry


def _hand_in(entry, now=None):
    entry.status, entry.submitted_at = E.SUBMITTED, now or timezone.now()
    entry.grade = entry.graded_at = entry.graded_by = None
    entry.checked_at = entry.checked_by = None
    entry.supervisor_note = ""


def _entry_step(entry):
    """The entry and its placement, both locked for a step."""
    found = locked(DiaryEntry, entry.pk)
    return found, locked(Placement, found.placement_id, *SELECT)


@atomic_step
def submit_entry(entry, user, today=None, now=None):
    """Hand a draft or a corrected entry to the mentor for the grade."""
    entry, placement = _entry_step(entry)
    if not rights(user, placement).write:
        _refuse(_("Only the learner keeps their diary."))
    expect_status(placement, [P.ACTIVE], _("The diary is kept while the placement is under way."))
    _writable(entry)
    raise_all(rules.entry_violations(entry, placement, today or timezone.localdate()))
    _hand_in(entry, now)
    entry.save()
    return entry


@atomic_step
def submit_all(placement, user, today=None, now=None):
    """Hand every draft of the diary to the mentor at once; returns how many. One bad draft hands in nothing."""
    placement = _placement(placement)
    if not rights(user, placement).write:
        _refuse(_("Only the learner keeps their diary."))
    expect_status(placement, [P.ACTIVE], _("The diary is kept while the placement is under way."))
    drafts = list(
        DiaryEntry.objects.select_for_update(of=("self",)).filter(placement=placement, status=E.DRAFT).order_by("date", "pk")
    )
    today = today or timezone.localdate()
    violations = [
        RuleViolation(v.code, f"{rules.day(e.date)}: {v.message}", v.source, f"entry-{e.pk}")
        for e in drafts
        for v in rules.entry_violations(e, placement, today)
    ]
    raise_all(violations)
    for e in drafts:
        _hand_in(e, now)
        e.save()
    return len(drafts)


@atomic_step
def delete_entry(entry, user):
    """Delete a draft the learner never handed in."""
    entry, placement = _entry_step(entry)
    if not rights(user, placement).write:
        _refuse(_("Only the learner keeps their diary."))
    expect_status(placement, [P.ACTIVE], _("The diary is kept while the placement is under way."))
    if entry.status != E.DRAFT:
        raise RuleViolation("wbl.diaryentry.status", _("Only a draft is deleted; the mentor has seen this entry."), "", "status")
    entry.delete()


def _grading(entry, user):
    entry, placement = _entry_step(entry)
    if not rights(user, placement).grade:
        _refuse(_("Only the learner's mentor grades the diary."), "grade")
    expect_status(placement, [P.ACTIVE], _("Diary entries are graded while the placement is under way."))
    return entry, placement


@atomic_step
def grade_entry(entry, value, user, comment="", now=None):
    """The mentor grades a submitted entry on the institution's scale (or changes the grade while the placement runs).

    A changed grade takes the control mark off: the head of practical training controls it again.
    """
    entry, placement = _grading(entry, user)
    if entry.status not in (E.SUBMITTED, E.GRADED):
        raise RuleViolation("wbl.diaryentry.status", _("Only an entry the learner submitted is graded."), "", "grade")
    value = rules.parse_grade(value, journal.scale_for(placement.institution), "grade")
    if entry.status == E.GRADED and entry.grade != value:
        entry.checked_at = entry.checked_by = None
        entry.supervisor_note = ""
    entry.status, entry.grade, entry.mentor_comment = E.GRADED, value, (comment or "").strip()
    entry.graded_at, entry.graded_by = now or timezone.now(), user
    entry.save()
    return entry


@atomic_step
def return_entry(entry, comment, user):
    """The mentor returns a submitted entry to the learner for correction, saying what to correct."""
    entry, placement = _grading(entry, user)
    if entry.status != E.SUBMITTED:
        raise RuleViolation(
            "wbl.diaryentry.status", _("Only an entry waiting for the grade is returned for correction."), "", "status"
        )
    if not (comment or "").strip():
        raise RuleViolation("wbl.diaryentry.comment", _("Say what the learner should correct."), "", "mentor_comment")
    entry.status, entry.mentor_comment = E.RETURNED, comment.strip()
    entry.grade = entry.graded_at = entry.graded_by = None
    entry.save()
    return entry


def _controlling(placement, user):
    if not rights(user, placement).control:
        _refuse(_("The diary is controlled by the head of practical training or the placement's supervisor."))
    expect_status(placement, CONTROL_OPEN, _("A diary is controlled while the placement runs and until it is closed."))


@atomic_step
def check_entry(entry, user, note="", now=None):
    """The head of practical training marks a submitted or graded entry controlled, with a note."""
    entry, placement = _entry_step(entry)
    _controlling(placement, user)
    if entry.status not in COUNTED:
        raise RuleViolation("wbl.diaryentry.status", _("Only an entry the learner submitted is controlled."), "", "status")
    entry.checked_at, entry.checked_by, entry.supervisor_note = now or timezone.now(), user, (note or "").strip()
    entry.save()
    return entry


@atomic_step
def check_all(placement, user, note="", now=None):
    """Mark every submitted or graded entry not yet controlled as controlled; returns how many."""
    placement = _placement(placement)
    _controlling(placement, user)
    entries = list(
        DiaryEntry.objects.select_for_update(of=("self",))
        .filter(placement=placement, status__in=COUNTED, checked_at__isnull=True)
        .order_by("pk")
    )
    now = now or timezone.now()
    for e in entries:
        e.checked_at, e.checked_by, e.supervisor_note = now, user, (note or "").strip()
        e.save()
    return len(entries)


def overdue_q(prefix="", today=None):
    """Submitted entries overdue by the days of their own institution (one query for the institutions with their own days)."""
    default = WblSettings._meta.get_field("diary_grading_days").default
    custom = defaultdict(list)
    for institution_id, days in WblSettings.objects.exclude(diary_grading_days=default).values_list(
        "institution_id", "diary_grading_days"
    ):
        custom[days].append(institution_id)
    changed = [i for ids in custom.values() for i in ids]
    late = Q(**{f"{prefix}submitted_at__lt": rules.overdue_cutoff(default, today)})
    if changed:
        late &= ~Q(**{f"{prefix}institution_id__in": changed})
    for days, ids in custom.items():
        late |= Q(**{f"{prefix}institution_id__in": ids, f"{prefix}submitted_at__lt": rules.overdue_cutoff(days, today)})
    return Q(**{f"{prefix}status": E.SUBMITTED}) & late


def totals(entries, cutoff=None):
    """Totals of diary entries (one query): hours and entries of the diary, graded ones, the average grade, what waits.

    With `cutoff` (see `diary_rules.overdue_cutoff`), also the entries waiting since before it (overdue).
    """
    counted = Q(status__in=COUNTED)
    sums = {
        "total_hours": Sum("hours", filter=counted),
        "total_graded_hours": Sum("hours", filter=Q(status=E.GRADED)),
        "average": Avg("grade", filter=Q(status=E.GRADED)),
        "entries": Count("pk", filter=counted),
        "graded": Count("pk", filter=Q(status=E.GRADED)),
        "waiting": Count("pk", filter=Q(status=E.SUBMITTED)),
        "drafts": Count("pk", filter=Q(status=E.DRAFT)),
        "returned": Count("pk", filter=Q(status=E.RETURNED)),
        "unchecked": Count("pk", filter=counted & Q(checked_at__isnull=True)),
    }
    if cutoff is not None:
        sums["overdue"] = Count("pk", filter=Q(status=E.SUBMITTED, submitted_at__lt=cutoff))
    found = entries.order_by().aggregate(**sums)
    found["hours"] = found.pop("total_hours") or 0
    found["graded_hours"] = found.pop("total_graded_hours") or 0
    found.setdefault("overdue", 0)
    return found


def progress_annotations(today=None):
    """Per placement, in the same query: entries waiting, overdue, to control, drafts and returned, hours, average grade."""
    d = "diary__"
    counted = Q(diary__status__in=COUNTED)
    return {
        "waiting_count": Count("diary", filter=Q(diary__status=E.SUBMITTED)),
        "overdue_count": Count("diary", filter=overdue_q(d, today)),
        "graded_count": Count("diary", filter=Q(diary__status=E.GRADED)),
        "unchecked_count": Count("diary", filter=counted & Q(diary__checked_at__isnull=True)),
        "draft_count": Count("diary", filter=Q(diary__status__in=[E.DRAFT, E.RETURNED])),
        "diary_hours": Sum("diary__hours", filter=counted),
        "average_grade": Avg("diary__grade", filter=Q(diary__status=E.GRADED)),
    }


# --- The practical-classes journal of a group (F17; п. 56 item 10) ---------------------------------------------

# A placement is in the journal from its referral order on: before it, nothing is kept in the diary.
JOURNAL_STATUSES = (P.ORDERED, P.BRIEFED, P.ACTIVE, P.COMPLETED, P.ASSESSED, P.CLOSED)


def journal_placements(user, group, employer_id=None):
    """The journal's learners: each placement of the group the user sees, with its diary's counts (one query)."""
    qs = (
        Placement.objects.for_user(user, "view")
        .filter(group=group, status__in=JOURNAL_STATUSES)
        .select_related("student", "intern_staff", "employer", "mentor", "supervisor", "assessment")
        .annotate(**progress_annotations())
        .order_by("student__last_name", "student__first_name", "-starts_on", "pk")
    )
    return qs.filter(employer_id=employer_id) if employer_id else qs


def journal_entries(user, group, employer_id=None):
    """The journal's register: the days handed in (submitted or graded), newest first, with the supervisor's control."""
    qs = (
        DiaryEntry.objects.for_user(user, "view")
        .filter(placement__group=group, placement__status__in=JOURNAL_STATUSES, status__in=COUNTED)
        .select_related("placement__student", "placement__intern_staff", "placement__employer", "checked_by")
        .order_by("-date", "placement__student__last_name", "pk")
    )
    return qs.filter(placement__employer_id=employer_id) if employer_id else qs


def overdue_warnings(placement, waiting_overdue, book=None):
    days = settings_for(placement.institution).diary_grading_days
    warning = rules.overdue_warning(waiting_overdue, days, rulebook(placement.institution) if book is None else book)
    return [warning] if warning else []


# --- Completion ---------------------------------------------------------------------------------


@atomic_step
def complete(placement, user, *, review, characterisation, recommended_grade=None, early_reason="", on=None):
    """active → completed with the mentor's review and characterisation; on a completed placement, correct them.

    VR-46: both texts; VR-45: no submitted entry waits for the grade; completed on or after the last
    day, or earlier with the reason it ended early (kept in the placement's note, since the placement
    has no field of its own for it). Returns an Outcome; warnings name drafts left out of the diary.
    """
    placement = _placement(placement)
    r = rights(user, placement)
    if not (r.grade or r.staff):
        _refuse(_("The review is written by the learner's mentor, or recorded by the institution's staff."))
    expect_status(placement, [P.ACTIVE, P.COMPLETED], _("A placement under way is completed."))
    on = on or timezone.localdate()
    book = rulebook(placement.institution)
    violations = rules.completion_violations(review, characterisation, book)
    if placement.status == P.ACTIVE:
        early = rules.completion_date_violation(placement, on, early_reason)
        if early:
            violations.append(early)
        waiting = list(DiaryEntry.objects.filter(placement=placement, status=E.SUBMITTED).values_list("date", flat=True))
        violations += rules.ungraded_violations(waiting, book)
    try:
        grade = rules.parse_grade(
            recommended_grade, journal.scale_for(placement.institution), "recommended_grade", required=False
        )
    except RuleViolation as v:
        violations.append(v)
        grade = None
    raise_all(violations)
    warnings = []
    if placement.status == P.ACTIVE:
        left = DiaryEntry.objects.filter(placement=placement, status__in=[E.DRAFT, E.RETURNED]).count()
        if left:
            warnings.append(
                RuleViolation(
                    "wbl.diary.left_out",
                    ngettext(
                        "%(count)s draft or returned entry was never handed in and is not part of the diary.",
                        "%(count)s draft or returned entries were never handed in and are not part of the diary.",
                        left,
                    )
                    % {"count": left},
                    "",
                    "diary",
                )
            )
        placement.status, placement.completed_on = P.COMPLETED, on
        if on < placement.ends_on:
            line = _("Ended early on %(date)s: %(reason)s") % {"date": rules.day(on), "reason": early_reason.strip()}
            placement.note = f"{placement.note}\n{line}".strip()
    placement.review, placement.characterisation = review.strip(), characterisation.strip()
    placement.recommended_grade, placement.reviewed_on = grade, on
    placement.save()
    return Outcome(placement, warnings)


# --- Assessment and closing ---------------------------------------------------------------------


def competencies_for(placement):
    """What is assessed: the learning outcomes of the placement's WBL programme, else the competencies of the programme."""
    from kesip.curriculum.models import Competency

    if placement.wbl_programme_id:
        outcomes = list(placement.wbl_programme.outcomes.order_by("kind", "code"))
        if outcomes:
            return outcomes
    group = placement.group if placement.group_id else (placement.student.group if placement.student_id else None)
    if group is None:
        return []
    return list(Competency.objects.filter(programme_id=group.programme_id).order_by("kind", "code"))


def programme_methods(placement):
    """The assessment methods section 9 of the placement's WBL programme describes (empty: any method)."""
    if not placement.wbl_programme_id:
        return []
    found = placement.wbl_programme.rubric.values_list("method", flat=True).distinct()
    return [m for m in AssessmentMethod.values if m in set(found)]


def _journal_violation(placement):
    """The grade can go to the journal: the practice component belongs to the learner's programme."""
    if not (placement.component_id and placement.student_id):
        return None
    group = placement.student.group
    if group is None or placement.component.module.programme_id != group.programme_id:
        return RuleViolation(
            "wbl.assessment.component",
            _("The practice component %(component)s is not part of the learner's programme: the grade cannot go to the journal.")
            % {"component": placement.component},
            "",
            "value",
        )
    return None


@atomic_step
def assess(
    placement,
    user,
    *,
    assessed_on,
    method,
    value,
    institution_assessors,
    employer_assessors,
    results,
    comment="",
    artefact=None,
    today=None,
):
    """completed → assessed (again on an assessed placement: the assessment and the grade are replaced).

    `results` maps a competency id to (achieved, note). The grade goes to the student's grade of the
    practice component (journal and transcript, source placement, the employer as its place) in the
    same transaction. Returns an Outcome with the assessment; a warning when the method is not one of
    the WBL programme's section 9.
    """
    from kesip.curriculum.models import ComponentGrade

    placement = _placement(placement)
    if not rights(user, placement).staff:
        _refuse(_("The assessment is recorded by the institution's staff."))
    expect_status(placement, [P.COMPLETED, P.ASSESSED], _("A completed placement is assessed."))
    book = rulebook(placement.institution)
    today = today or timezone.localdate()
    violations = []
    try:
        value = rules.parse_grade(value, journal.scale_for(placement.institution), "value")
    except RuleViolation as v:
        violations.append(v)
    if method not in AssessmentMethod.values:
        violations.append(RuleViolation("wbl.assessment.method", _("Choose an assessment method."), "", "method"))
    staff = list({s.pk: s for s in institution_assessors}.values())
    persons = list({p.pk: p for p in employer_assessors}.values())
    if any(s.institution_id != placement.institution_id for s in staff):
        violations.append(
            RuleViolation(
                "wbl.assessment.assessors", _("Choose assessors among the institution's staff."), "", "institution_assessors"
            )
        )
    if any(p.employer_id != placement.employer_id for p in persons):
        violations.append(
            RuleViolation(
                "wbl.assessment.assessors",
                _("Choose assessors among the people of the host employer %(employer)s.") % {"employer": placement.employer},
                "",
                "employer_assessors",
            )
        )
    violations += rules.assessor_violations(len(staff), len(persons), book)
    when = rules.assessed_on_violation(placement, assessed_on, today)
    if when:
        violations.append(when)
    competencies = competencies_for(placement)
    violations += rules.result_violations(results, competencies)
    for v in (rules.upload_violation(artefact, rules.ARTEFACT_TYPES, "artefact"), _journal_violation(placement)):
        if v:
            violations.append(v)
    raise_all(violations)
    warnings = []
    methods = programme_methods(placement)
    if methods and method not in methods:
        warnings.append(
            RuleViolation(
                "wbl.assessment.method",
                _("The WBL programme's section 9 describes other methods: %(methods)s.")
                % {"methods": ", ".join(str(AssessmentMethod(m).label) for m in methods)},
                "",
                "method",
            )
        )
    assessment = Assessment.objects.select_for_update(of=("self",)).filter(placement=placement).order_by("pk").first()
    if assessment is None:
        assessment = Assessment(institution_id=placement.institution_id, placement=placement)
    assessment.assessed_on, assessment.method, assessment.value = assessed_on, method, value
    assessment.comment = (comment or "").strip()
    if artefact is not None:
        assessment.artefact = artefact
    assessment.save()
    assessment.institution_assessors.set(staff)
    assessment.employer_assessors.set(persons)
    known = {c.pk for c in competencies}
    assessment.competency_results.exclude(competency_id__in=known).delete()
    existing = {r.competency_id: r for r in assessment.competency_results.all()}
    for cid in known:
        achieved, note = results[cid]
        row = existing.get(cid) or CompetencyResult(
            institution_id=placement.institution_id, assessment=assessment, competency_id=cid
        )
        row.achieved, row.note = bool(achieved), (note or "").strip()[:500]
        row.save()
    placement.status = P.ASSESSED
    placement.save()
    if placement.component_id and placement.student_id:
        try:
            journal.record_grade(
                placement.student,
                placement.component,
                value,
                user,
                source=ComponentGrade.Source.PLACEMENT,
                graded_on=assessed_on,
                place=placement.employer.name,
            )
        except ValidationError as error:
            raise WblInvalid([RuleViolation("wbl.assessment.journal", " ".join(error.messages), "", "value")]) from None
    return Outcome(assessment, warnings)


@atomic_step
def close(placement, user, on=None):
    """assessed → closed; the review and the characterisation must still be there (VR-46)."""
    placement = _placement(placement)
    if not rights(user, placement).staff:
        _refuse(_("The placement is closed by the institution's staff."))
    expect_status(placement, [P.ASSESSED], _("Only an assessed placement is closed."))
    raise_all(rules.completion_violations(placement.review, placement.characterisation, rulebook(placement.institution)))
    placement.status, placement.closed_on = P.CLOSED, on or timezone.localdate()
    placement.save()
    return placement


def allowed_steps(placement, user, briefed=None, r=None, today=None):
    """The steps `user` may take with the placement now, for the buttons: brief, start, complete, assess, close.

    `briefed` says whether nothing is missing of the briefings (computed when not given).
    """
    r = r or rights(user, placement)
    s = placement.status
    today = today or timezone.localdate()
    steps = set()
    if s == P.ORDERED and r.manage:
        if briefed is None:
            briefed = not gaps(placement)
        if briefed:
            steps.add("brief")
    if r.manage and today >= placement.starts_on:
        if s == P.BRIEFED or (s == P.ORDERED and (briefed or not settings_for(placement.institution).briefing_before_start)):
            steps.add("start")
    if s in (P.ACTIVE, P.COMPLETED) and (r.grade or r.staff):
        steps.add("complete")
    if s in (P.COMPLETED, P.ASSESSED) and r.staff:
        steps.add("assess")
    if s == P.ASSESSED and r.staff:
        steps.add("close")
    return steps


def default_day(placement, today=None):
    """The day a new entry is written for by default: today while the placement runs, its last day after it; None before."""
    today = today or timezone.localdate()
    return None if today < placement.starts_on else min(today, placement.ends_on)
