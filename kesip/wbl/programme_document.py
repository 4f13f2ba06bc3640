"""The WBL programme as an official document (PDF and DOCX through `kesip.core.documents`).

Title information, the nine sections of п. 53 in order with their tables — section 5 with its
total and the WBL percentage per semester — the forms for learners with disabilities (п. 54), and
the signature blocks: the head of the institution approves, the co-developing employer agrees
(п. 56 item 1, п. 57 item 2). Built inside `translation.override(language)` by `documents.render`.
"""

from django.utils.translation import gettext as _

from kesip.core import documents as d
from kesip.wbl import programme_rules as pr
from kesip.wbl.models import PracticeType


def _text(value):
    return value.strip() if value and value.strip() else "—"


def _hours(value):
    return str(value) if value is not None else "—"


def _credits(value):
    return f"{value.normalize():f}" if value is not None else "—"


def official(wp, snapshot, percent, language):
    p = wp.programme
    s = {section.number: section for section in pr.SECTIONS}

    def heading(n):
        return d.heading(f"{n}. {s[n].title}")

    blocks = [
        d.fields(
            [
                (_("Approved by the institution"), d.day(wp.approved_on) if wp.approved_on else _("not approved yet")),
                (
                    _("Agreed with the employer"),
                    f"{wp.co_developer}: {wp.employer_agreed_by}, {d.day(wp.employer_agreed_on)}"
                    if wp.employer_agreed_on
                    else (f"{wp.co_developer}: " if wp.co_developer_id else "") + _("not agreed yet"),
                ),
                (_("Academic year"), f"{wp.academic_year}–{wp.academic_year + 1}"),
                (_("Status"), wp.get_status_display()),
            ]
        )
    ]

    # 1. Introduction.
    blocks += [
        heading(1),
        d.fields(
            [
                (_("Code of the profession"), p.specialty.code),
                (_("Profession (specialty)"), p.specialty.name),
                (_("Educational programme"), p.name),
                (_("State educational standard"), p.standard or "—"),
                (_("Professional standard"), p.professional_standard or _("none")),
            ]
        ),
        d.paragraph(_("Normative base") + ":", bold=True),
        d.paragraph(_text(wp.normative_base)),
    ]

    # 2–4.
    blocks += [heading(2), d.paragraph(_text(wp.goal)), heading(3), d.paragraph(wp.get_form_display() or "—")]
    blocks += [
        heading(4),
        d.paragraph(_("Zones of responsibility of the parties") + ":", bold=True),
        d.paragraph(_text(wp.procedure)),
        d.paragraph(_("Duties of mentors at the enterprise") + ":", bold=True),
        d.paragraph(_text(wp.mentor_duties)),
    ]

    # 5. The load table with its total, then the WBL percentage per semester.
    rows = [
        [
            i,
            r.semester,
            r.get_activity_display() + (f" ({r.get_practice_type_display()})" if r.practice_type else ""),
            str(r.component) if r.component_id else "—",
            r.hours,
            _credits(r.credits),
            r.season,
        ]
        for i, r in enumerate(snapshot.load_rows, 1)
    ]
    blocks += [
        heading(5),
        d.table(
            [
                _("№"),
                _("Semester"),
                _("Form of WBL"),
                _("Discipline or practice"),
                _("Hours"),
                _("Credits"),
                _("Season or timing"),
            ],
            rows,
            widths=[5, 9, 24, 27, 9, 9, 17],
            total=["", "", _("Total"), "", percent["wbl_hours"], _credits(percent["wbl_credits"]), ""],
        ),
        d.paragraph(_("WBL percentage") + ":", bold=True),
        d.table(
            [_("Semester"), _("WBL hours"), _("Curriculum hours"), _("WBL %")],
            [
                [row["semester"], row["wbl_hours"], _hours(row["curriculum_hours"]), pr.percent_text(row["percent"])]
                for row in percent["semesters"]
            ],
            widths=[25, 25, 25, 25],
            total=[_("Total"), percent["wbl_hours"], percent["curriculum_hours"], pr.percent_text(percent["percent"])],
        ),
        d.paragraph(
            _("The WBL share is counted of: %(of)s — %(wbl)s of %(whole)s hours, %(percent)s.")
            % {
                "of": percent["denominator_label"],
                "wbl": percent["wbl_hours"],
                "whole": percent["curriculum_hours"],
                "percent": pr.percent_text(percent["percent"]),
            }
            + (f" ({percent['source']})" if percent["source"] else "")
        ),
    ]
    if wp.season_label:
        blocks.append(d.paragraph(_("Season of the profession") + ": " + wp.season_label))
    if wp.season_note.strip():
        blocks.append(d.paragraph(_("Timing and seasonality") + ": " + wp.season_note.strip()))

    # 6. Learning outcomes.
    blocks += [
        heading(6),
        d.table(
            [_("Code"), _("Kind"), _("Competency")],
            [[c.code, c.get_kind_display(), c.description] for c in snapshot.outcomes],
            widths=[12, 18, 70],
        )
        if snapshot.outcomes
        else d.paragraph("—"),
    ]

    # 7. Content of practical training.
    content = [
        [
            PracticeType(r.practice_type).label if r.practice_type in PracticeType.values else r.practice_type,
            f"{r.competency.code} {r.competency.description}",
            r.topic,
            r.hours,
            r.environment,
            r.equipment,
        ]
        for r in snapshot.content_rows
    ]
    blocks += [
        heading(7),
        d.table(
            [
                _("Type of practical training"),
                _("Refined competency"),
                _("Topic"),
                _("Hours"),
                _("Work environment"),
                _("Equipment"),
            ],
            content,
            widths=[14, 20, 22, 8, 18, 18],
            total=[_("Total"), "", "", sum(r.hours or 0 for r in snapshot.content_rows), "", ""],
        )
        if content
        else d.paragraph("—"),
    ]

    # 8. Safety.
    blocks += [heading(8), d.paragraph(_text(wp.safety))]

    # 9. Assessment: methods, grades and descriptors linked to the competencies of section 6.
    rubric = [
        [item.get_method_display(), item.level, item.descriptor, ", ".join(c.code for c in item.competencies.all())]
        for item in snapshot.rubric
    ]
    blocks += [
        heading(9),
        d.table(
            [_("Assessment method"), _("Grade"), _("Description of the grade"), _("Competencies")],
            rubric,
            widths=[26, 10, 48, 16],
        )
        if rubric
        else d.paragraph("—"),
    ]

    # п. 54.
    blocks += [
        d.heading(_("Forms of practice for learners with disabilities (п. 54)")),
        d.paragraph(_text(wp.accessibility) if wp.accessibility.strip() else _("No adapted forms are described.")),
    ]

    institution = wp.institution
    approved = _("Approved: head of the institution")
    if wp.approved_on:
        approved += f", {d.day(wp.approved_on)}"
    agreed = (
        _("Agreed: for the employer %(employer)s") % {"employer": wp.co_developer}
        if wp.co_developer_id
        else _("Agreed: for the employer")
    )
    if wp.employer_agreed_on:
        agreed += f", {d.day(wp.employer_agreed_on)}"
    signatures = [(approved, institution.head or ""), (agreed, wp.employer_agreed_by)]
    subtitle = f"{p.specialty.code} {p.specialty.name} — {wp.get_form_display()}, {wp.academic_year}–{wp.academic_year + 1}"
    if not wp.approved_on:
        subtitle += f" · {_('Draft')}"
    return d.Official(
        institution=institution,
        title=_("Work-based learning programme"),
        subtitle=subtitle,
        dated=wp.approved_on,
        blocks=blocks,
        signatures=signatures,
        language=language,
    )
