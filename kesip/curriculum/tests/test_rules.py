"""Curriculum rules at their boundaries, each number read from the rulebook of the programme's country."""

import datetime
from decimal import Decimal

import pytest

from kesip.core.rules import RuleViolation
from kesip.core.tests import factories as f
from kesip.curriculum import rules
from kesip.curriculum.models import Component, Module
from kesip.curriculum.tests.factories import ComponentFactory, ModuleFactory, QualificationFactory

pytestmark = pytest.mark.django_db


def codes(programme):
    return sorted(v.code for v in rules.programme_violations(programme))


def kz_programme(base="grade9", kinds=("worker",), ge_credits=60, electives=4, basic=("physical", "digital", "economics"),
                 professional=60, practice=True, total=None, choreography=False, military=False):  # fmt: skip
    """A KZ programme that passes every rule with the defaults; arguments move one number at a time."""
    inst = f.InstitutionFactory(jurisdiction="KZ")
    spec = f.SpecialtyFactory(jurisdiction="KZ", level="secondary_vocational", reduced_general_education=choreography,
                              is_military=military)  # fmt: skip
    p = f.ProgrammeFactory(institution=inst, specialty=spec, entry_base=base, language="kk")
    quals = [QualificationFactory(specialty=spec, kind=k) for k in kinds]
    p.qualifications.add(*quals)
    credits = Decimal(0)
    if ge_credits:
        ge = ModuleFactory(programme=p, kind="general")
        mandatory = Decimal(ge_credits) - electives
        ComponentFactory(module=ge, credits=mandatory, hours=int(mandatory * 24))
        for _ in range(electives):
            ComponentFactory(module=ge, credits=1, hours=24, is_elective=True)
        credits += ge_credits
    for kind in basic:
        m = ModuleFactory(programme=p, kind="basic", basic_kind=kind)
        ComponentFactory(module=m, credits=3, hours=72)
        credits += 3
    for q in quals:
        m = ModuleFactory(programme=p, kind="professional", qualification=q)
        share = Decimal(professional) / len(quals)
        if practice:
            ComponentFactory(module=m, credits=share - 5, hours=int((share - 5) * 24))
            ComponentFactory(module=m, kind="practice", practice_type="production", credits=5, hours=120)
        else:
            ComponentFactory(module=m, credits=share, hours=int(share * 24))
        credits += share
    p.total_credits = total if total is not None else int(credits)
    p.total_hours = int(credits * 24)
    p.save()
    return p


def test_a_well_formed_kz_programme_passes():
    p = kz_programme()  # 60 + 9 + 60 = 129 credits, worker after grade 9
    assert codes(p) == []


@pytest.mark.parametrize(
    "base, kinds, professional, ok",
    [
        ("grade9", ("worker",), 50, False),  # 60 + 9 + 50 = 119
        ("grade9", ("worker",), 51, True),  # 120
        ("grade9", ("worker",), 111, True),  # 180
        ("grade9", ("worker",), 112, False),  # 181
        ("grade11", ("worker",), 51, True),  # no GE module: 9 + 51 = 60
        ("grade11", ("worker",), 50, False),  # 59
        ("grade11", ("worker",), 111, True),  # 120
        ("grade11", ("worker",), 112, False),  # 121
    ],
)
def test_worker_credit_ranges_by_entry_base(base, kinds, professional, ok):
    p = kz_programme(base=base, kinds=kinds, professional=professional, ge_credits=60 if base == "grade9" else 0)
    broken = [c for c in codes(p) if c.startswith("curriculum.program.worker")]
    assert (broken == []) is ok, (p.total_credits, broken)


@pytest.mark.parametrize("professional, ok", [(107, False), (108, True), (168, True), (169, False)])
def test_mid_level_after_grade_9_is_180_to_240(professional, ok):
    basic = ("physical", "digital", "economics", "social")
    p = kz_programme(kinds=("mid_level",), basic=basic, professional=professional)  # 60 + 12 + x
    broken = [c for c in codes(p) if c.startswith("curriculum.program.mid_level.basic_secondary")]
    assert (broken == []) is ok, p.total_credits


@pytest.mark.parametrize("professional, ok", [(47, False), (48, True), (49, False)])
def test_mid_level_on_a_vocational_base_is_exactly_60(professional, ok):
    basic = ("physical", "digital", "economics", "social")
    p = kz_programme(base="vocational", kinds=("mid_level",), basic=basic, professional=professional, ge_credits=0)
    assert ("curriculum.program.mid_level.tvet_base.credits" not in codes(p)) is ok, p.total_credits


@pytest.mark.parametrize("workers, ok", [(2, True), (3, False)])
def test_mid_level_holds_at_most_two_worker_qualifications(workers, ok):
    basic = ("physical", "digital", "economics", "social")
    p = kz_programme(kinds=("mid_level",) + ("worker",) * workers, basic=basic, professional=120)
    assert ("curriculum.program.mid_level.max_worker_qualifications" not in codes(p)) is ok


@pytest.mark.parametrize("professional, ok", [(47, False), (48, True), (168, True), (169, False)])
def test_applied_bachelor_is_60_to_180(professional, ok):
    basic = ("physical", "digital", "economics", "social")
    p = kz_programme(base="grade11", kinds=("applied_bachelor",), basic=basic, professional=professional, ge_credits=0)
    broken = [c for c in codes(p) if c.startswith("curriculum.program.applied_bachelor")]
    assert (broken == []) is ok, p.total_credits


@pytest.mark.parametrize("ge, ok", [(59, False), (60, True), (61, False)])
def test_general_education_module_is_60_credits_and_1440_hours(ge, ok):
    p = kz_programme(ge_credits=ge)
    found = codes(p)
    assert ("curriculum.general_education.credits" not in found) is ok
    assert ("curriculum.general_education.academic_hours" not in found) is ok


@pytest.mark.parametrize("ge, ok", [(37, False), (38, True), (60, False)])
def test_choreography_has_its_own_general_education_volume(ge, ok):
    p = kz_programme(ge_credits=ge, choreography=True, professional=90)
    found = codes(p)
    assert ("curriculum.general_education.choreography.credits" not in found) is ok
    assert "curriculum.general_education.credits" not in found


def test_a_programme_after_grade_9_has_the_general_education_module():
    p = kz_programme(ge_credits=0, professional=120)
    assert "curriculum.general_education.credits" in codes(p)
    p.entry_base = "grade11"
    p.save()
    assert "curriculum.general_education.credits" not in codes(p)


@pytest.mark.parametrize("electives, ok", [(3, False), (4, True)])
def test_at_least_four_general_education_electives(electives, ok):
    assert ("curriculum.general_education.min_electives" not in codes(kz_programme(electives=electives))) is ok


def test_basic_modules_three_for_workers_four_for_mid_level():
    assert codes(kz_programme()) == []
    mid = kz_programme(kinds=("mid_level",), professional=111)  # no social-sciences module
    messages = [v.message for v in rules.programme_violations(mid) if v.code == "curriculum.basic_modules.mandatory_count"]
    assert len(messages) == 1 and "social sciences" in messages[0]
    missing = kz_programme(basic=("physical", "digital"), professional=63)
    assert codes(missing) == ["curriculum.basic_modules.mandatory_count"]


def test_an_additional_basic_module_needs_its_justification():
    p = kz_programme(basic=("physical", "digital", "economics", "additional"), professional=57)
    assert codes(p) == ["curriculum.basic_modules.mandatory_count"]
    Module.objects.filter(programme=p, basic_kind="additional").update(justification="Без черчения сварку не освоить")
    assert codes(p) == []


@pytest.mark.parametrize("merged, ok", [(0, True), (1, False)])
def test_military_specialties_keep_basic_modules_apart(merged, ok):
    p = kz_programme(military=True)
    professional = Module.objects.get(programme=p, kind="professional")
    basic = list(Module.objects.filter(programme=p, kind="basic").values_list("pk", flat=True))[:merged]
    Module.objects.filter(pk__in=basic).update(integrated_into=professional)
    assert ("curriculum.basic_modules.military.max_integrated" not in codes(p)) is ok


@pytest.mark.parametrize("practice, ok", [(False, False), (True, True)])
def test_at_least_one_practice_component_kz(practice, ok):
    assert ("curriculum.practice.min_components" not in codes(kz_programme(practice=practice))) is ok


def kg_welding(hours=(1768, 388, 412, 432), total=3000, practice=True):
    """The Lyceum No. 8 welding programme's hour structure (programme-accreditation-kg.md §6.12)."""
    inst = f.InstitutionFactory(jurisdiction="KG")
    p = f.ProgrammeFactory(institution=inst, total_hours=total)
    q = QualificationFactory(specialty=p.specialty)
    p.qualifications.add(q)
    ge = ModuleFactory(programme=p, kind="general")
    ComponentFactory(module=ge, hours=hours[0])
    prof = ModuleFactory(programme=p, kind="professional", qualification=q)
    ComponentFactory(module=prof, hours=hours[1])
    ComponentFactory(module=prof, kind="industrial_training", hours=hours[2])
    kind = {"kind": "practice", "practice_type": "production"} if practice else {"kind": "subject"}
    ComponentFactory(module=prof, hours=hours[3], **kind)
    return p


def test_the_welding_programme_adds_up_to_3000_hours():
    assert codes(kg_welding()) == []
    assert codes(kg_welding(hours=(1768, 388, 412, 431))) == ["curriculum.programme.total_hours"]
    message = rules.programme_violations(kg_welding(total=3001))[0].message
    assert "2999" not in message and "3000" in message and "3001" in message


def test_kg_programmes_count_hours_and_need_a_practice():
    p = kg_welding(practice=False)
    found = rules.programme_violations(p)
    assert [v.code for v in found] == ["wbl.practice.min_types_per_programme"]
    assert "п. 25" in found[0].source


def test_kz_components_must_match_credits_and_hours():
    p = kz_programme()
    c = Component.objects.filter(module__programme=p, credits=5).first()
    Component.objects.filter(pk=c.pk).update(hours=121)
    p.total_hours += 1
    p.save()
    assert "curriculum.credit.academic_hours" in codes(p)


def test_removed_qualification_blocks_a_new_programme_but_not_a_registered_one():
    p = kg_welding()
    q = p.qualifications.get()
    q.is_active, q.valid_until = False, datetime.date(2025, 7, 15)
    q.save()
    assert codes(p) == ["curriculum.classifier.removed"]
    p.status = "registered"
    p.save()
    assert codes(p) == []
    assert q.usable_for_cohort(datetime.date(2025, 7, 15)) and not q.usable_for_cohort(datetime.date(2025, 7, 16))


def test_convert_credits_and_hours_by_the_rulebook():
    kz = rules.rulebook_for("KZ")
    assert rules.convert(kz, Decimal(1), None) == (Decimal(1), 24)
    assert rules.convert(kz, None, 36) == (Decimal("1.50"), 36)
    assert rules.convert(kz, Decimal(2), 48) == (Decimal(2), 48)
    with pytest.raises(RuleViolation) as bad:
        rules.convert(kz, Decimal(1), 25)
    assert bad.value.code == "curriculum.credit.academic_hours" and "§4" in bad.value.source
    with pytest.raises(RuleViolation):
        rules.convert(kz, Decimal("0.01"), None)  # 0.24 h is not a whole hour
    kg = rules.rulebook_for("KG")
    assert rules.convert(kg, None, 432) == (None, 432)  # KG counts hours; credits are free
    with pytest.raises(RuleViolation):
        rules.convert(kg, Decimal(5), None)
