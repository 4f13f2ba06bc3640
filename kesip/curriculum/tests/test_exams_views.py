"""The exam pages as a teacher and a head meet them: plan, record the whole table, mark held, award, reopen."""

import datetime

import pytest
from django.urls import reverse

from kesip.core.roles import Role
from kesip.core.tests import factories as f
from kesip.curriculum import exams
from kesip.curriculum.models import AwardedQualification, GradingScale, QualificationExam
from kesip.curriculum.tests.test_exams import DAY, college, marks, plan

pytestmark = pytest.mark.django_db

E = QualificationExam


def url(name, *args):
    return reverse(f"curriculum:{name}", args=args)


def form_data(t, **kwargs):
    data = {
        "kind": "qualification",
        "qualification": t.worker.pk,
        "form": "practical_work",
        "venue_kind": "workshop",
        "venue": "Сварочная мастерская, корпус 2",
        "held_on": DAY.isoformat(),
        "experts": "Иванов И. И., мастер\nПетров П. П., инженер",
    }
    data.update(kwargs)
    return data


def test_a_teacher_plans_an_exam_for_a_group(client, login):
    t = college("KZ")
    login(t.teacher)
    page = client.get(url("exam_add", t.group.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert str(t.worker.code) in html and str(t.mid.code) in html and "kz-100-letter" not in html
    form = page.context["form"]
    assert set(form.fields["qualification"].queryset) == {t.worker, t.mid}
    default = GradingScale.default_for("KZ")
    assert f'<option value="{default.pk}" selected>' in html and set(form.fields["scale"].queryset) == {default}
    response = client.post(url("exam_add", t.group.pk), form_data(t, scale=default.pk))
    exam = E.objects.get()
    assert response.status_code == 302 and response["Location"] == url("exam", exam.pk)
    assert (exam.group, exam.institution, exam.status, exam.scale.code) == (t.group, t.institution, "planned", "kz-100-letter")


def test_the_form_refuses_a_second_exam_and_a_mid_level_qualification_exam_beside_the_field(client, login):
    t = college("KZ")
    plan(t)
    login(t.teacher)
    scale = GradingScale.default_for("KZ").pk
    twin = client.post(url("exam_add", t.group.pk), form_data(t, scale=scale))
    assert twin.status_code == 400
    errors = twin.context["form"].errors
    assert "already has a qualification exam" in errors["qualification"][0] and "§13, L940-948" in errors["qualification"][0]
    mid = client.post(url("exam_add", t.group.pk), form_data(t, scale=scale, qualification=t.mid.pk))
    assert mid.status_code == 400 and "worker qualification" in mid.context["form"].errors["qualification"][0]
    none = client.post(url("exam_add", t.group.pk), form_data(t, scale=scale, kind="demo_final", experts=" \n "))
    assert none.status_code == 400 and "experts" in none.context["form"].errors
    assert E.objects.count() == 1


def test_a_removed_qualification_is_refused_beside_the_date_with_its_basis(client, login):
    t = college("KZ")
    t.worker.is_active, t.worker.valid_until, t.worker.removal_basis = False, datetime.date(2025, 7, 15), "Law No. 141-VII"
    t.worker.save()
    login(t.teacher)
    scale = GradingScale.default_for("KZ").pk
    late = client.post(url("exam_add", t.group.pk), form_data(t, scale=scale, held_on="2025-07-16"))
    assert late.status_code == 400 and "Law No. 141-VII" in late.context["form"].errors["held_on"][0]
    assert client.post(url("exam_add", t.group.pk), form_data(t, scale=scale, held_on="2025-07-15")).status_code == 302


def test_the_results_table_saves_nothing_while_a_row_is_bad_and_shows_the_error_beside_it(client, login):
    t = college("KZ", students=3)
    exam = plan(t)
    login(t.teacher)
    page = client.get(url("exam_results", exam.pk))
    assert page.status_code == 200 and all(f'name="mark-{s.pk}"' in page.content.decode() for s in t.students)
    bad = client.post(
        url("exam_results", exam.pk),
        {f"mark-{t.students[0].pk}": "90", f"mark-{t.students[1].pk}": "120", f"mark-{t.students[2].pk}": "", "action": "close"},
    )
    assert bad.status_code == 400 and not exam.results.exists()
    html = bad.content.decode()
    row = html[html.index(f'id="student-{t.students[1].pk}"') :]
    row = row[: row.index("</tr>")]
    assert "between 0 and 100" in row and 'value="120"' in row and "table-danger" in html
    assert "Nothing was saved: 1 row needs attention." in html
    exam.refresh_from_db()
    assert exam.status == "planned"


def test_saving_and_marking_held_awards_the_qualification(client, login):
    t = college("KZ", students=3)
    exam = plan(t)
    login(t.teacher)
    data = {f"mark-{t.students[0].pk}": "100", f"mark-{t.students[1].pk}": "40", f"mark-{t.students[2].pk}": "", "action": "save"}
    assert client.post(url("exam_results", exam.pk), data).status_code == 302
    assert exam.results.count() == 2
    again = client.get(url("exam_results", exam.pk)).content.decode()
    assert f'name="mark-{t.students[0].pk}" value="100"' in again and f'name="mark-{t.students[2].pk}" value=""' in again
    detail = client.get(url("exam", exam.pk)).content.decode()
    assert url("exam_step", exam.pk, "close") in detail and "Mark held and award the qualification" in detail
    done = client.post(url("exam_step", exam.pk, "close"), follow=True)
    html = done.content.decode()
    assert "1 student is awarded qualification" in html
    exam.refresh_from_db()
    assert exam.status == "held" and AwardedQualification.objects.get().student == t.students[0]
    assert 'id="awards"' in html and "20.06.2025" in html and ">A<" in html and ">F<" in html
    assert url("exam_results", exam.pk) not in html and url("exam_edit", exam.pk) not in html
    assert url("exam_step", exam.pk, "reopen") in html
    # Results, edit and delete of a held exam send back to its page.
    for name in ("exam_results", "exam_edit", "exam_delete"):
        response = client.post(url(name, exam.pk), data)
        assert response.status_code == 302 and response["Location"] == url("exam", exam.pk)
    assert E.objects.filter(pk=exam.pk, status="held").exists() and exam.results.count() == 2


def test_a_student_holding_the_qualification_is_named_when_the_exam_is_held(client, login):
    t = college("KZ", students=1)
    AwardedQualification.objects.create(
        institution=t.institution, student=t.students[0], qualification=t.worker, awarded_on=datetime.date(2024, 6, 1)
    )
    exam = plan(t)
    login(t.teacher)
    assert "already holds it since 01.06.2024" in client.get(url("exam_results", exam.pk)).content.decode()
    done = client.post(url("exam_results", exam.pk), {f"mark-{t.students[0].pk}": "90", "action": "close"}, follow=True)
    html = done.content.decode()
    assert "0 students are awarded" in html and "is not awarded twice" in html and "§13" in html


def test_reopening_withdraws_the_award(client, login):
    t = college("KZ", students=1)
    exam = plan(t)
    exams.record_results(exam, marks(t, 90), t.teacher, close=True)
    login(t.teacher)
    response = client.post(url("exam_step", exam.pk, "reopen"), follow=True)
    assert "1 awarded qualification is withdrawn" in response.content.decode()
    exam.refresh_from_db()
    assert exam.status == "planned" and not AwardedQualification.objects.exists()
    assert client.get(url("exam_step", exam.pk, "close")).status_code == 405
    assert client.post(url("exam_step", exam.pk, "approve")).status_code == 404


def test_a_head_reads_but_changes_nothing(client, login):
    t = college("KZ", students=1)
    exam = plan(t)
    exams.record_results(exam, marks(t, 90), t.teacher)
    login(t.head)
    html = client.get(url("exam", exam.pk)).content.decode()
    assert "Иванов И. И., мастер" in html and "Сварочная мастерская" in html
    assert url("exam_results", exam.pk) not in html and url("exam_step", exam.pk, "close") not in html
    assert client.get(url("exam_list")).status_code == 200
    for name in ("exam_results", "exam_edit", "exam_delete"):
        assert client.get(url(name, exam.pk)).status_code == 404
    assert client.get(url("exam_add", t.group.pk)).status_code == 404
    response = client.post(url("exam_step", exam.pk, "close"), follow=True)
    assert "not open for the exam now" in response.content.decode()
    assert E.objects.get(pk=exam.pk).status == "planned"


def test_edit_and_delete_a_planned_exam(client, login):
    t = college("KZ")
    exam = plan(t)
    login(t.teacher)
    page = client.get(url("exam_edit", exam.pk))
    assert page.status_code == 200
    changed = client.post(url("exam_edit", exam.pk), form_data(t, venue="Учебный центр", scale=exam.scale_id))
    assert changed.status_code == 302
    exam.refresh_from_db()
    assert exam.venue == "Учебный центр"
    history = client.get(url("exam_history", exam.pk)).content.decode()
    assert "Учебный центр" in history
    assert client.get(url("exam_delete", exam.pk)).status_code == 200
    gone = client.post(url("exam_delete", exam.pk))
    assert gone.status_code == 302 and not E.objects.exists()


def test_the_list_filters_by_group_and_plans_for_a_chosen_group(client, login):
    t = college("KZ")
    other = f.GroupFactory(institution=t.institution, programme=t.programme, name="ДРУГАЯ-1")
    mine = plan(t)
    theirs = plan(t, group=other)
    login(t.teacher)
    html = client.get(url("exam_list") + f"?group={t.group.pk}").content.decode()
    assert f'id="exam-{mine.pk}"' in html and f'id="exam-{theirs.pk}"' not in html
    everything = client.get(url("exam_list") + "?kind=nonsense").content.decode()
    assert f'id="exam-{mine.pk}"' in everything and f'id="exam-{theirs.pk}"' in everything
    assert 'id="plan-exam"' in everything
    response = client.get(url("exam_list") + f"?plan={other.pk}")
    assert response.status_code == 302 and response["Location"] == url("exam_add", other.pk)
    nav = [str(i["label"]) for i in client.get(url("exam_list")).context["nav"]]
    assert "Exams" in nav
    login(t.head)
    assert 'id="plan-exam"' not in client.get(url("exam_list")).content.decode()
    login(f.member(Role.STUDENT, institution=t.institution))
    assert client.get(url("exam_list")).status_code == 403


@pytest.mark.parametrize("count", [1, 12])
def test_exam_list_query_budget_does_not_grow_with_exams(client, login, django_assert_max_num_queries, count):
    t = college("KZ", students=2)
    for i in range(count):
        group = f.GroupFactory(institution=t.institution, programme=t.programme)
        f.StudentFactory(institution=t.institution, group=group)
        exam = plan(t, group=group)
        exams.record_results(exam, {group.students.get().pk: 80}, t.teacher, close=i % 2 == 0)
    login(t.teacher)
    with django_assert_max_num_queries(8):
        response = client.get(url("exam_list"))
    assert response.status_code == 200 and len(response.context["page"].object_list) == count


@pytest.mark.parametrize("students", [2, 25])
def test_exam_page_and_results_form_query_budget_does_not_grow_with_students(
    client, login, django_assert_max_num_queries, students
):
    t = college("KZ", students=students)
    exam = plan(t)
    exams.record_results(exam, {s.pk: 50 + i for i, s in enumerate(t.students)}, t.teacher)
    login(t.teacher)
    with django_assert_max_num_queries(10):
        assert client.get(url("exam_results", exam.pk)).status_code == 200
    exams.close_exam(exam, t.teacher)
    with django_assert_max_num_queries(10):
        response = client.get(url("exam", exam.pk))
    assert response.status_code == 200 and response.content.decode().count("bi-award text-success") == 2 * students
