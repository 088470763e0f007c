from types import SimpleNamespace

import pytest
from django.core.cache import cache

from gongkai.agencies.models import Role
from gongkai.agencies.tests.factories import make_agency, make_department, make_user
from gongkai.portal import views

from .factories import NOW


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """Each test starts with an empty cache and the default agency setting unset."""
    settings.PORTAL_AGENCY_CODE = ""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def pinned_now(monkeypatch):
    monkeypatch.setattr(views, "now", lambda: NOW)
    return NOW


@pytest.fixture
def world(db):
    """The default agency (created first) with one user per role, and a second agency."""
    agency = make_agency(name="示范市公安局", code="SFGAJ")
    other = make_agency(name="邻市公安局", code="LSGAJ")
    dept = make_department(agency, name="治安支队")
    users = {role: make_user(agency, role, department=dept) for role in Role.values}
    users["outsider"] = make_user(other, Role.OFFICE)
    return SimpleNamespace(agency=agency, other=other, users=users, **users)
