"""Table 四 (政府信息公开行政复议、行政诉讼情况) from the appeal records: the one home of
the counting rules. Sources: docs/appeals.md.

1. Column of a decision (COLUMN, stated once): 维持 → 结果维持; 撤销、部分撤销、变更、
   确认违法、责令履行、责令重新作出 → 结果纠正; 驳回申请/起诉、终止、撤回、调解、其他 →
   其他结果; not decided by the end of the report year → 尚未审结.
2. Group: a 复议 → 行政复议; a suit → 未经复议直接起诉 or 复议后起诉 (tables.APPEAL_GROUPS).
   A suit is one matter: only its 一审 record counts (二审/再审 records track deadlines).
3. Co-defendant (国办公开办函〔2016〕201号, regulation.md §2.6 rule 8): a suit in which the
   复议机关 is a co-defendant counts once, for the original agency — its one record here,
   whatever `co_defendant` says; the 复议机关 does not count it.
4. Cross-year (settings.APPEALS_CROSS_YEAR_RULE; no national text found, so a setting):
   "carry" (default): a matter counts in every year from the one it was brought in to
   the one it was decided in: as 尚未审结 in the years it was still pending at the end,
   with its result in the year of the decision — like table 三's 上年结转.
   "filed": only in the year it was brought, with its result as known at that
   year's end (decided later: 尚未审结 there, and never again).
"""

import datetime as dt

from django.conf import settings
from django.db.models import Count, Q

from gongkai.appeals.models import Appeal, Decision, Instance, Kind, Result
from gongkai.reports import tables

COLUMN = {
    Decision.UPHOLD: Result.UPHELD,
    Decision.REVOKE: Result.CORRECTED,
    Decision.PARTLY_REVOKE: Result.CORRECTED,
    Decision.ALTER: Result.CORRECTED,
    Decision.CONFIRM_ILLEGAL: Result.CORRECTED,
    Decision.ORDER_PERFORM: Result.CORRECTED,
    Decision.ORDER_REDO: Result.CORRECTED,
    Decision.REJECT: Result.OTHER,
    Decision.TERMINATE: Result.OTHER,
    Decision.WITHDRAWN: Result.OTHER,
    Decision.MEDIATION: Result.OTHER,
    Decision.OTHER: Result.OTHER,
}
# 纠正 decisions that can order the agency to reply again (重新答复).
ORDERS_NEW_REPLY = frozenset(
    {Decision.REVOKE, Decision.PARTLY_REVOKE, Decision.ORDER_PERFORM, Decision.ORDER_REDO}
)
CROSS_YEAR_RULES = {"carry", "filed"}


def column_of(decision):
    """The table 四 column (Result) of a decision."""
    return COLUMN[Decision(decision)]


def cross_year_rule():
    rule = getattr(settings, "APPEALS_CROSS_YEAR_RULE", "carry")
    if rule not in CROSS_YEAR_RULES:
        raise ValueError(f"APPEALS_CROSS_YEAR_RULE 只能是 carry 或 filed，而不是“{rule}”。")
    return rule


def counted(appeals, year, rule=None):
    """The appeals table 四 of `year` counts (rule 2 and 4)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    appeals = appeals.exclude(instance__in=[Instance.SECOND, Instance.RETRIAL])
    if (rule or cross_year_rule()) == "filed":
        return appeals.filter(filed_on__gte=start, filed_on__lte=end)
    return appeals.filter(filed_on__lte=end).filter(
        Q(decided_on__isnull=True) | Q(decided_on__gte=start)
    )


def in_column(appeals, year, column):
    """Of the appeals `year`'s table 四 counts, those in one column: a decision reached
    after the year ended is still 尚未审结 in that year's report (as appeals_section)."""
    decided = Q(decided_on__isnull=False, decided_on__lte=dt.date(year, 12, 31))
    if column == "total":
        return appeals
    if column == Result.PENDING:
        return appeals.filter(Q(result=Result.PENDING) | ~decided)
    return appeals.filter(decided, result=column)


def group_of(kind, after_reconsideration):
    if kind == Kind.RECONSIDERATION:
        return "reconsideration"
    return "litigation_after" if after_reconsideration else "litigation_direct"


def appeals_section(agency, year, rule=None):
    """Section 四 as {group key: {column key: int}} (one aggregate query)."""
    end = dt.date(year, 12, 31)
    out = {g.key: {c.key: 0 for c in tables.APPEAL_COLUMNS} for g in tables.APPEAL_GROUPS}
    decided = Q(decided_on__isnull=False, decided_on__lte=end)
    rows = (
        counted(Appeal.objects.filter(case__agency=agency), year, rule)
        .values("kind", "after_reconsideration", "result")
        .annotate(decided=Count("id", filter=decided), n=Count("id"))
        .order_by()
    )
    for r in rows:
        cells = out[group_of(r["kind"], r["after_reconsideration"])]
        if r["result"] != Result.PENDING:
            cells[r["result"]] += r["decided"]
        # decided after the year ended: still 尚未审结 in this year's report
        cells[Result.PENDING] += r["n"] - (0 if r["result"] == Result.PENDING else r["decided"])
        cells["total"] += r["n"]
    return out
