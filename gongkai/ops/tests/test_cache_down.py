"""Sessions survive a Redis restart (cached_db); with Redis down the portal serves,
staff log in, and the public form's rate limit fails closed."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import caches
from django.test import Client

from gongkai.agencies.models import Role
from gongkai.agencies.tests.factories import make_agency, make_department, make_user
from gongkai.intake import ratelimit

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def redis_cache(settings, redis_server):
    settings.CACHES = {
        "default": {
            "BACKEND": "gongkai.rediscache.RedisCache",
            "LOCATION": redis_server.url,
            "KEY_PREFIX": "gongkai",
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    return redis_server


@pytest.fixture
def staff(db):
    agency = make_agency()
    user = make_user(agency, Role.HANDLER, department=make_department(agency), username="h1")
    user.set_password("pw-12345678")
    user.save()
    return user


def _login(client):
    response = client.post("/accounts/login/", {"username": "h1", "password": "pw-12345678"})
    assert response.status_code == 302, response.text[:500]


def test_settings_with_redis_keep_sessions_in_the_database_too(tmp_path):
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:1/0", "GONGKAI_VAR": str(tmp_path)}
    env.update(PYTHONPATH=str(ROOT), DJANGO_SETTINGS_MODULE="gongkai.settings")
    code = (
        "import django;django.setup();from django.contrib.sessions.backends.cached_db import "
        "SessionStore as C;from django.utils.module_loading import import_string as i;"
        "from django.conf import settings as s;print(issubclass(i(s.SESSION_ENGINE + "
        "'.SessionStore'), C))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "True"  # gongkai.ops.sessions: cached_db, fewer round trips


def test_a_redis_restart_signs_nobody_out(redis_cache, staff):
    client = Client()
    _login(client)
    assert client.get("/cases/").status_code == 200
    redis_cache.stop()
    redis_cache.start()  # empty: nothing was saved
    assert client.get("/cases/").status_code == 200  # the session, from the database


def test_with_redis_down_portal_serves_staff_log_in_and_rate_limits_fail_closed(
    redis_cache, staff, settings
):
    make_agency(name="示范市公安局", code="SFGAJ")
    redis_cache.stop()
    assert Client().get("/xxgk/").status_code == 200
    assert not caches["default"]._available()  # paused: the next calls do not even try
    client = Client()
    _login(client)
    assert client.get("/cases/").status_code == 200
    verdict = ratelimit.hit("apply", "203.0.113.9", "INTAKE_RATE_LIMIT")
    assert verdict.allowed is False  # the public form refuses rather than counting nothing
    redis_cache.start()
