"""The programme's status flow: who may take which step, and a broken programme stays a draft."""

import pytest

from kesip.core.roles import Role
from kesip.core.rules import RuleViolation
from kesip.core.tests import factories as f
from kesip.curriculum import services
from kesip.curriculum.tests.test_rules import kg_welding

pytestmark = pytest.mark.django_db


def people(p):
    return {
        "head": f.member(Role.HEAD, institution=p.institution),
        "teacher": f.member(Role.TEACHER, institution=p.institution),
        "expert": f.member(Role.ACCREDITATION_EXPERT, authority=p.institution.authority),
        "foreign_expert": f.member(Role.ACCREDITATION_EXPERT, authority=f.AuthorityFactory(jurisdiction="KG")),
    }


def test_the_whole_flow_draft_to_register_and_back_to_a_revision():
    p = kg_welding()
    u = people(p)
    assert [t.name for t in services.allowed(p, u["head"])] == ["approve"]
    services.transition(p, "approve", u["head"])
    assert p.status == "approved" and p.approved_on is not None
    assert [t.name for t in services.allowed(p, u["expert"])] == []
    services.transition(p, "submit", u["head"])
    assert [t.name for t in services.allowed(p, u["expert"])] == ["register", "return"]
    with pytest.raises(RuleViolation) as empty:
        services.transition(p, "return", u["expert"], conclusion="  ")
    assert empty.value.code == "curriculum.programme.conclusion"
    services.transition(p, "return", u["expert"], conclusion="Раздел 3 не согласован с работодателем")
    assert p.status == "returned" and "Раздел 3" in p.expert_conclusion
    services.transition(p, "approve", u["head"])
    services.transition(p, "submit", u["head"])
    services.transition(p, "register", u["expert"], conclusion="Положительное заключение")
    assert p.status == "registered" and p.conclusion_on is not None
    admin = f.member(Role.INSTITUTION_ADMIN, institution=p.institution)
    services.transition(p, "revise", admin)
    assert p.status == "draft" and p.approved_on is None and p.expert_conclusion == ""
    assert p.history.count() >= 8


def test_a_programme_that_breaks_rules_cannot_be_approved_and_stays_a_draft():
    p = kg_welding(hours=(1768, 388, 412, 431), practice=False)
    head = people(p)["head"]
    with pytest.raises(services.ProgrammeInvalid) as invalid:
        services.transition(p, "approve", head)
    assert {v.code for v in invalid.value.violations} == {
        "curriculum.programme.total_hours",
        "wbl.practice.min_types_per_programme",
    }
    p.refresh_from_db()
    assert p.status == "draft" and p.approved_on is None


def test_steps_need_the_right_role_and_status():
    p = kg_welding()
    u = people(p)
    for who, step in (("teacher", "approve"), ("expert", "approve")):
        with pytest.raises(RuleViolation) as refused:
            services.transition(p, step, u[who])
        assert refused.value.code == "curriculum.programme.permission"
    with pytest.raises(RuleViolation) as early:
        services.transition(p, "submit", u["head"])
    assert early.value.code == "curriculum.programme.status"
    services.transition(p, "approve", u["head"])
    services.transition(p, "submit", u["head"])
    with pytest.raises(RuleViolation):
        services.transition(p, "register", u["foreign_expert"], conclusion="ok")  # another authority's institution
    assert services.allowed(p, u["foreign_expert"]) == []
