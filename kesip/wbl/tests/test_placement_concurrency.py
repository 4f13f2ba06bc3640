"""Two coordinators placing at the same moment cannot overfill a workplace or give a mentor a third apprentice.

The places and the mentor are counted under row locks (`select_for_update`), which SQLite does not
have: these tests run on PostgreSQL (CI runs the suite there too).
"""

import datetime
import threading

import pytest
from django.db import connection

from kesip.core.rules import RuleViolation
from kesip.wbl import placement_rules as rules
from kesip.wbl import placements as services
from kesip.wbl.common import WblInvalid
from kesip.wbl.models import Agreement, Placement
from kesip.wbl.tests.placement_setup import FIRST, LAST, college, plan, values

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*steps):
    barrier, outcomes = threading.Barrier(len(steps)), []

    def run(step):
        barrier.wait()
        try:
            outcomes.append(step())
        except (WblInvalid, RuleViolation) as refusal:
            outcomes.append(refusal)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(step,)) for step in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def codes(outcomes):
    return [v.code for o in outcomes if isinstance(o, WblInvalid) for v in o.violations]


def test_four_coordinators_planning_the_last_place_at_once_leave_one_placement():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL")
    t = college(places=1, students=4)
    outcomes = race(*[lambda s=s: services.save_placement(Placement(**values(t, student=s)), t.admin) for s in t.students])
    assert Placement.objects.filter(workplace=t.workplace).count() == 1
    assert sum(isinstance(o, WblInvalid) for o in outcomes) == 3 and set(codes(outcomes)) == {rules.WORKPLACES}


def test_a_bulk_placement_and_a_single_one_at_once_never_overfill_the_workplace():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL")
    t = college(places=2, students=3)
    common = {"form": "practice", "practice_type": "production", "starts_on": FIRST, "ends_on": LAST, "consent_by": "learner",
              "consent_on": datetime.date(2025, 2, 10)}  # fmt: skip
    rows = [{"student": s, "employer": t.employer, "workplace": t.workplace, "mentor": t.mentor} for s in t.students[:2]]
    outcomes = race(
        lambda: services.place_group(t.group, rows, t.admin, common),
        lambda: services.save_placement(Placement(**values(t, student=t.students[2])), t.admin),
    )
    bulk_won = Placement.objects.filter(student=t.students[0]).exists()
    assert sum(isinstance(o, WblInvalid) for o in outcomes) == 1
    assert Placement.objects.filter(workplace=t.workplace).count() == (2 if bulk_won else 1)


def test_a_mentor_with_one_apprentice_gets_exactly_one_more_when_three_are_placed_at_once():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL")
    t = college(level="primary_vocational", students=4, places=10)
    for s in t.students:
        Agreement.objects.create(
            institution=t.institution, employer=t.employer, kind="apprenticeship", form="apprenticeship", learner=s,
            status="active", starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2025, 12, 31),
        )  # fmt: skip
    apprenticeship = dict(form="apprenticeship", practice_type="", apprenticeship_form="individual", workplace=None)
    plan(t, student=t.students[0], **apprenticeship)
    outcomes = race(
        *[
            lambda s=s: services.save_placement(Placement(**values(t, student=s, **apprenticeship)), t.admin)
            for s in t.students[1:]
        ]
    )
    assert Placement.objects.filter(mentor=t.mentor, form="apprenticeship").count() == 2
    assert sum(isinstance(o, WblInvalid) for o in outcomes) == 2 and set(codes(outcomes)) == {rules.MAX_APPRENTICES}
