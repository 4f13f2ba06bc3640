"""F32 inclusion (п. 54): a learner with special educational needs placed at a workplace not marked
accessible is warned of; accessible workplaces can be chosen alone in the workplace list, the placement
form, the group placement screen and the API. And the usable-programme fix of §9.4: a published WBL
programme counts as approved for placements; one replaced by a revision is warned of and not offered."""

import datetime

import pytest
from django.urls import reverse

from kesip.wbl import placement_rules as rules
from kesip.wbl import placements as services
from kesip.wbl.models import Placement, WblProgramme, Workplace
from kesip.wbl.placement_forms import PlacementForm
from kesip.wbl.tests.placement_setup import college, values

pytestmark = pytest.mark.django_db


def soft_codes(t, **kwargs):
    p = Placement(**values(t, **kwargs))
    services.prepare(p)
    hard, soft = services.check(p, rules.SAVE)
    return [v.code for v in soft], soft


def with_needs(t, needs=True):
    s = t.students[0]
    s.special_needs = needs
    s.save()
    return s


def accessible_workplace(t, title="Цех №2 (пандус)"):
    return Workplace.objects.create(
        institution=t.institution, employer=t.employer, title=title, places=3, accessible=True, safety_compliant=True,
        available_from=datetime.date(2025, 1, 1), available_to=datetime.date(2025, 12, 31),
    )  # fmt: skip


def test_special_needs_at_a_workplace_not_marked_accessible_warns_with_its_clause():
    t = college()
    with_needs(t)
    codes, soft = soft_codes(t)
    assert rules.ACCESSIBLE in codes
    warning = next(v for v in soft if v.code == rules.ACCESSIBLE)
    assert "п. 54" in warning.source and warning.field == "workplace"


def test_special_needs_at_an_accessible_workplace_does_not_warn():
    t = college()
    with_needs(t)
    assert rules.ACCESSIBLE not in soft_codes(t, workplace=accessible_workplace(t))[0]


def test_a_learner_without_special_needs_is_not_warned_at_any_workplace():
    t = college()
    with_needs(t, needs=False)
    assert rules.ACCESSIBLE not in soft_codes(t)[0]


def test_the_warning_is_acknowledged_and_the_placement_saved():
    t = college()
    with_needs(t)
    p = Placement(**values(t))
    warnings = services.save_placement(p, t.admin)
    assert p.pk and rules.ACCESSIBLE in [w.code for w in warnings]


def test_the_workplace_list_filters_accessible_workplaces(client, login):
    t = college()
    accessible_workplace(t)
    login(t.admin)
    url = reverse("wbl:workplace_list")
    body = client.get(url).content.decode()
    assert "Цех №1" in body and "Цех №2 (пандус)" in body
    body = client.get(url, {"accessible": "1"}).content.decode()
    assert "Цех №1" not in body and "Цех №2 (пандус)" in body and 'id="f-accessible" checked' in body


def test_the_placement_form_offers_accessible_workplaces_only_when_asked(client, login):
    t = college()
    ramp = accessible_workplace(t)
    assert set(PlacementForm(user=t.admin).fields["workplace"].queryset) == {t.workplace, ramp}
    assert list(PlacementForm(user=t.admin, accessible_only=True).fields["workplace"].queryset) == [ramp]
    # A placement already at a workplace not marked accessible keeps it choosable.
    p = Placement.objects.create(institution=t.institution, group=t.group, **values(t))
    assert set(PlacementForm(instance=p, user=t.admin, accessible_only=True).fields["workplace"].queryset) == {t.workplace, ramp}
    login(t.admin)
    body = client.get(reverse("wbl:placement_add"), {"form": "practice", "accessible": "1"}).content.decode()
    assert "Цех №2 (пандус)" in body and "Цех №1 ·" not in body and 'aria-pressed="true"' in body
    # Posted under the filter, a workplace not marked accessible is not a valid choice.
    data = {k: getattr(v, "pk", v) for k, v in values(t).items()}
    url = reverse("wbl:placement_add") + "?form=practice&accessible=1"
    response = client.post(url, {k: v for k, v in data.items() if v is not None})
    assert response.status_code == 400 and not Placement.objects.exclude(pk=p.pk).exists()


def test_the_group_screen_offers_accessible_workplaces_only_when_asked(client, login):
    t = college()
    accessible_workplace(t)
    login(t.admin)
    url = reverse("wbl:placement_bulk", args=[t.group.pk])
    body = client.get(url).content.decode()
    assert ">Цех №1 (" in body and ">Цех №2 (пандус)" in body
    body = client.get(url, {"accessible": "1"}).content.decode()
    assert ">Цех №1 (" not in body and ">Цех №2 (пандус)" in body and 'name="accessible" value="1"' in body


def test_the_api_filters_accessible_workplaces(client, login):
    t = college()
    ramp = accessible_workplace(t)
    login(t.admin)
    found = client.get("/api/v1/workplaces/", {"accessible": "true"}).json()
    rows = found["results"] if isinstance(found, dict) else found
    assert [r["id"] for r in rows] == [ramp.pk]


# ------------------------------------------------------------------ §9.4: published and revised programmes


def programme(t, status, **kwargs):
    return WblProgramme.objects.create(
        institution=t.institution, programme=t.programme, form="practice", academic_year=2024, status=status, **kwargs
    )


def programme_warnings(t, wp):
    return [v.message for v in soft_codes(t, wbl_programme=wp)[1] if v.code == "wbl.placement.programme"]


def test_a_published_programme_is_usable_like_an_approved_one():
    t = college()
    assert programme_warnings(t, programme(t, WblProgramme.Status.APPROVED)) == []
    assert programme_warnings(t, programme(t, WblProgramme.Status.PUBLISHED)) == []
    assert len(programme_warnings(t, programme(t, WblProgramme.Status.DRAFT))) == 1


def test_a_revised_programme_warns_and_is_not_offered_for_a_new_placement():
    t = college()
    old = programme(t, WblProgramme.Status.REVISED)
    new = programme(t, WblProgramme.Status.APPROVED, version=2, previous=old)
    assert "replaced by a revision" in programme_warnings(t, old)[0]
    assert set(PlacementForm(user=t.admin).fields["wbl_programme"].queryset) == {new}
    p = Placement.objects.create(institution=t.institution, group=t.group, **values(t, wbl_programme=old))
    assert set(PlacementForm(instance=p, user=t.admin).fields["wbl_programme"].queryset) == {old, new}
    assert Placement.objects.get(pk=p.pk).wbl_programme_id == old.pk  # the placement keeps its version
