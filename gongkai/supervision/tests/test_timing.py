"""Working days a reply took (pure: the calendar built straight from chinesecalendar)."""

import datetime as dt
import functools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongkai.supervision.timing import days_taken
from gongkai.workdays import clock
from gongkai.workdays.seed import national_calendar

D = dt.date.fromisoformat
CAL = functools.cache(national_calendar)


@pytest.fixture
def cal():
    return CAL()


def test_same_day_reply_took_no_working_day(cal):
    assert days_taken(cal, D("2024-03-04"), D("2024-03-04")) == 0


def test_counts_working_days_after_receipt_up_to_the_reply(cal):
    # Fri 03-01 → Fri 03-08: Mon–Fri of the next week.
    assert days_taken(cal, D("2024-03-01"), D("2024-03-08")) == 5
    # A reply on a Sunday counts up to the Friday before.
    assert days_taken(cal, D("2024-03-01"), D("2024-03-10")) == 5


def test_spring_festival_is_not_counted(cal):
    # 2024-02-09 (Fri) → 2024-02-19 (Mon): 10–17 off, 18 (Sun) a make-up working day.
    assert days_taken(cal, D("2024-02-09"), D("2024-02-19")) == 2


def test_correction_restarts_the_count(cal):
    taken = days_taken(cal, D("2024-03-01"), D("2024-03-15"), corrected=D("2024-03-08"))
    assert taken == 5


def test_consultation_days_are_left_out(cal):
    consultation = clock.Consultation(D("2024-03-05"), D("2024-03-08"))  # Wed–Fri paused
    taken = days_taken(cal, D("2024-03-01"), D("2024-03-15"), consultations=[consultation])
    assert taken == 10 - 3


def test_counting_the_receipt_day(cal):
    assert days_taken(cal, D("2024-03-04"), D("2024-03-04"), count_receipt_day=True) == 1


@given(
    received=st.dates(dt.date(2019, 6, 1), dt.date(2026, 6, 1)),
    span=st.integers(0, 120),
)
def test_matches_the_calendar_without_consultations(received, span):
    cal = CAL()
    replied = received + dt.timedelta(days=span)
    assert days_taken(cal, received, replied) == cal.workdays_between(received, replied)


@given(received=st.dates(dt.date(2019, 6, 1), dt.date(2026, 6, 1)), n=st.integers(1, 40))
def test_reply_on_the_due_date_took_the_period(received, n):
    """Replying on the n-th working day after receipt took exactly n working days."""
    cal = CAL()
    assert days_taken(cal, received, cal.nth_workday_after(received, n)) == n
