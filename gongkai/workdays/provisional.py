"""Provisional days off for a year whose 国务院办公厅 schedule is not yet published.

Only used when a caller explicitly asks for a provisional result; such results are
flagged `provisional` everywhere they are shown (issue 3).

The days are the 全体公民放假的节日 of 《全国年节及纪念日放假办法》 (2024 revision,
第二条): 元旦 1月1日; 春节 农历除夕、正月初一至初三; 清明节 农历清明当日;
劳动节 5月1日、2日; 端午节 农历端午当日; 中秋节 农历中秋当日; 国庆节 10月1日至3日.
第六条: a holiday falling on a Saturday or Sunday is made up (补假) on a working day;
we take the next Monday–Friday that is not already a day off. The 调休 swaps of a
real schedule cannot be predicted and are not guessed.

Lunar dates come from `lunardate` (pure Python, 1900–2099); 清明 is a solar term,
taken from chinesecalendar's solar-term table (1900–2100).
"""

import datetime as dt

import chinese_calendar
from lunardate import LunarDate

ONE_DAY = dt.timedelta(days=1)


def _lunar(year, month, day):
    return LunarDate(year, month, day).to_solar_date()


def _qingming(year):
    terms = chinese_calendar.get_solar_terms(dt.date(year, 4, 1), dt.date(year, 4, 10))
    return next(day for day, name in terms if name == "清明")


def statutory_holidays(year):
    """The 13 statutory days off of `year` as {date: festival name} (放假办法 第二条)."""
    new_year = _lunar(year, 1, 1)
    days = {
        dt.date(year, 1, 1): "元旦",
        new_year - ONE_DAY: "春节",
        new_year: "春节",
        new_year + ONE_DAY: "春节",
        new_year + 2 * ONE_DAY: "春节",
        _qingming(year): "清明节",
        dt.date(year, 5, 1): "劳动节",
        dt.date(year, 5, 2): "劳动节",
        _lunar(year, 5, 5): "端午节",
        _lunar(year, 8, 15): "中秋节",
    }
    for day in (1, 2, 3):
        days.setdefault(dt.date(year, 10, day), "国庆节")
    return days


def statutory_days_off(year):
    """Statutory holidays plus their 补假 days (放假办法 第六条), as {date: name}."""
    days = statutory_holidays(year)
    result = dict(days)
    for day in sorted(days):
        if day.weekday() < 5:
            continue
        substitute = day + ONE_DAY
        while substitute.weekday() >= 5 or substitute in result:
            substitute += ONE_DAY
        result[substitute] = f"{days[day]}补假"
    return result
