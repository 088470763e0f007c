import datetime as dt

import pytest

from gongkai.workdays import loading
from gongkai.workdays.models import ExceptionalDay

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


def test_an_empty_table_is_a_clear_error():
    with pytest.raises(LookupError, match="calendar load"):
        loading.get_calendar()


def test_the_cached_calendar_follows_changes_to_the_table():
    loading.load_chinesecalendar()
    assert loading.get_calendar().is_workday(D("2025-10-09"))
    ExceptionalDay.objects.create(
        date=D("2025-10-09"), kind="holiday", year=2025, name="测试", source="测试"
    )
    assert not loading.get_calendar().is_workday(D("2025-10-09"))


def test_local_days_apply_only_to_their_scope():
    loading.load_chinesecalendar()
    ExceptionalDay.objects.create(
        date=D("2025-03-31"),
        kind="holiday",
        year=2025,
        name="古尔邦节",
        source="自治区通知",
        scope="xj-urumqi",
    )
    assert not loading.get_calendar("xj-urumqi").is_workday(D("2025-03-31"))
    assert loading.get_calendar().is_workday(D("2025-03-31"))
    assert loading.national_years() == set(range(2004, 2027))
