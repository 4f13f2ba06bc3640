"""VR-48 (soft; KG WBL regulation п. 4, 57 (13)): an attestation board names the employers whose representatives sit
on it; with none the exam still saves and is held, with a warning naming the clause — on the page, in the API."""

import pytest

from kesip.core.rules import rule
from kesip.core.tests import factories as f
from kesip.curriculum import exam_rules, exams
from kesip.curriculum.models import QualificationExam
from kesip.curriculum.tests.test_exams import DAY, college, marks, plan

pytestmark = pytest.mark.django_db
JSON = "application/json"
CODE = exam_rules.EMPLOYER_MEMBERS


def codes(found):
    return [v.code for v in found]


def test_the_rule_is_in_the_rulebook_of_the_wbl_regulation():
    found = rule(CODE, "KG")
    assert found.clause == "п. 4, 57 (13)" and found.value == 1 and found.document.key == "wbl-regulation-kg"
    assert all((found.title_ky, found.title_ru, found.title_kk, found.title_en)) and "VR-48" in found.note


def test_no_employer_on_the_board_warns_and_one_passes():
    t = college(jurisdiction="KG")
    employer = f.EmployerFactory(institution=t.institution)
    exam = plan(t)
    warned = exam_rules.board_warnings(exam)
    assert codes(warned) == [CODE] and "57 (13)" in warned[0].source and warned[0].field == "employer_members"
    exam = exams.save_exam(exam, t.teacher, employers=[employer])
    assert list(exam.employer_members.all()) == [employer]
    assert exam_rules.board_warnings(QualificationExam.objects.get(pk=exam.pk)) == []
    assert exam_rules.board_warnings(exam, employers=[]) != []  # an unsaved board of 0 warns too


def test_held_with_no_employer_it_warns_and_is_held_all_the_same():
    t = college(jurisdiction="KG")
    exam = plan(t)
    outcome = exams.record_results(exam, marks(t, "4", "5", "3"), t.teacher, close=True, on=DAY)
    assert outcome.exam.status == "held" and codes(outcome.warnings) == [CODE]


def test_a_kazakh_exam_has_no_such_rule_and_a_foreign_employer_is_refused():
    t = college(jurisdiction="KZ")
    assert exam_rules.board_warnings(plan(t)) == []
    other = f.EmployerFactory()
    with pytest.raises(exams.ExamInvalid) as caught:
        exams.save_exam(QualificationExam.objects.get(group=t.group), t.teacher, employers=[other])
    assert codes(caught.value.violations) == ["curriculum.exam.employer_members"]
    assert not QualificationExam.objects.get(group=t.group).employer_members.exists()


def _form(t, **extra):
    data = {
        "kind": "qualification", "qualification": t.worker.pk, "form": "practical_work", "venue_kind": "workshop",
        "venue": "Цех", "held_on": DAY.isoformat(), "experts": "Иванов И. И., мастер", "scale": "",
    }  # fmt: skip
    data.update(extra)
    return data


def test_the_page_names_the_board_and_warns_until_an_employer_is_on_it(client, login):
    from kesip.curriculum.models import GradingScale

    t = college(jurisdiction="KG")
    employer = f.EmployerFactory(institution=t.institution, name="ОсОО «Курулуш»")
    foreign = f.EmployerFactory(name="Чужое")
    login(t.teacher)
    scale = GradingScale.default_for("KG").pk
    add = f"/curriculum/groups/{t.group.pk}/exams/add/"
    form = client.get(add).context["form"]
    assert list(form.fields["employer_members"].queryset) == [employer]
    refused = client.post(add, _form(t, scale=scale, employer_members=[foreign.pk]))
    assert refused.status_code == 400 and "employer_members" in refused.context["form"].errors
    saved = client.post(add, _form(t, scale=scale), follow=True)
    page = saved.content.decode()
    assert saved.status_code == 200 and 'id="board-warning"' in page and "п. 4, 57 (13)" in page
    exam = QualificationExam.objects.get(group=t.group)
    client.post(f"/curriculum/exams/{exam.pk}/edit/", _form(t, scale=scale, employer_members=[employer.pk]))
    page = client.get(exam.get_absolute_url()).content.decode()
    assert 'id="board-warning"' not in page and "ОсОО «Курулуш»" in page


def test_the_api_takes_the_board_and_answers_the_warning(client, login):
    t = college(jurisdiction="KG")
    employer = f.EmployerFactory(institution=t.institution)
    foreign = f.EmployerFactory()
    login(t.teacher)
    body = {
        "group": t.group.pk, "kind": "qualification", "qualification": t.worker.pk, "form": "practical_work",
        "venue_kind": "workshop", "held_on": DAY.isoformat(), "experts": "Иванов И. И.",
    }  # fmt: skip
    made = client.post("/api/v1/exams/", body, content_type=JSON)
    assert made.status_code == 201 and [w["code"] for w in made.json()["warnings"]] == [CODE]
    pk = made.json()["id"]
    assert client.patch(f"/api/v1/exams/{pk}/", {"employer_members": [foreign.pk]}, content_type=JSON).status_code == 400
    ok = client.patch(f"/api/v1/exams/{pk}/", {"employer_members": [employer.pk]}, content_type=JSON)
    assert ok.status_code == 200 and ok.json()["employer_members"] == [employer.pk] and ok.json()["warnings"] == []
