"""Every cell of table 三 links to the cases it counts: cases.stats.cell_cases selects
exactly as many cases as the cell says, by the same definitions; the list page shows
them to the report's roles only."""

import datetime as dt

import pytest
from django.test import Client

from gongkai.agencies.models import Role
from gongkai.annual import workflow
from gongkai.cases.models import ApplicantType
from gongkai.cases.stats import annual_tables, cell_cases
from gongkai.cases.tests.factories import make_case, run_to

from .conftest import PINNED

D = dt.date


@pytest.fixture
def cases(world):
    late = make_case(world.agency, world.registrar, submitted_on=D(2025, 12, 22))
    run_to(late, world, "delivered", on=D(2026, 1, 6))  # carried over, concluded in 2026
    denied = make_case(
        world.agency,
        world.registrar,
        submitted_on=D(2026, 3, 2),
        applicant_type=ApplicantType.COMMERCIAL,
    )
    run_to(denied, world, "delivered", outcome="denied.state_secret", on=D(2026, 3, 9))
    make_case(world.agency, world.registrar, submitted_on=D(2026, 12, 28))  # carried forward
    return world


def test_each_cell_selects_as_many_cases_as_it_counts(cases):
    table = annual_tables(cases.agency, 2026)["requests"]
    for row, cells in table.items():
        for col, value in cells.items():
            selected = cell_cases(cases.agency, 2026, row, col)
            assert selected is not None, (row, col)
            assert selected.count() == value, (row, col)
    assert cell_cases(cases.agency, 2026, "nonsense", "total") is None
    assert cell_cases(cases.agency, 2026, "new", "nonsense") is None


@pytest.mark.parametrize("who", [*Role.values, "outsider"])
def test_cell_page_by_role(cases, who):
    client = Client()
    client.force_login(getattr(cases, who))
    response = client.get("/annual/gaj/2026/cell/?row=denied.state_secret&col=total")
    if who in (Role.OFFICE, Role.OFFICE_HEAD, Role.LEADER):
        page = response.content.decode()
        assert response.status_code == 200
        assert "（三）不予公开1.属于国家秘密" in page and "1 件" in page
        assert "张三" not in page  # no applicant's name on the list
    else:
        assert response.status_code == 403


def test_workspace_cells_link_to_their_cases(cases):
    workflow.start(cases.agency, 2026, by=cases.office, today=PINNED)
    client = Client()
    client.force_login(cases.office)
    page = client.get("/annual/gaj/2026/").content.decode()
    assert 'href="/annual/gaj/2026/cell/?row=carry_forward&amp;col=total">1</a>' in page
    assert client.get("/annual/gaj/2026/cell/?row=bogus&col=total").status_code == 404
