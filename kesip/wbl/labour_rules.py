"""Working time of minors during WBL (F37): the labour law applies to learners (KG WBL regulation п. 11).

The limits are the rulebook's (`wbl.labour.*`): a learner under the age of majority
(`wbl.placement.consent.minor_age`) works at most the minors' hours a week and a day, and a learner
under `wbl.labour.young_age` the lower limits of the youngest. The age is taken on each day.

- Planning (hard): the hours of a placement of a minor stay within what its weeks allow: each
  calendar week of the period allows the weekly limit, or the daily limit times its working days
  (Monday to Saturday) in the period when that is less — the limits of the age on the first day.
- The diary (soft): days and weeks whose entries add up to more than the limit are shown to the
  learner, the mentor and the head of practical training; the entries are kept as written.
"""

import datetime
from decimal import Decimal

from django.db.models import Sum
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kesip.core.rules import RuleViolation

MINOR_AGE = "wbl.placement.consent.minor_age"
MINOR_WEEK = "wbl.labour.minor_max_hours_per_week"
MINOR_DAY = "wbl.labour.minor_max_hours_per_day"
YOUNG_AGE = "wbl.labour.young_age"
YOUNG_WEEK = "wbl.labour.young_max_hours_per_week"
YOUNG_DAY = "wbl.labour.young_max_hours_per_day"


def age_on(born, on):
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def limits(born, on, book):
    """(weekly rule, daily rule, age) that bound a learner born on `born` on the day `on`; (None, None, age) for an adult."""
    if born is None or on is None or MINOR_AGE not in book:
        return None, None, None
    age = age_on(born, on)
    if age >= int(book[MINOR_AGE].value):
        return None, None, age
    if YOUNG_AGE in book and age < int(book[YOUNG_AGE].value):
        return book.get(YOUNG_WEEK), book.get(YOUNG_DAY), age
    return book.get(MINOR_WEEK), book.get(MINOR_DAY), age


def allowed_hours(starts_on, ends_on, week, day):
    """The most hours the weeks of starts_on..ends_on allow: per calendar week, the weekly limit or the daily
    limit times the working days (Monday–Saturday) of the period in that week, whichever is less."""
    total, on = Decimal(0), starts_on
    while on <= ends_on:
        sunday = on + datetime.timedelta(days=6 - on.weekday())
        last = min(sunday, ends_on)
        working = sum(1 for i in range((last - on).days + 1) if (on + datetime.timedelta(days=i)).weekday() < 6)
        cap = week.value if week is not None else None
        if day is not None:
            by_day = day.value * working
            cap = by_day if cap is None else min(cap, by_day)
        total += cap or 0
        on = last + datetime.timedelta(days=1)
    return total


def planned_violation(placement, book):
    """The hard violation of a minor's placement planned with more hours a week than the limit, or None."""
    p = placement
    if not p.hours or not p.student_id or not p.starts_on or not p.ends_on or p.ends_on < p.starts_on:
        return None
    week, day, age = limits(p.student.birth_date, p.starts_on, book)
    if week is None and day is None:
        return None
    allowed = allowed_hours(p.starts_on, p.ends_on, week, day)
    if p.hours <= allowed:
        return None
    rule = week or day
    return RuleViolation(
        rule.code,
        _(
            "%(learner)s is %(age)s on %(day)s: a minor is trained at most %(limit)s hours a week and %(daily)s a day, "
            "which allows %(allowed)s hours from %(start)s to %(end)s, not %(hours)s. Lower the hours or lengthen the period."
        )
        % {
            "learner": p.student,
            "age": age,
            "day": date_format(p.starts_on, "d.m.Y"),
            "limit": f"{week.value.normalize():f}" if week else "—",
            "daily": f"{day.value.normalize():f}" if day else "—",
            "allowed": f"{allowed.normalize():f}",
            "hours": p.hours,
            "start": date_format(p.starts_on, "d.m.Y"),
            "end": date_format(p.ends_on, "d.m.Y"),
        },
        rule.source,
        "hours",
    )


def diary_warnings(placement, book, entries=None):
    """Warnings for the days and weeks where a minor's diary hours exceed the limits (one query)."""
    born = placement.student.birth_date if placement.student_id else None
    if born is None or MINOR_AGE not in book:
        return []
    if entries is None:
        from kesip.wbl.models import DiaryEntry

        entries = DiaryEntry.objects.filter(placement=placement)
    by_day = {row["date"]: row["total"] for row in entries.values("date").annotate(total=Sum("hours")).order_by("date")}
    over_days, weeks = [], {}
    for on, total in by_day.items():
        week, day, _age = limits(born, on, book)
        if day is not None and total > day.value:
            over_days.append((on, total, day))
        if week is not None:
            monday = on - datetime.timedelta(days=on.weekday())
            found = weeks.setdefault(monday, [Decimal(0), week])
            found[0] += total
    found = []
    if over_days:
        rule = over_days[0][2]
        found.append(
            RuleViolation(
                rule.code,
                _("A minor's working day is at most %(limit)s hours; the diary has more on: %(days)s.")
                % {
                    "limit": f"{rule.value.normalize():f}",
                    "days": ", ".join(f"{date_format(on, 'd.m.Y')} ({total.normalize():f})" for on, total, _r in over_days[:10]),
                },
                rule.source,
                "hours",
            )
        )
    over_weeks = [(monday, total, rule) for monday, (total, rule) in sorted(weeks.items()) if total > rule.value]
    if over_weeks:
        rule = over_weeks[0][2]
        found.append(
            RuleViolation(
                rule.code,
                _("A minor's working week is at most %(limit)s hours; the diary has more in the weeks from: %(weeks)s.")
                % {
                    "limit": f"{rule.value.normalize():f}",
                    "weeks": ", ".join(
                        f"{date_format(monday, 'd.m.Y')} ({total.normalize():f})" for monday, total, _r in over_weeks[:10]
                    ),
                },
                rule.source,
                "hours",
            )
        )
    return found
