import datetime as dt

import chinese_calendar
import pytest

from gongkai.workdays.calendar import ScheduleMissing, WorkCalendar
from gongkai.workdays.provisional import statutory_days_off, statutory_holidays

D = dt.date.fromisoformat


def test_is_workday_agrees_with_chinesecalendar_every_day(cal):
    day = dt.date(2004, 1, 1)
    while day <= dt.date(2026, 12, 31):
        assert cal.is_workday(day) is chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


def test_nth_workday_after_never_counts_the_start_day(cal):
    # regulation.md §3.2: find_workday(20, Sat) is one day late; we are not.
    assert cal.nth_workday_after(D("2025-09-27"), 20) == D("2025-10-30")
    assert cal.nth_workday_after(D("2025-09-26"), 1) == D("2025-09-28")  # 调休 Sunday


def test_workdays_between_counts_the_end_not_the_start(cal):
    assert cal.workdays_between(D("2025-09-30"), D("2025-10-09")) == 1
    assert cal.workdays_between(D("2025-10-09"), D("2025-10-09")) == 0


@pytest.mark.parametrize("day", ["2027-01-04", "2003-12-31"])
def test_a_year_without_schedule_is_refused_naming_the_year(cal, day):
    with pytest.raises(ScheduleMissing) as err:
        cal.is_workday(D(day))
    assert f"{D(day).year}年的节假日安排尚未载入" in str(err.value)
    assert err.value.year == D(day).year


def test_a_computation_running_into_next_year_is_refused(cal):
    with pytest.raises(ScheduleMissing, match="2027年"):
        cal.nth_workday_after(D("2026-12-20"), 20)


def test_a_gap_year_is_refused_not_guessed():
    cal = WorkCalendar({D("2024-01-01")}, set(), {2024, 2026})
    with pytest.raises(ScheduleMissing, match="2025年"):
        cal.nth_workday_after(D("2024-12-20"), 20)
    assert cal.nth_workday_after(D("2024-12-02"), 3) == D("2024-12-05")


def test_provisional_calendar_fills_missing_years_and_flags_them(cal):
    guessed = cal.provisional(2027)
    assert guessed.provisional_years == {2027, 2028}
    start, end = D("2026-12-20").toordinal(), D("2027-01-20").toordinal()
    assert guessed.is_provisional_span(start, end)
    assert not guessed.is_provisional_span(start, D("2026-12-31").toordinal())
    assert not guessed.is_workday(D("2027-02-08"))  # 春节 2027: 除夕 2月5日, 初一至初三 6–8日
    assert guessed.is_workday(D("2026-12-31")) is chinese_calendar.is_workday(D("2026-12-31"))


def test_statutory_holidays_of_2027_follow_the_lunar_calendar():
    days = statutory_holidays(2027)
    assert len(days) == 13  # 放假办法 第二条 (2024): 13 days
    assert days[D("2027-02-05")] == "春节"  # 除夕
    assert days[D("2027-04-05")] == "清明节"
    assert days[D("2027-06-09")] == "端午节"
    assert days[D("2027-09-15")] == "中秋节"


def test_weekend_holidays_get_a_make_up_day_off():
    off = statutory_days_off(2027)  # 10月2日、3日 are Sat/Sun → 补假 Mon/Tue
    assert off[D("2027-10-04")].endswith("补假") and off[D("2027-10-05")].endswith("补假")


@pytest.mark.parametrize("year", [2025, 2026])
def test_provisional_year_has_as_many_working_days_as_the_real_schedule(year):
    off = statutory_days_off(year)
    days = [dt.date(year, 1, 1) + dt.timedelta(i) for i in range(365)]
    guessed = sum(1 for d in days if d.weekday() < 5 and d not in off)
    assert guessed == sum(1 for d in days if chinese_calendar.is_workday(d))
