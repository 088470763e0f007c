"""The agency's deadlines in a 复议/诉讼, pinned around 国庆 2024 and 春节 2025.

国庆 2024: 10月1日–7日放假, 9月29日（日）、10月12日（六）上班.
春节 2025: 1月28日–2月4日放假, 1月26日（日）、2月8日（六）上班.
"""

import datetime as dt

import pytest

from gongkai.appeals import deadlines
from gongkai.workdays import loading
from gongkai.workdays.tests.factories import store_national_calendar

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


@pytest.fixture
def cal():
    store_national_calendar()
    return loading.get_calendar()


def test_reconsideration_answer_is_ten_working_days_over_national_day(cal):
    # 行政复议法 2023 第四十八条, 第八十八条第二款: 十日 = working days. From Fri 27 Sep:
    # 29 Sep (调休), 30 Sep, then 8–12 Oct (12th 调休), 14–16 Oct.
    assert deadlines.reconsideration_answer_due(cal, D("2024-09-27")) == D("2024-10-16")


def test_reconsideration_answer_in_calendar_days_when_so_configured(cal, settings):
    # APPEALS_RECONSIDERATION_WORKDAYS = False: 10 calendar days end on 7 Oct, a holiday,
    # so the period ends on the first working day after it (民事诉讼法第八十五条).
    settings.APPEALS_RECONSIDERATION_WORKDAYS = False
    assert deadlines.reconsideration_answer_due(cal, D("2024-09-27")) == D("2024-10-08")
    assert deadlines.reconsideration_answer_due(cal, D("2025-01-20")) == D("2025-02-05")


def test_simplified_reconsideration_answer_is_five_working_days_over_spring_festival(cal):
    # 行政复议法 2023 第五十四条: 五日. From Fri 24 Jan 2025: 26 Jan (调休), 27 Jan, 5–7 Feb.
    got = deadlines.reconsideration_answer_due(cal, D("2025-01-24"), simplified=True)
    assert got == D("2025-02-07")


def test_defence_is_fifteen_calendar_days_moved_past_national_day(cal):
    # 行政诉讼法第六十七条: 十五日; 20 Sep + 15 = 5 Oct (holiday) → 8 Oct.
    assert deadlines.defence_due(cal, D("2024-09-20")) == D("2024-10-08")
    # ending on a plain working day it stays: 9 Sep + 15 = 24 Sep (Tue).
    assert deadlines.defence_due(cal, D("2024-09-09")) == D("2024-09-24")


def test_defence_ending_on_the_national_day_make_up_sunday_stays(cal):
    # 14 Sep + 15 = 29 Sep 2024, a Sunday worked in lieu (调休上班): a working day.
    assert deadlines.defence_due(cal, D("2024-09-14")) == D("2024-09-29")


def test_appeal_windows_over_spring_festival(cal):
    # 行政诉讼法第八十五条: 判决 15 days, 裁定 10 days; both end on 30 Jan 2025 (春节) → 5 Feb.
    assert deadlines.appeal_window_end(cal, D("2025-01-15"), ruling=False) == D("2025-02-05")
    assert deadlines.appeal_window_end(cal, D("2025-01-20"), ruling=True) == D("2025-02-05")
    # ending on a Saturday worked in lieu (8 Feb 2025) it stays there.
    assert deadlines.appeal_window_end(cal, D("2025-01-24"), ruling=False) == D("2025-02-08")
