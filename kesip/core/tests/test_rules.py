"""The rulebook: loaded from its JSON sources, complete, and applied at each rule's boundary."""

import datetime
import json
from decimal import Decimal

import pytest

from kesip.core import rules
from kesip.core.models import LegalDocument, Rule
from kesip.core.rulebook_sync import DATA_DIR, sync_rulebook

pytestmark = pytest.mark.django_db


def test_every_rule_in_the_files_is_in_the_database_with_source_and_four_titles():
    expected = sum(len(json.loads(p.read_text())["rules"]) for p in DATA_DIR.glob("*.json"))
    assert Rule.objects.count() == expected
    keys = {json.loads(p.read_text())["document"]["key"] for p in DATA_DIR.glob("*.json")}
    assert LegalDocument.objects.count() == len(keys)
    for r in Rule.objects.select_related("document"):
        assert r.clause and r.document.title_en, r.code
        assert all(getattr(r, f"title_{lang}") for lang in ("ky", "ru", "kk", "en")), r.code


def test_sync_is_idempotent():
    before = Rule.objects.count()
    sync_rulebook()
    assert Rule.objects.count() == before


@pytest.mark.parametrize(
    "code, jurisdiction, value",
    [
        ("wbl.volunteer.min_hours", "KG", 40),
        ("wbl.mentor.max_apprentices", "KG", 2),
        ("curriculum.credit.academic_hours", "KZ", 24),
        ("curriculum.academic_hour.minutes", "KZ", 45),
        ("curriculum.study_year.credits", "KZ", 60),
        ("curriculum.study_year.academic_hours", "KZ", 1440),
        ("curriculum.distance_learning.max_percent_time", "KZ", 20),
        ("curriculum.program.worker.basic_secondary.min_credits", "KZ", 120),
        ("curriculum.program.worker.basic_secondary.max_credits", "KZ", 180),
        ("curriculum.program.mid_level.basic_secondary.max_credits", "KZ", 240),
        ("curriculum.general_education.credits", "KZ", 60),
        ("curriculum.general_education.choreography.credits", "KZ", 38),
        ("staffdev.cycle.years", "KG", 3),
        ("staffdev.internship.min_hours", "KG", 72),
        ("staffdev.course.short.min_hours", "KG", 16),
        ("staffdev.course.thematic.max_hours", "KG", 100),
        ("accreditation.criterion.full_compliance.points", "KG", 3),
        ("accreditation.criterion.partial_compliance.points", "KG", 2),
        ("accreditation.criterion.non_compliance.points", "KG", 1),
        ("accreditation.band.full.min_points", "KG", 65),
        ("accreditation.band.full.max_points", "KG", 75),
        ("accreditation.band.full.term_years", "KG", 5),
        ("accreditation.band.conditional_3y.min_points", "KG", 46),
        ("accreditation.band.conditional_3y.term_years", "KG", 3),
        ("accreditation.band.conditional_1y.min_points", "KG", 35),
        ("accreditation.band.conditional_1y.term_years", "KG", 1),
        ("accreditation.band.refusal.max_points", "KG", 34),
    ],
)
def test_issue_named_rules_hold_the_values_of_their_documents(code, jurisdiction, value):
    assert rules.value(code, jurisdiction) == Decimal(value)


def test_volunteering_counts_as_practice_from_40_hours():
    with pytest.raises(rules.RuleViolation) as exc:
        rules.check_min("wbl.volunteer.min_hours", "KG", 39, field="hours")
    assert exc.value.field == "hours" and "п. 31" in exc.value.source or "31" in exc.value.source
    assert "40" in exc.value.message and "39" in exc.value.message
    assert rules.check_min("wbl.volunteer.min_hours", "KG", 40).value == 40


def test_a_mentor_takes_at_most_two_apprentices():
    rules.check_max("wbl.mentor.max_apprentices", "KG", 2)
    with pytest.raises(rules.RuleViolation) as exc:
        rules.check_max("wbl.mentor.max_apprentices", "KG", 3)
    assert exc.value.code == "wbl.mentor.max_apprentices"
    assert exc.value.as_dict().keys() == {"code", "message", "source", "field"}


def test_accreditation_full_band_starts_at_65_points():
    rules.check_min("accreditation.band.full.min_points", "KG", 65)
    with pytest.raises(rules.RuleViolation):
        rules.check_min("accreditation.band.full.min_points", "KG", 64)
    rules.check_max("accreditation.band.refusal.max_points", "KG", 34)
    with pytest.raises(rules.RuleViolation):
        rules.check_max("accreditation.band.refusal.max_points", "KG", 35)


def test_internship_needs_72_hours():
    rules.check_min("staffdev.internship.min_hours", "KG", 72)
    with pytest.raises(rules.RuleViolation):
        rules.check_min("staffdev.internship.min_hours", "KG", 71)


def test_distance_learning_cap_is_20_percent():
    rules.check_max("curriculum.distance_learning.max_percent_time", "KZ", 20)
    with pytest.raises(rules.RuleViolation):
        rules.check_max("curriculum.distance_learning.max_percent_time", "KZ", Decimal("20.01"))


def test_jurisdiction_picks_the_rule():
    with pytest.raises(rules.RuleMissing):
        rules.rule("wbl.mentor.max_apprentices", "KZ")


def test_a_later_version_supersedes_from_its_effective_date():
    old = rules.rule("wbl.mentor.max_apprentices", "KG")
    Rule.objects.create(
        code=old.code,
        jurisdiction="KG",
        value=3,
        unit=old.unit,
        comparison=old.comparison,
        effective_from=datetime.date(2030, 9, 1),
        document=old.document,
        clause="amendment",
    )
    assert rules.value(old.code, "KG", on=datetime.date(2030, 8, 31)) == 2
    assert rules.value(old.code, "KG", on=datetime.date(2030, 9, 1)) == 3


def test_a_rule_is_not_applied_after_it_ends():
    r = rules.rule("wbl.volunteer.min_hours", "KG")
    r.effective_to = datetime.date(2025, 12, 31)
    r.save()
    with pytest.raises(rules.RuleMissing):
        rules.rule("wbl.volunteer.min_hours", "KG", on=datetime.date(2026, 1, 1))
    assert rules.value("wbl.volunteer.min_hours", "KG", on=datetime.date(2025, 12, 31)) == 40


def test_rulebook_page_lists_every_rule_with_its_source(client, world, login):
    login(world.a.admin)
    response = client.get("/rulebook/?q=wbl.volunteer.min_hours")
    body = response.content.decode()
    assert response.status_code == 200
    r = rules.rule("wbl.volunteer.min_hours", "KG")
    assert "wbl.volunteer.min_hours" in body and r.clause in body and r.document.title_en in body
    assert client.get("/rulebook/").context["page"].paginator.count == Rule.objects.count()


def test_rulebook_page_query_budget(client, world, login, django_assert_max_num_queries):
    login(world.a.admin)
    with django_assert_max_num_queries(8):
        client.get("/rulebook/")


def test_a_rule_removed_from_its_file_leaves_the_rulebook(tmp_path):
    import shutil

    for p in DATA_DIR.glob("*.json"):
        shutil.copy(p, tmp_path / p.name)
    path = tmp_path / "wbl-regulation-kg.json"
    data = json.loads(path.read_text())
    data["rules"] = [r for r in data["rules"] if r["code"] != "wbl.agreement.max_parties"]
    path.write_text(json.dumps(data, ensure_ascii=False))
    sync_rulebook(tmp_path)
    assert not Rule.objects.filter(code="wbl.agreement.max_parties").exists()
    assert Rule.objects.filter(code="wbl.mentor.max_apprentices").exists()


def test_a_document_may_continue_in_another_file(tmp_path):
    """A concern's rules may live in their own file naming only the document's key."""
    import shutil

    for p in DATA_DIR.glob("*.json"):
        shutil.copy(p, tmp_path / p.name)
    extra = {
        "document": {"key": "wbl-regulation-kg"},
        "rules": [
            {
                "code": "wbl.test.extra",
                "jurisdiction": "KG",
                "value": "1",
                "unit": "count",
                "comparison": "min",
                "effective_from": "2024-09-01",
                "clause": "п. 1",
                "title": {"en": "Extra", "ru": "Доп.", "ky": "Кошумча", "kk": "Қосымша"},
            }
        ],
    }
    (tmp_path / "wbl-regulation-kg.extra.json").write_text(json.dumps(extra, ensure_ascii=False))
    sync_rulebook(tmp_path)
    assert Rule.objects.get(code="wbl.test.extra").document.key == "wbl-regulation-kg"
    assert Rule.objects.filter(code="wbl.volunteer.min_hours").exists()


def test_rule_files_are_well_formed():
    units = {u.value for u in Rule.Unit}
    for path in DATA_DIR.glob("*.json"):
        data = json.loads(path.read_text())
        codes = [(r["code"], r["jurisdiction"], r["effective_from"]) for r in data["rules"]]
        assert len(codes) == len(set(codes)), path.name
        for r in data["rules"]:
            assert r["unit"] in units and r["comparison"] in {"min", "max", "equals"}, r["code"]
            assert r["code"].split(".")[0] in {"wbl", "curriculum", "staffdev", "accreditation", "careers"}, r["code"]
