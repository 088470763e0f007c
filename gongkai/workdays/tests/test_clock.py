import datetime as dt

import pytest
from chinese_calendar import is_workday
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.workdays.calendar import ScheduleMissing
from gongkai.workdays.clock import (
    CaseEvents,
    ClockError,
    Consultation,
    Party,
    State,
    compute,
    due_date,
)
from gongkai.workdays.tests.reference import reference_due

D = dt.date.fromisoformat
receipts = st.dates(min_value=dt.date(2004, 1, 1), max_value=dt.date(2026, 8, 31))
few = settings(max_examples=150, deadline=None)


@st.composite
def case_events(draw):
    received = draw(receipts)
    corrected = draw(st.one_of(st.none(), st.integers(0, 20)))
    corrected = received + dt.timedelta(days=corrected) if corrected is not None else None
    consultations = []
    for _ in range(draw(st.integers(0, 3))):
        sent = received + dt.timedelta(days=draw(st.integers(0, 40)))
        answered = sent + dt.timedelta(days=draw(st.integers(0, 30)))
        party = draw(st.sampled_from(list(Party)))
        consultations.append(Consultation(sent, answered, party))
    return CaseEvents(
        received=received,
        corrected=corrected,
        consultations=tuple(consultations),
        extended=draw(st.booleans()),
    )


@few
@given(case_events())
def test_due_date_equals_the_day_by_day_reference(cal, events):
    result = compute(cal, events)
    assert result.due == reference_due(events)
    assert result.due == due_date(cal, events)
    assert is_workday(result.due)


@few
@given(receipts, st.integers(1, 60))
def test_due_date_never_moves_earlier_when_receipt_moves_later(cal, received, later):
    first = compute(cal, CaseEvents(received)).due
    second = compute(cal, CaseEvents(received + dt.timedelta(days=later))).due
    assert second >= first


@few
@given(st.dates(min_value=dt.date(2019, 5, 15), max_value=dt.date(2026, 8, 31)), st.data())
def test_a_consultation_of_k_counted_days_moves_the_due_date_by_k_working_days(cal, received, data):
    plain = compute(cal, CaseEvents(received)).due
    sent = received + dt.timedelta(days=data.draw(st.integers(0, 25)))
    answered = sent + dt.timedelta(days=data.draw(st.integers(0, 25)))
    events = CaseEvents(received, consultations=(Consultation(sent, answered),))
    result = compute(cal, events)
    k = result.working_days_paused
    moved = plain if k == 0 else cal.nth_workday_after(plain, k)
    assert result.due == moved
    counted = [
        d
        for d in (sent + dt.timedelta(days=i) for i in range(1, (answered - sent).days + 1))
        if is_workday(d) and d <= result.due
    ]
    assert k == min(len(counted), 15)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2025-09-26", "2025-10-30"),  # regulation.md §3.2: across 国庆 2025
        ("2025-09-27", "2025-10-30"),  # a Saturday receipt: not one day late
        ("2025-09-28", "2025-10-31"),  # a 调休 Sunday receipt
        ("2025-12-31", "2026-01-29"),  # across 元旦 and the 2026-01-04 make-up Sunday
        ("2025-01-24", "2025-02-27"),  # across 春节 2025 (1/28–2/4, 1/26 and 2/8 worked)
        ("2026-02-13", "2026-03-19"),  # across 春节 2026 (2/14 and 2/28 worked)
    ],
)
def test_fixed_cases_around_holidays(cal, received, due):
    assert compute(cal, CaseEvents(D(received))).due == D(due)


def test_the_2019_switch_from_15_to_20_working_days(cal):
    before = compute(cal, CaseEvents(D("2019-05-14")))
    after = compute(cal, CaseEvents(D("2019-05-15")))
    assert (before.rules, before.period, before.due) == ("2008", 15, D("2019-06-04"))
    assert (after.rules, after.period, after.due) == ("2019", 20, D("2019-06-13"))
    assert "2008年条例第二十四条" in before.explanation
    extended = compute(cal, CaseEvents(D("2019-05-14"), extended=True))
    assert extended.extension_days == 15


def test_2008_rules_do_not_pause_for_another_agency(cal):
    agency = Consultation(D("2018-03-05"), D("2018-03-09"), Party.AGENCY)
    third = Consultation(D("2018-03-05"), D("2018-03-09"), Party.THIRD_PARTY)
    plain = compute(cal, CaseEvents(D("2018-03-01"))).due
    assert compute(cal, CaseEvents(D("2018-03-01"), consultations=(agency,))).due == plain
    paused = compute(cal, CaseEvents(D("2018-03-01"), consultations=(third,)))
    assert paused.working_days_paused == 4 and paused.due == cal.nth_workday_after(plain, 4)


def test_late_december_deadline_in_a_year_without_schedule(cal):
    events = CaseEvents(D("2026-12-21"))
    with pytest.raises(ScheduleMissing, match="2027年"):
        compute(cal, events)
    result = compute(cal, events, provisional=True)
    assert result.provisional and result.provisional_years == (2027,)
    assert result.due == D("2027-01-19")  # 12/22–12/31 = 8, 元旦 1/1 off, then 12 more
    assert "暂定" in result.explanation


def test_correction_restarts_the_clock(cal):
    result = compute(cal, CaseEvents(D("2025-03-03"), corrected=D("2025-03-10")))
    assert result.clock_start == D("2025-03-10")
    assert result.due == cal.nth_workday_after(D("2025-03-10"), 20)
    assert "第三十条" in result.explanation


def test_a_pending_consultation_pauses_until_today_and_at_most_15_days(cal):
    events = CaseEvents(D("2025-03-03"), consultations=(Consultation(D("2025-03-10")),))
    today = compute(cal, events, today=D("2025-03-12"))
    assert today.state is State.PAUSED and today.working_days_paused == 2
    capped = compute(cal, events)
    assert capped.working_days_paused == 15


def test_used_left_and_states(cal):
    events = CaseEvents(D("2025-09-26"))  # due 2025-10-30
    assert compute(cal, events, today=D("2025-10-20")).state is State.IN_TIME
    soon = compute(cal, events, today=D("2025-10-27"))
    assert (soon.used, soon.left, soon.state) == (17, 3, State.DUE_SOON)
    on_due = compute(cal, events, today=D("2025-10-30"))
    assert (on_due.left, on_due.state) == (0, State.DUE_SOON)
    late = compute(cal, events, today=D("2025-11-03"))
    assert (late.left, late.state) == (-2, State.OVERDUE)
    assert "已超期 2 个工作日" in late.explanation


def test_explanation_reads_from_receipt_to_due_date(cal):
    text = compute(cal, CaseEvents(D("2025-09-28"))).explanation
    assert text.startswith("收到申请 2025-09-28（网络，双方确认） → 第1个工作日 2025-09-29")
    assert "第20个工作日 2025-10-31" in text


def test_counting_the_receipt_day_is_a_setting(cal):
    result = compute(cal, CaseEvents(D("2025-09-26")), count_receipt_day=True)
    assert result.first_day == D("2025-09-26") and result.due == D("2025-10-29")


def test_extension_needs_approval_before_the_original_due_date(cal):
    ok = compute(cal, CaseEvents(D("2025-09-26"), extension_approved=D("2025-10-30")))
    assert ok.due == cal.nth_workday_after(D("2025-10-30"), 20)
    with pytest.raises(ClockError, match="届满前"):
        compute(cal, CaseEvents(D("2025-09-26"), extension_approved=D("2025-10-31")))


@pytest.mark.parametrize(
    "events",
    [
        CaseEvents(D("2025-03-03"), corrected=D("2025-03-01")),
        CaseEvents(
            D("2025-03-03"), consultations=(Consultation(D("2025-03-10"), D("2025-03-09")),)
        ),
        CaseEvents(
            D("2025-03-03"), consultations=(Consultation(D("2025-03-01"), D("2025-03-09")),)
        ),
    ],
)
def test_contradictory_events_are_refused_in_chinese(cal, events):
    with pytest.raises(ClockError, match="早于"):
        compute(cal, events)


def test_a_today_in_an_unscheduled_year_still_gives_the_due_date(cal):
    result = compute(cal, CaseEvents(D("2026-10-09")), today=D("2027-01-05"))
    assert result.due == cal.nth_workday_after(D("2026-10-09"), 20)
    assert result.state is None and result.left is None
    assert "无法计算已用和剩余工作日" in result.explanation
    guessed = compute(cal, CaseEvents(D("2026-10-09")), today=D("2027-01-05"), provisional=True)
    assert guessed.state is State.OVERDUE and guessed.provisional
