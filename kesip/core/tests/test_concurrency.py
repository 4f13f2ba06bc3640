"""Row locks hold under real concurrency (PostgreSQL): an invitation is accepted exactly once."""

import threading

import pytest
from django.db import connection

from kesip.core.models import Invitation, Membership, User

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL (CI runs the suite there too)")


def test_two_simultaneous_acceptances_create_one_account(world):
    from django.test import Client

    inv = Invitation.objects.create(
        institution=world.a.institution, email="t@example.kg", first_name="Т", last_name="Т", role="teacher"
    )
    barrier = threading.Barrier(4)
    codes = []

    def accept(username):
        client = Client()
        barrier.wait()
        response = client.post(
            f"/invite/{inv.token}/", {"username": username, "password1": "Окутуучу-2026!", "password2": "Окутуучу-2026!"}
        )
        codes.append(response.status_code)
        connection.close()

    threads = [threading.Thread(target=accept, args=(f"teacher{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [302, 404, 404, 404], codes
    assert User.objects.filter(username__startswith="teacher").count() == 1
    assert Membership.objects.filter(institution=world.a.institution, role="teacher").count() == 1
