"""The annual WBL report of an institution for the past academic year (п. 56 item 12, п. 57 item 16; F29, VR-52).

draft (the indicators live) → texts written: how WBL went, the problems, the recommendations →
sent to every employer that hosted placements in the year (a `ReportAgreement` each) → each
employer agrees or makes remarks → final once every employer agreed (VR-52, Hard; the indicators
are frozen into the report as they were that day) → published to stakeholders (п. 56 item 15).
Remarks are worked in by reopening the report (sent or final → draft) and sending it again; a
published report stays as published. Every step runs in one transaction on the locked row; a
refused step changes nothing. `user=None` is the system (the demo loader).

The indicators themselves are computed in `report_indicators` (in SQL, a fixed number of queries).
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from kesip.core import access
from kesip.core.models import Employer, Institution
from kesip.core.rules import RuleViolation
from kesip.wbl.common import WblInvalid, atomic_step, expect_status, locked, rulebook
from kesip.wbl.models import AnnualReport, Placement, ReportAgreement
from kesip.wbl.report_indicators import (  # noqa: F401  (the report's figures, re-exported for the pages and the API)
    COUNTED,
    SHARE_METHOD,
    Days,
    consolidated,
    indicators,
    past_academic_year,
    period,
)

PERIOD_RULE = "wbl.report.annual.period"
RECOMMENDATIONS_RULE = "wbl.report.recommendations"
AGREEMENT_RULE = "wbl.report.employer_agreement"
STEPS = ("send", "finalise", "reopen", "publish")


def reads_figures(user):
    """Whether the user reads institutions' WBL figures in full: their staff, an authority, a system admin.

    Not an employer's people (they read only the reports they are asked to agree) nor students.
    """
    from kesip.core.roles import EMPLOYER_ROLES, PERMISSIONS, PERSONAL_ROLES

    if access.is_system_admin(user):
        return True
    return any(
        "view_wbl" in PERMISSIONS.get(m.role, set()) and m.role not in EMPLOYER_ROLES and m.role not in PERSONAL_ROLES
        for m in access.memberships(user)
    )


def institutions_for(user):
    """The institutions whose WBL figures the user may read in full (not an employer's or a student's view)."""
    scope = access.scope_for(user, AnnualReport, "view")
    if scope.everything:
        return Institution.objects.all()
    return Institution.objects.filter(pk__in=scope.institution_ids)


# --- The workflow ---------------------------------------------------------------------------------


def today_():
    return timezone.localdate()


def parse_day(value):
    """A date stored as ISO text in the frozen indicators (None when absent or malformed)."""
    try:
        return datetime.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def may_manage(user, institution_id):
    """Whether the user prepares the institution's report (its staff with change_wbl; not an employer's people)."""
    return user is None or access.scope_for(user, AnnualReport, "change").allows_institution(institution_id)


def _staff(user, report, field="status"):
    if not may_manage(user, report.institution_id):
        raise RuleViolation("wbl.permission", _("You may not take this step."), "", field)


def _sources(institution, on=None):
    """{rule code: legal source} of the report's rules for the institution's country ("" where a rule does not apply)."""
    book = rulebook(institution, on)
    return {code: book[code].source if code in book else "" for code in (PERIOD_RULE, RECOMMENDATIONS_RULE, AGREEMENT_RULE)}


def _recommendations_violation(report, sources):
    if report.recommendations.strip():
        return None
    return RuleViolation(
        RECOMMENDATIONS_RULE,
        _("Write the recommendations for improving the WBL process and programme before sending the report."),
        sources[RECOMMENDATIONS_RULE],
        "recommendations",
    )


def _year_label(year):
    return f"{year}–{year + 1}"


def period_violation(institution, academic_year, today=None):
    """VR-52: a report covers an academic year that has ended (the last day, 31 August, is still the year)."""
    today = today or today_()
    _start, end = period(academic_year)
    if today <= end:
        return RuleViolation(
            PERIOD_RULE,
            _("The academic year %(year)s ends on %(end)s: its report is prepared from %(next)s, for the year that has passed.")
            % {
                "year": _year_label(academic_year),
                "end": end.strftime("%d.%m.%Y"),
                "next": (end + datetime.timedelta(days=1)).strftime("%d.%m.%Y"),
            },
            _sources(institution, today)[PERIOD_RULE],
            "academic_year",
        )
    return None


def allowed_steps(report, user, agreements=None):
    """The steps this user may take on the report now, for the buttons: edit, send, finalise, reopen, publish."""
    if not may_manage(user, report.institution_id):
        return set()
    R = AnnualReport.Status
    if report.status == R.DRAFT:
        return {"edit", "send"} if report.recommendations.strip() else {"edit"}
    if report.status == R.SENT:
        if agreements is None:
            agreements = list(report.agreements.all())
        steps = {"reopen"}
        if agreements and all(a.status == ReportAgreement.Status.AGREED for a in agreements):
            steps.add("finalise")
        return steps
    if report.status == R.FINAL:
        return {"publish", "reopen"}
    return set()


def may_answer(user, agreement):
    """The employer's representative answers for their employer; the institution's staff record an answer given on paper."""
    if user is None:
        return True
    return ReportAgreement.objects.for_user(user, "change").filter(pk=agreement.pk).exists()


def open_report(institution, academic_year=None, user=None, today=None):
    """Open the institution's report for an academic year (the past one by default); one per institution and year."""
    today = today or today_()
    if academic_year is None:
        academic_year = past_academic_year(today)
    if not may_manage(user, institution.pk):
        raise RuleViolation("wbl.permission", _("You may not prepare this institution's report."), "", "institution")
    if not 1990 <= int(academic_year) <= 2100:
        raise RuleViolation("wbl.report.year", _("Give an academic year between 1990 and 2100."), "", "academic_year")
    violation = period_violation(institution, academic_year, today)
    if violation:
        raise violation
    duplicate = RuleViolation(
        "wbl.report.duplicate",
        _("The institution already has a report for %(year)s.") % {"year": _year_label(academic_year)},
        "",
        "academic_year",
    )
    if AnnualReport.objects.filter(institution=institution, academic_year=academic_year).exists():
        raise duplicate
    try:
        with transaction.atomic():
            return AnnualReport.objects.create(institution=institution, academic_year=academic_year)
    except IntegrityError:  # opened by someone else at the same moment
        raise duplicate from None


@atomic_step
def save_texts(report, summary, problems, recommendations, user=None):
    """Write how WBL went, the problems found and the recommendations (a draft only)."""
    report = locked(AnnualReport, report.pk)
    _staff(user, report, "summary")
    expect_status(report, [AnnualReport.Status.DRAFT], _("The report is sent or final: reopen it to change its texts."))
    report.summary, report.problems, report.recommendations = (
        (summary or "").strip(),
        (problems or "").strip(),
        (recommendations or "").strip(),
    )
    report.save()
    return report


def hosting_employers(report):
    """The employers that hosted the institution's placements of the report's year (not cancelled ones)."""
    start, end = period(report.academic_year)
    hosted = Placement.objects.filter(
        COUNTED, institution_id=report.institution_id, employer=OuterRef("pk"), starts_on__range=(start, end)
    )
    return Employer.objects.partners().filter(Exists(hosted), institution_id=report.institution_id).order_by("name", "pk")


@atomic_step
def send_to_employers(report, user=None, today=None):
    """Send the draft to every employer that hosted placements in the year for agreement (VR-52: recommendations first).

    An employer asked before (the report was reopened) is asked again: its earlier answer stays in
    the history. Returns the report; its agreements are one per hosting employer.
    """
    today = today or today_()
    report = locked(AnnualReport, report.pk, "institution")
    _staff(user, report)
    expect_status(report, [AnnualReport.Status.DRAFT], _("The report has already been sent."))
    sources = _sources(report.institution, today)
    problems = [_recommendations_violation(report, sources), period_violation(report.institution, report.academic_year, today)]
    employers = list(hosting_employers(report))
    if not employers:
        problems.append(
            RuleViolation(
                AGREEMENT_RULE,
                _("No employer hosted placements in %(year)s: there is nobody to agree the report with.")
                % {"year": _year_label(report.academic_year)},
                sources[AGREEMENT_RULE],
                "status",
            )
        )
    problems = [p for p in problems if p is not None]
    if problems:
        raise WblInvalid(problems)
    existing = {a.employer_id: a for a in ReportAgreement.objects.select_for_update().filter(report=report)}
    keep = {e.pk for e in employers}
    for employer_id, agreement in existing.items():
        if employer_id not in keep:
            agreement.delete()
    for employer in employers:
        agreement = existing.get(employer.pk)
        if agreement is None:
            ReportAgreement.objects.create(institution_id=report.institution_id, report=report, employer=employer)
        elif agreement.status != ReportAgreement.Status.PENDING or agreement.agreed_on:
            agreement.status, agreement.agreed_on, agreement.agreed_by, agreement.remarks = (
                ReportAgreement.Status.PENDING,
                None,
                "",
                "",
            )
            agreement.save()
    report.status, report.sent_on = AnnualReport.Status.SENT, today
    report.save()
    return report


ANSWERS = (ReportAgreement.Status.AGREED, ReportAgreement.Status.REMARKS)


@atomic_step
def answer(report_agreement, status, by="", remarks="", user=None, today=None):
    """The employer agrees the report or makes remarks (п. 57 item 16); may change its answer while the report is sent."""
    today = today or today_()
    # The report's row first, as every step locks it: an answer and `finalise` never cross.
    report = locked(AnnualReport, ReportAgreement.objects.values_list("report_id", flat=True).get(pk=report_agreement.pk))
    agreement = locked(ReportAgreement, report_agreement.pk)
    if not may_answer(user, agreement):
        raise RuleViolation("wbl.permission", _("You may not answer for this employer."), "", "status")
    expect_status(report, [AnnualReport.Status.SENT], _("The report is not waiting for the employers' agreement."))
    by, remarks = (by or "").strip(), (remarks or "").strip()
    if not by and user is not None:
        by = user.display_name()
    problems = []
    if status not in ANSWERS:
        problems.append(RuleViolation("wbl.reportagreement.status", _("Agree the report or make remarks."), "", "status"))
    if status == ReportAgreement.Status.REMARKS and not remarks:
        problems.append(
            RuleViolation("wbl.reportagreement.remarks", _("Write the remarks the institution must work in."), "", "remarks")
        )
    if not by:
        problems.append(RuleViolation("wbl.reportagreement.by", _("Say who answered for the employer."), "", "agreed_by"))
    if problems:
        raise WblInvalid(problems)
    agreement.status, agreement.agreed_by, agreement.remarks, agreement.agreed_on = status, by[:255], remarks, today
    agreement.save()
    return agreement


@atomic_step
def finalise(report, user=None, today=None):
    """Make the report final once every employer asked has agreed (VR-52, Hard); the indicators are frozen as of today."""
    today = today or today_()
    report = locked(AnnualReport, report.pk, "institution")
    _staff(user, report)
    expect_status(report, [AnnualReport.Status.SENT], _("Only a report sent to the employers can be made final."))
    sources = _sources(report.institution, today)
    agreements = list(ReportAgreement.objects.filter(report=report).select_related("employer").order_by("employer__name"))
    problems = [p for p in (_recommendations_violation(report, sources),) if p is not None]
    if not agreements:
        problems.append(
            RuleViolation(AGREEMENT_RULE, _("No employer has been asked to agree the report."), sources[AGREEMENT_RULE], "status")
        )
    for a in agreements:
        if a.status == ReportAgreement.Status.PENDING:
            message = _("%(employer)s has not agreed the report yet.") % {"employer": a.employer}
        elif a.status == ReportAgreement.Status.REMARKS:
            message = _("%(employer)s made remarks: reopen the report, work them in and send it again.") % {
                "employer": a.employer
            }
        else:
            continue
        problems.append(RuleViolation(AGREEMENT_RULE, message, sources[AGREEMENT_RULE], f"agreement-{a.pk}"))
    if problems:
        raise WblInvalid(problems)
    frozen = indicators([report.institution_id], report.academic_year)
    frozen["frozen_on"] = today.isoformat()
    report.indicators = frozen
    report.status, report.finalised_on = AnnualReport.Status.FINAL, today
    report.save()
    return report


@atomic_step
def reopen(report, user=None):
    """Back to draft to work in the employers' remarks (from sent or final); a published report stays as published."""
    report = locked(AnnualReport, report.pk)
    _staff(user, report)
    expect_status(
        report,
        [AnnualReport.Status.SENT, AnnualReport.Status.FINAL],
        _("Only a report sent to the employers or final can be reopened; a published report stays as it was published."),
    )
    report.status, report.indicators, report.finalised_on = AnnualReport.Status.DRAFT, {}, None
    report.save()
    return report


@atomic_step
def publish(report, user=None, today=None):
    """Publish the final report to stakeholders (п. 56 item 15)."""
    today = today or today_()
    report = locked(AnnualReport, report.pk)
    _staff(user, report)
    expect_status(report, [AnnualReport.Status.FINAL], _("Only a final report, agreed by every employer, is published."))
    report.status, report.published_on = AnnualReport.Status.PUBLISHED, today
    report.save()
    return report


def take_step(report, name, user=None, today=None):
    """One of STEPS by name (the pages' buttons and the API's `step/`)."""
    if name == "send":
        return send_to_employers(report, user, today)
    if name == "finalise":
        return finalise(report, user, today)
    if name == "reopen":
        return reopen(report, user)
    if name == "publish":
        return publish(report, user, today)
    raise RuleViolation("wbl.report.step", _("There is no such step."), "", "step")


def shown_indicators(report):
    """What the report shows: the frozen figures once final, the live ones before."""
    if report.status in (AnnualReport.Status.FINAL, AnnualReport.Status.PUBLISHED) and report.indicators:
        return report.indicators, True
    return indicators([report.institution_id], report.academic_year), False
