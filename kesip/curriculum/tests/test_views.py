"""The programme design pages: the tree, every violation at once, the status buttons, frozen approved programmes."""

import pytest
from django.urls import reverse

from kesip.core.roles import Role
from kesip.core.tests import factories as f
from kesip.curriculum.models import Component, Module
from kesip.curriculum.tests.factories import ComponentFactory, ModuleFactory
from kesip.curriculum.tests.test_rules import kg_welding, kz_programme

pytestmark = pytest.mark.django_db


def design(p):
    return reverse("curriculum:programme", args=[p.pk])


def test_design_page_shows_the_tree_totals_and_that_every_rule_holds(client, login):
    p = kg_welding()
    login(f.member(Role.INSTITUTION_ADMIN, institution=p.institution))
    page = client.get(design(p))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="sum-hours">3000<' in html and 'id="no-violations"' in html
    assert reverse("curriculum:module_add", args=[p.pk]) in html
    assert 'value="approve"' in html


def test_design_page_lists_every_violation_with_its_clause(client, login):
    p = kg_welding(hours=(1768, 388, 412, 431), practice=False)
    login(f.member(Role.HEAD, institution=p.institution))
    html = client.get(design(p)).content.decode()
    assert 'data-code="curriculum.programme.total_hours"' in html
    assert 'data-code="wbl.practice.min_types_per_programme"' in html and "п. 25" in html
    response = client.post(reverse("curriculum:programme_step", args=[p.pk, "approve"]), follow=True)
    assert "cannot be approved: 2 rules are broken" in response.content.decode()
    p.refresh_from_db()
    assert p.status == "draft"


@pytest.mark.parametrize("size", [1, 12])
def test_design_page_query_budget_does_not_grow_with_the_tree(client, login, django_assert_max_num_queries, size):
    p = kz_programme()
    for _ in range(size):
        m = ModuleFactory(programme=p, kind="basic", basic_kind="additional", justification="нужно")
        for _ in range(size):
            ComponentFactory(module=m, credits=1, hours=24)
    login(f.member(Role.INSTITUTION_ADMIN, institution=p.institution))
    with django_assert_max_num_queries(22):
        assert client.get(design(p)).status_code == 200


def test_component_credits_become_hours_and_a_mismatch_names_the_clause(client, login):
    p = kz_programme()
    module = Module.objects.filter(programme=p, kind="professional").get()
    login(f.member(Role.INSTITUTION_ADMIN, institution=p.institution))
    url = reverse("curriculum:component_add", args=[module.pk])
    response = client.post(url, {"kind": "subject", "name_ru": "Сопромат", "credits": "2.5", "position": 0})
    assert response.status_code == 302
    assert Component.objects.get(name_ru="Сопромат").hours == 60
    bad = client.post(url, {"kind": "subject", "name_ru": "Чертёж", "credits": "2", "hours": "50", "position": 0})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "do not match 50 academic hours" in text and "§4" in text
    assert not Component.objects.filter(name_ru="Чертёж").exists()
    practice = client.post(url, {"kind": "practice", "name_ru": "Практика", "credits": "3", "position": 0})
    assert practice.status_code == 400 and "type of practice" in practice.content.decode()


def test_an_approved_programme_is_frozen_until_a_new_revision(client, login):
    p = kg_welding()
    head = f.member(Role.HEAD, institution=p.institution)
    admin = f.member(Role.INSTITUTION_ADMIN, institution=p.institution)
    login(head)
    client.post(reverse("curriculum:programme_step", args=[p.pk, "approve"]))
    p.refresh_from_db()
    assert p.status == "approved"
    login(admin)
    module = p.modules.first()
    before = Module.objects.count()
    response = client.post(reverse("curriculum:module_add", args=[p.pk]), {"kind": "general", "name_ru": "X", "position": 1})
    assert response.status_code == 302 and Module.objects.count() == before
    assert client.post(reverse("curriculum:module_delete", args=[module.pk])).status_code == 302
    assert Module.objects.filter(pk=module.pk).exists()
    edit = client.post(reverse("core:programmes_edit", args=[p.pk]), {**_passport(p), "total_hours": 3100})
    assert edit.status_code == 400 and "open a new revision" in edit.content.decode()
    client.post(reverse("curriculum:programme_step", args=[p.pk, "revise"]))
    p.refresh_from_db()
    assert p.status == "draft"
    response = client.post(reverse("curriculum:module_add", args=[p.pk]), {"kind": "general", "name_ru": "X", "position": 1})
    assert response.status_code == 302 and Module.objects.count() == before + 1
    confirm = client.get(reverse("curriculum:module_delete", args=[module.pk]))
    assert confirm.status_code == 200 and design(p).encode() in confirm.content
    client.post(reverse("curriculum:module_delete", args=[module.pk]))
    assert not Module.objects.filter(pk=module.pk).exists()


def _passport(p):
    return {
        "specialty": p.specialty_id,
        "name_ru": p.name_ru,
        "qualifications": [q.pk for q in p.qualifications.all()],
        "entry_base": p.entry_base,
        "study_form": p.study_form,
        "duration_months": p.duration_months,
        "total_hours": p.total_hours,
        "language": p.language,
        "is_active": "on",
    }


def test_passport_refuses_a_qualification_of_another_specialty(client, login):
    from kesip.curriculum.tests.factories import QualificationFactory

    p = kg_welding()
    other = QualificationFactory(specialty=f.SpecialtyFactory(jurisdiction="KG"))
    login(f.member(Role.INSTITUTION_ADMIN, institution=p.institution))
    response = client.post(reverse("core:programmes_edit", args=[p.pk]), {**_passport(p), "qualifications": [other.pk]})
    assert response.status_code == 400 and "another specialty" in response.content.decode()
    assert list(p.qualifications.all()) != [other]


def test_a_teacher_reads_the_design_but_cannot_change_it(client, login):
    p = kg_welding()
    login(f.member(Role.TEACHER, institution=p.institution))
    html = client.get(design(p)).content.decode()
    assert reverse("curriculum:module_add", args=[p.pk]) not in html and 'value="approve"' not in html
    assert client.get(reverse("curriculum:module_add", args=[p.pk])).status_code == 404
    client.post(reverse("curriculum:programme_step", args=[p.pk, "approve"]))
    p.refresh_from_db()
    assert p.status == "draft"


def test_expert_concludes_on_a_submitted_programme(client, login):
    p = kg_welding()
    head = f.member(Role.HEAD, institution=p.institution)
    expert = f.member(Role.ACCREDITATION_EXPERT, authority=p.institution.authority)
    login(head)
    client.post(reverse("curriculum:programme_step", args=[p.pk, "approve"]))
    client.post(reverse("curriculum:programme_step", args=[p.pk, "submit"]))
    login(expert)
    html = client.get(design(p)).content.decode()
    assert 'id="step-register"' in html and 'id="step-return"' in html
    client.post(reverse("curriculum:programme_step", args=[p.pk, "register"]), {"expert_conclusion": ""})
    p.refresh_from_db()
    assert p.status == "submitted"
    client.post(reverse("curriculum:programme_step", args=[p.pk, "register"]), {"expert_conclusion": "Соответствует"})
    p.refresh_from_db()
    assert p.status == "registered" and p.expert_conclusion == "Соответствует"
