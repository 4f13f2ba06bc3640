"""The rules of part-time work, rewards and measures, and mentors' requests (KG WBL regulation п. 11, 13, 57–58).

Each function takes the record (and the country's rulebook, `common.rulebook`) and returns a list of
RuleViolation naming its field and clause; the services in `engagement.py` raise them all at once.
A rulebook code absent in the institution's country does not apply; plain data checks (a job ends
after it starts, a specialist of another employer) apply everywhere.

    VR-49  part-time work lies in the vacations of the group's approved calendar, or in free time,
           and is part-time: hours a week at most the rulebook's limit (a lower one for minors, F37)
    VR-50  a specialist is involved only with the head's approval, and must be another active
           employee of the mentor's own employer
    VR-51  a mentor proposes a measure only for their own learner; only the employer's head decides
"""

import datetime
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kesip.core.models import Student
from kesip.core.rules import RuleViolation
from kesip.wbl.models import Incentive, MentorRequest, PartTimeJob, Placement

# Rulebook codes (wbl-regulation-kg.engagement.json).
VACATION_OR_FREE_TIME = "wbl.parttime.vacation_or_free_time"  # VR-49, п. 13
MAX_HOURS = "wbl.parttime.max_hours_per_week"  # VR-49, п. 13 (inferred number)
MINOR_MAX_HOURS = "wbl.parttime.minor_max_hours_per_week"  # F37, п. 11 (inferred number)
MINOR_AGE = "wbl.placement.consent.minor_age"  # the age of majority the placements already use (VR-42)
HEAD_DECIDES = "wbl.incentive.head_decides"  # VR-51, п. 58 item 11
OWN_LEARNER = "wbl.incentive.own_learner"  # VR-51, п. 58 item 11
MENTOR_REWARD = "wbl.incentive.mentor_reward"  # п. 57 item 15
HEAD_APPROVAL = "wbl.mentor_request.head_approval"  # VR-50, п. 58 item 9
SAME_EMPLOYER = "wbl.mentor_request.same_employer"  # VR-50, п. 58 item 9
CONDITIONS = "wbl.mentor_request.conditions"  # п. 58 item 10

# A measure is taken on a learner who is at the employer: from the referral order on (not planned, not cancelled).
AT_EMPLOYER = (
    Placement.Status.ORDERED,
    Placement.Status.BRIEFED,
    Placement.Status.ACTIVE,
    Placement.Status.COMPLETED,
    Placement.Status.ASSESSED,
    Placement.Status.CLOSED,
)
# A request concerns a learner whose WBL is still to run or running.
REQUEST_OPEN = (Placement.Status.ORDERED, Placement.Status.BRIEFED, Placement.Status.ACTIVE)
MENTOR_KINDS = (Incentive.Kind.MORAL_REWARD, Incentive.Kind.MATERIAL_REWARD)
WITH_AMOUNT = (Incentive.Kind.MATERIAL_REWARD, Incentive.Kind.MATERIAL_INCENTIVE)
ONE_DAY = datetime.timedelta(days=1)


def day(value):
    return date_format(value, "d.m.Y") if value else "—"


def _number(x):
    return f"{Decimal(x).normalize():f}"


def age_on(born, on):
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _v(rules, code, message, field):
    r = rules.get(code)
    return RuleViolation(code, message, r.source if r is not None else "", field)


# --- VR-49: part-time work ------------------------------------------------------------------------------


def holiday_gap(group, starts_on, ends_on):
    """The first stretch of days of starts_on..ends_on outside every holiday period of the group's approved
    calendar schedules, as (first, last); None when every day is in a vacation. One query."""
    from kesip.curriculum.models import CalendarPeriod

    periods = (
        CalendarPeriod.objects.approved()
        .filter(schedule__group=group, kind=CalendarPeriod.Kind.HOLIDAYS, starts_on__lte=ends_on, ends_on__gte=starts_on)
        .order_by("starts_on", "pk")
        .values_list("starts_on", "ends_on")
    )
    cursor = starts_on
    for first, last in periods:
        if first > cursor:
            return cursor, min(first - ONE_DAY, ends_on)
        cursor = max(cursor, last + ONE_DAY)
        if cursor > ends_on:
            return None
    return (cursor, ends_on) if cursor <= ends_on else None


def hours_limit(job, rules):
    """The rule that bounds the job's hours a week: the minors' limit for a learner under age on the first day."""
    limit = rules.get(MAX_HOURS)
    minor = rules.get(MINOR_MAX_HOURS)
    born = job.student.birth_date if job.student_id else None
    if minor is not None and born and job.starts_on and MINOR_AGE in rules:
        if age_on(born, job.starts_on) < int(rules[MINOR_AGE].value):
            if limit is None or minor.value < limit.value:
                return minor, True
    return limit, False


def job_violations(job, rules):
    """Every reason the part-time job cannot be recorded (VR-49), each on its field."""
    found = []
    if not job.starts_on or not job.ends_on:
        return [RuleViolation("wbl.parttime.dates", _("Give the first and the last day of the work."), "", "starts_on")]
    if job.ends_on < job.starts_on:
        return [RuleViolation("wbl.parttime.dates", _("The work cannot end before it starts."), "", "ends_on")]
    student = job.student if job.student_id else None
    if student is not None and student.status in (Student.Status.EXPELLED, Student.Status.GRADUATED):
        found.append(
            RuleViolation(
                "wbl.parttime.learner",
                _("%(learner)s no longer studies here (%(status)s).")
                % {"learner": student, "status": student.get_status_display()},
                "",
                "student",
            )
        )
    if job.when == PartTimeJob.When.VACATION and VACATION_OR_FREE_TIME in rules and student is not None:
        if student.group_id is None:
            found.append(
                _v(
                    rules,
                    VACATION_OR_FREE_TIME,
                    _("%(learner)s is in no group, so the vacations of the calendar schedule are unknown.")
                    % {"learner": student},
                    "when",
                )
            )
        else:
            gap = holiday_gap(student.group, job.starts_on, job.ends_on)
            if gap is not None:
                first, last = gap
                found.append(
                    _v(
                        rules,
                        VACATION_OR_FREE_TIME,
                        _(
                            "Work in vacations: %(from)s–%(to)s is not in a vacation of the approved calendar schedule "
                            "of %(group)s. Shorten the work, or record it as work in free time from study."
                        )
                        % {"from": day(first), "to": day(last), "group": student.group},
                        "ends_on" if first > job.starts_on else "starts_on",
                    )
                )
    if job.hours_per_week is not None:
        limit, minor = hours_limit(job, rules)
        if limit is not None and Decimal(job.hours_per_week) > limit.value:
            if minor:
                text = _(
                    "%(learner)s is under %(age)s on the first day: part-time work of a minor is at most %(limit)s hours "
                    "a week, but %(hours)s given."
                ) % {
                    "learner": student,
                    "age": _number(rules[MINOR_AGE].value),
                    "limit": _number(limit.value),
                    "hours": _number(job.hours_per_week),
                }
            else:
                text = _("Part-time work is at most %(limit)s hours a week, but %(hours)s given.") % {
                    "limit": _number(limit.value),
                    "hours": _number(job.hours_per_week),
                }
            found.append(RuleViolation(limit.code, text, limit.source, "hours_per_week"))
    return found


# --- VR-51: rewards and measures ------------------------------------------------------------------------


def incentive_violations(incentive, proposer, rules):
    """Every reason the measure cannot be proposed by `proposer` (an EmployerPerson; None: the system)."""
    found = []
    i = incentive
    placement = i.placement if i.placement_id else None
    mentor = i.mentor if i.mentor_id else None
    if (placement is None) == (mentor is None):
        return [RuleViolation("wbl.incentive.recipient", _("Name either the learner or the mentor."), "", "placement")]
    if placement is not None:
        if placement.employer_id != i.employer_id:
            found.append(
                RuleViolation("wbl.incentive.recipient", _("The learner is placed with another employer."), "", "placement")
            )
        elif placement.status not in AT_EMPLOYER:
            found.append(
                RuleViolation(
                    "wbl.incentive.recipient",
                    _("A measure is taken on a learner referred to the employer; this placement is %(status)s.")
                    % {"status": placement.get_status_display().lower()},
                    "placement",
                )
            )
        if proposer is not None and OWN_LEARNER in rules:
            own = placement.mentor_id == proposer.pk
            leads = proposer.employer_id == i.employer_id and (proposer.is_head or proposer.is_representative)
            if not (own or leads):
                found.append(
                    _v(
                        rules,
                        OWN_LEARNER,
                        _("A mentor proposes a measure only for a learner they mentor; %(learner)s is not yours.")
                        % {"learner": placement.learner},
                        "placement",
                    )
                )
    else:
        if mentor.employer_id != i.employer_id or not mentor.is_mentor:
            found.append(RuleViolation("wbl.incentive.recipient", _("Choose a mentor of this employer."), "", "mentor"))
        if i.kind not in MENTOR_KINDS:
            found.append(_v(rules, MENTOR_REWARD, _("A mentor receives a moral or a material reward (п. 57, item 15)."), "kind"))
        if proposer is not None and MENTOR_REWARD in rules:
            leads = proposer.employer_id == i.employer_id and (proposer.is_head or proposer.is_representative)
            if not leads or proposer.pk == mentor.pk:
                found.append(
                    _v(
                        rules,
                        MENTOR_REWARD,
                        _("A reward for a mentor is proposed by the employer's representative or head, not by the mentor."),
                        "mentor",
                    )
                )
    if i.kind in WITH_AMOUNT:
        if i.amount is not None and i.amount < 0:
            found.append(RuleViolation("wbl.incentive.amount", _("The amount cannot be negative."), "", "amount"))
    elif i.amount is not None:
        found.append(RuleViolation("wbl.incentive.amount", _("Only a material reward or incentive has an amount."), "", "amount"))
    if not (i.reason or "").strip():
        found.append(RuleViolation("wbl.incentive.reason", _("Say what the measure is for."), "", "reason"))
    return found


def decision_violations(record, head, rules, code=HEAD_DECIDES, employer_id=None):
    """VR-51 / VR-50: only the active head of the record's employer decides (None: the system)."""
    if head is None:
        return []
    employer_id = employer_id if employer_id is not None else record.employer_id
    if head.is_head and head.is_active and head.employer_id == employer_id:
        return []
    if code in rules:
        message = (
            _("Only the employer's head decides on a reward or measure; a mentor only proposes it.")
            if code == HEAD_DECIDES
            else _("Only the employer's head approves a mentor's request.")
        )
        return [_v(rules, code, message, "status")]
    return []


# --- VR-50: mentors' requests ---------------------------------------------------------------------------


def request_violations(request, rules):
    """Every reason the mentor's request cannot be made (or approved): a specialist of the same employer."""
    found = []
    r = request
    mentor = r.mentor
    if not mentor.is_mentor or not mentor.is_active:
        found.append(
            RuleViolation("wbl.mentor_request.mentor", _("Only an active mentor of the employer makes a request."), "", "mentor")
        )
    if r.placement_id:
        p = r.placement
        if p.mentor_id != mentor.pk:
            found.append(
                _v(
                    rules,
                    OWN_LEARNER,
                    _("A mentor makes a request about a learner they mentor; %(learner)s is not yours.") % {"learner": p.learner},
                    "placement",
                )
            )
    if r.kind == MentorRequest.Kind.SPECIALIST:
        s = r.specialist if r.specialist_id else None
        if s is None:
            found.append(RuleViolation("wbl.mentor_request.specialist", _("Choose the specialist to involve."), "", "specialist"))
        elif s.employer_id != mentor.employer_id:
            found.append(_v(rules, SAME_EMPLOYER, _("%(person)s works for another employer.") % {"person": s}, "specialist"))
        elif s.pk == mentor.pk:
            found.append(_v(rules, SAME_EMPLOYER, _("Choose another specialist than the mentor."), "specialist"))
        elif not s.is_active:
            found.append(_v(rules, SAME_EMPLOYER, _("%(person)s no longer works there.") % {"person": s}, "specialist"))
    elif r.specialist_id:
        found.append(
            RuleViolation("wbl.mentor_request.specialist", _("A request for conditions names no specialist."), "", "specialist")
        )
    if not (r.scope or "").strip():
        found.append(RuleViolation("wbl.mentor_request.scope", _("Say what the request is for."), "", "scope"))
    return found
