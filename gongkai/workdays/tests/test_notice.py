import datetime as dt
from pathlib import Path

import chinese_calendar
import pytest

from gongkai.workdays.calendar import WorkCalendar
from gongkai.workdays.notice import NoticeError, parse_notice

DATA = Path(__file__).parent / "testdata"


def read(name):
    return (DATA / name).read_text(encoding="utf-8")


def test_the_real_2025_notice_gives_exactly_chinesecalendars_2025_days():
    parsed = parse_notice(read("notice-2025.txt"), 2025)
    expected_off = sorted(d.isoformat() for d in chinese_calendar.holidays if d.year == 2025)
    expected_on = sorted(d.isoformat() for d in chinese_calendar.workdays if d.year == 2025)
    assert parsed.as_json() == {"year": 2025, "holidays": expected_off, "workdays": expected_on}
    assert parsed.source == "国务院办公厅 国办发明电〔2024〕12号"
    assert dict(parsed.holidays)[dt.date(2025, 10, 6)] == "国庆节、中秋节"


@pytest.mark.parametrize(
    ("name", "year"), [("notice-2019-old-style.txt", 2019), ("notice-2010-no-brackets.txt", 2010)]
)
def test_older_wordings_give_chinesecalendars_working_days(name, year):
    """星期X, explicit years across 元旦, 与周末连休, and no brackets at all (reconstructed texts)."""
    parsed = parse_notice(read(name))
    assert parsed.year == year
    cal = WorkCalendar(
        [d for d, _ in parsed.holidays], [d for d, _ in parsed.workdays], {year - 1, year}
    )
    for i in range(365):
        day = dt.date(year, 1, 1) + dt.timedelta(days=i)
        assert cal.is_workday(day) is chinese_calendar.is_workday(day), day


def test_a_make_up_day_in_the_previous_december_belongs_to_the_notice():
    parsed = parse_notice(read("notice-2019-old-style.txt"))
    assert (dt.date(2018, 12, 29), "元旦") in parsed.workdays
    assert dt.date(2018, 12, 30) in dict(parsed.holidays)


def test_a_wrong_weekday_in_brackets_is_refused():
    text = read("notice-2025.txt").replace("1月26日（周日）", "1月26日（周一）")
    with pytest.raises(NoticeError, match="通知自相矛盾.*1月26日.*周一.*周日"):
        parse_notice(text, 2025)


def test_the_notice_for_another_year_is_refused():
    with pytest.raises(NoticeError, match="2025年的安排，但指定的年份是2027年"):
        parse_notice(read("notice-2025.txt"), 2027)


def test_a_total_that_does_not_match_the_period_is_refused():
    text = read("notice-2025.txt").replace("放假调休，共8天。1月26日", "放假调休，共7天。1月26日")
    with pytest.raises(NoticeError, match="共7天.*共8天"):
        parse_notice(text, 2025)


def test_a_weekday_make_up_day_is_refused():
    text = read("notice-2010-no-brackets.txt").replace("2月20日、21日上班", "2月22日上班")
    with pytest.raises(NoticeError, match="调休上班日应为周六或周日"):
        parse_notice(text)


def test_text_without_any_schedule_is_refused():
    with pytest.raises(NoticeError, match="未能从通知中识别出任何放假安排"):
        parse_notice("这不是放假通知。", 2027)
