"""The WBL start page: each number for a small known world, each linking to the list it counts, in a fixed number of queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from kesip.core.roles import Role
from kesip.core.tests import factories as f
from kesip.wbl import placement_dashboard
from kesip.wbl.models import Agreement, DiaryEntry, MonitoringVisit, Placement
from kesip.wbl.tests.placement_setup import college, raw

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
D = datetime.timedelta(days=1)


def world():
    """Six placements of one group, each needing a known kind of attention, and one calm one."""
    t = college(students=7, places=20)
    s = t.students
    t.planned = raw(t, student=s[0], status="planned", starts_on=TODAY + 30 * D, ends_on=TODAY + 50 * D, component=None)
    # Starts in 3 days, referred, with only the institution's briefing.
    t.starting = raw(t, student=s[1], status="ordered", starts_on=TODAY + 3 * D, ends_on=TODAY + 30 * D, component=None)
    t.starting.briefings.create(institution=t.institution, kind="institution", held_on=TODAY, conducted_by="Жетекчи")
    # Under way without a mentor.
    t.no_mentor = raw(
        t, student=s[2], status="active", mentor=None, starts_on=TODAY - 10 * D, ends_on=TODAY + 40 * D, component=None
    )
    # Under way, ending in 5 days without a review; a diary entry waits 10 days for the grade (overdue) and control.
    t.ending = raw(t, student=s[3], status="active", starts_on=TODAY - 20 * D, ends_on=TODAY + 5 * D, component=None)
    DiaryEntry.objects.create(
        institution=t.institution, placement=t.ending, date=TODAY - 11 * D, task="Ширетүү", work_done="Тигиш", hours=6,
        status="submitted", submitted_at=timezone.now() - 10 * D,
    )  # fmt: skip
    # Under way and calm but for one fresh entry to control; a graded and controlled entry counts for nothing.
    t.calm = raw(t, student=s[4], status="active", starts_on=TODAY - 20 * D, ends_on=TODAY + 60 * D, component=None)
    for status, checked in (("submitted", None), ("graded", timezone.now())):
        DiaryEntry.objects.create(
            institution=t.institution, placement=t.calm, date=TODAY - D, task="Монтаж", work_done="Монтаж", hours=4,
            status=status, submitted_at=timezone.now() - D, checked_at=checked,
        )  # fmt: skip
    t.cancelled = raw(
        t, student=s[5], status="cancelled", starts_on=TODAY - 5 * D, ends_on=TODAY + 5 * D, component=None, mentor=None
    )
    # A second group without a head of practical training; an agreement expiring in 10 days; a visit.
    t.headless = f.GroupFactory(institution=t.institution, programme=t.programme)
    t.expiring = Agreement.objects.create(
        institution=t.institution, employer=t.employer, kind="wbl", form="dual", status="signed", number="Д-2",
        starts_on=TODAY - 300 * D, ends_on=TODAY + 10 * D,
    )  # fmt: skip
    t.visit = MonitoringVisit.objects.create(
        institution=t.institution, employer=t.employer, visited_on=TODAY - 2 * D, visitor=t.supervisor, findings="Жакшы"
    )
    t.visit.placements.add(t.calm, t.ending)
    Placement.objects.filter(pk=t.planned.pk).update(consent_by="requested", consent_on=None)  # asked in Kesip (F11)
    return t


def test_every_number_of_a_small_known_world(client, login):
    t = world()
    n = placement_dashboard.numbers(t.admin)
    by_status = {s["status"]: s["count"] for s in n["by_status"]}
    assert by_status == {"planned": 1, "roster_agreed": 0, "ordered": 1, "briefed": 0, "active": 3, "completed": 0, "assessed": 0,
                         "closed": 0, "cancelled": 1}  # fmt: skip
    attention = {a["key"]: a["count"] for a in n["attention"]}
    assert attention == {"diary_control": 2, "grading_overdue": 1, "briefings_missing": 1, "no_mentor": 1, "ending_no_review": 1,
                         "consent_waiting": 1, "consent_refused": 0}  # fmt: skip
    assert n["diary"] == {"awaiting_control": 2, "overdue": 1, "grading_days": 7}
    assert n["groups_without_head"]["count"] == 1 and n["groups_without_head"]["groups"][0]["pk"] == t.headless.pk
    assert n["agreements_expiring"]["count"] == 1 and n["agreements_expiring"]["agreements"] == [t.expiring]
    assert n["visits"] == [t.visit] and n["visits"][0].seen == 2
    year = placement_dashboard.academic_year(TODAY)
    gender = n["gender"]
    assert len(gender) == 1 and gender[0]["specialty_id"] == t.specialty.pk
    placed_this_year = [p for p in (t.planned, t.starting, t.no_mentor, t.ending, t.calm)
                        if p.starts_on <= datetime.date(year + 1, 8, 31) and p.ends_on >= datetime.date(year, 9, 1)]  # fmt: skip
    assert gender[0]["total"] == len(placed_this_year)
    assert gender[0]["female"] == sum(1 for p in placed_this_year if p.student.sex == "F")


def test_each_number_links_to_the_list_of_exactly_those_placements(client, login):
    t = world()
    login(t.admin)
    expected = {
        "diary_control": {t.ending.pk, t.calm.pk},
        "grading_overdue": {t.ending.pk},
        "briefings_missing": {t.starting.pk},
        "no_mentor": {t.no_mentor.pk},
        "ending_no_review": {t.ending.pk},
        "consent_waiting": {t.planned.pk},
    }
    body = client.get(reverse("wbl:dashboard")).content.decode()
    for key, pks in expected.items():
        assert f'href="/wbl/placements/?attention={key}" id="attention-{key}">{len(pks)}<' in body
        listed = client.get(reverse("wbl:placement_list"), {"attention": key}).context["page"].object_list
        assert {p.pk for p in listed} == pks, key
    assert 'id="status-active">3<' in body and 'id="groups-without-head">1<' in body and 'id="agreements-expiring">1<' in body
    active = client.get(reverse("wbl:placement_list"), {"status": "active"}).context["page"].object_list
    assert {p.pk for p in active} == {t.no_mentor.pk, t.ending.pk, t.calm.pk}


def test_a_briefing_of_every_kind_clears_the_warning():
    t = world()
    for kind in ("safety", "local_documents"):
        t.starting.briefings.create(institution=t.institution, kind=kind, held_on=TODAY, conducted_by="Мастер")
    attention = {a["key"]: a["count"] for a in placement_dashboard.numbers(t.admin)["attention"]}
    assert attention["briefings_missing"] == 0


@pytest.mark.parametrize("count", [2, 20])
def test_the_dashboard_reads_a_fixed_number_of_queries(client, login, django_assert_max_num_queries, count):
    t = college(students=count, places=count)
    for s in t.students:
        p = raw(t, student=s, status="active", starts_on=TODAY - 5 * D, ends_on=TODAY + 5 * D, component=None)
        DiaryEntry.objects.create(
            institution=t.institution,
            placement=p,
            date=TODAY,
            task="x",
            work_done="y",
            hours=2,
            status="submitted",
            submitted_at=timezone.now(),
        )
    login(t.admin)
    # 15, and 2 for F33: the rulebook's share and the employers above it (one GROUP BY); 1 for F1: the
    # institution's own WBL bases in use (one aggregate) on the page; 1 for the latest year with placements.
    with django_assert_max_num_queries(19):
        response = client.get(reverse("wbl:dashboard"))
    assert response.status_code == 200 and response.context["n"]["diary"]["awaiting_control"] == count
    with django_assert_max_num_queries(18):
        assert client.get("/api/v1/placements/dashboard/").json()["diary"]["awaiting_control"] == count


def test_the_head_of_practical_training_starts_from_their_groups():
    t = world()
    other_group = f.GroupFactory(institution=t.institution, programme=t.programme)
    stranger = f.StudentFactory(institution=t.institution, group=other_group)
    raw(
        t,
        student=stranger,
        status="active",
        supervisor=f.StaffFactory(institution=t.institution),
        starts_on=TODAY,
        ends_on=TODAY + 9 * D,
        component=None,
    )
    mine = placement_dashboard.numbers(t.supervisor_user, mine=True)
    everything = placement_dashboard.numbers(t.supervisor_user, mine=False)
    assert everything["total"] == mine["total"] + 1


def test_the_page_follows_the_role(client, login):
    t = world()
    login(t.supervisor_user)
    response = client.get(reverse("wbl:dashboard"))
    assert response.context["mine"] is True and 'id="dashboard-scope"' in response.content.decode()
    assert client.get(reverse("wbl:dashboard"), {"scope": "all"}).context["mine"] is False
    # The employer's representative: the placements at their employer, no groups.
    login(t.rep)
    n = client.get(reverse("wbl:dashboard")).context["n"]
    assert n["total"] == 6 and n["groups_without_head"] is None
    elsewhere = f.member(Role.EMPLOYER_REP, institution=t.institution, employer=f.EmployerFactory(institution=t.institution))
    login(elsewhere)
    assert client.get(reverse("wbl:dashboard")).context["n"]["total"] == 0
    # A mentor and a student go to their own pages.
    login(f.member(Role.MENTOR, institution=t.institution, employer=t.employer))
    assert client.get(reverse("wbl:dashboard"))["Location"] == reverse("wbl:diaries")
    login(f.member(Role.STUDENT, institution=t.institution))
    assert client.get(reverse("wbl:dashboard")).status_code == 302
    # Another institution sees nothing of this one.
    login(college().admin)
    n = client.get(reverse("wbl:dashboard")).context["n"]
    assert n["total"] == 0 and n["visits"] == [] and n["agreements_expiring"]["count"] == 0
    assert Placement.objects.count() == 6


def test_before_the_first_placement_of_the_year_the_latest_year_with_placements_is_shown():
    t = world()
    later = TODAY + datetime.timedelta(days=800)  # two academic years on, with no placement yet
    n = placement_dashboard.numbers(t.admin, today=later)
    assert n["year_fallback"] and n["year"] == placement_dashboard.academic_year(
        max(p.starts_on for p in Placement.objects.all())
    )
    asked = placement_dashboard.numbers(t.admin, today=later, year=placement_dashboard.academic_year(later))
    assert not asked["year_fallback"] and asked["gender"] == []
    assert not placement_dashboard.numbers(t.admin)["year_fallback"]
