"""The calendar schedule pages: open one from a group, add periods, see the year, every violation, approve and reopen."""

import datetime

import pytest
from django.urls import reverse

from kesip.core.roles import Role
from kesip.core.tests import factories as f
from kesip.curriculum.models import CalendarPeriod, CalendarSchedule
from kesip.curriculum.tests.test_calendar_rules import add, good_year, world

pytestmark = pytest.mark.django_db

D = datetime.date


def page(schedule):
    return reverse("curriculum:calendar", args=[schedule.pk])


def test_open_a_schedule_from_the_group(client, login):
    w = world()
    other = f.GroupFactory(institution=w.inst, programme=w.programme, intake_year=2023, name="ЭГС-23Б")
    login(w.admin)
    for name in ("core:groups_detail", "core:groups_edit"):
        html = client.get(reverse(name, args=[other.pk])).content.decode()
        assert reverse("curriculum:group_calendars", args=[other.pk]) in html, name
    assert reverse("curriculum:calendar_list") in client.get("/").content.decode()  # in the navigation
    listing = client.get(reverse("curriculum:group_calendars", args=[other.pk])).content.decode()
    add_url = reverse("curriculum:calendar_add") + f"?group={other.pk}"
    assert add_url in listing and "No calendar schedules yet." in listing
    form = client.get(add_url)
    assert form.status_code == 200
    html = form.content.decode()
    assert f'<option value="{other.pk}" selected>' in html
    data = {"group": other.pk, "academic_year": "2024", "year_of_study": "", "practice_mode": "continuous", "note": ""}
    response = client.post(reverse("curriculum:calendar_add"), data)
    schedule = CalendarSchedule.objects.get(group=other)
    assert response.status_code == 302 and response["Location"] == page(schedule)
    assert (schedule.year_of_study, schedule.status, schedule.institution_id) == (2, "draft", w.inst.pk)
    again = client.post(reverse("curriculum:calendar_add"), data)
    assert again.status_code == 400 and CalendarSchedule.objects.filter(group=other).count() == 1
    too_early = client.post(reverse("curriculum:calendar_add"), {**data, "academic_year": "2021"})
    assert too_early.status_code == 400 and "was admitted in 2023" in too_early.content.decode()
    # A group of another institution is not offered and not accepted.
    foreign = f.GroupFactory()
    refused = client.post(reverse("curriculum:calendar_add"), {**data, "group": foreign.pk})
    assert refused.status_code == 400 and not CalendarSchedule.objects.filter(group=foreign).exists()
    assert client.get(reverse("curriculum:calendar_add") + f"?group={foreign.pk}").status_code == 404


def test_the_schedule_page_shows_the_year_the_periods_and_the_practice_plan(client, login):
    w = world()
    s = good_year(w)
    login(f.member(Role.TEACHER, institution=w.inst))
    response = client.get(page(s))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="no-violations"' in html
    # The strip of weeks: 2–8 September 2024 is theory, the week of 17 February 2025 practice.
    assert 'data-week="2" data-kind="theory">T<' in html
    assert 'data-date="2025-02-17" data-kind="practice"' in html and 'data-date="2024-12-31" data-kind="holidays"' in html
    assert 'data-date="2024-09-01" data-kind=""' in html  # a Sunday before the first period
    assert html.count('class="cal-day cal-out"') == 6 + 0  # the Monday to Saturday before 1 September 2024
    # Practice planned next to the days given: 432 hours in 83 days (11.9 weeks).
    row = html.split(f'id="practice-{w.pp.pk}"')[1].split("</tr>")[0]
    assert "432" in row and ">83<" in row and "11.9" in row
    assert 'id="total-days">' in html and "table-responsive" in html
    # A teacher reads, but neither changes nor approves.
    assert reverse("curriculum:calendar_edit", args=[s.pk]) not in html and 'value="approve"' not in html
    assert 'id="add-period"' not in html


def test_every_violation_is_listed_with_its_clause_and_approval_waits(client, login):
    w = world()
    s = w.schedule
    add(s, "theory", D(2024, 9, 2), D(2024, 11, 2))
    add(s, "industrial_training", D(2024, 11, 4), D(2024, 12, 14), w.it)
    add(s, "theory", D(2024, 12, 16), D(2025, 2, 15))
    add(s, "practice", D(2025, 2, 17), D(2025, 3, 29), w.pp)
    add(s, "theory", D(2025, 3, 31), D(2025, 4, 5))
    add(s, "practice", D(2025, 4, 5), D(2025, 5, 10), w.pp)  # overlaps the theory and splits the production practice
    head = f.member(Role.HEAD, institution=w.inst)
    login(head)
    html = client.get(page(s)).content.decode()
    assert 'data-code="curriculum.calendar.overlap"' in html and "consistency check" in html
    assert 'data-code="wbl.practice.mode.by_type.max_blocks_per_type"' in html and "п. 26" in html
    assert "cal-overlap" in html
    assert 'value="approve"' in html  # the head may approve, once the rules hold
    refused = client.post(reverse("curriculum:calendar_step", args=[s.pk, "approve"]), follow=True)
    assert "cannot be approved: 2 rules are broken" in refused.content.decode()
    s.refresh_from_db()
    assert s.status == "draft"


def test_head_approves_and_an_approved_schedule_is_frozen_until_reopened(client, login):
    w = world()
    s = good_year(w)
    practice_head = f.member(Role.HEAD_OF_PRACTICE, institution=w.inst)
    login(practice_head)
    html = client.get(page(s)).content.decode()
    assert 'id="add-period"' in html and 'value="approve"' not in html  # changes, does not approve
    client.post(reverse("curriculum:calendar_step", args=[s.pk, "approve"]))
    s.refresh_from_db()
    assert s.status == "draft"
    head = f.member(Role.HEAD, institution=w.inst, last_name="Кыпчаков")
    login(head)
    client.post(reverse("curriculum:calendar_step", args=[s.pk, "approve"]))
    s.refresh_from_db()
    assert s.status == "approved" and s.approved_by == head and s.approved_on == datetime.date.today()
    html = client.get(page(s)).content.decode()
    assert "Кыпчаков" in html and 'value="reopen"' in html and 'id="add-period"' not in html
    login(w.admin)
    period = s.periods.get(kind="practice")
    edit = client.post(
        reverse("curriculum:calendar_period_edit", args=[period.pk]),
        {"kind": "practice", "starts_on": "2025-02-10", "ends_on": "2025-05-10", "component": w.pp.pk},
        follow=True,
    )
    assert "reopen it before changing it" in edit.content.decode()
    period.refresh_from_db()
    assert period.starts_on == D(2025, 2, 17)
    client.post(reverse("curriculum:calendar_period_delete", args=[period.pk]))
    assert CalendarPeriod.objects.filter(pk=period.pk).exists()
    client.post(reverse("curriculum:calendar_step", args=[s.pk, "reopen"]))
    s.refresh_from_db()
    assert s.status == "draft" and s.approved_by is None


def test_add_edit_and_delete_periods_with_errors_in_place(client, login):
    w = world()
    s = w.schedule
    login(w.admin)
    html = client.get(page(s)).content.decode()
    form = html.split('id="add-period"')[1].split("</form>")[0]
    assert f'<option value="{w.pp.pk}">' in form and f'<option value="{w.it.pk}">' in form
    assert f'<option value="{w.subject.pk}">' not in form  # only practice and industrial training
    assert 'value="2024-09-01"' in form  # the first period starts with the year
    url = reverse("curriculum:calendar_addperiod", args=[s.pk])
    backwards = client.post(url, {"inline": "1", "kind": "theory", "starts_on": "2024-11-02", "ends_on": "2024-09-02"})
    assert backwards.status_code == 400 and "cannot end before it starts" in backwards.content.decode()
    outside = client.post(url, {"kind": "theory", "starts_on": "2024-08-26", "ends_on": "2024-09-02"})
    assert outside.status_code == 400 and "1 September to 31 August" in outside.content.decode()
    wrong = client.post(url, {"kind": "practice", "starts_on": "2024-11-04", "ends_on": "2024-12-14", "component": w.it.pk})
    assert wrong.status_code == 400 and "industrial-training period an industrial-training component" in wrong.content.decode()
    subject = client.post(
        url, {"kind": "practice", "starts_on": "2024-11-04", "ends_on": "2024-12-14", "component": w.subject.pk}
    )
    assert subject.status_code == 400
    assert not s.periods.exists()
    ok = client.post(url, {"inline": "1", "kind": "theory", "starts_on": "2024-09-02", "ends_on": "2024-11-02", "note": "I"})
    assert ok.status_code == 302
    period = s.periods.get()
    assert (period.institution_id, period.note) == (w.inst.pk, "I")
    assert 'value="2024-11-03"' in client.get(page(s)).content.decode()  # the next one starts the day after
    edit_url = reverse("curriculum:calendar_period_edit", args=[period.pk])
    assert client.get(edit_url).status_code == 200
    client.post(edit_url, {"kind": "theory", "starts_on": "2024-09-02", "ends_on": "2024-11-09"})
    period.refresh_from_db()
    assert period.ends_on == D(2024, 11, 9)
    assert client.get(reverse("curriculum:calendar_period_delete", args=[period.pk])).status_code == 200
    client.post(reverse("curriculum:calendar_period_delete", args=[period.pk]))
    assert not s.periods.exists()


def test_edit_and_delete_the_draft_schedule(client, login):
    w = world()
    s = w.schedule
    login(w.admin)
    url = reverse("curriculum:calendar_edit", args=[s.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"academic_year": "2024", "year_of_study": "2", "practice_mode": "by_period", "note": "Кеңеш"})
    assert response.status_code == 302
    s.refresh_from_db()
    assert (s.practice_mode, s.note) == ("by_period", "Кеңеш")
    bad = client.post(url, {"academic_year": "20x4", "year_of_study": "2", "practice_mode": "by_period"})
    assert bad.status_code == 400
    add(s, "theory", D(2024, 9, 2), D(2024, 11, 2))
    client.post(reverse("curriculum:calendar_delete", args=[s.pk]))
    assert not CalendarSchedule.objects.filter(pk=s.pk).exists() and not CalendarPeriod.objects.filter(schedule_id=s.pk).exists()


def test_list_filters_and_refuses_a_bad_filter(client, login):
    w = world()
    good_year(w)
    f.GroupFactory(institution=w.inst, programme=w.programme, intake_year=2023).calendars.create(
        institution=w.inst, academic_year=2023, year_of_study=1, practice_mode="continuous"
    )
    login(w.admin)
    url = reverse("curriculum:calendar_list")
    assert client.get(url).content.decode().count("/calendars/") >= 2
    html = client.get(url, {"academic_year": "2024", "status": "draft"}).content.decode()
    assert page(w.schedule) in html and "2023–2024" not in html
    warned = client.get(url, {"academic_year": "x", "status": "nope"}, follow=True).content.decode()
    assert "is not a year" in warned and "is not a valid status" in warned
    login(f.member(Role.STUDENT, institution=w.inst))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("count", [3, 30])
def test_schedule_page_query_budget(client, login, django_assert_max_num_queries, count):
    w = world()
    s = w.schedule
    start = D(2024, 9, 2)
    for i in range(count):
        kind = ("theory", "practice", "industrial_training")[i % 3]
        component = {"practice": w.pp, "industrial_training": w.it}.get(kind)
        add(s, kind, start + datetime.timedelta(days=7 * i), start + datetime.timedelta(days=7 * i + 5), component)
    login(w.admin)
    with django_assert_max_num_queries(11):
        assert client.get(page(s)).status_code == 200


@pytest.mark.parametrize("count", [1, 10])
def test_list_page_query_budget(client, login, django_assert_max_num_queries, count):
    w = world()
    for _ in range(count):
        g = f.GroupFactory(institution=w.inst, programme=w.programme, intake_year=2023)
        s = g.calendars.create(institution=w.inst, academic_year=2024, year_of_study=2, practice_mode="continuous")
        add(s, "theory", D(2024, 9, 2), D(2024, 12, 28))
    login(w.admin)
    with django_assert_max_num_queries(7):
        assert client.get(reverse("curriculum:calendar_list")).status_code == 200
