"""The rulebook as plain functions, and the one exception a broken rule raises.

`rule(code, jurisdiction)` returns the Rule in force; `value(...)` its number. Nothing else in
Kesip hard-codes a regulatory number. `check_min` / `check_max` compare a quantity with a rule
and raise `RuleViolation` naming the clause.
"""

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _


class RuleViolation(Exception):
    """A regulation says no. Carries a stable code, a message for people, the legal source and the field."""

    def __init__(self, code, message, source="", field=None):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.source = str(source)
        self.field = field

    def as_dict(self):
        return {"code": self.code, "message": self.message, "source": self.source, "field": self.field}


class RuleMissing(LookupError):
    """The rulebook has no rule with this code for this jurisdiction and date: a data error."""


def rule(code, jurisdiction, on=None):
    """The Rule in force for `code` in `jurisdiction` on `on` (today by default)."""
    from kesip.core.models import Rule

    on = on or datetime.date.today()
    found = (
        Rule.objects.select_related("document")
        .filter(code=code, jurisdiction=jurisdiction, effective_from__lte=on)
        .exclude(effective_to__lt=on)
        .order_by("-effective_from")
        .first()
    )
    if found is None:
        raise RuleMissing(f"No rule {code!r} for {jurisdiction} on {on}")
    return found


def in_force(jurisdiction, prefixes=(), on=None):
    """Every rule of `jurisdiction` in force on `on` (optionally only codes under `prefixes`), by code, in one query.

    A code absent from the result does not apply in that jurisdiction: validators that check
    many rules at once (a whole programme) read this map instead of asking rule by rule.
    """
    from django.db.models import Q

    from kesip.core.models import Rule

    on = on or datetime.date.today()
    qs = Rule.objects.select_related("document").filter(jurisdiction=jurisdiction, effective_from__lte=on)
    qs = qs.exclude(effective_to__lt=on)
    if prefixes:
        cond = Q()
        for prefix in prefixes:
            cond |= Q(code__startswith=prefix)
        qs = qs.filter(cond)
    found = {}
    for r in qs.order_by("code", "-effective_from"):
        found.setdefault(r.code, r)
    return found


def value(code, jurisdiction, on=None):
    """The number of the rule in force, as a Decimal."""
    return rule(code, jurisdiction, on).value


def _number(x):
    return f"{Decimal(x).normalize():f}"


def check_min(code, jurisdiction, quantity, field=None, on=None):
    """Raise RuleViolation unless quantity >= the rule's value."""
    r = rule(code, jurisdiction, on)
    if Decimal(quantity) < r.value:
        raise RuleViolation(
            code,
            _("%(title)s: at least %(limit)s %(unit)s, but %(actual)s given.")
            % {"title": r.title, "limit": _number(r.value), "unit": r.get_unit_display(), "actual": _number(quantity)},
            r.source,
            field,
        )
    return r


def check_max(code, jurisdiction, quantity, field=None, on=None):
    """Raise RuleViolation unless quantity <= the rule's value."""
    r = rule(code, jurisdiction, on)
    if Decimal(quantity) > r.value:
        raise RuleViolation(
            code,
            _("%(title)s: at most %(limit)s %(unit)s, but %(actual)s given.")
            % {"title": r.title, "limit": _number(r.value), "unit": r.get_unit_display(), "actual": _number(quantity)},
            r.source,
            field,
        )
    return r
