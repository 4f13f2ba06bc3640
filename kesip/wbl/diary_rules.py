"""The rules of briefings, the diary, completion and assessment (KG WBL regulation п. 14, 20, 56–59), as plain functions.

Each check takes values and the country's rulebook (`common.rulebook`, a dict code → Rule) and
returns every broken rule as a RuleViolation naming its field and, where the regulation says it,
its clause. A code absent from the country's rulebook does not apply there (a Kazakh college has
almost no WBL rules): its check returns nothing.

VR-44 briefings before the start (hard when the institution asks for it, else a warning);
VR-45 every submitted diary entry graded by the mentor (hard at completion) and graded within the
institution's days (soft: overdue); VR-46 the mentor's review and characterisation (hard at
completion and at closing); VR-47 assessors of both sides (hard).
"""

import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kesip.core.rules import RuleViolation
from kesip.wbl.order_rules import mentor_gaps

BEFORE_START = "wbl.briefing.before_start"
TIMELY = "wbl.diary.mentor_entries_timely"
GRADED = "wbl.diary.min_mentor_grades_per_task"
REVIEW = "wbl.completion.review_required"
CHARACTERISATION = "wbl.completion.characterisation_required"
MENTOR = "wbl.mentor.min_per_learner_or_group"
MENTOR_TERM = "wbl.order.mentor.whole_term"  # VR-39, п. 2
PEO_ASSESSORS = "wbl.assessment.min_peo_assessors"
EMPLOYER_ASSESSORS = "wbl.assessment.min_employer_assessors"

# Bounds of one diary entry (the model's validators): half an hour to a working day and overtime.
HOURS_MIN, HOURS_MAX = Decimal("0.5"), Decimal("12")
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def _ftyp(*brands):
    return lambda head: head[4:8] == b"ftyp" and (not brands or head[8:12] in brands)


_ZIP = (lambda head: head.startswith(b"PK\x03\x04"),)
# What a file of each kind begins with: its name is not trusted alone.
SIGNATURES = {
    "pdf": (lambda head: head.startswith(b"%PDF-"),),
    "jpg": (lambda head: head.startswith(b"\xff\xd8\xff"),),
    "jpeg": (lambda head: head.startswith(b"\xff\xd8\xff"),),
    "png": (lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"),),
    "webp": (lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP",),
    "heic": (_ftyp(b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"),),
    "doc": (lambda head: head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),),
    "docx": _ZIP,
    "odt": _ZIP,
    "zip": _ZIP,
    "mp4": (_ftyp(),),
    "webm": (lambda head: head.startswith(b"\x1a\x45\xdf\xa3"),),
}
# A diary entry carries a photo of the work or a scanned document; an assessment, its project or video.
ATTACHMENT_TYPES = ("pdf", "jpg", "jpeg", "png", "heic", "webp")
ARTEFACT_TYPES = ("pdf", "jpg", "jpeg", "png", "doc", "docx", "odt", "mp4", "webm", "zip")


def day(value):
    return date_format(value, "d.m.Y") if value else ""


def upload_violation(upload, kinds, field):
    """A new file that is too large, of another type, or not what its name says; None when it is fine."""
    if not isinstance(upload, UploadedFile):
        return None  # a file already stored is not checked again
    if upload.size > MAX_UPLOAD_BYTES:
        return RuleViolation(
            "wbl.upload.size",
            _("The file is larger than %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
            "",
            field,
        )
    suffix = Path(upload.name or "").suffix.lower().lstrip(".")
    if suffix not in kinds:
        return RuleViolation(
            "wbl.upload.type",
            _("Upload a file of one of these types: %(types)s.") % {"types": ", ".join(k.upper() for k in kinds)},
            "",
            field,
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(check(head) for check in SIGNATURES[suffix]):
        return RuleViolation("wbl.upload.type", _("The file is not a readable %(type)s.") % {"type": suffix.upper()}, "", field)
    return None


# --- Briefings (VR-44) --------------------------------------------------------------------------


def briefing_gaps(briefings, required_documents, book):
    """What is missing before the learner counts as briefed: a kind not recorded or not acknowledged, a document left out.

    `briefings` are the placement's briefings (documents prefetched); `required_documents` the
    employer's local documents learners must acknowledge.
    """
    from kesip.wbl.models import Briefing

    rule = book.get(BEFORE_START)
    code, source = (BEFORE_START, rule.source) if rule else ("wbl.briefing.missing", "")
    found = []
    by_kind = {b.kind: b for b in briefings}
    for kind, label in Briefing.Kind.choices:
        b = by_kind.get(kind)
        if b is None:
            found.append(
                RuleViolation(code, _("Not recorded yet: %(briefing)s.") % {"briefing": label}, source, f"briefing-{kind}")
            )
        elif b.acknowledged_at is None:
            found.append(
                RuleViolation(
                    code,
                    _("The learner has not acknowledged the briefing yet: %(briefing)s.") % {"briefing": label},
                    source,
                    f"briefing-{kind}",
                )
            )
    local = by_kind.get(Briefing.Kind.LOCAL_DOCUMENTS)
    if local is not None:
        shown = {d.pk for d in local.documents.all()}
        missing = [d for d in required_documents if d.pk not in shown]
        if missing:
            found.append(
                RuleViolation(
                    code,
                    _("The learner has not been acquainted with: %(documents)s.")
                    % {"documents": "; ".join(str(d) for d in missing)},
                    source,
                    "documents",
                )
            )
    return found


def briefing_violations(placement, held_on, conducted_by, documents, today):
    """A briefing as recorded: on a day that has come, by someone named, with documents of the host employer only."""
    found = []
    if held_on is None:
        found.append(RuleViolation("wbl.briefing.date", _("Say when the briefing was held."), "", "held_on"))
    elif held_on > today:
        found.append(
            RuleViolation(
                "wbl.briefing.date",
                _("A briefing is recorded once it is held: %(today)s at the latest.") % {"today": day(today)},
                "",
                "held_on",
            )
        )
    if not (conducted_by or "").strip():
        found.append(RuleViolation("wbl.briefing.conducted_by", _("Say who conducted the briefing."), "", "conducted_by"))
    foreign = [d for d in documents if d.employer_id != placement.employer_id]
    if foreign:
        found.append(
            RuleViolation(
                "wbl.briefing.documents",
                _("Choose local documents of the host employer %(employer)s.") % {"employer": placement.employer},
                "",
                "documents",
            )
        )
    return found


# --- The diary (VR-45) --------------------------------------------------------------------------


def entry_violations(entry, placement, today):
    """Every rule a diary entry breaks: a day of the placement that has come, a task, what was done, hours 0.5–12."""
    found = []
    if entry.date is None:
        found.append(RuleViolation("wbl.diary.date", _("Say on which day the work was done."), "", "date"))
    elif not (placement.starts_on <= entry.date <= placement.ends_on):
        found.append(
            RuleViolation(
                "wbl.diary.date",
                _("Choose a day of the placement: from %(start)s to %(end)s.")
                % {"start": day(placement.starts_on), "end": day(placement.ends_on)},
                "",
                "date",
            )
        )
    elif entry.date > today:
        found.append(
            RuleViolation(
                "wbl.diary.date",
                _("An entry is written for a day that has come: %(today)s at the latest.") % {"today": day(today)},
                "",
                "date",
            )
        )
    if not (entry.task or "").strip():
        found.append(RuleViolation("wbl.diary.task", _("Write the task."), "", "task"))
    if not (entry.work_done or "").strip():
        found.append(RuleViolation("wbl.diary.work_done", _("Write what was done."), "", "work_done"))
    hours = entry.hours
    if hours is None:
        found.append(RuleViolation("wbl.diary.hours", _("Give the hours worked."), "", "hours"))
    else:
        try:
            hours = Decimal(hours)
        except (InvalidOperation, TypeError, ValueError):
            hours = None
        if (
            hours is None
            or not hours.is_finite()
            or not (HOURS_MIN <= hours <= HOURS_MAX)
            or hours != hours.quantize(Decimal("0.1"))
        ):
            found.append(
                RuleViolation(
                    "wbl.diary.hours",
                    _("Hours of one day lie between %(low)s and %(high)s (one decimal place).")
                    % {"low": f"{HOURS_MIN:f}", "high": f"{HOURS_MAX.normalize():f}"},
                    "",
                    "hours",
                )
            )
    return found


def parse_grade(raw, scale, field="grade", required=True):
    """A mark on the institution's scale as a Decimal (at most one decimal place); RuleViolation beside `field`."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise RuleViolation("wbl.grade.required", _("Give a mark."), "", field)
        return None
    text = str(raw).strip().replace(",", ".")
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError, TypeError):
        raise RuleViolation("wbl.grade.mark", _("“%(value)s” is not a mark.") % {"value": raw}, "", field) from None
    if not value.is_finite() or value != value.quantize(Decimal("0.1")):
        raise RuleViolation("wbl.grade.mark", _("“%(value)s” is not a mark.") % {"value": raw}, "", field)
    try:
        scale.clean_value(value)
    except ValidationError as error:
        raise RuleViolation("wbl.grade.scale", " ".join(error.messages), scale.source, field) from None
    return value


def overdue_cutoff(days, today=None):
    """The moment before which a submitted entry is overdue.

    The mentor has `days` whole days after the day the entry was submitted: an entry submitted on
    1 March with 7 days is on time until the end of 8 March (exactly 7 days later) and overdue from
    9 March (8 days later). Days are counted in the institution's time zone.
    """
    today = today or timezone.localdate()
    return timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time.min))


def overdue_warning(count, days, book):
    """The soft rule of VR-45: entries waiting longer than the institution's days (None when none)."""
    if not count:
        return None
    rule = book.get(TIMELY)
    return RuleViolation(
        TIMELY if rule else "wbl.diary.overdue",
        ngettext(
            "%(count)s diary entry has waited for the mentor's grade more than %(days)s days.",
            "%(count)s diary entries have waited for the mentor's grade more than %(days)s days.",
            count,
        )
        % {"count": count, "days": days},
        rule.source if rule else "",
        "diary",
    )


def ungraded_violations(waiting_dates, book):
    """The hard rule of VR-45: each completed task the learner submitted needs the mentor's grade."""
    rule = book.get(GRADED)
    if rule is None or not waiting_dates:
        return []
    count = len(waiting_dates)
    return [
        RuleViolation(
            GRADED,
            ngettext(
                "%(count)s submitted diary entry (%(dates)s) is waiting for the mentor's grade: "
                "grade it or return it for correction first.",
                "%(count)s submitted diary entries (%(dates)s) are waiting for the mentor's grade: "
                "grade them or return them for correction first.",
                count,
            )
            % {"count": count, "dates": ", ".join(day(d) for d in sorted(waiting_dates)[:10]) + ("…" if count > 10 else "")},
            rule.source,
            "diary",
        )
    ]


# --- Completion (VR-46) -------------------------------------------------------------------------


def completion_violations(review, characterisation, book):
    """The mentor's review and the characterisation must both be written."""
    found = []
    for code, text, field, message in (
        (REVIEW, review, "review", _("Write the mentor's review: the tasks done and the competencies shown.")),
        (
            CHARACTERISATION,
            characterisation,
            "characterisation",
            _("Write the characterisation: professional and personal qualities, discipline, attitude to work."),
        ),
    ):
        rule = book.get(code)
        if rule is not None and not (text or "").strip():
            found.append(RuleViolation(code, message, rule.source, field))
    return found


def completion_date_violation(placement, on, early_reason):
    """A placement is completed on or after its last day, or earlier with the reason it ended early."""
    if on < placement.starts_on:
        return RuleViolation(
            "wbl.placement.completion_date",
            _("The placement starts on %(start)s: it cannot be completed before.") % {"start": day(placement.starts_on)},
            "",
            "early_reason",
        )
    if on < placement.ends_on and not (early_reason or "").strip():
        return RuleViolation(
            "wbl.placement.completion_date",
            _("The placement runs until %(end)s: say why it ends early.") % {"end": day(placement.ends_on)},
            "",
            "early_reason",
        )
    return None


def start_violations(placement, on, book, appointments=None):
    """A placement starts on or after its first day, with a mentor where the rulebook asks for one (VR-40), appointed
    by signed orders that cover its whole term (VR-39; `appointments` are the placement's signed mentor lines)."""
    found = []
    if on < placement.starts_on:
        found.append(
            RuleViolation(
                "wbl.placement.start_date",
                _("The placement starts on %(start)s: it cannot be started before.") % {"start": day(placement.starts_on)},
                "",
                "starts_on",
            )
        )
    rule = book.get(MENTOR)
    if rule is not None and placement.mentor_id is None:
        found.append(
            RuleViolation(
                MENTOR, _("Appoint the learner's mentor at the employer before the placement starts."), rule.source, "mentor"
            )
        )
    term = book.get(MENTOR_TERM)
    if term is not None and placement.mentor_id is not None and appointments is not None:
        gaps = mentor_gaps(placement, appointments)
        if gaps:
            found.append(
                RuleViolation(
                    MENTOR_TERM,
                    _(
                        "No signed order appoints the mentor for %(days)s: the mentor is appointed by order for the whole "
                        "term before the placement starts (a replacement by a new order)."
                    )
                    % {"days": ", ".join(f"{day(a)}–{day(b)}" for a, b in gaps)},
                    term.source,
                    "mentor",
                )
            )
    return found


# --- Assessment (VR-47) -------------------------------------------------------------------------


def assessor_violations(staff_count, person_count, book):
    """Competency assessment by the institution and the employer together: enough assessors of each side."""
    found = []
    rule = book.get(PEO_ASSESSORS)
    if rule is not None and Decimal(staff_count) < rule.value:
        least = int(rule.value)
        message = ngettext(
            "Name at least %(n)s assessor of the institution.", "Name at least %(n)s assessors of the institution.", least
        ) % {"n": least}
        found.append(RuleViolation(PEO_ASSESSORS, message, rule.source, "institution_assessors"))
    rule = book.get(EMPLOYER_ASSESSORS)
    if rule is not None and Decimal(person_count) < rule.value:
        least = int(rule.value)
        message = ngettext(
            "Name at least %(n)s assessor of the employer.", "Name at least %(n)s assessors of the employer.", least
        ) % {"n": least}
        found.append(RuleViolation(EMPLOYER_ASSESSORS, message, rule.source, "employer_assessors"))
    return found


def result_violations(results, competencies):
    """A result (achieved or not) for each competency of the placement, and for no other."""
    found = []
    known = {c.pk: c for c in competencies}
    stray = [cid for cid in results if cid not in known]
    if stray:
        found.append(
            RuleViolation(
                "wbl.assessment.competency",
                _("Competency #%(id)s is not among the learning outcomes of this placement.") % {"id": stray[0]},
                "",
                "results",
            )
        )
    for c in competencies:
        if c.pk not in results:
            found.append(
                RuleViolation(
                    "wbl.assessment.competency",
                    _("Say whether the competency was shown: %(competency)s.") % {"competency": c.code},
                    "",
                    f"competency-{c.pk}",
                )
            )
    return found


def assessed_on_violation(placement, assessed_on, today):
    if assessed_on is None:
        return RuleViolation("wbl.assessment.date", _("Say when the assessment was held."), "", "assessed_on")
    if assessed_on > today:
        return RuleViolation(
            "wbl.assessment.date",
            _("An assessment is recorded once it is held: %(today)s at the latest.") % {"today": day(today)},
            "",
            "assessed_on",
        )
    if assessed_on < placement.starts_on:
        return RuleViolation(
            "wbl.assessment.date",
            _("The placement starts on %(start)s: it cannot be assessed before.") % {"start": day(placement.starts_on)},
            "",
            "assessed_on",
        )
    return None
