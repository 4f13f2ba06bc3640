"""VR-57 (п. 53 §5): the season of a profession in section 5 of the WBL programme, and the warning
for a placement with days outside it — at the last day of the season's last month and the first day
of the next, and for a winter season that wraps the year end."""

import datetime

import pytest
from django.urls import reverse

from kesip.core.rules import rule
from kesip.wbl import placement_rules as rules
from kesip.wbl import placements as services
from kesip.wbl.models import Placement, WblProgramme
from kesip.wbl.tests import test_programme_rules as programme_world
from kesip.wbl.tests.placement_setup import FIRST, LAST, college, values

pytestmark = pytest.mark.django_db
JSON = "application/json"
D = datetime.date


def programme(t, season_from=None, season_to=None):
    return WblProgramme.objects.create(
        institution=t.institution,
        programme=t.programme,
        form="practice",
        academic_year=2024,
        status="approved",
        season_from_month=season_from,
        season_to_month=season_to,
    )


def soft_of(t, wp, **kwargs):
    p = Placement(**values(t, wbl_programme=wp, **kwargs))
    services.prepare(p)
    hard, soft = services.check(p, rules.SAVE)
    return [v.code for v in hard], [v for v in soft if v.code == rules.SEASON]


def test_the_rule_is_in_the_rulebook_with_its_clause():
    found = rule(rules.SEASON, "KG")
    assert found.clause == "п. 53, section 5" and found.title_ky and found.title_ru and found.title_kk and found.title_en
    assert "VR-57" in found.note


def test_the_last_day_of_the_seasons_last_month_passes_and_the_first_day_of_the_next_warns():
    t = college()
    wp = programme(t, 3, 5)
    # The calendar's practice (open to any component) spans the spring, so only the season speaks (not VR-17).
    t.period.starts_on, t.period.ends_on, t.period.component = D(2025, 2, 1), D(2025, 6, 30), None
    t.period.save()
    assert soft_of(t, wp, component=None, starts_on=D(2025, 3, 1), ends_on=D(2025, 5, 31)) == ([], [])
    hard, found = soft_of(t, wp, component=None, starts_on=D(2025, 3, 1), ends_on=D(2025, 6, 1))
    assert hard == [] and len(found) == 1
    assert found[0].field == "ends_on" and "п. 53" in found[0].source and "2025" in found[0].message
    hard, found = soft_of(t, wp, component=None, starts_on=D(2025, 2, 28), ends_on=D(2025, 3, 31))
    assert len(found) == 1 and found[0].field == "starts_on"


def test_a_winter_season_wraps_the_year_end():
    assert rules.season_months(11, 3) == {11, 12, 1, 2, 3}
    assert rules.months_outside_season(D(2025, 11, 1), D(2026, 3, 31), 11, 3) == []
    assert rules.months_outside_season(D(2025, 10, 31), D(2026, 3, 31), 11, 3) == [D(2025, 10, 1)]
    assert rules.months_outside_season(D(2025, 11, 1), D(2026, 4, 1), 11, 3) == [D(2026, 4, 1)]
    assert rules.months_outside_season(D(2025, 1, 1), D(2026, 12, 31), 1, 12) == []
    t = college()
    assert soft_of(t, programme(t, 11, 3))[1] == []  # March lies in a season of November to March
    assert len(soft_of(t, programme(t, 11, 2))[1]) == 1  # … not in one of November to February
    assert len(soft_of(t, programme(t, 4, 10))[1]) == 1


def test_no_season_or_no_programme_warns_of_nothing_and_a_kazakh_institution_has_no_such_rule():
    t = college()
    assert soft_of(t, programme(t))[1] == []
    kz = college(jurisdiction="KZ")
    assert soft_of(kz, programme(kz, 6, 8))[1] == []


def test_the_warning_is_shown_when_the_placement_is_saved(client, login):
    t = college()
    wp = programme(t, 6, 8)
    login(t.admin)
    p = Placement(**values(t, wbl_programme=wp))
    warnings = services.save_placement(p, t.admin)
    assert [w.code for w in warnings if w.code == rules.SEASON] == [rules.SEASON]
    page = client.get(reverse("wbl:placement_detail", args=[p.pk])).content.decode()
    assert 'id="season-months"' in page
    assert FIRST.month == LAST.month == 3


# ------------------------------------------------------------------ section 5 of the programme: page, API, document


def test_the_season_is_written_in_section_5_both_months_or_neither(client, login):
    t = programme_world.college()
    login(t.practice_head)
    edit = reverse("wbl:wblprogramme_edit", args=[t.wp.pk]) + "?section=5"
    form = client.get(edit).context["form"]
    assert {"season_note", "season_from_month", "season_to_month"} <= set(form.fields)
    half = client.post(edit, {"season_note": "Зимой", "season_from_month": "11", "season_to_month": ""})
    assert half.status_code == 400 and "season_to_month" in half.context["form"].errors
    assert WblProgramme.objects.get(pk=t.wp.pk).season_from_month is None
    bad = client.post(edit, {"season_note": "", "season_from_month": "13", "season_to_month": "3"})
    assert bad.status_code == 400 and "season_from_month" in bad.context["form"].errors
    ok = client.post(edit, {"season_note": "Зимой", "season_from_month": "11", "season_to_month": "3"})
    assert ok.status_code == 302
    wp = WblProgramme.objects.get(pk=t.wp.pk)
    assert (wp.season_from_month, wp.season_to_month) == (11, 3)
    page = client.get(reverse("wbl:wblprogramme_detail", args=[t.wp.pk])).content.decode()
    assert 'id="season-months"' in page and wp.season_label in page
    docx = client.get(reverse("wbl:wblprogramme_document", args=[t.wp.pk]) + "?format=docx&lang=en")
    assert docx.status_code == 200
    import io

    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "Season of the profession: November – March" in text


def test_the_season_through_the_api(client, login):
    t = programme_world.college()
    login(t.practice_head)
    target = f"/api/v1/wbl-programmes/{t.wp.pk}/"
    half = client.patch(target, {"season_from_month": 6}, content_type=JSON)
    assert half.status_code == 400 and "season_to_month" in str(half.json())
    out_of_range = client.patch(target, {"season_from_month": 0, "season_to_month": 8}, content_type=JSON)
    assert out_of_range.status_code == 400
    ok = client.patch(target, {"season_from_month": 6, "season_to_month": 8}, content_type=JSON)
    assert ok.status_code == 200 and (ok.json()["season_from_month"], ok.json()["season_to_month"]) == (6, 8)
    assert client.patch(target, {"season_from_month": None, "season_to_month": None}, content_type=JSON).status_code == 200
    assert WblProgramme.objects.get(pk=t.wp.pk).season_label == ""
