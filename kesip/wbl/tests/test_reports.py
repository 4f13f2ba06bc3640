"""The annual WBL report's workflow (VR-52): opened for a year that has ended, sent with recommendations to every
host employer, final only when every one agreed (its indicators frozen then), reopened to work in remarks, published.

`college()` builds a small world with known numbers that the indicator tests read too.
"""

import datetime
from types import SimpleNamespace

import pytest

from kesip.core.roles import Role
from kesip.core.rules import RuleViolation
from kesip.core.tests import factories as f
from kesip.curriculum.models import Movement
from kesip.curriculum.tests import factories as cf
from kesip.wbl import reports
from kesip.wbl.common import WblInvalid
from kesip.wbl.models import (
    Agreement,
    AnnualReport,
    Assessment,
    EmployerPerson,
    MonitoringVisit,
    Placement,
    ReportAgreement,
    Workplace,
)

pytestmark = pytest.mark.django_db

YEAR = 2024
AFTER = datetime.date(2025, 9, 1)  # the first day the report of 2024–2025 may be prepared
D = datetime.date


def _dt(day, hour=10):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


def college(jurisdiction="KG", authority=None):
    """A small college with known figures for the academic year 2024–2025 (numbers in the tests below).

    Two groups of two professions, three learners (two women, one man), two employers, one mentor
    with two apprentices at once, five placements in the year (one cancelled) and two outside it,
    diaries graded and not, briefings complete and not, two assessments (one passed).
    """
    kwargs = {"jurisdiction": jurisdiction}
    if authority is not None:
        kwargs["authority"] = authority
    t = SimpleNamespace(institution=f.InstitutionFactory(**kwargs))
    inst = t.institution
    t.admin = f.member(Role.INSTITUTION_ADMIN, institution=inst)
    t.head_of_practice = f.member(Role.HEAD_OF_PRACTICE, institution=inst)
    t.staff = f.StaffFactory(institution=inst)
    # Two programmes, two groups: G1 in its 2nd year of study in 2024–2025, G2 in its 1st.
    t.programme1 = f.ProgrammeFactory(institution=inst)
    t.programme2 = f.ProgrammeFactory(institution=inst)
    t.g1 = f.GroupFactory(institution=inst, programme=t.programme1, intake_year=2023)
    t.g2 = f.GroupFactory(institution=inst, programme=t.programme2, intake_year=2024)
    module1 = cf.ModuleFactory(programme=t.programme1, kind="professional")
    module2 = cf.ModuleFactory(programme=t.programme2, kind="professional")
    subject1 = cf.ComponentFactory(module=module1, kind="subject", hours=200)
    practice1 = cf.ComponentFactory(module=module1, kind="practice", practice_type="production", hours=100)
    subject2 = cf.ComponentFactory(module=module2, kind="subject", hours=400)
    wc1 = t.programme1.working_curricula.create(institution=inst, intake_year=2023, status="approved")
    wc1.entries.create(institution=inst, component=subject1, year=2, semester=1, hours=200)
    wc1.entries.create(institution=inst, component=practice1, year=2, semester=2, hours=100)
    wc1.entries.create(institution=inst, component=subject1, year=1, semester=1, hours=999)  # another year: not counted
    wc2 = t.programme2.working_curricula.create(institution=inst, intake_year=2024, status="approved")
    wc2.entries.create(institution=inst, component=subject2, year=1, semester=1, hours=400)
    t.practice_component = practice1
    t.s1 = f.StudentFactory(institution=inst, group=t.g1, sex="F")
    t.s2 = f.StudentFactory(institution=inst, group=t.g1, sex="M")
    t.s3 = f.StudentFactory(institution=inst, group=t.g2, sex="F")
    t.e1 = f.EmployerFactory(institution=inst, name="ОсОО «Биринчи»")
    t.e2 = f.EmployerFactory(institution=inst, name="ОсОО «Экинчи»")
    t.rep1 = f.member(Role.EMPLOYER_REP, institution=inst, employer=t.e1)
    t.rep2 = f.member(Role.EMPLOYER_REP, institution=inst, employer=t.e2)
    t.mentor_user = f.member(Role.MENTOR, institution=inst, employer=t.e1)
    t.mentor = EmployerPerson.objects.create(
        institution=inst, employer=t.e1, last_name="Устатов", first_name="Нурлан", position="Мастер", is_mentor=True,
        user=t.mentor_user,
    )  # fmt: skip
    t.w1 = Workplace.objects.create(
        safety_compliant=True,
        institution=inst,
        employer=t.e1,
        title="Цех",
        places=5,
        available_from=D(2025, 1, 1),
        available_to=D(2025, 6, 30),
    )
    Workplace.objects.create(
        safety_compliant=True,
        institution=inst,
        employer=t.e2,
        title="Старый цех",
        places=3,
        available_from=D(2023, 1, 1),
        available_to=D(2023, 12, 31),
    )
    # Agreements: two in force during the year (one of them three-party), one ended before it, one a draft.
    t.a1 = Agreement.objects.create(
        institution=inst, employer=t.e1, kind="wbl", form="practice", starts_on=D(2024, 9, 1), ends_on=D(2025, 8, 31),
        status="active",
    )  # fmt: skip
    Agreement.objects.create(
        institution=inst, employer=t.e2, kind="wbl", form="dual", starts_on=D(2025, 1, 1), ends_on=D(2026, 6, 30),
        status="signed", learner=t.s1,
    )  # fmt: skip
    Agreement.objects.create(
        institution=inst, employer=t.e1, kind="apprenticeship", form="apprenticeship", starts_on=D(2023, 9, 1),
        ends_on=D(2024, 8, 31), status="expired",
    )  # fmt: skip
    Agreement.objects.create(
        institution=inst, employer=t.e2, kind="wbl", form="practice", starts_on=D(2024, 9, 1), ends_on=D(2025, 8, 31)
    )

    def placement(**kw):
        kw.setdefault("institution", inst)
        return Placement.objects.create(**kw)

    # p1 starts on the first day of the year; p4 on its last.
    t.p1 = placement(
        form="practice", practice_type="production", student=t.s1, group=t.g1, employer=t.e1, workplace=t.w1,
        mentor=t.mentor, supervisor=t.staff, starts_on=D(2024, 9, 1), ends_on=D(2024, 9, 30), hours=60,
        status="closed", review="Жакшы", characterisation="Тартиптүү", component=practice1,
    )  # fmt: skip
    t.p2 = placement(
        form="apprenticeship", apprenticeship_form="individual", student=t.s2, group=t.g1, employer=t.e1,
        mentor=t.mentor, starts_on=D(2024, 10, 1), ends_on=D(2025, 3, 1), hours=40, status="active",
    )  # fmt: skip
    t.p3 = placement(
        form="apprenticeship", apprenticeship_form="brigade", student=t.s3, group=t.g2, employer=t.e1,
        mentor=t.mentor, starts_on=D(2024, 11, 1), ends_on=D(2025, 4, 1), hours=100, status="completed", review="Жакшы",
    )  # fmt: skip
    t.p4 = placement(
        form="dual", student=t.s1, group=t.g1, employer=t.e2, starts_on=D(2025, 8, 31), ends_on=D(2025, 12, 31),
        status="planned", employment_promised=True,
    )  # fmt: skip
    t.p5 = placement(
        form="practice", practice_type="educational", student=t.s2, group=t.g1, employer=t.e2, starts_on=D(2025, 2, 1),
        ends_on=D(2025, 2, 20), hours=30, status="cancelled",
    )  # fmt: skip
    # Outside the year: the day before it starts and the day after it ends.
    for day in (D(2024, 8, 31), D(2025, 9, 1)):
        placement(
            form="practice", practice_type="educational", student=t.s3, group=t.g2, employer=t.e2, mentor=None,
            starts_on=day, ends_on=day + datetime.timedelta(days=10), hours=500, status="closed",
        )  # fmt: skip
    for kind in ("institution", "safety", "local_documents"):
        t.p1.briefings.create(institution=inst, kind=kind, held_on=D(2024, 8, 30), conducted_by="Жетекчи")
    t.p2.briefings.create(institution=inst, kind="institution", held_on=D(2024, 9, 30), conducted_by="Жетекчи")
    for kind, day in (("institution", D(2024, 10, 30)), ("safety", D(2024, 10, 31)), ("local_documents", D(2024, 11, 5))):
        t.p3.briefings.create(institution=inst, kind=kind, held_on=day, conducted_by="Жетекчи")

    def entry(p, day, status, submitted=None, graded=None):
        return p.diary.create(
            institution=inst, date=day, task="Тапшырма", work_done="Иш", hours=6, status=status,
            submitted_at=submitted, graded_at=graded, grade=5 if status == "graded" else None,
        )  # fmt: skip

    entry(t.p1, D(2024, 9, 2), "graded", _dt(D(2024, 9, 2)), _dt(D(2024, 9, 4)))  # 2 days
    entry(t.p1, D(2024, 9, 3), "graded", _dt(D(2024, 9, 3)), _dt(D(2024, 9, 14)))  # 11 days: later than 7
    entry(t.p1, D(2024, 9, 5), "submitted", _dt(D(2024, 9, 5)))
    entry(t.p1, D(2024, 9, 6), "draft")
    entry(t.p2, D(2024, 10, 2), "returned", _dt(D(2024, 10, 2)))
    for p, value in ((t.p1, 5), (t.p3, 2)):
        assessment = Assessment.objects.create(
            institution=inst, placement=p, assessed_on=p.ends_on, method="practical_task", value=value
        )
        assessment.institution_assessors.add(t.staff)
    # s1 graduated in the year (by order), s3 graduated the year before.
    for student, day in ((t.s1, D(2025, 6, 30)), (t.s3, D(2024, 6, 30))):
        student.status = "graduated"
        student.save(update_fields=["status"])
        Movement.objects.create(institution=inst, student=student, kind="graduation", on=day, order_number="1-к", order_date=day)
    visit = MonitoringVisit.objects.create(
        institution=inst, employer=t.e1, visited_on=D(2024, 10, 15), visitor=t.staff, findings="OK"
    )
    visit.placements.add(t.p2)
    MonitoringVisit.objects.create(institution=inst, employer=t.e1, visited_on=D(2024, 8, 15), visitor=t.staff, findings="Old")
    return t


def opened(t, **texts):
    report = reports.open_report(t.institution, YEAR, t.admin, today=AFTER)
    if texts:
        report = reports.save_texts(
            report, texts.get("summary", ""), texts.get("problems", ""), texts.get("recommendations", ""), t.admin
        )
    return report


def sent(t):
    report = opened(t, summary="Практика өттү", problems="Кечигүүлөр", recommendations="Насаатчыларды көбөйтүү")
    return reports.send_to_employers(report, t.admin, today=AFTER)


def agreement_of(report, employer):
    return ReportAgreement.objects.get(report=report, employer=employer)


# --- Opening: VR-52 the past academic year ------------------------------------------------------------


def test_a_report_is_opened_for_the_past_year_by_default_and_once():
    t = college()
    report = reports.open_report(t.institution, user=t.admin, today=AFTER)
    assert (report.academic_year, report.status, report.institution) == (2024, "draft", t.institution)
    with pytest.raises(RuleViolation) as twice:
        reports.open_report(t.institution, 2024, t.admin, today=AFTER)
    assert twice.value.code == "wbl.report.duplicate" and twice.value.field == "academic_year"
    assert AnnualReport.objects.filter(institution=t.institution).count() == 1


def test_a_report_of_a_year_that_has_not_ended_is_refused_until_1_september():
    t = college()
    with pytest.raises(RuleViolation) as last_day:
        reports.open_report(t.institution, 2024, t.admin, today=D(2025, 8, 31))
    v = last_day.value
    assert v.code == "wbl.report.annual.period" and v.field == "academic_year"
    assert "п. 56, item 12" in v.source and "31.08.2025" in v.message
    # The current year is refused on its first day too; the past one opens on the first day after it.
    with pytest.raises(RuleViolation):
        reports.open_report(t.institution, 2025, t.admin, today=D(2025, 9, 1))
    assert reports.open_report(t.institution, 2024, t.admin, today=D(2025, 9, 1)).academic_year == 2024
    assert reports.past_academic_year(D(2025, 8, 31)) == 2023 and reports.past_academic_year(D(2025, 9, 1)) == 2024


def test_only_the_institutions_staff_open_and_write_the_report():
    t = college()
    other = college()
    for user in (t.rep1, t.mentor_user, other.admin):
        with pytest.raises(RuleViolation) as refused:
            reports.open_report(t.institution, 2024, user, today=AFTER)
        assert refused.value.code == "wbl.permission"
    report = opened(t)
    with pytest.raises(RuleViolation):
        reports.save_texts(report, "x", "y", "z", t.rep1)
    report = reports.save_texts(report, "  Итоги ", "", "Сунуш", t.head_of_practice)
    assert (report.summary, report.recommendations) == ("Итоги", "Сунуш")


# --- Sending: recommendations first, every host employer asked ---------------------------------------


def test_sending_needs_recommendations():
    t = college()
    report = opened(t, summary="Практика өттү")
    with pytest.raises(WblInvalid) as refused:
        reports.send_to_employers(report, t.admin, today=AFTER)
    (v,) = refused.value.violations
    assert v.code == "wbl.report.recommendations" and v.field == "recommendations" and "п. 57, item 16" in v.source
    report.refresh_from_db()
    assert report.status == "draft" and not report.agreements.exists()


def test_sending_asks_every_employer_that_hosted_placements_of_the_year():
    t = college()
    idle = f.EmployerFactory(institution=t.institution)  # hosted nothing: not asked
    report = sent(t)
    assert report.status == "sent" and report.sent_on == AFTER
    asked = set(report.agreements.values_list("employer_id", "status"))
    assert asked == {(t.e1.pk, "pending"), (t.e2.pk, "pending")} and idle.pk not in {e for e, _s in asked}
    with pytest.raises(RuleViolation) as again:
        reports.send_to_employers(report, t.admin, today=AFTER)
    assert again.value.code == "wbl.annualreport.status"
    with pytest.raises(RuleViolation):
        reports.save_texts(report, "x", "y", "z", t.admin)


def test_an_employer_that_only_had_a_cancelled_placement_is_not_asked():
    t = college()
    t.p4.status = "cancelled"
    t.p4.save(update_fields=["status"])  # E2 is left with cancelled placements only
    report = sent(t)
    assert list(report.agreements.values_list("employer_id", flat=True)) == [t.e1.pk]


def test_a_report_with_no_host_employer_cannot_be_sent():
    t = college()
    Placement.objects.filter(institution=t.institution).update(status="cancelled")
    report = opened(t, recommendations="Сунуш")
    with pytest.raises(WblInvalid) as refused:
        reports.send_to_employers(report, t.admin, today=AFTER)
    assert [v.code for v in refused.value.violations] == ["wbl.report.employer_agreement"]


# --- Answers: the employer's representative for its own employer ----------------------------------------


def test_the_employers_representative_answers_only_for_their_employer():
    t = college()
    report = sent(t)
    mine, theirs = agreement_of(report, t.e1), agreement_of(report, t.e2)
    answered = reports.answer(mine, "agreed", "", "", t.rep1, today=D(2025, 9, 5))
    assert (answered.status, answered.agreed_on, answered.agreed_by) == ("agreed", D(2025, 9, 5), t.rep1.display_name())
    for user in (t.rep1, t.mentor_user, college().admin):
        with pytest.raises(RuleViolation) as refused:
            reports.answer(theirs, "agreed", "X", "", user)
        assert refused.value.code == "wbl.permission"
    theirs.refresh_from_db()
    assert theirs.status == "pending"


def test_remarks_need_their_text_and_staff_record_an_answer_given_on_paper():
    t = college()
    report = sent(t)
    theirs = agreement_of(report, t.e2)
    with pytest.raises(WblInvalid) as refused:
        reports.answer(theirs, "remarks", "Башчы Б.", "  ", t.rep2)
    assert [v.field for v in refused.value.violations] == ["remarks"]
    with pytest.raises(WblInvalid) as bad:
        reports.answer(theirs, "pending", "Башчы Б.", "", t.rep2)
    assert [v.field for v in bad.value.violations] == ["status"]
    paper = reports.answer(theirs, "remarks", "Башчы Б., директор", "Сандарды текшергиле", t.head_of_practice)
    assert (paper.status, paper.agreed_by, paper.remarks) == ("remarks", "Башчы Б., директор", "Сандарды текшергиле")


# --- Final: VR-52 every employer agreed; the indicators frozen -------------------------------------------


def test_final_is_refused_while_an_employer_has_not_agreed_or_made_remarks():
    t = college()
    report = sent(t)
    reports.answer(agreement_of(report, t.e1), "agreed", "Р. 1", "", t.rep1)
    with pytest.raises(WblInvalid) as pending:
        reports.finalise(report, t.admin, today=D(2025, 9, 10))
    (v,) = pending.value.violations
    assert v.code == "wbl.report.employer_agreement" and t.e2.name in v.message and "п. 56, item 12" in v.source
    reports.answer(agreement_of(report, t.e2), "remarks", "Р. 2", "Сандарды текшергиле", t.rep2)
    with pytest.raises(WblInvalid) as remarks:
        reports.finalise(report, t.admin, today=D(2025, 9, 10))
    assert "made remarks" in remarks.value.violations[0].message
    assert reports.allowed_steps(report, t.admin) == {"reopen"}
    report.refresh_from_db()
    assert (report.status, report.indicators, report.finalised_on) == ("sent", {}, None)


def test_after_every_employer_agreed_the_report_is_final_and_its_indicators_stay_as_they_were():
    t = college()
    report = sent(t)
    reports.answer(agreement_of(report, t.e1), "agreed", "Р. 1", "", t.rep1)
    reports.answer(agreement_of(report, t.e2), "agreed", "Р. 2", "", t.rep2)
    assert "finalise" in reports.allowed_steps(report, t.admin)
    report = reports.finalise(report, t.admin, today=D(2025, 9, 10))
    assert (report.status, report.finalised_on) == ("final", D(2025, 9, 10))
    frozen = report.indicators
    assert frozen["frozen_on"] == "2025-09-10" and frozen["learners"]["total"] == 3 and frozen["academic_year"] == 2024
    # Later changes to the year's data do not change the final report.
    Placement.objects.create(
        institution=t.institution, form="practice", practice_type="research", student=f.StudentFactory(institution=t.institution),
        employer=t.e1, starts_on=D(2025, 3, 1), ends_on=D(2025, 3, 20), status="closed",
    )  # fmt: skip
    t.p2.status = "cancelled"
    t.p2.save(update_fields=["status"])
    live = reports.indicators([t.institution], YEAR)["learners"]
    assert (live["by_form"]["practice"], live["by_form"]["apprenticeship"]) == (2, 1)
    report.refresh_from_db()
    shown, is_frozen = reports.shown_indicators(report)
    assert (
        is_frozen
        and shown == frozen
        and (shown["learners"]["by_form"]["practice"], shown["learners"]["by_form"]["apprenticeship"]) == (1, 2)
    )
    published = reports.publish(report, t.admin, today=D(2025, 9, 15))
    assert (published.status, published.published_on) == ("published", D(2025, 9, 15))
    assert reports.shown_indicators(published)[0]["learners"]["total"] == 3
    with pytest.raises(RuleViolation):
        reports.reopen(published, t.admin)
    assert reports.allowed_steps(published, t.admin) == set()


def test_remarks_are_worked_in_by_reopening_and_every_employer_is_asked_again():
    t = college()
    report = sent(t)
    reports.answer(agreement_of(report, t.e1), "agreed", "Р. 1", "", t.rep1)
    reports.answer(agreement_of(report, t.e2), "remarks", "Р. 2", "Сандарды текшергиле", t.rep2)
    report = reports.reopen(report, t.admin)
    assert report.status == "draft"
    # While reworked, the remarks stay readable.
    assert agreement_of(report, t.e2).remarks == "Сандарды текшергиле"
    report = reports.save_texts(report, report.summary, report.problems, "Сунуштар, оңдолгон", t.admin)
    report = reports.send_to_employers(report, t.admin, today=D(2025, 9, 20))
    assert set(report.agreements.values_list("status", "agreed_on", "remarks")) == {("pending", None, "")}
    assert agreement_of(report, t.e2).history.filter(status="remarks").exists()
    for employer, rep in ((t.e1, t.rep1), (t.e2, t.rep2)):
        reports.answer(agreement_of(report, employer), "agreed", "", "", rep)
    report = reports.finalise(report, t.admin, today=D(2025, 9, 25))
    report = reports.reopen(report, t.admin)  # a final report may be reopened too, before it is published
    assert (report.status, report.indicators, report.finalised_on) == ("draft", {}, None)


def test_steps_refused_from_the_wrong_state_change_nothing():
    t = college()
    report = opened(t, recommendations="Сунуш")
    for step in (reports.finalise, reports.publish, reports.reopen):
        with pytest.raises(RuleViolation) as refused:
            step(report, t.admin)
        assert refused.value.code == "wbl.annualreport.status"
    report.refresh_from_db()
    assert report.status == "draft"
    with pytest.raises(RuleViolation):
        reports.take_step(report, "approve", t.admin)
    assert reports.allowed_steps(report, t.admin) == {"edit", "send"}
    assert reports.allowed_steps(report, t.rep1) == set()


def test_the_reports_rules_come_from_the_rulebook_in_four_languages():
    from kesip.core.models import Rule

    rules = {r.code: r for r in Rule.objects.filter(code__startswith="wbl.report.", jurisdiction="KG")}
    assert set(rules) == {"wbl.report.annual.period", "wbl.report.recommendations", "wbl.report.employer_agreement"}
    for r in rules.values():
        assert all((r.title_en, r.title_ru, r.title_ky, r.title_kk)) and "п. 56, item 12" in r.clause


def test_in_kazakhstan_the_report_follows_the_same_steps_without_a_kg_clause():
    t = college("KZ")
    with pytest.raises(RuleViolation) as early:
        reports.open_report(t.institution, 2024, t.admin, today=D(2025, 8, 31))
    assert early.value.code == "wbl.report.annual.period" and early.value.source == ""
    report = opened(t)
    with pytest.raises(WblInvalid) as refused:
        reports.send_to_employers(report, t.admin, today=AFTER)
    assert [(v.code, v.source) for v in refused.value.violations] == [("wbl.report.recommendations", "")]


def _race(*steps):
    import threading

    from django.db import connection

    barrier, outcomes = threading.Barrier(len(steps)), []

    def run(step):
        barrier.wait()
        try:
            outcomes.append(step())
        except (RuleViolation, WblInvalid) as refused:
            outcomes.append(refused)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(step,)) for step in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_openings_leave_one_report_and_an_answer_never_slips_past_finalise():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("simultaneous requests are exercised on PostgreSQL (CI runs the suite there too)")
    t = college()
    outcomes = _race(*[lambda: reports.open_report(t.institution, YEAR, t.admin, today=AFTER)] * 4)
    assert sum(isinstance(o, AnnualReport) for o in outcomes) == 1
    assert {o.code for o in outcomes if isinstance(o, RuleViolation)} == {"wbl.report.duplicate"}
    report = AnnualReport.objects.get()
    reports.save_texts(report, "", "", "Сунуш", t.admin)
    for _round in range(3):
        report = reports.send_to_employers(report, t.admin, today=AFTER)
        reports.answer(agreement_of(report, t.e1), "agreed", "Р. 1", "", t.rep1)
        e2 = agreement_of(report, t.e2)
        reports.answer(e2, "agreed", "Р. 2", "", t.rep2)
        _race(
            lambda r=report: reports.finalise(r, t.admin, today=AFTER),
            lambda a=e2: reports.answer(a, "remarks", "Р. 2", "Сандар", t.rep2),
        )
        report.refresh_from_db()
        statuses = frozenset(report.agreements.values_list("status", flat=True))
        # Either final with every employer agreed, or still sent with the remarks recorded.
        assert (report.status, statuses) in {("final", frozenset({"agreed"})), ("sent", frozenset({"agreed", "remarks"}))}
        report = reports.reopen(report, t.admin)
