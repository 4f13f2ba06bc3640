"""The report's indicators as people read them: sections of figures, tables and bar charts, in the active language.

One description serves the report page, the consolidated view and the official document (PDF,
DOCX): blocks built with `kesip.core.documents` (`fields`, `table`, `chart`), so the page and the
paper show the same numbers under the same labels. The indicators are plain JSON with choice
codes (`report_indicators`), possibly frozen long ago; labels are looked up now, in the language
of the reader.
"""

from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kesip.core import documents as d
from kesip.wbl import event_report
from kesip.wbl.models import Agreement, AnnualReport, Placement, PracticeType, WblForm


def num(value):
    return "—" if value is None else number_format(value, force_grouping=True)


def dec(value, digits=1):
    return "—" if value is None else number_format(value, digits, force_grouping=True)


def pct(value):
    return "—" if value is None else f"{number_format(value, 1)} %"


def _labels(choices):
    return dict(choices.choices)


def _choice_rows(counts, choices):
    labels = _labels(choices)
    return [(labels.get(code, code), counts.get(code, 0)) for code in choices.values]


def _table(header, pairs, total_label=None):
    rows = [[label, num(value)] for label, value in pairs]
    total = [total_label, num(sum(v for _l, v in pairs))] if total_label else None
    return d.table(header, rows, widths=[75, 25], total=total)


def profession(row):
    """A profession of the gender table, named in the reader's language (the name frozen with the report)."""
    if not row.get("specialty"):
        return _("No profession recorded")
    names = row.get("names") or {}
    lang = (get_language() or "ru").split("-")[0]
    name = next((names[code] for code in (lang, "ru", "ky", "kk", "en") if names.get(code)), "")
    return f"{row.get('code', '')} {name}".strip()


def _gender_table(rows, total, flag):
    """The gender table; with the rulebook's share (F33), a row where one sex is above it is marked."""
    header = [_("Profession"), _("Women"), _("Men"), _("Not recorded"), _("Share of women")]
    body = [[profession(r), num(r["F"]), num(r["M"]), num(r["unknown"]), pct(r["female_percent"])] for r in rows]
    foot = [_("All professions"), num(total["F"]), num(total["M"]), num(total["unknown"]), pct(total["female_percent"])]
    if flag is None:
        return d.table(header, body, widths=[44, 14, 14, 14, 14], total=foot)
    label = _("possibly stereotyped")
    for line, r in zip(body, rows, strict=True):
        line.append(label if r.get("stereotyped") else "")
    block = d.table([*header, _("More than %(share)s %% one sex") % {"share": dec(flag, 0)}], body, [34, 12, 12, 12, 12, 18],
                    [*foot, ""])  # fmt: skip
    block["flag"] = label
    return block


def partnership_section(ind):
    """Employers' needs against the year's graduates per profession (K27) and employers' evaluations (K15), or None."""
    from kesip.wbl import partnership

    part = ind.get("partnership")
    if not part:
        return None
    states = {"shortage": _("shortage"), "surplus": _("surplus"), "no_need": _("no need recorded"), "balanced": "", "": ""}
    rows = [
        [profession(r), num(r["needed"]), num(r["places"]), num(r["learners"]), num(r["graduates"]),
         f"{num(r['gap'])} {states.get(r['state'], '')}".strip()]
        for r in part["rows"]
    ]  # fmt: skip
    t = part["total"]
    ev = part["evaluations"]
    blocks = [
        d.table(
            [_("Profession"), _("Specialists needed"), _("WBL places offered"), _("Learners in WBL"), _("Graduates"), _("Gap")],
            rows,
            widths=[30, 14, 14, 14, 14, 14],
            total=[
                _("All professions"),
                num(t["needed"]),
                num(t["places"]),
                num(t["learners"]),
                num(t["graduates"]),
                num(t["gap"]),
            ],
        ),  # fmt: skip
        d.fields([(_("Employers' evaluations"), num(ev["count"])), (_("Mean score (1–5)"), dec(ev["mean"], 2))]),
        d.table(
            [_("Criterion"), _("Mean (1–5)"), _("Answers")],
            [
                [
                    partnership.criterion_label(code),
                    dec(ev["criteria"].get(code, {}).get("mean"), 2),
                    num(ev["criteria"].get(code, {}).get("n", 0)),
                ]
                for code in partnership.CRITERIA_CODES
            ],
            widths=[60, 20, 20],
        ),  # fmt: skip
    ]
    return {
        "key": "partnership",
        "title": _("Employers' needs, graduates and evaluations (K27, K15)"),
        "note": _(
            "Needs: the specialists employers said they need in the year (п. 4, 6); learners in WBL of the profession in "
            "the year; graduates of the year. Gap = graduates − needed. Evaluations: employers' scores 1–5 on Kesip's "
            "criteria (п. 57 item 8; the regulation gives no standard form)."
        ),
        "blocks": blocks,
    }


def sections(ind):
    """[{key, title, note, blocks}]: every indicator of the report, grouped as the report prints them."""
    out = []

    def section(key, title, blocks, note=""):
        out.append({"key": key, "title": title, "note": note, "blocks": blocks})

    learners, placements = ind["learners"], ind["placements"]
    by_form = _choice_rows(learners["by_form"], WblForm)
    by_type = _choice_rows(learners["by_practice_type"], PracticeType)
    section(
        "learners",
        _("Learners and placements"),
        [
            d.fields(
                [
                    (_("Learners in WBL"), num(learners["total"])),
                    (_("Teachers on internship"), num(learners["teachers"])),
                    (_("Placements (not cancelled)"), num(placements["counted"])),
                    (_("Employers hosting placements"), num(ind["employers"]["hosting"])),
                    (
                        _("Learners at the institution's own bases (workshops, complexes; п. 3)"),
                        num(ind["employers"].get("own_base_learners", 0)),
                    ),
                ]
            ),
            d.chart(_("Learners by form of WBL"), by_form),
            d.chart(_("Learners in practice by type"), by_type),
            _table(
                [_("Status of the placement"), _("Placements")],
                _choice_rows(placements["by_status"], Placement.Status),
                _("All placements"),
            ),
        ],
        _("A learner counts once in each form and type, however many placements they had; placements starting in the year."),
    )
    ag = ind["agreements"]
    section(
        "agreements",
        _("Employers and agreements (K3)"),
        [
            d.fields(
                [
                    (_("Agreements in force during the year"), num(ag["total"])),
                    (_("Two-party agreements"), num(ag["two_party"])),
                    (_("Three-party agreements (with the learner or a legal representative)"), num(ag["three_party"])),
                    (_("Employers with an agreement"), num(ind["employers"]["with_agreements"])),
                ]
            ),
            _table([_("Kind of agreement"), _("Agreements")], _choice_rows(ag["by_kind"], Agreement.Kind)),
            _table([_("WBL agreements by form"), _("Agreements")], _choice_rows(ag["by_form"], WblForm)),
        ],
    )
    w = ind["workplaces"]
    section(
        "workplaces",
        _("Workplaces offered and used (K4)"),
        [
            d.fields(
                [
                    (_("Workplaces offered by employers"), num(w["workplaces"])),
                    (_("Places offered"), num(w["places"])),
                    (_("Placements at an offered workplace"), num(w["used"])),
                    (_("Places used"), pct(w["use_percent"])),
                ]
            )
        ],
        _("Workplaces whose period of availability meets the academic year."),
    )
    s = ind["share"]
    section(
        "share",
        _("WBL share of the curriculum hours (K1)"),
        [
            d.fields(
                [
                    (_("Hours of placements"), num(s["wbl_hours"])),
                    (_("Hours planned for the learners placed"), num(s["planned_hours"])),
                    (_("WBL share"), pct(s["percent"])),
                    (_("Groups counted"), num(s["groups"] - s["groups_without_plan"])),
                    (_("Groups without an approved working curriculum for the year"), num(s["groups_without_plan"])),
                    (_("Placements without hours"), num(s["placements_without_hours"])),
                ]
            )
        ],
        _(
            "The hours of the year's placements of each group's learners, divided by the hours the group's approved "
            "working curriculum plans for that year of study times the learners of the group placed. The planned hours "
            "are all hours, or practice hours only, as the institution's WBL settings say (п. 53, section 5)."
        ),
    )
    m = ind["mentors"]
    limit = m.get("apprentice_limit")
    mentor_fields = [
        (_("Placements with a mentor"), f"{num(m['with_mentor'])} / {num(m['placements'])} · {pct(m['coverage_percent'])}"),
        (_("Placements with a head of practical training"), pct(m["supervisor_percent"])),
        (_("Mentors"), num(m["mentors"])),
        (_("Learners per mentor, on average"), dec(m["average"])),
        (_("Most learners of one mentor"), num(m["most"])),
        (_("Most apprentices of one mentor at the same time"), num(m["apprentice_peak"])),
    ]
    if limit is not None:
        mentor_fields.append((_("Apprentices per mentor allowed"), num(limit)))
        mentor_fields.append((_("Mentors with more apprentices than allowed"), num(m["over_limit"])))
    load = m["load"]
    section(
        "mentors",
        _("Mentors: coverage and load (K6, K7)"),
        [
            d.fields(mentor_fields),
            d.chart(
                _("Mentor load: mentors by the number of their learners"),
                [
                    (_("1 learner"), load["1"]),
                    (_("2 learners"), load["2"]),
                    (_("3–5 learners"), load["3-5"]),
                    (_("6 learners or more"), load["6+"]),
                ],
            ),
        ],
        _("Apprentices at the same time are counted on the first day of each apprenticeship (п. 48)."),
    )
    di = ind["diary"]
    section(
        "diary",
        _("Diaries: completion and grading lag (K9)"),
        [
            d.fields(
                [
                    (
                        _("Entries graded of those submitted"),
                        f"{num(di['graded'])} / {num(di['asked'])} · {pct(di['completion_percent'])}",
                    ),
                    (_("Days from submission to the mentor's grade, on average"), dec(di["average_lag"])),
                    (_("Longest wait for a grade, days"), dec(di["lag_max"])),
                    (_("Graded within the institution's days"), pct(di["on_time_percent"])),
                ]
            ),
            d.chart(
                _("Diary completion"),
                [
                    (_("Graded by the mentor"), di["graded"]),
                    (_("Waiting for the mentor's grade"), di["waiting"]),
                    (_("Returned for correction"), di["returned"]),
                    (_("Drafts not submitted"), di["drafts"]),
                ],
            ),
        ],
    )
    b, c = ind["briefings"], ind["completion"]
    section(
        "briefings",
        _("Briefings and completion documents (K10, K11)"),
        [
            d.fields(
                [
                    (
                        _("Placements briefed or later with all three briefings"),
                        f"{num(b['complete'])} / {num(b['placements'])} · {pct(b['percent'])}",
                    ),
                    (_("… all three held before the start"), pct(b["before_start_percent"])),
                    (
                        _("Finished placements with the mentor's review and characterisation"),
                        f"{num(c['documented'])} / {num(c['finished'])} · {pct(c['percent'])}",
                    ),
                ]
            )
        ],
        _(
            "The three briefings: the institution's on how to undergo WBL (п. 56 item 4), the employer's on labour "
            "protection and safety (п. 57 item 11) and on its local documents (п. 57 item 6)."
        ),
    )
    a = ind["assessments"]
    section(
        "assessments",
        _("Assessments"),
        [
            d.fields(
                [
                    (_("Placements assessed"), num(a["count"])),
                    (_("Average grade"), dec(a["average"], 2)),
                    (_("Pass mark"), dec(a["pass_mark"], 0) if a["pass_mark"] is not None else "—"),
                    (_("Passed"), f"{num(a['passed'])} · {pct(a['pass_percent'])}"),
                ]
            )
        ],
        _("A grade passes when its band on the country's default grading scale is a pass."),
    )
    rows = ind["gender"]
    total = ind["gender_total"]
    section(
        "gender",
        _("Gender balance by profession (K19)"),
        [
            d.chart(
                _("Share of women among the placements, by profession"),
                [(profession(r), r["female_percent"] or 0) for r in rows],
                "%",
            ),
            _gender_table(rows, total, ind.get("gender_flag_percent")),
        ],
        _("Placements of learners by the specialty of their group's programme and the learner's sex (п. 57 item 14)."),
    )
    partners = partnership_section(ind)
    if partners:  # a report frozen before needs and evaluations were counted has none
        out.append(partners)
    g = ind["graduates"]
    graduate_blocks = [
        d.fields(
            [
                (_("Graduates of the year"), num(g["graduates"])),
                (_("… with an employment record"), num(g.get("recorded"))),
                (_("… working (employed or self-employed)"), f"{num(g.get('employed'))} · {pct(g.get('employed_percent'))}"),
                (
                    _("… working in the profession studied"),
                    f"{num(g.get('in_profession'))} · {pct(g.get('in_profession_percent'))}",
                ),
                (
                    _("… working at a host employer of their WBL"),
                    f"{num(g.get('host_employer'))} · {pct(g.get('host_employer_percent'))}",
                ),
                (_("… trained in dual training"), num(g["dual"])),
                (_("… whose host employer agreed to employ them"), f"{num(g['employment_promised'])} · {pct(g['percent'])}"),
                (
                    _("… of them employed there (the promise kept)"),
                    f"{num(g.get('promise_kept'))} · {pct(g.get('promise_kept_percent'))}",
                ),
            ]
        )
    ]
    if "by_outcome" in g:
        from kesip.wbl.models import GraduateEmployment

        graduate_blocks.append(
            _table([_("Outcome (latest record)"), _("Graduates")], _choice_rows(g["by_outcome"], GraduateEmployment.Outcome))
        )
    if g.get("by_employer"):
        graduate_blocks.append(
            d.table(
                [_("Employer"), _("Graduates working"), _("Hosted their WBL"), _("In the profession")],
                [[r["name"], num(r["graduates"]), num(r["host"]), num(r["in_profession"])] for r in g["by_employer"]],
                widths=[52, 16, 16, 16],
            )
        )
    section(
        "graduates",
        _("Graduates' employment (K14)"),
        graduate_blocks,
        _(
            "Graduates of the year (by a graduation order dated in the year) and their employment records (п. 4, "
            "п. 56 item 13). Whether the employer hosted the graduate's WBL is worked out from the placements, not typed. "
            "The promise is the dual-training placement's record that the host employer agreed to employ the graduate "
            "(п. 19); it is kept when the graduate works at that employer."
        ),
    )
    up = ind.get("upgrading")
    if up is not None:
        section(
            "upgrading",
            _("Qualification upgrading of teachers and mentors (K18)"),
            [
                d.fields(
                    [
                        (_("Upgrading programmes starting in the year"), num(up["programmes"])),
                        (_("… built on training needs"), num(up["from_needs"])),
                        (_("People enrolled"), num(up["enrolled"])),
                        (_("… teachers and masters"), num(up["teachers"])),
                        (_("… employers' mentors"), num(up["mentors"])),
                        (_("Completed with a certificate"), f"{num(up['completed'])} · {pct(up['completed_percent'])}"),
                        (_("Training needs of the year"), num(up["needs"])),
                        (_("… of teachers and masters / of mentors"), f"{num(up['needs_staff'])} / {num(up['needs_mentors'])}"),
                        (_("… with a programme planned / met"), f"{num(up['needs_planned'])} / {num(up['needs_met'])}"),
                    ]
                )
            ],
            _("Programmes developed on the analysis of training needs of teachers and mentors (п. 56 item 14)."),
        )
    i = ind["internships"]
    section(
        "internships",
        _("Internships (K22)"),
        [
            d.fields(
                [
                    (_("Internships"), num(i["total"])),
                    (_("Completed successfully"), num(i["successful"])),
                    (_("Certificates issued"), num(i["certificates"])),
                    (_("Average duration, days"), dec(i["average_days"])),
                ]
            ),
            _table([_("Category of intern"), _("Internships")], _choice_rows(i["by_category"], Placement.InternCategory)),
            _table([_("Type of internship"), _("Internships")], _choice_rows(i["by_type"], Placement.InternshipType)),
        ],
    )
    ap = ind["apprenticeships"]
    section(
        "apprenticeships",
        _("Apprenticeships (K23)"),
        [
            d.fields(
                [
                    (_("Apprenticeships"), num(ap["total"])),
                    (
                        _("Run by the employer outside a WBL programme (to the Independent Certification and Validation Centre)"),
                        num(ap["outside_wbl"]),
                    ),
                ]
            ),
            _table(
                [_("Form of apprenticeship"), _("Apprenticeships")], _choice_rows(ap["by_form"], Placement.ApprenticeshipForm)
            ),
        ],
    )
    v, mv = ind["volunteers"], ind["visits"]
    section(
        "volunteers",
        _("Volunteering recognised as practice (K21) and monitoring visits"),
        [
            d.fields(
                [
                    (_("Volunteering submitted, not decided"), num(v["submitted"])),
                    (_("Recognised as practice"), num(v["recognised"])),
                    (_("Rejected"), num(v["rejected"])),
                    (_("Hours recognised"), num(v["hours"])),
                    (_("Monitoring visits to employers"), num(mv["count"])),
                    (_("Employers visited"), num(mv["employers"])),
                ]
            )
        ],
    )
    events_section = event_report.section(ind, num, pct, _choice_rows, _table)
    if events_section:  # a report frozen before events were counted has none
        out.append(events_section)
    from kesip.wbl import report_kpis

    kpis_section = report_kpis.section(ind, num, pct, dec)
    if kpis_section:  # likewise a report frozen before K2, K5, K8, K12, K13 were counted
        out.append(kpis_section)
    return out


def agreement_rows(agreements):
    """The employers' agreement list: employer, answer, date, who answered, remarks."""
    return [
        [a.employer.name, a.get_status_display(), a.agreed_on.strftime("%d.%m.%Y") if a.agreed_on else "", a.agreed_by, a.remarks]
        for a in agreements
    ]


# The columns of the consolidated view: a label and how to read it from one institution's indicators.
COLUMNS = [
    ("learners", lambda: _("Learners"), lambda i: num(i["learners"]["total"])),
    ("placements", lambda: _("Placements"), lambda i: num(i["placements"]["counted"])),
    ("employers", lambda: _("Employers"), lambda i: num(i["employers"]["hosting"])),
    ("agreements", lambda: _("Agreements"), lambda i: num(i["agreements"]["total"])),
    ("share", lambda: _("WBL share"), lambda i: pct(i["share"]["percent"])),
    ("mentor", lambda: _("With a mentor"), lambda i: pct(i["mentors"]["coverage_percent"])),
    ("diary", lambda: _("Diary graded"), lambda i: pct(i["diary"]["completion_percent"])),
    ("lag", lambda: _("Grading lag, days"), lambda i: dec(i["diary"]["average_lag"])),
    ("briefings", lambda: _("Briefed"), lambda i: pct(i["briefings"]["percent"])),
    ("documents", lambda: _("Review and characterisation"), lambda i: pct(i["completion"]["percent"])),
    ("grade", lambda: _("Average grade"), lambda i: dec(i["assessments"]["average"], 2)),
    ("passed", lambda: _("Passed"), lambda i: pct(i["assessments"]["pass_percent"])),
    ("women", lambda: _("Women"), lambda i: pct(i["gender_total"]["female_percent"])),
    ("promised", lambda: _("Graduates promised employment"), lambda i: num(i["graduates"]["employment_promised"])),
    ("employed", lambda: _("Graduates working"), lambda i: pct(i["graduates"].get("employed_percent"))),
    ("host", lambda: _("At a host employer"), lambda i: num(i["graduates"].get("host_employer"))),
    ("upgrading", lambda: _("Upgrading participants"), lambda i: num(i.get("upgrading", {}).get("enrolled"))),
    ("internships", lambda: _("Internships"), lambda i: num(i["internships"]["total"])),
    ("apprenticeships", lambda: _("Apprenticeships"), lambda i: num(i["apprenticeships"]["total"])),
    ("volunteers", lambda: _("Volunteering recognised"), lambda i: num(i["volunteers"]["recognised"])),
    ("visits", lambda: _("Monitoring visits"), lambda i: num(i["visits"]["count"])),
    ("events", lambda: _("WBL events held"), lambda i: num(i.get("events", {}).get("held"))),
]


def consolidated_table(rows, total, reports):
    """Header, one row per institution (with the state of its report for the year) and the totals row."""
    header = [_("Institution"), *[label() for _k, label, _g in COLUMNS], _("Report")]
    body = []
    for institution, ind in rows:
        report = reports.get(institution.pk)
        body.append(
            {
                "institution": institution,
                "cells": [get(ind) for _k, _l, get in COLUMNS],
                "report": report,
                "report_label": report.get_status_display() if report else _("not opened"),
            }
        )
    totals = [get(total) for _k, _l, get in COLUMNS]
    return header, body, totals


def status_badge(status):
    return {
        AnnualReport.Status.DRAFT: "text-bg-secondary",
        AnnualReport.Status.SENT: "text-bg-warning",
        AnnualReport.Status.FINAL: "text-bg-success",
        AnnualReport.Status.PUBLISHED: "text-bg-primary",
    }.get(status, "text-bg-light")
