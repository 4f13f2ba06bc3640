"""The year's plan of measures to support the educational process, developed with the employers (F8; п. 56 item 1).

The institution's WBL staff keep it; an employer's users read the measures developed with their
employer. One transaction per step; a refused save names each field and changes nothing.
"""

import datetime

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kesip.core.models import Employer
from kesip.core.rules import RuleViolation
from kesip.wbl.common import WblInvalid, locked, may
from kesip.wbl.models import SupportMeasure

M = SupportMeasure


def may_keep(user, institution_id):
    return may(user, M, "change", institution_id)


def year_start(academic_year):
    return datetime.date(academic_year, 9, 1)


def violations(measure, today):
    from kesip.wbl.report_measures import common_violations

    found = common_violations(measure, today)
    if measure.academic_year is None or not 2000 <= measure.academic_year <= 2100:
        found.append(
            RuleViolation("wbl.measure.year", _("Give the academic year as four digits, e.g. 2025."), "", "academic_year")
        )
    elif measure.due_on and measure.due_on < year_start(measure.academic_year):
        found.append(
            RuleViolation(
                "wbl.measure.due_on",
                _("A measure of the plan is due after the start of its year, %(start)s.")
                % {"start": date_format(year_start(measure.academic_year), "d.m.Y")},
                "",
                "due_on",
            )
        )
    if measure.employer_id:
        e = measure.employer
        if e.institution_id != measure.institution_id or e.kind == Employer.Kind.OWN_BASE:
            found.append(
                RuleViolation("wbl.measure.employer", _("Choose a partner employer of this institution."), "", "employer")
            )
    return found


def save(measure, user, today=None):
    """Add a measure to the plan, or change one. Returns the measure."""
    today = today or datetime.date.today()
    with transaction.atomic():
        if measure.pk:
            current = locked(M, measure.pk)
            measure.institution_id = current.institution_id
        if not measure.institution_id or not may_keep(user, measure.institution_id):
            raise RuleViolation("wbl.permission", _("The institution's WBL staff keep the plan of measures."), "", None)
        found = violations(measure, today)
        if found:
            raise WblInvalid(found)
        measure.text, measure.responsible = measure.text.strip(), measure.responsible.strip()
        measure.save()
    return measure


def delete(measure, user):
    with transaction.atomic():
        current = locked(M, measure.pk)
        if not may_keep(user, current.institution_id):
            raise RuleViolation("wbl.permission", _("The institution's WBL staff keep the plan of measures."), "", None)
        current.delete()
