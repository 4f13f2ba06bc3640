"""The employer's side of WBL as services: capacity and mentor load at the boundaries of a period, the one head
and one representative, VR-38 (a mentor of unfinished placements stays a mentor and an employee), VR-56
(mentors without a representative warn), protected deletes, uploads, the settings' party counts, and the
invitation that links a new login to the employee."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kesip.core.models import Invitation
from kesip.core.roles import Role
from kesip.core.rules import RuleViolation
from kesip.core.tests import factories as f
from kesip.wbl import employers as svc
from kesip.wbl import open_questions
from kesip.wbl.common import WblInvalid, rulebook
from kesip.wbl.models import Assessment, EmployerPerson, LocalDocument, Placement, WblSettings, Workplace

pytestmark = pytest.mark.django_db

D = datetime.date
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def site(jurisdiction="KG", places=2):
    """An institution with one employer, its users of every role, a mentor with a login and a workplace for March 2025."""
    inst = f.InstitutionFactory(jurisdiction=jurisdiction)
    employer = f.EmployerFactory(institution=inst)
    t = SimpleNamespace(institution=inst, employer=employer)
    t.admin = f.member(Role.INSTITUTION_ADMIN, institution=inst)
    t.coordinator = f.member(Role.HEAD_OF_PRACTICE, institution=inst)
    t.rep_user = f.member(Role.EMPLOYER_REP, institution=inst, employer=employer)
    t.mentor_user = f.member(Role.MENTOR, institution=inst, employer=employer)
    t.student_user = f.member(Role.STUDENT, institution=inst)
    t.group = f.GroupFactory(institution=inst)
    t.mentor = EmployerPerson.objects.create(
        institution=inst,
        employer=employer,
        last_name="Устатов",
        first_name="Нурлан",
        position="Мастер",
        is_mentor=True,
        user=t.mentor_user,
    )
    t.workplace = Workplace.objects.create(
        institution=inst,
        employer=employer,
        title="Ширетүү цехи",
        places=places,
        available_from=D(2025, 3, 1),
        available_to=D(2025, 3, 31),
        safety_compliant=True,
    )
    return t


def placement(t, starts_on, ends_on, status="planned", form="practice", workplace=True, mentor=True):
    extra = {"practice_type": "production"} if form == "practice" else {}
    return Placement.objects.create(
        institution=t.institution,
        form=form,
        student=f.StudentFactory(institution=t.institution, group=t.group),
        group=t.group,
        employer=t.employer,
        workplace=t.workplace if workplace else None,
        mentor=t.mentor if mentor else None,
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
        **extra,
    )


def person(t, **kwargs):
    data = {"employer": t.employer, "institution_id": t.institution.pk, "last_name": "Бекова", "first_name": "Айгүл"}
    data.update({"position": "Инженер", **kwargs})
    return EmployerPerson(**data)


# --- Capacity and load at the boundaries --------------------------------------------------------------------


def test_free_places_count_a_placement_that_meets_the_period_on_its_first_or_last_day():
    t = site(places=2)
    period = (D(2025, 3, 10), D(2025, 3, 20))
    assert svc.free_places(t.workplace, *period) == 2
    placement(t, D(2025, 3, 1), D(2025, 3, 9))  # ends the day before
    placement(t, D(2025, 3, 21), D(2025, 3, 31))  # starts the day after
    assert svc.free_places(t.workplace, *period) == 2
    ends_first_day = placement(t, D(2025, 3, 1), D(2025, 3, 10))
    assert svc.free_places(t.workplace, *period) == 1
    assert svc.free_places(t.workplace, *period, exclude_placement=ends_first_day) == 2
    assert svc.free_places(t.workplace, *period, exclude_placement=ends_first_day.pk) == 2
    placement(t, D(2025, 3, 20), D(2025, 3, 31))  # starts on the last day: never at the same time as the first one
    assert svc.free_places(t.workplace, *period) == 1
    placement(t, D(2025, 3, 10), D(2025, 3, 20))  # meets both on their days
    assert svc.free_places(t.workplace, *period) == 0
    assert svc.free_places(t.workplace, D(2025, 3, 11), D(2025, 3, 19)) == 1


def test_cancelled_placements_hold_no_place_an_early_completion_frees_it_and_free_places_never_go_below_zero():
    t = site(places=1)
    period = (D(2025, 3, 1), D(2025, 3, 31))
    placement(t, D(2025, 3, 3), D(2025, 3, 14), status="cancelled")
    assert svc.free_places(t.workplace, *period) == 1
    early = placement(t, D(2025, 3, 3), D(2025, 3, 31), status="completed")
    early.completed_on = D(2025, 3, 14)
    early.save()
    assert svc.free_places(t.workplace, D(2025, 3, 14), D(2025, 3, 20)) == 0
    assert svc.free_places(t.workplace, D(2025, 3, 15), D(2025, 3, 20)) == 1
    placement(t, D(2025, 3, 10), D(2025, 3, 28), status="active")
    assert svc.free_places(t.workplace, *period) == 0


def test_the_capacity_annotation_agrees_with_free_places():
    t = site(places=3)
    placement(t, D(2025, 3, 1), D(2025, 3, 10))
    placement(t, D(2025, 3, 20), D(2025, 3, 31))
    placement(t, D(2025, 3, 5), D(2025, 3, 6), status="cancelled")
    placement(t, D(2025, 3, 25), D(2025, 3, 26))
    own = svc.with_capacity(Workplace.objects.filter(pk=t.workplace.pk)).get()
    assert (own.used_places, own.free_places) == (2, svc.free_places(t.workplace, D(2025, 3, 1), D(2025, 3, 31))) == (2, 1)
    periods = (
        (D(2025, 3, 11), D(2025, 3, 19), 0),
        (D(2025, 3, 10), D(2025, 3, 19), 1),
        (D(2025, 3, 10), D(2025, 3, 20), 1),
        (D(2025, 3, 26), D(2025, 4, 30), 2),
        (D(2025, 3, 27), D(2025, 4, 30), 1),
    )
    for start, end, used in periods:
        row = svc.with_capacity(Workplace.objects.filter(pk=t.workplace.pk), start, end).get()
        assert (row.used_places, row.free_places) == (used, svc.free_places(t.workplace, start, end)), (start, end)


def test_mentor_load_is_the_most_placements_mentored_at_once_and_of_them_one_form():
    t = site()
    period = (D(2025, 3, 10), D(2025, 3, 20))
    placement(t, D(2025, 3, 1), D(2025, 3, 9), form="apprenticeship")
    placement(t, D(2025, 3, 21), D(2025, 3, 30), form="apprenticeship")
    assert svc.mentor_load(t.mentor, *period) == 0
    first = placement(t, D(2025, 3, 1), D(2025, 3, 10), form="apprenticeship")
    placement(t, D(2025, 3, 12), D(2025, 3, 14), form="apprenticeship", status="cancelled")
    assert svc.mentor_load(t.mentor, *period, form="apprenticeship") == 1
    placement(t, D(2025, 3, 10), D(2025, 3, 25), form="practice")
    assert svc.mentor_load(t.mentor, *period) == 2
    assert svc.mentor_load(t.mentor, *period, form="apprenticeship") == 1
    assert svc.mentor_load(t.mentor, *period, form="apprenticeship", exclude_placement=first) == 0
    placement(t, D(2025, 3, 20), D(2025, 3, 22), form="apprenticeship")
    assert svc.mentor_load(t.mentor, *period, form="apprenticeship") == 1  # the 10th and the 20th are different days
    placement(t, D(2025, 3, 9), D(2025, 3, 20), form="apprenticeship")
    assert svc.mentor_load(t.mentor, *period, form="apprenticeship") == 2


def test_the_current_load_counts_placements_under_way_today_only():
    t = site()
    today = datetime.date.today()
    placement(t, today, today + datetime.timedelta(days=5), status="active", form="apprenticeship", workplace=False)
    placement(t, today - datetime.timedelta(days=5), today, status="briefed", workplace=False)
    placement(t, today - datetime.timedelta(days=5), today, status="ordered", form="apprenticeship", workplace=False)
    placement(t, today - datetime.timedelta(days=9), today - datetime.timedelta(days=1), status="active", workplace=False)
    placement(t, today + datetime.timedelta(days=1), today + datetime.timedelta(days=9), status="ordered", workplace=False)
    placement(t, today, today, status="planned", workplace=False)
    placement(t, today, today, status="completed", workplace=False)
    row = svc.with_current_load(EmployerPerson.objects.filter(pk=t.mentor.pk)).get()
    assert (row.current_placements, row.current_apprentices) == (3, 2)


# --- VR-56: mentors without a coordinator warn (Soft) ------------------------------------------------------


def test_vr56_warns_when_the_employer_has_mentors_but_no_representative():
    t = site()
    rules = rulebook(t.institution)
    warning = svc.coordinator_warning(1, 0, rules)
    assert warning.code == "wbl.mentor.coordinators_per_employer" and "п. 49" in warning.source
    assert "1 mentor but no authorised representative" in warning.message
    assert svc.coordinator_warning(1, 1, rules) is None
    assert svc.coordinator_warning(0, 0, rules) is None
    people = list(EmployerPerson.objects.filter(employer=t.employer))
    assert [w.code for w in svc.employer_warnings(people, rules)] == ["wbl.mentor.coordinators_per_employer"]
    rep = svc.save_person(person(t, is_representative=True), t.admin)
    assert svc.employer_warnings(list(EmployerPerson.objects.filter(employer=t.employer)), rules) == []
    rep.is_active = False
    rep.save()
    assert len(svc.employer_warnings(list(EmployerPerson.objects.filter(employer=t.employer)), rules)) == 1


def test_vr56_does_not_apply_in_kazakhstan():
    t = site("KZ")
    assert svc.coordinator_warning(3, 0, rulebook(t.institution)) is None


# --- People: one head, one representative, VR-38 -------------------------------------------------------------


def test_a_second_active_representative_or_head_is_refused_naming_the_first():
    t = site()
    first = svc.save_person(person(t, is_representative=True, is_head=True), t.admin)
    with pytest.raises(WblInvalid) as refused:
        svc.save_person(person(t, last_name="Экинчи", is_representative=True, is_head=True), t.admin)
    fields = {v.field: v.message for v in refused.value.violations}
    assert set(fields) == {"is_head", "is_representative"} and str(first) in fields["is_representative"]
    assert EmployerPerson.objects.filter(employer=t.employer).count() == 2
    first.is_active = False
    svc.save_person(first, t.admin)
    svc.save_person(person(t, last_name="Экинчи", is_representative=True, is_head=True), t.admin)


@pytest.mark.parametrize(
    "status, refused", [("planned", True), ("active", True), ("completed", False), ("closed", False), ("cancelled", False)]
)
def test_vr38_a_mentor_of_an_unfinished_placement_stays_a_mentor_who_works_there(status, refused):
    t = site()
    placement(t, D(2025, 3, 3), D(2025, 3, 14), status=status)
    for field in ("is_mentor", "is_active"):
        mentor = EmployerPerson.objects.get(pk=t.mentor.pk)
        setattr(mentor, field, False)
        if refused:
            with pytest.raises(WblInvalid) as caught:
                svc.save_person(mentor, t.admin)
            v = caught.value.violations[0]
            assert (v.code, v.field) == ("wbl.mentor.host_employee", field)
            assert "п. 2, 10, 48" in v.source and "appoint another mentor" in v.message
        else:
            svc.save_person(mentor, t.admin)
            assert getattr(EmployerPerson.objects.get(pk=t.mentor.pk), field) is False
            EmployerPerson.objects.filter(pk=t.mentor.pk).update(is_mentor=True, is_active=True)
    kept = EmployerPerson.objects.get(pk=t.mentor.pk)
    assert kept.is_mentor and kept.is_active


def test_a_linked_login_must_work_for_this_employer_and_belong_to_one_employee():
    t = site()
    stranger = f.member(Role.MENTOR, institution=t.institution, employer=f.EmployerFactory(institution=t.institution))
    with pytest.raises(WblInvalid) as refused:
        svc.save_person(person(t, user=stranger), t.admin)
    assert refused.value.violations[0].field == "user"
    with pytest.raises(WblInvalid) as twice:
        svc.save_person(person(t, user=t.mentor_user), t.admin)
    assert "already linked to" in twice.value.violations[0].message
    svc.save_person(person(t, user=t.rep_user), t.admin)


def test_who_may_change_an_employers_records():
    t = site()
    other = f.EmployerFactory(institution=t.institution)
    for user in (t.admin, t.coordinator, t.rep_user, None):
        assert svc.may_change(user, t.employer), user
    for user in (t.mentor_user, t.student_user, site().admin):
        assert not svc.may_change(user, t.employer), user
    assert not svc.may_change(t.rep_user, other)
    with pytest.raises(RuleViolation) as refused:
        svc.save_person(person(t), t.mentor_user)
    assert refused.value.code == "wbl.permission" and not EmployerPerson.objects.filter(last_name="Бекова").exists()


def test_vr5_an_employer_of_another_kind_takes_no_people_or_workplaces():
    t = site()
    type(t.employer).objects.filter(pk=t.employer.pk).update(kind="")
    t.employer.refresh_from_db()
    with pytest.raises(WblInvalid) as refused:
        svc.save_person(person(t), t.admin)
    assert refused.value.violations[0].code == "wbl.employer.kinds" and "п. 2" in refused.value.violations[0].source
    wp = Workplace(employer=t.employer, title="X", places=1, available_from=D(2025, 1, 1), available_to=D(2025, 1, 2))
    with pytest.raises(WblInvalid):
        svc.save_workplace(wp, t.admin)
    assert not Workplace.objects.filter(title="X").exists()


# --- Workplaces: capacity cannot shrink below what is held (VR-43, п. 57 items 4–5) ------------------------------


def test_places_cannot_fall_below_the_placements_holding_one():
    t = site(places=3)
    placement(t, D(2025, 3, 1), D(2025, 3, 10))
    placement(t, D(2025, 3, 10), D(2025, 3, 20))
    wp = Workplace.objects.get(pk=t.workplace.pk)
    wp.places = 1
    with pytest.raises(WblInvalid) as refused:
        svc.save_workplace(wp, t.admin)
    v = refused.value.violations[0]
    assert (v.code, v.field) == ("wbl.workplace.capacity", "places") and "at least 2 places" in v.message
    wp.places = 2
    svc.save_workplace(wp, t.admin)
    assert Workplace.objects.get(pk=wp.pk).places == 2


def test_the_period_cannot_leave_out_a_placement_under_way_but_may_leave_out_a_finished_one():
    t = site()
    placement(t, D(2025, 3, 25), D(2025, 3, 31), status="active")
    placement(t, D(2025, 3, 1), D(2025, 3, 5), status="closed")
    wp = Workplace.objects.get(pk=t.workplace.pk)
    wp.available_from, wp.available_to = D(2025, 3, 6), D(2025, 3, 30)
    with pytest.raises(WblInvalid) as refused:
        svc.save_workplace(wp, t.admin)
    assert refused.value.violations[0].field == "available_from"
    wp.available_to = D(2025, 3, 31)
    svc.save_workplace(wp, t.admin)


def test_a_profession_of_another_countrys_classifier_is_refused():
    t = site()
    kz = f.SpecialtyFactory(jurisdiction="KZ")
    wp = Workplace(
        employer=t.employer, title="Y", places=1, available_from=D(2025, 1, 1), available_to=D(2025, 1, 2), specialty=kz
    )
    with pytest.raises(WblInvalid) as refused:
        svc.save_workplace(wp, t.admin)
    assert refused.value.violations[0].field == "specialty" and "Kyrgyz Republic" in refused.value.violations[0].message


# --- Protected deletes ----------------------------------------------------------------------------------------


def test_deleting_what_placements_use_is_refused_and_nothing_is_lost():
    t = site()
    placement(t, D(2025, 3, 3), D(2025, 3, 14), status="cancelled")
    with pytest.raises(RuleViolation) as person_refused:
        svc.delete_person(t.mentor, t.admin)
    assert person_refused.value.code == "wbl.protected" and "placements (1)" in person_refused.value.message
    with pytest.raises(RuleViolation) as workplace_refused:
        svc.delete_workplace(t.workplace, t.admin)
    assert "placements (1)" in workplace_refused.value.message
    assert EmployerPerson.objects.filter(pk=t.mentor.pk).exists() and Workplace.objects.filter(pk=t.workplace.pk).exists()


def test_an_assessor_and_an_acknowledged_document_are_kept():
    t = site()
    done = placement(t, D(2025, 3, 3), D(2025, 3, 14), status="closed", mentor=False, workplace=False)
    assessor = svc.save_person(person(t), t.admin)
    assessment = Assessment.objects.create(
        institution=t.institution, placement=done, assessed_on=D(2025, 3, 15), method="practical_task", value=4
    )
    assessment.employer_assessors.add(assessor)
    with pytest.raises(RuleViolation) as refused:
        svc.delete_person(assessor, t.admin)
    assert "assessments (1)" in refused.value.message and assessment.employer_assessors.count() == 1
    document = LocalDocument.objects.create(institution=t.institution, employer=t.employer, kind="safety", title="Эрежелер")
    briefing = done.briefings.create(
        institution=t.institution, kind="local_documents", held_on=D(2025, 3, 2), conducted_by="Мастер"
    )
    briefing.documents.add(document)
    with pytest.raises(RuleViolation):
        svc.delete_document(document, t.admin)
    assert briefing.documents.count() == 1
    briefing.documents.clear()
    svc.delete_document(document, t.admin)
    assessment.employer_assessors.clear()
    svc.delete_person(assessor, t.admin)
    assert not EmployerPerson.objects.filter(pk=assessor.pk).exists()


# --- Uploads ---------------------------------------------------------------------------------------------------


def test_an_upload_is_checked_for_type_content_and_size():
    svc.validate_upload(SimpleUploadedFile("rules.pdf", PDF))
    svc.validate_upload(SimpleUploadedFile("rules.docx", b"PK\x03\x04rest"))
    for name, content, code in (
        ("virus.exe", b"MZ\x90\x00", "file_type"),
        ("rules.pdf", b"<html>not a pdf</html>", "file_content"),
        ("photo.png", PDF, "file_content"),
        ("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024 - 4), "file_too_large"),
    ):
        with pytest.raises(ValidationError) as refused:
            svc.validate_upload(SimpleUploadedFile(name, content))
        assert refused.value.code == code, name
    svc.validate_upload(SimpleUploadedFile("limit.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024 - 5)))


# --- Settings ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, ok", [(1, False), (2, True), (3, True), (4, False)])
def test_party_counts_follow_the_rulebook(value, ok):
    t = site()
    obj = WblSettings(institution=t.institution, parties_dual=value)
    if ok:
        open_questions.save_settings(obj, t.admin)
        assert WblSettings.objects.get(institution=t.institution).parties_dual == value
    else:
        with pytest.raises(WblInvalid) as refused:
            open_questions.save_settings(obj, t.admin)
        v = refused.value.violations[0]
        assert v.field == "parties_dual" and "п. 12" in v.source
        assert v.code == ("wbl.agreement.min_parties" if value < 2 else "wbl.agreement.max_parties")
        assert not WblSettings.objects.filter(institution=t.institution).exists()


def test_only_the_institutions_admin_saves_its_settings_and_a_second_row_is_the_same_row():
    t = site()
    with pytest.raises(RuleViolation):
        open_questions.save_settings(WblSettings(institution=t.institution), t.coordinator)
    first = open_questions.save_settings(WblSettings(institution=t.institution, review_days=5), t.admin)
    again = open_questions.save_settings(WblSettings(institution=t.institution, review_days=6), t.admin)
    assert again.pk == first.pk and WblSettings.objects.get().review_days == 6


def test_the_rulebook_overview_shows_the_institutions_values_or_the_defaults():
    t = site()
    open_questions.save_settings(WblSettings(institution=t.institution, parties_practice=3), t.admin)
    institution, rows = open_questions.settings_overview(t.admin)
    row = next(r for r in rows if r.field == "parties_practice")
    assert institution == t.institution and (row.value, row.default, row.changed, row.clause) == (3, 2, True, "п. 12")
    nobody, defaults = open_questions.settings_overview(f.member(Role.SYSTEM_ADMIN))
    assert nobody is None and all(not r.changed for r in defaults)
    assert {r.field for r in rows} == set(open_questions.SETTINGS_FIELDS)


# --- Invitations ---------------------------------------------------------------------------------------------------


def test_the_invite_role_follows_the_persons_role():
    t = site()
    assert svc.invite_role(person(t, email="a@example.org", is_mentor=True)) == Role.MENTOR
    assert svc.invite_role(person(t, email="a@example.org", is_mentor=True, is_representative=True)) == Role.EMPLOYER_REP
    assert svc.invite_role(person(t, email="", is_mentor=True)) is None
    assert svc.invite_role(person(t, email="a@example.org")) is None
    assert svc.invite_role(t.mentor) is None  # already has a login


def test_an_accepted_invitation_links_the_new_login_to_the_employee(client):
    t = site()
    newcomer = svc.save_person(person(t, email="Aigul@Example.org", is_mentor=True), t.admin)
    invitation = Invitation.objects.create(
        institution=t.institution,
        email="aigul@example.org",
        first_name="Айгүл",
        last_name="Бекова",
        role="mentor",
        employer=t.employer,
    )
    response = client.post(
        f"/invite/{invitation.token}/", {"username": "aigul", "password1": "Kesip-test-2026!", "password2": "Kesip-test-2026!"}
    )
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.user is not None and newcomer.user.username == "aigul"
    assert newcomer.user.memberships.get().employer == t.employer


def test_an_invitation_links_nobody_when_the_email_is_ambiguous(client):
    t = site()
    for last in ("Бекова", "Бекова-2"):
        svc.save_person(person(t, last_name=last, email="same@example.org", is_mentor=True), t.admin)
    invitation = Invitation.objects.create(
        institution=t.institution, email="same@example.org", first_name="А", last_name="Б", role="mentor", employer=t.employer
    )
    client.post(
        f"/invite/{invitation.token}/", {"username": "same", "password1": "Kesip-test-2026!", "password2": "Kesip-test-2026!"}
    )
    assert not EmployerPerson.objects.filter(email="same@example.org", user__isnull=False).exists()


# --- Concurrency (PostgreSQL) ----------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_leave_one_representative_and_refuse_the_others():
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("simultaneous requests are exercised on PostgreSQL (CI runs the suite there too)")
    t = site()
    barrier, outcomes = threading.Barrier(4), []

    def run(i):
        barrier.wait()
        try:
            outcomes.append(svc.save_person(person(t, last_name=f"Өкүл{i}", is_representative=True), t.admin))
        except WblInvalid as refusal:
            outcomes.append(refusal)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert EmployerPerson.objects.filter(employer=t.employer, is_representative=True).count() == 1
    refused = [o for o in outcomes if isinstance(o, WblInvalid)]
    assert len(outcomes) == 4 and len(refused) == 3
    assert all(r.violations[0].field == "is_representative" for r in refused)
