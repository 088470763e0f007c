"""`make bench` for the statutory clock: due dates per second, and the time to
recompute 1,000,000 cases' due dates from their event lists after a calendar change.

Pure: the calendar is built from chinesecalendar's data, no database involved.
"""

import datetime as dt
import random
import time

from gongkai.workdays.calendar import WorkCalendar
from gongkai.workdays.clock import CaseEvents, Consultation, due_date
from gongkai.workdays.seed import national_calendar

CASES = 1_000_000
FIRST = dt.date(2004, 1, 1).toordinal()
LAST = dt.date(2026, 8, 31).toordinal()


def _cases(n, rng):
    """Plausible event lists: 10% corrected, 15% consulted (some twice), 5% extended."""
    cases = []
    for _ in range(n):
        received = dt.date.fromordinal(rng.randint(FIRST, LAST))
        corrected = (
            received + dt.timedelta(days=rng.randint(1, 15)) if rng.random() < 0.10 else None
        )
        consultations = ()
        if rng.random() < 0.15:
            sent = received + dt.timedelta(days=rng.randint(0, 20))
            consultations = (Consultation(sent, sent + dt.timedelta(days=rng.randint(0, 25))),)
            if rng.random() < 0.3:
                consultations += (Consultation(sent, sent + dt.timedelta(days=rng.randint(0, 10))),)
        cases.append(
            CaseEvents(
                received,
                corrected=corrected,
                consultations=consultations,
                extended=rng.random() < 0.05,
            )
        )
    return cases


def _changed(cal):
    """The same calendar with one more holiday: what an imported notice or local day does."""
    return WorkCalendar(cal.holidays | {dt.date(2025, 12, 31)}, cal.workdays, cal.years)


def run():
    rng = random.Random(20250928)
    cal = national_calendar()
    simple = [CaseEvents(dt.date.fromordinal(rng.randint(FIRST, LAST))) for _ in range(500_000)]
    started = time.perf_counter()
    for events in simple:
        due_date(cal, events)
    elapsed = time.perf_counter() - started
    print(f"答复期限计算（仅收到日期）：{len(simple) / elapsed:,.0f} 次/秒（单进程）")

    cases = _cases(CASES, rng)
    started = time.perf_counter()
    cal = _changed(cal)
    dues = [due_date(cal, events) for events in cases]
    elapsed = time.perf_counter() - started
    print(f"日历变更后重算 {len(dues):,} 件申请的答复期限（含重建日历）：{elapsed:.2f} 秒")
