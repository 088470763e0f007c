"""The statutory reply clock of a 依申请公开 case (pure, no ORM).

Takes a case's events and returns its reply deadline with a Chinese explanation.
Rules, from regulation.md §1 (the 2019 条例, 国务院令第711号):

- Art. 31: the receipt date (收到申请之日) depends on the channel; the caller passes
  the date already determined by it, the channel explains which date it is.
- Art. 33 第二款: reply within 20 working days of receipt; one extension of at most
  20 more, approved by the 工作机构负责人 before the original deadline expires.
- Art. 30: after a 补正 the reply period starts again from the day the corrected
  application is received (a restart, not a pause).
- Art. 33 第三款 with Arts. 32 and 34: the time needed to consult a third party or
  another agency is not counted: the working days after the day the request for
  views is sent, up to and including the day the answer arrives or the 15-working-
  day answer period ends (Art. 32 / 34). Overlapping consultations count once.
- Art. 56: the 2019 text applies from 2019-05-15. Requests received before follow
  the 2008 text (国务院令第492号) Art. 24: 15 + 15 working days, and only the time
  for consulting a third party is excluded (2008 Art. 23 sets no answer period).
- Counting (regulation.md §1.4, 民法典第二百零一条): day 1 is the first working day
  after the receipt date; `count_receipt_day=True` counts a working receipt day.
"""

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum

from gongkai.workdays.calendar import ScheduleMissing
from gongkai.workdays.explain import explain

REFORM_DATE = dt.date(2019, 5, 15)  # Art. 56: 2019年5月15日施行
DUE_SOON_WORKDAYS = 3


class ClockError(ValueError):
    """Case events that contradict each other; the message is Chinese."""


class Channel(StrEnum):
    """How the application was submitted (Art. 31)."""

    IN_PERSON = "in_person"
    REGISTERED_MAIL = "registered_mail"
    LETTER = "letter"
    ONLINE = "online"
    FAX = "fax"


class Party(StrEnum):
    """Whose views are sought: a third party (Art. 32) or another agency (Art. 34)."""

    THIRD_PARTY = "third_party"
    AGENCY = "agency"


class State(StrEnum):
    IN_TIME = "in_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    PAUSED = "paused"


@dataclass(frozen=True)
class Consultation:
    """A request for views: sent on `sent`, answered on `answered` (None: pending)."""

    sent: dt.date
    answered: dt.date | None = None
    party: Party = Party.THIRD_PARTY


@dataclass(frozen=True)
class CaseEvents:
    """The facts of a case that move its reply clock."""

    received: dt.date
    channel: Channel = Channel.ONLINE
    corrected: dt.date | None = None
    consultations: tuple[Consultation, ...] = ()
    extended: bool = False
    extension_approved: dt.date | None = None


@dataclass(frozen=True)
class Rules:
    name: str
    period: int
    extension: int
    answer_period: int | None  # cap on a consultation's pause, in working days
    pausing: frozenset
    article: str


RULES_2019 = Rules(
    "2019", 20, 20, 15, frozenset({Party.THIRD_PARTY, Party.AGENCY}), "条例第三十三条"
)
RULES_2008 = Rules("2008", 15, 15, None, frozenset({Party.THIRD_PARTY}), "2008年条例第二十四条")


def rules_for(received):
    """The 2008 rules for requests received before 2019-05-15, else the 2019 rules."""
    return RULES_2008 if received < REFORM_DATE else RULES_2019


@dataclass(frozen=True)
class Deadline:
    """The computed reply deadline of one case; `explanation` can be read aloud."""

    due: dt.date
    original_due: dt.date
    clock_start: dt.date
    first_day: dt.date
    rules: str
    period: int
    extension_days: int
    working_days_paused: int
    provisional: bool
    provisional_years: tuple[int, ...]
    today: dt.date | None
    used: int | None
    left: int | None
    state: State | None
    steps: tuple[str, ...]

    @property
    def explanation(self):
        return " → ".join(self.steps)

    def as_dict(self):
        """JSON-ready dict (dates ISO); the keys are part of the CLI contract."""
        return {
            "due": self.due.isoformat(),
            "original_due": self.original_due.isoformat(),
            "clock_start": self.clock_start.isoformat(),
            "first_day": self.first_day.isoformat(),
            "rules": self.rules,
            "period": self.period,
            "extension_days": self.extension_days,
            "working_days_paused": self.working_days_paused,
            "provisional": self.provisional,
            "provisional_years": list(self.provisional_years),
            "today": self.today.isoformat() if self.today else None,
            "working_days_used": self.used,
            "working_days_left": self.left,
            "state": self.state.value if self.state else None,
            "explanation": self.explanation,
        }


def _validate(events):
    start = events.corrected or events.received
    if events.corrected and events.corrected < events.received:
        raise ClockError(
            f"补正后申请的收到日期 {events.corrected} 早于原申请的收到日期 {events.received}，请核对。"
        )
    for c in events.consultations:
        if c.answered is not None and c.answered < c.sent:
            raise ClockError(
                f"征求意见的答复日期 {c.answered} 早于发出日期 {c.sent}，请核对（格式：开始..结束）。"
            )
        if c.sent < events.received:
            raise ClockError(
                f"征求意见的发出日期 {c.sent} 早于收到申请日期 {events.received}，请核对。"
            )
    if events.extension_approved and events.extension_approved < start:
        raise ClockError(
            f"延期批准日期 {events.extension_approved} 早于答复期限起算日 {start}，请核对。"
        )


def pause_spans(cal, events, rules, today_ordinal=None):
    """Merged, sorted (first, last) working-day index spans not counted (Art. 33 第三款)."""
    spans = []
    for c in events.consultations:
        if c.party not in rules.pausing:
            continue
        first = cal.index_after(c.sent.toordinal())
        if c.answered is not None:
            last = cal.index_after(c.answered.toordinal()) - 1
        elif today_ordinal is not None:
            last = cal.index_after(today_ordinal) - 1
        elif rules.answer_period is None:
            raise ClockError(
                "按2008年条例，尚未答复的征求意见没有法定答复期，请给出今天的日期（--today）。"
            )
        else:
            last = first + rules.answer_period - 1
        if rules.answer_period is not None:
            last = min(last, first + rules.answer_period - 1)  # Art. 32 / 34: 15 个工作日
        if last >= first:
            spans.append((first, last))
    spans.sort()
    merged = []
    for first, last in spans:
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def due_index(start, n, spans):
    """Index of the n-th counted working day from index `start`, and the days paused."""
    due = start + n - 1
    paused = 0
    for first, last in spans:
        if first > due:
            break
        if last < start:
            continue
        k = last - max(first, start) + 1
        due += k
        paused += k
    return due, paused


def _paused_between(spans, lo, hi):
    return sum(max(0, min(last, hi) - max(first, lo) + 1) for first, last in spans)


def _usage(cal, start, due, total, spans, today_ordinal):
    t = cal.index_after(today_ordinal)
    if t <= due:
        lo = max(t, start)
        left = due - lo + 1 - _paused_between(spans, lo, due)
    else:
        left = due + 1 - t
    today_index = cal.index_on_or_after(today_ordinal)
    paused = any(first <= today_index <= last for first, last in spans) and t > start
    if paused and left > 0:
        state = State.PAUSED
    elif left < 0:
        state = State.OVERDUE
    elif left <= DUE_SOON_WORKDAYS:
        state = State.DUE_SOON
    else:
        state = State.IN_TIME
    return total - left, left, state


def compute(cal, events, *, today=None, provisional=False, count_receipt_day=False):
    """The reply deadline of a case (Arts. 30–34), with used/left days relative to `today`.

    Raises ClockError for contradictory events and ScheduleMissing for a year with
    no schedule unless `provisional=True`, which fills such years provisionally
    and flags the result.
    """
    _validate(events)
    if provisional:
        last_year = max(events.received.year, today.year if today else 0) + 2
        cal = cal.provisional(last_year)
    rules = rules_for(events.received)
    clock_start = events.corrected or events.received  # Art. 30: restart after 补正
    origin = clock_start.toordinal()
    start = cal.index_on_or_after(origin) if count_receipt_day else cal.index_after(origin)
    today_ordinal = today.toordinal() if today else None
    spans = pause_spans(cal, events, rules, today_ordinal)
    original_index, _ = due_index(start, rules.period, spans)
    original_due = dt.date.fromordinal(cal.ordinal_at(original_index))
    approved = events.extension_approved
    if approved and approved > original_due:
        raise ClockError(
            f"延长答复期限须在原答复期限 {original_due} 届满前经政府信息公开工作机构负责人同意"
            f"（{rules.article}），批准日期 {approved} 已晚于原期限，不能延期。"
        )
    extension = rules.extension if (events.extended or approved) else 0
    total = rules.period + extension
    index, paused = due_index(start, total, spans)
    due_ordinal = cal.ordinal_at(index)
    cal.check_span(events.received.toordinal(), due_ordinal)
    last = due_ordinal
    used = left = state = None
    if today_ordinal is not None:
        try:  # a today in an unscheduled year must not hide a computable due date
            cal.check_span(today_ordinal, today_ordinal)
            used, left, state = _usage(cal, start, index, total, spans, today_ordinal)
            last = max(last, today_ordinal)
        except ScheduleMissing:
            pass
    guessed = tuple(
        y
        for y in sorted(cal.provisional_years)
        if events.received.year <= y <= dt.date.fromordinal(last).year
    )
    result = Deadline(
        due=dt.date.fromordinal(due_ordinal),
        original_due=original_due,
        clock_start=clock_start,
        first_day=dt.date.fromordinal(cal.ordinal_at(start)),
        rules=rules.name,
        period=rules.period,
        extension_days=extension,
        working_days_paused=paused,
        provisional=bool(guessed),
        provisional_years=guessed,
        today=today,
        used=used,
        left=left,
        state=state,
        steps=(),
    )
    steps = explain(cal, events, rules, result, spans, count_receipt_day)
    return replace(result, steps=tuple(steps))


def due_date(cal, events, *, count_receipt_day=False):
    """Only the reply due date (the fast path used to recompute many cases)."""
    received = events.received
    rules = RULES_2008 if received < REFORM_DATE else RULES_2019
    origin = (events.corrected or received).toordinal()
    start = cal.index_on_or_after(origin) if count_receipt_day else cal.index_after(origin)
    n = rules.period
    if events.extended or events.extension_approved:
        n += rules.extension
    if events.consultations:
        index, _ = due_index(start, n, pause_spans(cal, events, rules))
    else:
        index = start + n - 1
    due_ordinal = cal.ordinal_at(index)
    cal.check_span(origin, due_ordinal)
    return dt.date.fromordinal(due_ordinal)
