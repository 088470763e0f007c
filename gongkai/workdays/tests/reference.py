"""A deliberately simple day-by-day reply clock, used as the oracle in tests.

It asks chinesecalendar about every single day and never looks at WorkCalendar.
"""

import datetime as dt

from chinese_calendar import is_workday

ONE = dt.timedelta(days=1)


def paused_days(consultations, received):
    """Working days not counted (Art. 33 第三款), day by day."""
    new_rules = received >= dt.date(2019, 5, 15)
    paused = set()
    for c in consultations:
        if not new_rules and c.party != "third_party":
            continue  # 2008 Art. 24 excludes only third-party time
        day, seen = c.sent, 0
        while True:
            day += ONE
            if c.answered is not None and day > c.answered:
                break
            if is_workday(day):
                seen += 1
                if new_rules and seen > 15:  # Art. 32 / 34 answer period
                    break
                paused.add(day)
    return paused


def reference_due(events):
    """Walk forward from the clock start, counting working days that are not paused."""
    received = events.received
    n = 20 if received >= dt.date(2019, 5, 15) else 15
    if events.extended or events.extension_approved:
        n *= 2
    paused = paused_days(events.consultations, received)
    day, counted = events.corrected or received, 0
    while counted < n:
        day += ONE
        if is_workday(day) and day not in paused:
            counted += 1
    return day
