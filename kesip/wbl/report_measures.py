"""Improvement measures after the annual WBL report and the stakeholders told of them (п. 56 item 15; F30),
and whether the report was on time and agreed by the employers (K26).

The institution's staff plan the measures that follow from the report's recommendations (what, who,
by when) and mark them under way or done. Once the report is published, they tell the stakeholders:
the heads and authorised representatives of the employers that hosted learners in the year (the
notification list), and any further addresses they add. Each notice is kept with its recipients and
text. Every step runs in one transaction; a refused step changes nothing.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kesip.core.rules import RuleViolation
from kesip.wbl.common import WblInvalid, atomic_step, locked
from kesip.wbl.models import AnnualReport, EmployerPerson, ImprovementMeasure, StakeholderNotice, WblSettings
from kesip.wbl.reports import _staff, hosting_employers, period, today_

M = ImprovementMeasure
MAX_EXTRA = 50


def common_violations(measure, today):
    """What any measure needs (an improvement measure, a measure of the year's plan): what, who, and a day once done."""
    found = []
    if not (measure.text or "").strip():
        found.append(RuleViolation("wbl.measure.text", _("Say what the measure is."), "", "text"))
    if not (measure.responsible or "").strip():
        found.append(RuleViolation("wbl.measure.responsible", _("Name who is responsible."), "", "responsible"))
    if measure.status == "done":
        if measure.done_on is None:
            found.append(RuleViolation("wbl.measure.done_on", _("Say when the measure was done."), "", "done_on"))
        elif measure.done_on > today:
            found.append(RuleViolation("wbl.measure.done_on", _("A measure is done on a day that has come."), "", "done_on"))
    elif measure.done_on is not None:
        found.append(
            RuleViolation("wbl.measure.done_on", _("Only a measure that is done has a date of completion."), "", "done_on")
        )
    return found


def measure_violations(measure, today=None):
    found = common_violations(measure, today or today_())
    start, _end = period(measure.report.academic_year)
    if measure.due_on and measure.due_on < start:
        found.append(
            RuleViolation(
                "wbl.measure.due_on",
                _("A measure is due after the start of the report's year, %(start)s.") % {"start": date_format(start, "d.m.Y")},
                "",
                "due_on",
            )
        )
    return found


@atomic_step
def save_measure(measure, user=None, today=None):
    """Add a measure to a report, or change one."""
    report = locked(AnnualReport, measure.report_id)
    _staff(user, report, "text")
    if measure.pk:
        current = locked(M, measure.pk)
        if current.report_id != report.pk:
            raise RuleViolation("wbl.permission", _("You may not take this step."), "", "text")
    measure.report = report
    measure.institution_id = report.institution_id
    found = measure_violations(measure, today)
    if found:
        raise WblInvalid(found)
    measure.save()
    return measure


@atomic_step
def delete_measure(measure, user=None):
    current = locked(M, measure.pk)
    report = locked(AnnualReport, current.report_id)
    _staff(user, report, "text")
    if report.notices.exists() and current.status == M.Status.DONE:
        raise RuleViolation(
            "wbl.measure.status", _("A measure done and made known to stakeholders stays on record."), "", "status"
        )
    current.delete()


def notification_list(report):
    """The heads and authorised representatives, with an e-mail, of the employers that hosted learners in the year."""
    employers = hosting_employers(report)
    people = (
        EmployerPerson.objects.filter(employer__in=employers, is_active=True)
        .filter(Q(is_head=True) | Q(is_representative=True))
        .exclude(email="")
        .select_related("employer")
        .order_by("employer__name", "last_name", "pk")
    )
    return [{"name": str(p), "email": p.email.lower(), "employer": str(p.employer)} for p in people]


def parse_extra(raw):
    """Further addresses typed one per line or separated by commas: (addresses, errors)."""
    found, errors = [], []
    for part in (raw or "").replace(";", ",").replace("\n", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            validate_email(part)
        except ValidationError:
            errors.append(part)
        else:
            found.append(part.lower())
    return found, errors


def notice_text(report, measures):
    lines = [
        _("%(institution)s has published its annual report on work-based learning for %(year)s.")
        % {"institution": report.institution, "year": report},
        "",
        _("Measures to improve WBL (п. 56, item 15):"),
    ]
    for i, m in enumerate(measures, 1):
        due = f" — {_('due')} {date_format(m.due_on, 'd.m.Y')}" if m.due_on else ""
        lines.append(f"{i}. {m.text} ({m.responsible}{due}; {m.get_status_display()})")
    if report.recommendations.strip():
        lines += ["", _("Recommendations of the report:"), report.recommendations.strip()]
    return "\n".join(lines)


def notify(report, user=None, extra="", include_list=True, now=None, deliver=True):
    """Tell the stakeholders of the published report and its measures; returns the StakeholderNotice kept.

    `deliver=False` keeps the notice without mailing it (the demo loader, whose addresses are made up).
    """
    with transaction.atomic():
        report = locked(AnnualReport, report.pk)
        _staff(user, report)
        found = []
        if report.status != AnnualReport.Status.PUBLISHED:
            found.append(
                RuleViolation(
                    "wbl.report.status", _("Publish the report first: stakeholders are told of a published report."), "", "status"
                )
            )
        measures = list(report.measures.order_by("due_on", "pk"))
        if not measures:
            found.append(RuleViolation("wbl.measure.text", _("Add at least one improvement measure first."), "", "measures"))
        addresses, bad = parse_extra(extra)
        if bad:
            found.append(
                RuleViolation("wbl.notice.extra", _("Not e-mail addresses: %(list)s.") % {"list": ", ".join(bad)}, "", "extra")
            )
        if len(addresses) > MAX_EXTRA:
            found.append(
                RuleViolation("wbl.notice.extra", _("At most %(n)s further addresses at once.") % {"n": MAX_EXTRA}, "", "extra")
            )
        recipients = notification_list(report) if include_list else []
        seen = {r["email"] for r in recipients}
        for email in addresses:
            if email not in seen:
                seen.add(email)
                recipients.append({"name": "", "email": email, "employer": ""})
        if not recipients and not found:
            found.append(
                RuleViolation(
                    "wbl.notice.extra",
                    _("Nobody to tell: no host employer's head or representative has an e-mail; add the addresses."),
                    "",
                    "extra",
                )
            )
        if found:
            raise WblInvalid(found)
        subject = _("Annual WBL report %(year)s and the improvement measures") % {"year": report}
        body = notice_text(report, measures)
        notice = StakeholderNotice.objects.create(
            institution_id=report.institution_id,
            report=report,
            sent_at=now or timezone.now(),
            sent_by=user,
            recipients=recipients,
            subject=subject,
            body=body,
        )
        emails = [r["email"] for r in recipients] if deliver else []
        transaction.on_commit(lambda: [send_mail(subject, body, None, [e], fail_silently=True) for e in emails])
    return notice


# --- K26: the report on time and agreed by the employers ---------------------------------------------------------------


def due_on(academic_year, days):
    return period(academic_year)[1] + datetime.timedelta(days=days)


def timeliness(reports, institution_ids, academic_year, today=None):
    """{institution id: {"due_on", "on_time", "agreed", "asked"}} for the year's reports (two queries).

    `on_time` is True when the report became final by the due day, False when it did later or the
    day passed without it, None while the day has not come; `agreed` / `asked` count the employers.
    """
    today = today or today_()
    days = dict(WblSettings.objects.filter(institution_id__in=institution_ids).values_list("institution_id", "report_due_days"))
    default = WblSettings._meta.get_field("report_due_days").default
    ids = [r.pk for r in reports.values()]
    counts = {
        row["pk"]: row
        for row in AnnualReport.objects.filter(pk__in=ids)
        .annotate(asked=Count("agreements"), agreed=Count("agreements", filter=Q(agreements__status="agreed")))
        .values("pk", "asked", "agreed")
    }
    found = {}
    for institution_id in institution_ids:
        due = due_on(academic_year, days.get(institution_id, default))
        report = reports.get(institution_id)
        final_on = report.finalised_on if report else None
        if final_on is not None:
            on_time = final_on <= due
        else:
            on_time = False if today > due else None
        c = counts.get(report.pk, {}) if report else {}
        found[institution_id] = {
            "due_on": due,
            "on_time": on_time,
            "asked": c.get("asked", 0),
            "agreed": c.get("agreed", 0),
            "final_on": final_on,
        }
    return found
