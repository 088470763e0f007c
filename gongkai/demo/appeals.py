"""The demo bureau's 行政复议 and 行政诉讼, recorded through gongkai/appeals/workflow.py.

Called once by the cases demo loader with its builder (calendar, users, `today`) and
the replied cases. Deterministic: every date follows from the cases' reply dates and
`today`. Over the demo years: a 复议 维持 each full year; a 纠正 that reopened its
request, which was drafted, reviewed, approved, replied and delivered again; a 复议
followed by a suit (复议后起诉, the 复议机关 co-defendant) decided at first instance; a
复议 that spans the turn of a year; a direct suit dismissed by ruling; and, in the
current year, an open 复议 and an open suit whose answers are due soon.
"""

import datetime as dt

from gongkai.appeals import workflow
from gongkai.cases import workflow as case_workflow
from gongkai.cases.models import Case, Status

GOVERNMENT = "示范市人民政府"
DISTRICT_COURT = "示范市城关区人民法院"
_DONE = (Status.DELIVERED, Status.ARCHIVED)


class _Demo:
    def __init__(self, builder, cases):
        self.b, self.today = builder, builder.today
        self.legal = builder.users["legal"]
        ids = [c.pk for c in cases]
        self.pool = list(
            Case.objects.filter(pk__in=ids, status__in=_DONE)
            .select_related("department")
            .order_by("replied_on", "pk")
        )
        self.count = 0

    def wd(self, day, n):
        return self.b.wd(day, n)

    def take(self, year=None, *, before=None, latest=False):
        found = [
            c
            for c in self.pool
            if (year is None or c.replied_on.year == year)
            and (before is None or c.replied_on < before)
        ]
        if not found:
            return None
        case = found[-1] if latest else found[0]
        self.pool.remove(case)
        return case

    def record(self, case, filed, **kw):
        papers = self.wd(filed, 5)
        if papers > self.today:
            return None
        kw.setdefault("kind", "reconsideration")
        kw.setdefault("body", GOVERNMENT)
        appeal = workflow.record(
            case,
            by=self.legal,
            on=papers,
            filed_on=filed,
            papers_received_on=papers,
            applicant=case.applicant_name,
            reference=f"示府复〔{filed.year}〕{self.count + 11}号"
            if kw["kind"] == "reconsideration"
            else f"（{filed.year}）示0102行初{self.count + 31}号",
            **kw,
        )
        self.count += 1
        return appeal

    def answer(self, appeal, days=7):
        day = self.wd(appeal.papers_received_on, days)
        if day > self.today:
            return None
        return workflow.submit_answer(appeal, by=self.legal, on=day, answered_on=day)

    def decide(self, appeal, decided, decision, **kw):
        on = max(decided, kw.get("served_on") or decided)
        if on > self.today:
            return None
        return workflow.decide(
            appeal, by=self.legal, on=on, decision=decision, decided_on=decided, **kw
        )

    def full(self, case, filed, decision, decided_after=50, **kw):
        appeal = self.record(case, filed, **{k: v for k, v in kw.items() if k != "ruling"})
        if appeal and self.answer(appeal):
            decided = self.wd(filed, decided_after)
            ruling = {"ruling": kw["ruling"]} if "ruling" in kw else {}
            served = {"served_on": self.wd(decided, 2)} if ruling else {}
            appeal = self.decide(appeal, decided, decision, **ruling, **served) or appeal
        return appeal

    def corrected_and_replied_again(self, case):
        """纠正 (责令重新作出) → reopened → drafted, reviewed, approved, replied, delivered."""
        b, u = self.b, self.b.users
        appeal = self.record(case, self.wd(case.replied_on, 15))
        if not appeal or not self.answer(appeal):
            return
        decided = self.wd(appeal.filed_on, 45)
        due = self.wd(decided, 20)
        if due > self.today:
            return
        self.decide(appeal, decided, "order_redo", new_reply_due_on=due)
        case = Case.objects.get(pk=case.pk)
        handler = b.handler_of[case.department.name]
        steps = (
            lambda c, d: case_workflow.draft_decision(
                c,
                by=handler,
                outcome="partial",
                legal_basis="《中华人民共和国政府信息公开条例》第三十七条",
                reasons="复议机关认为原答复未区分处理。经重新审查，所申请的统计表中"
                "报案人的姓名和联系方式属于个人信息，删除后提供其余部分。",
                on=d,
            ),
            lambda c, d: case_workflow.review(c, by=u["legal"], kind="legal", passed=True, on=d),
            lambda c, d: case_workflow.review(
                c, by=u["secrecy"], kind="secrecy", passed=True, on=d
            ),
            lambda c, d: case_workflow.approve(c, by=u["leader"], on=d),
            lambda c, d: case_workflow.reply(c, by=u["clerk"], on=d),
            lambda c, d: case_workflow.deliver(
                c, by=u["clerk"], method="mail", on=d, ems="EA204512367CN"
            ),
        )
        day = decided
        for n, step in zip((3, 1, 0, 2, 1, 0), steps, strict=True):
            day = self.wd(day, n)
            case = step(case, day)


def load(builder, cases):
    """Record the demo's 复议/诉讼 on `cases` (replied demo cases); returns how many."""
    d = _Demo(builder, cases)
    today = d.today
    first, middle, last = today.year - 3, today.year - 2, today.year - 1
    # 维持 each full year
    for year in (first, middle, last):
        case = d.take(year)
        if case:
            d.full(case, d.wd(case.replied_on, 20), "uphold")
    # 纠正 → 重新答复 (first year)
    case = d.take(first)
    if case:
        d.corrected_and_replied_again(case)
    # 复议 upheld, then 复议后起诉 with the 复议机关 co-defendant, judgment at first instance
    case = d.take(middle)
    if case:
        rec = d.full(case, d.wd(case.replied_on, 18), "uphold", decided_after=40)
        if rec and rec.decided_on:
            d.full(
                case,
                d.wd(rec.decided_on, 8),
                "uphold",
                decided_after=60,
                kind="litigation",
                instance="first",
                after_reconsideration=True,
                prior=rec,
                co_defendant=True,
                body=DISTRICT_COURT,
                ruling="judgment",
            )
    # a 复议 brought in December and decided the next year (申请人撤回)
    case = d.take(middle, before=dt.date(middle, 12, 1), latest=True)
    if case:
        filed = max(d.wd(case.replied_on, 10), dt.date(middle, 12, 9))
        d.full(case, d.b.workday_on_or_after(filed), "withdrawn", decided_after=30)
    # a direct suit dismissed by ruling (其他)
    case = d.take(last)
    if case:
        d.full(
            case, d.wd(case.replied_on, 25), "reject", decided_after=35,
            kind="litigation", instance="first", body=DISTRICT_COURT, ruling="ruling",
        )  # fmt: skip
    # open now: a 复议 and a direct suit whose answers are due soon
    for kind, back in (("reconsideration", 8), ("litigation", 10)):
        case = d.take(before=today - dt.timedelta(60), latest=True)
        if case is None:
            continue
        filed = d.b.workday_on_or_after(today - dt.timedelta(back))
        extra = {"instance": "first", "body": DISTRICT_COURT} if kind == "litigation" else {}
        d.record(case, min(filed, today - dt.timedelta(7)), kind=kind, **extra)
    return d.count
