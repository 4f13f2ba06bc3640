"""Part-time work of learners, rewards and measures, and mentors' requests (F26, F27; п. 13, 57 item 15, 58 items 9–11).

Who acts is the user's employee record (`EmployerPerson.user`) at an employer their membership covers:
a mentor proposes a measure for their own learner and asks to involve a specialist or for
conditions; the employer's representative or head proposes rewards for mentors; only the
employer's head decides (VR-50, VR-51). The institution's WBL staff and the employer's
representative record learners' part-time jobs (VR-49). Every step runs in one transaction on the
locked row and raises `WblInvalid` listing every broken rule; nothing is half-saved. `user=None`
is the system (the demo): the acting person is the one already named on the record.

    save_job / end_job / delete_job        a learner's part-time job
    propose / withdraw / decide            a reward or measure: proposed → approved / rejected
    save_request / withdraw_request / decide_request   a mentor's request: proposed → approved / rejected
"""

import datetime

from django.db.models import Q
from django.utils.translation import gettext as _

from kesip.core import access
from kesip.core.roles import EMPLOYER_ROLES
from kesip.core.rules import RuleViolation
from kesip.wbl import common
from kesip.wbl import engagement_rules as rules
from kesip.wbl.models import Decision, EmployerPerson, Incentive, MentorRequest, PartTimeJob

JOB_FIELDS = ["student", "employer", "position", "contract_number", "contract", "when", "starts_on", "ends_on",
              "hours_per_week", "paid"]  # fmt: skip
INCENTIVE_FIELDS = ["kind", "reason", "amount"]
REQUEST_FIELDS = ["kind", "placement", "specialist", "scope"]


def today():
    return datetime.date.today()


def _refuse(message, field="status"):
    raise RuleViolation("wbl.permission", message, "", field)


# --- Who acts ---------------------------------------------------------------------------------------------


def people_of(user):
    """The user's active employee records at the employers their memberships cover (one query, cached)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_kesip_employer_people", None)
    if cached is None:
        employer_ids = {m.employer_id for m in access.memberships(user) if m.role in EMPLOYER_ROLES and m.employer_id}
        cached = []
        if employer_ids:
            cached = list(
                EmployerPerson.objects.filter(user=user, is_active=True, employer_id__in=employer_ids).select_related("employer")
            )
        user._kesip_employer_people = cached
    return cached


def headed_employer_ids(user):
    return {p.employer_id for p in people_of(user) if p.is_head}


def person_at(user, employer_id):
    """The user's employee record at the employer, or None."""
    return next((p for p in people_of(user) if p.employer_id == employer_id), None)


def head_at(user, employer_id):
    return next((p for p in people_of(user) if p.employer_id == employer_id and p.is_head), None)


def _staff(user, model, institution_id):
    """The institution's own staff who change WBL records (not an employer's people)."""
    return common.may(user, model, "change", institution_id)


# --- What a user sees -------------------------------------------------------------------------------------


def visible_jobs(user):
    """As scoped; a mentor sees only the part-time work of the learners they mentor (not the whole employer's)."""
    qs = PartTimeJob.objects.for_user(user, "view")
    scope = access.scope_for(user, PartTimeJob, "view")
    if scope.mentor_user_ids and not (scope.everything or scope.institution_ids):
        from kesip.wbl.models import Placement

        mentored = Placement.objects.filter(mentor__user=user).values("student_id")
        qs = qs.filter(Q(student_id__in=mentored) | Q(employer_id__in=scope.employer_ids))
    return qs


def visible_incentives(user):
    """As scoped; and a head sees every proposal to their employer, a mentor the approved rewards they received,
    a learner only the measures approved on them (not proposals or rejected ones)."""
    scope = access.scope_for(user, Incentive, "view")
    if scope.everything:
        return Incentive.objects.all()
    q = scope.q("institution", Incentive)
    heads = headed_employer_ids(user)
    if heads:
        q |= Q(employer_id__in=heads)
    mine = [p.pk for p in people_of(user) if p.is_mentor]
    if mine:
        q |= Q(mentor_id__in=mine, status=Decision.APPROVED)
    qs = Incentive.objects.filter(q)
    if scope.student_user_ids:
        qs = qs.exclude(Q(placement__student__user=user) & ~Q(status=Decision.APPROVED))
    if scope.represented_student_ids:
        qs = qs.exclude(Q(placement__student_id__in=scope.represented_student_ids) & ~Q(status=Decision.APPROVED))
    return qs


def visible_requests(user):
    """As scoped (a mentor: their own); and a head sees every request to their employer."""
    scope = access.scope_for(user, MentorRequest, "view")
    if scope.everything:
        return MentorRequest.objects.all()
    q = scope.q("institution", MentorRequest)
    heads = headed_employer_ids(user)
    if heads:
        q |= Q(mentor__employer_id__in=heads)
    return MentorRequest.objects.filter(q)


# --- Part-time work (п. 13, VR-49) ------------------------------------------------------------------------


def may_record_job(user, job):
    """The institution's WBL staff, or the representative of the job's employer."""
    if user is None:
        return True
    if _staff(user, PartTimeJob, job.institution_id):
        return True
    return bool(job.employer_id) and job.employer_id in access.scope_for(user, PartTimeJob, "change").employer_ids


def job_steps(job, user):
    return {"edit", "end", "delete"} if may_record_job(user, job) else set()


def _model_errors(obj):
    from django.core.exceptions import ValidationError

    try:
        obj.full_clean(exclude=["institution", "contract"], validate_constraints=False)  # the dates: the rules
    except ValidationError as exc:
        found = []
        for field, messages in exc.message_dict.items():
            for message in messages:
                found.append(RuleViolation(f"wbl.{obj._meta.model_name}.{field}", message, "", field))
        return found
    return []


@common.atomic_step
def save_job(job, user):
    """Record a learner's part-time job, or change it (VR-49: vacations or free time, part-time)."""
    if job.pk:
        stored = common.locked(PartTimeJob, job.pk)
        if stored.institution_id != job.institution_id or not may_record_job(user, stored):
            _refuse(_("You may not take this step."), "student")
    if not may_record_job(user, job):
        _refuse(_("The institution's WBL staff or the employer's representative record part-time work."), "employer")
    book = common.rulebook(job.institution, job.starts_on)
    common.raise_all(_model_errors(job) or rules.job_violations(job, book))
    job.save()
    return job


@common.atomic_step
def end_job(job, on, user):
    """The job ends early, on `on` (its first day at the earliest, its planned last day at the latest)."""
    current = common.locked(PartTimeJob, job.pk)
    if not may_record_job(user, current):
        _refuse(_("You may not take this step."), "ends_on")
    if on is None or on < current.starts_on or on > current.ends_on:
        raise common.WblInvalid(
            [
                RuleViolation(
                    "wbl.parttime.dates",
                    _("The work ends between %(from)s and %(to)s.")
                    % {"from": rules.day(current.starts_on), "to": rules.day(current.ends_on)},
                    "",
                    "ends_on",
                )
            ]
        )
    current.ends_on = on
    current.save(update_fields=["ends_on", "updated_at"])
    return current


@common.atomic_step
def delete_job(job, user):
    current = common.locked(PartTimeJob, job.pk)
    if not may_record_job(user, current):
        _refuse(_("You may not take this step."))
    current.delete()


def job_check(job):
    """For the job's page: the vacation it lies in (or the days outside), and the hours limit that applies."""
    book = common.rulebook(job.institution, job.starts_on)
    limit, minor = rules.hours_limit(job, book)
    return {"violations": rules.job_violations(job, book), "limit": limit, "minor": minor}


# --- Rewards and measures (п. 13, п. 57 item 15, п. 58 item 11; VR-51) -------------------------------------


def _recipient_employer(incentive):
    if incentive.placement_id:
        return incentive.placement.employer_id
    if incentive.mentor_id:
        return incentive.mentor.employer_id
    return None


def proposer_for(user, incentive):
    """The user's employee record that proposes the measure (None when the user is nobody there)."""
    return person_at(user, _recipient_employer(incentive))


def may_propose_for_placement(user, placement):
    person = person_at(user, placement.employer_id)
    return person is not None and (placement.mentor_id == person.pk or person.is_head or person.is_representative)


def may_reward(user, mentor):
    person = person_at(user, mentor.employer_id)
    return person is not None and person.pk != mentor.pk and (person.is_head or person.is_representative)


@common.atomic_step
def propose(incentive, user, on=None):
    """Propose a reward, an incentive or a disciplinary measure (or change a proposal while it is undecided)."""
    i = incentive
    if i.pk:
        stored = common.locked(Incentive, i.pk)
        if stored.status != Decision.PROPOSED:
            raise RuleViolation(
                "wbl.incentive.status", _("The decision is taken: the proposal is no longer changed."), "", "status"
            )
        me = person_at(user, stored.employer_id) if user is not None else None
        if user is not None and (me is None or me.pk != stored.proposed_by_id):
            _refuse(_("Only who proposed the measure changes it."))
        i.placement_id, i.mentor_id, i.proposed_by_id = stored.placement_id, stored.mentor_id, stored.proposed_by_id
        i.institution_id, i.employer_id, i.proposed_on = stored.institution_id, stored.employer_id, stored.proposed_on
    employer_id = _recipient_employer(i)
    if employer_id is None:
        raise common.WblInvalid(
            [RuleViolation("wbl.incentive.recipient", _("Name either the learner or the mentor."), "", "placement")]
        )
    i.employer_id = employer_id
    recipient = i.placement if i.placement_id else i.mentor
    i.institution_id = recipient.institution_id
    if user is not None:
        proposer = person_at(user, employer_id)
        if proposer is None:
            _refuse(_("A measure is proposed by the learner's mentor or the employer's representative or head."), "placement")
        i.proposed_by = proposer
    elif not i.proposed_by_id:
        raise common.WblInvalid(
            [RuleViolation("wbl.incentive.proposed_by", _("Name who proposes the measure."), "", "proposed_by")]
        )
    i.status = Decision.PROPOSED
    i.proposed_on = i.proposed_on or on or today()
    book = common.rulebook(i.institution, i.proposed_on)
    common.raise_all(rules.incentive_violations(i, i.proposed_by, book))
    i.save()
    return i


@common.atomic_step
def withdraw(incentive, user):
    current = common.locked(Incentive, incentive.pk)
    if current.status != Decision.PROPOSED:
        raise RuleViolation("wbl.incentive.status", _("Only an undecided proposal is withdrawn."), "", "status")
    if user is not None:
        me = person_at(user, current.employer_id)
        if me is None or me.pk != current.proposed_by_id:
            _refuse(_("Only who proposed the measure withdraws it."))
    current.delete()


def _decide(model, record, decision, user, note, on, head, employer_id, code, date_field):
    if decision not in (Decision.APPROVED, Decision.REJECTED):
        raise common.WblInvalid([RuleViolation(f"wbl.{model._meta.model_name}.decision", _("Approve or reject."), "", "status")])
    if user is not None:
        head = head_at(user, employer_id)
        if head is None:
            book = common.rulebook(record.institution)
            violation = rules.decision_violations(
                record, person_at(user, employer_id) or EmployerPerson(), book, code, employer_id
            )
            raise common.WblInvalid(
                violation or [RuleViolation("wbl.permission", _("Only the employer's head decides."), "", "status")]
            )
    elif head is None:
        raise common.WblInvalid([RuleViolation("wbl.permission", _("Name the employer's head who decides."), "", "decided_by")])
    book = common.rulebook(record.institution)
    found = rules.decision_violations(record, head, book, code, employer_id)
    common.expect_status(record, [Decision.PROPOSED], _("The decision is already taken."))
    decided_on = on or today()
    if decided_on < getattr(record, date_field):
        found.append(
            RuleViolation(
                f"wbl.{model._meta.model_name}.decided_on", _("The decision comes after the proposal."), "", "decided_on"
            )
        )
    if decision == Decision.REJECTED and not (note or "").strip():
        found.append(RuleViolation(f"wbl.{model._meta.model_name}.note", _("Say why it is rejected."), "", "decision_note"))
    return found, head, decided_on


@common.atomic_step
def decide(incentive, decision, user, note="", on=None, head=None):
    """The employer's head approves or rejects the proposal (VR-51); the mentor cannot."""
    current = common.locked(Incentive, incentive.pk, "institution", "placement", "mentor")
    found, head, decided_on = _decide(
        Incentive, current, decision, user, note, on, head, current.employer_id, rules.HEAD_DECIDES, "proposed_on"
    )
    common.raise_all(found)
    current.status, current.decided_by, current.decided_on = decision, head, decided_on
    current.decision_note = (note or "").strip()
    current.save()
    return current


def incentive_steps(incentive, user):
    steps = set()
    if incentive.status != Decision.PROPOSED:
        return steps
    if user is None:
        return {"edit", "withdraw", "decide"}
    me = person_at(user, incentive.employer_id)
    if me is not None and me.pk == incentive.proposed_by_id:
        steps |= {"edit", "withdraw"}
    if head_at(user, incentive.employer_id) is not None:
        steps.add("decide")
    return steps


# --- Mentors' requests (п. 58 items 9–10; VR-50) -----------------------------------------------------------


def mentor_person(user, employer_id=None):
    """The user's active mentor record (at `employer_id` when given)."""
    return next((p for p in people_of(user) if p.is_mentor and (employer_id is None or p.employer_id == employer_id)), None)


@common.atomic_step
def save_request(request, user, on=None):
    """The mentor asks to involve another specialist, or for conditions (or changes the request while undecided)."""
    r = request
    if r.pk:
        stored = common.locked(MentorRequest, r.pk)
        if stored.status != Decision.PROPOSED:
            raise RuleViolation(
                "wbl.mentorrequest.status", _("The answer is given: the request is no longer changed."), "", "status"
            )
        r.mentor_id, r.institution_id, r.requested_on = stored.mentor_id, stored.institution_id, stored.requested_on
    if user is not None:
        employer_id = r.mentor.employer_id if r.mentor_id else (r.placement.employer_id if r.placement_id else None)
        me = mentor_person(user, employer_id)
        if me is None or (r.mentor_id and r.mentor_id != me.pk):
            _refuse(_("A request is made by the learner's mentor."), "placement")
        r.mentor = me
    elif not r.mentor_id:
        raise common.WblInvalid([RuleViolation("wbl.mentorrequest.mentor", _("Name the mentor who asks."), "", "mentor")])
    r.institution_id = r.mentor.institution_id
    r.status = Decision.PROPOSED
    r.requested_on = r.requested_on or on or today()
    book = common.rulebook(r.mentor.institution, r.requested_on)
    found = rules.request_violations(r, book)
    if r.placement_id and r.placement.status not in rules.REQUEST_OPEN:
        found.append(
            RuleViolation(
                "wbl.mentorrequest.placement",
                _("A request concerns a learner whose WBL is under way or about to start."),
                "",
                "placement",
            )
        )
    common.raise_all(found)
    r.save()
    return r


@common.atomic_step
def withdraw_request(request, user):
    current = common.locked(MentorRequest, request.pk)
    if current.status != Decision.PROPOSED:
        raise RuleViolation("wbl.mentorrequest.status", _("Only an unanswered request is withdrawn."), "", "status")
    if user is not None:
        me = mentor_person(user)
        if me is None or me.pk != current.mentor_id:
            _refuse(_("Only the mentor who asked withdraws the request."))
    current.delete()


@common.atomic_step
def decide_request(request, decision, user, note="", on=None, head=None):
    """The employer's head approves or rejects (VR-50): an approved specialist is then involved; the specialist
    is checked again (still an active employee of the mentor's employer)."""
    current = common.locked(MentorRequest, request.pk, "institution", "mentor", "specialist", "placement")
    found, head, decided_on = _decide(
        MentorRequest, current, decision, user, note, on, head, current.mentor.employer_id, rules.HEAD_APPROVAL, "requested_on"
    )
    if decision == Decision.APPROVED:
        found += rules.request_violations(current, common.rulebook(current.institution))
    common.raise_all(found)
    current.status, current.decided_by, current.decided_on = decision, head, decided_on
    current.decision_note = (note or "").strip()
    current.save()
    return current


def request_steps(request, user):
    steps = set()
    if request.status != Decision.PROPOSED:
        return steps
    if user is None:
        return {"edit", "withdraw", "decide"}
    me = mentor_person(user)
    if me is not None and me.pk == request.mentor_id:
        steps |= {"edit", "withdraw"}
    if head_at(user, request.mentor.employer_id) is not None:
        steps.add("decide")
    return steps


def involved_specialists(placement):
    """The specialists the head approved for the placement's learner (VR-50): requests about this placement, or the
    mentor's requests about no one learner. Unapproved requests do not count. One query."""
    if not placement.mentor_id:
        return []
    return list(
        MentorRequest.objects.filter(
            Q(placement=placement) | Q(placement__isnull=True, mentor_id=placement.mentor_id),
            kind=MentorRequest.Kind.SPECIALIST,
            status=Decision.APPROVED,
            specialist__is_active=True,
            specialist__employer_id=placement.employer_id,
        )
        .select_related("specialist")
        .order_by("decided_on", "pk")
    )
