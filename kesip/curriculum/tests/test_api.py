"""The curriculum API: the same rules and status flow as the pages."""

import pytest

from kesip.core.roles import Role
from kesip.core.tests import factories as f
from kesip.curriculum.models import Component, Module
from kesip.curriculum.tests.factories import QualificationFactory
from kesip.curriculum.tests.test_rules import kg_welding, kz_programme

pytestmark = pytest.mark.django_db


def test_design_a_programme_through_the_api(client, login):
    p = kz_programme()
    login(f.member(Role.INSTITUTION_ADMIN, institution=p.institution))
    q = p.qualifications.get()
    module = client.post(
        "/api/v1/modules/",
        {"programme": p.pk, "kind": "professional", "code": "ПМ 09", "name_ru": "Сварка труб", "qualification": q.pk},
        content_type="application/json",
    )
    assert module.status_code == 201, module.json()
    assert Module.objects.get(pk=module.json()["id"]).institution == p.institution
    part = client.post(
        "/api/v1/components/",
        {"module": module.json()["id"], "kind": "subject", "name_ru": "Технология", "credits": "2.5"},
        content_type="application/json",
    )
    assert part.status_code == 201 and part.json()["hours"] == 60
    bad = client.post(
        "/api/v1/components/",
        {"module": module.json()["id"], "kind": "subject", "name_ru": "Чертёж", "credits": "2", "hours": 50},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "curriculum.credit.academic_hours" and "§4" in bad.json()["source"]
    listed = client.get(f"/api/v1/modules/?programme={p.pk}").json()["results"]
    assert {"hours": 60, "credits": "2.50"}.items() <= next(m for m in listed if m["code"] == "ПМ 09").items()
    violations = client.get(f"/api/v1/programmes/{p.pk}/violations/").json()
    assert [v["code"] for v in violations] == ["curriculum.programme.total_hours", "curriculum.programme.total_credits"]


def test_steps_through_the_api_refuse_with_every_violation(client, login):
    p = kg_welding(practice=False)
    head = f.member(Role.HEAD, institution=p.institution)
    login(f.member(Role.TEACHER, institution=p.institution))
    assert client.post(f"/api/v1/programmes/{p.pk}/step/", {"step": "approve"}).status_code == 403
    login(head)
    refused = client.post(f"/api/v1/programmes/{p.pk}/step/", {"step": "approve"})
    assert refused.status_code == 400
    assert [v["code"] for v in refused.json()["violations"]] == ["wbl.practice.min_types_per_programme"]
    Component.objects.filter(module__programme=p, hours=432).update(kind="practice", practice_type="production")
    ok = client.post(f"/api/v1/programmes/{p.pk}/step/", {"step": "approve"})
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    early = client.post(f"/api/v1/programmes/{p.pk}/step/", {"step": "register", "expert_conclusion": "ok"})
    assert early.status_code == 403  # the head is no expert
    login(f.member(Role.INSTITUTION_ADMIN, institution=p.institution))
    frozen = client.patch(f"/api/v1/components/{Component.objects.filter(module__programme=p).first().pk}/", {"hours": 10},
                          content_type="application/json")  # fmt: skip
    assert frozen.status_code == 400 and "new revision" in str(frozen.json())
    status = client.patch(f"/api/v1/programmes/{p.pk}/", {"status": "registered"}, content_type="application/json")
    assert status.status_code in (200, 400)
    p.refresh_from_db()
    assert p.status == "approved"


def test_passport_api_checks_qualifications_and_co_developers(client, login, world):
    a = world.a
    login(a.admin)
    foreign = QualificationFactory(specialty=f.SpecialtyFactory(jurisdiction="KG"))
    url = f"/api/v1/programmes/{a.programme.pk}/"
    response = client.patch(url, {"qualifications": [foreign.pk]}, content_type="application/json")
    assert response.status_code == 400 and "another specialty" in str(response.json())
    response = client.patch(url, {"co_developers": [world.b.employer.pk]}, content_type="application/json")
    assert response.status_code == 400
    response = client.patch(url, {"co_developers": [a.employer.pk]}, content_type="application/json")
    assert response.status_code == 200 and response.json()["co_developers"] == [a.employer.pk]
    assert list(a.programme.qualifications.all()) == [a.qualification]
