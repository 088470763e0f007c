import datetime as dt
from types import SimpleNamespace

import pytest

from gongkai.agencies.models import Role
from gongkai.agencies.tests.factories import make_agency, make_department, make_user
from gongkai.letters.tests.factories import complete_letterhead
from gongkai.workdays.tests.factories import store_national_calendar

PINNED = dt.date(2027, 1, 12)  # a day in January after the year 2026 being reported


@pytest.fixture(autouse=True)
def national_calendar(db):
    """The national working-day calendar 2004–2026 (chinesecalendar) in the table."""
    store_national_calendar()


@pytest.fixture
def world(db):
    """One agency (with a supervising agency) and one user per role; an outsider
    holding the 政务公开办 role of another agency."""
    parent = make_agency(name="示范市人民政府办公室", code="zf")
    agency = make_agency(name="示范市公安局", code="gaj", parent=parent)
    dept = make_department(agency, name="治安支队")
    users = {role: make_user(agency, role, department=dept, username=role) for role in Role.values}
    other = make_agency(name="示范市交通运输局", code="jtj")
    users["outsider"] = make_user(other, Role.OFFICE, username="outsider")
    users["parent_office"] = make_user(parent, Role.OFFICE, username="parent_office")
    complete_letterhead(agency)
    return SimpleNamespace(agency=agency, dept=dept, parent=parent, other=other, **users)


def fill_placeholders(annual, by):
    """Write the sentences the draft asks staff to write (【待补充】) as an office would."""
    from gongkai.annual import drafting, workflow

    texts = {
        key: [
            s["text"].replace(drafting.PLACEHOLDER, "本年度已按要求开展，")
            for s in annual.sections.get(key) or []
        ]
        for key in ("一", "五", "六")
    }
    return workflow.edit(annual, texts=texts, by=by)
