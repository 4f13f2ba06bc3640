"""Part-time work (VR-49), rewards and measures (VR-51) and mentors' requests (VR-50): each rule at its boundary."""

import datetime

import pytest

from kesip.core.rules import RuleViolation
from kesip.wbl import engagement
from kesip.wbl import engagement_rules as rules
from kesip.wbl.common import WblInvalid
from kesip.wbl.models import Decision, Incentive, MentorRequest, PartTimeJob
from kesip.wbl.tests.engagement_setup import SUMMER_TO, college, job, person

pytestmark = pytest.mark.django_db
D = datetime.date


def refused(call, *args, **kwargs):
    with pytest.raises(WblInvalid) as caught:
        call(*args, **kwargs)
    return {v.code: v for v in caught.value.violations}


# --- VR-49: vacations ------------------------------------------------------------------------------------


def test_work_ending_on_the_last_vacation_day_is_recorded():
    t = college()
    saved = engagement.save_job(job(t, ends_on=SUMMER_TO), t.admin)
    assert PartTimeJob.objects.get(pk=saved.pk).ends_on == D(2025, 8, 31)


def test_one_day_into_the_term_is_refused_naming_the_day_and_the_clause():
    t = college()
    found = refused(engagement.save_job, job(t, ends_on=D(2025, 9, 1)), t.admin)
    v = found[rules.VACATION_OR_FREE_TIME]
    assert list(found) == [rules.VACATION_OR_FREE_TIME]
    assert "01.09.2025" in v.message and "п. 13" in v.source and v.field == "ends_on"
    assert not PartTimeJob.objects.exists()


def test_one_day_before_the_vacation_is_refused_on_the_first_day():
    t = college()
    v = refused(engagement.save_job, job(t, starts_on=D(2025, 6, 22), ends_on=D(2025, 7, 10)), t.admin)[
        rules.VACATION_OR_FREE_TIME
    ]
    assert "22.06.2025" in v.message and v.field == "starts_on"
    assert engagement.save_job(job(t, starts_on=D(2025, 6, 23), ends_on=D(2025, 7, 10)), t.admin).pk


def test_adjacent_holiday_periods_make_one_vacation():
    t = college()
    assert engagement.save_job(job(t, starts_on=D(2024, 12, 30), ends_on=D(2025, 1, 12)), t.admin).pk
    found = refused(engagement.save_job, job(t, starts_on=D(2024, 12, 30), ends_on=D(2025, 1, 13)), t.admin)
    assert "13.01.2025" in found[rules.VACATION_OR_FREE_TIME].message


def test_holidays_of_a_draft_schedule_do_not_count():
    t = college()
    t.calendar.status = "draft"
    t.calendar.save()
    assert rules.VACATION_OR_FREE_TIME in refused(engagement.save_job, job(t), t.admin)


def test_free_time_work_may_run_in_the_term():
    t = college()
    assert engagement.save_job(job(t, when="free_time", starts_on=D(2025, 2, 1), ends_on=D(2025, 5, 31)), t.admin).pk


def test_a_learner_without_a_group_has_no_known_vacation():
    t = college()
    t.student.group = None
    t.student.save()
    v = refused(engagement.save_job, job(t), t.admin)[rules.VACATION_OR_FREE_TIME]
    assert "no group" in v.message and v.field == "when"


# --- VR-49: part-time ------------------------------------------------------------------------------------


@pytest.mark.parametrize("when", ["vacation", "free_time"])
def test_hours_a_week_at_the_limit_pass_and_above_are_refused(when):
    t = college()
    limit = engagement.common.rulebook(t.institution)[rules.MAX_HOURS]
    assert limit.value == 20 and limit.comparison == "max" and "Inferred" in limit.note
    assert engagement.save_job(job(t, when=when, hours_per_week=20), t.admin).pk
    v = refused(engagement.save_job, job(t, when=when, hours_per_week="20.5"), t.admin)[rules.MAX_HOURS]
    assert "at most 20 hours a week" in v.message and "20.5" in v.message and v.field == "hours_per_week"


def test_a_minor_has_the_lower_limit_from_the_first_day():
    t = college()
    t.student.birth_date = D(2008, 7, 2)  # 16 on 01.07.2025, 17 the next day
    t.student.save()
    assert engagement.save_job(job(t, hours_per_week=18), t.admin).pk
    v = refused(engagement.save_job, job(t, hours_per_week="18.5"), t.admin)[rules.MINOR_MAX_HOURS]
    assert "under 18" in v.message and "18.5" in v.message
    t.student.birth_date = D(2007, 7, 1)  # 18 on the first day
    t.student.save()
    assert engagement.save_job(job(t, hours_per_week=20), t.admin).pk


def test_in_kazakhstan_the_kg_rules_do_not_apply_but_the_dates_do():
    t = college("KZ")
    assert engagement.save_job(job(t, ends_on=D(2025, 9, 30), hours_per_week=40), t.admin).pk
    found = refused(engagement.save_job, job(t, starts_on=D(2025, 7, 2), ends_on=D(2025, 7, 1)), t.admin)
    assert list(found) == ["wbl.parttime.dates"]


def test_who_records_part_time_work():
    t = college()
    with pytest.raises(RuleViolation):
        engagement.save_job(job(t), t.mentor_user)  # a mentor does not
    assert engagement.save_job(job(t), t.rep_user).pk  # the employer's representative does, for its employer
    with pytest.raises(RuleViolation):
        engagement.save_job(job(t, employer=t.other_employer), t.rep_user)


def test_the_work_ends_early_within_its_dates():
    t = college()
    saved = engagement.save_job(job(t), t.admin)
    assert "ends_on" in refused(engagement.end_job, saved, D(2025, 6, 30), t.admin)["wbl.parttime.dates"].field
    refused(engagement.end_job, saved, D(2025, 9, 1), t.admin)
    assert engagement.end_job(saved, D(2025, 7, 1), t.admin).ends_on == D(2025, 7, 1)


# --- VR-51: rewards and measures -------------------------------------------------------------------------


def proposal(t, **kwargs):
    values = dict(kind="moral_reward", placement=t.placement, reason="Тыкан тигиштер")
    values.update(kwargs)
    return Incentive(**values)


def test_the_mentor_proposes_for_their_learner_and_the_head_approves():
    t = college()
    i = engagement.propose(proposal(t), t.mentor_user, on=D(2025, 3, 20))
    assert (i.status, i.proposed_by, i.employer, i.institution) == (Decision.PROPOSED, t.mentor, t.employer, t.institution)
    done = engagement.decide(i, Decision.APPROVED, t.head_user, on=D(2025, 3, 21))
    assert (done.status, done.decided_by, done.decided_on) == (Decision.APPROVED, t.head, D(2025, 3, 21))


def test_a_mentor_cannot_decide_even_their_own_proposal():
    t = college()
    i = engagement.propose(proposal(t), t.mentor_user)
    v = refused(engagement.decide, i, Decision.APPROVED, t.mentor_user)[rules.HEAD_DECIDES]
    assert "п. 58, item 11" in v.source
    refused(engagement.decide, i, Decision.APPROVED, t.rep_user)  # nor the representative
    i.refresh_from_db()
    assert i.status == Decision.PROPOSED and i.decided_by is None


def test_a_mentor_cannot_propose_for_another_mentors_learner():
    t = college()
    v = refused(engagement.propose, proposal(t, placement=t.other_placement), t.mentor_user)[rules.OWN_LEARNER]
    assert v.field == "placement" and "not yours" in v.message
    assert not Incentive.objects.exists()
    assert engagement.propose(proposal(t, placement=t.other_placement), t.rep_user).pk  # the representative may


def test_a_user_of_another_employer_cannot_propose():
    t = college()
    with pytest.raises(RuleViolation):
        engagement.propose(proposal(t), t.admin)


def test_a_rejection_needs_a_reason_and_a_decision_is_final():
    t = college()
    i = engagement.propose(proposal(t, kind="disciplinary", reason="Кечигүү"), t.mentor_user)
    assert "wbl.incentive.note" in refused(engagement.decide, i, Decision.REJECTED, t.head_user, note=" ")
    engagement.decide(i, Decision.REJECTED, t.head_user, note="Биринчи жолу — эскертүү")
    with pytest.raises(RuleViolation):
        engagement.decide(i, Decision.APPROVED, t.head_user)
    with pytest.raises(RuleViolation):
        engagement.propose(Incentive.objects.get(pk=i.pk), t.mentor_user)


def test_amounts_only_for_material_measures_and_a_planned_learner_is_refused():
    t = college()
    assert "wbl.incentive.amount" in refused(engagement.propose, proposal(t, amount=500), t.mentor_user)
    assert engagement.propose(proposal(t, kind="incentive", amount=500), t.mentor_user).amount == 500
    t.placement.status = "planned"
    t.placement.save()
    assert "wbl.incentive.recipient" in refused(engagement.propose, proposal(t), t.mentor_user)


def test_a_reward_for_a_mentor_is_proposed_by_the_representative_and_decided_by_the_head():
    t = college()
    reward = engagement.propose(Incentive(kind="material_reward", mentor=t.mentor, reason="Насаат", amount=3000), t.rep_user)
    assert engagement.decide(reward, Decision.APPROVED, t.head_user).status == Decision.APPROVED
    found = refused(engagement.propose, Incentive(kind="moral_reward", mentor=t.mentor, reason="Өзүмө"), t.mentor_user)
    assert rules.MENTOR_REWARD in found
    found = refused(engagement.propose, Incentive(kind="disciplinary", mentor=t.mentor, reason="—"), t.rep_user)
    assert found[rules.MENTOR_REWARD].field == "kind"


def test_the_system_proposes_as_the_person_named():
    t = college()
    i = engagement.propose(proposal(t, proposed_by=t.mentor), None)
    assert engagement.decide(i, Decision.APPROVED, None, head=t.head).decided_by == t.head
    refused(
        engagement.decide, engagement.propose(proposal(t, proposed_by=t.mentor), None), Decision.APPROVED, None, head=t.mentor
    )


# --- VR-50: mentors' requests ----------------------------------------------------------------------------


def ask(t, **kwargs):
    values = dict(kind="specialist", placement=t.placement, specialist=t.specialist, scope="Газ менен кесүү")
    values.update(kwargs)
    return MentorRequest(**values)


def test_a_specialist_is_involved_only_once_the_head_approves():
    t = college()
    r = engagement.save_request(ask(t), t.mentor_user, on=D(2025, 3, 5))
    assert r.mentor == t.mentor and engagement.involved_specialists(t.placement) == []
    v = refused(engagement.decide_request, r, Decision.APPROVED, t.mentor_user)[rules.HEAD_APPROVAL]
    assert "п. 58, item 9" in v.source
    assert engagement.involved_specialists(t.placement) == []
    engagement.decide_request(r, Decision.APPROVED, t.head_user, on=D(2025, 3, 6))
    assert [x.specialist for x in engagement.involved_specialists(t.placement)] == [t.specialist]
    assert engagement.involved_specialists(t.other_placement) == []


def test_a_request_about_no_one_learner_covers_all_the_mentors_learners():
    t = college()
    r = engagement.save_request(ask(t, placement=None), t.mentor_user)
    engagement.decide_request(r, Decision.APPROVED, t.head_user)
    assert [x.specialist for x in engagement.involved_specialists(t.placement)] == [t.specialist]


def test_another_employers_specialist_or_the_mentor_is_refused():
    t = college()
    v = refused(engagement.save_request, ask(t, specialist=t.stranger), t.mentor_user)[rules.SAME_EMPLOYER]
    assert "another employer" in v.message and v.field == "specialist"
    assert rules.SAME_EMPLOYER in refused(engagement.save_request, ask(t, specialist=t.mentor), t.mentor_user)
    assert not MentorRequest.objects.exists()


def test_a_specialist_who_left_before_the_approval_is_refused():
    t = college()
    r = engagement.save_request(ask(t), t.mentor_user)
    t.specialist.is_active = False
    t.specialist.save()
    assert rules.SAME_EMPLOYER in refused(engagement.decide_request, r, Decision.APPROVED, t.head_user)
    r.refresh_from_db()
    assert r.status == Decision.PROPOSED


def test_a_mentor_asks_only_about_their_own_learner():
    t = college()
    with pytest.raises(RuleViolation):
        engagement.save_request(ask(t, placement=t.other_placement), t.rep_user)  # not a mentor
    found = refused(engagement.save_request, ask(t, placement=t.other_placement), t.mentor_user)
    assert rules.OWN_LEARNER in found


def test_a_request_for_conditions_names_no_specialist_and_is_answered():
    t = college()
    assert "wbl.mentor_request.specialist" in refused(engagement.save_request, ask(t, kind="conditions"), t.mentor_user)
    r = engagement.save_request(ask(t, kind="conditions", specialist=None, scope="Жеке коргонуу каражаттары"), t.mentor_user)
    done = engagement.decide_request(r, Decision.APPROVED, t.head_user, note="Кийинки жумада")
    assert done.decision_note == "Кийинки жумада" and engagement.involved_specialists(t.placement) == []


def test_the_rules_are_in_the_rulebook_with_their_clauses():
    t = college()
    book = engagement.common.rulebook(t.institution)
    for code, clause in (
        (rules.VACATION_OR_FREE_TIME, "п. 13"),
        (rules.HEAD_DECIDES, "п. 58, item 11"),
        (rules.HEAD_APPROVAL, "п. 58, item 9"),
        (rules.MENTOR_REWARD, "п. 57, item 15"),
    ):
        assert clause in book[code].clause, code
    assert book[rules.MINOR_MAX_HOURS].value == 18 and "Inferred" in book[rules.MINOR_MAX_HOURS].note


def test_a_head_of_two_records_sees_the_employers_proposals_a_student_only_approved_ones():
    t = college()
    i = engagement.propose(proposal(t), t.mentor_user)
    other = engagement.propose(proposal(t, placement=t.other_placement), t.other_mentor_user)
    assert set(engagement.visible_incentives(t.head_user)) == {i, other}
    assert set(engagement.visible_incentives(t.mentor_user)) == {i}
    assert list(engagement.visible_incentives(t.student_user)) == []
    engagement.decide(i, Decision.APPROVED, t.head_user)
    assert list(engagement.visible_incentives(t.student_user)) == [i]
    person(t, last_name="Жаңы")  # another employee changes nothing of it
    assert engagement.incentive_steps(Incentive.objects.get(pk=other.pk), t.head_user) == {"decide"}


def test_the_demo_loads_once_through_the_services():
    from kesip.wbl import demo_engagement

    t = college()
    t.employer.name = demo_engagement.COMPANY
    t.employer.save()
    for p, name in ((t.mentor, "Эсенов"), (t.head, "Султанов"), (t.specialist, "Абдиева")):
        p.last_name = name
        p.save()
    t.placement.status = "closed"
    t.placement.save()
    demo_engagement.load_engagement(t.institution)
    demo_engagement.load_engagement(t.institution)
    r = MentorRequest.objects.get()
    assert (r.status, r.specialist, r.decided_by) == (Decision.APPROVED, t.specialist, t.head)
    assert [x.specialist for x in engagement.involved_specialists(t.placement)] == [t.specialist]
    i = Incentive.objects.get()
    assert (i.status, i.proposed_by, i.decided_by, i.placement) == (Decision.APPROVED, t.mentor, t.head, t.placement)
    j = PartTimeJob.objects.get()
    assert (j.student, j.when, j.starts_on, j.ends_on) == (t.student, "vacation", D(2025, 7, 1), D(2025, 8, 15))
