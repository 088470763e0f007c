"""The national schedule 2004–2026 as shipped by the chinesecalendar package (pure).

chinesecalendar keeps, per date, whether it is a holiday or a make-up workday and
the festival's English name (regulation.md §3.2). A make-up workday in late
December for next year's 元旦 (e.g. 2018-12-29) belongs to next year's notice.
"""

from dataclasses import dataclass
from importlib.metadata import version

import chinese_calendar
from chinese_calendar.constants import Holiday

HOLIDAY = "holiday"
WORKDAY = "workday"
NAMES = {h.value: h.chinese for h in Holiday}


@dataclass(frozen=True)
class Day:
    """One exceptional day of a national schedule."""

    date: object
    kind: str
    year: int
    name: str


def source_label():
    """How seeded rows name their source, with the package version for audit."""
    return f"chinesecalendar {version('chinesecalendar')}"


def _schedule_year(day, english):
    if day.month == 12 and english == Holiday.new_years_day.value:
        return day.year + 1
    return day.year


def chinesecalendar_days():
    """Every holiday and make-up workday of chinesecalendar, sorted by date."""
    days = []
    for kind, table in ((HOLIDAY, chinese_calendar.holidays), (WORKDAY, chinese_calendar.workdays)):
        for day, english in table.items():
            name = NAMES.get(english, english)
            days.append(Day(day, kind, _schedule_year(day, english), name))
    return sorted(days, key=lambda d: (d.date, d.kind))


def covered_years():
    """The years chinesecalendar has a full schedule for (2004–2026 in 1.11.0)."""
    years = {d.year for d in chinese_calendar.holidays}
    return set(range(min(years), max(years) + 1))


def national_calendar():
    """A WorkCalendar of the whole chinesecalendar data set (used by tests and bench)."""
    from gongkai.workdays.calendar import WorkCalendar

    days = chinesecalendar_days()
    return WorkCalendar(
        holidays=[d.date for d in days if d.kind == HOLIDAY],
        workdays=[d.date for d in days if d.kind == WORKDAY],
        years=covered_years(),
    )
