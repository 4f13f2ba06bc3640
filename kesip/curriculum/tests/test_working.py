"""Working curricula: the layout is complete, 60 credits a year (one year ≥ 36), general education early, ≤ 20 % remote."""

import pytest

from kesip.core.roles import Role
from kesip.core.rules import RuleViolation
from kesip.core.tests import factories as f
from kesip.curriculum import rules, services
from kesip.curriculum.tests.factories import ComponentFactory, ModuleFactory, QualificationFactory

pytestmark = pytest.mark.django_db


def three_years(practice_credits=60):
    """A KZ programme of 3 years: general education A (60 credits), subject B (60), practice C (60 by default)."""
    inst = f.InstitutionFactory(jurisdiction="KZ")
    spec = f.SpecialtyFactory(jurisdiction="KZ")
    p = f.ProgrammeFactory(institution=inst, specialty=spec, duration_months=34, total_hours=4320, total_credits=180)
    q = QualificationFactory(specialty=spec)
    p.qualifications.add(q)
    ge = ModuleFactory(programme=p, kind="general")
    prof = ModuleFactory(programme=p, kind="professional", qualification=q)
    a = ComponentFactory(module=ge, hours=1440, credits=60)
    b = ComponentFactory(module=prof, hours=1440, credits=60)
    c = ComponentFactory(
        module=prof, kind="practice", practice_type="production", hours=practice_credits * 24, credits=practice_credits
    )
    p.status = "approved"
    p.save()
    admin = f.member(Role.INSTITUTION_ADMIN, institution=inst)
    wc = services.open_working_curriculum(p, 2024, admin)
    return wc, a, b, c, admin


def lay(wc, *cells):
    services.save_layout(wc, {(c.pk, y, s): (h, d) for c, y, s, h, d in cells})
    return sorted(v.code for v in rules.curriculum_violations(wc))


def test_sixty_credits_a_year_passes():
    wc, a, b, c, _ = three_years()
    assert lay(wc, (a, 1, 1, 720, 0), (a, 1, 2, 720, 0), (b, 2, 1, 1440, 0), (c, 3, 2, 1440, 0)) == []


@pytest.mark.parametrize("year3, ok", [(60, True), (36, True), (35, False)])
def test_one_year_may_be_smaller_but_at_least_36_credits(year3, ok):
    wc, a, b, c, _ = three_years(practice_credits=year3)
    found = lay(wc, (a, 1, 1, 1440, 0), (b, 2, 1, 1440, 0), (c, 3, 1, year3 * 24, 0))
    assert ("curriculum.study_year.credits" not in found) is ok, found
    assert "curriculum.working.layout" not in found


def test_only_one_year_may_be_smaller():
    wc, a, b, c, _ = three_years()
    found = lay(wc, (a, 1, 1, 1440, 0), (b, 2, 1, 960, 0), (c, 3, 1, 960, 0), (b, 1, 2, 480, 0), (c, 1, 2, 480, 0))
    assert "curriculum.study_year.exception.min_credits" in found  # years 2 and 3 have 40 each; year 1 has 100
    assert "curriculum.study_year.credits" in found


@pytest.mark.parametrize("year, ok", [(2, True), (3, False)])
def test_general_education_only_in_years_1_and_2(year, ok):
    wc, a, b, c, _ = three_years()
    found = lay(wc, (a, 1, 1, 1416, 0), (a, year, 2, 24, 0), (b, 2, 1, 1440, 0), (c, 3, 1, 1440, 0))
    assert ("curriculum.general_education.max_study_year" not in found) is ok


@pytest.mark.parametrize("remote, ok", [(864, True), (865, False)])
def test_at_most_20_percent_remote_over_the_study_period(remote, ok):
    wc, a, b, c, _ = three_years()
    found = lay(wc, (a, 1, 1, 1440, remote), (b, 2, 1, 1440, 0), (c, 3, 1, 1440, 0))
    assert ("curriculum.distance_learning.max_percent_time" not in found) is ok


def test_layout_must_be_complete_and_is_saved_all_or_nothing():
    wc, a, b, c, admin = three_years()
    assert "curriculum.working.layout" in lay(wc, (a, 1, 1, 1440, 0), (b, 2, 1, 1440, 0))
    with pytest.raises(RuleViolation):
        services.save_layout(wc, {(a.pk, 1, 1): (100, 0), (b.pk, 9, 1): (10, 0)})
    assert wc.entries.count() == 2  # the earlier layout is untouched
    with pytest.raises(RuleViolation):
        services.save_layout(wc, {(a.pk, 1, 1): (10, 11)})
    with pytest.raises(services.ProgrammeInvalid):
        services.approve_curriculum(wc, admin)
    lay(wc, (a, 1, 1, 1440, 0), (b, 2, 1, 1440, 0), (c, 3, 1, 1440, 0))
    services.approve_curriculum(wc, admin)
    wc.refresh_from_db()
    assert wc.status == "approved"
    with pytest.raises(RuleViolation):
        services.save_layout(wc, {(a.pk, 1, 1): (1440, 0)})


def test_a_draft_programme_gets_no_working_curriculum():
    wc, a, b, c, admin = three_years()
    p = wc.programme
    p.status = "draft"
    p.save()
    with pytest.raises(RuleViolation) as refused:
        services.open_working_curriculum(p, 2025, admin)
    assert refused.value.code == "curriculum.working.programme_not_approved"
    p.status = "registered"
    p.save()
    with pytest.raises(RuleViolation):
        services.open_working_curriculum(p, 2024, admin)  # one per intake
    assert services.open_working_curriculum(p, 2025, admin).intake_year == 2025
