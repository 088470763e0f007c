"""The PostgreSQL backend's health check (gongkai/ops/postgresql): no round trip for a
connection that nothing happened to, a reconnect for one the server closed."""

import time

import psycopg
import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("需要 PostgreSQL（DATABASE_URL=postgres://…）")
    assert settings.DATABASES["default"]["ENGINE"] == "gongkai.ops.postgresql"
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        yield other


def _last_query(other, pid):
    return other.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()[0]


def test_a_kept_connection_is_checked_without_a_query(postgresql):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'the last query' AS marker")
        pid = connection.connection.info.backend_pid
    connection.health_check_done = False  # as at the start of the next request
    connection.close_if_health_check_failed()
    assert connection.connection is not None
    assert _last_query(postgresql, pid) == "SELECT 'the last query' AS marker"


def test_a_connection_the_server_closed_is_replaced_before_the_next_query(postgresql):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        pid = connection.connection.info.backend_pid
    postgresql.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while (
        time.monotonic() < deadline
        and postgresql.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
    ):
        time.sleep(0.05)
    connection.health_check_done = False
    with connection.cursor() as cursor:  # no error: the closed connection was replaced
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid
