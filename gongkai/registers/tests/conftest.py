import datetime as dt
from types import SimpleNamespace

import pytest

from gongkai.agencies.models import Role
from gongkai.agencies.tests.factories import make_agency, make_department, make_user

D = dt.date.fromisoformat


@pytest.fixture
def world(db):
    """One agency with one user per role (handler in a department) and one outsider."""
    agency = make_agency()
    dept = make_department(agency)
    users = {role: make_user(agency, role, department=dept) for role in Role.values}
    outsider = make_user(make_agency(), Role.OFFICE)  # office role in another agency
    return SimpleNamespace(agency=agency, dept=dept, outsider=outsider, **users)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Staged uploads go to a fresh directory per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
