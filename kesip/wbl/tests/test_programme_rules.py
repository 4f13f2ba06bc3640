"""The rules of a WBL programme (п. 50–54) at their boundaries, and the WBL percentage with known numbers.

`college()` builds a complete programme that breaks no rule: every test empties or breaks one thing
and expects exactly that violation, with its clause.
"""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from kesip.core.roles import Role
from kesip.core.tests import factories as f
from kesip.curriculum.models import Component, WorkingCurriculum
from kesip.curriculum.tests.factories import CompetencyFactory, ComponentFactory, ModuleFactory
from kesip.wbl import programme_rules as pr
from kesip.wbl.models import ContentRow, LoadRow, RubricItem, WblProgramme, WblSettings

pytestmark = pytest.mark.django_db


def college(jurisdiction="KG", year=2024, approved_curriculum=True):
    """A programme of 3000 hours (844 of practice) and a complete WBL programme of 432 WBL hours.

    Curriculum: subject 2156 h, educational practice 420 h (year 1 semester 2), production practice
    424 h (year 2 semester 2). Section 5: educational practice 144 h in semester 2, a guest lecture of
    72 h in semester 3 attached to the subject, production practice 216 h in semester 4.
    """
    inst = f.InstitutionFactory(jurisdiction=jurisdiction)
    programme = f.ProgrammeFactory(
        institution=inst,
        standard="ГОС СПО по специальности 7212 (2023)",
        name_ru="Электрогазосварщик",
        name_ky="Электр-газ ширетүүчү",
    )
    employer = f.EmployerFactory(institution=inst)
    c1 = CompetencyFactory(programme=programme, code="ПК1", description="Выполнять ручную дуговую сварку")
    c2 = CompetencyFactory(programme=programme, code="ПК2", description="Читать чертежи сварных конструкций")
    c3 = CompetencyFactory(programme=programme, code="ОК1", kind="general", description="Работать в команде")
    module = ModuleFactory(programme=programme)
    subject = ComponentFactory(module=module, kind="subject", name_ru="Технология сварки", hours=2156, credits=None)
    educational = ComponentFactory(
        module=module,
        kind="practice",
        practice_type="educational",
        name_ru="Учебная практика",
        hours=420,
        credits=Decimal("17.5"),
    )
    production = ComponentFactory(
        module=module,
        kind="practice",
        practice_type="production",
        name_ru="Производственная практика",
        hours=424,
        credits=Decimal("17.7"),
    )
    wc = WorkingCurriculum.objects.create(
        institution=inst, programme=programme, intake_year=year, status="approved" if approved_curriculum else "draft"
    )
    for component, y, s, hours in (
        (subject, 1, 1, 600),
        (subject, 1, 2, 556),
        (subject, 2, 1, 500),
        (subject, 2, 2, 500),
        (educational, 1, 2, 420),
        (production, 2, 2, 424),
    ):
        wc.entries.create(institution=inst, component=component, year=y, semester=s, hours=hours)
    wp = WblProgramme.objects.create(
        institution=inst,
        programme=programme,
        form="practice",
        co_developer=employer,
        academic_year=year,
        normative_base="ГОС СПО 2023; образовательная программа 7212",
        goal="Закрепить навыки сварки на производстве",
        procedure="Колледж направляет, предприятие принимает и обучает",
        mentor_duties="Наставник обучает и оценивает",
        safety="Инструктаж по охране труда и пожарной безопасности",
    )
    wp.outcomes.add(c1, c2)
    rows = SimpleNamespace(
        educational=LoadRow.objects.create(
            institution=inst, programme=wp, semester=2, activity="practice", practice_type="educational",
            component=educational, hours=144, credits=6,
        ),
        lecture=LoadRow.objects.create(
            institution=inst, programme=wp, semester=3, activity="guest_lecture", component=subject, hours=72, credits=3
        ),
        production=LoadRow.objects.create(
            institution=inst, programme=wp, semester=4, activity="practice", practice_type="production",
            component=production, hours=216, credits=9,
        ),
    )  # fmt: skip
    content = SimpleNamespace(
        educational=ContentRow.objects.create(
            institution=inst, programme=wp, practice_type="educational", competency=c1, topic="Сварка пластин",
            hours=144, environment="Учебная мастерская", equipment="Сварочный инвертор",
        ),
        production=ContentRow.objects.create(
            institution=inst, programme=wp, practice_type="production", competency=c2, topic="Сварка конструкций",
            hours=216, environment="Цех металлоконструкций", equipment="Полуавтомат",
        ),
    )  # fmt: skip
    grade = RubricItem.objects.create(
        institution=inst, programme=wp, method="practical_task", level="5", descriptor="Шов без дефектов, в срок"
    )
    grade.competencies.add(c1)
    group = f.GroupFactory(institution=inst, programme=programme)
    return SimpleNamespace(
        institution=inst,
        programme=programme,
        employer=employer,
        competencies=(c1, c2, c3),
        subject=subject,
        educational=educational,
        production=production,
        working_curriculum=wc,
        wp=wp,
        rows=rows,
        content=content,
        grade=grade,
        group=group,
        admin=f.member(Role.INSTITUTION_ADMIN, institution=inst),
        head=f.member(Role.HEAD, institution=inst),
        practice_head=f.member(Role.HEAD_OF_PRACTICE, institution=inst),
        teacher=f.member(Role.TEACHER, institution=inst),
        rep=f.member(Role.EMPLOYER_REP, institution=inst, employer=employer),
    )


def found(wp):
    wp = WblProgramme.objects.select_related("institution", "programme").get(pk=wp.pk)
    hard, soft = pr.violations(wp)
    return hard, soft


def codes(violations):
    return [v.code for v in violations]


def test_a_complete_programme_breaks_no_rule():
    t = college()
    hard, soft = found(t.wp)
    assert hard == [] and soft == []
    wp = WblProgramme.objects.get(pk=t.wp.pk)
    marks = pr.section_marks(pr.load(wp), hard, soft)
    assert [m["section"].number for m in marks] == list(range(1, 10)) and {m["state"] for m in marks} == {"complete"}


def test_the_template_has_the_nine_sections_of_the_rulebook():
    from kesip.core import rules

    assert rules.value("wbl.programme.sections", "KG") == len(pr.SECTIONS) == 9


@pytest.mark.parametrize(
    "field_name, section",
    [("normative_base", 1), ("goal", 2), ("procedure", 4), ("mentor_duties", 4), ("safety", 8)],
)
def test_an_emptied_text_section_is_exactly_that_violation(field_name, section):
    t = college()
    WblProgramme.objects.filter(pk=t.wp.pk).update(**{field_name: "  "})
    hard, _soft = found(t.wp)
    assert codes(hard) == ["wbl.programme.sections"] and hard[0].field == field_name
    assert f"Section {section}" in hard[0].message and "п. 53 (table)" in hard[0].source
    wp = WblProgramme.objects.get(pk=t.wp.pk)
    marks = {m["section"].number: m["state"] for m in pr.section_marks(pr.load(wp), hard, [])}
    assert marks[section] in ("empty", "partial") and [n for n, s in marks.items() if s != "complete"] == [section]


def test_the_form_is_one_of_the_four_forms():
    t = college()
    WblProgramme.objects.filter(pk=t.wp.pk).update(form="")
    hard, _soft = found(t.wp)
    assert codes(hard) == ["wbl.programme.form"] and hard[0].field == "form" and "п. 53 (table, section 3)" in hard[0].source


@pytest.mark.parametrize(
    "table, field_name",
    [(LoadRow, "load_rows"), (ContentRow, "content_rows"), (RubricItem, "rubric")],
)
def test_an_emptied_table_is_exactly_that_violation(table, field_name):
    t = college()
    table.objects.filter(programme=t.wp).delete()
    hard, _soft = found(t.wp)
    assert codes(hard) == ["wbl.programme.sections"] and hard[0].field == field_name


def test_section_6_emptied_is_exactly_that_violation():
    t = college()
    t.wp.outcomes.clear()
    hard, _soft = found(t.wp)
    assert codes(hard) == ["wbl.programme.sections"] and hard[0].field == "outcomes"


def test_a_grade_descriptor_needs_a_competency_of_section_6_zero_against_one():
    t = college()
    t.grade.competencies.clear()
    hard, _soft = found(t.wp)
    assert codes(hard) == ["wbl.programme.assessment.min_competencies_per_descriptor"]
    assert hard[0].field == f"rubricitem-{t.grade.pk}" and "section 6" in hard[0].message
    assert "п. 53 (table, section 9)" in hard[0].source
    # A competency of the programme that is not among the outcomes of section 6 does not count.
    t.grade.competencies.add(t.competencies[2])
    assert codes(found(t.wp)[0]) == ["wbl.programme.assessment.min_competencies_per_descriptor"]
    t.grade.competencies.add(t.competencies[0])
    assert found(t.wp)[0] == []


def test_a_non_practice_form_without_a_discipline_is_refused():
    t = college()
    LoadRow.objects.filter(pk=t.rows.lecture.pk).update(component=None)
    hard, _soft = found(t.wp)
    assert codes(hard) == ["curriculum.wbl_load.non_practice_form.min_disciplines"]
    assert hard[0].field == f"loadrow-{t.rows.lecture.pk}" and "semester 3" in hard[0].message
    # Attached to a practice component it is still not attached to a discipline.
    LoadRow.objects.filter(pk=t.rows.lecture.pk).update(component=t.educational)
    assert codes(found(t.wp)[0]) == ["curriculum.wbl_load.non_practice_form.min_disciplines"]
    LoadRow.objects.filter(pk=t.rows.lecture.pk).update(component=t.subject)
    assert found(t.wp)[0] == []


def test_a_practice_row_needs_its_type_and_no_discipline():
    t = college()
    LoadRow.objects.filter(pk=t.rows.educational.pk).update(component=None)
    assert found(t.wp)[0] == []  # practice is not attached to a discipline
    LoadRow.objects.filter(pk=t.rows.educational.pk).update(practice_type="")
    hard, _soft = found(t.wp)
    assert codes(hard) == ["wbl.programme.load.practice_type"] and hard[0].source == ""


def test_a_practice_row_matches_its_practice_component():
    t = college()
    LoadRow.objects.filter(pk=t.rows.educational.pk).update(practice_type="research")
    hard, soft = found(t.wp)
    assert "wbl.programme.load.practice_type" in codes(hard)


@pytest.mark.parametrize(
    "hours, credits, broken", [(1, Decimal("0.1"), None), (0, Decimal("3"), "hours"), (72, Decimal(0), "credits")]
)
def test_a_load_row_has_hours_and_credits_above_zero(hours, credits, broken):
    t = college()
    LoadRow.objects.filter(pk=t.rows.lecture.pk).update(hours=hours, credits=credits)
    hard, _soft = found(t.wp)
    if broken is None:
        assert hard == []
    else:
        assert codes(hard) == ["wbl.programme.load.row_complete"] and broken in hard[0].message


def test_a_component_of_another_programme_is_refused():
    t, other = college(), college()
    LoadRow.objects.filter(pk=t.rows.lecture.pk).update(component=other.subject)
    hard, _soft = found(t.wp)
    assert codes(hard) == ["wbl.programme.load.component"]


def test_the_normative_base_needs_the_state_standard_and_a_competency_based_programme():
    t = college()
    t.programme.standard = ""
    t.programme.save()
    hard, _soft = found(t.wp)
    assert codes(hard) == ["wbl.programme.normative_bases.min"] and "state educational standard" in hard[0].message
    assert "п. 51" in hard[0].source
    # The professional standard is optional: it does not make up for the state standard.
    t.programme.professional_standard = "ПС «Сварщик»"
    t.programme.save()
    assert codes(found(t.wp)[0]) == ["wbl.programme.normative_bases.min"]
    t.programme.standard = "ГОС СПО"
    t.programme.save()
    assert found(t.wp)[0] == []


def test_every_practice_type_of_section_5_has_content_in_section_7():
    t = college()
    t.content.production.delete()
    hard, soft = found(t.wp)
    assert codes(hard) == ["wbl.programme.content.per_practice_type"] and "Production" in hard[0].message
    assert "п. 53 (table, section 7)" in hard[0].source
    # …and the hours of section 7 now differ from section 5's for that type: a warning only.
    assert codes(soft) == ["wbl.programme.content.hours_match"] and "216" in soft[0].message


def test_a_content_row_names_its_environment_and_equipment():
    t = college()
    ContentRow.objects.filter(pk=t.content.educational.pk).update(equipment=" ")
    hard, _soft = found(t.wp)
    assert (
        codes(hard) == ["wbl.programme.content.per_practice_type"] and hard[0].field == f"contentrow-{t.content.educational.pk}"
    )


def test_a_content_topic_has_hours_one_not_zero():
    """VR-12 (п. 53 §7): each topic of section 7 has its hours; 0 is refused, 1 is not."""
    t = college()
    ContentRow.objects.filter(pk=t.content.educational.pk).update(hours=0)
    hard, _soft = found(t.wp)
    assert (
        codes(hard) == ["wbl.programme.content.per_practice_type"] and hard[0].field == f"contentrow-{t.content.educational.pk}"
    )
    ContentRow.objects.filter(pk=t.content.educational.pk).update(hours=1)
    hard, _soft = found(t.wp)
    assert hard == []


def test_hours_of_section_7_differing_from_section_5_only_warn_at_one_hour():
    t = college()
    ContentRow.objects.filter(pk=t.content.educational.pk).update(hours=143)
    hard, soft = found(t.wp)
    assert hard == [] and codes(soft) == ["wbl.programme.content.hours_match"]
    assert "143" in soft[0].message and "144" in soft[0].message


def test_the_curriculum_has_at_least_one_practice_type():
    t = college()
    Component.objects.filter(kind="practice").filter(module__programme=t.programme).update(
        kind="industrial_training", practice_type=""
    )
    hard, _soft = found(t.wp)
    assert "wbl.practice.min_types_per_programme" in codes(hard)
    assert next(v for v in hard if v.code == "wbl.practice.min_types_per_programme").source.endswith("п. 25")


def test_the_programme_names_its_co_developing_employer():
    t = college()
    WblProgramme.objects.filter(pk=t.wp.pk).update(co_developer=None)
    hard, _soft = found(t.wp)
    assert codes(hard) == ["wbl.programme.co_developer"] and "п. 56 item 1" in hard[0].source


def test_assessment_methods_outside_the_regulations_list_only_warn():
    t = college()
    RubricItem.objects.filter(pk=t.grade.pk).update(method="observation")
    hard, soft = found(t.wp)
    assert hard == [] and codes(soft) == ["wbl.programme.assessment.regulation_methods"]
    extra = RubricItem.objects.create(institution=t.institution, programme=t.wp, method="case_study", level="4", descriptor="x")
    extra.competencies.add(t.competencies[1])
    assert found(t.wp) == ([], [])


def test_accessibility_is_asked_for_only_when_a_learner_has_special_needs():
    t = college()
    student = f.StudentFactory(institution=t.institution, group=t.group, special_needs=False)
    assert found(t.wp) == ([], [])
    student.special_needs = True
    student.save()
    hard, soft = found(t.wp)
    assert hard == [] and codes(soft) == ["wbl.programme.accessibility"] and soft[0].source.endswith("п. 54")
    student.status = "graduated"
    student.save()
    assert found(t.wp)[1] == []
    student.status = "enrolled"
    student.save()
    WblProgramme.objects.filter(pk=t.wp.pk).update(accessibility="Практика в адаптированной мастерской")
    assert found(t.wp)[1] == []


def test_a_kazakh_institution_has_no_wbl_programme_template():
    t = college("KZ")
    WblProgramme.objects.filter(pk=t.wp.pk).update(goal="", safety="")
    t.grade.competencies.clear()
    hard, soft = found(t.wp)
    assert hard == [] and soft == []


# The WBL percentage -------------------------------------------------------------------------------


def percent(t, denominator=None):
    if denominator:
        WblSettings.objects.update_or_create(institution=t.institution, defaults={"wbl_percent_denominator": denominator})
    wp = WblProgramme.objects.select_related("institution").get(pk=t.wp.pk)
    return pr.wbl_percent(wp)


def test_the_wbl_percent_of_all_hours():
    t = college()
    share = percent(t)
    assert (share["denominator"], share["wbl_hours"], share["curriculum_hours"]) == ("all_hours", 432, 3000)
    assert share["percent"] == Decimal("14.4") and share["wbl_credits"] == Decimal(18)
    assert share["other"]["percent"] == Decimal("51.2") and share["other"]["curriculum_hours"] == 844
    assert "п. 53 (table, section 5)" in share["source"]


def test_the_wbl_percent_of_practice_hours():
    t = college()
    share = percent(t, "practice_hours")
    assert (share["denominator"], share["wbl_hours"], share["curriculum_hours"], share["percent"]) == (
        "practice_hours",
        432,
        844,
        Decimal("51.2"),
    )
    assert share["other"]["percent"] == Decimal("14.4")


def test_the_wbl_percent_per_semester_of_the_approved_working_curriculum():
    t = college()
    rows = {s["semester"]: s for s in percent(t)["semesters"]}
    assert sorted(rows) == [1, 2, 3, 4]
    assert (rows[1]["wbl_hours"], rows[1]["curriculum_hours"], rows[1]["percent"]) == (0, 600, Decimal("0.0"))
    assert (rows[2]["wbl_hours"], rows[2]["curriculum_hours"], rows[2]["percent"]) == (144, 976, Decimal("14.8"))
    assert (rows[3]["wbl_hours"], rows[3]["curriculum_hours"], rows[3]["percent"]) == (72, 500, Decimal("14.4"))
    assert (rows[4]["wbl_hours"], rows[4]["curriculum_hours"], rows[4]["percent"]) == (216, 924, Decimal("23.4"))
    assert (rows[4]["year"], rows[4]["half"], rows[3]["year"], rows[3]["half"]) == (2, 2, 2, 1)
    practice = {s["semester"]: s for s in percent(t, "practice_hours")["semesters"]}
    assert practice[2]["percent"] == Decimal("34.3") and practice[4]["percent"] == Decimal("50.9")
    assert practice[3]["curriculum_hours"] == 0 and practice[3]["percent"] is None


def test_per_semester_shares_need_the_approved_working_curriculum_of_the_intake_year():
    t = college(approved_curriculum=False)
    share = percent(t)
    assert share["working_curriculum"] is None and share["percent"] == Decimal("14.4")
    assert [(s["semester"], s["curriculum_hours"], s["percent"]) for s in share["semesters"]] == [
        (2, None, None),
        (3, None, None),
        (4, None, None),
    ]
    t.working_curriculum.status = "approved"
    t.working_curriculum.save()
    assert percent(t)["working_curriculum"] == {"id": t.working_curriculum.pk, "intake_year": 2024}
    WblProgramme.objects.filter(pk=t.wp.pk).update(academic_year=2025)
    assert percent(t)["working_curriculum"] is None


def test_the_percent_is_none_when_the_curriculum_has_no_hours():
    inst = f.InstitutionFactory()
    wp = WblProgramme.objects.create(
        institution=inst, programme=f.ProgrammeFactory(institution=inst), form="dual", academic_year=2024
    )
    share = pr.wbl_percent(wp)
    assert (share["wbl_hours"], share["curriculum_hours"], share["percent"], share["semesters"]) == (0, 0, None, [])
    assert pr.percent_text(share["percent"]) == "—"


def test_semester_numbers_run_over_the_whole_study_period():
    assert [pr.semester_number(y, s) for y in (1, 2, 3) for s in (1, 2)] == [1, 2, 3, 4, 5, 6]
