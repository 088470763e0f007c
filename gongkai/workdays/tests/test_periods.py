import datetime as dt

from gongkai.workdays import periods

D = dt.date.fromisoformat


def test_correction_notice_within_7_working_days(cal):
    assert periods.correction_notice_due(cal, D("2025-09-26")) == D(
        "2025-10-13"
    )  # 9/28 and 10/11 are 调休 workdays


def test_fee_payment_counts_from_the_day_after_the_notice(cal):
    assert periods.fee_payment_due(cal, D("2025-09-26")) == D("2025-10-30")


def test_third_party_answer_and_publication(cal):
    assert periods.third_party_answer_due(cal, D("2025-12-31")) == D("2026-01-22")
    assert periods.publication_due(cal, D("2025-09-26")) == D("2025-10-30")
    assert periods.publication_due(cal, D("2025-09-26"), count_receipt_day=True) == D("2025-10-29")


def test_annual_report_due_31_january_for_departments():
    assert periods.annual_report_due(2025) == D("2026-01-31")
    assert periods.annual_report_due(2025, government=True) == D("2026-03-31")
