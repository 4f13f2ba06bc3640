"""WBL events — the forms of WBL that are not placements (F24; п. 7, 7.1, 7.2, 15, 53 §5).

An event (a guest lecture by an employer, an excursion, a master class, a professional
competition judged by employers, …) has a life: planned → held, or planned → cancelled. One
function per step, each in one transaction on the locked row, so a refused step changes nothing:

    save_event         create or change an event (not a cancelled one); the stage follows the form
                       (WblEvent.STAGE_OF) unless the form is “other”, where the user chooses it;
                       the discipline is a component of the group's working curriculum (п. 53 §5)
    record_attendance  the attendance sheet of the whole group at once, all or nothing
    mark_held          planned → held: learners recorded present (Hard); a competition without an
                       employers' jury warns (VR-55, Soft) and goes ahead only when acknowledged —
                       the acknowledgement stays in the event's history
    cancel             planned → cancelled, with the reason kept in the history
    save_juror / delete_juror  the jury of employers (п. 7.2)

Only the institution's own staff (`change_wbl` in the institution) take these steps; an employer's
people read the events of their employer, a learner the events they attended. `user=None` is the
system (the demo).
"""

import datetime
import decimal

from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.utils.translation import gettext as _

from kesip.core.rules import RuleViolation
from kesip.wbl import common
from kesip.wbl import event_rules as rules
from kesip.wbl.models import EventAttendance, EventJuror, WblEvent

E = WblEvent
EVENT_FIELDS = [
    "title",
    "kind",
    "stage",
    "starts_on",
    "ends_on",
    "hours",
    "group",
    "component",
    "employer",
    "venue",
    "organiser",
    "description",
]
JUROR_FIELDS = ["employer", "full_name", "position"]
ACK_PREFIX = "held; acknowledged:"


def today():
    return datetime.date.today()


# --- Who may act ------------------------------------------------------------------------------


def may_manage(user, institution_id):
    """The institution's own WBL staff; an employer's people and learners only read."""
    return common.may(user, E, "change", institution_id)


def _require(user, event, field="status"):
    if not may_manage(user, event.institution_id):
        raise RuleViolation("wbl.permission", _("Only the institution takes this step."), "", field)


def steps(event, user):
    """The steps this user may take now, for the buttons."""
    if user is None or not may_manage(user, event.institution_id):
        return set()
    if event.status == E.Status.CANCELLED:
        return set()
    out = {"edit", "attendance", "jury"}
    if event.status == E.Status.PLANNED:
        out |= {"held", "cancel"}
    return out


# --- The discipline ----------------------------------------------------------------------------


def curriculum_components(group):
    """The component ids of the group's working curriculum (its programme, its intake year), or None without one."""
    from kesip.curriculum.models import CurriculumEntry, WorkingCurriculum

    wc = (
        WorkingCurriculum.objects.filter(programme_id=group.programme_id, intake_year=group.intake_year)
        .order_by("-status", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    if wc is None:
        return None
    return set(CurriculumEntry.objects.filter(curriculum_id=wc).values_list("component_id", flat=True))


def _check_record(event, book):
    group = event.group if event.group_id else None
    ids = curriculum_components(group) if group is not None and event.component_id else None
    return rules.record_violations(event, book, ids, group.programme_id if group else None)


# --- Steps ---------------------------------------------------------------------------------------


def _locked(pk):
    return common.locked(E, pk, "institution")


def juror_count(event):
    return EventJuror.objects.filter(event_id=event.pk).count() if event.pk else 0


def present_count(event):
    return EventAttendance.objects.filter(event_id=event.pk, present=True).count() if event.pk else 0


def warnings_for(event, book=None, jurors=None):
    """The soft rules the event breaks now (VR-55), for the page and the API."""
    book = book if book is not None else common.rulebook(event.institution, event.starts_on)
    return rules.jury_warnings(event, book, juror_count(event) if jurors is None else jurors)


@common.atomic_step
def save_event(event, user):
    """Create or change an event; returns (event, soft warnings). WblInvalid lists every broken rule."""
    _require(user, event, "title")
    if event.pk:
        stored = _locked(event.pk)
        if stored.institution_id != event.institution_id:
            raise RuleViolation("wbl.permission", _("You may not take this step."), "", "title")
        if stored.status == E.Status.CANCELLED:
            raise RuleViolation("wbl.wblevent.status", _("The event is cancelled: it is no longer changed."), "", "status")
        event.status = stored.status
        if stored.group_id != event.group_id and EventAttendance.objects.filter(event_id=stored.pk).exists():
            raise common.WblInvalid(
                [
                    RuleViolation(
                        "wbl.event.group",
                        _("The attendance of group %(group)s is recorded: the group is no longer changed.")
                        % {"group": stored.group},
                        "",
                        "group",
                    )
                ]
            )
    else:
        event.status = E.Status.PLANNED
    if event.kind != E.Kind.OTHER and not event.stage:
        event.stage = rules.stage_for(event.kind)
    book = common.rulebook(event.institution, event.starts_on)
    violations = _check_record(event, book)
    if not violations and event.status == E.Status.HELD and event.starts_on > today():
        violations.append(RuleViolation("wbl.event.held_date", _("A held event cannot be dated in the future."), "", "starts_on"))
    common.raise_all(violations)
    event.save()
    return event, warnings_for(event, book)


@common.atomic_step
def record_attendance(event, entries, user):
    """The attendance sheet, all at once: `entries` are (student, present, note) for every learner on the sheet.

    Learners of the event's group (or of the institution, for an event of no group), each once. The
    sheet replaces what was recorded: a learner left off the sheet is removed. A held event keeps at
    least one learner present (the rule of marking it held).
    """
    current = _locked(event.pk)
    _require(user, current, "attendance")
    if current.status == E.Status.CANCELLED:
        raise RuleViolation("wbl.wblevent.status", _("The event is cancelled: its attendance is not recorded."), "", "status")
    book = common.rulebook(current.institution, current.starts_on)
    recorded = set(EventAttendance.objects.filter(event_id=current.pk).values_list("student_id", flat=True))
    violations, seen = [], set()
    for student, _present, note in entries:
        if student.pk in seen:
            violations.append(
                RuleViolation("wbl.event.attendance", _("%(s)s is on the sheet twice.") % {"s": student}, "", "attendance")
            )
            continue
        seen.add(student.pk)
        if student.institution_id != current.institution_id:
            violations.append(
                RuleViolation("wbl.event.institution", _("Choose a learner of this institution."), "", "attendance")
            )
        elif current.group_id and student.group_id != current.group_id and student.pk not in recorded:
            violations.append(
                RuleViolation(
                    "wbl.event.attendance",
                    _("%(s)s is not a learner of group %(group)s.") % {"s": student, "group": current.group},
                    "",
                    "attendance",
                )
            )
        if len(note or "") > 255:
            violations.append(RuleViolation("wbl.event.attendance", _("A note is at most 255 characters."), "", "attendance"))
    if not entries:
        violations.append(RuleViolation("wbl.event.attendance", _("The sheet has no learners."), "", "attendance"))
    if current.status == E.Status.HELD and not violations:
        present = sum(1 for _s, p, _n in entries if p)
        violations += [v for v in rules.held_violations(current, book, present, today()) if v.code == rules.ATTENDANCE]
    common.raise_all(violations)
    EventAttendance.objects.filter(event_id=current.pk).exclude(student_id__in=seen).delete()
    existing = {a.student_id: a for a in EventAttendance.objects.filter(event_id=current.pk)}
    for student, present, note in entries:
        row = existing.get(student.pk)
        if row is None:
            EventAttendance.objects.create(
                institution_id=current.institution_id, event=current, student=student, present=bool(present), note=note or ""
            )
        elif row.present != bool(present) or row.note != (note or ""):
            row.present, row.note = bool(present), note or ""
            row.save(update_fields=["present", "note", "updated_at"])
    return current


@common.atomic_step
def mark_held(event, user, acknowledge=False, on=None):
    """planned → held. Hard: on or after its day, learners present. Soft (VR-55): the jury — only with `acknowledge`.

    Returns (event, the soft warnings acknowledged). Refused, it raises WblInvalid with every broken
    rule, hard and soft; when only soft ones remain, acknowledging them lets the step go ahead.
    """
    current = _locked(event.pk)
    _require(user, current)
    common.expect_status(current, [E.Status.PLANNED], _("Only a planned event is marked held."))
    book = common.rulebook(current.institution, current.starts_on)
    hard = rules.held_violations(current, book, present_count(current), on or today())
    soft = warnings_for(current, book)
    if hard or (soft and not acknowledge):
        raise common.WblInvalid([*hard, *soft])
    current.status = E.Status.HELD
    current._change_reason = f"{ACK_PREFIX} {', '.join(v.code for v in soft)}" if soft else "held"
    if user is not None:
        current._history_user = user  # who acknowledged, also without a request (the API, the demo)
    current.save(update_fields=["status", "updated_at"])
    return current, soft


@common.atomic_step
def cancel(event, reason, user):
    """planned → cancelled; the reason stays in the history."""
    current = _locked(event.pk)
    _require(user, current)
    common.expect_status(current, [E.Status.PLANNED], _("Only a planned event is cancelled."))
    if not (reason or "").strip():
        raise common.WblInvalid([RuleViolation("wbl.event.reason", _("Say why the event is cancelled."), "", "reason")])
    current.status = E.Status.CANCELLED
    current._change_reason = f"cancelled: {reason.strip()}"[:100]
    if user is not None:
        current._history_user = user
    current.save(update_fields=["status", "updated_at"])
    return current


def _history_reason(event, prefix):
    record = (
        event.history.filter(history_change_reason__startswith=prefix)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
        .first()
    )
    return record


def acknowledgement(event):
    """Who acknowledged VR-55 when marking the event held, and when: (user or None, moment) or None."""
    if event.status != E.Status.HELD:
        return None
    record = _history_reason(event, ACK_PREFIX)
    return (record.history_user, record.history_date) if record else None


def cancellation_reason(event):
    if event.status != E.Status.CANCELLED:
        return ""
    record = _history_reason(event, "cancelled:")
    return record.history_change_reason[len("cancelled:") :].strip() if record else ""


@common.atomic_step
def save_juror(juror, user):
    """Add or change a member of the employers' jury (п. 7.2); returns the event's warnings after it."""
    current = _locked(juror.event_id)
    _require(user, current, "full_name")
    if current.status == E.Status.CANCELLED:
        raise RuleViolation("wbl.wblevent.status", _("The event is cancelled: its jury is no longer changed."), "", "status")
    if juror.pk:
        stored = EventJuror.objects.select_for_update().get(pk=juror.pk)
        if stored.event_id != current.pk:
            raise RuleViolation("wbl.invalid", _("The juror belongs to another event."), "", "full_name")
    violations = []
    if not juror.employer_id:
        violations.append(RuleViolation("wbl.event.juror", _("Choose the employer the juror represents."), "", "employer"))
    elif juror.employer.institution_id != current.institution_id:
        violations.append(RuleViolation("wbl.event.institution", _("Choose a record of this institution."), "", "employer"))
    if not (juror.full_name or "").strip():
        violations.append(RuleViolation("wbl.event.juror", _("Give the juror's full name."), "", "full_name"))
    common.raise_all(violations)
    juror.event, juror.institution_id = current, current.institution_id
    juror.full_name = juror.full_name.strip()
    juror.save()
    return juror, warnings_for(current)


@common.atomic_step
def delete_juror(juror, user):
    current = _locked(juror.event_id)
    _require(user, current, "full_name")
    if current.status == E.Status.CANCELLED:
        raise RuleViolation("wbl.wblevent.status", _("The event is cancelled: its jury is no longer changed."), "", "status")
    EventJuror.objects.filter(pk=juror.pk, event_id=current.pk).delete()
    return warnings_for(current)


# --- Lists and sheets ------------------------------------------------------------------------------


def with_counts(qs):
    """Annotate events with `present_count`, `attendance_count`, `juror_count` (subqueries, no join fan-out)."""
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import Coalesce

    def counted(model, **filters):
        sub = model.objects.filter(event=OuterRef("pk"), **filters).order_by().values("event").annotate(c=Count("pk"))
        return Coalesce(Subquery(sub.values("c")), Value(0))

    return qs.annotate(
        present_count=counted(EventAttendance, present=True),
        attendance_count=counted(EventAttendance),
        juror_count=counted(EventJuror),
    )


def sheet_students(event):
    """The learners of the attendance sheet: those recorded, then the group's (or the institution's) enrolled learners.

    (student, attendance or None) pairs, by name, in two queries.
    """
    from kesip.core.models import Student

    recorded = {a.student_id: a for a in EventAttendance.objects.filter(event_id=event.pk).select_related("student__group")}
    qs = Student.objects.filter(institution_id=event.institution_id, status=Student.Status.ENROLLED).select_related("group")
    if event.group_id:
        qs = qs.filter(group_id=event.group_id)
    students = {s.pk: s for s in qs}
    for student_id, a in recorded.items():
        students.setdefault(student_id, a.student)
    ordered = sorted(students.values(), key=lambda s: (s.last_name, s.first_name, s.pk))
    return [(s, recorded.get(s.pk)) for s in ordered]


def sheet_official(event, language):
    """The attendance sheet as an official document: the event, the learners present, a column to sign."""
    from kesip.core import documents

    present = list(
        EventAttendance.objects.filter(event_id=event.pk, present=True)
        .select_related("student__group")
        .order_by("student__last_name", "student__first_name", "pk")
    )
    jurors = list(EventJuror.objects.filter(event_id=event.pk).select_related("employer").order_by("full_name", "pk"))
    period = documents.day(event.starts_on)
    if event.ends_on and event.ends_on != event.starts_on:
        period = f"{period} — {documents.day(event.ends_on)}"
    blocks = [
        documents.fields(
            [
                (_("Event"), event.title),
                (_("Form"), event.get_kind_display()),
                (_("Stage of WBL"), event.get_stage_display()),
                (_("Date"), period),
                (_("Hours"), f"{decimal.Decimal(event.hours).normalize():f}"),
                (_("Group"), str(event.group) if event.group_id else ""),
                (_("Discipline"), str(event.component) if event.component_id else ""),
                (_("Employer"), event.employer.name if event.employer_id else ""),
                (_("Venue"), event.venue),
                (_("Organised by"), str(event.organiser) if event.organiser_id else ""),
            ]
        ),
        documents.heading(_("Learners present")),
        documents.table(
            ["№", _("Learner"), _("Group"), _("Note"), _("Signature")],
            [
                [i, str(a.student), str(a.student.group) if a.student.group_id else "", a.note, ""]
                for i, a in enumerate(present, 1)
            ],
            widths=[6, 40, 14, 20, 20],
            total=[_("Present"), str(len(present)), "", "", ""],
        ),
    ]
    if jurors:
        blocks += [
            documents.heading(_("Jury of employers")),
            documents.table(
                ["№", _("Full name"), _("Position"), _("Employer"), _("Signature")],
                [[i, j.full_name, j.position, j.employer.name, ""] for i, j in enumerate(jurors, 1)],
                widths=[6, 30, 22, 24, 18],
            ),
        ]
    if event.description:
        blocks += [documents.heading(_("What learners did")), documents.paragraph(event.description)]
    signatures = [(_("Organised by"), str(event.organiser) if event.organiser_id else "")]
    if event.employer_id:
        signatures.append((_("For the employer"), event.employer.contact_person or ""))
    return documents.Official(
        institution=event.institution,
        title=_("Attendance sheet of a WBL event"),
        subtitle=event.title,
        dated=event.starts_on,
        blocks=blocks,
        signatures=signatures,
        language=language,
    )


# --- Hours in the WBL programme (п. 53 §5) ------------------------------------------------------------

# The form of section 5 an event's hours are counted under (LoadRow.Activity); the rest are “other”.
ACTIVITY_OF = {
    E.Kind.GUEST_LECTURE: "guest_lecture",
    E.Kind.EXCURSION: "excursion",
    E.Kind.MASTER_CLASS: "master_class",
    E.Kind.OFFSITE_CLASS: "offsite_class",
    E.Kind.COMPETITION: "competition",
    E.Kind.PROJECT: "project",
}
# The first half of the academic year is September–December (the intermediate attestation ends it), the second January–August.
FIRST_HALF_MONTHS = (9, 10, 11, 12)


def semester_of(academic_year, intake_year, first_half):
    """The semester of the study period (as section 5 counts them, 1–12) of a group in a half of an academic year."""
    year_of_study = academic_year - intake_year + 1
    return year_of_study * 2 - (1 if first_half else 0)


def held_by_semester(wp, load_rows):
    """Section 5 beside what happened: per semester and form, the planned hours and the hours of events held.

    The events counted are those held in the WBL programme's academic year by the groups of its
    educational programme, at their semester of study (the group's intake year and the half of the
    year). One query. Returns rows sorted by semester: {semester, activity, label, planned, held, events}.
    """
    from kesip.wbl.models import LoadRow

    start, end = datetime.date(wp.academic_year, 9, 1), datetime.date(wp.academic_year + 1, 8, 31)
    rows = (
        E.objects.filter(
            institution_id=wp.institution_id,
            status=E.Status.HELD,
            group__programme_id=wp.programme_id,
            starts_on__range=(start, end),
        )
        .annotate(
            first=Case(When(starts_on__month__in=FIRST_HALF_MONTHS, then=Value(1)), default=Value(0), output_field=IntegerField())
        )
        .order_by()
        .values("group__intake_year", "first", "kind")
        .annotate(hours=Sum("hours"), n=Count("pk"))
    )
    table = {}
    for r in load_rows:
        cell = table.setdefault((r.semester, r.activity), {"planned": 0, "held": 0, "events": 0})
        cell["planned"] += r.hours or 0
    for r in rows:
        semester = semester_of(wp.academic_year, r["group__intake_year"], bool(r["first"]))
        if not 1 <= semester <= 12:
            continue
        activity = ACTIVITY_OF.get(r["kind"], "other")
        cell = table.setdefault((semester, activity), {"planned": 0, "held": 0, "events": 0})
        cell["held"] += r["hours"] or 0
        cell["events"] += r["n"]
    labels = dict(LoadRow.Activity.choices)
    out = []
    for (semester, activity), cell in sorted(table.items()):
        if activity in ("dual", "practice", "internship", "apprenticeship") and not cell["events"]:
            continue  # placements, not events: their hours are the placements' own
        out.append({"semester": semester, "activity": activity, "label": labels.get(activity, activity), **cell})
    return out


def attended_filter(user):
    """For a learner: only the events they were present at."""
    return Q(attendance__student__user=user, attendance__present=True)
