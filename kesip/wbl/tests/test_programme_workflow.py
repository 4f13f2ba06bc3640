"""The way of a WBL programme: draft → employer review → agreed → approved → reopened; who may take each step;
only a draft is changed; built from the curriculum; a refused step changes nothing."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection

from kesip.core.roles import Role
from kesip.core.rules import RuleViolation
from kesip.core.tests import factories as f
from kesip.wbl import programmes as services
from kesip.wbl.common import WblInvalid
from kesip.wbl.models import ContentRow, EmployerPerson, LoadRow, RubricItem, WblProgramme
from kesip.wbl.tests.test_programme_rules import college

pytestmark = pytest.mark.django_db
S = WblProgramme.Status
TODAY = datetime.date.today()


def fresh(wp):
    return WblProgramme.objects.get(pk=wp.pk)


def sent(t):
    return services.send_to_employer(t.wp, t.practice_head)


def agreed(t):
    sent(t)
    return services.record_agreement(t.wp, t.rep)


def test_the_whole_way_with_the_employers_representative():
    t = college()
    EmployerPerson.objects.create(
        institution=t.institution,
        employer=t.employer,
        last_name="Рахманов",
        first_name="Азиз",
        position="Главный инженер",
        user=t.rep,
    )
    assert [s.name for s in services.allowed_steps(t.wp, t.practice_head)] == ["send"]
    assert services.allowed_steps(t.wp, t.rep) == []
    sent(t)
    wp = fresh(t.wp)
    assert wp.status == S.EMPLOYER_REVIEW and not wp.is_editable
    assert [s.name for s in services.allowed_steps(wp, t.rep)] == ["agree", "reopen"]
    assert [(s.name, s.needs_input) for s in services.allowed_steps(wp, t.practice_head)] == [("agree", True), ("reopen", False)]
    services.record_agreement(wp, t.rep)
    wp = fresh(t.wp)
    assert wp.employer_agreed_on == TODAY and wp.employer_agreed_by == f"{t.rep.display_name()}, Главный инженер"
    assert [s.name for s in services.allowed_steps(wp, t.head)] == ["approve"]
    assert services.allowed_steps(wp, t.teacher) == []
    services.approve(wp, t.head)
    wp = fresh(t.wp)
    assert (wp.status, wp.approved_on, wp.approved_by) == (S.APPROVED, TODAY, t.head)
    assert [s.name for s in services.allowed_steps(wp, t.practice_head)] == ["reopen", "publish", "revise"]
    assert services.allowed_steps(wp, t.rep) == []  # the employer cannot reopen an approved programme
    services.reopen(wp, t.practice_head)
    wp = fresh(t.wp)
    assert (wp.status, wp.approved_on, wp.approved_by, wp.employer_agreed_on, wp.employer_agreed_by) == (
        S.DRAFT,
        None,
        None,
        None,
        "",
    )
    statuses = [h.status for h in wp.history.order_by("history_date", "history_id")]
    assert statuses[-4:] == [S.EMPLOYER_REVIEW, S.EMPLOYER_REVIEW, S.APPROVED, S.DRAFT]
    assert any(h.approved_by_id == t.head.pk for h in wp.history.all())  # the history keeps the approval


def test_staff_record_the_agreement_given_on_paper_with_name_and_date():
    t = college()
    sent(t)
    with pytest.raises(WblInvalid) as caught:
        services.record_agreement(t.wp, t.practice_head)
    assert {v.field for v in caught.value.violations} == {"employer_agreed_by", "employer_agreed_on"}
    with pytest.raises(WblInvalid) as caught:
        services.record_agreement(t.wp, t.practice_head, "Рахманов А., гл. инженер", TODAY + datetime.timedelta(days=1))
    assert [v.field for v in caught.value.violations] == ["employer_agreed_on"]
    assert fresh(t.wp).employer_agreed_on is None
    services.record_agreement(t.wp, t.practice_head, " Рахманов А., гл. инженер ", TODAY)
    wp = fresh(t.wp)
    assert (wp.employer_agreed_by, wp.employer_agreed_on) == ("Рахманов А., гл. инженер", TODAY)
    with pytest.raises(RuleViolation) as again:
        services.record_agreement(wp, t.rep)
    assert again.value.code == "wbl.programme.employer_agreement" and "already agreed" in again.value.message


def test_the_representative_agrees_only_for_their_own_employer():
    t = college()
    sent(t)
    stranger = f.member(Role.EMPLOYER_REP, institution=t.institution, employer=f.EmployerFactory(institution=t.institution))
    assert not WblProgramme.objects.for_user(stranger).filter(pk=t.wp.pk).exists()
    with pytest.raises(RuleViolation) as caught:
        services.record_agreement(t.wp, stranger)
    assert caught.value.code == "wbl.permission"
    assert services.allowed_steps(fresh(t.wp), stranger) == []
    assert fresh(t.wp).employer_agreed_on is None


def test_a_teacher_and_the_head_of_practice_cannot_approve():
    t = college()
    agreed(t)
    for user in (t.teacher, t.practice_head, t.rep):
        with pytest.raises(RuleViolation) as caught:
            services.approve(t.wp, user)
        assert caught.value.code == "wbl.permission"
    assert fresh(t.wp).status == S.EMPLOYER_REVIEW
    services.approve(t.wp, t.admin)  # an institution admin approves too
    assert fresh(t.wp).status == S.APPROVED


def test_the_head_of_another_institution_cannot_approve():
    t, other = college(), college()
    agreed(t)
    with pytest.raises(RuleViolation):
        services.approve(t.wp, other.head)
    assert fresh(t.wp).status == S.EMPLOYER_REVIEW


def test_approval_needs_the_employers_agreement_and_no_broken_rule():
    t = college()
    with pytest.raises(RuleViolation) as draft:
        services.approve(t.wp, t.head)
    assert "Send the programme to the employer" in draft.value.message
    sent(t)
    with pytest.raises(RuleViolation) as caught:
        services.approve(t.wp, t.head)
    assert caught.value.code == "wbl.programme.employer_agreement" and "п. 56 item 1" in caught.value.source
    services.record_agreement(t.wp, t.rep)
    # The curriculum changed meanwhile: its standard is gone (VR-7) — the approval is refused with the clause.
    t.programme.standard = ""
    t.programme.save()
    with pytest.raises(WblInvalid) as invalid:
        services.approve(t.wp, t.head)
    assert [v.code for v in invalid.value.violations] == ["wbl.programme.normative_bases.min"]
    assert fresh(t.wp).status == S.EMPLOYER_REVIEW and services.allowed_steps(fresh(t.wp), t.head, invalid.value.violations) == []


def test_sending_is_refused_while_a_section_is_empty_and_lists_every_broken_rule():
    t = college()
    WblProgramme.objects.filter(pk=t.wp.pk).update(goal="", safety="")
    with pytest.raises(WblInvalid) as caught:
        sent(t)
    assert [(v.code, v.field) for v in caught.value.violations] == [
        ("wbl.programme.sections", "goal"),
        ("wbl.programme.sections", "safety"),
    ]
    assert fresh(t.wp).status == S.DRAFT


def test_only_the_institution_sends_and_the_employer_may_return_it_for_changes():
    t = college()
    with pytest.raises(RuleViolation):
        services.send_to_employer(t.wp, t.rep)
    with pytest.raises(RuleViolation):
        services.send_to_employer(t.wp, t.teacher)
    sent(t)
    with pytest.raises(RuleViolation):
        services.reopen(t.wp, t.teacher)
    services.reopen(t.wp, t.rep)
    assert fresh(t.wp).status == S.DRAFT


def test_nothing_is_changed_unless_the_programme_is_a_draft():
    t = college()
    sent(t)
    wp = fresh(t.wp)
    wp.goal = "Другая цель"
    with pytest.raises(RuleViolation) as caught:
        services.save_programme(wp, t.practice_head)
    assert caught.value.code == "wbl.wblprogramme.status"
    row = LoadRow(programme=wp, semester=5, activity="excursion", component=t.subject, hours=6, credits=Decimal("0.3"))
    for attempt in (
        lambda: services.save_load_row(row, t.practice_head),
        lambda: services.delete_row(t.rows.lecture, t.practice_head),
        lambda: services.save_content_row(t.content.educational, t.practice_head),
        lambda: services.save_rubric_item(t.grade, [t.competencies[0]], t.practice_head),
        lambda: services.prefill(wp, t.practice_head),
        lambda: services.delete_programme(wp, t.practice_head),
    ):
        with pytest.raises(RuleViolation):
            attempt()
    assert fresh(t.wp).goal == "Закрепить навыки сварки на производстве" and LoadRow.objects.filter(programme=wp).count() == 3


def test_the_employers_representative_writes_sections_but_not_the_passport():
    t = college()
    wp = fresh(t.wp)
    wp.goal = "Цель, согласованная с предприятием"
    services.save_programme(wp, t.rep)
    assert fresh(t.wp).goal == "Цель, согласованная с предприятием"
    wp.academic_year = 2025
    with pytest.raises(WblInvalid) as caught:
        services.save_programme(wp, t.rep)
    assert caught.value.violations[0].field == "academic_year"
    row = LoadRow(programme=wp, semester=5, activity="excursion", component=t.subject, hours=6, credits=Decimal("0.3"))
    services.save_load_row(row, t.rep)
    assert row.pk and row.institution_id == t.institution.pk
    with pytest.raises(RuleViolation):
        services.save_programme(fresh(t.wp), t.teacher)


def test_a_new_programme_takes_the_institution_of_its_educational_programme():
    t, other = college(), college()
    wp = services.save_programme(WblProgramme(programme=t.programme, form="dual", academic_year=2025), t.admin)
    assert (wp.institution, wp.status) == (t.institution, S.DRAFT)
    with pytest.raises(RuleViolation):
        services.save_programme(WblProgramme(programme=other.programme, form="dual", academic_year=2025), t.admin)
    with pytest.raises(WblInvalid) as caught:
        services.save_programme(
            WblProgramme(programme=t.programme, form="dual", academic_year=2025, co_developer=other.employer), t.admin
        )
    assert caught.value.violations[0].field == "co_developer"
    with pytest.raises(WblInvalid):
        services.save_programme(fresh(wp), t.admin, outcomes=[other.competencies[0]])


def test_the_educational_programme_is_not_swapped_under_built_tables():
    t = college()
    second = f.ProgrammeFactory(institution=t.institution)
    wp = fresh(t.wp)
    wp.programme = second
    with pytest.raises(WblInvalid) as caught:
        services.save_programme(wp, t.admin)
    assert caught.value.violations[0].field == "programme"


def test_rows_are_checked_when_saved():
    t = college()
    wp = fresh(t.wp)
    lecture = LoadRow(programme=wp, semester=5, activity="master_class", hours=4, credits=Decimal("0.2"))
    with pytest.raises(WblInvalid) as caught:
        services.save_load_row(lecture, t.practice_head)
    assert [(v.code, v.field) for v in caught.value.violations] == [
        ("curriculum.wbl_load.non_practice_form.min_disciplines", "component")
    ]
    practice = LoadRow(programme=wp, semester=5, activity="practice", hours=40, credits=0, practice_type="", season="лето")
    with pytest.raises(WblInvalid) as caught:
        services.save_load_row(practice, t.practice_head)
    assert {v.field for v in caught.value.violations} == {"credits", "practice_type"}
    lecture.component = t.subject
    lecture.practice_type = "research"  # only practice has a type: cleared
    services.save_load_row(lecture, t.practice_head)
    assert LoadRow.objects.get(pk=lecture.pk).practice_type == ""
    content = ContentRow(
        programme=wp, practice_type="educational", competency=t.competencies[0], topic="Т", hours=2, environment="", equipment="x"
    )
    with pytest.raises(WblInvalid) as caught:
        services.save_content_row(content, t.practice_head)
    assert [v.field for v in caught.value.violations] == ["environment"]
    grade = RubricItem(programme=wp, method="case_study", level="4", descriptor="Хорошо")
    with pytest.raises(WblInvalid) as caught:
        services.save_rubric_item(grade, [t.competencies[2]], t.practice_head)  # ОК1 is not in section 6
    assert caught.value.violations[0].code == "wbl.programme.assessment.min_competencies_per_descriptor"
    services.save_rubric_item(grade, [t.competencies[1]], t.practice_head)
    assert list(grade.competencies.all()) == [t.competencies[1]]


def test_a_row_stays_in_its_programme():
    t, other = college(), college()
    row = LoadRow.objects.get(pk=t.rows.lecture.pk)
    row.programme = other.wp
    with pytest.raises(RuleViolation):
        services.save_load_row(row, other.admin)
    assert LoadRow.objects.get(pk=row.pk).programme_id == t.wp.pk


def test_built_from_the_curriculum():
    t = college()
    LoadRow.objects.filter(programme=t.wp).delete()
    WblProgramme.objects.filter(pk=t.wp.pk).update(normative_base="")
    outcome = services.prefill(t.wp, t.practice_head)
    rows = list(LoadRow.objects.filter(programme=t.wp).order_by("semester"))
    assert [(r.semester, r.activity, r.practice_type, r.component, r.hours, r.credits) for r in rows] == [
        (2, "practice", "educational", t.educational, 420, Decimal("17.5")),
        (4, "practice", "production", t.production, 424, Decimal("17.7")),
    ]
    assert outcome.normative_base and outcome.curriculum == t.working_curriculum and len(outcome.created) == 2
    base = fresh(t.wp).normative_base
    assert "ГОС СПО по специальности 7212 (2023)" in base and t.programme.specialty.code in base and "2024" in base
    # Again: nothing doubles, and a normative base the user wrote is kept.
    WblProgramme.objects.filter(pk=t.wp.pk).update(normative_base="Своя редакция")
    again = services.prefill(t.wp, t.practice_head)
    assert again.created == [] and not again.normative_base and LoadRow.objects.filter(programme=t.wp).count() == 2
    assert fresh(t.wp).normative_base == "Своя редакция"


def test_a_practice_split_over_semesters_gets_a_row_per_semester_with_its_share_of_credits():
    t = college()
    LoadRow.objects.filter(programme=t.wp).delete()
    entry = t.working_curriculum.entries.get(component=t.production)
    entry.hours = 224
    entry.save()
    t.working_curriculum.entries.create(institution=t.institution, component=t.production, year=3, semester=1, hours=200)
    services.prefill(t.wp, t.practice_head)
    split = list(LoadRow.objects.filter(programme=t.wp, component=t.production).order_by("semester"))
    assert [(r.semester, r.hours, r.credits) for r in split] == [(4, 224, Decimal("9.4")), (5, 200, Decimal("8.3"))]


def test_building_without_a_working_curriculum_says_why():
    t = college()
    LoadRow.objects.filter(programme=t.wp).delete()
    t.working_curriculum.delete()
    outcome = services.prefill(t.wp, t.practice_head)
    assert outcome.created == [] and "no working curriculum" in outcome.notes[0]


def test_deleting_a_draft_named_by_an_agreement_is_refused():
    t = college()
    from kesip.wbl.models import Agreement

    Agreement.objects.create(
        institution=t.institution, employer=t.employer, kind="wbl", form="practice", number="Д-1",
        starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2025, 12, 31), wbl_programme=t.wp,
    )  # fmt: skip
    with pytest.raises(RuleViolation) as caught:
        services.delete_programme(t.wp, t.practice_head)
    assert "1 agreements" in caught.value.message and WblProgramme.objects.filter(pk=t.wp.pk).exists()
    Agreement.objects.all().delete()
    services.delete_programme(t.wp, t.practice_head)
    assert not WblProgramme.objects.filter(pk=t.wp.pk).exists() and not LoadRow.objects.filter(programme_id=t.wp.pk).exists()


def test_the_system_takes_steps_without_a_membership():
    t = college()
    services.send_to_employer(t.wp, None)
    services.record_agreement(t.wp, None, "Рахманов А.", TODAY)
    services.approve(t.wp, None)
    wp = fresh(t.wp)
    assert wp.status == S.APPROVED and wp.approved_by is None


@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_approve_once(django_db_blocker):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL")
    t = college()
    agreed(t)
    second_head = f.member(Role.HEAD, institution=t.institution)
    results, barrier = [], threading.Barrier(2)

    def run(user):
        try:
            barrier.wait()
            services.approve(WblProgramme.objects.get(pk=t.wp.pk), user)
            results.append("approved")
        except RuleViolation as v:
            results.append(v.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(u,)) for u in (t.head, second_head)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(results) == ["approved", "wbl.wblprogramme.status"]
    assert fresh(t.wp).history.filter(status=S.APPROVED).count() == 1
