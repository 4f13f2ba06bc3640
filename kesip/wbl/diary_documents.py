"""The official documents of a placement's diary: the diary itself (F6), the mentor's review (F8), the
characterisation (F9) and the briefing log (F11), each built as an `Official` in the language asked for.

The diary and the briefing log are the institution's; the review and the characterisation are the
mentor's and carry the employer's letterhead unless the institution's is asked for.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from kesip.core import documents as docs
from kesip.wbl import letterheads
from kesip.wbl.models import DiaryEntry


def mark(value, scale):
    """A mark as written on the scale: “4.5”, or “85 (B+)” on a scale with letters."""
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    if scale is not None and scale.has_letters:
        band = scale.band_for(value)
        if band is not None:
            text = f"{text} ({band.letter})"
    return text


def average(sums, scale):
    """The average grade of the diary, to one decimal place, as written on the scale."""
    if sums.get("average") is None:
        return ""
    return mark(Decimal(str(sums["average"])).quantize(Decimal("0.1"), ROUND_HALF_UP), scale)


def short_day(value):
    """A date in a table cell: 22.11.2026."""
    return value.strftime("%d.%m.%Y") if value else ""


def hours(value):
    return f"{Decimal(value or 0).normalize():f}"


def _period(placement):
    return f"{docs.day(placement.starts_on)} — {docs.day(placement.ends_on)}"


def _profession(placement):
    group = placement.group or (placement.student.group if placement.student_id else None)
    if group is None:
        return ""
    specialty = group.programme.specialty
    return f"{specialty.code} {specialty.name}".strip()  # not str(specialty): it already starts with the code


def _mentor(placement):
    m = placement.mentor
    return f"{m}, {m.position}" if m else ""


def _passport(placement, *extra):
    return docs.fields(
        [
            (_("Learner"), placement.learner),
            (_("Group"), placement.group or ""),
            (_("Profession"), _profession(placement)),
            (_("Form of WBL"), placement.kind_label),
            (_("Employer"), placement.employer),
            (_("Workplace"), placement.workplace.title if placement.workplace_id else ""),
            (_("Period"), _period(placement)),
            (_("Mentor"), _mentor(placement)),
            (_("Head of practical training"), placement.supervisor or ""),
            *extra,
        ]
    )


def _letterhead(placement, letterhead):
    """The keyword arguments of the letterhead: the employer's (with its logo, F2) or the institution's."""
    if letterhead != "employer":
        return {"letterhead": None}
    lines, logo = letterheads.letterhead_of(placement.employer)
    return {"letterhead": lines, "logo": logo}


def _head_of_employer(placement):
    head = next((p for p in placement.employer.people.all() if p.is_head and p.is_active), None)
    return (head.position or _("Head of the employer"), head.short_name) if head else (_("Head of the employer"), "")


def diary_document(placement, entries, sums, scale, language):
    """F6: the header, a row per day handed in, the totals, then the review and the characterisation."""
    rows = [
        [
            i,
            short_day(e.date),
            e.task,
            e.work_done,
            hours(e.hours),
            mark(e.grade, scale) if e.status == DiaryEntry.Status.GRADED else _("waiting"),
            e.mentor_comment if e.status == DiaryEntry.Status.GRADED else "",
            " ".join(
                x for x in (short_day(timezone.localtime(e.checked_at).date()) if e.checked_at else "", e.supervisor_note) if x
            ),
        ]
        for i, e in enumerate(entries, 1)
    ]
    blocks = [
        _passport(placement, (_("Planned hours"), placement.hours or "")),
        docs.table(
            ["№", _("Date"), _("Task"), _("Work done"), _("Hours"), _("Grade"), _("Mentor's comment"), _("Control")],
            rows,
            widths=[4, 10, 17, 27, 7, 8, 15, 12],
            total=["", _("Total"), "", "", hours(sums["hours"]), average(sums, scale), "", ""],
        ),
    ]
    if not rows:
        blocks.append(docs.paragraph(_("No entries have been handed in yet.")))
    if placement.review:
        blocks += [docs.heading(_("Mentor's review")), docs.paragraph(placement.review)]
    if placement.characterisation:
        blocks += [docs.heading(_("Characterisation of the learner")), docs.paragraph(placement.characterisation)]
    if placement.recommended_grade is not None:
        blocks.append(
            docs.paragraph(f"{_('Grade proposed by the mentor')}: {mark(placement.recommended_grade, scale)}", bold=True)
        )
    assessment = getattr(placement, "assessment", None)
    if assessment is not None:
        blocks.append(
            docs.paragraph(
                f"{_('Grade of the assessment')}: {mark(assessment.value, scale)} "
                f"({assessment.get_method_display()}, {docs.day(assessment.assessed_on)})",
                bold=True,
            )
        )
    return docs.Official(
        institution=placement.institution,
        title=_("Diary of work-based learning"),
        subtitle=placement.kind_label,
        blocks=blocks,
        signatures=[
            (_("Learner"), _short(placement.learner)),
            (_("Mentor"), placement.mentor.short_name if placement.mentor_id else ""),
            (_("Head of practical training"), _short(placement.supervisor)),
        ],
        language=language,
    )


def _short(person):
    if person is None:
        return ""
    initials = "".join(f"{p[0]}." for p in (person.first_name, person.patronymic) if p)
    return f"{person.last_name} {initials}".strip()


def review_document(placement, sums, scale, language, letterhead="employer"):
    """F8: the mentor's review on the completion of WBL, with the diary's totals and the proposed grade."""
    blocks = [
        _passport(
            placement,
            (_("Hours in the diary"), hours(sums["hours"])),
            (_("Diary entries graded"), f"{sums['graded']} / {sums['entries']}"),
            (_("Average grade in the diary"), average(sums, scale)),
        ),
        docs.heading(_("Tasks performed and competencies shown")),
        docs.paragraph(placement.review or "—"),
    ]
    if placement.recommended_grade is not None:
        blocks.append(
            docs.paragraph(f"{_('Grade proposed by the mentor')}: {mark(placement.recommended_grade, scale)}", bold=True)
        )
    return docs.Official(
        institution=placement.institution,
        title=_("Review on the completion of work-based learning"),
        subtitle=placement.kind_label,
        dated=placement.reviewed_on,
        **_letterhead(placement, letterhead),
        blocks=blocks,
        signatures=[
            (_("Mentor"), placement.mentor.short_name if placement.mentor_id else ""),
            _head_of_employer(placement),
        ],
        footer=_("Place of the stamp"),
        language=language,
    )


def characterisation_document(placement, language, letterhead="employer"):
    """F9: the characterisation of the learner by the mentor: qualities, discipline, attitude."""
    return docs.Official(
        institution=placement.institution,
        title=_("Characterisation of the learner"),
        subtitle=str(placement.learner),
        dated=placement.reviewed_on,
        **_letterhead(placement, letterhead),
        blocks=[_passport(placement), docs.paragraph(placement.characterisation or "—")],
        signatures=[
            (_("Mentor"), placement.mentor.short_name if placement.mentor_id else ""),
            _head_of_employer(placement),
        ],
        footer=_("Place of the stamp"),
        language=language,
    )


def briefing_document(placement, briefings, language):
    """F11: the briefing log of the learner: date, briefing, who conducted it, documents, the acknowledgement."""
    rows = [
        [
            short_day(b.held_on),
            b.get_kind_display(),
            b.conducted_by,
            "; ".join(str(d) for d in b.documents.all()),
            timezone.localtime(b.acknowledged_at).strftime("%d.%m.%Y %H:%M") if b.acknowledged_at else "",
        ]
        for b in briefings
    ]
    return docs.Official(
        institution=placement.institution,
        title=_("Briefing log"),
        subtitle=placement.kind_label,
        blocks=[
            _passport(placement),
            docs.table(
                [_("Held on"), _("Briefing"), _("Conducted by"), _("Local documents"), _("Acknowledged by the learner")],
                rows,
                widths=[13, 30, 18, 22, 17],
            ),
        ],
        signatures=[(_("Learner"), _short(placement.learner)), (_("Head of practical training"), _short(placement.supervisor))],
        language=language,
    )
