"""Employers' needs (F6, K27), employers' evaluations (F34, K15) and the gender-stereotype flag (F33)."""

import datetime
from decimal import Decimal

import pytest

from kesip.core.rules import RuleViolation
from kesip.core.tests import factories as f
from kesip.curriculum.models import Movement
from kesip.wbl import partnership, report_tables
from kesip.wbl.common import WblInvalid
from kesip.wbl.models import EmployerEvaluation, EmployerNeed
from kesip.wbl.tests.engagement_setup import college, person, place

pytestmark = pytest.mark.django_db
D = datetime.date
ALL_FOUR = {code: 4 for code in partnership.CRITERIA_CODES}


def need(t, **kwargs):
    values = dict(
        employer=t.employer, specialty=t.programme.specialty, academic_year=2024, headcount=5, wbl_places=3,
        collected_on=D(2024, 10, 1),
    )  # fmt: skip
    values.update(kwargs)
    return EmployerNeed(institution=t.institution, **values)


def evaluation(t, answers=None, **kwargs):
    values = dict(employer=t.employer, academic_year=2024, filled_on=D(2025, 6, 20), answers=dict(answers or ALL_FOUR))
    values.update(kwargs)
    return EmployerEvaluation(institution=t.institution, **values)


def codes(error):
    return [(v.code, v.field) for v in error.value.violations]


# --- Needs ---------------------------------------------------------------------------------------------------


def test_staff_and_the_employers_head_record_needs_a_mentor_does_not(db):
    t = college()
    saved = partnership.save_need(need(t), t.admin)
    assert saved.pk and saved.institution_id == t.institution.pk
    other = f.SpecialtyFactory() if hasattr(f, "SpecialtyFactory") else f.ProgrammeFactory(institution=t.institution).specialty
    assert partnership.save_need(need(t, specialty=other), t.head_user).pk
    with pytest.raises(RuleViolation):
        partnership.save_need(need(t, academic_year=2025), t.mentor_user)
    # The head of one employer does not speak for another.
    with pytest.raises(RuleViolation):
        partnership.save_need(need(t, employer=t.other_employer, academic_year=2025), t.head_user)
    assert EmployerNeed.objects.count() == 2


def test_the_same_employer_profession_and_year_twice_is_a_clear_error_not_a_crash(client, login):
    t = college()
    first = partnership.save_need(need(t), t.admin)
    with pytest.raises(WblInvalid) as error:
        partnership.save_need(need(t, headcount=9), t.admin)
    assert codes(error) == [("wbl.employer_need.unique", "specialty")] and "already has a need" in str(error.value)
    # Another year is another record; editing the record itself is not a twin.
    assert partnership.save_need(need(t, academic_year=2025), t.admin).pk
    first.headcount = 7
    assert partnership.save_need(first, t.admin).headcount == 7
    # The page: 400 with the rule beside the field, nothing saved.
    login(t.admin)
    data = {"employer": t.employer.pk, "specialty": t.programme.specialty.pk, "academic_year": 2024, "headcount": 1,
            "wbl_places": 0, "source": "survey", "collected_on": "2024-10-02"}  # fmt: skip
    response = client.post("/wbl/needs/add/", data)
    errors = response.context["form"].errors
    assert response.status_code == 400 and "already has a need" in str(errors.get("specialty")), errors
    # The API: 400 with the rule's code.
    api = client.post("/api/v1/employer-needs/", data, content_type="application/json")
    assert api.status_code == 400 and api.json()["code"] == "wbl.employer_need.unique"
    assert EmployerNeed.objects.count() == 2


def test_an_employers_representative_records_its_own_needs_through_the_page(client, login):
    t = college()
    login(t.rep_user)
    data = {"specialty": t.programme.specialty.pk, "academic_year": 2025, "headcount": 6, "wbl_places": 2,
            "source": "survey", "collected_on": "2025-09-10", "expectations": "Аргон менен ширетүү"}  # fmt: skip
    response = client.post(f"/wbl/needs/add/?employer={t.employer.pk}", data)
    assert response.status_code == 302
    saved = EmployerNeed.objects.get()
    assert saved.employer == t.employer and saved.headcount == 6
    assert client.get(f"/wbl/needs/add/?employer={t.other_employer.pk}").status_code == 404  # not its employer
    assert str(saved.employer) in client.get(f"/wbl/needs/{saved.pk}/").content.decode()


def test_the_analysis_sets_needs_against_learners_and_graduates_of_the_year(client, login):
    t = college()
    specialty = t.programme.specialty
    partnership.save_need(need(t, headcount=5, wbl_places=3), t.admin)
    partnership.save_need(need(t, employer=t.other_employer, headcount=2, wbl_places=1), t.admin)
    # Another year's need is not counted.
    partnership.save_need(need(t, academic_year=2025, headcount=50), t.admin)
    for s in (t.student, t.other_student):  # both placed in March 2025 (the 2024–25 year)
        s.status = "graduated"
        s.save(update_fields=["status"])
    Movement.objects.create(
        institution=t.institution, student=t.student, kind="graduation", on=D(2025, 6, 30), order_number="1",
        order_date=D(2025, 6, 30),
    )  # fmt: skip
    rows, total = partnership.needs_analysis([t.institution.pk], 2024)
    row = next(r for r in rows if r["specialty"] == specialty.pk)
    assert (row["employers"], row["needed"], row["places"], row["learners"], row["graduates"]) == (2, 7, 4, 2, 1)
    assert row["gap"] == -6 and row["state"] == "shortage"
    assert total["needed"] == 7 and total["gap"] == -6
    login(t.admin)
    page = client.get("/wbl/needs/analysis/", {"year": 2024})
    html = page.content.decode()
    assert page.status_code == 200 and f'id="analysis-{specialty.pk}" class="table-danger"' in html and "shortage" in html
    api = client.get("/api/v1/employer-needs/analysis/", {"year": 2024})
    assert api.status_code == 200 and api.json()["year"] == 2024 and api.json()["total"]["needed"] == 7
    found = next(r for r in api.json()["rows"] if r["specialty"] == specialty.pk)
    assert (found["needed"], found["graduates"], found["state"]) == (7, 1, "shortage")
    assert client.get("/api/v1/employer-needs/analysis/", {"year": "24"}).status_code == 400


def test_surplus_and_balance():
    assert partnership.imbalance({"needed": 3, "graduates": 3})["state"] == "balanced"
    assert partnership.imbalance({"needed": 2, "graduates": 3})["state"] == "surplus"
    assert partnership.imbalance({"needed": 0, "graduates": 3})["state"] == "no_need"
    assert partnership.imbalance({"needed": 4, "graduates": 3})["state"] == "shortage"


# --- Evaluations ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("score", [0, 6, -1, "x", 2.5, True])
def test_a_score_outside_1_to_5_is_refused(score):
    found = partnership.answer_violations({**ALL_FOUR, "results": score})
    assert [(v.code, v.field) for v in found] == [("wbl.evaluation.answer", "results")]


@pytest.mark.parametrize("score", [1, 5, "1", "5"])
def test_scores_at_the_ends_of_the_scale_are_accepted(score):
    assert partnership.answer_violations({**ALL_FOUR, "results": score}) == []


def test_every_criterion_is_required_and_no_other_is_accepted():
    missing = dict(ALL_FOUR)
    del missing["cooperation"]
    assert [v.field for v in partnership.answer_violations(missing)] == ["cooperation"]
    assert [v.field for v in partnership.answer_violations({**ALL_FOUR, "mood": 3})] == ["mood"]
    assert len(partnership.answer_violations({})) == len(partnership.CRITERIA_CODES)


def test_the_mean_is_computed_and_the_employers_person_is_named(db):
    t = college()
    answers = dict(zip(partnership.CRITERIA_CODES, [5, 4, 4, 3, 5, 4], strict=True))
    ev = partnership.save_evaluation(evaluation(t, answers, score=Decimal("1.00")), t.mentor_user)
    ev.refresh_from_db()
    assert ev.score == Decimal("4.17") and ev.filled_by == t.mentor  # 25 / 6, typed score ignored
    # Nothing is half-saved: a bad edit leaves the stored one as it was.
    ev.answers = {**answers, "results": 6}
    with pytest.raises(WblInvalid):
        partnership.save_evaluation(ev, t.mentor_user)
    ev.refresh_from_db()
    assert ev.answers["results"] == 4 and ev.score == Decimal("4.17")


def test_only_the_employers_people_or_staff_evaluate_and_once_a_year_per_programme(db):
    t = college()
    with pytest.raises(RuleViolation):
        partnership.save_evaluation(evaluation(t, employer=t.other_employer), t.mentor_user)
    with pytest.raises(RuleViolation):
        partnership.save_evaluation(evaluation(t), t.student_user)
    stranger = person(t, employer=t.other_employer, last_name="Бөтөн", position="Инженер")
    with pytest.raises(WblInvalid) as error:
        partnership.save_evaluation(evaluation(t, filled_by=stranger), t.admin)
    assert ("wbl.evaluation.filled_by", "filled_by") in codes(error)
    partnership.save_evaluation(evaluation(t, filled_by=t.head), t.admin)
    with pytest.raises(WblInvalid) as error:
        partnership.save_evaluation(evaluation(t), t.head_user)
    assert codes(error) == [("wbl.evaluation.unique", "programme")]
    assert EmployerEvaluation.objects.count() == 1


def test_the_form_refuses_a_missing_criterion_and_saves_a_complete_one(client, login):
    t = college()
    login(t.head_user)
    data = {"academic_year": 2024, "filled_on": "2025-06-20", **{c: "5" for c in partnership.CRITERIA_CODES}}
    del data["organisation"]
    response = client.post(f"/wbl/evaluations/add/?employer={t.employer.pk}", data)
    assert response.status_code == 400 and not EmployerEvaluation.objects.exists()
    response = client.post(f"/wbl/evaluations/add/?employer={t.employer.pk}", {**data, "organisation": "1"})
    assert response.status_code == 302
    ev = EmployerEvaluation.objects.get()
    assert ev.score == Decimal("4.33") and ev.filled_by == t.head and ev.employer == t.employer
    detail = client.get(f"/wbl/evaluations/{ev.pk}/").content.decode()
    assert 'id="evaluation-score">4' in detail
    # The API refuses a score of 6 with the rule and the criterion.
    api = client.post(
        "/api/v1/employer-evaluations/",
        {"employer": t.employer.pk, "academic_year": 2023, "filled_on": "2024-06-20", "answers": {**ALL_FOUR, "results": 6}},
        content_type="application/json",
    )
    assert api.status_code == 400 and api.json()["code"] == "wbl.evaluation.answer" and api.json()["field"] == "results"
    assert EmployerEvaluation.objects.count() == 1


def test_employer_users_see_only_their_employers_records(client, login):
    t = college()
    mine = partnership.save_evaluation(evaluation(t), t.admin)
    theirs = partnership.save_evaluation(evaluation(t, employer=t.other_employer), t.admin)
    other_need = partnership.save_need(need(t, employer=t.other_employer), t.admin)
    login(t.mentor_user)
    assert client.get(f"/wbl/evaluations/{mine.pk}/").status_code == 200
    assert client.get(f"/wbl/evaluations/{theirs.pk}/").status_code == 404
    assert client.get(f"/wbl/needs/{other_need.pk}/").status_code == 404
    ids = {row["id"] for row in client.get("/api/v1/employer-evaluations/").json()["results"]}
    assert ids == {mine.pk}


def test_the_report_section_sums_needs_and_means_of_the_criteria(db):
    t = college()
    partnership.save_need(need(t, headcount=4), t.admin)
    partnership.save_evaluation(evaluation(t, dict.fromkeys(partnership.CRITERIA_CODES, 5)), t.admin)
    other = evaluation(t, dict.fromkeys(partnership.CRITERIA_CODES, 2), programme=None, academic_year=2024)
    other.employer = t.other_employer
    partnership.save_evaluation(other, t.admin)
    found = partnership.report_figures([t.institution.pk], 2024)[t.institution.pk]
    merged = partnership.empty_report()
    partnership.merge_report(merged, found)
    part = partnership.finish_report(merged)
    assert part["evaluations"]["count"] == 2 and part["evaluations"]["mean"] == 3.5
    assert part["evaluations"]["criteria"]["results"] == {"sum": 7, "n": 2, "mean": 3.5}
    assert part["rows"][0]["needed"] == 4 and part["rows"][0]["learners"] == 2
    section = report_tables.partnership_section({"partnership": part})
    assert section["key"] == "partnership" and section["blocks"][0]["rows"][0][1] == "4"
    assert report_tables.partnership_section({}) is None  # a report frozen before: no section


# --- F33 ---------------------------------------------------------------------------------------------------


def test_the_stereotype_share_comes_from_the_rulebook_with_its_clause(db):
    from kesip.core.models import Rule

    rule = Rule.objects.get(code=partnership.STEREOTYPE_SHARE, jurisdiction="KG")
    assert rule.value == 80 and "57" in rule.clause and "inference" in rule.note
    assert partnership.stereotype_thresholds(["KG"]) == {"KG": 80.0}


@pytest.mark.parametrize(
    ("female", "male", "flagged"),
    [(4, 1, False), (8, 2, False), (81, 19, True), (1, 4, False), (5, 1, True), (1, 5, True), (0, 0, False), (3, 0, True)],
)
def test_the_flag_is_above_the_share_not_at_it(female, male, flagged):
    assert partnership.stereotyped(female, male, 80.0) is flagged


def test_the_gender_table_and_the_dashboard_mark_a_stereotyped_profession(client, login):
    t = college()
    for s in (t.student, t.other_student):
        s.sex = "M"
        s.save(update_fields=["sex"])
    rows = [{"specialty": 1, "code": "1", "names": {}, "F": 0, "M": 2, "unknown": 0, "female_percent": 0.0, "stereotyped": True},
            {"specialty": 2, "code": "2", "names": {}, "F": 4, "M": 1, "unknown": 0, "female_percent": 80.0,
             "stereotyped": False}]  # fmt: skip
    block = report_tables._gender_table(rows, {"F": 4, "M": 3, "unknown": 0, "female_percent": 57.1}, 80.0)
    assert block["rows"][0][-1] == block["flag"] and block["rows"][1][-1] == ""
    login(t.admin)
    html = client.get("/wbl/", {"year": 2024}).content.decode()
    assert 'data-flag="stereotyped"' in html and 'id="gender-employers"' in html


def test_another_student_of_the_other_sex_clears_the_employer_flag(db):
    t = college()
    from kesip.wbl.models import Placement

    for s, sex in ((t.student, "M"), (t.other_student, "F")):
        s.sex = sex
        s.save(update_fields=["sex"])
    assert partnership.flagged_employers(Placement.objects.all(), 2024, 80.0) == []
    extra = f.StudentFactory(institution=t.institution, group=t.group)
    extra.sex = "M"
    extra.save(update_fields=["sex"])
    place(t, extra, t.mentor)
    # 2 of 3 men: 66.7 %, not above 80 %; at 60 % it is.
    assert partnership.flagged_employers(Placement.objects.all(), 2024, 80.0) == []
    assert [e["name"] for e in partnership.flagged_employers(Placement.objects.all(), 2024, 60.0)] == [t.employer.name]


# --- Query budgets --------------------------------------------------------------------------------------------


def _grow(t, n):
    for k in range(n):
        employer = f.EmployerFactory(institution=t.institution, name=f"Иш берүүчү {k}")
        partnership.save_need(need(t, employer=employer), t.admin)
        partnership.save_evaluation(evaluation(t, employer=employer), t.admin)


@pytest.mark.parametrize("path", ["/wbl/needs/", "/wbl/evaluations/", "/wbl/needs/analysis/?year=2024"])
def test_lists_answer_in_a_fixed_number_of_queries(client, login, django_assert_max_num_queries, path):
    counts = []
    for n in (2, 12):
        t = college()
        _grow(t, n)
        login(t.admin)
        with django_assert_max_num_queries(25) as ctx:
            assert client.get(path).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_the_rulebook_page_says_the_regulation_gives_no_evaluation_form(client, login):
    from kesip.wbl import open_questions

    t = college()
    (row,) = open_questions.form_rows()
    assert row.clause == "п. 57, item 8" and "question 9" in row.question
    assert "STEREOTYPE" not in row.answer and str(partnership.EVALUATION_CRITERIA[0][1]) in row.answer
    assert partnership.STEREOTYPE_SHARE in [r.field for r in open_questions.inferred_rows(t.admin)]
    login(t.admin)
    html = client.get("/rulebook/").content.decode()
    assert 'data-code="wbl.evaluation.form"' in html and f'data-code="{partnership.STEREOTYPE_SHARE}"' in html
