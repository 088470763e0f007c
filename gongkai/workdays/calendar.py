"""China's working-day calendar as plain data (no ORM).

A working day (工作日) is a day the 国家机关 works: Monday to Friday, minus the
holidays of the year's 国务院办公厅 notice, plus the weekend days the notice
makes working days (调休上班). See regulation.md §3.1; the 条例 itself does not
define 工作日.

`WorkCalendar` precomputes, over the years it covers, the ordinals of all working
days and a prefix count, so "the n-th working day after d" is two list look-ups.
A year without a published schedule is never guessed: any computation touching it
raises `ScheduleMissing`, unless the calendar was extended with `provisional()`.
"""

import datetime as dt
from functools import cached_property

from gongkai.workdays import provisional as provisional_rules


class ScheduleMissing(LookupError):
    """A computation needs a year whose holiday schedule is not loaded."""

    def __init__(self, year):
        self.year = year
        super().__init__(
            f"{year}年的节假日安排尚未载入（国务院办公厅通常在上一年11月公布）。"
            f"请先导入该年的放假通知（gongkai calendar import-notice 文件 --year {year}），"
            "或明确要求暂定结果（--provisional）。"
        )


class WorkCalendar:
    """Working days over a span of years, built from sets of exceptional days.

    holidays: dates that are not worked although they may fall Monday to Friday.
    workdays: dates that are worked although they may fall on a weekend (调休上班).
    years: years whose schedule is published and loaded.
    provisional_years: years filled in by `provisional()` (flagged everywhere).
    """

    def __init__(self, holidays, workdays, years, provisional_years=()):
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)
        self.years = frozenset(years)
        self.provisional_years = frozenset(provisional_years) - self.years
        known = self.years | self.provisional_years
        if not known:
            raise ValueError("工作日历至少需要包含一个年度的节假日安排。")
        self.first_year, self.last_year = min(known), max(known)
        self.base = dt.date(self.first_year, 1, 1).toordinal()
        self.end = dt.date(self.last_year, 12, 31).toordinal()
        self._build(known)

    def _build(self, known):
        holidays, workdays = self.holidays, self.workdays
        size = self.end - self.base + 1
        prefix = [0] * (size + 1)
        gaps = [0] * (size + 1)
        guessed = [0] * (size + 1)
        ordinals = []
        count = gap = prov = 0
        for i in range(size):
            o = self.base + i
            d = dt.date.fromordinal(o)
            if d in workdays or (d.weekday() < 5 and d not in holidays):
                ordinals.append(o)
                count += 1
            gap += d.year not in known
            prov += d.year in self.provisional_years
            prefix[i + 1], gaps[i + 1], guessed[i + 1] = count, gap, prov
        self._prefix, self._gaps, self._guessed = prefix, gaps, guessed
        self._ordinals = ordinals
        self.has_gaps = gap > 0

    def __repr__(self):
        return f"<WorkCalendar {self.first_year}–{self.last_year} 暂定={sorted(self.provisional_years)}>"

    # -- coverage -------------------------------------------------------------

    def check_span(self, first_ordinal, last_ordinal):
        """Raise ScheduleMissing unless every day in the span has a schedule."""
        if first_ordinal < self.base:
            raise ScheduleMissing(dt.date.fromordinal(first_ordinal).year)
        if last_ordinal > self.end:
            raise ScheduleMissing(self.last_year + 1)
        if self.has_gaps:
            lo, hi = first_ordinal - self.base, last_ordinal - self.base + 1
            if self._gaps[hi] - self._gaps[lo]:
                known = self.years | self.provisional_years
                for year in range(dt.date.fromordinal(first_ordinal).year, self.last_year + 1):
                    if year not in known:
                        raise ScheduleMissing(year)

    def is_provisional_span(self, first_ordinal, last_ordinal):
        """True when any day in the span lies in a provisional year."""
        lo, hi = first_ordinal - self.base, last_ordinal - self.base + 1
        return self._guessed[hi] - self._guessed[lo] > 0

    # -- ordinal-level primitives (the hot path) -------------------------------

    def index_after(self, ordinal):
        """Index (into the working-day list) of the first working day after `ordinal`."""
        if not self.base <= ordinal <= self.end:
            raise ScheduleMissing(dt.date.fromordinal(ordinal).year)
        return self._prefix[ordinal - self.base + 1]

    def index_on_or_after(self, ordinal):
        """Index of the first working day on or after `ordinal`."""
        if not self.base <= ordinal <= self.end:
            raise ScheduleMissing(dt.date.fromordinal(ordinal).year)
        return self._prefix[ordinal - self.base]

    def ordinal_at(self, index):
        """Ordinal of the working day with this index."""
        if index >= len(self._ordinals):
            raise ScheduleMissing(self.last_year + 1)
        if index < 0:
            raise ScheduleMissing(self.first_year - 1)
        return self._ordinals[index]

    # -- date-level API ----------------------------------------------------------

    def is_workday(self, day):
        """True when `day` is a working day (Mon–Fri not on holiday, or 调休上班)."""
        o = day.toordinal()
        self.check_span(o, o)
        return self._prefix[o - self.base + 1] > self._prefix[o - self.base]

    def nth_workday_after(self, day, n):
        """The n-th working day after `day` (n ≥ 1); `day` itself never counts."""
        if n < 1:
            raise ValueError("n 必须是正整数。")
        o = day.toordinal()
        result = self.ordinal_at(self.index_after(o) + n - 1)
        self.check_span(o, result)
        return dt.date.fromordinal(result)

    def workdays_between(self, start, end):
        """Number of working days d with start < d ≤ end (0 when end ≤ start)."""
        a, b = start.toordinal(), end.toordinal()
        if b <= a:
            return 0
        self.check_span(a, b)
        return self._prefix[b - self.base + 1] - self._prefix[a - self.base + 1]

    # -- provisional extension ---------------------------------------------------

    def provisional(self, through_year=None):
        """This calendar plus provisional days for every missing year up to `through_year`.

        Provisional years follow 《全国年节及纪念日放假办法》 (see provisional.py); every
        result that touches one is flagged `provisional`.
        """
        through = max(through_year or 0, self.last_year + 2)
        cache = self._provisional_cache
        if through not in cache:
            missing = [y for y in range(self.first_year, through + 1) if y not in self.years]
            extra = set()
            for year in missing:
                extra |= provisional_rules.statutory_days_off(year).keys()
            cache[through] = WorkCalendar(self.holidays | extra, self.workdays, self.years, missing)
        return cache[through]

    @cached_property
    def _provisional_cache(self):
        return {}
