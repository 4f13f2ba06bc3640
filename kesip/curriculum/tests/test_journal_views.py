"""Journal pages: the grid opens in a fixed number of queries, a lesson is filled on a phone, the transcript prints."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from kesip.curriculum import journal
from kesip.curriculum.models import ComponentGrade, Lesson, Mark, TeachingAssignment
from kesip.curriculum.tests.test_journal import YEAR, cohort

pytestmark = pytest.mark.django_db


def grid_url(c):
    return reverse("curriculum:journal_grid", args=[c.group.pk, c.subject.pk]) + f"?year={YEAR}"


def test_the_grid_shows_marks_and_its_query_budget_does_not_grow(client, django_assert_max_num_queries):
    small = cohort(students=3, lessons=2)
    big = cohort(students=30, lessons=80)
    budgets = []
    for c in (small, big):
        client.force_login(c.admin)
        with django_assert_max_num_queries(20) as ctx:
            response = client.get(grid_url(c))
        assert response.status_code == 200
        budgets.append(len(ctx.captured_queries))
    assert budgets[0] == budgets[1], budgets
    body = response.content.decode()
    assert body.count('id="row-') == 30
    assert big.students[29].last_name in body and "99" in body


def test_a_30_by_80_journal_opens_fast(client):
    import time

    c = cohort(students=30, lessons=80)
    client.force_login(c.admin)
    client.get(grid_url(c))  # warm the template cache
    started = time.perf_counter()
    assert client.get(grid_url(c)).status_code == 200
    assert time.perf_counter() - started < 1.5


def test_index_lists_the_subjects_of_the_year_and_assigns_a_teacher(client):
    c = cohort()
    client.force_login(c.admin)
    url = reverse("curriculum:journal", args=[c.group.pk])
    body = client.get(url + f"?year={YEAR}").content.decode()
    assert f'id="subject-{c.subject.pk}"' in body and f'id="subject-{c.practice.pk}"' in body
    response = client.post(
        reverse("curriculum:journal_assign", args=[c.group.pk]),
        {"year": YEAR, "component": c.subject.pk, "teacher": c.teacher.pk},
    )
    assert response.status_code == 302
    assert TeachingAssignment.objects.get(group=c.group, component=c.subject, academic_year=YEAR).teacher == c.teacher
    # Another institution's teacher is refused and nothing changes.
    other = cohort()
    client.post(
        reverse("curriculum:journal_assign", args=[c.group.pk]),
        {"year": YEAR, "component": c.subject.pk, "teacher": other.teacher.pk},
    )
    assert TeachingAssignment.objects.get(group=c.group, component=c.subject, academic_year=YEAR).teacher == c.teacher


def test_a_teacher_adds_a_lesson_and_fills_it_on_a_phone(client):
    c = cohort()
    TeachingAssignment.objects.create(
        institution=c.inst, group=c.group, component=c.subject, teacher=c.teacher, academic_year=YEAR
    )
    client.force_login(c.teacher_user)
    response = client.post(grid_url(c), {"date": "2024-10-01", "kind": "lesson", "hours": "2", "topic": "Сварные швы"})
    lesson = Lesson.objects.get(group=c.group, component=c.subject)
    assert response["Location"] == reverse("curriculum:lesson", args=[lesson.pk])
    assert lesson.teacher == c.teacher
    a, b, d = c.students
    url = reverse("curriculum:lesson", args=[lesson.pk])
    form = {"lesson-date": "2024-10-01", "lesson-kind": "lesson", "lesson-hours": "2", "lesson-topic": "Сварные швы"}
    response = client.post(
        url, {**form, f"a-{a.pk}": "present", f"m-{a.pk}": "87", f"a-{b.pk}": "absent", f"a-{d.pk}": "late", f"m-{d.pk}": "150"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nothing was saved" in body and "between 0 and 100" in body
    assert 'value="150"' in body  # what the teacher typed is kept for correction
    assert not Mark.objects.filter(lesson=lesson).exists()
    response = client.post(
        url, {**form, f"a-{a.pk}": "present", f"m-{a.pk}": "87", f"a-{b.pk}": "absent", f"a-{d.pk}": "late", f"m-{d.pk}": "75"}
    )
    assert response.status_code == 302
    assert {m.student_id: m.value for m in Mark.objects.filter(lesson=lesson)} == {
        a.pk: Decimal(87),
        b.pk: None,
        d.pk: Decimal(75),
    }


def test_a_teacher_not_assigned_reads_but_cannot_fill(client):
    c = cohort(lessons=1)
    lesson = Lesson.objects.get(group=c.group)
    client.force_login(c.teacher_user)
    page = client.get(reverse("curriculum:lesson", args=[lesson.pk]))
    assert page.status_code == 200 and "disabled" in page.content.decode()
    assert client.post(reverse("curriculum:lesson", args=[lesson.pk]), {}).status_code == 404
    assert client.post(grid_url(c), {"date": "2024-10-01", "kind": "lesson", "hours": "2"}).status_code == 404
    assert client.post(reverse("curriculum:lesson_delete", args=[lesson.pk])).status_code == 404
    assert Lesson.objects.filter(pk=lesson.pk).exists()


def test_a_lesson_outside_the_academic_year_is_refused(client):
    c = cohort()
    client.force_login(c.admin)
    response = client.post(grid_url(c), {"date": "2025-09-01", "kind": "lesson", "hours": "2"})
    assert response.status_code == 200 and "outside the academic year 2024–2025" in response.content.decode()
    assert not Lesson.objects.exists()


def test_attestation_in_the_journal_becomes_the_grade_in_the_transcript(client, django_assert_max_num_queries):
    c = cohort(students=2)
    a, b = c.students
    lesson = Lesson.objects.create(
        institution=c.inst, group=c.group, component=c.subject, date=datetime.date(2024, 12, 24), kind="final_attestation"
    )
    journal.save_lesson_marks(lesson, {a.pk: ("present", "92"), b.pk: ("present", "40")}, journal.scale_for(c.inst), c.admin)
    journal.record_grade(
        a, c.practice, Decimal(85), c.admin, source="placement", graded_on=datetime.date(2025, 6, 28), place="ТОО «Сварка-Сервис»"
    )
    client.force_login(c.admin)
    url = reverse("curriculum:transcript", args=[a.pk])
    with django_assert_max_num_queries(25):
        body = client.get(url).content.decode()
    assert "92" in body and "A-" in body and "ТОО «Сварка-Сервис»" in body
    assert 'id="cumulative-gpa">3.44<' in body  # (3.67 × 2 + 3.33 × 4) / 6 = 3.443
    assert ComponentGrade.objects.get(student=b, component=c.subject).value == 40


def test_transcript_query_budget_does_not_grow_with_grades(client, django_assert_max_num_queries):
    counts = []
    for n in (2, 12):
        c = cohort(students=1, components=n)
        for part in c.parts:
            journal.record_grade(
                c.students[0], part, Decimal(77), c.admin, source="transfer", graded_on=datetime.date(2025, 1, 10)
            )
        client.force_login(c.admin)
        with django_assert_max_num_queries(25) as ctx:
            assert client.get(reverse("curriculum:transcript", args=[c.students[0].pk])).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize(
    "lang, heading", [("ky", "АКАДЕМИЯЛЫК"), ("ru", "АКАДЕМИЧЕСКАЯ"), ("kk", "АКАДЕМИЯЛЫҚ"), ("en", "ACADEMIC TRANSCRIPT")]
)
def test_transcript_pdf_renders_in_each_language(client, lang, heading):
    from django.template.loader import render_to_string
    from django.utils import translation

    from kesip.curriculum import transcript

    c = cohort(students=1)
    journal.record_grade(c.students[0], c.subject, Decimal(88), c.admin, source="transfer", graded_on=datetime.date(2025, 1, 10))
    with translation.override(lang):
        html = render_to_string("curriculum/transcript_pdf.html", {"t": transcript.build(c.students[0]), "LANGUAGE_CODE": lang})
    assert heading in html
    client.force_login(c.admin)
    response = client.get(reverse("curriculum:transcript_pdf", args=[c.students[0].pk]) + f"?lang={lang}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    assert len(pdf) > 5000


def test_teacher_load_page(client, django_assert_max_num_queries):
    c = cohort()
    TeachingAssignment.objects.create(
        institution=c.inst, group=c.group, component=c.subject, teacher=c.teacher, academic_year=YEAR
    )
    client.force_login(c.admin)
    with django_assert_max_num_queries(15):
        body = client.get(reverse("curriculum:load") + f"?year={YEAR}").content.decode()
    assert 'id="unassigned">96<' in body and 'id="load-total">144<' in body and "Учитель" in body


def test_journals_start_page_lists_my_classes_and_groups(client, django_assert_max_num_queries):
    c = cohort()
    TeachingAssignment.objects.create(
        institution=c.inst, group=c.group, component=c.subject, teacher=c.teacher, academic_year=journal.academic_year_of()
    )
    client.force_login(c.teacher_user)
    with django_assert_max_num_queries(12):
        body = client.get(reverse("curriculum:journals")).content.decode()
    assert 'id="my-classes"' in body and reverse("curriculum:journal_grid", args=[c.group.pk, c.subject.pk]) in body
    assert reverse("curriculum:journal", args=[c.group.pk]) in body


def test_a_finished_group_opens_on_its_last_year_of_study():
    c = cohort()  # intake 2024, 22 months: two years of study
    assert journal.default_year(c.group, datetime.date(2026, 11, 22)) == 2025
    assert journal.default_year(c.group, datetime.date(2024, 10, 1)) == 2024


def test_index_and_lesson_pages_query_budgets_do_not_grow(client, django_assert_max_num_queries):
    index_counts, lesson_counts = [], []
    for students, components in ((2, 2), (25, 12)):
        c = cohort(students=students, components=components, lessons=1)
        client.force_login(c.admin)
        with django_assert_max_num_queries(20) as ctx:
            assert client.get(reverse("curriculum:journal", args=[c.group.pk]) + f"?year={YEAR}").status_code == 200
        index_counts.append(len(ctx.captured_queries))
        lesson = Lesson.objects.get(group=c.group)
        with django_assert_max_num_queries(20) as ctx:
            assert client.get(reverse("curriculum:lesson", args=[lesson.pk])).status_code == 200
        lesson_counts.append(len(ctx.captured_queries))
    assert index_counts[0] == index_counts[1], index_counts
    assert lesson_counts[0] == lesson_counts[1], lesson_counts
