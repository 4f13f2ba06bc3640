"""The API of the employer's side of WBL: `employer-people`, `local-documents`, `workplaces`, `wbl-settings`.

The same steps and rules as the pages: a representative writes its own employer's rows only, a mentor and a
student write nothing, bad input answers 400 on its field, a record in use answers 409, and the lists keep
their query count whatever the number of rows."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kesip.core.tests import factories as f
from kesip.wbl.models import EmployerPerson, LocalDocument, WblSettings, Workplace
from kesip.wbl.tests.test_employers import PDF, D, placement, site

pytestmark = pytest.mark.django_db

JSON = "application/json"


def workplace_payload(t, **kwargs):
    data = {
        "employer": t.employer.pk,
        "title": "Токардык цех",
        "places": 2,
        "available_from": "2025-09-01",
        "available_to": "2025-12-31",
        "safety_compliant": True,
    }
    data.update(kwargs)
    return data


# --- employer-people ------------------------------------------------------------------------------------------


def test_the_representative_writes_its_own_employers_people_only(client, login):
    t = site()
    other = f.EmployerFactory(institution=t.institution)
    stranger = EmployerPerson.objects.create(
        institution=t.institution, employer=other, last_name="Бөтөн", first_name="Б", position="X"
    )
    login(t.rep_user)
    created = client.post(
        "/api/v1/employer-people/",
        {"employer": t.employer.pk, "last_name": "Бекова", "first_name": "Айгүл", "position": "Инженер", "is_mentor": True},
        content_type=JSON,
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["institution"], body["current_placements"], body["full_name"]) == (t.institution.pk, 0, "Бекова Айгүл")
    foreign = client.post(
        "/api/v1/employer-people/",
        {"employer": other.pk, "last_name": "X", "first_name": "Y", "position": "Z"},
        content_type=JSON,
    )
    assert foreign.status_code == 400 and "employer" in foreign.json()
    assert client.get(f"/api/v1/employer-people/{stranger.pk}/").status_code == 404
    assert client.patch(f"/api/v1/employer-people/{stranger.pk}/", {"position": "Y"}, content_type=JSON).status_code == 404
    moved = client.patch(f"/api/v1/employer-people/{body['id']}/", {"employer": other.pk}, content_type=JSON)
    assert moved.status_code == 200 and EmployerPerson.objects.get(pk=body["id"]).employer == t.employer
    ids = {row["id"] for row in client.get("/api/v1/employer-people/").json()["results"]}
    assert ids == {t.mentor.pk, body["id"]}


def test_a_mentor_reads_and_a_student_sees_nothing(client, login):
    t = site()
    login(t.mentor_user)
    rows = client.get("/api/v1/employer-people/").json()["results"]
    assert [r["id"] for r in rows] == [t.mentor.pk]
    assert client.patch(f"/api/v1/employer-people/{t.mentor.pk}/", {"position": "X"}, content_type=JSON).status_code == 403
    assert client.post("/api/v1/workplaces/", workplace_payload(t), content_type=JSON).status_code == 403
    login(t.student_user)
    for prefix in ("employer-people", "workplaces", "local-documents", "wbl-settings"):
        response = client.get(f"/api/v1/{prefix}/")
        assert response.status_code == 200 and response.json()["results"] == [], prefix
    assert client.get(f"/api/v1/workplaces/{t.workplace.pk}/").status_code == 404


def test_the_mentor_row_carries_the_vr56_warning_until_there_is_a_representative(client, login):
    t = site()
    login(t.admin)
    row = client.get(f"/api/v1/employer-people/{t.mentor.pk}/").json()
    assert [w["code"] for w in row["warnings"]] == ["wbl.mentor.coordinators_per_employer"] and "п. 49" in row["warnings"][0][
        "source"
    ]
    rep = client.post(
        "/api/v1/employer-people/",
        {"employer": t.employer.pk, "last_name": "Өкүл", "first_name": "Б", "position": "X", "is_representative": True},
        content_type=JSON,
    )
    assert rep.status_code == 201 and rep.json()["warnings"] == []
    assert client.get(f"/api/v1/employer-people/{t.mentor.pk}/").json()["warnings"] == []
    twin = client.post(
        "/api/v1/employer-people/",
        {"employer": t.employer.pk, "last_name": "Экинчи", "first_name": "Б", "position": "X", "is_representative": True},
        content_type=JSON,
    )
    assert twin.status_code == 400 and twin.json()["field"] == "is_representative", twin.json()
    assert twin.json()["code"] == "wbl.employer.one_representative"


def test_vr38_and_protected_deletes_through_the_api(client, login):
    t = site()
    placement(t, D(2025, 3, 3), D(2025, 3, 14), status="active")
    login(t.coordinator)
    refused = client.patch(f"/api/v1/employer-people/{t.mentor.pk}/", {"is_active": False}, content_type=JSON)
    assert refused.status_code == 400 and (refused.json()["code"], refused.json()["field"]) == (
        "wbl.mentor.host_employee",
        "is_active",
    )
    gone = client.delete(f"/api/v1/employer-people/{t.mentor.pk}/")
    assert gone.status_code == 409 and gone.json()["code"] == "wbl.protected" and "placements (1)" in gone.json()["message"]
    assert client.delete(f"/api/v1/workplaces/{t.workplace.pk}/").status_code == 409
    assert EmployerPerson.objects.get(pk=t.mentor.pk).is_active and Workplace.objects.filter(pk=t.workplace.pk).exists()


def test_a_linked_user_must_work_for_the_employer(client, login):
    t = site()
    elsewhere = f.member("mentor", institution=t.institution, employer=f.EmployerFactory(institution=t.institution))
    login(t.admin)
    response = client.patch(f"/api/v1/employer-people/{t.mentor.pk}/", {"user": elsewhere.pk}, content_type=JSON)
    assert response.status_code == 400
    ok = client.patch(f"/api/v1/employer-people/{t.mentor.pk}/", {"user": None}, content_type=JSON)
    assert ok.status_code == 200 and ok.json()["user"] is None


# --- workplaces ------------------------------------------------------------------------------------------------


def test_workplaces_carry_free_places_over_the_asked_period_at_the_boundary(client, login):
    t = site(places=1)
    placement(t, D(2025, 3, 1), D(2025, 3, 10))
    login(t.coordinator)

    def free(**params):
        response = client.get("/api/v1/workplaces/", params)
        assert response.status_code == 200, response.json()
        return {r["id"]: (r["used_places"], r["free_places"]) for r in response.json()["results"]}

    assert free() == {t.workplace.pk: (1, 0)}
    assert free(starts_on="2025-03-10", ends_on="2025-03-31") == {t.workplace.pk: (1, 0)}
    assert free(starts_on="2025-03-11", ends_on="2025-03-31") == {t.workplace.pk: (0, 1)}
    assert free(starts_on="2025-03-10", free="1") == {}
    assert free(starts_on="2025-03-11", free="true") == {t.workplace.pk: (0, 1)}
    assert free(starts_on="2025-04-01") == {}
    assert free(employer=f.EmployerFactory(institution=t.institution).pk) == {}
    assert client.get("/api/v1/workplaces/", {"starts_on": "10.03.2025"}).json() == {"starts_on": ["Give a date as YYYY-MM-DD."]}
    reversed_period = client.get("/api/v1/workplaces/", {"starts_on": "2025-03-20", "ends_on": "2025-03-10"})
    assert reversed_period.status_code == 400 and "ends_on" in reversed_period.json()


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"available_from": "2025-12-31", "available_to": "2025-09-01"}, "available_to"),
        ({"places": 0}, "places"),
        ({"places": "many"}, "places"),
        ({"available_from": "01.09.2025"}, "available_from"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_workplace_input_answers_400_on_the_field(client, login, bad, field):
    t = site()
    login(t.admin)
    response = client.post("/api/v1/workplaces/", workplace_payload(t, **bad), content_type=JSON)
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not Workplace.objects.filter(title="Токардык цех").exists()


def test_a_workplace_with_a_profession_of_another_country_or_another_employer_is_refused(client, login):
    t = site()
    login(t.rep_user)
    kz = f.SpecialtyFactory(jurisdiction="KZ")
    foreign = client.post("/api/v1/workplaces/", workplace_payload(t, specialty=kz.pk), content_type=JSON)
    assert foreign.status_code == 400 and foreign.json()["field"] == "specialty"
    b = site("KZ")
    other_institution = client.post("/api/v1/workplaces/", workplace_payload(t, employer=b.employer.pk), content_type=JSON)
    assert other_institution.status_code == 400 and "employer" in other_institution.json()
    kg = f.SpecialtyFactory(jurisdiction="KG")
    created = client.post("/api/v1/workplaces/", workplace_payload(t, specialty=kg.pk), content_type=JSON)
    assert created.status_code == 201 and created.json()["free_places"] == 2 and created.json()["specialty"] == kg.pk
    shrunk = client.patch(f"/api/v1/workplaces/{t.workplace.pk}/", {"places": 5}, content_type=JSON)
    assert shrunk.status_code == 200 and shrunk.json()["places"] == 5


# --- local-documents ------------------------------------------------------------------------------------------


def test_a_local_document_uploads_a_checked_file_and_downloads_it(client, login):
    t = site()
    login(t.rep_user)
    data = {"employer": t.employer.pk, "kind": "fire", "title": "Өрт коопсуздугу"}
    wrong = client.post("/api/v1/local-documents/", {**data, "file": SimpleUploadedFile("a.exe", b"MZ")})
    assert wrong.status_code == 400 and "file" in wrong.json()
    fake = client.post("/api/v1/local-documents/", {**data, "file": SimpleUploadedFile("a.png", PDF)})
    assert fake.status_code == 400 and "not a readable PNG" in fake.json()["file"][0]
    assert not LocalDocument.objects.exists()
    created = client.post("/api/v1/local-documents/", {**data, "file": SimpleUploadedFile("rules.pdf", PDF)})
    assert created.status_code == 201 and created.json()["has_file"] is True
    download = client.get(f"/api/v1/local-documents/{created.json()['id']}/file/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    login(t.mentor_user)
    assert client.get(f"/api/v1/local-documents/{created.json()['id']}/file/").status_code == 200
    login(site().admin)
    assert client.get(f"/api/v1/local-documents/{created.json()['id']}/file/").status_code == 404


# --- wbl-settings ---------------------------------------------------------------------------------------------------


def test_the_admin_answers_the_open_questions_within_the_rulebook(client, login):
    t = site()
    login(t.admin)
    created = client.post("/api/v1/wbl-settings/", {"institution": t.institution.pk, "parties_practice": 3}, content_type=JSON)
    assert created.status_code == 201 and created.json()["parties_practice"] == 3
    again = client.post("/api/v1/wbl-settings/", {"institution": t.institution.pk}, content_type=JSON)
    assert again.status_code == 400 and "institution" in again.json()
    pk = created.json()["id"]
    too_many = client.patch(f"/api/v1/wbl-settings/{pk}/", {"parties_dual": 4}, content_type=JSON)
    body = too_many.json()
    assert too_many.status_code == 400 and (body["code"], body["field"]) == ("wbl.agreement.max_parties", "parties_dual")
    assert "п. 12" in body["source"]
    too_few = client.patch(f"/api/v1/wbl-settings/{pk}/", {"parties_dual": 1}, content_type=JSON)
    assert too_few.json()["code"] == "wbl.agreement.min_parties"
    bad = client.patch(f"/api/v1/wbl-settings/{pk}/", {"wbl_percent_denominator": "nonsense"}, content_type=JSON)
    assert bad.status_code == 400 and "wbl_percent_denominator" in bad.json()
    assert client.patch(f"/api/v1/wbl-settings/{pk}/", {"parties_dual": 2}, content_type=JSON).status_code == 200
    assert WblSettings.objects.get(pk=pk).parties_dual == 2
    assert client.delete(f"/api/v1/wbl-settings/{pk}/").status_code == 405


def test_the_coordinator_reads_the_settings_but_only_the_admin_changes_them(client, login):
    t = site()
    row = WblSettings.objects.create(institution=t.institution)
    login(t.coordinator)
    assert client.get(f"/api/v1/wbl-settings/{row.pk}/").status_code == 200
    assert client.patch(f"/api/v1/wbl-settings/{row.pk}/", {"review_days": 3}, content_type=JSON).status_code == 403
    login(t.rep_user)
    assert client.get(f"/api/v1/wbl-settings/{row.pk}/").status_code == 404
    assert WblSettings.objects.get(pk=row.pk).review_days == 10


# --- Query budgets -----------------------------------------------------------------------------------------------------


def _grow(t, n):
    today = datetime.date.today()
    for i in range(getattr(t, "grown", 0), n):
        t.grown = i + 1
        EmployerPerson.objects.create(
            institution=t.institution, employer=t.employer, last_name=f"М{i}", first_name="Н", position="M", is_mentor=True
        )
        Workplace.objects.create(
            institution=t.institution, employer=t.employer, title=f"Цех {i}", places=2, available_from=today,
            available_to=today + datetime.timedelta(days=9),
        )  # fmt: skip
        LocalDocument.objects.create(institution=t.institution, employer=t.employer, kind="other", title=f"Д {i}")
        WblSettings.objects.create(institution=f.InstitutionFactory())
        placement(t, today, today, status="active")


@pytest.mark.parametrize("prefix", ["employer-people", "workplaces", "local-documents", "wbl-settings"])
def test_the_lists_keep_their_query_count_from_2_to_20_rows(client, login, django_assert_max_num_queries, prefix):
    t = site()
    user = f.member("system_admin")
    login(user)
    sizes = []
    for n in (2, 20):
        _grow(t, n)
        with django_assert_max_num_queries(8):
            response = client.get(f"/api/v1/{prefix}/?limit=100")
        assert response.status_code == 200
        sizes.append(response.json()["count"])
    assert sizes[1] > sizes[0] >= 2
