"""The institution's briefings of employers and mentors on conducting WBL (F15; п. 56 item 4): recorded by the
institution's WBL staff only, with its staff member, topics and the employer's people who took part; a bad
record is refused field by field and nothing is saved; another institution's answers 404; pages and API."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from kesip.core.rules import RuleViolation
from kesip.wbl import employers as svc
from kesip.wbl.common import WblInvalid
from kesip.wbl.models import EmployerBriefing
from kesip.wbl.tests.placement_setup import college

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 2, 20)


def brief(t, user=None, attendees=None, **kwargs):
    values = dict(employer=t.employer, held_on=TODAY, conducted_by=t.supervisor, topics="Порядок ОРМ, дневник, оценки")
    values.update(kwargs)
    return svc.save_briefing(EmployerBriefing(**values), user or t.admin, t.mentors if attendees is None else attendees, TODAY)


def test_the_staff_record_a_briefing_with_who_took_part():
    t = college()
    b = brief(t)
    assert b.institution_id == t.institution.pk and set(b.attendees.all()) == set(t.mentors)
    assert b.history.exists()


def test_a_bad_briefing_is_refused_field_by_field_and_nothing_is_saved():
    t = college()
    other = college()
    with pytest.raises(WblInvalid) as refused:
        brief(t, held_on=TODAY + datetime.timedelta(days=1), topics=" ", conducted_by=other.supervisor, attendees=[])
    assert {v.field for v in refused.value.violations} == {"held_on", "topics", "conducted_by", "attendees"}
    with pytest.raises(WblInvalid) as refused:
        brief(t, attendees=[other.mentor])
    assert [v.field for v in refused.value.violations] == ["attendees"]
    assert brief(t, held_on=TODAY).held_on == TODAY  # the day itself is not the future
    assert EmployerBriefing.objects.count() == 1


def test_the_employers_side_and_another_institution_do_not_record_it():
    t = college()
    with pytest.raises(RuleViolation):
        brief(t, user=t.rep)
    with pytest.raises(RuleViolation):
        brief(t, user=college().admin)
    assert not EmployerBriefing.objects.exists()


def test_the_pages_list_add_edit_and_delete_and_answer_404_outside():
    t = college()
    client = Client()
    client.force_login(t.admin, backend="django.contrib.auth.backends.ModelBackend")
    add = reverse("wbl:employer_briefing_add", args=[t.employer.pk])
    assert client.get(add).status_code == 200
    bad = client.post(add, {"held_on": "2099-01-01", "conducted_by": t.supervisor.pk, "topics": "x", "attendees": [t.mentor.pk]})
    assert bad.status_code == 400 and "held_on" in bad.context["form"].errors and not EmployerBriefing.objects.exists()
    data = {"held_on": "2025-02-01", "conducted_by": t.supervisor.pk, "topics": "Порядок ОРМ", "attendees": [t.mentor.pk]}
    assert client.post(add, data).status_code == 302
    b = EmployerBriefing.objects.get()
    page = client.get(reverse("wbl:employer_detail", args=[t.employer.pk])).content.decode()
    assert f'id="employer-briefing-{b.pk}"' in page and 'id="add-employer-briefing"' in page
    data["topics"] = "Порядок ОРМ и дневник"
    assert client.post(reverse("wbl:employer_briefing_edit", args=[b.pk]), data).status_code == 302
    b.refresh_from_db()
    assert b.topics == "Порядок ОРМ и дневник"
    rep = Client()
    rep.force_login(t.rep, backend="django.contrib.auth.backends.ModelBackend")
    rep_page = rep.get(reverse("wbl:employer_detail", args=[t.employer.pk])).content.decode()
    assert f'id="employer-briefing-{b.pk}"' in rep_page and 'id="add-employer-briefing"' not in rep_page
    assert rep.get(reverse("wbl:employer_briefing_edit", args=[b.pk])).status_code == 404
    stranger = Client()
    stranger.force_login(college().admin, backend="django.contrib.auth.backends.ModelBackend")
    assert stranger.get(reverse("wbl:employer_briefing_edit", args=[b.pk])).status_code == 404
    assert stranger.get(add).status_code == 404
    assert client.post(reverse("wbl:employer_briefing_delete", args=[b.pk])).status_code == 302
    assert not EmployerBriefing.objects.exists()


def test_the_api_records_and_refuses_with_the_rule():
    t = college()
    api = APIClient()
    api.force_authenticate(t.admin)
    made = api.post(
        "/api/v1/employer-briefings/",
        {
            "employer": t.employer.pk,
            "held_on": "2025-02-01",
            "conducted_by": t.supervisor.pk,
            "topics": "ОРМ",
            "attendees": [m.pk for m in t.mentors],
        },  # fmt: skip
        format="json",
    )
    assert made.status_code == 201 and sorted(made.json()["attendees"]) == sorted(m.pk for m in t.mentors)
    refused = api.post(
        "/api/v1/employer-briefings/",
        {"employer": t.employer.pk, "held_on": "2025-02-01", "conducted_by": t.supervisor.pk, "topics": "", "attendees": []},
        format="json",
    )
    assert refused.status_code == 400 and EmployerBriefing.objects.count() == 1
    stranger = APIClient()
    stranger.force_authenticate(college().admin)
    assert stranger.get(f"/api/v1/employer-briefings/{made.json()['id']}/").status_code == 404
