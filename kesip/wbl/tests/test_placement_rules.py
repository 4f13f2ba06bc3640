"""The rules of a placement, each at its boundary and with its clause (KG WBL regulation п. 16–57)."""

import datetime

import pytest

from kesip.core.tests import factories as f
from kesip.wbl import placement_rules as rules
from kesip.wbl import placements as services
from kesip.wbl.models import Agreement, Order, Placement, WblProgramme, Workplace
from kesip.wbl.tests.placement_setup import FIRST, LAST, college, plan, raw, values

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def check(t, step=rules.SAVE, **kwargs):
    """(hard codes, soft codes, hard, soft) of an unsaved placement."""
    p = Placement(**values(t, **kwargs))
    services.prepare(p)
    hard, soft = services.check(p, step)
    return [v.code for v in hard], [v.code for v in soft], hard, soft


def test_a_complete_practice_placement_breaks_nothing():
    t = college()
    hard, soft, *_ = check(t)
    assert hard == [] and soft == []
    p = plan(t)
    assert p.status == "planned" and p.group == t.group and p.agreement == t.agreement and p.institution == t.institution


# ------------------------------------------------------------------ VR-17: the approved calendar's practice period


def test_dates_on_the_first_and_last_day_of_the_calendar_period_pass_and_one_day_outside_fails():
    t = college()
    assert check(t, starts_on=FIRST, ends_on=LAST)[0] == []
    hard, _, found, _ = check(t, starts_on=FIRST - DAY, ends_on=LAST)
    assert hard == [rules.WITHIN_CALENDAR] and "п. 27" in found[0].source and found[0].field == "starts_on"
    assert check(t, starts_on=FIRST, ends_on=LAST + DAY)[0] == [rules.WITHIN_CALENDAR]


def test_a_period_reserved_for_another_component_or_a_draft_schedule_does_not_count():
    t = college()
    assert rules.WITHIN_CALENDAR in check(t, component=t.other_component, practice_type="educational")[0]
    t.calendar.status = "draft"
    t.calendar.save()
    assert check(t)[0] == [rules.WITHIN_CALENDAR]


def test_without_a_component_a_practice_is_still_held_to_the_groups_practice_periods():
    t = college()
    assert check(t, component=None)[0] == []
    assert check(t, component=None, starts_on=FIRST - DAY)[0] == [rules.WITHIN_CALENDAR]
    assert check(t, component=None, ends_on=LAST + DAY)[0] == [rules.WITHIN_CALENDAR]


# ------------------------------------------------------------------ VR-43: places, availability, roster


def test_a_workplace_takes_as_many_learners_as_its_places_and_not_one_more():
    t = college(places=3, students=5)
    for s in t.students[:3]:
        plan(t, student=s)
    hard, _, found, _ = check(t, student=t.students[3])
    assert hard == [rules.WORKPLACES] and found[0].field == "workplace" and "3 places" in found[0].message
    assert "п. 57" in found[0].source


def test_places_are_counted_on_the_busiest_day_and_cancelled_placements_free_theirs():
    t = college(places=2, students=5)
    raw(t, student=t.students[0], starts_on=FIRST, ends_on=FIRST + 7 * DAY)
    raw(t, student=t.students[1], starts_on=LAST - 7 * DAY, ends_on=LAST)
    # The two never meet: a third over the whole period makes two on any day.
    plan(t, student=t.students[2])
    assert check(t, student=t.students[3], starts_on=FIRST + 2 * DAY, ends_on=FIRST + 4 * DAY)[0] == [rules.WORKPLACES]
    Placement.objects.filter(student=t.students[0]).update(status="cancelled")
    assert check(t, student=t.students[3], starts_on=FIRST + 2 * DAY, ends_on=FIRST + 4 * DAY)[0] == []


def test_the_dates_lie_within_the_period_the_workplace_is_offered():
    t = college()
    Workplace.objects.filter(pk=t.workplace.pk).update(available_to=LAST - DAY)
    t.workplace.refresh_from_db()
    hard, _, found, _ = check(t)
    assert hard == [rules.WORKPLACES] and "offered from" in found[0].message
    Workplace.objects.filter(pk=t.workplace.pk).update(available_to=LAST, is_active=False)
    t.workplace.refresh_from_db()
    assert check(t)[0] == [rules.WORKPLACES]


def test_the_learner_must_be_on_the_agreements_roster_when_it_has_one():
    t = college()
    assert check(t, student=t.students[2])[0] == []  # no roster: not checked
    for s in t.students[:2]:
        t.agreement.roster.create(institution=t.institution, student=s)
    assert check(t, student=t.students[1])[0] == []
    hard, _, found, _ = check(t, student=t.students[2])
    assert hard == [rules.ROSTER] and found[0].field == "student" and "2 learners" in found[0].message


def test_an_agreement_holds_no_more_learners_at_once_than_its_workplaces():
    t = college(places=10, students=4)
    Agreement.objects.filter(pk=t.agreement.pk).update(places=2)
    plan(t, student=t.students[0])
    plan(t, student=t.students[1])
    hard, _, found, _ = check(t, student=t.students[2])
    assert hard == [rules.WORKPLACES] and found[0].field == "agreement"


# ------------------------------------------------------------------ VR-2: the covering agreement


def test_a_placement_needs_a_signed_agreement_covering_form_profession_and_period():
    t = college()
    Agreement.objects.filter(pk=t.agreement.pk).update(status="negotiation")
    hard, _, found, _ = check(t)
    assert hard == ["wbl.agreement.required"] and found[0].field == "employer"
    Agreement.objects.filter(pk=t.agreement.pk).update(status="active", ends_on=LAST - DAY)
    assert check(t)[0] == ["wbl.agreement.required"]
    Agreement.objects.filter(pk=t.agreement.pk).update(ends_on=LAST, form="dual")
    assert check(t)[0] == ["wbl.agreement.required"]


def test_a_chosen_agreement_that_does_not_cover_the_placement_is_named():
    t = college()
    other = Agreement.objects.create(
        institution=t.institution, employer=t.employer, kind="wbl", form="practice", status="active",
        starts_on=datetime.date(2024, 1, 1), ends_on=datetime.date(2024, 12, 31),
    )  # fmt: skip
    hard, _, found, _ = check(t, agreement=other)
    assert hard == ["wbl.agreement.required"] and found[0].field == "agreement"


# ------------------------------------------------------------------ VR-19, VR-40, VR-41: supervision


def test_practice_needs_a_head_of_practical_training_or_a_mentor():
    t = college()
    p = Placement(**values(t))
    services.prepare(p)
    p.supervisor = None
    p.mentor = None
    hard, soft = services.check(p)
    assert rules.MIN_SUPERVISORS in [v.code for v in hard] and "п. 28" in hard[0].source
    p.mentor = t.mentor
    assert rules.MIN_SUPERVISORS not in [v.code for v in services.check(p)[0]]


def test_the_mentor_warns_while_planned_and_blocks_the_referral_order():
    t = college()
    hard, soft, _, found = check(t, mentor=None)
    assert hard == [] and soft == [rules.MENTOR] and found[0].field == "mentor"
    assert check(t, step=rules.ORDER, mentor=None)[0] == [rules.MENTOR]


def test_a_mentor_who_left_or_works_elsewhere_is_refused():
    t = college()
    t.mentor.is_active = False
    t.mentor.save()
    assert check(t)[0] == [rules.MENTOR]
    other = f.EmployerFactory(institution=t.institution)
    stranger = type(t.mentor).objects.create(
        institution=t.institution, employer=other, last_name="Б", first_name="Б", position="П", is_mentor=True
    )
    hard, _, found, _ = check(t, mentor=stranger)
    assert "wbl.placement.invalid" in hard and any(v.field == "mentor" and "п. 2" in v.message for v in found)


def test_the_groups_head_of_practical_training_is_appointed_by_a_signed_order():
    t = college()
    assert rules.GROUP_SUPERVISOR not in check(t)[1]
    Order.objects.filter(pk=t.supervisor_order.pk).update(status="draft")
    hard, soft, _, found = check(t)
    assert soft == [rules.GROUP_SUPERVISOR] and hard == [] and "п. 10" in found[0].source
    assert rules.GROUP_SUPERVISOR in check(t, step=rules.ORDER)[0]
    Order.objects.filter(pk=t.supervisor_order.pk).update(status="signed")
    t.supervisor_order.lines.update(ends_on=FIRST - DAY)  # an appointment that ended before the practice
    assert rules.GROUP_SUPERVISOR in check(t, step=rules.ORDER)[0]


def test_the_appointed_head_is_filled_in_when_the_placement_names_none():
    t = college()
    p = plan(t, supervisor=None)
    assert p.supervisor == t.supervisor


# ------------------------------------------------------------------ VR-42: consent


def test_consent_is_recorded_who_and_when_and_never_in_the_future():
    t = college()
    hard, _, found, _ = check(t, consent_by="", consent_on=None)
    assert hard == [rules.CONSENT] and "п. 56" in found[0].source
    assert check(t, consent_on=datetime.date.today() + DAY)[0] == [rules.CONSENT]
    assert check(t, consent_by="representative", legal_representative=" ")[0] == [rules.CONSENT]


def test_a_learner_of_17_on_the_first_day_is_represented_and_one_of_18_consents_personally():
    t = college()
    minor = f.StudentFactory(institution=t.institution, group=t.group, birth_date=datetime.date(2007, 3, 4))  # 17 on 3 March 2025
    adult = f.StudentFactory(institution=t.institution, group=t.group, birth_date=datetime.date(2007, 3, 3))  # 18 on 3 March 2025
    hard, _, found, _ = check(t, student=minor)
    assert hard == [rules.MINOR_AGE] and "17" in found[0].message and found[0].field == "consent_by"
    assert check(t, student=minor, consent_by="representative", legal_representative="Маматова Г.")[0] == []
    assert check(t, student=adult)[0] == []


# ------------------------------------------------------------------ VR-16: practice types


def test_specialised_practice_only_for_higher_medical_education_at_health_care():
    t = college(level="higher", sector="health", is_medical=True)
    assert check(t, practice_type="specialised", component=None)[0] == []
    not_medical = college(level="higher", sector="health")  # the classifier does not mark the field medical
    assert check(not_medical, practice_type="specialised", component=None)[0] == [rules.SPECIALISED]
    other = college(level="higher", sector="education", is_medical=True)
    hard, _, found, _ = check(other, practice_type="specialised", component=None)
    assert hard == [rules.SPECIALISED] and "п. 24" in found[0].source
    vocational = college(level="secondary_vocational", sector="health", is_medical=True)
    assert check(vocational, practice_type="specialised", component=None)[0] == [rules.SPECIALISED]


def test_the_practice_type_matches_the_curriculum_component():
    t = college()
    hard, _, found, _ = check(t, practice_type="pre_diploma")
    assert hard == ["wbl.placement.component"] and found[0].field == "practice_type"
    other = college()
    assert "wbl.placement.component" in check(t, component=other.component)[0]


# ------------------------------------------------------------------ VR-21, VR-25: at the learner's own workplace


def test_practice_at_the_learners_own_workplace_needs_the_conformity_note_and_its_approval():
    t = college()
    hard, _, found, _ = check(t, at_own_workplace=True)
    assert hard == [rules.OWN_WORKPLACE, rules.OWN_WORKPLACE] and {v.field for v in found} == {
        "conformity_note",
        "conformity_approved_on",
    }
    ok = check(t, at_own_workplace=True, conformity_note="Работает сварщиком", conformity_approved_on=datetime.date(2025, 2, 20))
    assert ok[0] == []
    p = plan(t, at_own_workplace=True, conformity_note="Работает сварщиком", conformity_approved_on=datetime.date(2025, 2, 20))
    assert p.conformity_approved_by == t.admin


def dual(t, **kwargs):
    t.workplace.is_training_workplace = True
    t.workplace.save()
    Agreement.objects.filter(pk=t.agreement.pk).update(form="dual")
    base = dict(
        form="dual",
        practice_type="",
        individual_schedule="Пн–Ср на предприятии",
        enterprise_timetable="08:00–15:00",
        employment_promised=True,
    )
    base.update(kwargs)
    return base


def test_dual_training_needs_a_training_workplace_a_schedule_and_a_timetable():
    t = college()
    assert check(t, **dual(t))[0] == []
    hard, soft, _, _ = check(t, **dual(t, individual_schedule="", enterprise_timetable="", employment_promised=False))
    assert hard == [rules.DUAL_SCHEDULE, rules.DUAL_TIMETABLE] and soft == [rules.DUAL_EMPLOYMENT]
    Workplace.objects.filter(pk=t.workplace.pk).update(is_training_workplace=False)
    t.workplace.refresh_from_db()
    assert check(t, form="dual", practice_type="", individual_schedule="x", enterprise_timetable="y", employment_promised=True)[
        0
    ] == [rules.DUAL_TRAINING_WORKPLACE]


def test_dual_training_at_the_own_workplace_is_open_to_pedagogical_fields_only():
    conformity = dict(
        at_own_workplace=True, conformity_note="Работает помощником воспитателя", conformity_approved_on=datetime.date(2025, 2, 1)
    )
    t = college()
    hard, _, found, _ = check(t, **dual(t, **conformity))
    assert hard == [rules.DUAL_OWN_WORKPLACE] and "п. 21" in found[0].source
    pedagogical = college(specialty_name="Педагогика и методика начального обучения", is_pedagogical=True)
    assert check(pedagogical, **dual(pedagogical, **conformity))[0] == []
    assert rules.is_pedagogical(pedagogical.specialty) and not rules.is_pedagogical(t.specialty)


# ------------------------------------------------------------------ VR-26..30: internships


def internship(t, **kwargs):
    Agreement.objects.filter(pk=t.agreement.pk).update(form="internship")
    teacher = f.StaffFactory(institution=t.institution)
    base = dict(
        form="internship", student=None, intern_staff=teacher, practice_type="", component=None, group=None,
        intern_category="teacher", internship_type="production", internship_mode="targeted",
        individual_programme="Задачи: освоить новое оборудование", programme_agreed_on=datetime.date(2025, 2, 1),
        intern_education="Высшее", intern_experience="10 лет", intern_position="Мастер п/о",
        internship_goals="Повышение квалификации", duration_reason="Две недели по программе",
        consent_by="", consent_on=None, mentor=t.mentor,
    )  # fmt: skip
    base.update(kwargs)
    return base


def test_a_teachers_internship_with_its_programme_and_grounds_breaks_nothing():
    t = college()
    assert check(t, **internship(t))[0] == []


def test_the_intern_category_fits_the_intern():
    t = college()
    assert check(t, **internship(t, intern_category="graduate"))[0] == [rules.INTERN_CATEGORY]
    hard = check(t, **internship(t, intern_staff=None, student=t.students[0], intern_category="teacher", consent_by="learner",
                                 consent_on=datetime.date(2025, 2, 1)))[0]  # fmt: skip
    assert rules.INTERN_CATEGORY in hard
    learner = dict(intern_staff=None, student=t.students[0], consent_by="learner", consent_on=datetime.date(2025, 2, 1))
    assert rules.INTERN_CATEGORY in check(t, **internship(t, intern_category="graduate", **learner))[0]  # still studying
    assert check(t, **internship(t, intern_category="graduating", **learner))[0] == []


def test_a_production_internship_is_at_an_enterprise_and_a_pedagogical_one_at_an_educational_organisation():
    t = college(sector="education")
    assert check(t, **internship(t))[0] == [rules.INTERN_VENUE]
    assert check(t, **internship(t, internship_type="pedagogical"))[0] == []
    enterprise = college(sector="manufacturing")
    assert check(enterprise, **internship(enterprise, internship_type="pedagogical"))[0] == [rules.INTERN_VENUE]


def test_the_individual_programme_is_required_and_agreed_before_the_referral():
    t = college()
    assert check(t, **internship(t, individual_programme=" "))[0] == [rules.INTERN_PROGRAMME]
    hard, soft, *_ = check(t, **internship(t, programme_agreed_on=None))
    assert hard == [] and soft == [rules.INTERN_AGREED]
    assert check(t, step=rules.ORDER, **internship(t, programme_agreed_on=None))[0] == [rules.INTERN_AGREED]


def test_the_duration_of_an_internship_is_justified_field_by_field():
    t = college()
    hard, _, found, _ = check(t, **internship(t, intern_experience="", duration_reason="", internship_mode=""))
    assert sorted(hard) == sorted([rules.INTERN_MODE, rules.INTERN_JUSTIFICATION, rules.INTERN_JUSTIFICATION])
    assert {v.field for v in found} == {"internship_mode", "intern_experience", "duration_reason"}


# ------------------------------------------------------------------ VR-33..37: apprenticeship


def apprenticeship(t, student, **kwargs):
    Agreement.objects.get_or_create(
        institution=t.institution, employer=t.employer, kind="apprenticeship", form="apprenticeship", learner=student,
        defaults={"starts_on": datetime.date(2025, 1, 1), "ends_on": datetime.date(2025, 12, 31), "status": "active"},
    )  # fmt: skip
    base = dict(form="apprenticeship", practice_type="", student=student, apprenticeship_form="individual", workplace=None)
    base.update(kwargs)
    return base


def test_apprenticeship_only_in_primary_vocational_education():
    t = college(level="primary_vocational")
    assert check(t, **apprenticeship(t, t.students[0]))[0] == []
    secondary = college(level="secondary_vocational")
    hard, _, found, _ = check(secondary, **apprenticeship(secondary, secondary.students[0]))
    assert hard == [rules.PRIMARY_VOCATIONAL] and "п. 44" in found[0].source


def test_apprenticeship_needs_the_training_agreement_with_the_apprentice_and_a_form():
    t = college(level="primary_vocational")
    Agreement.objects.filter(pk=t.agreement.pk).update(form="apprenticeship")
    base = dict(form="apprenticeship", practice_type="", apprenticeship_form="", workplace=None)
    hard, *_ = check(t, **base)
    assert sorted(hard) == sorted([rules.TRAINING_AGREEMENT, rules.APPRENTICESHIP_FORM])


def test_a_mentor_takes_two_apprentices_at_a_time_and_not_a_third():
    t = college(level="primary_vocational", students=4)
    for s in t.students[:2]:
        plan(t, **apprenticeship(t, s))
    hard, _, found, _ = check(t, **apprenticeship(t, t.students[2]))
    assert hard == [rules.MAX_APPRENTICES] and found[0].field == "mentor" and "п. 48" in found[0].source
    # Not at the same time: a third apprentice after the others is fine.
    later = dict(starts_on=LAST + DAY, ends_on=LAST + 20 * DAY, component=None)
    assert check(t, **apprenticeship(t, t.students[2], **later))[0] == []
    # Another mentor is free.
    assert check(t, **apprenticeship(t, t.students[2], mentor=t.mentors[1]))[0] == []


def test_a_brigade_apprentice_has_a_mentor_assigned():
    t = college(level="primary_vocational")
    hard, *_ = check(t, **apprenticeship(t, t.students[0], apprenticeship_form="brigade", mentor=None))
    assert hard == [rules.GROUP_FORM_MENTOR]


def test_in_a_brigade_a_mentor_covers_two_apprentices_and_not_a_third():
    t = college(level="primary_vocational", students=4)
    for s in t.students[:2]:
        plan(t, **apprenticeship(t, s, apprenticeship_form="brigade"))
    hard, _, found, _ = check(t, **apprenticeship(t, t.students[2], apprenticeship_form="course"))
    assert hard == [rules.GROUP_FORM_MENTOR] and found[0].field == "mentor" and "п. 48" in found[0].source
    assert "2" in found[0].message
    assert check(t, **apprenticeship(t, t.students[2], apprenticeship_form="brigade", mentor=t.mentors[1]))[0] == []


def test_an_apprenticeship_outside_a_programme_counts_for_no_component():
    t = college(level="primary_vocational")
    hard, _, found, _ = check(t, **apprenticeship(t, t.students[0], outside_wbl_programme=True))
    assert hard == [rules.OUTSIDE_PROGRAMME] and found[0].field == "component" and "п. 47" in found[0].source
    assert check(t, **apprenticeship(t, t.students[0], outside_wbl_programme=True, component=None))[0] == []
    practice = Placement(**values(t))
    services.prepare(practice)
    practice.outside_wbl_programme = True
    assert "wbl.placement.form" in [v.code for v in rules.violations(practice)[0]]


# ------------------------------------------------------------------ VR-54, F32: learners with special needs (warnings)


def test_a_learner_with_special_needs_warns_of_missing_accommodations_and_an_inaccessible_workplace():
    t = college()
    s = t.students[0]
    s.special_needs = True
    s.save()
    hard, soft, *_ = check(t)
    assert hard == [] and sorted(soft) == sorted([rules.ACCOMMODATIONS, rules.ACCESSIBLE])
    WblProgramme.objects.create(
        institution=t.institution, programme=t.programme, form="practice", academic_year=2024, accessibility="Сокращённый день"
    )
    Workplace.objects.filter(pk=t.workplace.pk).update(accessible=True)
    t.workplace.refresh_from_db()
    assert check(t)[1] == []


# ------------------------------------------------------------------ plain data, and a country whose rulebook has no WBL rules


def test_a_learner_is_not_placed_twice_at_once_and_studies_in_the_group():
    t = college()
    plan(t)
    hard, _, found, _ = check(t, starts_on=FIRST + DAY, ends_on=FIRST + 5 * DAY)
    assert "wbl.placement.overlap" in hard
    t.students[1].status = "academic_leave"
    t.students[1].save()
    assert "wbl.placement.learner" in check(t, student=t.students[1])[0]


def test_kazakh_institutions_keep_the_data_checks_but_not_the_kyrgyz_rules():
    t = college(jurisdiction="KZ", places=1)
    hard, soft, *_ = check(t, consent_by="", consent_on=None, mentor=None)
    assert rules.CONSENT not in hard and rules.MENTOR not in soft
    plan(t, consent_by="", consent_on=None)
    assert check(t, student=t.students[1])[0] == [rules.WORKPLACES]


def test_peak_counts_the_busiest_day():
    d = datetime.date(2025, 3, 1)
    assert rules.peak([(d, d + 4 * DAY), (d + 5 * DAY, d + 9 * DAY)], d, d + 9 * DAY) == (1, d)
    assert rules.peak([(d, d + 5 * DAY), (d + 5 * DAY, d + 9 * DAY)], d, d + 9 * DAY) == (2, d + 5 * DAY)
    assert rules.peak([], d, d) == (0, None)
    assert rules.age_on(datetime.date(2007, 3, 4), datetime.date(2025, 3, 3)) == 17
