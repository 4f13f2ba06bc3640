"""Graduates' employment (F28) and qualification upgrading (F31): the rules at their boundaries, through the services.

`setup()` builds a small college: two graduates and a learner still studying in one group, a host
employer (one practice placement, one dual placement with employment promised) and another employer
(only a cancelled placement), teachers, a master, a manager, two mentors and a non-mentor.
"""

import datetime
from types import SimpleNamespace

import pytest

from kesip.core.roles import Role
from kesip.core.rules import RuleViolation
from kesip.core.tests import factories as f
from kesip.wbl import outcome_rules as rules
from kesip.wbl import outcomes
from kesip.wbl.common import WblInvalid
from kesip.wbl.models import EmployerPerson, GraduateEmployment, Placement, TrainingNeed, UpgradingEnrolment, UpgradingProgramme

pytestmark = pytest.mark.django_db
D = datetime.date


def setup():
    t = SimpleNamespace(institution=f.InstitutionFactory(jurisdiction="KG"))
    inst = t.institution
    t.admin = f.member(Role.INSTITUTION_ADMIN, institution=inst)
    t.programme = f.ProgrammeFactory(institution=inst)
    t.group = f.GroupFactory(institution=inst, programme=t.programme, intake_year=2023)
    t.g1 = f.StudentFactory(institution=inst, group=t.group, status="graduated", last_name="Асанов")
    t.g2 = f.StudentFactory(institution=inst, group=t.group, status="graduated", last_name="Бекова")
    t.learner = f.StudentFactory(institution=inst, group=t.group)
    t.host = f.EmployerFactory(institution=inst, name="ОсОО «Ширетүү»")
    t.other = f.EmployerFactory(institution=inst, name="ОсОО «Башка»")
    t.rep = f.member(Role.EMPLOYER_REP, institution=inst, employer=t.host)
    Placement.objects.create(
        institution=inst, form="practice", practice_type="production", student=t.g1, group=t.group, employer=t.host,
        starts_on=D(2025, 2, 1), ends_on=D(2025, 4, 30), status="closed",
    )  # fmt: skip
    Placement.objects.create(
        institution=inst, form="practice", practice_type="educational", student=t.g1, group=t.group, employer=t.other,
        starts_on=D(2024, 10, 1), ends_on=D(2024, 10, 30), status="cancelled",
    )  # fmt: skip
    t.dual = Placement.objects.create(
        institution=inst, form="dual", student=t.g2, group=t.group, employer=t.host, starts_on=D(2024, 9, 2),
        ends_on=D(2025, 6, 20), status="closed", employment_promised=True,
    )  # fmt: skip
    t.teacher = f.StaffFactory(institution=inst, category="teacher", last_name="Токтогулов")
    t.master = f.StaffFactory(institution=inst, category="master", last_name="Усенов")
    t.manager = f.StaffFactory(institution=inst, category="management", last_name="Жетекчиев")
    t.mentor = EmployerPerson.objects.create(
        institution=inst, employer=t.host, last_name="Устатов", first_name="Нурлан", position="Мастер", is_mentor=True
    )
    t.mentor2 = EmployerPerson.objects.create(
        institution=inst, employer=t.other, last_name="Эсенов", first_name="Мирлан", position="Ширетүүчү", is_mentor=True
    )
    t.clerk = EmployerPerson.objects.create(
        institution=inst, employer=t.host, last_name="Кагазов", first_name="Азат", position="Бухгалтер"
    )
    return t


def record(t, **kw):
    values = dict(institution=t.institution, student=t.g1, outcome="employed", employer=t.host, starts_on=D(2025, 7, 1))
    values.update(kw)
    return GraduateEmployment(**values)


def codes(error):
    return [v.code for v in error.value.violations]


# --- Employment ---------------------------------------------------------------------------------------


def test_the_host_employer_flag_is_worked_out_from_the_placements_never_typed():
    t = setup()
    saved = outcomes.save_employment(record(t), t.admin)
    assert GraduateEmployment.objects.get(pk=saved.pk).is_host_employer is True
    # The other employer only had a cancelled placement of the graduate: not a host.
    saved.employer = t.other
    saved.is_host_employer = True  # whatever is typed, the service decides
    outcomes.save_employment(saved, t.admin)
    assert GraduateEmployment.objects.get(pk=saved.pk).is_host_employer is False
    named = outcomes.save_employment(record(t, employer=None, employer_name="ОсОО «Ширетүү»"), t.admin)
    assert named.is_host_employer is False  # a typed name is never matched to the register
    assert GraduateEmployment._meta.get_field("is_host_employer").editable is False


def test_a_working_graduate_names_exactly_one_employer_from_the_register_or_by_name():
    t = setup()
    with pytest.raises(WblInvalid) as neither:
        outcomes.save_employment(record(t, employer=None), t.admin)
    v = neither.value.violations[0]
    assert (v.code, v.field) == (rules.EMPLOYER, "employer") and "п. 19" in v.source
    with pytest.raises(WblInvalid) as both:
        outcomes.save_employment(record(t, employer_name="Дагы бир"), t.admin)
    assert codes(both) == [rules.EMPLOYER] and both.value.violations[0].field == "employer_name"
    ok = outcomes.save_employment(record(t, outcome="self_employed", employer=None, employer_name="  ЖИ Асанов  "), t.admin)
    assert ok.employer_name == "ЖИ Асанов"
    with pytest.raises(WblInvalid) as seeking:
        outcomes.save_employment(record(t, outcome="seeking", in_profession=True), t.admin)
    assert set(codes(seeking)) == {rules.EMPLOYER, "wbl.employment.profession"}
    assert outcomes.save_employment(record(t, outcome="seeking", employer=None), t.admin).pk
    assert GraduateEmployment.objects.count() == 2


def test_only_a_graduate_gets_an_employment_record():
    t = setup()
    with pytest.raises(WblInvalid) as error:
        outcomes.save_employment(record(t, student=t.learner), t.admin)
    v = error.value.violations[0]
    assert v.code == rules.GRADUATE and v.field == "student" and "п. 56 item 13" in v.source
    assert not GraduateEmployment.objects.exists()


def test_dates_in_order_and_the_adaptation_follow_up():
    t = setup()
    today = D(2025, 9, 1)
    with pytest.raises(WblInvalid) as error:
        outcomes.save_employment(record(t, ends_on=D(2025, 6, 30)), t.admin, on=today)
    assert [v.field for v in error.value.violations] == ["ends_on"]
    with pytest.raises(WblInvalid) as error:
        outcomes.save_employment(record(t, adaptation="adapted"), t.admin, on=today)
    assert [v.field for v in error.value.violations] == ["checked_on"]
    with pytest.raises(WblInvalid) as error:
        outcomes.save_employment(record(t, adaptation="adapted", checked_on=D(2025, 6, 30)), t.admin, on=today)
    assert [v.field for v in error.value.violations] == ["checked_on"]  # before the work started
    with pytest.raises(WblInvalid) as error:
        outcomes.save_employment(record(t, adaptation="left", checked_on=D(2025, 8, 1)), t.admin, on=today)
    assert [v.field for v in error.value.violations] == ["ends_on"]
    with pytest.raises(WblInvalid):
        outcomes.save_employment(record(t, starts_on=D(2025, 9, 2)), t.admin, on=today)  # not come yet
    saved = outcomes.save_employment(
        record(t, adaptation="adapted", checked_on=D(2025, 7, 1), adaptation_note="Иштеп жатат"), t.admin, on=today
    )
    assert saved.checked_on == D(2025, 7, 1)


def test_only_the_institution_records_employment():
    t = setup()
    with pytest.raises(RuleViolation) as error:
        outcomes.save_employment(record(t), t.rep)
    assert error.value.code == "wbl.permission" and not GraduateEmployment.objects.exists()


def test_the_promise_of_dual_training_is_kept_when_the_graduate_works_there():
    t = setup()
    [promise] = outcomes.promises([t.g2.pk])
    assert promise.pk == t.dual.pk and promise.kept is False
    outcomes.save_employment(record(t, student=t.g2, employer=t.other), t.admin)
    assert outcomes.promises([t.g2.pk])[0].kept is False
    outcomes.save_employment(record(t, student=t.g2, employer=t.host, starts_on=D(2025, 8, 1)), t.admin)
    assert outcomes.promises([t.g2.pk])[0].kept is True


def test_the_group_table_saves_every_row_or_none():
    t = setup()
    rows = {
        t.g1.pk: {"outcome": "employed", "employer": t.host, "starts_on": D(2025, 7, 1), "in_profession": True},
        t.g2.pk: {"outcome": "employed", "employer": None, "employer_name": "", "starts_on": D(2025, 7, 1)},
    }
    with pytest.raises(outcomes.BulkInvalid) as error:
        outcomes.save_group_outcomes(t.group, rows, t.admin)
    assert list(error.value.rows) == [t.g2.pk] and error.value.rows[t.g2.pk][1][0].code == rules.EMPLOYER
    assert str(t.g2) in error.value.violations[0].message
    assert not GraduateEmployment.objects.exists()  # the good row was not saved either
    rows[t.g2.pk]["employer_name"] = "ОсОО «Жаңы»"
    saved = outcomes.save_group_outcomes(t.group, rows, t.admin)
    assert len(saved) == 2
    first = GraduateEmployment.objects.get(student=t.g1)
    assert first.is_host_employer and first.in_profession
    # Filled again: the latest record of each graduate is changed, not doubled; an empty row is left as it is.
    outcomes.save_group_outcomes(
        t.group, {t.g1.pk: {"outcome": "further_study", "starts_on": D(2025, 9, 1)}, t.g2.pk: {"outcome": ""}}, t.admin
    )
    assert GraduateEmployment.objects.count() == 2
    first.refresh_from_db()
    assert (first.outcome, first.employer_id, first.is_host_employer) == ("further_study", None, False)
    with pytest.raises(WblInvalid) as error:
        outcomes.save_group_outcomes(t.group, {t.learner.pk: {"outcome": "seeking", "starts_on": D(2025, 7, 1)}}, t.admin)
    assert codes(error) == [rules.GRADUATE]


# --- Training needs ----------------------------------------------------------------------------------------


def need(t, **kw):
    values = dict(institution=t.institution, topic="Заманбап ширетүү технологиялары", academic_year=2025)
    values.update(kw)
    return TrainingNeed(**values)


def test_a_need_is_of_one_teacher_master_or_mentor():
    t = setup()
    assert outcomes.save_need(need(t, staff=t.teacher), t.admin).pk
    assert outcomes.save_need(need(t, staff=t.master), t.admin).pk
    assert outcomes.save_need(need(t, mentor=t.mentor), t.admin).pk
    for bad in (need(t, staff=t.manager), need(t, mentor=t.clerk), need(t), need(t, staff=t.teacher, mentor=t.mentor)):
        with pytest.raises(WblInvalid) as error:
            outcomes.save_need(bad, t.admin)
        assert codes(error)[0] == "wbl.upgrading.person"
    with pytest.raises(WblInvalid) as error:
        outcomes.save_need(need(t, staff=t.teacher, topic="   "), t.admin)
    assert codes(error) == ["wbl.trainingneed.topic"]
    assert TrainingNeed.objects.count() == 3


def test_the_employers_representative_records_needs_of_their_own_mentors_only():
    t = setup()
    assert outcomes.save_need(need(t, mentor=t.mentor), t.rep).pk
    for bad in (need(t, mentor=t.mentor2), need(t, staff=t.teacher)):
        with pytest.raises(RuleViolation):
            outcomes.save_need(bad, t.rep)


def test_the_analysis_groups_needs_by_topic_whatever_the_case_and_spaces():
    t = setup()
    for kw, topic in (
        ({"staff": t.teacher}, "Санариптик ширетүү"),
        ({"staff": t.master}, "санариптик  ширетүү"),
        ({"mentor": t.mentor}, "Санариптик ширетүү "),
        ({"mentor": t.mentor2}, "Насаатчынын педагогикасы"),
    ):
        outcomes.save_need(need(t, topic=topic, **kw), t.admin)
    outcomes.save_need(need(t, staff=t.teacher, topic="Эски тема", academic_year=2024), t.admin)
    rows = outcomes.analysis(TrainingNeed.objects.filter(academic_year=2025))
    assert [(r["total"], r["staff"], r["mentors"], r["open"]) for r in rows] == [(3, 2, 1, 3), (1, 0, 1, 1)]


# --- Programmes and enrolments ---------------------------------------------------------------------------


def programme(t, **kw):
    values = dict(institution=t.institution, title="Санариптик ширетүү", audience="both", hours=36,
                  starts_on=D(2025, 10, 6), ends_on=D(2025, 10, 17))  # fmt: skip
    values.update(kw)
    return UpgradingProgramme(**values)


def test_a_programme_is_built_on_at_least_one_open_need_and_plans_it():
    t = setup()
    n1 = outcomes.save_need(need(t, staff=t.teacher), t.admin)
    n2 = outcomes.save_need(need(t, mentor=t.mentor), t.admin)
    with pytest.raises(WblInvalid) as error:
        outcomes.create_programme(programme(t), [], t.admin)  # 0 needs: below the rulebook's 1
    v = error.value.violations[0]
    assert v.code == rules.NEEDS and "п. 56 item 14" in v.source and not UpgradingProgramme.objects.exists()
    with pytest.raises(WblInvalid) as error:
        outcomes.create_programme(programme(t, audience="teachers"), [n1.pk, n2.pk], t.admin)
    assert codes(error) == ["wbl.upgrading.audience"] and not UpgradingProgramme.objects.exists()
    p = outcomes.create_programme(programme(t), [n1.pk], t.admin)  # exactly 1: enough
    n1.refresh_from_db()
    assert (n1.status, n1.programme_id) == ("planned", p.pk)
    with pytest.raises(WblInvalid):
        outcomes.create_programme(programme(t), [n1.pk], t.admin)  # already planned
    outcomes.add_needs(p, [n2.pk], t.admin)
    assert TrainingNeed.objects.filter(programme=p, status="planned").count() == 2
    with pytest.raises(WblInvalid):
        outcomes.create_programme(programme(t, ends_on=D(2025, 10, 1)), [], t.admin)


def test_the_nth_person_takes_the_last_place_and_the_next_is_refused():
    t = setup()
    n = outcomes.save_need(need(t, staff=t.teacher), t.admin)
    p = outcomes.create_programme(programme(t, places=2), [n.pk], t.admin)
    outcomes.enrol(p, t.admin, staff=t.teacher)
    outcomes.enrol(p, t.admin, mentor=t.mentor)  # the 2nd of 2 places
    with pytest.raises(WblInvalid) as error:
        outcomes.enrol(p, t.admin, staff=t.master)  # the 3rd
    assert codes(error) == ["wbl.upgrading.places"]
    assert UpgradingEnrolment.objects.filter(programme=p).count() == 2
    with pytest.raises(WblInvalid) as error:
        outcomes.enrol(p, t.admin, staff=t.teacher)
    assert "wbl.upgrading.enrolled" in codes(error)
    dropped = outcomes.drop(UpgradingEnrolment.objects.get(programme=p, mentor=t.mentor), t.admin)
    assert dropped.result == "dropped"
    assert outcomes.enrol(p, t.admin, staff=t.master).result == "enrolled"  # the dropped place is free again
    p.places = 1
    with pytest.raises(WblInvalid) as error:
        outcomes.save_programme(p, t.admin)  # two people are in it
    assert codes(error) == ["wbl.upgrading.places"]
    assert UpgradingProgramme.objects.get(pk=p.pk).places == 2


def test_the_audience_and_the_person_of_an_enrolment():
    t = setup()
    n = outcomes.save_need(need(t, mentor=t.mentor), t.admin)
    p = outcomes.create_programme(programme(t, audience="mentors"), [n.pk], t.admin)
    with pytest.raises(WblInvalid) as error:
        outcomes.enrol(p, t.admin, staff=t.teacher)
    assert codes(error) == ["wbl.upgrading.audience"]
    with pytest.raises(WblInvalid) as error:
        outcomes.enrol(p, t.admin, mentor=t.clerk)
    assert codes(error) == ["wbl.upgrading.person"]
    with pytest.raises(RuleViolation):
        outcomes.enrol(p, t.rep, mentor=t.mentor)  # only the institution enrols
    assert not UpgradingEnrolment.objects.exists()


def test_completion_needs_a_certificate_number_and_meets_the_persons_need():
    t = setup()
    n = outcomes.save_need(need(t, mentor=t.mentor), t.admin)
    other = outcomes.save_need(need(t, staff=t.teacher), t.admin)
    p = outcomes.create_programme(programme(t), [n.pk, other.pk], t.admin)
    e = outcomes.enrol(p, t.admin, mentor=t.mentor)
    today = D(2025, 10, 20)
    with pytest.raises(WblInvalid) as error:
        outcomes.complete(e, " ", D(2025, 10, 5), t.admin, on=today)
    assert {v.field for v in error.value.violations} == {"certificate_number", "completed_on"}
    done = outcomes.complete(e, "КЖ-0042", D(2025, 10, 17), t.admin, on=today)
    assert (done.result, done.certificate_number) == ("completed", "КЖ-0042")
    n.refresh_from_db()
    other.refresh_from_db()
    assert n.status == "met" and other.status == "planned"  # only the person's own need
    with pytest.raises(WblInvalid):
        outcomes.complete(done, "КЖ-0043", D(2025, 10, 17), t.admin, on=today)
    with pytest.raises(WblInvalid):
        outcomes.drop(done, t.admin)
    assert outcomes.upgrading_of(t.admin, mentor=t.mentor)["upgrading_enrolments"] == [done]
