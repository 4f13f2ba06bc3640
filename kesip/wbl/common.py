"""What every WBL workflow shares: who may act, the row lock of a step, the rulebook of the country.

A workflow step (one function per transition, in the module of its concern) takes the record,
locks its row, checks the status it starts from and the rules, changes state and saves — all in
one transaction, so a refused step changes nothing. A step that finds several broken rules raises
`WblInvalid` listing all of them; one broken rule raises `RuleViolation`.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from kesip.core import access
from kesip.core.rules import RuleViolation, in_force
from kesip.wbl.models import WblSettings


class WblInvalid(Exception):
    """The record breaks rules; `violations` lists every one of them (RuleViolation objects)."""

    def __init__(self, violations):
        super().__init__("; ".join(v.message for v in violations))
        self.violations = list(violations)


def raise_all(violations):
    """Raise WblInvalid when there is anything in `violations` (hard rules only)."""
    violations = [v for v in violations if v is not None]
    if violations:
        raise WblInvalid(violations)


MILITARY_BODY = "wbl.scope.military_state_body"  # VR-1, п. 1


def out_of_scope(institution, field=None, book=None):
    """VR-1 (п. 1): the violation when the institution is an educational organisation of a state body with
    military service, which the regulation does not apply to (None otherwise, or where the rule is not in force)."""
    if not getattr(institution, "military_state_body", False):
        return None
    book = book if book is not None else rulebook(institution)
    found = book.get(MILITARY_BODY)
    if found is None:
        return None
    return RuleViolation(
        MILITARY_BODY,
        _(
            "%(institution)s is an educational organisation of a state body with military service: the regulation on "
            "work-based learning does not apply to it, so no WBL agreement, placement or programme is recorded for it."
        )
        % {"institution": institution},
        found.source,
        field,
    )


def refuse_out_of_scope(institution, field=None, book=None):
    """Raise WblInvalid when the institution is outside the WBL regulation (VR-1)."""
    raise_all([out_of_scope(institution, field, book)])


def rulebook(institution, on=None):
    """The WBL rules in force for the institution's country, by code (one query)."""
    return in_force(institution.jurisdiction, ("wbl.", "curriculum.wbl_load"), on)


def settings_for(institution):
    """The institution's answers to the regulation's open questions (defaults when never changed)."""
    return WblSettings.of(institution)


def may(user, model, action, institution_id):
    """Whether `user` may `action` (view / change) records of `model` of the institution. `None` is the system (demo)."""
    if user is None:
        return True
    return access.scope_for(user, model, action).allows_institution(institution_id)


def require(user, model, action, obj, field="status"):
    """Refuse the step unless the user may `action` the record's institution (employer users: their employer's record)."""
    if user is None:
        return
    if obj.pk is not None and model.objects.for_user(user, action).filter(pk=obj.pk).exists():
        return
    if may(user, model, action, obj.institution_id):
        return
    raise RuleViolation("wbl.permission", _("You may not take this step."), "", field)


def locked(model, pk, *select):
    """The row locked for a step (only its own row: joined nullable relations are not locked)."""
    qs = model.objects.select_for_update(of=("self",))
    if select:
        qs = qs.select_related(*select)
    return qs.get(pk=pk)


def expect_status(obj, allowed, message, field="status"):
    """Refuse the step unless the record is in one of the `allowed` statuses."""
    if obj.status not in allowed:
        raise RuleViolation(f"wbl.{obj._meta.model_name}.status", message, "", field)


def atomic_step(func):
    """Run a workflow step in one transaction."""

    def wrapper(*args, **kwargs):
        with transaction.atomic():
            return func(*args, **kwargs)

    wrapper.__name__, wrapper.__doc__, wrapper.__wrapped__ = func.__name__, func.__doc__, func
    return wrapper
