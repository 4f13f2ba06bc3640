"""The diary pages as a learner, a mentor on a phone and the head of practical training meet them."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kesip.curriculum.models import ComponentGrade
from kesip.wbl import diary
from kesip.wbl.models import Briefing, DiaryEntry, Placement
from kesip.wbl.tests.test_diary import PNG, TODAY, brief_all, completed, entry, graded, site, started

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def url(name, *args):
    return reverse(f"wbl:{name}", args=args)


def html(response):
    return response.content.decode()


def test_the_learner_acknowledges_briefings_on_the_phone_and_keeps_the_diary(client, login):
    t = site()
    brief_all(t, acknowledge=False)
    login(t.student_user)
    start = client.get(url("diaries"))
    assert start.status_code == 200
    page = html(start)
    assert page.count('id="acknowledge-') == 3 and t.employer.name in page and "I was briefed and acknowledge it" in page
    for b in Briefing.objects.filter(placement=t.placement):
        assert client.post(url("briefing_acknowledge", b.pk), {"next": "diaries"})["Location"] == url("diaries")
    assert Placement.objects.get(pk=t.placement.pk).status == "briefed"
    assert 'id="acknowledge-' not in html(client.get(url("diaries")))
    login(t.head)
    assert client.post(url("placement_start", t.placement.pk)).status_code == 302
    assert Placement.objects.get(pk=t.placement.pk).status == "active"
    login(t.student_user)
    page = client.get(url("placement_diary", t.placement.pk))
    assert page.status_code == 200 and 'id="entry-form"' in html(page)
    form = page.context["form"]
    assert form.initial["date"] == TODAY
    photo = SimpleUploadedFile("weld.png", PNG, content_type="image/png")
    data = {"date": TODAY.isoformat(), "task": "Ширетүү", "work_done": "Тигиш жасадым", "hours": "6", "submit": "1"}
    added = client.post(url("placement_diaryadd", t.placement.pk), {**data, "attachment": photo})
    e = DiaryEntry.objects.get()
    assert added.status_code == 302 and added["Location"].endswith(f"#entry-{e.pk}")
    assert (e.status, e.hours) == ("submitted", Decimal(6)) and e.attachment.name.endswith(".png")
    assert client.get(url("diaryentry_attachment", e.pk)).status_code == 200


def test_bad_entries_are_refused_beside_their_fields_and_nothing_is_saved(client, login):
    t = site()
    started(t)
    login(t.student_user)
    before = (t.placement.starts_on - datetime.timedelta(days=1)).isoformat()
    bad = client.post(
        url("placement_diaryadd", t.placement.pk),
        {
            "date": before,
            "task": "",
            "work_done": "W",
            "hours": "13",
            "attachment": SimpleUploadedFile("x.pdf", b"MZ not a pdf"),
        },
    )
    assert bad.status_code == 400
    errors = bad.context["form"].errors
    assert {"task", "hours"} <= set(errors)
    fixed = client.post(
        url("placement_diaryadd", t.placement.pk),
        {"date": before, "task": "T", "work_done": "W", "hours": "2", "attachment": SimpleUploadedFile("x.pdf", b"MZ not a pdf")},
    )
    assert fixed.status_code == 400
    errors = fixed.context["form"].errors
    assert "Choose a day of the placement" in errors["date"][0] and "not a readable PDF" in errors["attachment"][0]
    assert not DiaryEntry.objects.exists()


def test_a_mentor_sees_only_their_learners_and_grades_in_place(client, login):
    t = site(learners=2)
    for p in t.placements:
        started(t, p)
    mine = entry(t, t.placements[0])
    other_learner = site()  # another college's mentor is nobody to this one
    Placement.objects.filter(pk=t.placements[1].pk).update(mentor=t.other_mentor)
    theirs = entry(t, t.placements[1])
    login(t.mentor_user)
    start = html(client.get(url("diaries")))
    assert t.students[0].last_name in start and t.students[1].last_name not in start
    assert f'id="placement-{other_learner.placement.pk}"' not in start
    assert f'id="placement-{t.placements[0].pk}"' in start
    page = client.get(url("placement_diary", t.placements[0].pk))
    assert page.status_code == 200 and f'id="grade-form-{mine.pk}"' in html(page)
    swapped = client.post(url("diaryentry_grade", mine.pk), {"grade": "5", "comment": "Жакшы"}, **HX)
    assert swapped.status_code == 200
    card = html(swapped)
    assert card.startswith("<article") and f'id="entry-{mine.pk}"' in card and 'hx-swap-oob="true"' in card
    mine.refresh_from_db()
    assert (mine.status, mine.grade, mine.mentor_comment, mine.graded_by) == ("graded", 5, "Жакшы", t.mentor_user)
    # Another mentor of the same employer: the learner is not theirs.
    assert client.get(url("placement_diary", t.placements[1].pk)).status_code == 404
    assert client.post(url("diaryentry_grade", theirs.pk), {"grade": "5"}).status_code == 404
    assert DiaryEntry.objects.get(pk=theirs.pk).status == "submitted"


def test_a_grade_off_the_scale_comes_back_in_the_card_and_saves_nothing(client, login):
    t = site()
    started(t)
    e = entry(t)
    login(t.mentor_user)
    refused = client.post(url("diaryentry_grade", e.pk), {"grade": "6", "comment": "Ашыкча"}, **HX)
    assert refused.status_code == 400 and "between 2 and 5" in html(refused)
    e.refresh_from_db()
    assert (e.status, e.grade, e.mentor_comment) == ("submitted", None, "")
    plain = client.post(url("diaryentry_grade", e.pk), {"grade": "6"})
    assert plain.status_code == 302 and plain["Location"].endswith(f"#entry-{e.pk}")
    assert "between 2 and 5" in html(client.get(plain["Location"]))
    returned = client.post(url("diaryentry_return", e.pk), {"comment": "Сүрөт кошуңуз"}, **HX)
    assert returned.status_code == 200 and DiaryEntry.objects.get(pk=e.pk).status == "returned"


def test_a_learner_reads_only_their_own_diary_and_cannot_grade(client, login):
    t = site(learners=2)
    for p in t.placements:
        started(t, p)
    mine = entry(t, t.placements[0])
    draft = entry(t, t.placements[1], submit=False)
    login(t.student_users[0])
    assert client.get(url("placement_diary", t.placements[1].pk)).status_code == 404
    assert client.get(url("diaryentry_edit", draft.pk)).status_code == 404
    page = html(client.get(url("placement_diary", t.placements[0].pk)))
    assert f'id="grade-form-{mine.pk}"' not in page
    refused = client.post(url("diaryentry_grade", mine.pk), {"grade": "5"}, **HX)
    assert refused.status_code == 403 and DiaryEntry.objects.get(pk=mine.pk).grade is None
    # The mentor does not see a draft either.
    login(t.mentor_user)
    assert client.get(url("diaryentry_attachment", draft.pk)).status_code == 404
    assert f'id="entry-{draft.pk}"' not in html(client.get(url("placement_diary", t.placements[1].pk)))


def test_a_teacher_controls_the_diary_but_cannot_grade(client, login):
    t = site()
    started(t)
    e = graded(t, 4)
    waiting = entry(t)
    login(t.teacher)
    page = html(client.get(url("placement_diary", t.placement.pk)))
    assert f'action="{url("diaryentry_check", e.pk)}"' in page and f'id="grade-form-{waiting.pk}"' not in page
    assert client.post(url("diaryentry_grade", waiting.pk), {"grade": "5"}, **HX).status_code == 403
    assert DiaryEntry.objects.get(pk=waiting.pk).grade is None
    checked = client.post(url("diaryentry_check", e.pk), {"note": "Көрдүм"}, **HX)
    assert checked.status_code == 200 and "Көрдүм" in html(checked)
    assert client.post(url("placement_diarycheck", t.placement.pk), {"note": "Баары"}).status_code == 302
    assert DiaryEntry.objects.filter(checked_by=t.teacher).count() == 2
    # A teacher who does not supervise the placement does not control it.
    login(t.other_teacher)
    assert client.post(url("diaryentry_check", waiting.pk), {"note": "x"}, **HX).status_code == 403


def test_the_mentor_completes_and_the_head_assesses_and_closes_through_the_pages(client, login):
    t = site()
    p = started(t)
    waiting = entry(t)
    login(t.mentor_user)
    form = client.get(url("placement_complete", p.pk))
    assert form.status_code == 200 and f"#entry-{waiting.pk}" in html(form)
    empty = client.post(url("placement_complete", p.pk), {"review": " ", "characterisation": "", "early_reason": "Бүттү"})
    assert empty.status_code == 400
    errors = empty.context["form"].errors
    assert "п. 14" in errors["review"][0] and "п. 14" in errors["characterisation"][0]
    assert "waiting for the mentor's grade" in " ".join(empty.context["form"].non_field_errors())
    diary.grade_entry(waiting, 5, t.mentor_user)
    early = client.post(url("placement_complete", p.pk), {"review": "R", "characterisation": "C", "recommended_grade": "5"})
    assert early.status_code == 400 and "early_reason" in early.context["form"].errors
    done = client.post(
        url("placement_complete", p.pk),
        {"review": "R", "characterisation": "C", "recommended_grade": "5", "early_reason": "Ишкана жабылды"},
    )
    assert done.status_code == 302 and Placement.objects.get(pk=p.pk).status == "completed"
    assert client.get(url("placement_assess", p.pk)).status_code == 302  # not the mentor's step
    login(t.head)
    page = client.get(url("placement_assess", p.pk))
    assert page.status_code == 200
    assert list(page.context["form"].initial["employer_assessors"]) == [t.mentor]
    data = {"assessed_on": TODAY.isoformat(), "method": "observation", "value": "5"}
    for c in t.competencies:
        data[f"competency-{c.pk}"] = "yes"
    none = client.post(url("placement_assess", p.pk), data)
    assert none.status_code == 400 and {"institution_assessors", "employer_assessors"} <= set(none.context["form"].errors)
    assert not ComponentGrade.objects.filter(source="placement").exists()
    ok = client.post(
        url("placement_assess", p.pk), {**data, "institution_assessors": [t.supervisor.pk], "employer_assessors": [t.mentor.pk]}
    )
    assert ok.status_code == 302
    grade = ComponentGrade.objects.get(student=t.student, component=t.component)
    assert (grade.source, grade.place, grade.value) == ("placement", t.employer.name, Decimal(5))
    assert client.post(url("placement_close", p.pk)).status_code == 302
    assert Placement.objects.get(pk=p.pk).status == "closed"
    closed = html(client.get(url("placement_diary", p.pk)))
    assert 'id="assessment"' in closed and "Ишкана жабылды" not in closed


def test_steps_refused_by_the_rules_say_why(client, login):
    t = site()
    brief_all(t, acknowledge=False)
    login(t.head)
    response = client.post(url("placement_start", t.placement.pk), follow=True)
    assert Placement.objects.get(pk=t.placement.pk).status == "ordered"
    assert "not acknowledged the briefing" in html(response) and "п. 56, item 4" in html(response)


def test_the_briefings_page_records_the_paper_signature_and_offers_the_start(client, login):
    t = site()
    login(t.head)
    page = client.get(url("placement_briefings", t.placement.pk))
    assert page.status_code == 200 and html(page).count('name="kind"') == 3
    day = (t.placement.starts_on - datetime.timedelta(days=1)).isoformat()
    future = (TODAY + datetime.timedelta(days=1)).isoformat()
    bad = client.post(
        url("placement_briefings", t.placement.pk), {"kind": "safety", "safety-held_on": future, "safety-conducted_by": "И"}
    )
    assert bad.status_code == 400 and "held_on" in str(bad.context["rows"][1]["form"].errors)
    for kind in ("institution", "safety"):
        data = {"kind": kind, f"{kind}-held_on": day, f"{kind}-conducted_by": "Ж.", f"{kind}-acknowledged": "on"}
        assert client.post(url("placement_briefings", t.placement.pk), data).status_code == 302
    data = {"kind": "local_documents", "local_documents-held_on": day, "local_documents-conducted_by": "Ө."}
    data["local_documents-documents"] = [d.pk for d in t.docs]
    assert client.post(url("placement_briefings", t.placement.pk), data).status_code == 302
    b = Briefing.objects.get(kind="local_documents")
    assert b.acknowledged_at is None and set(b.documents.all()) == set(t.docs)
    page = html(client.get(url("placement_briefings", t.placement.pk)))
    assert "The learner signed the paper log" in page
    assert client.post(url("briefing_acknowledge", b.pk)).status_code == 302
    assert Placement.objects.get(pk=t.placement.pk).status == "briefed"
    assert "Start the placement" in html(client.get(url("placement_briefings", t.placement.pk)))
    # The mentor reads the briefings but records none.
    login(t.mentor_user)
    assert 'name="kind"' not in html(client.get(url("placement_briefings", t.placement.pk)))


def test_a_group_is_briefed_at_once_and_the_briefed_placements_start(client, login):
    t = site(learners=3)
    login(t.head)
    page = client.get(url("group_briefings", t.group.pk, t.employer.pk))
    assert page.status_code == 200 and html(page).count('id="placement-') == 3
    day = (t.placement.starts_on - datetime.timedelta(days=1)).isoformat()
    for kind in ("institution", "safety", "local_documents"):
        data = {
            "group-kind": kind,
            "group-held_on": day,
            "group-conducted_by": "Ж.",
            "group-acknowledged": "on",
            "group-placements": [str(p.pk) for p in t.placements],
        }
        if kind == "local_documents":
            data["group-documents"] = [d.pk for d in t.docs]
        assert client.post(url("group_briefings", t.group.pk, t.employer.pk), data).status_code == 302
    assert set(Placement.objects.filter(group=t.group).values_list("status", flat=True)) == {"briefed"}
    assert "Start 3 briefed placements" in html(client.get(url("group_briefings", t.group.pk, t.employer.pk)))
    client.post(url("group_briefings", t.group.pk, t.employer.pk), {"action": "start"})
    assert set(Placement.objects.filter(group=t.group).values_list("status", flat=True)) == {"active"}
    login(t.mentor_user)
    assert client.get(url("group_briefings", t.group.pk, t.employer.pk)).status_code == 200
    assert client.get(url("group_practicejournal", t.group.pk)).status_code == 404  # a mentor has no group journal


def test_the_practice_journal_shows_the_groups_diary_grades(client, login):
    t = site(learners=2)
    for p in t.placements:
        started(t, p)
    graded(t, 5, t.placements[0])
    graded(t, 3, t.placements[0])
    entry(t, t.placements[1])
    login(t.head)
    page = client.get(url("group_practicejournal", t.group.pk))
    assert page.status_code == 200
    rows = {p.pk: p for p in page.context["rows"]}
    first = rows[t.placements[0].pk]
    assert (first.graded_count, first.average_mark, first.diary_hours) == (2, "4", Decimal(12))
    assert rows[t.placements[1].pk].waiting_count == 1
    assert html(page).count('<tr id="entry-') == 3


def test_documents_of_the_diary_review_and_characterisation(client, login):
    t = site()
    completed(t)
    login(t.head)
    pdf = client.get(url("placement_diarydoc", t.placement.pk) + "?format=pdf&lang=ru")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    docx = client.get(url("placement_diarydoc", t.placement.pk) + "?format=docx&lang=ky")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    from io import BytesIO

    from docx import Document

    text = "\n".join(p.text for p in Document(BytesIO(docx.content)).paragraphs)
    cells = " ".join(c.text for table in Document(BytesIO(docx.content)).tables for row in table.rows for c in row.cells)
    assert "Ширетүү" in cells and t.employer.name in cells and "Бардык тапшырмаларды аткарды" in text
    code = t.programme.specialty.code
    assert f"{code} {t.programme.specialty.name}" in cells and f"{code} {code}" not in cells  # the code once
    review = client.get(url("placement_reviewdoc", t.placement.pk) + "?format=docx&lang=en")
    lines = [p.text for p in Document(BytesIO(review.content)).paragraphs]
    assert lines[0] == t.employer.name and "REVIEW ON THE COMPLETION OF WORK-BASED LEARNING" in lines
    own = client.get(url("placement_reviewdoc", t.placement.pk) + "?format=docx&lang=en&letterhead=institution")
    assert Document(BytesIO(own.content)).paragraphs[0].text != t.employer.name
    char = client.get(url("placement_characterisationdoc", t.placement.pk) + "?format=pdf")
    assert char.status_code == 200
    assert client.get(url("placement_briefingdoc", t.placement.pk) + "?format=pdf").status_code == 200
    assert client.get(url("placement_diarydoc", t.placement.pk) + "?format=xls").status_code == 404
    fresh = site()
    started(fresh)
    login(fresh.head)
    assert client.get(url("placement_reviewdoc", fresh.placement.pk)).status_code == 404


# --- Query budgets ------------------------------------------------------------------------------


def _mentor_with(n):
    t = site(learners=n)
    for p in t.placements:
        started(t, p)
        entry(t, p)
    return t


@pytest.mark.parametrize("n", [2, 20])
def test_the_mentor_start_page_reads_a_fixed_number_of_queries(client, login, django_assert_max_num_queries, n):
    t = _mentor_with(n)
    login(t.mentor_user)
    with django_assert_max_num_queries(10):
        page = client.get(url("diaries"))
    assert page.status_code == 200 and html(page).count('<a class="list-group-item') == n


@pytest.mark.parametrize("n", [2, 20])
def test_the_staff_start_page_reads_a_fixed_number_of_queries(client, login, django_assert_max_num_queries, n):
    t = _mentor_with(n)
    login(t.head)
    with django_assert_max_num_queries(11):
        page = client.get(url("diaries"))
    assert page.status_code == 200 and 'id="groups"' in html(page)


@pytest.mark.parametrize("n", [2, 20])
def test_the_diary_page_reads_a_fixed_number_of_queries(client, login, django_assert_max_num_queries, n):
    t = site()
    p = started(t)
    for i in range(n):
        e = entry(t, day=p.starts_on + datetime.timedelta(days=i % 10))
        if i % 2:
            diary.grade_entry(e, 4, t.mentor_user, comment="ok")
    for user in (t.mentor_user, t.student_user, t.head):
        login(user)
        with django_assert_max_num_queries(19):
            page = client.get(url("placement_diary", p.pk))
        assert page.status_code == 200 and html(page).count('<article class="card') == n


@pytest.mark.parametrize("n", [2, 20])
def test_the_practice_journal_reads_a_fixed_number_of_queries(client, login, django_assert_max_num_queries, n):
    t = _mentor_with(n)
    login(t.head)
    with django_assert_max_num_queries(10):
        page = client.get(url("group_practicejournal", t.group.pk))
    assert page.status_code == 200 and len(page.context["rows"]) == n
