"""From the briefings to the closed placement: each step and rule at its boundary, with its clause; a refusal saves nothing."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kesip.core.roles import Role
from kesip.core.rules import RuleViolation
from kesip.core.tests import factories as f
from kesip.curriculum import transcript
from kesip.curriculum.models import ComponentGrade
from kesip.curriculum.tests import factories as cf
from kesip.wbl import diary
from kesip.wbl import diary_rules as rules
from kesip.wbl.common import WblInvalid
from kesip.wbl.models import (
    Assessment,
    Briefing,
    DiaryEntry,
    EmployerPerson,
    LocalDocument,
    Order,
    Placement,
    WblSettings,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * 64


def person(t, last_name, user=None, **kwargs):
    values = dict(institution=t.institution, employer=t.employer, last_name=last_name, first_name="Нурлан", position="Мастер")
    values.update(kwargs)
    return EmployerPerson.objects.create(user=user, **values)


def site(jurisdiction="KG", learners=1, status="ordered", starts_on=None, ends_on=None, **settings):
    """A college with a group at an employer: a mentor (and another mentor of the same employer), the head of
    practical training, a supervising teacher, the employer's representative, local documents, a practice
    component and one placement per learner."""
    inst = f.InstitutionFactory(jurisdiction=jurisdiction)
    programme = f.ProgrammeFactory(institution=inst)
    group = f.GroupFactory(institution=inst, programme=programme)
    employer = f.EmployerFactory(institution=inst, address="Бишкек, Жибек Жолу 1")
    module = cf.ModuleFactory(programme=programme, kind="professional")
    component = cf.ComponentFactory(module=module, kind="practice", practice_type="production", hours=48, credits=2)
    t = SimpleNamespace(institution=inst, programme=programme, group=group, employer=employer, component=component)
    t.competencies = [cf.CompetencyFactory(programme=programme, code=f"ПК{i}") for i in (1, 2)]
    t.head = f.member(Role.HEAD_OF_PRACTICE, institution=inst)
    t.admin = f.member(Role.INSTITUTION_ADMIN, institution=inst)
    t.teacher = f.member(Role.TEACHER, institution=inst)
    t.supervisor = f.StaffFactory(institution=inst, user=t.teacher, last_name="Жетекчи")
    t.other_teacher = f.member(Role.TEACHER, institution=inst)
    t.mentor_user = f.member(Role.MENTOR, institution=inst, employer=employer)
    t.mentor = person(t, "Устатов", t.mentor_user, is_mentor=True)
    t.other_mentor_user = f.member(Role.MENTOR, institution=inst, employer=employer)
    t.other_mentor = person(t, "Башкаев", t.other_mentor_user, is_mentor=True)
    t.rep_user = f.member(Role.EMPLOYER_REP, institution=inst, employer=employer)
    t.rep = person(t, "Өкүлов", t.rep_user, is_representative=True)
    t.boss = person(t, "Башчы", is_head=True, position="Директор")
    t.docs = [
        LocalDocument.objects.create(institution=inst, employer=employer, kind="safety", title="Коопсуздук эрежелери"),
        LocalDocument.objects.create(institution=inst, employer=employer, kind="internal_rules", title="Ички тартип"),
    ]
    t.optional_doc = LocalDocument.objects.create(
        institution=inst, employer=employer, kind="other", title="Буклет", must_acknowledge=False
    )
    if settings:
        WblSettings.objects.create(institution=inst, **settings)
    t.students, t.student_users, t.placements = [], [], []
    for i in range(learners):
        user = f.member(Role.STUDENT, institution=inst)
        student = f.StudentFactory(institution=inst, group=group, user=user, last_name=f"Окуучу{i:02d}")
        t.students.append(student)
        t.student_users.append(user)
        t.placements.append(
            Placement.objects.create(
                institution=inst,
                form="practice",
                practice_type="production",
                student=student,
                group=group,
                component=component,
                employer=employer,
                starts_on=starts_on or TODAY - datetime.timedelta(days=10),
                ends_on=ends_on or TODAY + datetime.timedelta(days=10),
                hours=48,
                supervisor=t.supervisor,
                mentor=t.mentor,
                status=status,
            )
        )
    t.placement, t.student, t.student_user = t.placements[0], t.students[0], t.student_users[0]
    # The employer's head appointed the mentor by a signed order for each placement's whole term (VR-38, VR-39).
    t.appointment = Order.objects.create(
        institution=inst, kind="mentor", employer=employer, year=TODAY.year, number=f"Н-{inst.pk}", dated=TODAY,
        title="Насаатчыларды дайындоо", status="signed", signed_on=TODAY - datetime.timedelta(days=11),
    )  # fmt: skip
    for p in t.placements:
        t.appointment.lines.create(institution=inst, placement=p, mentor=p.mentor, starts_on=p.starts_on, ends_on=p.ends_on)
    return t


def brief_all(t, placement=None, acknowledge=True):
    placement = placement or t.placement
    day = placement.starts_on - datetime.timedelta(days=1)
    diary.record_briefing(placement, "institution", t.head, held_on=day, conducted_by="Жетекчи Ж.", acknowledged=acknowledge)
    diary.record_briefing(placement, "safety", t.rep_user, held_on=day, conducted_by="Инженер", acknowledged=acknowledge)
    diary.record_briefing(
        placement,
        "local_documents",
        t.rep_user,
        held_on=day,
        conducted_by="Өкүлов Ө.",
        documents=t.docs,
        acknowledged=acknowledge,
    )
    placement.refresh_from_db()
    return placement


def started(t, placement=None):
    placement = brief_all(t, placement)
    diary.start(placement, t.head)
    placement.refresh_from_db()
    return placement


def entry(t, placement=None, user=None, submit=True, day=None, **kwargs):
    placement = placement or t.placement
    values = dict(placement=placement, date=day or placement.starts_on, task="Ширетүү", work_done="Тигиш жасадым", hours=6)
    values.update(kwargs)
    return diary.save_entry(DiaryEntry(**values), user or t.student_users[t.placements.index(placement)], submit=submit)


def graded(t, value=5, placement=None):
    e = entry(t, placement)
    return diary.grade_entry(e, value, t.mentor_user, comment="Жакшы")


def completed(t):
    started(t)
    graded(t)
    diary.complete(
        t.placement,
        t.mentor_user,
        review="Бардык тапшырмаларды аткарды, ПК1 жана ПК2 көрсөттү.",
        characterisation="Тартиптүү, жоопкерчиликтүү.",
        recommended_grade="5",
        on=t.placement.ends_on,
    )
    t.placement.refresh_from_db()
    return t.placement


def assess(t, user=None, **kwargs):
    values = dict(
        assessed_on=TODAY,
        method="practical_task",
        value="5",
        institution_assessors=[t.supervisor],
        employer_assessors=[t.mentor],
        results={c.pk: (True, "") for c in t.competencies},
    )
    values.update(kwargs)
    return diary.assess(t.placement, user or t.head, **values)


def codes(caught):
    return [v.code for v in caught.value.violations]


# --- The whole path -----------------------------------------------------------------------------


def test_the_whole_path_from_order_to_closed_puts_the_grade_in_the_journal_and_transcript():
    t = site()
    p = t.placement
    day = p.starts_on - datetime.timedelta(days=1)
    b1 = diary.record_briefing(p, "institution", t.head, held_on=day, conducted_by="Жетекчи Ж.")
    b2 = diary.record_briefing(p, "safety", t.rep_user, held_on=day, conducted_by="Инженер")
    b3 = diary.record_briefing(p, "local_documents", t.rep_user, held_on=day, conducted_by="Өкүлов", documents=t.docs)
    for b in (b1, b2):
        diary.acknowledge(b, t.student_user)
        p.refresh_from_db()
        assert p.status == "ordered"
    diary.acknowledge(b3, t.student_user)
    p.refresh_from_db()
    assert p.status == "briefed" and set(b3.documents.all()) == set(t.docs)
    outcome = diary.start(p, t.head)
    assert outcome.warnings == [] and Placement.objects.get(pk=p.pk).status == "active"
    draft = entry(t, submit=False)
    assert draft.status == "draft" and draft.submitted_at is None
    diary.submit_entry(draft, t.student_user)
    draft.refresh_from_db()
    assert draft.status == "submitted" and draft.submitted_at is not None
    diary.grade_entry(draft, "4,5", t.mentor_user, comment="Жакшы тигиш")
    draft.refresh_from_db()
    assert (draft.status, draft.grade, draft.graded_by) == ("graded", Decimal("4.5"), t.mentor_user)
    diary.check_entry(draft, t.teacher, note="Текшерилди")
    draft.refresh_from_db()
    assert draft.checked_by == t.teacher and draft.supervisor_note == "Текшерилди"
    done = diary.complete(
        p, t.mentor_user, review="Тапшырмаларды аткарды.", characterisation="Тартиптүү.", recommended_grade="5", on=p.ends_on
    )
    p.refresh_from_db()
    assert done.warnings == [] and (p.status, p.completed_on, p.recommended_grade) == ("completed", p.ends_on, Decimal(5))
    result = assess(t)
    assessment = result.obj
    p.refresh_from_db()
    assert p.status == "assessed" and assessment.value == Decimal(5)
    assert set(assessment.institution_assessors.all()) == {t.supervisor} and set(assessment.employer_assessors.all()) == {
        t.mentor
    }
    assert assessment.competency_results.filter(achieved=True).count() == 2
    grade = ComponentGrade.objects.get(student=t.student, component=t.component)
    assert (grade.source, grade.value, grade.place, grade.graded_on) == ("placement", Decimal(5), t.employer.name, TODAY)
    sheet = transcript.build(t.student)
    (line,) = sheet.practice
    assert line.grade == grade and line.grade.place == t.employer.name and line.band.letter == "5"
    diary.close(p, t.head)
    p.refresh_from_db()
    assert (p.status, p.closed_on) == ("closed", TODAY)
    assert [h.status for h in p.history.order_by("history_date")][-6:] == [
        "ordered",
        "briefed",
        "active",
        "completed",
        "assessed",
        "closed",
    ]


def test_reassessment_before_closing_replaces_the_grade_and_results():
    t = site()
    completed(t)
    assess(t, value="3", results={t.competencies[0].pk: (True, ""), t.competencies[1].pk: (False, "Жок")})
    assess(t, value="4", results={c.pk: (True, "") for c in t.competencies})
    assert Assessment.objects.count() == 1
    a = Assessment.objects.get()
    assert a.value == Decimal(4) and a.competency_results.filter(achieved=False).count() == 0
    grade = ComponentGrade.objects.get(student=t.student, component=t.component)
    assert grade.value == Decimal(4) and {h.value for h in grade.history.all()} == {Decimal(3), Decimal(4)}
    diary.close(t.placement, t.head)
    with pytest.raises(RuleViolation) as caught:
        assess(t, value="5")
    assert caught.value.code == "wbl.placement.status"
    assert ComponentGrade.objects.get(pk=grade.pk).value == Decimal(4)


# --- Briefings (VR-44) --------------------------------------------------------------------------


def test_vr44_on_a_placement_does_not_start_before_every_briefing_is_acknowledged():
    t = site()
    brief_all(t, acknowledge=False)
    with pytest.raises(WblInvalid) as caught:
        diary.start(t.placement, t.head)
    assert set(codes(caught)) == {rules.BEFORE_START} and len(caught.value.violations) == 3
    assert all("п. 56, item 4" in v.source for v in caught.value.violations)
    assert Placement.objects.get(pk=t.placement.pk).status == "ordered"
    for b in t.placement.briefings.order_by("pk")[:2]:
        diary.acknowledge(b, t.student_user)
    with pytest.raises(WblInvalid) as caught:
        diary.start(t.placement, t.head)
    assert len(caught.value.violations) == 1 and "charter" in caught.value.violations[0].message
    diary.acknowledge(t.placement.briefings.get(kind="local_documents"), t.student_user)
    assert diary.start(t.placement, t.head).warnings == []


def test_vr44_off_an_ordered_placement_starts_with_the_missing_briefings_as_warnings():
    t = site(briefing_before_start=False)
    outcome = diary.start(t.placement, t.head)
    assert Placement.objects.get(pk=t.placement.pk).status == "active"
    assert len(outcome.warnings) == 3 and {w.code for w in outcome.warnings} == {rules.BEFORE_START}
    # A briefing can still be recorded late, while the placement runs.
    diary.record_briefing(t.placement, "safety", t.rep_user, held_on=TODAY, conducted_by="Инженер")
    assert t.placement.briefings.count() == 1


def test_a_local_documents_briefing_must_cover_every_document_to_acknowledge():
    t = site()
    day = TODAY - datetime.timedelta(days=11)
    for kind in ("institution", "safety"):
        diary.record_briefing(t.placement, kind, t.head, held_on=day, conducted_by="Ж.", acknowledged=True)
    diary.record_briefing(
        t.placement, "local_documents", t.head, held_on=day, conducted_by="Ж.", documents=[t.docs[0]], acknowledged=True
    )
    gaps = diary.gaps(t.placement)
    assert len(gaps) == 1 and t.docs[1].title in gaps[0].message and gaps[0].field == "documents"
    assert Placement.objects.get(pk=t.placement.pk).status == "ordered"
    with pytest.raises(RuleViolation) as caught:  # acknowledged: it stays as recorded
        diary.record_briefing(t.placement, "local_documents", t.head, held_on=day, conducted_by="Ж.", documents=t.docs)
    assert caught.value.code == "wbl.briefing.acknowledged"


def test_a_briefing_is_corrected_until_acknowledged_and_held_no_later_than_today():
    t = site()
    other = f.EmployerFactory(institution=t.institution)
    foreign = LocalDocument.objects.create(institution=t.institution, employer=other, kind="fire", title="Өрт")
    with pytest.raises(WblInvalid) as caught:
        diary.record_briefing(
            t.placement,
            "local_documents",
            t.head,
            held_on=TODAY + datetime.timedelta(days=1),
            conducted_by=" ",
            documents=[foreign],
        )
    assert {v.field for v in caught.value.violations} == {"held_on", "conducted_by", "documents"}
    assert not Briefing.objects.exists()
    b = diary.record_briefing(t.placement, "safety", t.head, held_on=TODAY, conducted_by="Инженер")
    again = diary.record_briefing(t.placement, "safety", t.head, held_on=TODAY, conducted_by="Башкы инженер")
    assert again.pk == b.pk and Briefing.objects.get().conducted_by == "Башкы инженер"


def test_who_records_and_acknowledges_briefings():
    t = site(learners=2)
    day = TODAY - datetime.timedelta(days=11)
    # The employer's representative records the employer's briefings, not the institution's.
    with pytest.raises(RuleViolation):
        diary.record_briefing(t.placement, "institution", t.rep_user, held_on=day, conducted_by="Ө.")
    for user in (t.mentor_user, t.student_user, t.teacher):
        with pytest.raises(RuleViolation) as caught:
            diary.record_briefing(t.placement, "safety", user, held_on=day, conducted_by="Ө.")
        assert caught.value.code == "wbl.permission"
    b = diary.record_briefing(t.placement, "safety", t.rep_user, held_on=day, conducted_by="Ө.")
    with pytest.raises(RuleViolation):  # another learner
        diary.acknowledge(b, t.student_users[1])
    with pytest.raises(RuleViolation):
        diary.acknowledge(b, t.mentor_user)
    diary.acknowledge(b, t.rep_user)  # the signature on the paper log
    with pytest.raises(RuleViolation) as caught:
        diary.acknowledge(b, t.student_user)
    assert caught.value.code == "wbl.briefing.acknowledged"


def test_a_group_is_briefed_at_once_and_one_refusal_saves_nothing():
    t = site(learners=3)
    day = TODAY - datetime.timedelta(days=11)
    done = diary.record_group_briefing(t.placements, "institution", t.head, held_on=day, conducted_by="Ж.", acknowledged=True)
    assert len(done) == 3 and Briefing.objects.filter(acknowledged_at__isnull=False).count() == 3
    diary.record_briefing(t.placements[1], "safety", t.head, held_on=day, conducted_by="И.", acknowledged=True)
    with pytest.raises(WblInvalid) as caught:
        diary.record_group_briefing(t.placements, "safety", t.head, held_on=day, conducted_by="И.")
    assert len(caught.value.violations) == 1 and t.students[1].last_name in caught.value.violations[0].message
    assert Briefing.objects.filter(kind="safety").count() == 1
    for kind, docs in (("safety", ()), ("local_documents", t.docs)):
        diary.record_group_briefing(
            [t.placements[0], t.placements[2]],
            kind,
            t.rep_user,
            held_on=day,
            conducted_by="И.",
            documents=docs,
            acknowledged=True,
        )
    assert set(Placement.objects.filter(group=t.group).values_list("status", flat=True)) == {"ordered", "briefed"}
    diary.record_briefing(
        t.placements[1], "local_documents", t.head, held_on=day, conducted_by="И.", documents=t.docs, acknowledged=True
    )
    assert set(Placement.objects.filter(group=t.group).values_list("status", flat=True)) == {"briefed"}


def test_a_placement_starts_only_with_the_mentor_appointed_by_signed_orders_for_its_whole_term():
    """VR-39 (п. 2): an appointment ending a day before the last day leaves a gap; a replacement order closes it."""
    t = site()
    brief_all(t)
    line = t.appointment.lines.get(placement=t.placement)
    last = t.placement.ends_on
    line.ends_on = last - datetime.timedelta(days=1)
    line.save()
    with pytest.raises(WblInvalid) as caught:
        diary.start(t.placement, t.head)
    assert codes(caught) == [rules.MENTOR_TERM] and "п. 2" in caught.value.violations[0].source
    assert last.strftime("%d.%m.%Y") in caught.value.violations[0].message
    replacement = Order.objects.create(
        institution=t.institution, kind="mentor", employer=t.employer, year=TODAY.year, number="Н-2", dated=TODAY,
        title="Насаатчыны алмаштыруу", status="signed", signed_on=TODAY,
    )  # fmt: skip
    replacement.lines.create(
        institution=t.institution, placement=t.placement, mentor=t.other_mentor, starts_on=last, ends_on=last
    )
    assert diary.start(t.placement, t.head).obj.status == "active"


def test_a_placement_without_any_signed_mentor_appointment_does_not_start():
    t = site()
    brief_all(t)
    Order.objects.filter(pk=t.appointment.pk).update(status="cancelled")
    with pytest.raises(WblInvalid) as caught:
        diary.start(t.placement, t.head)
    assert codes(caught) == [rules.MENTOR_TERM]
    assert Placement.objects.get(pk=t.placement.pk).status == "briefed"


def test_a_placement_starts_on_its_first_day_not_the_day_before_and_needs_a_mentor():
    t = site()
    brief_all(t)
    before = t.placement.starts_on - datetime.timedelta(days=1)
    with pytest.raises(WblInvalid) as caught:
        diary.start(t.placement, t.head, on=before)
    assert codes(caught) == ["wbl.placement.start_date"]
    Placement.objects.filter(pk=t.placement.pk).update(mentor=None)
    with pytest.raises(WblInvalid) as caught:
        diary.start(t.placement, t.head, on=t.placement.starts_on)
    assert codes(caught) == [rules.MENTOR] and "п. 57" in caught.value.violations[0].source
    Placement.objects.filter(pk=t.placement.pk).update(mentor=t.mentor)
    diary.start(t.placement, t.head, on=t.placement.starts_on)
    assert Placement.objects.get(pk=t.placement.pk).status == "active"
    with pytest.raises(RuleViolation):
        diary.start(t.placement, t.head)


# --- The diary ----------------------------------------------------------------------------------


def test_an_entry_is_written_for_a_day_of_the_placement_that_has_come():
    t = site(starts_on=TODAY - datetime.timedelta(days=5), ends_on=TODAY + datetime.timedelta(days=5))
    p = started(t)
    for day in (p.starts_on, TODAY):
        assert entry(t, day=day, submit=False).pk
    for day, text in (
        (p.starts_on - datetime.timedelta(days=1), "Choose a day of the placement"),
        (TODAY + datetime.timedelta(days=1), "a day that has come"),
    ):
        with pytest.raises(WblInvalid) as caught:
            entry(t, day=day)
        assert text in caught.value.violations[0].message and caught.value.violations[0].field == "date"
    ended = site(starts_on=TODAY - datetime.timedelta(days=9), ends_on=TODAY - datetime.timedelta(days=2))
    q = started(ended)
    assert entry(ended, day=q.ends_on).pk
    with pytest.raises(WblInvalid):
        entry(ended, day=q.ends_on + datetime.timedelta(days=1))
    assert DiaryEntry.objects.count() == 3


@pytest.mark.parametrize(("hours", "ok"), [("0.4", False), ("0.5", True), ("12", True), ("12.1", False), ("3.25", False)])
def test_hours_of_an_entry_lie_between_half_an_hour_and_twelve(hours, ok):
    t = site()
    started(t)
    if ok:
        assert entry(t, hours=Decimal(hours)).hours == Decimal(hours)
    else:
        with pytest.raises(WblInvalid) as caught:
            entry(t, hours=Decimal(hours))
        assert caught.value.violations[0].field == "hours" and not DiaryEntry.objects.exists()


def test_an_attachment_is_a_photo_or_pdf_up_to_10_mb_whose_content_matches_its_name():
    t = site()
    p = started(t)

    def write(name, content):
        e = DiaryEntry(placement=p, date=p.starts_on, task="Т", work_done="И", hours=2)
        return diary.save_entry(e, t.student_user, attachment=SimpleUploadedFile(name, content))

    assert write("photo.png", PNG).attachment.name.endswith(".png")
    assert write("act.pdf", PDF).attachment
    for name, content, text in (
        ("fake.pdf", b"MZ\x90\x00 not a pdf", "not a readable PDF"),
        ("virus.exe", b"MZ\x90\x00", "Upload a file of one of these types"),
        ("big.png", PNG + b"\x00" * (10 * 1024 * 1024), "larger than 10 MB"),
    ):
        with pytest.raises(WblInvalid) as caught:
            write(name, content)
        assert text in caught.value.violations[0].message and caught.value.violations[0].field == "attachment"
    assert DiaryEntry.objects.count() == 2
    exactly = PNG + b"\x00" * (10 * 1024 * 1024 - len(PNG))
    assert write("exactly.png", exactly).attachment.size == 10 * 1024 * 1024


def test_the_learner_edits_drafts_and_returned_entries_only():
    t = site()
    started(t)
    e = entry(t)
    e.task = "Башка"
    with pytest.raises(RuleViolation) as caught:
        diary.save_entry(e, t.student_user)
    assert caught.value.code == "wbl.diaryentry.status"
    diary.return_entry(e, "Сүрөттү кошуңуз", t.mentor_user)
    e.refresh_from_db()
    assert e.status == "returned" and e.mentor_comment == "Сүрөттү кошуңуз"
    e.work_done = "Тигиш жасадым, сүрөт тиркелди"
    e.grade = 5  # a grade sent along with the learner's own edit is ignored
    diary.save_entry(e, t.student_user, submit=True)
    e.refresh_from_db()
    assert e.status == "submitted" and e.grade is None
    diary.grade_entry(e, 5, t.mentor_user)
    with pytest.raises(RuleViolation):
        diary.delete_entry(e, t.student_user)
    draft = entry(t, submit=False)
    diary.delete_entry(draft, t.student_user)
    assert DiaryEntry.objects.count() == 1


def test_a_returned_entry_says_what_to_correct():
    t = site()
    started(t)
    e = entry(t)
    with pytest.raises(RuleViolation) as caught:
        diary.return_entry(e, "  ", t.mentor_user)
    assert caught.value.field == "mentor_comment"
    assert DiaryEntry.objects.get(pk=e.pk).status == "submitted"


def test_submit_all_hands_in_every_draft_at_once():
    t = site()
    p = started(t)
    for i in range(3):
        entry(t, submit=False, day=p.starts_on + datetime.timedelta(days=i))
    assert diary.submit_all(p, t.student_user) == 3
    assert set(DiaryEntry.objects.values_list("status", flat=True)) == {"submitted"}
    assert diary.submit_all(p, t.student_user) == 0


@pytest.mark.parametrize("value", ["6", "1", "4.55", "пять", ""])
def test_a_grade_off_the_scale_is_refused_and_nothing_is_saved(value):
    t = site()
    started(t)
    e = entry(t)
    with pytest.raises(RuleViolation) as caught:
        diary.grade_entry(e, value, t.mentor_user, comment="Жакшы")
    assert caught.value.field == "grade"
    e.refresh_from_db()
    assert (e.status, e.grade, e.mentor_comment, e.graded_at) == ("submitted", None, "", None)


def test_grade_bounds_of_the_kyrgyz_scale_are_accepted():
    t = site()
    started(t)
    for value in ("2", "5"):
        assert diary.grade_entry(entry(t), value, t.mentor_user).grade == Decimal(value)


def test_a_changed_grade_takes_the_control_mark_off():
    t = site()
    started(t)
    e = graded(t, 4)
    diary.check_entry(e, t.head, note="OK")
    diary.grade_entry(e, 4, t.mentor_user, comment="Same mark")
    assert DiaryEntry.objects.get(pk=e.pk).checked_at is not None
    diary.grade_entry(e, 5, t.mentor_user)
    e.refresh_from_db()
    assert e.checked_at is None and e.supervisor_note == "" and e.grade == 5


def test_only_the_mentor_grades_the_learner_writes_the_supervisor_controls():
    t = site()
    started(t)
    e = entry(t)
    for user in (t.other_mentor_user, t.student_user, t.teacher, t.head, t.admin):
        with pytest.raises(RuleViolation) as caught:
            diary.grade_entry(e, 5, user)
        assert caught.value.code == "wbl.permission"
    for user in (t.mentor_user, t.teacher, t.other_teacher, t.rep_user):
        with pytest.raises(RuleViolation):
            diary.save_entry(DiaryEntry(placement=t.placement, date=TODAY, task="T", work_done="W", hours=1), user)
    for user in (t.mentor_user, t.student_user, t.other_teacher, t.rep_user):
        with pytest.raises(RuleViolation):
            diary.check_entry(e, user)
    diary.grade_entry(e, 5, t.rep_user)  # the employer's representative coordinates the mentors (п. 49)
    diary.check_entry(e, t.teacher, note="Көрдүм")  # the placement's supervisor
    diary.check_entry(e, t.head, note="Текшердим")
    assert DiaryEntry.objects.get(pk=e.pk).checked_by == t.head


def test_totals_of_the_diary_are_counted_in_sql():
    t = site()
    p = started(t)
    graded(t, 5)
    graded(t, 4)
    entry(t, hours=Decimal("2.5"))
    entry(t, submit=False, hours=8)
    found = diary.totals(DiaryEntry.objects.filter(placement=p))
    assert found["hours"] == Decimal("14.5") and found["graded_hours"] == 12 and found["average"] == Decimal("4.5")
    assert (found["entries"], found["graded"], found["waiting"], found["drafts"], found["unchecked"]) == (3, 2, 1, 1, 3)


# --- VR-45: graded before completion, overdue after N days -------------------------------------


def test_vr45_a_submitted_entry_waiting_for_the_grade_blocks_completion():
    t = site()
    p = started(t)
    graded(t)
    waiting = entry(t, day=p.starts_on + datetime.timedelta(days=1))
    args = dict(review="R", characterisation="C", on=p.ends_on)
    with pytest.raises(WblInvalid) as caught:
        diary.complete(p, t.mentor_user, **args)
    (v,) = caught.value.violations
    assert v.code == rules.GRADED and "п. 14" in v.source and rules.day(waiting.date) in v.message
    assert Placement.objects.get(pk=p.pk).status == "active"
    diary.grade_entry(waiting, 3, t.mentor_user)
    entry(t, submit=False)  # a draft does not block, it warns
    outcome = diary.complete(p, t.mentor_user, **args)
    assert [w.code for w in outcome.warnings] == ["wbl.diary.left_out"]


@pytest.mark.parametrize(("days", "late"), [(7, False), (8, True)])
def test_vr45_an_entry_is_overdue_after_the_institutions_days_not_on_the_last_of_them(days, late):
    """Submitted on day D with 7 days to grade: on time through D+7, overdue from D+8."""
    t = site(diary_grading_days=7)
    p = started(t)
    e = entry(t)
    submitted = timezone.make_aware(datetime.datetime.combine(TODAY - datetime.timedelta(days=days), datetime.time(23, 59)))
    DiaryEntry.objects.filter(pk=e.pk).update(submitted_at=submitted)
    assert DiaryEntry.objects.filter(diary.overdue_q()).exists() is late
    cutoff = rules.overdue_cutoff(7)
    assert diary.totals(DiaryEntry.objects.filter(placement=p), cutoff)["overdue"] == int(late)
    assert (Placement.objects.filter(pk=p.pk).annotate(**diary.progress_annotations()).get().overdue_count) == int(late)
    warnings = diary.overdue_warnings(p, int(late))
    assert [w.code for w in warnings] == ([rules.TIMELY] if late else [])
    if late:
        assert "п. 58, item 6" in warnings[0].source and "7 days" in warnings[0].message


def test_overdue_reads_each_institutions_own_days():
    strict, lenient = site(diary_grading_days=1), site(diary_grading_days=30)
    for t in (strict, lenient):
        started(t)
        e = entry(t)
        DiaryEntry.objects.filter(pk=e.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=3))
    late = set(DiaryEntry.objects.filter(diary.overdue_q()).values_list("institution_id", flat=True))
    assert late == {strict.institution.pk}


# --- Completion (VR-46) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("review", "characterisation", "fields"),
    [("", "C", {"review"}), ("R", "  ", {"characterisation"}), ("", "", {"review", "characterisation"})],
)
def test_vr46_the_review_and_the_characterisation_are_both_required(review, characterisation, fields):
    t = site()
    p = started(t)
    with pytest.raises(WblInvalid) as caught:
        diary.complete(p, t.mentor_user, review=review, characterisation=characterisation, on=p.ends_on)
    assert {v.field for v in caught.value.violations} == fields and all("п. 14" in v.source for v in caught.value.violations)
    assert Placement.objects.get(pk=p.pk).status == "active"


def test_vr46_closing_needs_the_review_and_characterisation_too():
    t = site()
    completed(t)
    assess(t)
    Placement.objects.filter(pk=t.placement.pk).update(characterisation="")
    with pytest.raises(WblInvalid) as caught:
        diary.close(t.placement, t.head)
    assert codes(caught) == [rules.CHARACTERISATION]
    assert Placement.objects.get(pk=t.placement.pk).status == "assessed"


def test_completion_before_the_last_day_needs_the_reason_it_ended_early():
    t = site()
    p = started(t)
    args = dict(review="R", characterisation="C")
    with pytest.raises(WblInvalid) as caught:
        diary.complete(p, t.mentor_user, on=p.ends_on - datetime.timedelta(days=1), **args)
    assert caught.value.violations[0].field == "early_reason"
    diary.complete(p, t.mentor_user, on=p.ends_on - datetime.timedelta(days=1), early_reason="Ишкана жабылды", **args)
    p.refresh_from_db()
    assert p.status == "completed" and "Ишкана жабылды" in p.note and p.completed_on == p.ends_on - datetime.timedelta(days=1)
    other = site()
    q = started(other)
    diary.complete(q, other.mentor_user, on=q.ends_on, **args)
    q.refresh_from_db()
    assert q.status == "completed" and q.note == ""


def test_the_review_is_corrected_until_assessed_and_its_grade_is_on_the_scale():
    t = site()
    p = completed(t)
    with pytest.raises(WblInvalid) as caught:
        diary.complete(p, t.mentor_user, review="R2", characterisation="C2", recommended_grade="7")
    assert caught.value.violations[0].field == "recommended_grade"
    assert Placement.objects.get(pk=p.pk).review.startswith("Бардык")
    diary.complete(p, t.head, review="R2", characterisation="C2", recommended_grade="")
    p.refresh_from_db()
    assert (p.review, p.recommended_grade, p.completed_on) == ("R2", None, p.ends_on)
    for user in (t.student_user, t.teacher, t.other_mentor_user):
        with pytest.raises(RuleViolation):
            diary.complete(p, user, review="X", characterisation="Y")


# --- Assessment (VR-47) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("staff", "persons", "broken"),
    [
        (0, 0, {rules.PEO_ASSESSORS, rules.EMPLOYER_ASSESSORS}),
        (1, 0, {rules.EMPLOYER_ASSESSORS}),
        (0, 1, {rules.PEO_ASSESSORS}),
        (1, 1, set()),
    ],
)
def test_vr47_assessors_of_the_institution_and_of_the_employer(staff, persons, broken):
    t = site()
    completed(t)
    args = dict(institution_assessors=[t.supervisor][:staff], employer_assessors=[t.mentor][:persons])
    if broken:
        with pytest.raises(WblInvalid) as caught:
            assess(t, **args)
        assert set(codes(caught)) == broken and all("п. 20" in v.source for v in caught.value.violations)
        assert Placement.objects.get(pk=t.placement.pk).status == "completed" and not Assessment.objects.exists()
        assert not ComponentGrade.objects.filter(source="placement").exists()
    else:
        assert assess(t, **args).obj.pk


def test_an_assessment_grade_off_the_scale_saves_nothing():
    t = site()
    completed(t)
    with pytest.raises(WblInvalid) as caught:
        assess(t, value="6")
    assert caught.value.violations[0].field == "value" and "between 2 and 5" in caught.value.violations[0].message
    assert not Assessment.objects.exists() and Placement.objects.get(pk=t.placement.pk).status == "completed"
    assert not ComponentGrade.objects.filter(student=t.student, component=t.component).exists()


def test_an_assessment_needs_every_competency_assessors_of_the_right_side_and_a_day_that_has_come():
    t = site()
    completed(t)
    stranger = f.StaffFactory()
    outsider = EmployerPerson.objects.create(
        institution=t.institution,
        employer=f.EmployerFactory(institution=t.institution),
        last_name="Б",
        first_name="Б",
        position="П",
    )
    with pytest.raises(WblInvalid) as caught:
        assess(
            t,
            institution_assessors=[stranger],
            employer_assessors=[outsider],
            results={t.competencies[0].pk: (True, "")},
            assessed_on=TODAY + datetime.timedelta(days=1),
            method="astrology",
        )
    fields = {v.field for v in caught.value.violations}
    assert {
        "institution_assessors",
        "employer_assessors",
        f"competency-{t.competencies[1].pk}",
        "assessed_on",
        "method",
    } <= fields


def test_an_artefact_is_checked_like_any_upload():
    t = site()
    completed(t)
    with pytest.raises(WblInvalid) as caught:
        assess(t, artefact=SimpleUploadedFile("video.mp4", b"not a video at all"))
    assert caught.value.violations[0].field == "artefact"
    video = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 32
    a = assess(t, artefact=SimpleUploadedFile("video.mp4", video)).obj
    assert a.artefact.name.endswith(".mp4")


def test_a_method_outside_the_programmes_section_9_only_warns():
    from kesip.wbl.models import WblProgramme

    t = site()
    wp = WblProgramme.objects.create(institution=t.institution, programme=t.programme, form="practice", academic_year=2024)
    wp.outcomes.add(t.competencies[0])
    wp.rubric.create(institution=t.institution, method="case_study", level="5", descriptor="Эң жакшы")
    Placement.objects.filter(pk=t.placement.pk).update(wbl_programme=wp)
    completed(t)
    outcome = assess(t, results={t.competencies[0].pk: (True, "")})
    assert [w.code for w in outcome.warnings] == ["wbl.assessment.method"]
    assert outcome.obj.competency_results.count() == 1  # the programme's outcomes, not all the competencies


def test_a_kazakh_college_has_no_wbl_assessor_or_review_rules():
    t = site("KZ")
    p = started(t)
    e = entry(t)
    diary.complete(p, t.mentor_user, review="", characterisation="", on=p.ends_on)  # VR-45 and VR-46 are Kyrgyz rules
    assert DiaryEntry.objects.get(pk=e.pk).status == "submitted"
    outcome = assess(t, value="85", institution_assessors=[], employer_assessors=[])
    assert outcome.obj.value == 85
    assert ComponentGrade.objects.get(student=t.student, component=t.component).value == 85


def test_only_institution_staff_assess_and_close():
    t = site()
    completed(t)
    for user in (t.mentor_user, t.rep_user, t.teacher, t.student_user):
        with pytest.raises(RuleViolation) as caught:
            assess(t, user=user)
        assert caught.value.code == "wbl.permission"
    assess(t, user=t.admin)
    with pytest.raises(RuleViolation):
        diary.close(t.placement, t.rep_user)


def test_steps_offered_follow_status_and_role():
    t = site()
    p = brief_all(t, acknowledge=False)
    assert diary.allowed_steps(p, t.head) == set()
    for b in p.briefings.all():
        diary.acknowledge(b, t.student_user)
    p.refresh_from_db()
    assert diary.allowed_steps(p, t.head) == {"start"} and diary.allowed_steps(p, t.mentor_user) == set()
    diary.start(p, t.rep_user)
    p.refresh_from_db()
    assert diary.allowed_steps(p, t.mentor_user) == {"complete"} and diary.allowed_steps(p, t.head) == {"complete"}
    assert diary.allowed_steps(p, t.other_mentor_user) == set() and diary.allowed_steps(p, t.student_user) == set()
    Placement.objects.filter(pk=p.pk).update(status="assessed")
    p.refresh_from_db()
    assert diary.allowed_steps(p, t.head) == {"assess", "close"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_briefings_and_grades_leave_one_record_each():
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("simultaneous requests are exercised on PostgreSQL (CI runs the suite there too)")
    t = site()
    day = TODAY - datetime.timedelta(days=11)

    def race(*steps):
        barrier, outcomes = threading.Barrier(len(steps)), []

        def run(step):
            barrier.wait()
            try:
                outcomes.append(step())
            except (WblInvalid, RuleViolation) as refusal:
                outcomes.append(refusal)
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(step,)) for step in steps]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return outcomes

    race(*[lambda i=i: diary.record_briefing(t.placement, "safety", t.head, held_on=day, conducted_by=f"И{i}") for i in range(4)])
    assert Briefing.objects.filter(placement=t.placement, kind="safety").count() == 1
    Briefing.objects.all().delete()
    brief_all(t)
    diary.start(t.placement, t.head)
    e = entry(t)
    outcomes = race(lambda: diary.grade_entry(e, 5, t.mentor_user), lambda: diary.return_entry(e, "Оңдо", t.mentor_user))
    e.refresh_from_db()
    assert e.status in ("graded", "returned") and sum(isinstance(o, RuleViolation) for o in outcomes) == 1
    completed_twice = race(
        *[lambda: diary.complete(t.placement, t.mentor_user, review="R", characterisation="C", on=t.placement.ends_on)] * 2
    )
    t.placement.refresh_from_db()
    assert t.placement.status == "completed" and len(completed_twice) == 2
