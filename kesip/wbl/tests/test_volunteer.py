"""Volunteer practice (п. 31, VR-22): each condition at its boundary, the decision, the pages, the API and scoping."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kesip.core.roles import Role
from kesip.core.rules import RuleViolation
from kesip.core.tests import factories as f
from kesip.curriculum.models import ComponentGrade
from kesip.curriculum.tests import factories as cf
from kesip.wbl import common, internships
from kesip.wbl import internship_rules as rules
from kesip.wbl.models import Agreement, VolunteerRecognition

pytestmark = pytest.mark.django_db

V = VolunteerRecognition
FROM, TO = datetime.date(2025, 4, 1), datetime.date(2025, 4, 30)


def college(jurisdiction="KG"):
    inst = f.InstitutionFactory(jurisdiction=jurisdiction)
    programme = f.ProgrammeFactory(institution=inst)
    group = f.GroupFactory(institution=inst, programme=programme)
    student = f.StudentFactory(institution=inst, group=group, last_name="Волонтеров")
    organisation = f.EmployerFactory(institution=inst, name="Кызыл Жарым Ай", kind="organisation", sector="services")
    memorandum = Agreement.objects.create(
        institution=inst,
        employer=organisation,
        kind="volunteer",
        number=f"М-{inst.pk}",
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 12, 31),
        status="signed",
    )
    module = cf.ModuleFactory(programme=programme, kind="professional")
    component = cf.ComponentFactory(module=module, kind="practice", practice_type="educational", hours=40, credits=2)
    return SimpleNamespace(
        institution=inst,
        programme=programme,
        group=group,
        student=student,
        organisation=organisation,
        memorandum=memorandum,
        component=component,
        admin=f.member(Role.INSTITUTION_ADMIN, institution=inst),
        head_of_practice=f.member(Role.HEAD_OF_PRACTICE, institution=inst),
    )


def submit(t, user=None, **kwargs):
    values = dict(
        institution=t.institution,
        student=t.student,
        organisation=t.organisation,
        activity="Помощь в приюте: уход за животными, учёт",
        starts_on=FROM,
        ends_on=TO,
        hours=40,
        book_reference="ЛК-001",
        volunteer_agreement_reference="ДВ-17",
        practice_type="educational",
    )
    values.update(kwargs)
    return internships.save_volunteer(V(**values), user if user is not None else t.admin)


def refused(t, rec, **kwargs):
    with pytest.raises(common.WblInvalid) as caught:
        internships.recognise(rec, t.admin, **kwargs)
    rec.refresh_from_db()
    assert rec.status == V.Status.SUBMITTED and rec.decided_on is None
    return {v.code: v for v in caught.value.violations}


def test_forty_hours_are_recognised_and_the_decision_records_who_and_when():
    t = college()
    rec = submit(t, hours=40)
    assert rec.memorandum == t.memorandum  # found by its dates when none is chosen
    done = internships.recognise(rec, t.admin, on=datetime.date(2025, 5, 5))
    assert done.status == "recognised" and done.decided_by == t.admin and done.decided_on == datetime.date(2025, 5, 5)
    assert done.history.count() == 2  # submitted, then recognised


def test_thirty_nine_hours_are_refused_with_the_clause():
    t = college()
    rec = submit(t, hours=39)
    found = refused(t, rec)
    v = found[rules.VOLUNTEER_HOURS]
    assert list(found) == [rules.VOLUNTEER_HOURS]
    assert "39 hours" in v.message and "40" in v.message and "п. 31" in v.source and v.field == "hours"


def test_a_missing_personal_book_is_refused_and_either_the_file_or_its_number_suffices():
    t = college()
    rec = submit(t, book_reference="")
    found = refused(t, rec)
    assert list(found) == [rules.PERSONAL_BOOK] and "п. 31" in found[rules.PERSONAL_BOOK].source
    rec.book = SimpleUploadedFile("book.pdf", b"%PDF-1.4 book", content_type="application/pdf")
    rec.save()
    assert internships.recognise(rec, t.admin).status == "recognised"


def test_a_missing_volunteer_agreement_is_refused():
    t = college()
    rec = submit(t, volunteer_agreement_reference="   ")
    found = refused(t, rec)
    assert (
        list(found) == [rules.VOLUNTEER_AGREEMENT] and found[rules.VOLUNTEER_AGREEMENT].field == "volunteer_agreement_reference"
    )


def test_no_memorandum_with_the_organisation_is_refused():
    t = college()
    t.memorandum.delete()
    rec = submit(t)
    v = refused(t, rec)[rules.MEMORANDUM]
    assert "no cooperation memorandum" in v.message and "01.04.2025" in v.message and v.field == "memorandum"


@pytest.mark.parametrize(
    ("starts", "ends", "ok"),
    [
        (datetime.date(2025, 4, 1), datetime.date(2025, 4, 30), True),  # the memorandum's first day
        (datetime.date(2025, 3, 31), datetime.date(2025, 4, 30), False),  # one day before it
        (datetime.date(2025, 4, 1), datetime.date(2025, 5, 31), True),  # its last day
        (datetime.date(2025, 4, 1), datetime.date(2025, 6, 1), False),  # one day after it
    ],
)
def test_the_memorandum_must_cover_every_volunteering_day(starts, ends, ok):
    t = college()
    t.memorandum.starts_on, t.memorandum.ends_on = datetime.date(2025, 4, 1), datetime.date(2025, 5, 31)
    t.memorandum.save()
    rec = submit(t, starts_on=starts, ends_on=ends, memorandum=t.memorandum)
    if ok:
        assert internships.recognise(rec, t.admin).status == "recognised"
    else:
        v = refused(t, rec)[rules.MEMORANDUM]
        assert "is in force from 01.04.2025 to 31.05.2025" in v.message


@pytest.mark.parametrize(
    ("status", "ok"), [("draft", False), ("negotiation", False), ("signed", True), ("active", True), ("expired", True)]
)
def test_only_a_signed_memorandum_counts(status, ok):
    t = college()
    t.memorandum.status = status
    t.memorandum.save()
    rec = submit(t, memorandum=t.memorandum)
    if ok:
        assert internships.recognise(rec, t.admin).status == "recognised"
    else:
        assert "is not signed" in refused(t, rec)[rules.MEMORANDUM].message


def test_a_terminated_memorandum_counts_only_if_it_ended_after_the_volunteering():
    t = college()
    t.memorandum.status, t.memorandum.terminated_on = "terminated", TO
    t.memorandum.save()
    rec = submit(t, memorandum=t.memorandum)
    assert "01.04.2025" in refused(t, rec)[rules.MEMORANDUM].message
    Agreement.objects.filter(pk=t.memorandum.pk).update(terminated_on=TO + datetime.timedelta(days=1))
    assert internships.recognise(rec, t.admin).status == "recognised"


def test_a_memorandum_with_another_organisation_or_a_wbl_agreement_is_refused():
    t = college()
    other = f.EmployerFactory(institution=t.institution)
    memo = Agreement.objects.create(
        institution=t.institution, employer=other, kind="volunteer", starts_on=FROM, ends_on=TO, status="active"
    )
    rec = submit(t, memorandum=memo)
    assert "volunteer organisation" in refused(t, rec)[rules.MEMORANDUM].message
    wbl = Agreement.objects.create(
        institution=t.institution,
        employer=t.organisation,
        kind="wbl",
        form="practice",
        starts_on=FROM,
        ends_on=TO,
        status="active",
    )
    V.objects.filter(pk=rec.pk).update(memorandum=wbl)
    assert rules.MEMORANDUM in refused(t, rec)


@pytest.mark.parametrize("practice_type", ["specialised", "research"])
def test_a_type_that_is_not_creditable_is_refused(practice_type):
    t = college()
    with pytest.raises(common.WblInvalid) as caught:
        submit(t, practice_type=practice_type)
    assert [v.code for v in caught.value.violations] == [rules.VOLUNTEER_TYPE]
    assert not V.objects.exists()
    # A record stored with such a type (imported) is refused at recognition too, with its clause.
    rec = V.objects.create(
        institution=t.institution, student=t.student, organisation=t.organisation, activity="x", starts_on=FROM, ends_on=TO,
        hours=40, book_reference="1", volunteer_agreement_reference="2", practice_type=practice_type,
    )  # fmt: skip
    v = refused(t, rec)[rules.VOLUNTEER_TYPE]
    assert "п. 31" in v.source


def test_every_missing_piece_is_named_at_once():
    t = college()
    t.memorandum.delete()
    rec = submit(t, hours=12, book_reference="", volunteer_agreement_reference="")
    assert set(refused(t, rec)) == {rules.VOLUNTEER_HOURS, rules.MEMORANDUM, rules.PERSONAL_BOOK, rules.VOLUNTEER_AGREEMENT}


def test_the_kg_rules_do_not_apply_in_kazakhstan_but_the_type_does():
    t = college("KZ")
    t.memorandum.delete()
    rec = submit(t, hours=10, book_reference="", volunteer_agreement_reference="")
    assert internships.recognise(rec, t.admin).status == "recognised"
    with pytest.raises(common.WblInvalid):
        submit(t, practice_type="research")


def test_a_mark_credits_the_component_and_without_one_nothing_is_written():
    t = college()
    rec = submit(t, component=t.component)
    internships.recognise(rec, t.admin)
    assert not ComponentGrade.objects.filter(student=t.student).exists()
    rec2 = submit(t, component=t.component, starts_on=datetime.date(2025, 6, 1), ends_on=datetime.date(2025, 6, 20))
    internships.recognise(rec2, t.admin, grade=5, on=datetime.date(2025, 6, 25))
    grade = ComponentGrade.objects.get(student=t.student, component=t.component)
    assert grade.value == 5 and grade.source == "placement" and grade.place == t.organisation.name


def test_a_mark_off_the_scale_changes_nothing():
    t = college()
    rec = submit(t, component=t.component)
    with pytest.raises(common.WblInvalid) as caught:
        internships.recognise(rec, t.admin, grade=9)
    assert caught.value.violations[0].field == "grade"
    rec.refresh_from_db()
    assert rec.status == "submitted" and not ComponentGrade.objects.exists()


def test_a_component_of_another_type_or_programme_is_refused():
    t = college()
    production = cf.ComponentFactory(module=t.component.module, kind="practice", practice_type="production", hours=40)
    with pytest.raises(common.WblInvalid) as caught:
        submit(t, component=production)
    assert caught.value.violations[0].field == "component"
    other = college()
    with pytest.raises(common.WblInvalid):
        submit(t, component=other.component)


def test_reject_needs_a_reason_and_a_decided_record_is_final():
    t = college()
    rec = submit(t, hours=39)
    with pytest.raises(common.WblInvalid):
        internships.reject(rec, "  ", t.admin)
    done = internships.reject(rec, "Часов меньше 40", t.head_of_practice)
    assert done.status == "rejected" and done.decided_by == t.head_of_practice and done.decision_note == "Часов меньше 40"
    with pytest.raises(RuleViolation):
        internships.recognise(done, t.admin)
    done.hours = 80
    with pytest.raises(RuleViolation):
        internships.save_volunteer(done, t.admin)


def test_only_the_institution_decides():
    t = college()
    rep = f.member(Role.EMPLOYER_REP, institution=t.institution, employer=t.organisation)
    rec = submit(t, user=rep)  # the volunteer organisation may submit the evidence
    with pytest.raises(RuleViolation) as caught:
        internships.recognise(rec, rep)
    assert caught.value.code == "wbl.permission"
    teacher = f.member(Role.TEACHER, institution=t.institution)
    with pytest.raises(RuleViolation):
        internships.reject(rec, "нет", teacher)


# --- Pages ----------------------------------------------------------------------------------------


def _student_login(t):
    user = f.member(Role.STUDENT, institution=t.institution)
    t.student.user = user
    t.student.save(update_fields=["user"])
    return user


def test_a_student_submits_their_own_volunteering_through_the_page(client, login):
    t = college()
    user = _student_login(t)
    other = f.StudentFactory(institution=t.institution, group=t.group)
    login(user)
    page = client.get("/wbl/volunteer/add/")
    assert page.status_code == 200 and b'name="student"' not in page.content
    book = SimpleUploadedFile("book.pdf", b"%PDF-1.4 personal book", content_type="application/pdf")
    response = client.post(
        "/wbl/volunteer/add/",
        {
            "student": other.pk,  # ignored: a student submits only their own
            "organisation": t.organisation.pk,
            "activity": "Субботник",
            "starts_on": "2025-04-01",
            "ends_on": "2025-04-30",
            "hours": "40",
            "book": book,
            "volunteer_agreement_reference": "ДВ-1",
            "practice_type": "educational",
        },
    )
    rec = V.objects.get()
    assert response.status_code == 302 and rec.student == t.student and rec.book.name.endswith(".pdf")
    assert client.get(f"/wbl/volunteer/{rec.pk}/book/").status_code == 200
    detail = client.get(f"/wbl/volunteer/{rec.pk}/")
    assert detail.status_code == 200 and b"Recognise as practice" not in detail.content
    assert client.post(f"/wbl/volunteer/{rec.pk}/recognise/").status_code == 302
    rec.refresh_from_db()
    assert rec.status == "submitted"


def test_a_file_that_is_not_what_its_name_says_is_refused_beside_the_field(client, login):
    t = college()
    login(t.admin)
    fake = SimpleUploadedFile("book.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(
        "/wbl/volunteer/add/",
        {
            "student": t.student.pk,
            "organisation": t.organisation.pk,
            "activity": "x",
            "starts_on": "2025-04-01",
            "ends_on": "2025-04-30",
            "hours": "40",
            "book": fake,
            "practice_type": "educational",
        },
    )
    assert response.status_code == 400 and "not a readable PDF" in response.content.decode()
    assert not V.objects.exists()


def test_the_staff_recognise_through_the_page_and_see_what_is_missing(client, login):
    t = college()
    login(t.head_of_practice)
    rec = submit(t, hours=39)
    page = client.get(f"/wbl/volunteer/{rec.pk}/")
    assert "39 hours of volunteering" in page.content.decode()
    response = client.post(f"/wbl/volunteer/{rec.pk}/recognise/", follow=True)
    assert "at least 40 hours" in response.content.decode()
    V.objects.filter(pk=rec.pk).update(hours=40)
    client.post(f"/wbl/volunteer/{rec.pk}/recognise/")
    rec.refresh_from_db()
    assert rec.status == "recognised" and rec.decided_by == t.head_of_practice


def test_scoping_student_employer_and_another_institution(client, login):
    t = college()
    mine = submit(t)
    other_student = f.StudentFactory(institution=t.institution, group=t.group, last_name="Чужой")
    theirs = submit(t, student=other_student)
    elsewhere_org = f.EmployerFactory(institution=t.institution, name="Другая организация")
    Agreement.objects.create(
        institution=t.institution, employer=elsewhere_org, kind="volunteer", starts_on=FROM, ends_on=TO, status="active"
    )
    third = submit(t, student=other_student, organisation=elsewhere_org)
    login(_student_login(t))
    listing = client.get("/wbl/volunteer/").content.decode()
    assert f"volunteer-{mine.pk}" in listing and f"volunteer-{theirs.pk}" not in listing
    assert client.get(f"/wbl/volunteer/{theirs.pk}/").status_code == 404
    rep = f.member(Role.EMPLOYER_REP, institution=t.institution, employer=t.organisation)
    login(rep)
    listing = client.get("/wbl/volunteer/").content.decode()
    assert f"volunteer-{mine.pk}" in listing and f"volunteer-{theirs.pk}" in listing and f"volunteer-{third.pk}" not in listing
    assert client.get(f"/wbl/volunteer/{third.pk}/").status_code == 404
    b = college("KZ")
    login(b.admin)
    assert client.get(f"/wbl/volunteer/{mine.pk}/").status_code == 404
    assert client.post(f"/wbl/volunteer/{mine.pk}/recognise/").status_code == 404
    assert client.get(f"/wbl/volunteer/{mine.pk}/book/").status_code == 404


@pytest.mark.parametrize("rows", [2, 20])
def test_the_list_reads_a_fixed_number_of_queries(client, login, django_assert_max_num_queries, rows):
    t = college()
    for i in range(rows):
        s = f.StudentFactory(institution=t.institution, group=t.group)
        submit(t, student=s, hours=40 + i)
    login(t.admin)
    with django_assert_max_num_queries(9):
        response = client.get("/wbl/volunteer/?status=submitted")
    assert response.status_code == 200 and response.content.decode().count('id="volunteer-') == rows


# --- API --------------------------------------------------------------------------------------------


def test_the_api_submits_recognises_and_refuses_with_the_rule(client, login):
    t = college()
    login(t.admin)
    response = client.post(
        "/api/v1/volunteer-recognitions/",
        {
            "student": t.student.pk,
            "organisation": t.organisation.pk,
            "activity": "Помощь",
            "starts_on": "2025-04-01",
            "ends_on": "2025-04-30",
            "hours": 39,
            "book_reference": "1",
            "volunteer_agreement_reference": "2",
            "practice_type": "educational",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "submitted" and body["memorandum"] == t.memorandum.pk and body["institution"] == t.institution.pk
    pk = body["id"]
    refused_ = client.post(f"/api/v1/volunteer-recognitions/{pk}/recognise/", {}, content_type="application/json")
    assert (
        refused_.status_code == 400 and refused_.json()["code"] == rules.VOLUNTEER_HOURS and "п. 31" in refused_.json()["source"]
    )
    assert (
        client.patch(f"/api/v1/volunteer-recognitions/{pk}/", {"hours": 40}, content_type="application/json").status_code == 200
    )
    ok = client.post(f"/api/v1/volunteer-recognitions/{pk}/recognise/", {}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "recognised" and ok.json()["decided_by"] == t.admin.pk
    # Decided: no longer changed or deleted.
    assert (
        client.patch(f"/api/v1/volunteer-recognitions/{pk}/", {"hours": 41}, content_type="application/json").status_code == 400
    )
    assert client.delete(f"/api/v1/volunteer-recognitions/{pk}/").status_code == 400


def test_the_api_lets_a_student_submit_only_their_own(client, login):
    t = college()
    user = _student_login(t)
    other = f.StudentFactory(institution=t.institution, group=t.group)
    login(user)
    response = client.post(
        "/api/v1/volunteer-recognitions/",
        {
            "student": other.pk,
            "organisation": t.organisation.pk,
            "activity": "Помощь",
            "starts_on": "2025-04-01",
            "ends_on": "2025-04-30",
            "hours": 40,
            "practice_type": "pre_diploma",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert V.objects.get().student == t.student
    pk = response.json()["id"]
    assert client.post(f"/api/v1/volunteer-recognitions/{pk}/recognise/", {}, content_type="application/json").status_code == 403


@pytest.mark.parametrize("rows", [2, 20])
def test_the_api_list_reads_a_fixed_number_of_queries(client, login, django_assert_max_num_queries, rows):
    t = college()
    for _ in range(rows):
        submit(t, student=f.StudentFactory(institution=t.institution, group=t.group))
    login(t.admin)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/volunteer-recognitions/")
    assert response.status_code == 200 and response.json()["count"] == rows


def test_the_evidence_is_verified_then_frozen_and_the_decision_follows(client, login):
    """§9.4: submitted → evidence verified (≥ 40 h, memorandum, book, agreement) → recognised / rejected."""
    t = college()
    short = submit(t, hours=39)
    with pytest.raises(common.WblInvalid) as refused:
        internships.verify(short, t.admin)
    assert [v.code for v in refused.value.violations] == [rules.VOLUNTEER_HOURS]
    rec = submit(t, hours=40)
    verified = internships.verify(rec, t.admin, on=datetime.date(2025, 5, 2))
    assert (verified.status, verified.verified_on, verified.verified_by) == ("verified", datetime.date(2025, 5, 2), t.admin)
    assert internships.volunteer_steps(verified, t.admin) == {"recognise", "reject"}  # no more edits
    with pytest.raises(RuleViolation):
        internships.save_volunteer(verified, t.admin)
    with pytest.raises(RuleViolation):
        internships.verify(verified, t.admin)
    done = internships.recognise(verified, t.admin, on=datetime.date(2025, 5, 5))
    assert done.status == "recognised" and done.verified_on == datetime.date(2025, 5, 2)
    other = internships.verify(submit(t, hours=41), t.admin)
    assert internships.reject(other, "Не та организация", t.admin).status == "rejected"
    third = submit(t, hours=40)
    login(t.admin)
    assert client.post(f"/wbl/volunteer/{third.pk}/verify/").status_code == 302
    third.refresh_from_db()
    assert third.status == "verified"
    fourth = submit(t, hours=40)
    api = client.post(f"/api/v1/volunteer-recognitions/{fourth.pk}/verify/", content_type="application/json")
    assert api.status_code == 200 and api.json()["status"] == "verified" and api.json()["verified_by"] == t.admin.pk
