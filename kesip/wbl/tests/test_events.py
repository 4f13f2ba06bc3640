"""WBL events (F24, VR-55): the stage of the form, the discipline of the group's curriculum, the attendance sheet all
or nothing, held only with learners present (Hard), the employers' jury of a competition (Soft, acknowledged), the
hours beside section 5 of the WBL programme, and the figures of the annual report."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from kesip.core.roles import Role
from kesip.core.rules import RuleViolation
from kesip.core.tests import factories as f
from kesip.curriculum.tests import factories as cf
from kesip.wbl import common, event_rules, events, reports
from kesip.wbl.models import EventAttendance, EventJuror, LoadRow, WblEvent, WblProgramme

pytestmark = pytest.mark.django_db

D = datetime.date
E = WblEvent


def college(jurisdiction="KG", n=3):
    inst = f.InstitutionFactory(jurisdiction=jurisdiction)
    programme = f.ProgrammeFactory(institution=inst)
    group = f.GroupFactory(institution=inst, programme=programme, intake_year=2024)
    students = [f.StudentFactory(institution=inst, group=group, last_name=f"Окуучу{i}") for i in range(n)]
    module = cf.ModuleFactory(programme=programme, kind="professional")
    taught = cf.ComponentFactory(module=module, code="КЦ.04", hours=120)
    not_laid_out = cf.ComponentFactory(module=module, code="КЦ.09", hours=40)
    wc = programme.working_curricula.create(institution=inst, intake_year=2024, status="approved")
    wc.entries.create(institution=inst, component=taught, year=1, semester=1, hours=60)
    employer = f.EmployerFactory(institution=inst, name="Металл Курулуш")
    return SimpleNamespace(
        institution=inst,
        programme=programme,
        group=group,
        students=students,
        taught=taught,
        not_laid_out=not_laid_out,
        employer=employer,
        admin=f.member(Role.INSTITUTION_ADMIN, institution=inst),
        head_of_practice=f.member(Role.HEAD_OF_PRACTICE, institution=inst),
        employer_rep=f.member(Role.EMPLOYER_REP, institution=inst, employer=employer),
    )


def new(t, **kwargs):
    values = dict(
        institution=t.institution,
        title="Ширетүүчүнүн кесиби",
        kind="guest_lecture",
        starts_on=D(2024, 10, 15),
        hours=2,
        group=t.group,
        component=t.taught,
        employer=t.employer,
    )
    values.update(kwargs)
    return E(**values)


def save(t, user=None, **kwargs):
    event, _w = events.save_event(new(t, **kwargs), user or t.head_of_practice)
    return event


def refused(call, *args, **kwargs):
    with pytest.raises(common.WblInvalid) as caught:
        call(*args, **kwargs)
    return {v.code: v for v in caught.value.violations}


def everyone(t, event, absent=()):
    events.record_attendance(event, [(s, i not in absent, "") for i, s in enumerate(t.students)], t.head_of_practice)


# --- The record ------------------------------------------------------------------------------------


def test_the_stage_follows_the_form_and_is_chosen_only_for_another_form():
    t = college()
    assert save(t, kind="guest_lecture").stage == "7.1"
    assert save(t, kind="excursion").stage == "7.2a"
    assert save(t, kind="competition").stage == "7.2b"
    found = refused(events.save_event, new(t, kind="excursion", stage="7.1"), t.admin)
    assert found[event_rules.STAGE].field == "stage" and found[event_rules.STAGE].source.endswith("п. 7.1; п. 7.2")
    found = refused(events.save_event, new(t, kind="other", title="Кесиптер күнү"), t.admin)
    assert event_rules.STAGE in found
    assert save(t, kind="other", stage="7.2a").stage == "7.2a"
    assert E.objects.count() == 4


def test_hours_above_zero_and_dates_in_order_nothing_saved_otherwise():
    t = college()
    found = refused(events.save_event, new(t, hours=0), t.admin)
    assert found["wbl.event.hours"].field == "hours"
    found = refused(events.save_event, new(t, starts_on=D(2024, 10, 15), ends_on=D(2024, 10, 14)), t.admin)
    assert found["wbl.event.dates"].field == "ends_on"
    assert not E.objects.exists()
    assert save(t, hours=Decimal("0.5"), ends_on=D(2024, 10, 15)).hours == Decimal("0.5")


def test_the_discipline_is_a_component_of_the_groups_working_curriculum():
    t = college()
    found = refused(events.save_event, new(t, component=t.not_laid_out), t.admin)
    v = found[event_rules.DISCIPLINE]
    assert v.field == "component" and "п. 53 §5" in v.source and t.group.name in v.message
    assert save(t, component=t.taught).component_id == t.taught.pk
    assert save(t, component=None).component_id is None  # the discipline stays optional (a fair)


def test_without_a_working_curriculum_the_discipline_is_of_the_groups_programme():
    t = college()
    other_group = f.GroupFactory(institution=t.institution, programme=t.programme, intake_year=2023)  # no curriculum of 2023
    assert save(t, group=other_group, component=t.not_laid_out).pk
    foreign = cf.ComponentFactory(module=cf.ModuleFactory(programme=f.ProgrammeFactory(institution=t.institution)))
    assert event_rules.DISCIPLINE in refused(events.save_event, new(t, group=other_group, component=foreign), t.admin)


def test_records_of_another_institution_are_refused():
    t, other = college(), college()
    found = refused(events.save_event, new(t, employer=other.employer), t.admin)
    assert found["wbl.event.institution"].field == "employer"


def test_only_the_institutions_staff_take_the_steps():
    t = college()
    with pytest.raises(RuleViolation) as caught:
        events.save_event(new(t), t.employer_rep)
    assert caught.value.code == "wbl.permission"
    event = save(t)
    with pytest.raises(RuleViolation):
        events.record_attendance(event, [(t.students[0], True, "")], t.employer_rep)
    assert events.steps(event, t.employer_rep) == set()
    assert events.steps(event, t.head_of_practice) == {"edit", "attendance", "jury", "held", "cancel"}


# --- The attendance sheet ------------------------------------------------------------------------------


def test_the_sheet_of_the_whole_group_is_recorded_all_or_nothing():
    t = college()
    event = save(t)
    stranger = f.StudentFactory(institution=t.institution, group=f.GroupFactory(institution=t.institution))
    sheet = [(s, True, "") for s in t.students] + [(stranger, True, "")]
    found = refused(events.record_attendance, event, sheet, t.admin)
    assert found["wbl.event.attendance"].field == "attendance" and stranger.last_name in found["wbl.event.attendance"].message
    assert not EventAttendance.objects.filter(event=event).exists()
    everyone(t, event, absent=(1,))
    assert EventAttendance.objects.filter(event=event).count() == 3
    assert events.present_count(event) == 2
    # The sheet replaces what was recorded: a learner left off is removed, a mark is changed.
    events.record_attendance(event, [(t.students[0], False, "ооруп калды"), (t.students[1], True, "")], t.admin)
    rows = {a.student_id: a for a in EventAttendance.objects.filter(event=event)}
    assert set(rows) == {t.students[0].pk, t.students[1].pk}
    assert rows[t.students[0].pk].note == "ооруп калды" and not rows[t.students[0].pk].present


def test_a_learner_twice_on_the_sheet_is_refused():
    t = college()
    event = save(t)
    found = refused(events.record_attendance, event, [(t.students[0], True, ""), (t.students[0], False, "")], t.admin)
    assert "wbl.event.attendance" in found and not EventAttendance.objects.exists()


# --- Held: attendance (Hard) and the jury (VR-55, Soft) -----------------------------------------------------


def test_held_needs_a_learner_present_at_the_boundary():
    t = college()
    event = save(t)
    found = refused(events.mark_held, event, t.admin)
    assert found[event_rules.ATTENDANCE].field == "attendance" and "п. 15" in found[event_rules.ATTENDANCE].source
    events.record_attendance(event, [(s, False, "") for s in t.students], t.admin)  # 0 present
    assert event_rules.ATTENDANCE in refused(events.mark_held, event, t.admin)
    event.refresh_from_db()
    assert event.status == E.Status.PLANNED
    events.record_attendance(event, [(s, i == 0, "") for i, s in enumerate(t.students)], t.admin)  # 1 present
    held, warnings = events.mark_held(event, t.admin)
    assert held.status == E.Status.HELD and warnings == []


def test_a_held_event_keeps_a_learner_present():
    t = college()
    event = save(t)
    everyone(t, event)
    events.mark_held(event, t.admin)
    found = refused(events.record_attendance, event, [(s, False, "") for s in t.students], t.admin)
    assert event_rules.ATTENDANCE in found
    assert events.present_count(event) == 3


def test_an_event_is_not_held_before_its_day():
    t = college()
    event = save(t, starts_on=datetime.date.today() + datetime.timedelta(days=1))
    everyone(t, event)
    assert "wbl.event.held_date" in refused(events.mark_held, event, t.admin)


def test_vr55_a_competition_without_jurors_warns_and_goes_ahead_only_acknowledged():
    t = college()
    event = save(t, kind="competition", title="Мыкты ширетүүчү")
    everyone(t, event)
    assert [w.code for w in events.warnings_for(event)] == [event_rules.JURY]
    found = refused(events.mark_held, event, t.admin)  # 0 jurors: the soft rule alone, asking to be acknowledged
    assert list(found) == [event_rules.JURY] and event_rules.is_soft(found[event_rules.JURY])
    assert found[event_rules.JURY].source.endswith("п. 7.2")
    event.refresh_from_db()
    assert event.status == E.Status.PLANNED
    held, acknowledged = events.mark_held(event, t.admin, acknowledge=True)
    assert held.status == E.Status.HELD and [w.code for w in acknowledged] == [event_rules.JURY]
    who, _when = events.acknowledgement(held)
    assert who == t.admin
    assert held.history.first().history_change_reason == f"{events.ACK_PREFIX} {event_rules.JURY}"


def test_vr55_one_juror_is_enough():
    t = college()
    event = save(t, kind="competition", title="Мыкты ширетүүчү")
    everyone(t, event)
    _juror, warnings = events.save_juror(
        EventJuror(event=event, employer=t.employer, full_name="Бекмуратов Азамат", position="Бригадир"), t.admin
    )
    assert warnings == []
    held, acknowledged = events.mark_held(event, t.admin)
    assert held.status == E.Status.HELD and acknowledged == [] and events.acknowledgement(held) is None
    # Removing the last juror brings the warning back (it never blocks a held event).
    assert [w.code for w in events.delete_juror(EventJuror.objects.get(event=event), t.admin)] == [event_rules.JURY]


def test_the_jury_rule_applies_where_the_rulebook_has_it():
    t = college("KZ")
    event = save(t, kind="competition")
    everyone(t, event)
    assert events.warnings_for(event) == []
    assert events.mark_held(event, t.admin)[0].status == E.Status.HELD


def test_a_guest_lecture_never_asks_for_a_jury():
    t = college()
    assert events.warnings_for(save(t, kind="guest_lecture")) == []


def test_a_juror_names_an_employer_of_the_institution_and_a_name():
    t, other = college(), college()
    event = save(t, kind="competition")
    found = refused(events.save_juror, EventJuror(event=event, employer=other.employer, full_name="X"), t.admin)
    assert found["wbl.event.institution"].field == "employer"
    found = refused(events.save_juror, EventJuror(event=event, employer=t.employer, full_name="  "), t.admin)
    assert found["wbl.event.juror"].field == "full_name"
    assert not EventJuror.objects.exists()


def test_cancel_needs_a_reason_and_a_cancelled_event_stays_as_it_is():
    t = college()
    event = save(t)
    assert "wbl.event.reason" in refused(events.cancel, event, " ", t.admin)
    events.cancel(event, "Ишкана карантинде", t.admin)
    event.refresh_from_db()
    assert event.status == E.Status.CANCELLED and events.cancellation_reason(event) == "Ишкана карантинде"
    with pytest.raises(RuleViolation):
        events.save_event(event, t.admin)
    with pytest.raises(RuleViolation):
        events.record_attendance(event, [(t.students[0], True, "")], t.admin)
    assert events.steps(event, t.admin) == set()


def test_the_group_is_not_changed_once_attendance_is_recorded():
    t = college()
    event = save(t)
    everyone(t, event)
    event.group = f.GroupFactory(institution=t.institution, programme=t.programme)
    event.component = None
    assert "wbl.event.group" in refused(events.save_event, event, t.admin)


# --- Section 5 of the WBL programme -------------------------------------------------------------------


def test_the_programme_page_counts_hours_held_by_semester_and_form_next_to_the_plan():
    t = college()
    wp = WblProgramme.objects.create(institution=t.institution, programme=t.programme, form="practice", academic_year=2024)
    LoadRow.objects.create(institution=t.institution, programme=wp, semester=1, activity="guest_lecture", hours=4, credits=0)
    LoadRow.objects.create(institution=t.institution, programme=wp, semester=2, activity="practice", hours=48, credits=2)
    for kind, day, hours in (
        ("guest_lecture", D(2024, 10, 15), 2),  # semester 1 of the intake of 2024
        ("guest_lecture", D(2024, 12, 20), 1),  # still semester 1
        ("excursion", D(2025, 3, 3), 4),  # semester 2
        ("fair", D(2025, 4, 1), 3),  # counted as “other”
        ("master_class", D(2025, 9, 2), 5),  # the next academic year: not this programme's
    ):
        event = save(t, kind=kind, starts_on=day, hours=hours)
        everyone(t, event)
        events.mark_held(event, t.admin)
    save(t, kind="excursion", starts_on=D(2025, 3, 10), hours=8)  # planned, not held
    rows = {(r["semester"], r["activity"]): r for r in events.held_by_semester(wp, list(wp.load_rows.all()))}
    assert (rows[(1, "guest_lecture")]["planned"], rows[(1, "guest_lecture")]["held"], rows[(1, "guest_lecture")]["events"]) == (
        4,
        3,
        2,
    )
    assert (rows[(2, "excursion")]["planned"], rows[(2, "excursion")]["held"]) == (0, 4)
    assert rows[(2, "other")]["held"] == 3
    assert (2, "practice") not in rows  # placements have their own hours
    assert events.semester_of(2024, 2023, True) == 3 and events.semester_of(2024, 2023, False) == 4


# --- The annual report -----------------------------------------------------------------------------


def test_the_report_counts_events_by_stage_and_form_learner_hours_employers_and_juries():
    t = college()
    lecture = save(t, kind="guest_lecture", hours=2)
    everyone(t, lecture)  # 3 present × 2 h
    events.mark_held(lecture, t.admin)
    other_employer = f.EmployerFactory(institution=t.institution, name="Агро Сервис")
    contest = save(t, kind="competition", starts_on=D(2025, 5, 15), hours=6, employer=None)
    everyone(t, contest, absent=(0,))  # 2 present × 6 h
    events.save_juror(EventJuror(event=contest, employer=other_employer, full_name="Ташиев Эркин"), t.admin)
    events.mark_held(contest, t.admin)
    bare = save(t, kind="competition", starts_on=D(2025, 5, 16), hours=1, employer=t.employer)
    everyone(t, bare, absent=(0, 1))  # 1 present × 1 h
    events.mark_held(bare, t.admin, acknowledge=True)
    save(t, kind="excursion", starts_on=D(2025, 6, 1))  # planned
    events.cancel(save(t, kind="excursion", starts_on=D(2025, 6, 2)), "Жамгыр", t.admin)
    save(t, kind="excursion", starts_on=D(2025, 9, 1))  # the next year
    ev = reports.indicators([t.institution], 2024)["events"]
    assert (ev["total"], ev["held"], ev["planned"], ev["cancelled"]) == (5, 3, 1, 1)
    assert (ev["hours"], ev["learner_hours"], ev["attendances"], ev["learners"]) == (9, 19, 6, 3)
    assert ev["employers"] == 2  # the lecture's and the bare competition's employer, and the juror's: two distinct
    assert (ev["competitions"], ev["competitions_with_jury"], ev["jury_percent"]) == (2, 1, 50.0)
    assert ev["by_stage"] == {"7.1": 1, "7.2a": 0, "7.2b": 2}
    assert ev["by_kind"]["guest_lecture"] == 1 and ev["by_kind"]["competition"] == 2 and ev["by_kind"]["excursion"] == 0
    from kesip.wbl.report_tables import sections

    section = next(s for s in sections(reports.indicators([t.institution], 2024)) if s["key"] == "events")
    assert "19" in str(section["blocks"][0])


def test_a_report_frozen_before_events_were_counted_shows_no_events_section():
    from kesip.wbl.report_tables import COLUMNS, sections

    t = college()
    ind = reports.indicators([t.institution], 2024)
    del ind["events"]
    assert all(s["key"] != "events" for s in sections(ind))
    assert dict((k, get) for k, _l, get in COLUMNS)["events"](ind) == "—"
