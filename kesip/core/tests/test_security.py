"""Security baseline: lockout, password rules, CSRF, production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from kesip.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def test_account_locks_after_repeated_failures(settings):
    user = UserFactory(username="nazira")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/accounts/login/", {"username": "nazira", "password": "wrong-password"})
        assert response.status_code == 200 and "form" in response.context
    response = client.post("/accounts/login/", {"username": "nazira", "password": "wrong-password"})
    assert response.status_code == 429
    response = client.post("/accounts/login/", {"username": "nazira", "password": "Kesip-test-2026"})
    assert response.status_code == 429 and b"Too many failed logins" in response.content
    assert user.is_active


def test_right_password_logs_in_before_the_limit():
    UserFactory(username="bakyt")
    client = Client()
    client.post("/accounts/login/", {"username": "bakyt", "password": "nope-nope-nope"})
    response = client.post("/accounts/login/", {"username": "bakyt", "password": "Kesip-test-2026"})
    assert response.status_code == 302


def test_csrf_is_enforced(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.a.admin, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post("/staff/add/", {"last_name": "X"})
    assert response.status_code == 403


def test_check_deploy_is_clean_with_production_settings():
    env = dict(
        os.environ,
        KESIP_DEBUG="0",
        KESIP_SECRET_KEY="x" * 64 + "production-secret-from-environment",
        KESIP_ALLOWED_HOSTS="kesip.example.kg",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set only by the browser tests
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret():
    env = dict(os.environ, KESIP_DEBUG="0")
    env.pop("KESIP_SECRET_KEY", None)
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "KESIP_SECRET_KEY" in result.stderr
