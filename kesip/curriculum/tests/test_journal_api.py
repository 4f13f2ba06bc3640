"""The journal through the API: lessons and their marks all at once, grades, transcripts, teacher load."""

import pytest

from kesip.curriculum.models import ComponentGrade, Lesson, Mark, TeachingAssignment
from kesip.curriculum.tests.test_journal import YEAR, cohort

pytestmark = pytest.mark.django_db


def test_a_teacher_posts_a_lesson_and_its_marks(client):
    c = cohort()
    TeachingAssignment.objects.create(
        institution=c.inst, group=c.group, component=c.subject, teacher=c.teacher, academic_year=YEAR
    )
    client.force_login(c.teacher_user)
    r = client.post(
        "/api/v1/lessons/",
        {"group": c.group.pk, "component": c.subject.pk, "date": "2024-11-05", "kind": "final_attestation", "hours": 2},
        content_type="application/json",
    )
    assert r.status_code == 201, r.json()
    lesson = Lesson.objects.get(pk=r.json()["id"])
    a, b, d = c.students
    bad = [{"student": a.pk, "value": "95"}, {"student": b.pk, "value": "120"}, {"student": d.pk, "attendance": "absent"}]
    r = client.put(f"/api/v1/lessons/{lesson.pk}/marks/", bad, content_type="application/json")
    assert r.status_code == 400 and str(b.pk) in r.json()["errors"]
    assert not Mark.objects.filter(lesson=lesson).exists()
    good = [{"student": a.pk, "value": "95"}, {"student": b.pk, "value": "49"}, {"student": d.pk, "attendance": "absent"}]
    r = client.put(f"/api/v1/lessons/{lesson.pk}/marks/", good, content_type="application/json")
    assert r.status_code == 200
    assert sorted((m["student"], m["attendance"]) for m in r.json()["marks"]) == sorted(
        [(a.pk, "present"), (b.pk, "present"), (d.pk, "absent")]
    )
    grades = {g["student"]: g for g in client.get(f"/api/v1/component-grades/?component={c.subject.pk}").json()["results"]}
    assert (grades[a.pk]["letter"], grades[a.pk]["passed"]) == ("A", True)
    assert (grades[b.pk]["letter"], grades[b.pk]["passed"]) == ("F", False)


def test_an_unassigned_teacher_cannot_write_the_journal(client):
    c = cohort(lessons=1)
    client.force_login(c.teacher_user)
    r = client.post(
        "/api/v1/lessons/",
        {"group": c.group.pk, "component": c.subject.pk, "date": "2024-11-05", "kind": "lesson", "hours": 2},
        content_type="application/json",
    )
    assert r.status_code == 403
    lesson = Lesson.objects.get(group=c.group)
    r = client.put(
        f"/api/v1/lessons/{lesson.pk}/marks/", [{"student": c.students[0].pk, "value": "70"}], content_type="application/json"
    )
    assert r.status_code == 403
    assert client.get(f"/api/v1/lessons/{lesson.pk}/").status_code == 200  # reading is allowed


def test_a_component_of_another_programme_is_refused(client):
    c = cohort()
    other = cohort()
    client.force_login(c.admin)
    r = client.post(
        "/api/v1/lessons/",
        {"group": c.group.pk, "component": other.subject.pk, "date": "2024-11-05", "kind": "lesson", "hours": 2},
        content_type="application/json",
    )
    assert r.status_code == 400 and "component" in r.json()


def test_recording_a_transferred_grade_and_reading_the_transcript(client, django_assert_max_num_queries):
    c = cohort(students=1)
    s = c.students[0]
    client.force_login(c.admin)
    r = client.post(
        "/api/v1/component-grades/",
        {"student": s.pk, "component": c.practice.pk, "value": "101", "graded_on": "2025-06-30", "source": "placement"},
        content_type="application/json",
    )
    assert r.status_code == 400 and "0 and 100" in str(r.json())
    assert not ComponentGrade.objects.exists()
    r = client.post(
        "/api/v1/component-grades/",
        {
            "student": s.pk,
            "component": c.practice.pk,
            "value": "86",
            "graded_on": "2025-06-30",
            "source": "placement",
            "place": "ТОО «Болат»",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.json()
    with django_assert_max_num_queries(20):
        t = client.get(f"/api/v1/transcripts/{s.pk}/").json()
    line = t["modules"][0]["components"][-1]
    assert (line["value"], line["letter"], line["place"]) == ("86.0", "B+", "ТОО «Болат»")
    assert t["gpa"] == "3.33" and t["gpa_by_year"] == {"2024": "3.33"}


def test_teacher_load_endpoint(client):
    c = cohort()
    TeachingAssignment.objects.create(
        institution=c.inst, group=c.group, component=c.subject, teacher=c.teacher, academic_year=YEAR
    )
    client.force_login(c.admin)
    r = client.get(f"/api/v1/teaching-assignments/load/?year={YEAR}").json()
    assert (r["total"], r["unassigned"]) == (144, 96)
    assert r["teachers"] == [{"teacher": c.teacher.pk, "name": str(c.teacher), "hours": 48}]
    assert client.get("/api/v1/teaching-assignments/load/?year=abcd").status_code == 400


def test_lessons_list_budget_does_not_grow(client, django_assert_max_num_queries):
    counts = []
    for n in (1, 15):
        c = cohort(students=5, lessons=n)
        client.force_login(c.admin)
        with django_assert_max_num_queries(15) as ctx:
            assert client.get(f"/api/v1/lessons/?group={c.group.pk}").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
