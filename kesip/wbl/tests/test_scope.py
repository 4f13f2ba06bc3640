"""VR-1 (п. 1): an educational organisation of a state body with military service is outside the WBL regulation —
flagged in its passport (by a system admin, refused while it runs WBL), shown on its page, and no WBL agreement,
placement (single or bulk) or WBL programme is recorded for it."""

import datetime

import pytest
from django.urls import reverse

from kesip.core.models import Institution
from kesip.core.roles import Role
from kesip.core.rules import rule
from kesip.core.tests import factories as f
from kesip.wbl import agreements, placements, programmes
from kesip.wbl.common import MILITARY_BODY, WblInvalid
from kesip.wbl.models import Agreement, Placement, WblProgramme
from kesip.wbl.tests.placement_setup import college, plan

pytestmark = pytest.mark.django_db
JSON = "application/json"


def flag(t):
    # Straight to the database: the world already holds WBL records, which the passport would refuse.
    Institution.objects.filter(pk=t.institution.pk).update(military_state_body=True)
    t.institution.refresh_from_db()


def codes(caught):
    return [v.code for v in caught.value.violations]


def test_the_rule_is_in_the_main_rulebook_with_its_clause():
    found = rule(MILITARY_BODY, "KG")
    assert found.clause == "п. 1" and found.value == 0 and found.document.key == "wbl-regulation-kg"
    assert all((found.title_ky, found.title_ru, found.title_kk, found.title_en)) and "VR-1" in found.note


def test_no_placement_agreement_or_programme_for_a_military_body_and_all_for_one_not_flagged():
    t = college()
    p = plan(t)  # not flagged: the same world plans a placement
    assert p.pk
    flag(t)
    with pytest.raises(WblInvalid) as caught:
        plan(t, student=t.students[1])
    assert codes(caught) == [MILITARY_BODY] and "п. 1" in caught.value.violations[0].source
    assert caught.value.violations[0].field == "student"
    with pytest.raises(WblInvalid) as caught:
        agreements.save_agreement(
            Agreement(employer=t.employer, kind="wbl", form="practice", number="Д-2", starts_on=datetime.date(2025, 1, 1)),
            t.admin,
        )
    assert codes(caught) == [MILITARY_BODY]
    with pytest.raises(WblInvalid) as caught:
        programmes.save_programme(WblProgramme(programme=t.programme, form="practice", academic_year=2025), t.admin)
    assert codes(caught) == [MILITARY_BODY]
    with pytest.raises(placements.BulkInvalid) as caught:
        placements.place_group(t.group, [{"student": t.students[2], "employer": t.employer}], t.admin, {"form": "practice"})
    assert [v.code for v in caught.value.general] == [MILITARY_BODY]
    assert Placement.objects.filter(institution=t.institution).count() == 1
    assert Agreement.objects.filter(institution=t.institution).count() == 1
    assert not WblProgramme.objects.filter(institution=t.institution).exists()


def test_a_kazakh_institution_has_no_such_rule():
    t = college(jurisdiction="KZ")
    flag(t)
    assert plan(t).pk


def test_the_pages_refuse_with_the_rules_message(client):
    t = college()
    flag(t)
    client.force_login(t.admin, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        reverse("wbl:wblprogramme_add"), {"programme": t.programme.pk, "form": "practice", "academic_year": 2025}
    )
    assert response.status_code == 400 and "state body with military service" in response.content.decode()
    assert not WblProgramme.objects.exists()
    page = client.get(t.institution.get_absolute_url()).content.decode()
    assert 'id="military-body"' in page and "п. 1" in page


def test_the_api_refuses_with_the_code_and_clause(client):
    t = college()
    flag(t)
    client.force_login(t.admin, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        "/api/v1/wbl-programmes/", {"programme": t.programme.pk, "form": "practice", "academic_year": 2025}, content_type=JSON
    )
    assert response.status_code == 400 and MILITARY_BODY in str(response.json()) and "п. 1" in str(response.json())


def test_only_a_system_admin_sets_the_flag_and_not_while_the_institution_runs_wbl(client, login):
    t = college()
    edit = reverse("core:institutions_edit", args=[t.institution.pk])
    passport = {
        "type": t.institution.type, "full_name_ky": t.institution.full_name_ky or "Колледж",
        "full_name_ru": t.institution.full_name_ru or "Колледж", "military_state_body": "on",
    }  # fmt: skip
    login(t.admin)
    form = client.get(edit).context["form"]
    assert form.fields["military_state_body"].disabled
    client.post(edit, passport)
    t.institution.refresh_from_db()
    assert t.institution.military_state_body is False
    login(f.member(Role.SYSTEM_ADMIN))
    data = {**passport, "authority": t.institution.authority_id, "jurisdiction": "KG"}
    refused = client.post(edit, data)
    assert refused.status_code == 400 and "military_state_body" in refused.context["form"].errors
    api = client.patch(f"/api/v1/institutions/{t.institution.pk}/", {"military_state_body": True}, content_type=JSON)
    assert api.status_code == 400 and "military_state_body" in str(api.json())
    t.institution.refresh_from_db()
    assert t.institution.military_state_body is False
    empty = f.InstitutionFactory(jurisdiction="KG")
    ok = client.patch(f"/api/v1/institutions/{empty.pk}/", {"military_state_body": True}, content_type=JSON)
    assert ok.status_code == 200 and ok.json()["military_state_body"] is True
