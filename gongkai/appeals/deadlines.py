"""The agency's own deadlines in a 行政复议 or 行政诉讼 (pure: a WorkCalendar and dates in,
dates out; no ORM). Sources and open questions: docs/appeals.md.

- 行政复议 written answer (书面答复 with evidence and basis): 十日 from receiving the
  申请书副本 / 申请笔录复印件 (行政复议法 2023 第四十八条); 五日 under the 简易程序
  (第五十四条). 第八十八条第二款 makes the law's "三日、五日、七日、十日" working days;
  settings.APPEALS_RECONSIDERATION_WORKDAYS = False counts calendar days instead
  (the 1999 law's 第四十条 named only 五日、七日, so older practice differs).
- 行政诉讼 答辩状 with evidence and 规范性文件: 十五日 from receiving the 起诉状副本
  (行政诉讼法第六十七条第一款), calendar days.
- Appeal windows: 十五日 from service of a first-instance 判决, 十日 of a 裁定
  (行政诉讼法第八十五条), calendar days.
- Calendar-day periods follow 民事诉讼法第八十五条 (applied through 行政诉讼法第一百零一条;
  行政复议法第八十八条第一款 for the 复议 when counted in calendar days): the start day is
  not counted; a period ending on a 法定休假日 ends on the first working day after it
  (weekends and holidays per the work calendar).
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

RECONSIDERATION_ANSWER_DAYS = 10  # 行政复议法 2023 第四十八条
RECONSIDERATION_SIMPLIFIED_ANSWER_DAYS = 5  # 行政复议法 2023 第五十四条
DEFENCE_DAYS = 15  # 行政诉讼法第六十七条
APPEAL_JUDGMENT_DAYS = 15  # 行政诉讼法第八十五条
APPEAL_RULING_DAYS = 10  # 行政诉讼法第八十五条


@dataclass(frozen=True)
class Due:
    """One deadline: what is due, by when, and under which article."""

    what: str
    on: object  # datetime.date
    basis: str


def reconsideration_workdays():
    return bool(getattr(settings, "APPEALS_RECONSIDERATION_WORKDAYS", True))


def calendar_days(cal, start, days):
    """`days` calendar days after `start` (start not counted); a last day that is not a
    working day moves to the next working day (民事诉讼法第八十五条)."""
    last = start + dt.timedelta(days)
    if cal.is_workday(last):
        return last
    return cal.nth_workday_after(last, 1)


def reconsideration_answer_due(cal, papers_received, *, simplified=False, workdays=None):
    """The 书面答复 to the 复议机关 (行政复议法 2023 第四十八条 / 第五十四条, 第八十八条)."""
    days = RECONSIDERATION_SIMPLIFIED_ANSWER_DAYS if simplified else RECONSIDERATION_ANSWER_DAYS
    workdays = reconsideration_workdays() if workdays is None else workdays
    if workdays:
        return cal.nth_workday_after(papers_received, days)
    return calendar_days(cal, papers_received, days)


def defence_due(cal, papers_received):
    """The 答辩状 to the court (行政诉讼法第六十七条第一款: 十五日)."""
    return calendar_days(cal, papers_received, DEFENCE_DAYS)


def appeal_window_end(cal, served, *, ruling):
    """The last day to appeal a first-instance 判决 (15 days) or 裁定 (10 days)
    (行政诉讼法第八十五条)."""
    return calendar_days(cal, served, APPEAL_RULING_DAYS if ruling else APPEAL_JUDGMENT_DAYS)


def due_items(appeal, cal):
    """The deadlines still running for `appeal` (a model instance, read only)."""
    out = []
    if appeal.papers_received_on and not appeal.answered_on and appeal.is_open():
        if appeal.kind == "reconsideration":
            article = "行政复议法第五十四条" if appeal.simplified else "行政复议法第四十八条"
            on = reconsideration_answer_due(
                cal, appeal.papers_received_on, simplified=appeal.simplified
            )
            out.append(Due("向复议机关提交书面答复及证据", on, article))
        else:
            on = defence_due(cal, appeal.papers_received_on)
            out.append(Due("向法院提交答辩状及证据", on, "行政诉讼法第六十七条"))
    first_instance = appeal.kind == "litigation" and appeal.instance in ("", "first")
    if first_instance and appeal.served_on and appeal.ruling:
        ruling = appeal.ruling == "ruling"
        on = appeal_window_end(cal, appeal.served_on, ruling=ruling)
        out.append(Due("上诉期限届满（判决十五日/裁定十日）", on, "行政诉讼法第八十五条"))
    return out
