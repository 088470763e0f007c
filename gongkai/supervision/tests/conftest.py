"""Fixtures of the supervision tests (the pattern of gongkai/cases/tests/conftest.py)."""

import datetime as dt
from types import SimpleNamespace

import pytest

from gongkai.agencies.models import Role
from gongkai.agencies.tests.factories import make_agency, make_department, make_user
from gongkai.letters.tests.factories import complete_letterhead
from gongkai.workdays.tests.factories import store_national_calendar

D = dt.date.fromisoformat
FIRST_YEAR = 2022  # the tests' dates lie in 2023–2026


@pytest.fixture
def calendar_loaded(db):
    """The national working-day calendar 2022–2026 (chinesecalendar) in the table: the
    years these tests use only (a quarter of the rows: the fixture runs for almost every
    test)."""
    store_national_calendar(first_year=FIRST_YEAR)


def staff(agency, dept, other_dept, prefix=""):
    """One user per role (with an e-mail address), a second handler without one, and a
    handler of the other department."""
    users = {
        role: make_user(
            agency,
            role,
            department=dept,
            username=f"{prefix}{role}",
            email=f"{prefix}{role}@example.cn",
        )
        for role in Role.values
    }
    users["handler_no_mail"] = make_user(
        agency, Role.HANDLER, department=dept, username=f"{prefix}handler2"
    )
    users["other_handler"] = make_user(
        agency,
        Role.HANDLER,
        department=other_dept,
        username=f"{prefix}other_handler",
        email=f"{prefix}other@example.cn",
    )
    return users


@pytest.fixture
def world(calendar_loaded):
    """One agency with two departments and staff (see `staff`)."""
    agency = make_agency()
    dept = make_department(agency, name="治安支队")
    other_dept = make_department(agency, name="户政支队")
    complete_letterhead(agency)  # a reply names the 复议机关 and the court
    return SimpleNamespace(
        agency=agency, dept=dept, other_dept=other_dept, **staff(agency, dept, other_dept)
    )
