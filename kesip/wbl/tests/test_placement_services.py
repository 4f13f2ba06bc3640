"""The placement workflow: plan, agree the roster, cancel, delete, and the referral order's `mark_ordered`."""

import datetime

import pytest

from kesip.core.roles import Role
from kesip.core.rules import RuleViolation
from kesip.core.tests import factories as f
from kesip.wbl import placement_rules as rules
from kesip.wbl import placements as services
from kesip.wbl.common import WblInvalid
from kesip.wbl.models import Agreement, Order, Placement
from kesip.wbl.tests.placement_setup import FIRST, LAST, college, plan, values

pytestmark = pytest.mark.django_db
S = Placement.Status
AGREED_ON = datetime.date(2025, 2, 20)


def agreed(t, student=None, **kwargs):
    p = plan(t, student=student or t.students[0], **kwargs)
    services.agree_roster([p], AGREED_ON, t.admin)
    p.refresh_from_db()
    return p


def referral(t, placements, kind="referral", status="signed", employer=None):
    order = Order.objects.create(
        institution=t.institution, kind=kind, year=2025, dated=datetime.date(2025, 2, 25), title="Буйрук",
        status=status, signed_on=datetime.date(2025, 2, 25) if status == "signed" else None, employer=employer,
    )  # fmt: skip
    for p in placements:
        order.lines.create(institution=t.institution, placement=p)
    return order


# ---------------------------------------------------------------------------- planning


def test_planning_returns_the_warnings_and_refuses_with_every_hard_rule():
    t = college()
    p = Placement(**values(t, mentor=None))
    warnings = services.save_placement(p, t.admin)
    assert p.pk and p.status == S.PLANNED and [w.code for w in warnings] == [rules.MENTOR]
    bad = Placement(
        **values(t, student=t.students[1], consent_by="", consent_on=None, starts_on=FIRST - datetime.timedelta(days=1))
    )
    with pytest.raises(WblInvalid) as caught:
        services.save_placement(bad, t.admin)
    assert {v.code for v in caught.value.violations} == {rules.CONSENT, rules.WITHIN_CALENDAR}
    assert bad.pk is None and Placement.objects.count() == 1


def test_a_planned_placement_changes_but_its_form_and_learner_do_not_and_a_later_one_does_not_at_all():
    t = college()
    p = plan(t)
    p.hours = 48
    services.save_placement(p, t.admin)
    assert Placement.objects.get(pk=p.pk).hours == 48
    p.student = t.students[1]
    with pytest.raises(RuleViolation) as caught:
        services.save_placement(p, t.admin)
    assert caught.value.field == "student"
    p = Placement.objects.get(pk=p.pk)
    p.form = "dual"
    with pytest.raises(RuleViolation):
        services.save_placement(p, t.admin)
    services.agree_roster([p], AGREED_ON, t.admin)
    p = Placement.objects.get(pk=p.pk)
    p.hours = 12
    with pytest.raises(RuleViolation) as caught:
        services.save_placement(p, t.admin)
    assert caught.value.code == "wbl.placement.status" and Placement.objects.get(pk=p.pk).hours == 48


def test_the_employers_representative_does_not_plan_and_another_institution_may_not_either():
    t = college()
    with pytest.raises(RuleViolation) as caught:
        plan(t, user=t.rep)
    assert caught.value.code == "wbl.permission"
    other = college()
    with pytest.raises(RuleViolation):
        plan(t, user=other.admin)
    assert Placement.objects.count() == 0


def test_planning_fields_of_another_form_are_blanked():
    t = college()
    p = plan(t, individual_programme="не относится", apprenticeship_form="brigade")
    p.refresh_from_db()
    assert p.individual_programme == "" and p.apprenticeship_form == ""


# ---------------------------------------------------------------------------- the roster agreed with the employer


def test_the_employers_representative_or_the_institution_records_the_roster_agreement():
    t = college()
    first = plan(t, student=t.students[0])
    second = plan(t, student=t.students[1])
    done = services.agree_roster([first, second], AGREED_ON, t.rep)
    assert {p.status for p in done} == {S.ROSTER_AGREED}
    first.refresh_from_db()
    assert first.roster_agreed_on == AGREED_ON
    assert services.timeline(first)[-1]["status"] == S.ROSTER_AGREED and services.timeline(first)[0]["status"] == S.PLANNED


def test_a_representative_of_another_employer_may_not_agree_and_a_refusal_changes_nothing():
    t = college()
    p = plan(t)
    stranger = f.member(Role.EMPLOYER_REP, institution=t.institution, employer=f.EmployerFactory(institution=t.institution))
    with pytest.raises(RuleViolation):
        services.agree_roster([p], AGREED_ON, stranger)
    with pytest.raises(WblInvalid) as caught:
        services.agree_roster([p], datetime.date.today() + datetime.timedelta(days=1), t.admin)
    assert caught.value.violations[0].field == "roster_agreed_on"
    with pytest.raises(WblInvalid):
        services.agree_roster([p], datetime.date(2025, 2, 1), t.admin)  # before the consent of 10 February
    p.refresh_from_db()
    assert p.status == S.PLANNED


def test_the_roster_is_agreed_for_all_or_none():
    t = college()
    good = plan(t, student=t.students[0])
    done = agreed(t, student=t.students[1])
    with pytest.raises(WblInvalid) as caught:
        services.agree_roster([good, done], AGREED_ON, t.admin)
    assert str(done.student) in caught.value.violations[0].message
    good.refresh_from_db()
    assert good.status == S.PLANNED


# ---------------------------------------------------------------------------- cancel and delete


def test_cancelling_needs_a_reason_and_stops_at_closed():
    t = college()
    p = agreed(t)
    with pytest.raises(RuleViolation) as caught:
        services.cancel(p, "  ", t.admin)
    assert caught.value.field == "cancel_reason"
    with pytest.raises(RuleViolation):
        services.cancel(p, "Болезнь", t.rep)
    services.cancel(p, "Болезнь", t.admin)
    p.refresh_from_db()
    assert p.status == S.CANCELLED and p.cancel_reason == "Болезнь"
    closed = plan(t, student=t.students[1])
    Placement.objects.filter(pk=closed.pk).update(status=S.CLOSED)
    with pytest.raises(RuleViolation):
        services.cancel(closed, "Поздно", t.admin)


def test_a_cancelled_placement_frees_its_place():
    t = college(places=1)
    p = plan(t, student=t.students[0])
    with pytest.raises(WblInvalid):
        plan(t, student=t.students[1])
    services.cancel(p, "Перевод", t.admin)
    assert plan(t, student=t.students[1]).pk


def test_only_a_planned_placement_no_order_names_is_deleted():
    t = college()
    p = plan(t)
    referral(t, [p], status="draft")
    with pytest.raises(RuleViolation) as caught:
        services.delete_placement(p, t.admin)
    assert caught.value.code == "wbl.placement.ordered"
    q = plan(t, student=t.students[1])
    services.delete_placement(q, t.admin)
    assert not Placement.objects.filter(pk=q.pk).exists()


# ---------------------------------------------------------------------------- mark_ordered (the orders' workflow calls it)


def test_a_signed_referral_orders_the_placements_whose_roster_is_agreed():
    t = college()
    p = agreed(t)
    order = referral(t, [p])
    done = services.mark_ordered([p], order)
    p.refresh_from_db()
    assert done == [p] and p.status == S.ORDERED


def test_mark_ordered_refuses_all_when_one_placement_is_not_ready():
    t = college(places=5)
    ready = agreed(t, student=t.students[0])
    planned = plan(t, student=t.students[1])
    no_mentor = agreed(t, student=t.students[2], mentor=None)
    unlisted = agreed(t, student=t.students[3])
    order = referral(t, [ready, planned, no_mentor])
    with pytest.raises(WblInvalid) as caught:
        services.mark_ordered([ready, planned, no_mentor, unlisted], order)
    codes = [v.code for v in caught.value.violations]
    assert "wbl.placement.status" in codes and rules.MENTOR in codes and "wbl.order.lines" in codes
    assert set(Placement.objects.values_list("status", flat=True)) == {S.PLANNED, S.ROSTER_AGREED}


def test_mark_ordered_refuses_an_order_of_another_kind_or_form():
    t = college()
    p = agreed(t)
    with pytest.raises(RuleViolation):
        services.mark_ordered([p], referral(t, [p], kind="mentor", employer=t.employer))
    with pytest.raises(WblInvalid) as caught:
        services.mark_ordered([p], referral(t, [p], kind="internship_referral"))
    assert caught.value.violations[0].code == "wbl.order.kind"


def test_an_internship_is_ordered_only_when_referral_and_admission_are_both_signed():
    t = college()
    Agreement.objects.filter(pk=t.agreement.pk).update(form="internship")
    teacher = f.StaffFactory(institution=t.institution)
    p = Placement(
        **values(
            t, student=None, form="internship", intern_staff=teacher, practice_type="", component=None, consent_by="",
            consent_on=None, intern_category="teacher", internship_type="production", internship_mode="targeted",
            individual_programme="Задачи", programme_agreed_on=datetime.date(2025, 2, 1), intern_education="Высшее",
            intern_experience="5 лет", intern_position="Мастер", internship_goals="Цели", duration_reason="Две недели",
        )
    )  # fmt: skip
    services.save_placement(p, t.admin)
    services.agree_roster([p], AGREED_ON, t.admin)
    referred = referral(t, [p], kind="internship_referral")
    assert services.mark_ordered([p], referred) == []
    p.refresh_from_db()
    assert p.status == S.ROSTER_AGREED and not services.internship_orders_complete(p)
    admission = referral(t, [p], kind="internship_admission", status="draft", employer=t.employer)
    assert services.internship_orders_complete(p, signing=admission)
    assert services.mark_ordered([p], admission) == [p]
    p.refresh_from_db()
    assert p.status == S.ORDERED


def test_an_internship_programme_agreed_after_the_order_is_refused():
    t = college()
    Agreement.objects.filter(pk=t.agreement.pk).update(form="internship")
    teacher = f.StaffFactory(institution=t.institution)
    p = Placement(
        **values(
            t, student=None, form="internship", intern_staff=teacher, practice_type="", component=None, consent_by="",
            consent_on=None, intern_category="teacher", internship_type="production", internship_mode="targeted",
            individual_programme="Задачи", programme_agreed_on=datetime.date(2025, 2, 26), intern_education="Высшее",
            intern_experience="5 лет", intern_position="Мастер", internship_goals="Цели", duration_reason="Две недели",
        )
    )  # fmt: skip
    services.save_placement(p, t.admin)
    services.agree_roster([p], datetime.date(2025, 2, 26), t.admin)
    with pytest.raises(WblInvalid) as caught:
        services.mark_ordered([p], referral(t, [p], kind="internship_referral"))  # dated 25 February
    assert [v.code for v in caught.value.violations] == [rules.INTERN_AGREED]


def test_allowed_steps_follow_the_status_and_the_role():
    t = college()
    p = plan(t)
    assert services.allowed_steps(p, t.admin) == {"edit", "delete", "agree", "cancel"}
    assert services.allowed_steps(p, t.rep) == {"agree"}
    services.agree_roster([p], AGREED_ON, t.admin)
    p.refresh_from_db()
    assert services.allowed_steps(p, t.admin) == {"order", "cancel"}
    assert services.allowed_steps(p, t.rep) == set()
    assert LAST > FIRST
