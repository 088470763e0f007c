"""Between the table and the pure calendar: build, cache, seed and store.

`get_calendar()` builds a WorkCalendar from the ExceptionalDay rows and caches it per
process, keyed by a cheap fingerprint of the table (row count and last update), so
a change made by any process is seen by the next call.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q

from gongkai.workdays import seed
from gongkai.workdays.calendar import WorkCalendar
from gongkai.workdays.models import CalendarChange, ExceptionalDay

NATIONAL = ""
_cache = {}


def count_receipt_day():
    """The counting convention (regulation.md §1.4): False = day 1 is the first working
    day after receipt (default); set GONGKAI_COUNT_RECEIPT_DAY = True to count the
    receipt day itself when it is a working day."""
    return bool(getattr(settings, "GONGKAI_COUNT_RECEIPT_DAY", False))


def _rows(scope):
    return ExceptionalDay.objects.filter(Q(scope=NATIONAL) | Q(scope=scope))


def build_calendar(scope=NATIONAL):
    """A WorkCalendar of the national schedule plus the local days of `scope`."""
    holidays, workdays, years, local = set(), set(), set(), []
    for day, kind, year, row_scope in _rows(scope).values_list("date", "kind", "year", "scope"):
        if row_scope != NATIONAL:
            local.append((day, kind))
            continue
        years.add(year)
        (holidays if kind == ExceptionalDay.Kind.HOLIDAY else workdays).add(day)
    for day, kind in local:  # local days override the national ones
        if kind == ExceptionalDay.Kind.HOLIDAY:
            holidays.add(day)
            workdays.discard(day)
        else:
            workdays.add(day)
            holidays.discard(day)
    if not years:
        raise LookupError("工作日历为空：请先运行 gongkai calendar load 载入节假日安排。")
    return WorkCalendar(holidays, workdays, years)


def get_calendar(scope=NATIONAL):
    """The cached calendar of `scope`, rebuilt whenever the table has changed."""
    stamp = _rows(scope).aggregate(n=Count("id"), at=Max("updated_at"))
    key = (stamp["n"], stamp["at"])
    cached = _cache.get(scope)
    if cached is None or cached[0] != key:
        cached = _cache[scope] = (key, build_calendar(scope))
    return cached[1]


def national_years():
    """The years whose national schedule is loaded."""
    return set(
        ExceptionalDay.objects.filter(scope=NATIONAL).values_list("year", flat=True).distinct()
    )


def day_facts(rows):
    """[[date, kind, name, scope], ...] of ExceptionalDay rows, as a change record keeps them."""
    return [[r.date.isoformat(), r.kind, r.name, r.scope] for r in rows]


def record_change(how, before, after, *, by=None, years=()):
    """Keep one CalendarChange: who (`by`, None for the command line), what before, what after."""
    return CalendarChange.objects.create(
        actor=by,
        how=how,
        data={"years": sorted(years), "before": before, "after": after},
    )


def _replace(year_days, source, note="", *, by=None, how="命令行"):
    """Replace the national rows of each year in `year_days` {year: [seed.Day]}; the
    change is recorded (who, before, after)."""
    dates = [d.date for days in year_days.values() for d in days]
    national = ExceptionalDay.objects.filter(scope=NATIONAL)
    old = national.filter(Q(year__in=list(year_days)) | Q(date__in=dates)).order_by("date")
    before = day_facts(old)
    removed, _ = old.delete()
    rows = [
        ExceptionalDay(date=d.date, kind=d.kind, year=d.year, name=d.name, source=source, note=note)
        for days in year_days.values()
        for d in days
    ]
    for row in rows:
        row.full_clean(validate_unique=False)
    ExceptionalDay.objects.bulk_create(rows)
    after = day_facts(sorted(rows, key=lambda r: r.date))
    record_change(how, before, after, by=by, years=year_days)
    return removed, len(rows)


@transaction.atomic
def load_chinesecalendar(*, by=None):
    """Seed the national schedule 2004–2026 from chinesecalendar; returns (removed, added)."""
    by_year = {year: [] for year in seed.covered_years()}
    for day in seed.chinesecalendar_days():
        by_year.setdefault(day.year, []).append(day)
    return _replace(by_year, seed.source_label(), by=by, how="载入内置节假日数据")


@transaction.atomic
def store_notice(parsed, *, note="", by=None, how="命令行导入通知"):
    """Store a parsed 国务院办公厅 notice as the national schedule of its year."""
    days = [seed.Day(d, seed.HOLIDAY, parsed.year, name) for d, name in parsed.holidays]
    days += [seed.Day(d, seed.WORKDAY, parsed.year, name) for d, name in parsed.workdays]
    return _replace({parsed.year: days}, parsed.source, note, by=by, how=how)


def year_summary():
    """Per national year: number of holidays and make-up workdays, and the sources."""
    rows = (
        ExceptionalDay.objects.filter(scope=NATIONAL)
        .values("year", "kind")
        .annotate(n=Count("id"))
        .order_by("year")
    )
    summary = {}
    for row in rows:
        summary.setdefault(row["year"], {"holiday": 0, "workday": 0})[row["kind"]] = row["n"]
    return summary
