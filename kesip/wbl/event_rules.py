"""The rules of WBL events (п. 7, 7.1, 7.2, 15, 53 §5): plain functions over an event and a rulebook.

Each returns every broken rule at once as RuleViolation objects naming their field and clause. A
code absent from the country's rulebook does not apply there (a Kazakh college has no п. 7.2 jury
rule); the rules that only follow the data model (dates in order, records of one institution) hold
everywhere and then carry no clause.

Hard: the stage follows the form (п. 7.1, 7.2), the discipline is a component of the group's
working curriculum (п. 53 §5), a held event has learners recorded present (its hours count in the
WBL share and the report). Soft: a professional competition or exhibition has an employers' jury
(VR-55, п. 7.2) — it warns and the user may acknowledge it and go ahead.
"""

from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kesip.core.rules import RuleViolation

STAGE = "wbl.event.stage"
DISCIPLINE = "wbl.event.discipline"
ATTENDANCE = "wbl.event.held.attendance"
JURY = "wbl.event.jury"  # VR-55 (Soft)

SOFT = frozenset({JURY})

# The kinds judged by a jury of employers (п. 7.2: “professional competitions and exhibitions (jury — employers)”).
JUDGED_KINDS = ("competition",)


def day(value):
    return date_format(value, "d.m.Y") if value else ""


def _source(book, code):
    return book[code].source if code in book else ""


def found(book, code, message, field):
    return RuleViolation(code, message, _source(book, code), field)


def is_soft(violation):
    return violation.code in SOFT


def stage_for(kind, chosen=""):
    """The stage of a form of event (п. 7.1, 7.2): fixed by the form, the user's choice only for “other”."""
    from kesip.wbl.models import WblEvent

    if kind == WblEvent.Kind.OTHER:
        return chosen or ""
    return str(WblEvent.STAGE_OF.get(kind, "")) or ""


def record_violations(event, book, curriculum_component_ids=None, group_programme_id=None):
    """What an event may not hold: the stage of its form, hours, dates, its own institution's records, the discipline.

    `curriculum_component_ids`: the components of the group's working curriculum (a set), or None
    when the group has none; then the discipline must at least be of the group's programme
    (`group_programme_id`).
    """
    from kesip.wbl.models import WblEvent

    out = []
    for name in ("group", "component", "employer", "organiser"):
        related = getattr(event, name) if getattr(event, f"{name}_id") else None
        if related is not None and related.institution_id != event.institution_id:
            out.append(RuleViolation("wbl.event.institution", _("Choose a record of this institution."), "", name))
    if event.kind not in WblEvent.Kind.values:
        out.append(RuleViolation("wbl.event.kind", _("Choose the form of the event."), "", "kind"))
    elif event.kind == WblEvent.Kind.OTHER:
        if event.stage not in WblEvent.Stage.values:
            out.append(
                found(book, STAGE, _("An event of another form: say which stage of WBL it belongs to (п. 7.1, 7.2)."), "stage")
            )
    else:
        expected = WblEvent.STAGE_OF[event.kind]
        if event.stage and event.stage != expected:
            out.append(
                found(
                    book,
                    STAGE,
                    _("“%(kind)s” is of stage “%(stage)s”.")
                    % {"kind": WblEvent.Kind(event.kind).label, "stage": WblEvent.Stage(expected).label},
                    "stage",
                )
            )
    if event.hours is None or Decimal(event.hours) <= 0:
        out.append(RuleViolation("wbl.event.hours", _("Give the hours of the event: more than 0."), "", "hours"))
    if event.starts_on and event.ends_on and event.ends_on < event.starts_on:
        out.append(RuleViolation("wbl.event.dates", _("The event cannot end before it starts."), "", "ends_on"))
    if not (event.title or "").strip():
        out.append(RuleViolation("wbl.event.title", _("Give the title of the event."), "", "title"))
    if not out:
        v = discipline_violation(event, book, curriculum_component_ids, group_programme_id)
        if v:
            out.append(v)
    return out


def discipline_violation(event, book, curriculum_component_ids, group_programme_id):
    """п. 53 §5: a WBL form other than practice is attached to a discipline — one the group studies."""
    if not (event.component_id and event.group_id):
        return None
    component = event.component
    if curriculum_component_ids is not None:
        if component.pk in curriculum_component_ids:
            return None
        return found(
            book,
            DISCIPLINE,
            _("%(component)s is not in the working curriculum of group %(group)s: choose a discipline the group studies.")
            % {"component": component, "group": event.group},
            "component",
        )
    if component.module.programme_id == group_programme_id:
        return None
    return found(
        book,
        DISCIPLINE,
        _("%(component)s is not a discipline of the programme of group %(group)s.")
        % {"component": component, "group": event.group},
        "component",
    )


def held_violations(event, book, present_count, today):
    """Hard: a held event took place (not after today) and has learners recorded present."""
    out = []
    if event.starts_on and event.starts_on > today:
        out.append(
            RuleViolation(
                "wbl.event.held_date",
                _("The event is on %(date)s: it is marked held from that day.") % {"date": day(event.starts_on)},
                "",
                "status",
            )
        )
    least = book[ATTENDANCE].value if ATTENDANCE in book else Decimal(1)
    if present_count < least:
        out.append(
            found(
                book,
                ATTENDANCE,
                _("Record the attendance first: a held event has at least %(least)s learner present.")
                % {"least": f"{Decimal(least).normalize():f}"},
                "attendance",
            )
        )
    return out


def jury_warnings(event, book, juror_count):
    """VR-55 (Soft, п. 7.2): a professional competition or exhibition is judged by a jury of employers."""
    if JURY not in book or event.kind not in JUDGED_KINDS:
        return []
    least = book[JURY].value
    if juror_count >= least:
        return []
    return [
        found(
            book,
            JURY,
            _(
                "A professional competition or exhibition is judged by a jury of employers: "
                "%(n)s juror recorded, at least %(least)s expected."
            )
            % {"n": juror_count, "least": f"{Decimal(least).normalize():f}"},
            "jury",
        )
    ]
