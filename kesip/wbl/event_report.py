"""WBL events in the annual report (K16 employer participation; п. 4, 7, 15): the figures, in SQL, and their section.

An event counts in the academic year its first day falls in. Two queries for any number of
events and institutions, each an aggregate grouped by institution:

* the events: by status; the held ones by stage and by form, their hours, the learner-hours
  attended (Σ hours × learners present, from a correlated count), the attendances, the held
  competitions and exhibitions and those judged by a jury of employers (VR-55, п. 7.2);
* who took part: the distinct learners present at a held event, and the distinct employers
  involved — the event's employer or a juror's.

`report_indicators` registers the queries and stores `compose()` under "events"; a report frozen
before events were counted has no "events", and its section is left out.
"""

from django.db.models import Count, DecimalField, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from kesip.core import documents as d
from kesip.core.models import Employer, Institution, Student
from kesip.wbl.models import EventAttendance, EventJuror, WblEvent

E = WblEvent
HELD = Q(status=E.Status.HELD)
JUDGED = ("competition",)


def _present():
    sub = EventAttendance.objects.filter(event=OuterRef("pk"), present=True).order_by().values("event").annotate(c=Count("pk"))
    return Coalesce(Subquery(sub.values("c")), Value(0))


def event_figures(ids, start, end):
    """{institution id: sums} of the year's events (one query)."""
    jury = Exists(EventJuror.objects.filter(event=OuterRef("pk")))
    aggregates = {
        "events": Count("pk"),
        "held": Count("pk", filter=HELD),
        "planned": Count("pk", filter=Q(status=E.Status.PLANNED)),
        "cancelled": Count("pk", filter=Q(status=E.Status.CANCELLED)),
        "hours": Sum("hours", filter=HELD),
        "learner_hours": Sum("learner_hours_each", filter=HELD),
        "attendances": Sum("present", filter=HELD),
        "judged": Count("pk", filter=HELD & Q(kind__in=JUDGED)),
        "judged_with_jury": Count("pk", filter=HELD & Q(kind__in=JUDGED) & Q(jury)),
        **{f"stage__{code}": Count("pk", filter=HELD & Q(stage=code)) for code in E.Stage.values},
        **{f"kind__{code}": Count("pk", filter=HELD & Q(kind=code)) for code in E.Kind.values},
    }
    qs = (
        E.objects.filter(institution_id__in=ids, starts_on__range=(start, end))
        .annotate(present=_present())
        .annotate(learner_hours_each=ExpressionWrapper(F("hours") * F("present"), output_field=DecimalField()))
        .order_by()
        .values("institution_id")
        .annotate(**aggregates)
    )
    from kesip.wbl.report_indicators import _rows

    return _rows(qs)


def event_involvement(ids, start, end):
    """{institution id: {learners, employers}} who took part in the year's held events (one query)."""
    held = E.objects.filter(status=E.Status.HELD, starts_on__range=(start, end))
    learners = (
        Student.objects.filter(
            Exists(EventAttendance.objects.filter(student=OuterRef("pk"), present=True, event__in=held)),
            institution_id=OuterRef("pk"),
        )
        .order_by()
        .values("institution_id")
        .annotate(c=Count("pk"))
        .values("c")
    )
    employers = (
        Employer.objects.filter(
            Q(Exists(held.filter(employer=OuterRef("pk"))))
            | Q(Exists(EventJuror.objects.filter(employer=OuterRef("pk"), event__in=held))),
            institution_id=OuterRef("pk"),
        )
        .order_by()
        .values("institution_id")
        .annotate(c=Count("pk"))
        .values("c")
    )
    qs = (
        Institution.objects.filter(pk__in=ids)
        .annotate(
            institution_id=F("pk"),
            event_learners=Coalesce(Subquery(learners), Value(0)),
            event_employers=Coalesce(Subquery(employers), Value(0)),
        )
        .values("institution_id", "event_learners", "event_employers")
    )
    from kesip.wbl.report_indicators import _rows

    return _rows(qs)


def compose(get):
    """The events block of one institution's indicators; `get(source, name)` reads the sums."""
    return {
        "total": get("ev", "events"),
        "held": get("ev", "held"),
        "planned": get("ev", "planned"),
        "cancelled": get("ev", "cancelled"),
        "hours": get("ev", "hours"),
        "learner_hours": get("ev", "learner_hours"),
        "attendances": get("ev", "attendances"),
        "learners": get("evi", "event_learners"),
        "employers": get("evi", "event_employers"),
        "competitions": get("ev", "judged"),
        "competitions_with_jury": get("ev", "judged_with_jury"),
        "by_stage": {code: get("ev", f"stage__{code}") for code in E.Stage.values},
        "by_kind": {code: get("ev", f"kind__{code}") for code in E.Kind.values},
    }


def finish(ev, pct):
    ev["jury_percent"] = pct(ev["competitions_with_jury"], ev["competitions"])
    return ev


def section(ind, num, pct, choice_rows, table):
    """The report's section on events, or None for a report frozen before events were counted."""
    ev = ind.get("events")
    if not ev:
        return None
    return {
        "key": "events",
        "title": _("WBL events with employers (K16)"),
        "note": _(
            "Events whose first day falls in the year. Learner-hours: the hours of each held event times the learners "
            "present. Employers involved: the employer of a held event or of one of its jurors (п. 7, 15)."
        ),
        "blocks": [
            d.fields(
                [
                    (_("Events held"), num(ev["held"])),
                    (_("Events planned, not held yet"), num(ev["planned"])),
                    (_("Events cancelled"), num(ev["cancelled"])),
                    (_("Hours of the events held"), num(ev["hours"])),
                    (_("Learner-hours attended"), num(ev["learner_hours"])),
                    (_("Learners who attended"), num(ev["learners"])),
                    (_("Employers involved"), num(ev["employers"])),
                    (
                        _("Competitions and exhibitions with a jury of employers"),
                        f"{num(ev['competitions_with_jury'])} / {num(ev['competitions'])} · {pct(ev['jury_percent'])}",
                    ),
                ]
            ),
            d.chart(_("Events held by stage of WBL"), choice_rows(ev["by_stage"], E.Stage)),
            table([_("Form of the event"), _("Events held")], choice_rows(ev["by_kind"], E.Kind), _("All events held")),
        ],
    }
