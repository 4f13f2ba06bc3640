"""The rules of the calendar schedule of the educational process, as plain functions.

Two kinds of checks, both listed at once by `calendar_violations`:

- consistency checks with no legal number (codes `curriculum.calendar.*` that have no rulebook
  entry, so their source is empty): periods do not overlap and lie in the academic year, there is
  theory unless the year is pure practice, and the practice the approved working curriculum lays
  out in this year of study has its periods;
- rules of the regulations, each read from the rulebook of the institution's country with its
  clause: the final-attestation period of the graduating year (KZ §4), the practice modes of the
  KG WBL regulation (п. 26, VR-18). A code absent from a country's rulebook does not apply there.

`practice_window` answers VR-17 (KG п. 27): practice dates lie within a practice period of the
group's approved schedule. The WBL placements call it.

Practice blocks: the periods are read in date order with holidays left out (holidays are not study
time, so a break does not interrupt a continuous stretch of practice); practice or industrial-
training periods with no other period between them form one block, a theory or attestation period
ends it.
"""

from django.utils import formats
from django.utils.translation import gettext as _

from kesip.core.rules import RuleViolation
from kesip.curriculum.rules import Checker, _n, rulebook_for

WITHIN_CALENDAR = "wbl.practice.dates.within_calendar"
FINAL_IN_GRADUATING_YEAR = "curriculum.calendar.final_attestation.graduating_year"
FINAL_IN_OTHER_YEARS = "curriculum.calendar.final_attestation.other_years"
CONTINUOUS_MAX_BLOCKS = "wbl.practice.mode.continuous.max_blocks"
BY_TYPE_MAX_BLOCKS = "wbl.practice.mode.by_type.max_blocks_per_type"
BY_PERIOD_MIN_BLOCKS = "wbl.practice.mode.by_period.min_blocks"
BY_PERIOD_THEORY_BETWEEN = "wbl.practice.mode.by_period.theory_between"

# Consistency checks: no legal number, so no rulebook entry and an empty source.
OVERLAP = "curriculum.calendar.overlap"
OUTSIDE_YEAR = "curriculum.calendar.outside_year"
THEORY = "curriculum.calendar.theory"
PRACTICE_COMPONENTS = "curriculum.calendar.practice_components"
WORKING_CURRICULUM = "curriculum.calendar.working_curriculum"
YEAR_OF_STUDY = "curriculum.calendar.year_of_study"


def _d(date):
    return formats.date_format(date, "d.m.Y")


def _span(period):
    return f"{_d(period.starts_on)}–{_d(period.ends_on)}"


def programme_years(programme):
    """The study years of a programme, a started year counting: the last one is the graduating year."""
    return max(1, -(-programme.duration_months // 12))


def academic_year_of(date):
    """The academic year (by the year it starts in) a date falls in: 1 September to 31 August."""
    return date.year if date.month >= 9 else date.year - 1


def default_year_of_study(group, academic_year):
    return academic_year - group.intake_year + 1


def load_periods(schedule):
    from kesip.curriculum.models import CalendarPeriod

    return list(
        CalendarPeriod.objects.filter(schedule=schedule)
        .select_related("component__module")
        .order_by("starts_on", "ends_on", "pk")
    )


class PracticePlan:
    """What the group's approved working curriculum lays out for this year of study.

    `practice` maps each practice or industrial-training component to its hours in the year;
    `pure_practice` says the year holds nothing else.
    """

    def __init__(self, curriculum, entries):
        self.curriculum = curriculum
        self.practice = {}
        self.semesters = {}
        self.other_hours = 0
        for e in entries:
            if e.component.is_practice:
                self.practice[e.component] = self.practice.get(e.component, 0) + e.hours
                self.semesters.setdefault(e.component, set()).add(e.semester)
            else:
                self.other_hours += e.hours

    @property
    def pure_practice(self):
        return bool(self.practice) and not self.other_hours


def practice_plan(schedule):
    """The practice of the year from the approved working curriculum of the group's programme and intake."""
    from kesip.curriculum.models import CurriculumEntry, WorkingCurriculum

    group = schedule.group
    wc = (
        WorkingCurriculum.objects.filter(
            programme_id=group.programme_id, intake_year=group.intake_year, status=WorkingCurriculum.Status.APPROVED
        )
        .order_by("pk")
        .first()
    )
    if wc is None:
        return PracticePlan(None, [])
    entries = CurriculumEntry.objects.filter(curriculum=wc, year=schedule.year_of_study).select_related("component__module")
    return PracticePlan(wc, entries.order_by("component__module__position", "component__position", "component__pk", "semester"))


def study_sequence(periods):
    """The periods in date order without holidays: what decides whether practice is continuous."""
    from kesip.curriculum.models import CalendarPeriod

    return [
        p for p in sorted(periods, key=lambda p: (p.starts_on, p.ends_on, p.pk or 0)) if p.kind != CalendarPeriod.Kind.HOLIDAYS
    ]


def practice_blocks(periods, key=None):
    """Runs of practice periods with no other study period between them.

    With `key`, a run holds periods of the same key only (a type of practice): the by-type mode.
    Returns a list of lists of periods.
    """
    blocks, current, current_key = [], [], None
    for p in study_sequence(periods):
        k = key(p) if (key and p.is_practice) else None
        if p.is_practice and current and k == current_key:
            current.append(p)
            continue
        if current:
            blocks.append(current)
        current, current_key = ([p], k) if p.is_practice else ([], None)
    if current:
        blocks.append(current)
    return blocks


def practice_type(period):
    """The type of practice a period holds: its component, or its kind when it names none."""
    return ("component", period.component_id) if period.component_id else ("kind", period.kind)


def _block_text(block):
    return f"{_d(block[0].starts_on)}–{_d(block[-1].ends_on)}"


def calendar_violations(schedule, on=None, periods=None, plan=None):
    """Every rule the schedule breaks, each with its clause. Empty means the head may approve it."""
    from kesip.curriculum.models import CalendarPeriod, CalendarSchedule

    Kind = CalendarPeriod.Kind
    group = schedule.group
    programme = group.programme
    book = rulebook_for(schedule.institution.jurisdiction, on)
    check = Checker(book)
    periods = load_periods(schedule) if periods is None else periods
    plan = practice_plan(schedule) if plan is None else plan
    years = programme_years(programme)

    # Consistency: the year of study exists in the programme.
    if schedule.year_of_study > years:
        check.add(
            YEAR_OF_STUDY,
            _("Year %(year)s is beyond the programme's %(years)s years of study.")
            % {"year": schedule.year_of_study, "years": years},
            "year_of_study",
        )

    # Consistency: periods lie in the academic year and do not overlap.
    for p in periods:
        if p.starts_on < schedule.starts_on or p.ends_on > schedule.ends_on:
            check.add(
                OUTSIDE_YEAR,
                _("%(period)s lies outside the academic year %(from)s–%(to)s.")
                % {"period": p, "from": _d(schedule.starts_on), "to": _d(schedule.ends_on)},
                f"period-{p.pk}",
            )
    running = None
    for p in sorted(periods, key=lambda p: (p.starts_on, p.ends_on, p.pk or 0)):
        if running is not None and p.starts_on <= running.ends_on:
            check.add(
                OVERLAP,
                _("%(period)s overlaps %(other)s.") % {"period": p, "other": running},
                f"period-{p.pk}",
            )
        if running is None or p.ends_on > running.ends_on:
            running = p

    # Consistency: theory, unless the working curriculum makes this a year of practice only.
    if not plan.pure_practice and not any(p.kind == Kind.THEORY for p in periods):
        check.add(THEORY, _("The schedule has no period of theoretical training."), "periods")

    # Consistency: the practice the approved working curriculum lays out in this year has its periods.
    if plan.curriculum is None:
        check.add(
            WORKING_CURRICULUM,
            _(
                "The programme has no approved working curriculum for the intake of %(year)s: "
                "approve it first, the schedule follows it."
            )
            % {"year": group.intake_year},
            "periods",
        )
    else:
        practice = [p for p in periods if p.is_practice]
        named = {p.component_id for p in practice if p.component_id}
        if named:
            for component in plan.practice:
                if component.pk not in named:
                    check.add(
                        PRACTICE_COMPONENTS,
                        _(
                            "The working curriculum plans %(hours)s hours of %(component)s in year %(year)s, "
                            "but no period of the schedule is given to it."
                        )
                        % {"hours": plan.practice[component], "component": component, "year": schedule.year_of_study},
                        "periods",
                    )
            planned = {c.pk for c in plan.practice}
            for p in practice:
                if p.component_id and p.component_id not in planned:
                    check.add(
                        PRACTICE_COMPONENTS,
                        _("%(period)s is given to %(component)s, which the working curriculum does not plan in year %(year)s.")
                        % {"period": p, "component": p.component, "year": schedule.year_of_study},
                        f"period-{p.pk}",
                    )
        elif plan.practice and not practice:
            check.add(
                PRACTICE_COMPONENTS,
                _(
                    "The working curriculum plans practice in year %(year)s (%(components)s), "
                    "but the schedule has no practice period."
                )
                % {"year": schedule.year_of_study, "components": ", ".join(str(c) for c in plan.practice)},
                "periods",
            )

    # KZ §4: the final-attestation period belongs to the graduating year, and only to it.
    finals = sum(1 for p in periods if p.kind == Kind.FINAL_ATTESTATION)
    if schedule.year_of_study == years:
        r = book.get(FINAL_IN_GRADUATING_YEAR)
        if r is not None and finals < r.value:
            check.add(
                FINAL_IN_GRADUATING_YEAR,
                _("Year %(year)s is the graduating year: the schedule includes a final-attestation period.")
                % {"year": schedule.year_of_study},
                "periods",
            )
    else:
        r = book.get(FINAL_IN_OTHER_YEARS)
        if r is not None and finals > r.value:
            check.add(
                FINAL_IN_OTHER_YEARS,
                _("Only the graduating year (year %(years)s) has a final-attestation period; this is year %(year)s.")
                % {"years": years, "year": schedule.year_of_study},
                "periods",
            )

    _practice_mode(check, schedule, periods, CalendarSchedule.PracticeMode)
    return check.found


def _practice_mode(check, schedule, periods, Mode):
    """KG п. 26 (VR-18): continuous, discrete by type, or discrete by period (alternating with theory)."""
    from kesip.curriculum.models import CalendarPeriod

    book = check.book
    if not any(p.is_practice for p in periods):
        return  # a year without practice has no mode to keep
    if schedule.practice_mode == Mode.CONTINUOUS and CONTINUOUS_MAX_BLOCKS in book:
        limit = book[CONTINUOUS_MAX_BLOCKS].value
        blocks = practice_blocks(periods)
        if len(blocks) > limit:
            check.add(
                CONTINUOUS_MAX_BLOCKS,
                _(
                    "Continuous practice is one block of the schedule, but practice falls into %(count)s blocks: %(blocks)s. "
                    "Join them or choose a discrete mode."
                )
                % {"count": len(blocks), "blocks": "; ".join(_block_text(b) for b in blocks)},
                "practice_mode",
            )
    elif schedule.practice_mode == Mode.BY_TYPE and BY_TYPE_MAX_BLOCKS in book:
        limit = book[BY_TYPE_MAX_BLOCKS].value
        by_type = {}
        for block in practice_blocks(periods, key=practice_type):
            by_type.setdefault(practice_type(block[0]), []).append(block)
        for blocks in by_type.values():
            if len(blocks) > limit:
                p = blocks[0][0]
                what = p.component if p.component_id else p.get_kind_display()
                check.add(
                    BY_TYPE_MAX_BLOCKS,
                    _(
                        "Discrete practice by type gives each type one continuous block, "
                        "but %(what)s falls into %(count)s: %(blocks)s."
                    )
                    % {"what": what, "count": len(blocks), "blocks": "; ".join(_block_text(b) for b in blocks)},
                    "practice_mode",
                )
    elif schedule.practice_mode == Mode.BY_PERIOD:
        blocks = practice_blocks(periods)
        if BY_PERIOD_MIN_BLOCKS in book and len(blocks) < book[BY_PERIOD_MIN_BLOCKS].value:
            check.add(
                BY_PERIOD_MIN_BLOCKS,
                _(
                    "Discrete practice by period alternates practice with theory: at least %(limit)s practice blocks, "
                    "but the schedule has %(count)s."
                )
                % {"limit": _n(book[BY_PERIOD_MIN_BLOCKS].value), "count": len(blocks)},
                "practice_mode",
            )
        if BY_PERIOD_THEORY_BETWEEN in book:
            need = book[BY_PERIOD_THEORY_BETWEEN].value
            sequence = study_sequence(periods)
            for before, after in zip(blocks, blocks[1:]):
                start, end = sequence.index(before[-1]), sequence.index(after[0])
                theory = sum(1 for p in sequence[start + 1 : end] if p.kind == CalendarPeriod.Kind.THEORY)
                if theory < need:
                    check.add(
                        BY_PERIOD_THEORY_BETWEEN,
                        _("Practice %(before)s and practice %(after)s are not separated by a period of theory.")
                        % {"before": _block_text(before), "after": _block_text(after)},
                        "practice_mode",
                    )


def practice_window(group, starts_on, ends_on, component=None, on=None):
    """The approved practice period of the group's calendar that holds the dates (VR-17, KG п. 27; KZ §4).

    Raises RuleViolation naming the clause when no approved practice period holds the whole range
    (for `component`: a period reserved for it or open to any practice). Where the country's
    rulebook has no such rule, returns the covering period or None.
    """
    from kesip.curriculum.models import CalendarPeriod, Component

    if starts_on is None or ends_on is None:
        raise RuleViolation("wbl.practice.dates.order", _("Give the dates of the practice."), "", "starts_on")
    if ends_on < starts_on:
        raise RuleViolation("wbl.practice.dates.order", _("Practice cannot end before it starts."), "", "ends_on")
    if component is not None and not isinstance(component, Component):
        found_component = Component.objects.filter(pk=component).first()  # an id will do
        if found_component is None:
            raise RuleViolation("wbl.practice.component", _("Choose a practice component of the programme."), "", "component")
        component = found_component
    found = CalendarPeriod.objects.covering(group, starts_on, ends_on, component).order_by("starts_on", "pk").first()
    if found is not None:
        return found
    r = rulebook_for(group.institution.jurisdiction, on).get(WITHIN_CALENDAR)
    if r is None:
        return None
    years = {academic_year_of(starts_on), academic_year_of(ends_on)}
    approved = list(
        CalendarPeriod.objects.approved()
        .practice()
        .filter(schedule__group=group, schedule__academic_year__in=years)
        .order_by("starts_on", "pk")
    )
    if component is not None:
        approved = [p for p in approved if p.component_id in (None, component.pk)]
    message = _(
        "Practice from %(from)s to %(to)s does not lie within a practice period of the group's approved calendar schedule."
    )
    if component is not None:
        message = _(
            "Practice of %(component)s from %(from)s to %(to)s does not lie within a practice period of the group's "
            "approved calendar schedule."
        )
    message = message % {"from": _d(starts_on), "to": _d(ends_on), "component": component}
    if approved:
        message += " " + _("Approved practice periods: %(periods)s.") % {"periods": "; ".join(_span(p) for p in approved)}
    raise RuleViolation(WITHIN_CALENDAR, message, r.source, "starts_on")
