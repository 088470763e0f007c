"""Reports missing or late (Art. 49), with the date pinned (Beijing)."""

import datetime as dt

import pytest
from django.urls import reverse

from gongkai.library import collecting, due
from gongkai.library.models import Kind, LibraryAgency, LibraryReport

from .conftest import SEEDS


@pytest.fixture
def haining_2021(world, remembered_reads):
    collecting.collect([(SEEDS[0].name, SEEDS[0].read_bytes())])  # published 2022-01-15
    return LibraryReport.objects.get()


def states(year, today):
    rows = due.statuses(LibraryAgency.objects.all(), LibraryReport.objects.all(), year, today)
    return {r.agency.name: r for r in rows}


def test_missing_only_after_31_january(haining_2021):
    before = states(2021, dt.date(2022, 1, 31))
    assert before["嵩县公安局"].state == "not_due"
    after = states(2021, dt.date(2022, 2, 1))
    assert after["嵩县公安局"].state == "missing"
    assert after["海宁市公安局"].state == "on_time"
    assert after["海宁市公安局"].published == dt.date(2022, 1, 15)


def test_a_report_published_after_the_deadline_is_late(haining_2021):
    haining_2021.current["published"] = "2022-02-10"
    haining_2021.save()
    row = states(2021, dt.date(2022, 6, 1))["海宁市公安局"]
    assert (row.state, row.days_late) == ("late", 10)


def test_a_government_has_until_31_march_and_regions_are_not_listed(world):
    LibraryAgency(name="洛阳市人民政府", kind=Kind.GOVERNMENT).save()
    LibraryAgency(name="洛阳市", kind=Kind.REGION).save()
    rows = states(2021, dt.date(2022, 3, 1))
    assert rows["洛阳市人民政府"].state == "not_due"
    assert rows["洛阳市公安局"].state == "missing"
    assert "洛阳市" not in rows


def test_default_year_is_the_latest_whose_deadline_passed():
    assert due.default_year(dt.date(2022, 1, 31)) == 2020
    assert due.default_year(dt.date(2022, 2, 1)) == 2021


@pytest.mark.parametrize(
    "role", ["office", "leader", "county", "researcher", "handler", "registrar", "outsider"]
)
def test_due_page_per_role(client, world, haining_2021, role):
    client.force_login(getattr(world, role))
    response = client.get(reverse("library:due") + "?year=2021")
    viewers = {"office", "leader", "county", "researcher"}
    assert response.status_code == (200 if role in viewers else 403)
    if response.status_code == 200:
        text = response.content.decode()
        assert "2021年度报告未报送与逾期" in text
        assert ("嵩县公安局" in text) == (role != "county")  # missing, if reached
