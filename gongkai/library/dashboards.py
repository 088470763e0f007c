"""What a region's or an agency's dashboard shows, built from the aggregates
(aggregates.ReportFigures: one counted report per agency-year), for the web pages and
the exported 体检报告 alike.

- region(region, year, today): totals, 实质公开率, refusals and 无法提供 by reason,
  复议/诉讼 with 纠错率, 主动公开 volumes, findings by rule, reports missing or late
  (due.py's rule), the years' trend, and rankings that leave out agencies below a
  stated minimum volume.
- agency_years(agency): one agency's figures year by year.
"""

from dataclasses import dataclass, field

from django.db.models import Count, F, FloatField, Q, Value
from django.db.models.functions import Cast, Coalesce

from gongkai.reports import findings as rule_names
from gongkai.workdays.periods import annual_report_due

from . import aggregates, due
from .charts import Chart
from .figures import (
    FIGURES,
    LITIGATION,
    correction_rate,
    disclosure_rate,
    group,
)
from .models import LibraryAgency

# Rankings leave out agencies with fewer decided applications (办理结果总计) or fewer
# decided 复议/诉讼 cases than these: a rate over three applications ranks nobody.
MIN_HANDLED = 20
MIN_APPEALS = 5
RANK_SIZE = 10
YEARS_SHOWN = 10
APPEAL_GROUPS = (
    ("reconsideration", "行政复议", ("reconsideration",)),
    ("litigation", "行政诉讼", LITIGATION),
)


@dataclass
class Ranking:
    title: str
    note: str
    top: list = field(default_factory=list)  # (agency name, rate, volume, agency id)
    bottom: list = field(default_factory=list)
    ranked: int = 0
    left_out: int = 0


def pct(value):
    return "—" if value is None else f"{value * 100:.1f}%"


def _sum(values, keys):
    present = [values.get(k) for k in keys if values.get(k) is not None]
    return sum(present) if present else None


def results_chart(values, key="results"):
    """办理结果构成: 予以公开, 部分公开, 不予公开, 无法提供, 不予处理, 其他处理."""
    parts = [
        ("予以公开", values.get("granted")),
        ("部分公开", values.get("partial")),
        ("不予公开", _sum(values, [f.key for f in group("denied")])),
        ("无法提供", _sum(values, [f.key for f in group("unavailable")])),
        ("不予处理", _sum(values, [f.key for f in group("not_processed")])),
        ("其他处理", values.get("other")),
    ]
    return Chart(
        key, "办理结果构成", "bar", [p[0] for p in parts], [("件数", [p[1] for p in parts])]
    )


def reasons_chart(values, name, title):
    figures = group(name)
    return Chart(
        name,
        title,
        "bar",
        [f.label for f in figures],
        [("件数", [values.get(f.key) for f in figures])],
    )


def appeals_rows(values):
    """[(name, total, corrected, pending, decided, 纠错率)] for 复议 and 诉讼."""
    rows = []
    for _key, name, groups in APPEAL_GROUPS:
        total = _sum(values, [f"{g}_total" for g in groups])
        corrected = _sum(values, [f"{g}_corrected" for g in groups])
        pending = _sum(values, [f"{g}_pending" for g in groups])
        decided = _sum(values, [f"{g}_total" for g in groups])
        decided = None if decided is None else decided - (pending or 0)
        rows.append((name, total, corrected, pending, decided, correction_rate(values, groups)))
    return rows


def appeals_chart(values):
    rows = appeals_rows(values)
    return Chart(
        "appeals",
        "行政复议、行政诉讼",
        "bar",
        [r[0] for r in rows],
        [("总计", [r[1] for r in rows]), ("结果纠正", [r[2] for r in rows])],
    )


def proactive_chart(values):
    figures = [f for f in group("proactive") if not f.decimal]
    return Chart(
        "proactive",
        "主动公开（第二十条）",
        "bar",
        [f.label for f in figures],
        [("数量", [values.get(f.key) for f in figures])],
    )


def rules_chart(by_rule):
    return Chart(
        "rules",
        "检查发现（按规则）",
        "bar",
        [f"{rule_names.RULES.get(r, r)}（{r}）" for r, *_ in by_rule],
        [("发现数", [n for _, n, *_ in by_rule]), ("其中错误", [e for _, _, e, _ in by_rule])],
        unit="处",
    )


def trend_charts(years):
    """Received and handled per year, and 实质公开率 per year."""
    labels = [f"{y['year']}" for y in years]
    volume = Chart(
        "trend",
        "申请数量（历年）",
        "line",
        labels,
        [
            ("本年新收申请", [y["received"] for y in years]),
            ("办理结果总计", [y["handled"] for y in years]),
        ],
    )
    rate = Chart(
        "trend-rate",
        "实质公开率（历年）",
        "line",
        labels,
        [("实质公开率", [disclosure_rate(y) for y in years])],
        percent=True,
    )
    return volume, rate


def _ranking(rows, title, volume_expr, rate_expr, minimum, unit):
    eligible = rows.annotate(volume=volume_expr).filter(volume__gte=minimum)
    ranked = eligible.annotate(rate=rate_expr).select_related("agency")
    fields = ("agency__name", "rate", "volume", "agency_id")
    top = list(ranked.order_by("-rate", "agency__name").values_list(*fields)[:RANK_SIZE])
    sizes = rows.annotate(volume=volume_expr).aggregate(
        ranked=Count("report_id", filter=Q(volume__gte=minimum)), all=Count("report_id")
    )
    count = sizes["ranked"]
    bottom = []
    if count > RANK_SIZE:
        bottom = list(ranked.order_by("rate", "agency__name").values_list(*fields)[:RANK_SIZE])
        bottom.reverse()
    note = (
        f"只排名{unit}不少于 {minimum} 件的机关；不足 {minimum} 件的机关比率波动大，不参与排名"
        "（仍计入上面的合计）。"
    )
    return Ranking(title, note, top, bottom, count, sizes["all"] - count)


def _zero(key):
    return Coalesce(F(key), Value(0))


def rankings(rows):
    share = Cast(_zero("granted") + _zero("partial"), FloatField()) / Cast(
        F("handled"), FloatField()
    )
    decided = sum(
        (_zero(f"{g}_total") - _zero(f"{g}_pending") for g in ("reconsideration", *LITIGATION)),
        Value(0),
    )
    corrected = sum((_zero(f"{g}_corrected") for g in ("reconsideration", *LITIGATION)), Value(0))
    return [
        _ranking(rows, "实质公开率排名", F("handled"), share, MIN_HANDLED, "办理结果总计"),
        _ranking(
            rows,
            "复议、诉讼纠错率排名（纠错率低者在前）",
            decided,
            Cast(corrected, FloatField()) / Cast(decided, FloatField()),
            MIN_APPEALS,
            "已审结的复议、诉讼案件",
        ),
    ]


def due_summary(region, year, today, limit=200):
    """(counts by state name, [Due] missing or late, at most `limit`) for the reporting
    agencies under `region`, counted in the database from the counted reports' stated
    publication dates; the dates and states are due.py's (annual_report_due, classify)."""
    agencies = LibraryAgency.objects.filter(path__startswith=region.path).exclude(kind="region")
    figures = aggregates.counted(region, year).exclude(agency__kind="region")
    counts = dict.fromkeys(due.Due.NAMES, 0)
    problems = []
    for government in (False, True):
        deadline = annual_report_due(year, government=government)
        kind = Q(kind="government") if government else ~Q(kind="government")
        mine = agencies.filter(kind)
        filed = figures.filter(
            Q(agency__kind="government") if government else ~Q(agency__kind="government")
        )
        stated = filed.aggregate(
            n=Count("report_id"),
            unknown=Count("report_id", filter=Q(published__isnull=True)),
            late=Count("report_id", filter=Q(published__gt=deadline)),
        )
        absent = mine.count() - stated["n"]
        counts["missing" if today > deadline else "not_due"] += absent
        counts["unknown"] += stated["unknown"]
        counts["late"] += stated["late"]
        counts["on_time"] += stated["n"] - stated["unknown"] - stated["late"]
        if today > deadline and absent:
            rows = mine.exclude(pk__in=filed.values("agency_id")).order_by("path")[:limit]
            problems += [due.classify(a, year, today, filed=False, published=None) for a in rows]
        late = (
            filed.filter(published__gt=deadline).select_related("agency").order_by("agency__path")
        )
        problems += [
            due.classify(f.agency, year, today, filed=True, published=f.published)
            for f in late[:limit]
        ]
    problems.sort(key=lambda d: d.agency.path)
    return {due.Due.NAMES[k]: n for k, n in counts.items()}, problems[:limit]


def region(region, year, today, *, with_rankings=True):
    rows = aggregates.counted(region, year)
    values = aggregates.totals(rows)
    by_rule = aggregates.by_rule(rows)
    years = aggregates.by_year(
        aggregates.counted(region), ["received", "handled", "granted", "partial"]
    )[-YEARS_SHOWN:]
    counts, problems = due_summary(region, year, today)
    volume, rate = trend_charts(years)
    return {
        "values": values,
        "rate": disclosure_rate(values),
        "appeals": appeals_rows(values),
        "charts": [
            results_chart(values),
            reasons_chart(values, "denied", "不予公开的理由"),
            reasons_chart(values, "unavailable", "无法提供的理由"),
            appeals_chart(values),
            proactive_chart(values),
            rules_chart(by_rule),
            volume,
            rate,
        ],
        "by_rule": by_rule,
        "due_counts": counts,
        "due_problems": problems,
        "years": years,
        "rankings": rankings(rows) if with_rankings else [],
        "fees": values.get("fees_wan"),
    }


def agency_years(agency):
    """One agency's counted figures by year: (years, rows) where each row is
    (label, [value per year]) for every figure, then the rates."""
    figures = list(aggregates.counted().filter(agency=agency).order_by("year"))
    years = [f.year for f in figures]
    rows = [(f.label, [getattr(x, f.key) for x in figures], f.key) for f in FIGURES]
    per_year = [{f.key: getattr(x, f.key) for f in FIGURES} for x in figures]
    rows.append(("实质公开率", [disclosure_rate(v) for v in per_year], "rate"))
    rows.append(
        ("复议纠错率", [correction_rate(v, ("reconsideration",)) for v in per_year], "rate")
    )
    rows.append(("诉讼纠错率", [correction_rate(v, LITIGATION) for v in per_year], "rate"))
    volume, rate = trend_charts(
        [{"year": x.year, **v} for x, v in zip(figures, per_year, strict=True)]
    )
    return {"figures": figures, "years": years, "rows": rows, "charts": [volume, rate]}
