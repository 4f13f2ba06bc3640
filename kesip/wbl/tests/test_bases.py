"""The institution's own WBL bases (F1; п. 3, п. 10): registered and changed by the institution's WBL
staff only, with its own head and professions of its classifier; another institution's base answers
404; the register reads a fixed number of queries; the dashboard counts the bases in use."""

import pytest
from django.urls import reverse

from kesip.core.roles import Role
from kesip.core.tests import factories as f
from kesip.wbl import bases
from kesip.wbl.common import WblInvalid
from kesip.wbl.models import WblBase

pytestmark = pytest.mark.django_db


@pytest.fixture
def college():
    inst = f.InstitutionFactory(jurisdiction="KG")
    return {
        "inst": inst,
        "admin": f.member(Role.INSTITUTION_ADMIN, institution=inst),
        "practice_head": f.member(Role.HEAD_OF_PRACTICE, institution=inst),
        "teacher": f.member(Role.TEACHER, institution=inst),
        "staff": f.StaffFactory(institution=inst, last_name="Осмонов"),
        "specialty": f.SpecialtyFactory(jurisdiction="KG"),
    }


def a_base(c, **kwargs):
    values = {"institution": c["inst"], "kind": "workshop", "name": "Сварочная мастерская", "places": 12}
    values.update(kwargs)
    return bases.save_base(WblBase(**values), c["admin"], [c["specialty"]])


def test_staff_register_a_base_with_its_head_and_professions(college):
    base = a_base(college, head=college["staff"], equipment="6 сварочных постов")
    assert list(base.specialties.all()) == [college["specialty"]] and base.head == college["staff"]
    base.places = 14
    bases.save_base(base, college["practice_head"])
    assert WblBase.objects.get(pk=base.pk).places == 14 and base.specialties.count() == 1


def test_bad_input_names_each_field_and_saves_nothing(college):
    other = f.InstitutionFactory(jurisdiction="KG")
    stranger = f.StaffFactory(institution=other)
    kz = f.SpecialtyFactory(jurisdiction="KZ")
    with pytest.raises(WblInvalid) as refused:
        bases.save_base(
            WblBase(institution=college["inst"], kind="nonsense", name="", places=6000, head=stranger),
            college["admin"],
            [kz],
        )
    fields = {v.field for v in refused.value.violations}
    assert {"head", "specialties", "kind", "name", "places"} <= fields
    assert not WblBase.objects.exists()
    a_base(college)
    with pytest.raises(WblInvalid) as refused:
        a_base(college, name=" сварочная мастерская ")
    assert [v.field for v in refused.value.violations] == ["name"] and WblBase.objects.count() == 1


def test_only_the_institutions_wbl_staff_register_bases(college):
    with pytest.raises(WblInvalid):
        bases.save_base(WblBase(institution=college["inst"], kind="workshop", name="Х", places=1), college["teacher"])
    outsider = f.member(Role.INSTITUTION_ADMIN, institution=f.InstitutionFactory())
    with pytest.raises(WblInvalid):
        bases.save_base(WblBase(institution=college["inst"], kind="workshop", name="Х", places=1), outsider)
    assert not WblBase.objects.exists()


def test_pages_register_show_and_change_a_base(college, client, login):
    login(college["admin"])
    response = client.post(
        reverse("wbl:base_add"),
        {"kind": "technopark", "name": "Технопарк", "places": "20", "head": college["staff"].pk,
         "specialties": [college["specialty"].pk], "is_active": "on", "address": "ул. Ленина 1"},
    )  # fmt: skip
    base = WblBase.objects.get()
    assert response.status_code == 302 and response["Location"] == base.get_absolute_url()
    assert base.institution == college["inst"] and base.head == college["staff"]
    body = client.get(base.get_absolute_url()).content.decode()
    assert "Технопарк" in body and "Осмонов" in body and 'id="edit-base"' in body
    response = client.post(reverse("wbl:base_edit", args=[base.pk]), {"kind": "technopark", "name": "Технопарк", "places": "-1"})
    assert response.status_code == 400 and WblBase.objects.get().places == 20
    body = client.get(reverse("wbl:base_list"), {"kind": "technopark"}).content.decode()
    assert "Технопарк" in body
    assert "Технопарк" not in client.get(reverse("wbl:base_list"), {"kind": "workshop"}).content.decode()
    dashboard = client.get(reverse("wbl:dashboard")).content.decode()
    assert 'id="own-bases-count">1<' in dashboard


def test_a_teacher_reads_but_does_not_change(college, client, login):
    base = a_base(college)
    login(college["teacher"])
    body = client.get(base.get_absolute_url()).content.decode()
    assert "Сварочная мастерская" in body and 'id="edit-base"' not in body
    assert client.get(reverse("wbl:base_edit", args=[base.pk])).status_code == 404


def test_another_institutions_base_answers_404_on_pages_and_api(college, client, login):
    base = a_base(college)
    outsider = f.member(Role.INSTITUTION_ADMIN, institution=f.InstitutionFactory())
    login(outsider)
    assert client.get(base.get_absolute_url()).status_code == 404
    assert client.post(reverse("wbl:base_edit", args=[base.pk]), {"name": "X"}).status_code == 404
    assert client.get(f"/api/v1/wbl-bases/{base.pk}/").status_code == 404
    assert client.patch(f"/api/v1/wbl-bases/{base.pk}/", {"places": 1}, content_type="application/json").status_code == 404
    assert "Сварочная мастерская" not in client.get(reverse("wbl:base_list")).content.decode()
    assert WblBase.objects.get().places == 12


def test_the_api_creates_changes_and_refuses_with_the_field(college, client, login):
    login(college["admin"])
    response = client.post(
        "/api/v1/wbl-bases/",
        {"institution": college["inst"].pk, "kind": "incubator", "name": "Бизнес-инкубатор", "places": 8,
         "specialties": [college["specialty"].pk]},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert client.patch(f"/api/v1/wbl-bases/{pk}/", {"places": 9}, content_type="application/json").json()["places"] == 9
    response = client.post(
        "/api/v1/wbl-bases/",
        {"institution": college["inst"].pk, "kind": "incubator", "name": "бизнес-инкубатор", "places": 1},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["field"] == "name"
    assert WblBase.objects.count() == 1


@pytest.mark.parametrize("size", [2, 12])
def test_the_register_reads_a_fixed_number_of_queries(college, client, login, django_assert_max_num_queries, size):
    for i in range(size):
        base = WblBase.objects.create(institution=college["inst"], kind="workshop", name=f"Мастерская {i}", head=college["staff"])
        base.specialties.add(college["specialty"])
    login(college["admin"])
    with django_assert_max_num_queries(16):
        response = client.get(reverse("wbl:base_list"))
    assert response.status_code == 200 and response.content.decode().count('id="base-') == size
