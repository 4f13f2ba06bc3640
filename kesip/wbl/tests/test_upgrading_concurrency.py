"""People enrolled at the same moment cannot take more places than an upgrading programme has.

The places are counted under the programme's row lock (`select_for_update`), which SQLite does not
have: these tests run on PostgreSQL (CI runs the suite there too).
"""

import pytest
from django.db import connection

from kesip.core.tests import factories as f
from kesip.wbl import outcomes
from kesip.wbl.models import UpgradingEnrolment
from kesip.wbl.tests.test_outcomes import need, programme, setup
from kesip.wbl.tests.test_placement_concurrency import codes, race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_five_people_enrolled_at_once_in_the_last_two_places_leave_two():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL")
    t = setup()
    teachers = [f.StaffFactory(institution=t.institution, category="teacher") for _ in range(5)]
    n = outcomes.save_need(need(t, staff=teachers[0]), t.admin)
    p = outcomes.create_programme(programme(t, audience="teachers", places=3), [n.pk], t.admin)
    outcomes.enrol(p, t.admin, staff=t.teacher)  # one place already taken: two left
    results = race(*[lambda s=s: outcomes.enrol(p, t.admin, staff=s) for s in teachers])
    assert UpgradingEnrolment.objects.filter(programme=p).count() == 3
    assert sum(isinstance(r, UpgradingEnrolment) for r in results) == 2
    assert codes(results) == ["wbl.upgrading.places"] * 3


def test_the_same_person_enrolled_twice_at_once_is_enrolled_once():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL")
    t = setup()
    n = outcomes.save_need(need(t, staff=t.teacher), t.admin)
    p = outcomes.create_programme(programme(t, places=10), [n.pk], t.admin)
    results = race(*[lambda: outcomes.enrol(p, t.admin, staff=t.teacher) for _ in range(3)])
    assert UpgradingEnrolment.objects.filter(programme=p).count() == 1
    assert set(codes(results)) == {"wbl.upgrading.enrolled"}
