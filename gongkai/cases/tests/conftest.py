import datetime as dt
from types import SimpleNamespace

import pytest

from gongkai.agencies.models import Role
from gongkai.agencies.tests.factories import make_agency, make_department, make_user
from gongkai.letters.tests.factories import complete_letterhead
from gongkai.workdays.tests.factories import store_national_calendar


@pytest.fixture(autouse=True)
def national_calendar(db):
    """The national working-day calendar 2004–2026 (chinesecalendar) in the table."""
    store_national_calendar()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Every test stores its files (an 电子送达 keeps the reply PDF) in its own MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(db):
    """One agency with two departments and one user per role."""
    agency = make_agency()
    dept = make_department(agency, name="治安支队")
    other_dept = make_department(agency, name="户政支队")
    users = {role: make_user(agency, role, department=dept) for role in Role.values}
    users["other_handler"] = make_user(agency, Role.HANDLER, department=other_dept)
    complete_letterhead(agency)  # a reply names the 复议机关 and the court
    return SimpleNamespace(agency=agency, dept=dept, other_dept=other_dept, **users)


D = dt.date.fromisoformat
