"""Pages as users meet them: forms that refuse bad input, lists within a query budget, history."""

import datetime

import pytest
from django.urls import reverse

from kesip.core.demo import kg_pin
from kesip.core.models import Employer, Institution, StaffMember, Student
from kesip.core.roles import Role
from kesip.core.tests import factories as f
from kesip.curriculum.tests.factories import QualificationFactory

pytestmark = pytest.mark.django_db


def staff_form(institution, **overrides):
    data = {
        "institution": institution.pk,
        "last_name": "Абдыкадырова",
        "first_name": "Айгерим",
        "national_id": kg_pin("F", datetime.date(1990, 4, 12), 12345),
        "position": "Мугалим",
        "category": "teacher",
        "employment": "full_time",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_create_staff_member_fills_birth_date_and_sex_from_pin(client, world, login):
    login(world.a.admin)
    response = client.post(reverse("core:staff_add"), staff_form(world.a.institution))
    assert response.status_code == 302
    s = StaffMember.objects.get(last_name="Абдыкадырова")
    assert s.birth_date == datetime.date(1990, 4, 12) and s.sex == "F" and s.institution == world.a.institution
    assert s.history.count() == 1 and s.history.first().history_user == world.a.admin


@pytest.mark.parametrize(
    "national_id, message",
    [
        ("1120419901234", "exactly 14 digits"),
        ("31204199012345", "starts with 1 (female) or 2 (male)"),
        ("13104199012345", "is not a date"),
    ],
)
def test_wrong_personal_number_is_refused_with_a_clear_message(client, world, login, national_id, message):
    login(world.a.admin)
    before = StaffMember.objects.count()
    response = client.post(reverse("core:staff_add"), staff_form(world.a.institution, national_id=national_id))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["national_id"])
    assert StaffMember.objects.count() == before


def test_kz_institution_requires_an_iin(client, world, login):
    login(world.b.admin)
    response = client.post(reverse("core:staff_add"), staff_form(world.b.institution))
    assert response.status_code == 400
    assert "IIN has exactly 12 digits" in " ".join(response.context["form"].errors["national_id"])


def test_duplicate_personal_number_within_institution_is_refused_on_create_and_edit(client, world, login):
    login(world.a.admin)
    existing = world.a.staff
    response = client.post(reverse("core:staff_add"), staff_form(world.a.institution, national_id=existing.national_id))
    assert (
        response.status_code == 400
        and "national_id" in str(response.context["form"].errors)
        or "already exists" in str(response.context["form"].errors)
    )
    other = f.StaffFactory(institution=world.a.institution)
    data = staff_form(world.a.institution, national_id=existing.national_id, last_name=other.last_name)
    response = client.post(reverse("core:staff_edit", args=[other.pk]), data)
    assert response.status_code == 400
    other.refresh_from_db()
    assert other.national_id != existing.national_id


def test_same_person_may_be_staff_in_two_institutions(client, world, login):
    inst = f.InstitutionFactory(jurisdiction="KG")
    f.StaffFactory(institution=inst, national_id=world.a.staff.national_id)
    assert StaffMember.objects.filter(national_id=world.a.staff.national_id).count() == 2


def test_birth_date_contradicting_pin_is_refused(client, world, login):
    login(world.a.admin)
    response = client.post(reverse("core:staff_add"), staff_form(world.a.institution, birth_date="1990-04-13"))
    assert response.status_code == 400
    assert "does not match the personal number" in str(response.context["form"].errors["birth_date"])


def test_employer_tax_id_is_validated_for_the_country(client, world, login):
    login(world.b.admin)
    data = {
        "institution": world.b.institution.pk,
        "name": "ТОО «Тест»",
        "kind": "enterprise",
        "sector": "it",
        "tax_id": "00307199510011",
        "is_active": "on",
    }
    response = client.post(reverse("core:employers_add"), data)
    assert response.status_code == 400 and "BIN has exactly 12 digits" in str(response.context["form"].errors["tax_id"])
    assert not Employer.objects.filter(name="ТОО «Тест»").exists()


def test_group_cannot_use_another_institutions_programme(client, world, login):
    login(world.a.admin)
    data = {
        "institution": world.a.institution.pk,
        "name": "Н-1",
        "programme": world.b.programme.pk,
        "intake_year": 2025,
        "year_of_study": 1,
        "language": "ky",
        "is_active": "on",
    }
    response = client.post(reverse("core:groups_add"), data)
    assert response.status_code == 400 and "programme" in response.context["form"].errors


def test_institution_admin_edits_passport_but_not_its_authority(client, world, login):
    login(world.a.admin)
    inst = world.a.institution
    url = reverse("core:institutions_edit", args=[inst.pk])
    form = client.get(url).context["form"]
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in form.initial.items() if v is not None}
    data.update(
        legal_address="Кызыл-Кыя ш., Кыпчаков көч. 29",
        inn="00307199510011",
        okpo="02563871",
        founding_year=1958,
        authority=world.b.institution.authority.pk,
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    inst.refresh_from_db()
    assert inst.legal_address.startswith("Кызыл-Кыя") and inst.authority == world.department


def test_institution_identifier_of_the_wrong_country_is_refused(client, world, login):
    login(world.sysadmin)
    url = reverse("core:institutions_edit", args=[world.a.institution.pk])
    form = client.get(url).context["form"]
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in form.initial.items() if v is not None}
    data.update(bin="123456789012", founding_year="1700")
    response = client.post(url, data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "founding_year" in errors and "bin" in errors


def test_only_a_system_admin_adds_institutions_and_authorities(client, world, login):
    login(world.a.admin)
    assert client.get(reverse("core:institutions_add")).status_code == 403
    assert client.get(reverse("core:authorities_add")).status_code == 403
    login(world.sysadmin)
    response = client.post(
        reverse("core:authorities_add"), {"name_ru": "Министерство X", "kind": "ministry", "jurisdiction": "KZ"}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("core:institutions_add"),
        {
            "authority": world.ministry.pk,
            "type": "lyceum",
            "jurisdiction": "KG",
            "full_name_ky": "№3 кесиптик лицей",
            "full_name_ru": "Профессиональный лицей №3",
        },
    )
    assert response.status_code == 302 and Institution.objects.filter(full_name_ru="Профессиональный лицей №3").exists()


def test_authority_cannot_be_put_under_its_own_child(client, world, login):
    login(world.sysadmin)
    response = client.post(
        reverse("core:authorities_edit", args=[world.ministry.pk]),
        {"name_ru": world.ministry.name_ru, "kind": "ministry", "jurisdiction": "KG", "parent": world.department.pk},
    )
    assert response.status_code == 400


def test_licence_add_and_bad_dates(client, world, login):
    login(world.a.admin)
    url = reverse("core:licence_add", args=[world.a.institution.pk])
    response = client.post(url, {"number": "LS240001011", "issued_on": "2024-02-20", "valid_until": "2023-01-01"})
    assert response.status_code == 400 and "valid_until" in response.context["form"].errors
    response = client.post(url, {"number": "LS240001011", "issued_on": "2024-02-20", "issuing_order": "No. 264/1 of 21.02.2024"})
    assert response.status_code == 302
    page = client.get(reverse("core:institutions_detail", args=[world.a.institution.pk])).content.decode()
    assert "LS240001011" in page and "No. 264/1 of 21.02.2024" in page
    response = client.post(url, {"number": "LS240001011", "issued_on": "2024-02-21"})
    assert response.status_code == 400 and "already has a licence" in str(response.context["form"].errors)


def test_history_page_shows_who_changed_what(client, world, login):
    login(world.a.admin)
    s = world.a.student
    data = {
        "institution": s.institution_id,
        "last_name": s.last_name,
        "first_name": s.first_name,
        "national_id": s.national_id,
        "status": "academic_leave",  # ignored: the status changes only by an order on the student's page
        "funding": "contract",
        "group": s.group_id,
    }
    assert client.post(reverse("core:students_edit", args=[s.pk]), data).status_code == 302
    s.refresh_from_db()
    assert (s.status, s.funding) == ("enrolled", "contract")
    page = client.get(reverse("core:students_history", args=[s.pk])).content.decode()
    assert "Contract (paid)" in page and "State budget" in page and world.a.admin.last_name in page


def test_delete_refuses_a_record_still_in_use(client, world, login):
    login(world.a.admin)
    response = client.post(reverse("core:groups_delete", args=[world.a.group.pk]))
    assert response.status_code == 302
    assert world.a.group.__class__.objects.filter(pk=world.a.group.pk).exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("still used by" in m for m in messages)
    from kesip.wbl.models import AgreementRosterEntry, OrderLine, Placement, VolunteerRecognition

    # A student's WBL records keep the student: they go first.
    OrderLine.objects.filter(placement__student__group=world.a.group).delete()
    from kesip.wbl.models import Incentive, MentorRequest, PartTimeJob

    Incentive.objects.filter(placement__student__group=world.a.group).delete()
    MentorRequest.objects.filter(placement__student__group=world.a.group).delete()
    PartTimeJob.objects.filter(student__group=world.a.group).delete()
    from kesip.wbl.models import GraduateEmployment, WblEvent

    GraduateEmployment.objects.filter(student__group=world.a.group).delete()
    WblEvent.objects.filter(group=world.a.group).delete()  # its attendance goes with it
    Placement.objects.filter(student__group=world.a.group).delete()
    AgreementRosterEntry.objects.filter(student__group=world.a.group).delete()
    VolunteerRecognition.objects.filter(student__group=world.a.group).delete()
    Student.objects.filter(group=world.a.group).delete()
    world.a.exam.delete()  # an exam keeps its group (its results and awards went with the students)
    world.a.calendar.delete()  # so does a calendar schedule
    assert client.post(reverse("core:groups_delete", args=[world.a.group.pk])).status_code == 302
    assert not world.a.group.__class__.objects.filter(pk=world.a.group.pk).exists()


def test_list_search_filter_sort_and_bad_filter(client, world, login):
    login(world.a.admin)
    f.StudentFactory(institution=world.a.institution, group=world.a.group, last_name="Жумабеков", status="graduated")
    page = client.get("/students/?q=Жумабеков").context["page"]
    assert [s.last_name for s in page.object_list] == ["Жумабеков"]
    assert client.get("/students/?status=graduated").context["page"].paginator.count == 1
    response = client.get("/students/?status=nonsense")
    assert response.status_code == 200 and response.context["page"].paginator.count == 2
    assert any("not a valid choice" in str(m) for m in response.context["messages"])
    names = [s.last_name for s in client.get("/students/?sort=-last_name").context["page"].object_list]
    assert names == sorted(names, reverse=True)


def test_htmx_search_returns_only_the_table(client, world, login):
    login(world.a.admin)
    response = client.get("/students/?q=x", HTTP_HX_REQUEST="true")
    assert b'<nav class="navbar' not in response.content and b"<table" in response.content


LIST_URLS = [
    "/students/", "/staff/", "/groups/", "/programmes/", "/employers/", "/members/", "/institutions/",
    "/specialties/", "/", "/members/invitations/", "/authorities/", "/rulebook/",
    "/students/export.xlsx", "/staff/export.xlsx", "/groups/export.xlsx", "/employers/export.xlsx",
    "/members/export.xlsx", "/institutions/export.xlsx", "/rulebook/export.xlsx",
    "/curriculum/qualifications/", "/curriculum/qualifications/export.xlsx",
]  # fmt: skip


@pytest.mark.parametrize("url", LIST_URLS)
def test_query_budget_does_not_grow_with_rows(client, world, login, django_assert_max_num_queries, url):
    """Each list page costs the same number of queries for 1 row or 30 rows."""
    login(world.sysadmin)

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for _ in range(15):
        inst = f.InstitutionFactory(jurisdiction="KG", authority=world.department)
        g = f.GroupFactory(institution=inst, curator=f.StaffFactory(institution=inst))
        f.StudentFactory(institution=inst, group=g)
        f.EmployerFactory(institution=inst)
        f.member(Role.TEACHER, institution=inst)
        QualificationFactory()
    many = count()
    assert many == few, (url, few, many)
    with django_assert_max_num_queries(14):
        client.get(url)


def test_export_xlsx_has_the_filtered_rows(client, world, login):
    from io import BytesIO

    from openpyxl import load_workbook

    login(world.a.admin)
    response = client.get("/students/export.xlsx?status=enrolled")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Name" and len(rows) == 2 and world.a.student.last_name in rows[1][0]


def test_navigation_shows_only_what_the_role_may_use(client, world, login):
    teacher = f.member(Role.TEACHER, institution=world.a.institution)
    login(teacher)
    nav = [str(i["label"]) for i in client.get("/").context["nav"]]
    assert "Students" in nav and "Groups" in nav and "Staff" not in nav and "Users" not in nav
    assert client.get("/staff/").status_code == 403
    login(world.a.admin)
    nav = [str(i["label"]) for i in client.get("/").context["nav"]]
    assert {"Staff", "Users", "Employers", "Students"} <= set(nav) and "Authorities" not in nav


def test_dashboard_shows_the_institutions_key_counts(client, world, login):
    login(world.a.admin)
    inst = client.get("/").context["page"].object_list[0]
    assert (inst.students, inst.staff, inst.groups, inst.programmes, inst.employers) == (1, 1, 1, 1, 1)
    for _ in range(5):
        f.StudentFactory(institution=world.a.institution, group=world.a.group, status="academic_leave")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        breakdown = dict(client.get("/").context["breakdown"])
    assert dict(breakdown["Students by status"]) == {"Academic leave": 5, "Studying": 1}
    assert len(ctx.captured_queries) <= 14
    login(world.analyst)
    response = client.get("/")
    assert response.context["page"].paginator.count == 1


def test_language_switch_sticks_for_the_user(client, world, login, settings):
    settings.LANGUAGE_CODE = "ky"
    response = client.get("/accounts/login/")
    assert response["Content-Language"] == "ky" and "Кирүү" in response.content.decode()
    client.post("/language/", {"language": "ru", "next": "/accounts/login/"})
    assert "Войти" in client.get("/accounts/login/").content.decode()
    login(world.a.admin)
    client.post("/language/", {"language": "kk", "next": "/"})
    world.a.admin.refresh_from_db()
    assert world.a.admin.language == "kk"
    client.cookies.clear()
    login(world.a.admin)
    assert client.get("/")["Content-Language"] == "kk"


def test_language_switch_refuses_unknown_and_foreign_redirects(client):
    response = client.post("/language/", {"language": "de", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert "django_language" not in response.cookies


def test_invitation_flow(client, world, login):
    login(world.a.admin)
    mentor = {"institution": world.a.institution.pk, "email": "mentor@example.kg", "last_name": "Мамытов",
              "first_name": "Жоробек", "role": "mentor"}  # fmt: skip
    response = client.post(reverse("core:invitations"), mentor)
    assert response.status_code == 400 and "employer" in response.context["form"].errors
    response = client.post(reverse("core:invitations"), {**mentor, "employer": world.a.employer.pk})
    assert response.status_code == 302
    from kesip.core.models import Invitation

    inv = Invitation.objects.get(email="mentor@example.kg")
    client.logout()
    url = reverse("core:accept_invitation", args=[inv.token])
    response = client.post(url, {"username": "mamytov", "password1": "12345", "password2": "12345"})
    assert response.status_code == 400 and "password1" in response.context["form"].errors
    response = client.post(url, {"username": "mamytov", "password1": "Ширетүү-2026!", "password2": "Ширетүү-2026!"})
    assert response.status_code == 302
    ids = {r["id"] for r in client.get("/api/v1/employers/").json()["results"]}
    assert ids == {world.a.employer.pk}
    assert client.get(url).status_code == 404  # used once


def test_licence_and_rule_history_and_rulebook_export(client, world, login):
    from io import BytesIO

    from openpyxl import load_workbook

    from kesip.core.models import Rule

    login(world.a.admin)
    lic = world.a.licence
    client.post(
        reverse("core:licence_edit", args=[world.a.institution.pk, lic.pk]),
        {"number": lic.number, "issued_on": "2024-02-20", "issuing_order": "№264/1"},
    )
    page = client.get(reverse("core:licence_history", args=[world.a.institution.pk, lic.pk])).content.decode()
    assert "№264/1" in page
    rule = Rule.objects.get(code="wbl.volunteer.min_hours")
    assert client.get(reverse("core:rule_history", args=[rule.pk])).status_code == 200
    response = client.get(reverse("core:rulebook_export") + "?module=wbl&jurisdiction=KG")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    codes = {r[1] for r in rows[1:]}
    assert "wbl.volunteer.min_hours" in codes and all(c.startswith("wbl.") for c in codes)


def test_a_rule_violation_is_shown_beside_its_field_with_the_clause():
    from kesip.core.forms import StaffForm, add_violation
    from kesip.core.rules import RuleViolation

    form = StaffForm(data={})
    form.is_valid()
    add_violation(form, RuleViolation("x.y", "At most 2 apprentices", "WBL Regulation, п. 48", "position"))
    assert "At most 2 apprentices (source: WBL Regulation, п. 48)" in form.errors["position"]
    add_violation(form, RuleViolation("x.y", "Not allowed", "", "no_such_field"))
    assert "Not allowed" in form.non_field_errors()


def test_system_admin_invites_a_ministry_analyst(client, world, login):
    from kesip.core.models import Invitation

    login(world.sysadmin)
    url = reverse("core:invitations")
    base = {"email": "analyst@edu.gov.kg", "last_name": "Сатыбалдиев", "first_name": "Эркинбек"}
    response = client.post(url, {**base, "authority": world.ministry.pk, "role": "teacher"})
    assert response.status_code == 400 and "role" in response.context["form"].errors
    response = client.post(
        url, {**base, "authority": world.ministry.pk, "institution": world.a.institution.pk, "role": "authority_analyst"}
    )
    assert response.status_code == 400 and "institution" in response.context["form"].errors
    response = client.post(url, {**base, "authority": world.ministry.pk, "role": "authority_analyst"})
    assert response.status_code == 302
    inv = Invitation.objects.get(email="analyst@edu.gov.kg")
    client.logout()
    response = client.post(
        reverse("core:accept_invitation", args=[inv.token]),
        {"username": "e.satybaldiev", "password1": "Министрлик-2026", "password2": "Министрлик-2026"},
    )
    assert response.status_code == 302
    ids = {row["id"] for row in client.get("/api/v1/institutions/").json()["results"]}
    assert ids == {world.a.institution.pk}


def test_institution_admin_cannot_invite_into_an_authority(client, world, login):
    login(world.a.admin)
    form = client.get(reverse("core:invitations")).context["form"]
    assert "authority" not in form.fields
    assert "authority_analyst" not in dict(form.fields["role"].choices)


@pytest.mark.parametrize(
    "key, attr",
    [("students", "student"), ("staff", "staff"), ("groups", "group"), ("programmes", "programme"), ("employers", "employer")],
)
def test_detail_edit_and_history_pages_query_budget(client, world, login, django_assert_max_num_queries, key, attr):
    login(world.a.admin)
    pk = getattr(world.a, attr).pk
    # A programme's own page is its design page (curriculum); its budget is pinned there.
    for suffix in ("edit/", "history/") if key == "programmes" else ("", "edit/", "history/"):
        with django_assert_max_num_queries(16):
            assert client.get(f"/{key}/{pk}/{suffix}").status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(f"/institutions/{world.a.institution.pk}/").status_code == 200


def test_programme_form_offers_only_the_countrys_active_specialties(client, world, login):
    login(world.b.admin)
    f.SpecialtyFactory(jurisdiction="KZ", code="99999999", is_active=False)
    choices = client.get(reverse("core:programmes_add")).context["form"].fields["specialty"].queryset
    assert set(choices.values_list("jurisdiction", flat=True)) == {"KZ"}
    assert not choices.filter(code="99999999").exists()
    data = {
        "institution": world.b.institution.pk,
        "specialty": world.a.specialty.pk,
        "name_ru": "Сварка",
        "entry_base": "grade9",
        "study_form": "full_time",
        "duration_months": 34,
        "language": "kk",
    }
    response = client.post(reverse("core:programmes_add"), data)
    assert response.status_code == 400 and "specialty" in response.context["form"].errors


def test_authority_page_shows_its_tree_and_institutions(client, world, login, django_assert_max_num_queries):
    login(world.analyst)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("core:authorities_detail", args=[world.ministry.pk]))
    body = response.content.decode()
    assert world.department.name_ru in body or world.department.name_ky in body
    assert [i.pk for i in response.context["page"].object_list] == [world.a.institution.pk]
    response = client.get(reverse("core:authorities_detail", args=[world.department.pk]))
    assert [a.pk for a in response.context["chain"]] == [world.ministry.pk]
    assert client.get(reverse("core:authorities_detail", args=[world.b.institution.authority_id])).status_code == 404
