"""The API: same scoping and validation as the pages, clear 400s, token auth, OpenAPI schema."""

import datetime

import pytest
from rest_framework.authtoken.models import Token

from kesip.core.demo import kg_pin
from kesip.core.models import StaffMember, Student

pytestmark = pytest.mark.django_db


def student_payload(t, **overrides):
    data = {
        "institution": t.institution.pk,
        "last_name": "Асанов",
        "first_name": "Эрлан",
        "national_id": kg_pin("M", datetime.date(2008, 3, 5), 777),
        "group": t.group.pk,
    }
    data.update(overrides)
    return data


def test_token_auth_and_create_student(client, world):
    token = Token.objects.create(user=world.a.admin)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    response = client.post("/api/v1/students/", student_payload(world.a), content_type="application/json", **auth)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["birth_date"] == "2008-03-05" and body["sex"] == "M" and body["status"] == "enrolled"
    assert Student.objects.get(pk=body["id"]).history.first().history_type == "+"


def test_token_is_issued_for_login_and_password(client, world):
    response = client.post("/api/v1/token/", {"username": world.a.admin.username, "password": "Kesip-test-2026"})
    assert response.status_code == 200
    token = response.json()["token"]
    rows = client.get("/api/v1/students/", HTTP_AUTHORIZATION=f"Token {token}").json()["results"]
    assert [r["id"] for r in rows] == [world.a.student.pk]
    response = client.post("/api/v1/token/", {"username": world.a.admin.username, "password": "wrong"})
    assert response.status_code == 400


def test_bad_personal_number_is_a_400_naming_the_field(client, world, login):
    login(world.a.admin)
    response = client.post(
        "/api/v1/students/", student_payload(world.a, national_id="2050320087"), content_type="application/json"
    )
    assert response.status_code == 400
    assert "exactly 14 digits" in response.json()["national_id"][0]
    response = client.post(
        "/api/v1/students/", student_payload(world.a, national_id=world.a.student.national_id), content_type="application/json"
    )
    assert response.status_code == 400
    assert Student.objects.filter(institution=world.a.institution).count() == 1


def test_wrong_types_and_missing_fields(client, world, login):
    login(world.a.admin)
    response = client.post(
        "/api/v1/staff/",
        {"institution": world.a.institution.pk, "birth_date": "yesterday", "category": "wizard"},
        content_type="application/json",
    )
    errors = response.json()
    assert response.status_code == 400
    assert {"last_name", "first_name", "national_id", "position", "category", "birth_date"} <= set(errors)
    assert StaffMember.objects.count() == 2


def test_update_keeps_institution_and_validates(client, world, login):
    login(world.a.admin)
    url = f"/api/v1/students/{world.a.student.pk}/"
    response = client.patch(
        url, {"institution": world.b.institution.pk, "phone": "+996 555 000 111"}, content_type="application/json"
    )
    assert response.status_code == 200
    world.a.student.refresh_from_db()
    assert world.a.student.institution == world.a.institution and world.a.student.phone == "+996 555 000 111"
    response = client.patch(url, {"funding": "dropped"}, content_type="application/json")
    assert response.status_code == 400 and "funding" in response.json()
    # Status and group change only by an order (/api/v1/movements/): editing the record leaves them as they are.
    response = client.patch(url, {"status": "expelled"}, content_type="application/json")
    world.a.student.refresh_from_db()
    assert response.status_code == 200 and world.a.student.status == "enrolled"


def test_delete_in_use_answers_409_and_keeps_the_record(client, world, login):
    login(world.a.admin)
    response = client.delete(f"/api/v1/groups/{world.a.group.pk}/")
    assert response.status_code == 409 and response.json()["code"] == "protected"
    assert world.a.group.__class__.objects.filter(pk=world.a.group.pk).exists()


def test_rule_violation_maps_to_a_400_with_code_message_source_field():
    from rest_framework.test import APIRequestFactory

    from kesip.core.api import exception_handler
    from kesip.core.rules import RuleViolation

    request = APIRequestFactory().get("/")
    response = exception_handler(
        RuleViolation("wbl.mentor.max_apprentices", "At most 2", "Regulation, п. 48", "mentor"), {"request": request}
    )
    assert response.status_code == 400
    assert response.data == {
        "code": "wbl.mentor.max_apprentices",
        "message": "At most 2",
        "source": "Regulation, п. 48",
        "field": "mentor",
    }


def test_rules_endpoint_lists_the_rulebook_with_sources(client, world, login):
    login(world.a.admin)
    rows = client.get("/api/v1/rules/?code=wbl.volunteer.min_hours").json()["results"]
    assert rows[0]["value"].startswith("40") and rows[0]["source"] and rows[0]["jurisdiction"] == "KG"


def test_groups_carry_their_student_count(client, world, login, django_assert_max_num_queries):
    login(world.a.admin)
    with django_assert_max_num_queries(8):
        rows = client.get("/api/v1/groups/").json()["results"]
    assert rows[0]["student_count"] == 1


@pytest.mark.parametrize(
    "endpoint",
    ["institutions", "programmes", "groups", "staff", "students", "employers", "people", "rules", "specialties", "authorities",
     "qualifications", "competencies", "modules", "components", "working-curricula"],
)  # fmt: skip
def test_api_list_query_budget(client, world, login, django_assert_max_num_queries, endpoint):
    login(world.sysadmin)
    with django_assert_max_num_queries(8):
        assert client.get(f"/api/v1/{endpoint}/").status_code == 200


def test_schema_and_offline_docs(client, world, login):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/students/" in schema.content
    login(world.a.admin)
    docs = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs and "cdn" not in docs.lower()


@pytest.mark.parametrize("lang, fragment", [("ru", "14"), ("ky", "14"), ("kk", "14"), ("en", "exactly 14 digits")])
def test_api_errors_come_in_the_requested_language(client, world, login, lang, fragment):
    from django.utils import translation

    login(world.a.admin)
    response = client.post(
        "/api/v1/students/",
        student_payload(world.a, national_id="123"),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=lang,
    )
    message = response.json()["national_id"][0]
    with translation.override(lang):
        expected = translation.gettext("A Kyrgyz personal number (PIN) has exactly 14 digits.")
    assert response["Content-Language"] == lang and message == expected and fragment in message
    assert (message == "A Kyrgyz personal number (PIN) has exactly 14 digits.") == (lang == "en")
