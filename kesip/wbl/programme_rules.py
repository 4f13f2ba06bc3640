"""The rules of a WBL programme (KG WBL regulation п. 50–54), as plain functions over one programme.

`violations(wbl_programme)` returns `(hard, soft)`: every broken rule at once, each a RuleViolation
naming its field — a section's field, or `loadrow-<id>`, `contentrow-<id>`, `rubricitem-<id>` for
a row of a table — and its clause. Hard rules block sending the programme to the employer and its
approval; soft rules are warnings the page shows. A rule whose code is absent from the country's
rulebook does not apply there (the KZ rulebook has no WBL programme template). Checks that only
keep the data consistent — a row's discipline is a component of this programme, a practice row
names its type — apply everywhere and cite no clause.

Two defects of п. 53 are resolved here, and the programme page says so: the text announces
"8 (eight) main sections" but its table lists nine, so the template has nine (`wbl.programme.sections`);
and section 9 links grade descriptors to the competencies "given in section 5", which is the load
table — they are linked to the learning outcomes of section 6.

`wbl_percent(wbl_programme)` computes the WBL share of section 5 in SQL.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kesip.core.rules import RuleViolation
from kesip.wbl.common import rulebook, settings_for
from kesip.wbl.models import AssessmentMethod, LoadRow, PracticeType, WblForm, WblSettings

SECTIONS_RULE = "wbl.programme.sections"
BASES_RULE = "wbl.programme.normative_bases.min"
FORM_RULE = "wbl.programme.form"
ROW_RULE = "wbl.programme.load.row_complete"
DISCIPLINE_RULE = "curriculum.wbl_load.non_practice_form.min_disciplines"
PRACTICE_TYPES_RULE = "wbl.practice.min_types_per_programme"
CONTENT_RULE = "wbl.programme.content.per_practice_type"
HOURS_MATCH_RULE = "wbl.programme.content.hours_match"
DESCRIPTOR_RULE = "wbl.programme.assessment.min_competencies_per_descriptor"
METHODS_RULE = "wbl.programme.assessment.regulation_methods"
CO_DEVELOPER_RULE = "wbl.programme.co_developer"
AGREEMENT_RULE = "wbl.programme.employer_agreement"
ACCESSIBILITY_RULE = "wbl.programme.accessibility"
PERCENT_RULE = "wbl.programme.load.percent_computed"

# Consistency checks that are not the regulation's: they cite no clause and apply in every country.
COMPONENT_CHECK = "wbl.programme.load.component"
PRACTICE_TYPE_CHECK = "wbl.programme.load.practice_type"
COMPETENCY_CHECK = "wbl.programme.competency"
CONTENT_COMPETENCY_CHECK = "wbl.programme.content.competency"

# The methods п. 53 section 9 lists; `AssessmentMethod` extends them (the list "may be extended").
REGULATION_METHODS = (
    AssessmentMethod.PRACTICAL_TASK,
    AssessmentMethod.CASE_STUDY,
    AssessmentMethod.VIDEO_INTERVIEW,
    AssessmentMethod.PROJECT_DEFENCE,
)
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Section:
    number: int
    title: str
    fields: tuple
    hint: str


SECTIONS = (
    Section(
        1,
        gettext_lazy("Introduction"),
        ("normative_base",),
        gettext_lazy(
            "The code and name of the profession and the normative base: the state educational standard, the "
            "professional standard (if there is one), the educational programme and the curriculum."
        ),
    ),
    Section(
        2,
        gettext_lazy("Goal of WBL"),
        ("goal",),
        gettext_lazy("The goals of WBL, in line with the goals written in the educational programme."),
    ),
    Section(
        3,
        gettext_lazy("Form of WBL"),
        ("form",),
        gettext_lazy("The form in which WBL is undergone: dual training, practice, internship or apprenticeship."),
    ),
    Section(
        4,
        gettext_lazy("Procedure for undergoing WBL"),
        ("procedure", "mentor_duties"),
        gettext_lazy("The zones of responsibility of the parties and the duties of mentors at the enterprise."),
    ),
    Section(
        5,
        gettext_lazy("Volume of the study load by WBL form and its schedule"),
        ("load_rows", "season_note", "practice"),
        gettext_lazy(
            "The WBL forms used in each semester, with approximate hours and credits; every form except practice "
            "is attached to a discipline; the WBL percentage is computed from the hours."
        ),
    ),
    Section(
        6,
        gettext_lazy("Learning outcomes of the WBL programme"),
        ("outcomes",),
        gettext_lazy("The results of WBL as the competencies the learner achieves."),
    ),
    Section(
        7,
        gettext_lazy("Content of practical training"),
        ("content_rows",),
        gettext_lazy(
            "For each type of practical training: refined competencies, topics broken down by hours, and the work "
            "environment and equipment needed."
        ),
    ),
    Section(
        8,
        gettext_lazy("Safety norms and labour protection"),
        ("safety",),
        gettext_lazy("The basic information the learner must know when sent to WBL."),
    ),
    Section(
        9,
        gettext_lazy("Rules for assessing and recognising learners' results"),
        ("rubric",),
        gettext_lazy("Assessment methods with grade descriptions linked to the competencies of section 6."),
    ),
)
ROW_SECTIONS = {"loadrow": 5, "contentrow": 7, "rubricitem": 9}


def section_of(field_name):
    """The section number a violation's field belongs to; None for the passport (employer, п. 54)."""
    if not field_name:
        return None
    prefix = field_name.split("-", 1)[0]
    if prefix in ROW_SECTIONS:
        return ROW_SECTIONS[prefix]
    for s in SECTIONS:
        if field_name in s.fields:
            return s.number
    return None


@dataclass
class Snapshot:
    """What the rules read about one programme, fetched in a fixed number of queries."""

    programme: object
    book: dict
    load_rows: list
    content_rows: list
    rubric: list
    outcomes: list
    curriculum_practice_types: list
    programme_competencies: int
    special_needs: int

    @property
    def outcome_ids(self):
        return {c.pk for c in self.outcomes}


def load(wbl_programme, book=None, on=None):
    """The programme with its tables, outcomes and what the rules need of the curriculum (8 queries)."""
    from kesip.core.models import Student
    from kesip.curriculum.models import Competency, Component

    wp = wbl_programme
    book = book if book is not None else rulebook(wp.institution, on)
    return Snapshot(
        programme=wp,
        book=book,
        load_rows=list(
            LoadRow.objects.filter(programme=wp).select_related("component__module").order_by("semester", "position", "pk")
        ),
        content_rows=list(wp.content_rows.select_related("competency").order_by("practice_type", "position", "pk")),
        rubric=list(wp.rubric.prefetch_related("competencies").order_by("method", "position", "pk")),
        outcomes=list(wp.outcomes.order_by("kind", "code")),
        curriculum_practice_types=sorted(
            set(
                Component.objects.filter(module__programme_id=wp.programme_id, kind=Component.Kind.PRACTICE)
                .exclude(practice_type="")
                .values_list("practice_type", flat=True)
            )
        ),
        programme_competencies=Competency.objects.filter(programme_id=wp.programme_id).count(),
        special_needs=Student.objects.filter(
            group__programme_id=wp.programme_id, status=Student.Status.ENROLLED, special_needs=True
        ).count(),
    )


class Found:
    """Violations collected in order; a clause comes from the rulebook when the code is there."""

    def __init__(self, book):
        self.book = book
        self.items = []

    def add(self, code, message, field_name):
        r = self.book.get(code)
        self.items.append(RuleViolation(code, message, r.source if r else "", field_name))


def _blank(text):
    return not (text or "").strip()


def _n(value):
    return f"{Decimal(value).normalize():f}"


def _is_practice_component(component):
    return component.kind in ("practice", "industrial_training")


def load_row_problems(row, programme_id, book):
    """Every problem of one row of section 5, as (code, message, field of the row's form)."""
    problems = []
    if ROW_RULE in book:
        if not row.semester or not 1 <= row.semester <= 12:
            problems.append((ROW_RULE, _("Give the semester (1–12)."), "semester"))
        if not row.hours or row.hours < 1:
            problems.append((ROW_RULE, _("Give the approximate hours: more than zero."), "hours"))
        if row.credits is None or Decimal(row.credits) <= 0:
            problems.append((ROW_RULE, _("Give the volume in credits: more than zero."), "credits"))
    component = row.component if row.component_id else None
    if component is not None and component.module.programme_id != programme_id:
        problems.append(
            (COMPONENT_CHECK, _("%(c)s is not a component of this educational programme.") % {"c": component}, "component")
        )
        return problems
    if row.activity == LoadRow.Activity.PRACTICE:
        if row.practice_type not in PracticeType.values:
            problems.append((PRACTICE_TYPE_CHECK, _("Say which type of practice this is."), "practice_type"))
        if component is not None and not _is_practice_component(component):
            problems.append(
                (
                    COMPONENT_CHECK,
                    _("%(c)s is a subject: a practice row is attached to a practice component or none.") % {"c": component},
                    "component",
                )
            )
        elif component is not None and component.practice_type and row.practice_type != component.practice_type:
            problems.append(
                (
                    PRACTICE_TYPE_CHECK,
                    _("%(c)s is “%(type)s”: choose the same practice type.")
                    % {"c": component, "type": component.get_practice_type_display()},
                    "practice_type",
                )
            )
    elif DISCIPLINE_RULE in book:
        if component is None:
            problems.append(
                (
                    DISCIPLINE_RULE,
                    _("Every WBL form except practice is attached to a discipline: choose the subject."),
                    "component",
                )
            )
        elif component.kind != "subject":
            problems.append(
                (
                    DISCIPLINE_RULE,
                    _("%(c)s is not a subject: attach the form to a discipline of the curriculum.") % {"c": component},
                    "component",
                )
            )
    return problems


def content_row_problems(row, programme_id, book):
    """Every problem of one row of section 7, as (code, message, field of the row's form)."""
    problems = []
    if row.practice_type not in PracticeType.values:
        problems.append((PRACTICE_TYPE_CHECK, _("Say which type of practical training this is."), "practice_type"))
    if not row.competency_id:
        problems.append((CONTENT_RULE, _("Choose the refined competency."), "competency"))
    elif row.competency.programme_id != programme_id:
        problems.append((COMPETENCY_CHECK, _("Choose a competency of this educational programme."), "competency"))
    if CONTENT_RULE in book:
        for name, message in (
            ("topic", _("Give the topic.")),
            ("environment", _("Describe the work environment needed.")),
            ("equipment", _("Name the equipment needed.")),
        ):
            if _blank(getattr(row, name)):
                problems.append((CONTENT_RULE, message, name))
        if not row.hours or row.hours < 1:
            problems.append((CONTENT_RULE, _("Give the hours of the topic: more than zero."), "hours"))
    return problems


def rubric_item_problems(item, competencies, programme_id, outcome_ids, book):
    """Every problem of one rubric item (section 9) with its chosen `competencies`, as (code, message, field)."""
    problems = []
    if item.method not in AssessmentMethod.values:
        problems.append((SECTIONS_RULE, _("Choose the assessment method."), "method"))
    if SECTIONS_RULE in book:
        if _blank(item.level):
            problems.append((SECTIONS_RULE, _("Name the grade."), "level"))
        if _blank(item.descriptor):
            problems.append((SECTIONS_RULE, _("Describe what the grade means."), "descriptor"))
    foreign = [c for c in competencies if c.programme_id != programme_id]
    if foreign:
        problems.append((COMPETENCY_CHECK, _("Choose competencies of this educational programme."), "competencies"))
    rule = book.get(DESCRIPTOR_RULE)
    if rule is not None:
        linked = sum(1 for c in competencies if c.pk in outcome_ids)
        if linked < rule.value:
            problems.append(
                (
                    DESCRIPTOR_RULE,
                    ngettext(
                        "Link the grade description to at least %(n)s competency of section 6 (learning outcomes).",
                        "Link the grade description to at least %(n)s competencies of section 6 (learning outcomes).",
                        int(rule.value),
                    )
                    % {"n": _n(rule.value)},
                    "competencies",
                )
            )
    return problems


def _row_where(row):
    return _("semester %(s)s, %(form)s") % {"s": row.semester, "form": row.get_activity_display()}


def violations(wbl_programme, snapshot=None, on=None):
    """(hard, soft): every rule the programme breaks, in the order of its sections, each with its clause."""
    s = snapshot or load(wbl_programme, on=on)
    wp, book = s.programme, s.book
    hard, soft = Found(book), Found(book)
    sections = SECTIONS_RULE in book
    programme = wp.programme

    # 1. Introduction: code and name come from the programme; the normative base is written; SES + competency-based (п. 51).
    if sections and _blank(wp.normative_base):
        hard.add(SECTIONS_RULE, _("Section 1 “Introduction”: write the normative base of the programme."), "normative_base")
    rule = book.get(BASES_RULE)
    if rule is not None:
        missing = []
        if _blank(programme.standard):
            missing.append(_("the state educational standard (“educational standard” in the programme's passport)"))
        if not s.programme_competencies:
            missing.append(_("a competency-based educational programme (the programme has no competencies)"))
        if 2 - len(missing) < rule.value:
            hard.add(
                BASES_RULE,
                _("Section 1: the state educational standard and a competency-based programme are required; missing: %(m)s.")
                % {"m": "; ".join(str(m) for m in missing)},
                "normative_base",
            )

    # 2. Goal.
    if sections and _blank(wp.goal):
        hard.add(SECTIONS_RULE, _("Section 2 “Goal of WBL”: state the goals of WBL."), "goal")

    # 3. Form (VR-13).
    if FORM_RULE in book and wp.form not in WblForm.values:
        hard.add(
            FORM_RULE, _("Section 3: state the form of WBL — dual training, practice, internship or apprenticeship."), "form"
        )

    # 4. Procedure and mentors' duties.
    if sections and _blank(wp.procedure):
        hard.add(SECTIONS_RULE, _("Section 4: set the zones of responsibility of the parties implementing WBL."), "procedure")
    if sections and _blank(wp.mentor_duties):
        hard.add(SECTIONS_RULE, _("Section 4: define the duties of mentors at the enterprise."), "mentor_duties")

    # 5. Load by form and semester (VR-8, VR-9) and the curriculum's practice (VR-15).
    if not s.load_rows:
        if sections:
            hard.add(SECTIONS_RULE, _("Section 5: add the WBL forms of each semester with their hours and credits."), "load_rows")
    for row in s.load_rows:
        for code, message, _field in load_row_problems(row, wp.programme_id, book):
            hard.add(
                code, _("Section 5, %(where)s: %(message)s") % {"where": _row_where(row), "message": message}, f"loadrow-{row.pk}"
            )
    rule = book.get(PRACTICE_TYPES_RULE)
    if rule is not None and len(s.curriculum_practice_types) < rule.value:
        hard.add(
            PRACTICE_TYPES_RULE,
            _("The curriculum of %(p)s has no practice: at least %(n)s type of practice is part of every programme.")
            % {"p": programme, "n": _n(rule.value)},
            "practice",
        )

    # 6. Learning outcomes.
    if sections and not s.outcomes:
        hard.add(SECTIONS_RULE, _("Section 6: choose the competencies WBL leads to."), "outcomes")
    foreign = [c for c in s.outcomes if c.programme_id != wp.programme_id]
    if foreign:
        hard.add(
            COMPETENCY_CHECK,
            _("Section 6: %(c)s is not a competency of this educational programme.") % {"c": ", ".join(c.code for c in foreign)},
            "outcomes",
        )

    # 7. Content of practical training (VR-12), per type of practice used in section 5.
    used = {}
    for row in s.load_rows:
        if row.activity == LoadRow.Activity.PRACTICE and row.practice_type:
            used[row.practice_type] = used.get(row.practice_type, 0) + row.hours
    content = {}
    for row in s.content_rows:
        content[row.practice_type] = content.get(row.practice_type, 0) + (row.hours or 0)
    if not s.content_rows:
        if sections:
            hard.add(
                SECTIONS_RULE,
                _("Section 7: give the content of practical training — competency, topic, hours, environment and equipment."),
                "content_rows",
            )
    else:
        rule = book.get(CONTENT_RULE)
        if rule is not None:
            for practice_type in used:
                rows = sum(1 for r in s.content_rows if r.practice_type == practice_type)
                if rows < rule.value:
                    hard.add(
                        CONTENT_RULE,
                        _("Section 7 has no content for “%(type)s”, which section 5 uses.")
                        % {"type": PracticeType(practice_type).label},
                        "content_rows",
                    )
        for row in s.content_rows:
            for code, message, _field in content_row_problems(row, wp.programme_id, book):
                hard.add(
                    code,
                    _("Section 7, “%(topic)s”: %(message)s") % {"topic": row.topic or "—", "message": message},
                    f"contentrow-{row.pk}",
                )
        if s.outcomes:
            outside = sorted(
                {r.competency.code for r in s.content_rows if r.competency_id and r.competency_id not in s.outcome_ids}
            )
            if outside:
                soft.add(
                    CONTENT_COMPETENCY_CHECK,
                    _("Section 7 refines competencies that are not among the outcomes of section 6: %(c)s.")
                    % {"c": ", ".join(outside)},
                    "content_rows",
                )
    rule = book.get(HOURS_MATCH_RULE)
    if rule is not None and s.content_rows:
        for practice_type in sorted(set(used) | set(content)):
            planned, broken_down = used.get(practice_type, 0), content.get(practice_type, 0)
            if abs(planned - broken_down) > rule.value:
                soft.add(
                    HOURS_MATCH_RULE,
                    _("“%(type)s”: section 7 breaks down %(content)s hours, section 5 plans %(load)s hours.")
                    % {"type": PracticeType(practice_type).label, "content": broken_down, "load": planned},
                    "content_rows",
                )

    # 8. Safety.
    if sections and _blank(wp.safety):
        hard.add(SECTIONS_RULE, _("Section 8: give the safety norms and labour protection the learner must know."), "safety")

    # 9. Assessment: each grade descriptor linked to competencies of section 6 (VR-10; "section 5" in the text).
    if not s.rubric:
        if sections:
            hard.add(SECTIONS_RULE, _("Section 9: give the assessment methods with grade descriptions."), "rubric")
    else:
        ids = s.outcome_ids
        for item in s.rubric:
            for code, message, _field in rubric_item_problems(item, list(item.competencies.all()), wp.programme_id, ids, book):
                if code == DESCRIPTOR_RULE and not ids:
                    continue  # section 6 is empty: that is the one thing to fix first
                hard.add(
                    code,
                    _("Section 9, %(method)s, grade “%(level)s”: %(message)s")
                    % {"method": item.get_method_display(), "level": item.level or "—", "message": message},
                    f"rubricitem-{item.pk}",
                )
        rule = book.get(METHODS_RULE)
        if rule is not None:
            regulation = {item.method for item in s.rubric if item.method in REGULATION_METHODS}
            if len(regulation) < rule.value:
                soft.add(
                    METHODS_RULE,
                    _(
                        "Section 9 uses none of the regulation's methods: a practical task at the exam with a project "
                        "defence, a case study, or the analysis of a video recording and an interview."
                    ),
                    "rubric",
                )

    # Joint development with an employer (VR-14): the state machine needs someone to agree it.
    if not wp.co_developer_id:
        hard.add(
            CO_DEVELOPER_RULE, _("Name the employer who develops the programme jointly with the institution."), "co_developer"
        )

    # п. 54: adapted forms where learners with special needs study (VR-54, soft).
    rule = book.get(ACCESSIBILITY_RULE)
    if rule is not None and s.special_needs and _blank(wp.accessibility):
        soft.add(
            ACCESSIBILITY_RULE,
            ngettext(
                "%(n)s studying learner of the programme's groups has special educational needs: describe the adapted "
                "forms of practice (п. 54).",
                "%(n)s studying learners of the programme's groups have special educational needs: describe the adapted "
                "forms of practice (п. 54).",
                s.special_needs,
            )
            % {"n": s.special_needs},
            "accessibility",
        )
    return hard.items, soft.items


def section_marks(snapshot, hard, soft):
    """The nine sections in order, each with whether it is filled and the violations that belong to it."""
    s, wp = snapshot, snapshot.programme
    filled = {
        1: not _blank(wp.normative_base),
        2: not _blank(wp.goal),
        3: wp.form in WblForm.values,
        4: not _blank(wp.procedure) and not _blank(wp.mentor_duties),
        5: bool(s.load_rows),
        6: bool(s.outcomes),
        7: bool(s.content_rows),
        8: not _blank(wp.safety),
        9: bool(s.rubric),
    }
    marks = []
    for section in SECTIONS:
        own_hard = [v for v in hard if section_of(v.field) == section.number]
        own_soft = [v for v in soft if section_of(v.field) == section.number]
        state = "complete" if filled[section.number] and not own_hard else ("partial" if filled[section.number] else "empty")
        marks.append({"section": section, "filled": filled[section.number], "state": state, "hard": own_hard, "soft": own_soft})
    return marks


def _percent(part, whole):
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TENTH, ROUND_HALF_UP)


def semester_number(year, semester):
    """The semester of the study period: year×2 − (semester == 1), so year 1 → 1, 2; year 2 → 3, 4; …"""
    return year * 2 - (1 if semester == 1 else 0)


PRACTICE_KINDS = ("practice", "industrial_training")


def wbl_percent(wbl_programme, wbl_settings=None, book=None):
    """The WBL share of the curriculum (п. 53 section 5), total and per semester, summed in SQL.

    numerator: the hours of every row of section 5 (every WBL form, practice included);
    denominator, as the institution chose in its WBL settings (the clause is ambiguous, extract §0
    item 6): all hours of the programme's components, or only its practice and industrial-training
    hours. Per cent = numerator ÷ denominator × 100, rounded half up to 0.1.

    Per semester, the semester's WBL hours are divided by that semester's curriculum hours, taken
    from the entries of the programme's approved working curriculum for the intake year equal to
    the WBL programme's academic year (when there is one; otherwise the per-semester shares are
    None). A working curriculum counts semesters within a year of study (year 1–6, semester 1–2);
    section 5 counts them over the whole study period (1–12): semester = year × 2 − (semester == 1),
    so year 1 semester 1 is semester 1, year 1 semester 2 is semester 2, year 2 semester 1 is 3.

    Returns a dict: the chosen denominator (`denominator`, `denominator_label`), `wbl_hours`,
    `wbl_credits`, `curriculum_hours`, `percent`; the same share counted the other way (`other`);
    `all_hours` and `practice_hours` of the curriculum; `working_curriculum` (id, intake year) or
    None; `semesters`, a list of dicts (`semester`, `year`, `half`, `wbl_hours`, `wbl_credits`,
    `curriculum_hours`, `percent`); and `source`, the clause.
    """
    from kesip.curriculum.models import Component, CurriculumEntry, WorkingCurriculum

    wp = wbl_programme
    chosen = (wbl_settings or settings_for(wp.institution)).wbl_percent_denominator
    practice_only = chosen == WblSettings.Denominator.PRACTICE_HOURS
    per_semester = {
        r["semester"]: r
        for r in LoadRow.objects.filter(programme_id=wp.pk)
        .values("semester")
        .annotate(hours=Sum("hours"), credits=Sum("credits"))
        .order_by("semester")
    }
    totals = Component.objects.filter(module__programme_id=wp.programme_id).aggregate(
        all=Coalesce(Sum("hours"), 0), practice=Coalesce(Sum("hours", filter=Q(kind__in=PRACTICE_KINDS)), 0)
    )
    entries = list(
        CurriculumEntry.objects.filter(
            curriculum__programme_id=wp.programme_id,
            curriculum__intake_year=wp.academic_year,
            curriculum__status=WorkingCurriculum.Status.APPROVED,
        )
        .values("curriculum_id", "year", "semester")
        .annotate(all=Sum("hours"), practice=Coalesce(Sum("hours", filter=Q(component__kind__in=PRACTICE_KINDS)), 0))
        .order_by("year", "semester")
    )
    key = "practice" if practice_only else "all"
    by_semester = {}
    for e in entries:
        n = semester_number(e["year"], e["semester"])
        by_semester[n] = by_semester.get(n, 0) + e[key]
    wbl_hours = sum(r["hours"] for r in per_semester.values())
    wbl_credits = sum((r["credits"] for r in per_semester.values()), Decimal(0))
    semesters = []
    for n in sorted(set(per_semester) | set(by_semester)):
        row = per_semester.get(n, {"hours": 0, "credits": Decimal(0)})
        whole = by_semester.get(n) if entries else None
        semesters.append(
            {
                "semester": n,
                "year": (n + 1) // 2,
                "half": 2 - n % 2,
                "wbl_hours": row["hours"],
                "wbl_credits": row["credits"],
                "curriculum_hours": whole,
                "percent": _percent(row["hours"], whole) if whole is not None else None,
            }
        )
    other = WblSettings.Denominator.ALL_HOURS if practice_only else WblSettings.Denominator.PRACTICE_HOURS
    book = book if book is not None else rulebook(wp.institution)
    rule = book.get(PERCENT_RULE)
    return {
        "denominator": chosen,
        "denominator_label": str(WblSettings.Denominator(chosen).label),
        "wbl_hours": wbl_hours,
        "wbl_credits": wbl_credits,
        "curriculum_hours": totals[key],
        "percent": _percent(wbl_hours, totals[key]),
        "other": {
            "denominator": other,
            "denominator_label": str(WblSettings.Denominator(other).label),
            "curriculum_hours": totals["practice" if key == "all" else "all"],
            "percent": _percent(wbl_hours, totals["practice" if key == "all" else "all"]),
        },
        "all_hours": totals["all"],
        "practice_hours": totals["practice"],
        "working_curriculum": {"id": entries[0]["curriculum_id"], "intake_year": wp.academic_year} if entries else None,
        "semesters": semesters,
        "source": rule.source if rule else "",
    }


def percent_text(value):
    """A share for people: “14.4 %”, or “—” when the curriculum has no hours to count it of."""
    return "—" if value is None else f"{number_format(value, 1)} %"


def with_percent(queryset):
    """Annotate WBL programmes with `wbl_hours`, `all_hours`, `practice_hours` (three subqueries, no join fan-out)."""
    from kesip.curriculum.models import Component

    wbl = LoadRow.objects.filter(programme=OuterRef("pk")).values("programme").annotate(h=Sum("hours")).values("h")
    parts = Component.objects.filter(module__programme=OuterRef("programme_id")).values("module__programme")
    return queryset.annotate(
        wbl_hours=Coalesce(Subquery(wbl), Value(0)),
        all_hours=Coalesce(Subquery(parts.annotate(h=Sum("hours")).values("h")), Value(0)),
        practice_hours=Coalesce(Subquery(parts.filter(kind__in=PRACTICE_KINDS).annotate(h=Sum("hours")).values("h")), Value(0)),
        load_row_count=Coalesce(
            Subquery(LoadRow.objects.filter(programme=OuterRef("pk")).values("programme").annotate(c=Count("pk")).values("c")),
            Value(0),
        ),
    )


def listed_percent(wp, denominators):
    """The share of an annotated list row (`with_percent`), by its institution's choice (`denominators`: id → choice)."""
    chosen = denominators.get(wp.institution_id, WblSettings.Denominator.ALL_HOURS)
    whole = wp.practice_hours if chosen == WblSettings.Denominator.PRACTICE_HOURS else wp.all_hours
    return _percent(wp.wbl_hours, whole)
