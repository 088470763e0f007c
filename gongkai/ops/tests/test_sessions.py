"""gongkai.ops.sessions: Django's cached_db sessions with fewer round trips per new session."""

import pytest
from django.contrib.sessions.backends.base import CreateError
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongkai.ops.sessions import SessionStore

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)  # outside a transaction, as in a request
def test_a_new_session_is_one_insert_and_kept_in_the_database_and_the_cache():
    store = SessionStore()
    store["receipt"] = {"tracking_number": "W2026-1"}
    with CaptureQueriesContext(connection) as queries:
        store.save()
    sql = [q["sql"] for q in queries.captured_queries]
    assert len(sql) == 1 and sql[0].startswith("INSERT"), sql  # no SELECT, no BEGIN/COMMIT
    row = Session.objects.get(session_key=store.session_key)
    assert row.get_decoded() == {"receipt": {"tracking_number": "W2026-1"}}
    assert cache.get(store.cache_key) == {"receipt": {"tracking_number": "W2026-1"}}
    cache.delete(store.cache_key)  # a cache restart: the session is still there
    assert SessionStore(store.session_key)["receipt"]["tracking_number"] == "W2026-1"


def test_a_key_drawn_twice_gets_another_and_an_update_changes_the_row(monkeypatch):
    first = SessionStore()
    first["n"] = 1
    first.save()
    keys = iter([first.session_key, "b" * 32])
    monkeypatch.setattr(SessionStore, "_get_new_session_key", lambda self: next(keys))
    second = SessionStore()
    second["n"] = 2
    second.save()  # the repeated key is refused by the database, a new one drawn
    assert second.session_key == "b" * 32
    assert SessionStore(first.session_key)["n"] == 1
    again = SessionStore(first.session_key)
    again["n"] = 3
    again.save()
    cache.clear()
    assert SessionStore(first.session_key)["n"] == 3


def test_inside_a_transaction_a_refused_key_leaves_the_transaction_usable():
    """(Each test here but the first runs inside a transaction.)"""
    first = SessionStore()
    first.save()
    clash = SessionStore()
    clash._session_key = first.session_key
    with pytest.raises(CreateError):
        clash.save(must_create=True)
    assert Session.objects.filter(session_key=first.session_key).count() == 1
