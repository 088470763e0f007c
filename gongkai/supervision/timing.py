"""Working days a reply took, counted the way the statutory clock counts (pure, no ORM).

From the clock start (收到申请之日, or 收到补正之日 after a 补正: Art. 30) to the reply
day, on the agency's working-day calendar, leaving out the working days paused
for consultations (Art. 33 第三款, capped as in Arts. 32/34). Day 1 is the first
working day after the clock start unless the installation counts the receipt day.
"""

from gongkai.workdays import clock


def days_taken(
    cal, received, replied, *, corrected=None, consultations=(), count_receipt_day=False
):
    """Working days used from the clock start up to and including `replied` (0: same day).

    consultations: clock.Consultation values. Raises ScheduleMissing (a LookupError)
    when a date lies outside the calendar.
    """
    origin = (corrected or received).toordinal()
    start = cal.index_on_or_after(origin) if count_receipt_day else cal.index_after(origin)
    end = cal.index_after(replied.toordinal()) - 1  # the last working day on or before it
    if end < start:
        return 0
    paused = 0
    if consultations:
        events = clock.CaseEvents(
            received=received, corrected=corrected, consultations=tuple(consultations)
        )
        rules = clock.rules_for(received)
        for first, last in clock.pause_spans(cal, events, rules, replied.toordinal()):
            paused += max(0, min(last, end) - max(first, start) + 1)
    return end - start + 1 - paused
