from types import SimpleNamespace

import pytest

from gongkai.agencies.models import Role
from gongkai.agencies.tests.factories import make_agency, make_department, make_user
from gongkai.portal import views

from .factories import NOW


@pytest.fixture(autouse=True)
def default_agency_unset(settings):
    """Each test starts with the default agency setting unset (and, gongkai/conftest.py,
    an empty cache)."""
    settings.PORTAL_AGENCY_CODE = ""


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
