"""The practical-classes journal of a group through the API (F17; п. 56 item 10): the same learners, totals and
register as the page, one employer at a time on request, a page of the register at a time, 404 for another
institution's group and for a mentor, and a fixed number of queries whatever the number of learners."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from kesip.core.roles import Role
from kesip.core.tests import factories as f
from kesip.wbl import diary
from kesip.wbl.tests.test_diary import entry, graded, site, started

pytestmark = pytest.mark.django_db


def api_as(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_journal_gives_each_learners_totals_and_the_register_with_the_control():
    t = site(learners=2)
    for p in t.placements:
        started(t, p)
    graded(t, 5, t.placements[0])
    second = graded(t, 3, t.placements[0])
    diary.check_entry(second, t.head, note="Тигиштин сапаты жакшы")
    entry(t, t.placements[1])
    api = api_as(t.head)
    groups = api.get("/api/v1/practice-journals/").json()
    assert [(g["id"], g["placements"], g["waiting"], g["unchecked"]) for g in groups["results"]] == [(t.group.pk, 2, 1, 2)]
    body = api.get(f"/api/v1/practice-journals/{t.group.pk}/").json()
    assert body["group"]["name"] == t.group.name and body["group"]["placements"] == 2
    rows = {r["id"]: r for r in body["learners"]}
    first = rows[t.placements[0].pk]
    assert (first["graded"], first["average_mark"], Decimal(first["diary_hours"])) == (2, "4", Decimal(12))
    assert first["employer_name"] == t.employer.name and first["mentor_name"] and first["assessment"] is None
    assert rows[t.placements[1].pk]["waiting"] == 1
    register = api.get(f"/api/v1/practice-journals/{t.group.pk}/register/").json()
    assert register["count"] == 3
    controlled = next(e for e in register["results"] if e["id"] == second.pk)
    assert controlled["supervisor_note"] == "Тигиштин сапаты жакшы" and controlled["checked_by_name"]
    assert controlled["grade"] == "3.0" and controlled["learner"] == str(t.placements[0].learner)


def test_one_employers_learners_and_a_bad_employer_id():
    t = site(learners=2)
    for p in t.placements:
        started(t, p)
        entry(t, p)
    api = api_as(t.head)
    other = f.EmployerFactory(institution=t.institution)
    one = api.get(f"/api/v1/practice-journals/{t.group.pk}/?employer={t.employer.pk}").json()
    assert len(one["learners"]) == 2
    assert api.get(f"/api/v1/practice-journals/{t.group.pk}/?employer={other.pk}").json()["learners"] == []
    assert api.get(f"/api/v1/practice-journals/{t.group.pk}/register/?employer={other.pk}").json()["count"] == 0
    bad = api.get(f"/api/v1/practice-journals/{t.group.pk}/?employer=abc")
    assert bad.status_code == 400 and "employer" in bad.json()


def test_another_institution_and_a_mentor_get_404_a_learner_is_forbidden():
    t = site()
    started(t)
    entry(t)
    stranger = api_as(f.member(Role.HEAD_OF_PRACTICE, institution=site().institution))
    assert stranger.get(f"/api/v1/practice-journals/{t.group.pk}/").status_code == 404
    assert stranger.get(f"/api/v1/practice-journals/{t.group.pk}/register/").status_code == 404
    assert t.group.pk not in [g["id"] for g in stranger.get("/api/v1/practice-journals/").json()["results"]]
    mentor = api_as(t.mentor_user)
    assert mentor.get(f"/api/v1/practice-journals/{t.group.pk}/").status_code == 404  # as on the page
    assert api_as(t.student_users[0]).get(f"/api/v1/practice-journals/{t.group.pk}/").status_code in (403, 404)


@pytest.mark.parametrize("n", [2, 12])
def test_the_journal_api_reads_a_fixed_number_of_queries(django_assert_max_num_queries, n):
    t = site(learners=n)
    for p in t.placements:
        started(t, p)
        entry(t, p)
    api = api_as(t.head)
    for url in (
        "/api/v1/practice-journals/",
        f"/api/v1/practice-journals/{t.group.pk}/",
        f"/api/v1/practice-journals/{t.group.pk}/register/",
    ):
        with django_assert_max_num_queries(9):
            response = api.get(url)
        assert response.status_code == 200, url
    assert len(response.json()["results"]) == n
