"""The national working-day calendar in the table, for the fixtures of other apps' tests."""

from gongkai.workdays import seed
from gongkai.workdays.models import ExceptionalDay


def store_national_calendar(first_year=None):
    """The rows loading.load_chinesecalendar() stores (from `first_year` on, if given).

    Bulk-inserted, without the loader's per-row validation and change record: an autouse
    fixture puts them in the table for most case, publication and annual-report tests,
    where the loader cost about half a second a test. The loader itself is tested in
    workdays/tests (test_loading.py; test_factories.py checks these rows equal its own).
    A day already in the table is left as it is, so that a test whose fixtures each ask
    for the calendar gets it once.
    """
    source = seed.source_label()
    ExceptionalDay.objects.bulk_create(
        (
            ExceptionalDay(date=d.date, kind=d.kind, year=d.year, name=d.name, source=source)
            for d in seed.chinesecalendar_days()
            if first_year is None or d.year >= first_year
        ),
        ignore_conflicts=True,
    )
