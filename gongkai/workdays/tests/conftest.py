import pytest

from gongkai.workdays.seed import national_calendar


@pytest.fixture(scope="session")
def cal():
    """The national calendar 2004–2026 built straight from chinesecalendar (no DB)."""
    return national_calendar()
