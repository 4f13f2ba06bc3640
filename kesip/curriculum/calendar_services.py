"""The calendar schedule's workflow: one function per step, each in one transaction.

A schedule is opened as a draft for a group and an academic year; its periods are added, changed
and removed only while it is a draft. The head (or an institution or system administrator, who
hold `approve_calendar`) approves it only when `calendar_violations` finds nothing; reopening
returns it to a draft. Placements read only approved schedules (`calendar_rules.practice_window`).
"""

import datetime
from types import SimpleNamespace

from django.db import transaction
from django.utils.translation import gettext as _

from kesip.core import access
from kesip.core.rules import RuleViolation
from kesip.curriculum.calendar_rules import calendar_violations, default_year_of_study
from kesip.curriculum.services import ProgrammeInvalid

SCHEDULE_FIELDS = ("academic_year", "year_of_study", "practice_mode", "note")
PERIOD_FIELDS = ("kind", "starts_on", "ends_on", "component", "note")


class CalendarApproval:
    """The permission area of approving a schedule, `approve_calendar`, as `access.scope_for` reads a model."""

    access_area = "calendar"
    _meta = SimpleNamespace(model_name="calendar")


def may_change(user, institution_id):
    from kesip.curriculum.models import CalendarSchedule

    return access.scope_for(user, CalendarSchedule, "change").allows_institution(institution_id)


def may_approve(user, institution_id):
    return access.scope_for(user, CalendarApproval, "approve").allows_institution(institution_id)


def _refuse_unless_may_change(user, institution_id, field="status"):
    if not may_change(user, institution_id):
        raise RuleViolation("curriculum.calendar.permission", _("You may not take this step."), "", field)


def _locked_draft(schedule):
    """The schedule, locked for the rest of the transaction; refused unless it is a draft."""
    from kesip.curriculum.models import CalendarSchedule

    locked = CalendarSchedule.objects.select_for_update().select_related("group__programme", "institution").get(pk=schedule.pk)
    if not locked.is_editable:
        raise RuleViolation(
            "curriculum.calendar.frozen", _("The schedule is approved: reopen it before changing it."), "", "status"
        )
    return locked


def open_calendar(group, academic_year, practice_mode, user, year_of_study=None, note=""):
    """A draft schedule for the group's academic year; the year of study follows from the intake unless given."""
    from kesip.curriculum.models import CalendarSchedule

    _refuse_unless_may_change(user, group.institution_id, "group")
    with transaction.atomic():
        if CalendarSchedule.objects.filter(group=group, academic_year=academic_year).exists():
            raise RuleViolation(
                "curriculum.calendar.exists",
                _("Group %(group)s already has a schedule for %(from)s–%(to)s.")
                % {"group": group, "from": academic_year, "to": academic_year + 1},
                "",
                "academic_year",
            )
        schedule = CalendarSchedule(
            institution_id=group.institution_id,
            group=group,
            academic_year=academic_year,
            year_of_study=year_of_study or default_year_of_study(group, academic_year),
            practice_mode=practice_mode,
            note=note or "",
        )
        schedule.full_clean()
        schedule.save()
    return schedule


def change_calendar(schedule, user, **fields):
    """Change the academic year, year of study, practice mode or note of a draft schedule."""
    from kesip.curriculum.models import CalendarSchedule

    _refuse_unless_may_change(user, schedule.institution_id)
    with transaction.atomic():
        locked = _locked_draft(schedule)
        for name, value in fields.items():
            if name not in SCHEDULE_FIELDS:
                raise ValueError(name)
            setattr(locked, name, "" if name == "note" and value is None else value)
        if "academic_year" in fields and (
            CalendarSchedule.objects.filter(group_id=locked.group_id, academic_year=locked.academic_year)
            .exclude(pk=locked.pk)
            .exists()
        ):
            raise RuleViolation(
                "curriculum.calendar.exists",
                _("Group %(group)s already has a schedule for %(from)s–%(to)s.")
                % {"group": locked.group, "from": locked.academic_year, "to": locked.academic_year + 1},
                "",
                "academic_year",
            )
        if not locked.year_of_study:
            locked.year_of_study = default_year_of_study(locked.group, locked.academic_year)
        locked.full_clean()
        locked.save()
    return locked


def delete_calendar(schedule, user):
    """A draft schedule may be removed with its periods; an approved one is reopened first."""
    _refuse_unless_may_change(user, schedule.institution_id)
    with transaction.atomic():
        _locked_draft(schedule).delete()


def _check_component(period):
    component = period.component
    if component is not None and component.kind != period.kind:
        raise RuleViolation(
            "curriculum.calendar.component_kind",
            _("A practice period holds a practice component, an industrial-training period an industrial-training component."),
            "",
            "component",
        )


def add_period(schedule, user, **fields):
    """A typed period in a draft schedule."""
    from kesip.curriculum.models import CalendarPeriod

    _refuse_unless_may_change(user, schedule.institution_id, "kind")
    with transaction.atomic():
        locked = _locked_draft(schedule)
        period = CalendarPeriod(schedule=locked, institution_id=locked.institution_id)
        return _save_period(period, fields)


def change_period(period, user, **fields):
    _refuse_unless_may_change(user, period.institution_id, "kind")
    with transaction.atomic():
        period.schedule = _locked_draft(period.schedule)
        return _save_period(period, fields)


def _save_period(period, fields):
    for name, value in fields.items():
        if name not in PERIOD_FIELDS:
            raise ValueError(name)
        setattr(period, name, "" if name == "note" and value is None else value)
    period.full_clean()
    _check_component(period)
    period.save()
    return period


def delete_period(period, user):
    _refuse_unless_may_change(user, period.institution_id, "kind")
    with transaction.atomic():
        _locked_draft(period.schedule)
        period.delete()


def approve_calendar(schedule, user, on=None):
    """The head approves the schedule (KZ §4; KG п. 27); refused while any rule is broken, the draft kept."""
    with transaction.atomic():
        locked = _lock(schedule)
        if not may_approve(user, locked.institution_id):
            raise RuleViolation("curriculum.calendar.permission", _("You may not take this step."), "", "status")
        if not locked.is_editable:
            raise RuleViolation("curriculum.calendar.status", _("The schedule is already approved."), "", "status")
        violations = calendar_violations(locked)
        if violations:
            raise ProgrammeInvalid(violations)
        locked.status = locked.Status.APPROVED
        locked.approved_on = on or datetime.date.today()
        locked.approved_by = user
        locked.save()
    return locked


def reopen_calendar(schedule, user):
    """Withdraw the approval: only who may approve may reopen, since placements rely on the approved schedule."""
    with transaction.atomic():
        locked = _lock(schedule)
        if not may_approve(user, locked.institution_id):
            raise RuleViolation("curriculum.calendar.permission", _("You may not take this step."), "", "status")
        if locked.is_editable:
            raise RuleViolation("curriculum.calendar.status", _("The schedule is already a draft."), "", "status")
        locked.status = locked.Status.DRAFT
        locked.approved_on = None
        locked.approved_by = None
        locked.save()
    return locked


def _lock(schedule):
    from kesip.curriculum.models import CalendarSchedule

    return CalendarSchedule.objects.select_for_update().select_related("group__programme", "institution").get(pk=schedule.pk)
