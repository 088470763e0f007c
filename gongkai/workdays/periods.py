"""The other statutory periods of the 条例, in working days (pure, no ORM).

Each takes a WorkCalendar and a start date and returns the last day of the period.
"""

import datetime as dt


def _nth(cal, day, n, count_start_day):
    if count_start_day and cal.is_workday(day):
        return cal.nth_workday_after(day, n - 1) if n > 1 else day
    return cal.nth_workday_after(day, n)


def correction_notice_due(cal, received, *, count_receipt_day=False):
    """Art. 30: the one-time 补正 notice is due within 7 working days of receipt."""
    return _nth(cal, received, 7, count_receipt_day)


def fee_payment_due(cal, notice_received):
    """Fee notice (国办函〔2020〕109号 as implemented, regulation.md §1.9 ◐): the applicant
    pays within 20 working days counted from the day after receiving the 收费通知."""
    return cal.nth_workday_after(notice_received, 20)


def third_party_answer_due(cal, request_received, *, count_receipt_day=False):
    """Arts. 32 and 34: a third party or co-producing agency answers within 15 working
    days of receiving the 征求意见书."""
    return _nth(cal, request_received, 15, count_receipt_day)


def publication_due(cal, created, *, count_receipt_day=False):
    """Art. 26: proactive information is published within 20 working days of the day it
    is created or changed (形成或者变更之日)."""
    return _nth(cal, created, 20, count_receipt_day)


def annual_report_due(report_year, *, government=False):
    """Art. 49: a 县级以上人民政府部门 submits and publishes its report for `report_year`
    by 31 January of the next year; the 主管部门 publishes the government's by 31 March.
    A calendar date, not moved by holidays."""
    return dt.date(report_year + 1, 3 if government else 1, 31)
