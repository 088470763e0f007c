"""The test fixtures' calendar rows (factories.store_national_calendar) are the loader's rows."""

import pytest

from gongkai.workdays import loading
from gongkai.workdays.models import ExceptionalDay
from gongkai.workdays.tests import factories

pytestmark = pytest.mark.django_db
FIELDS = ("date", "kind", "year", "name", "source", "note", "scope")


def _rows():
    return list(ExceptionalDay.objects.order_by("date", "kind").values_list(*FIELDS))


def test_the_fixture_rows_equal_what_the_loader_stores():
    loading.load_chinesecalendar()
    loaded = _rows()
    ExceptionalDay.objects.all().delete()
    factories.store_national_calendar()
    assert _rows() == loaded and len(loaded) > 700
    factories.store_national_calendar()  # a second fixture asking for it: nothing added
    assert _rows() == loaded


def test_the_fixture_rows_from_a_year_on():
    factories.store_national_calendar(first_year=2022)
    assert set(ExceptionalDay.objects.values_list("year", flat=True)) == {
        2022,
        2023,
        2024,
        2025,
        2026,
    }
