"""Section 二 of the annual report (主动公开政府信息情况, 2021 format) from the registers.

Definitions, for agency A and year Y (end = 31 December; tables.PROACTIVE_2021,
regulation.md §2.4, Art. 20):
- 第二十条第（一）项, from the Document register, per kind:
  issued 本年制发件数 = made_on within Y; repealed 本年废止件数 = repealed_on within Y;
  in_force 现行有效件数 = made by the end of Y and not repealed by then (a repeal
  dated 31 December takes effect that day). So last year's in_force + issued −
  repealed = in_force, and the CONTINUITY in_force check holds by construction.
- 第二十条第（五）（六）项 decisions 本年处理决定数量: imported decisions dated within Y.
- 第二十条第（八）项 amount_wan 本年收费金额（单位：万元）: imported charges dated
  within Y, summed in 元 and divided by 10 000, rounded half-up to WAN_PLACES
  decimals (4: exact to the 元).
A kind with no import covering any day of Y is null (blank, not 0: the spec's
"unknown is null"); `coverage()` says which days of Y have no import.

`annual_report()` adds sections 三 and 四 from gongkai.cases.stats.annual_tables.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum

from gongkai.cases.stats import StatsError, annual_tables
from gongkai.reports import checks, tables

from . import rows
from .models import Decision, Document, DocumentKind, FeeRecord, ImportBatch

__all__ = ["StatsError", "annual_report", "coverage", "proactive_section"]

WAN_PLACES = 4
_WAN = Decimal(10_000)


def year_span(year):
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _require_2021(year):
    template = tables.template_for_year(year)
    if template is None or template.key != "2021":
        raise StatsError(
            f"{year}年度的年报不使用2021年格式，表二无法从登记簿生成："
            "登记簿按2021年格式（本年制发、本年废止、现行有效件数）统计，适用于2021年度及以后。"
        )
    return template


def document_counts(agency, year):
    """{kind: {"issued", "repealed", "in_force"}} for both kinds (one query)."""
    start, end = year_span(year)
    in_force = Q(made_on__lte=end) & (Q(repealed_on__isnull=True) | Q(repealed_on__gt=end))
    counts = (
        Document.objects.filter(agency=agency)
        .values("kind")
        .annotate(
            issued=Count("id", filter=Q(made_on__gte=start, made_on__lte=end)),
            repealed=Count("id", filter=Q(repealed_on__gte=start, repealed_on__lte=end)),
            in_force=Count("id", filter=in_force),
        )
        .order_by()
    )
    out = {k: {"issued": 0, "repealed": 0, "in_force": 0} for k in DocumentKind.values}
    for row in counts:
        out[row["kind"]] = {k: row[k] for k in ("issued", "repealed", "in_force")}
    return out


def coverage(agency, year):
    """{import kind: [(first, last) day ranges of Y that no current import covers]}."""
    start, end = year_span(year)
    periods = {k: [] for k in rows.KINDS}
    batches = (
        ImportBatch.objects.current()
        .filter(agency=agency)
        .overlapping(start, end)
        .order_by("period_start")
        .values_list("kind", "period_start", "period_end")
    )
    for kind, first, last in batches:
        periods[kind].append((max(first, start), min(last, end)))
    return {kind: _gaps(spans, start, end) for kind, spans in periods.items()}


def _gaps(spans, start, end):
    gaps, day = [], start
    for first, last in sorted(spans):
        if first > day:
            gaps.append((day, first - dt.timedelta(days=1)))
        day = max(day, last + dt.timedelta(days=1))
    if day <= end:
        gaps.append((day, end))
    return gaps


def _wan(yuan):
    """元 -> 万元 as a JSON number (an int when whole)."""
    wan = (Decimal(yuan) / _WAN).quantize(Decimal(1).scaleb(-WAN_PLACES), ROUND_HALF_UP)
    return int(wan) if wan == wan.to_integral_value() else float(wan)


def proactive_section(agency, year):
    """Table 二 (2021 format) as {row key: {column key: value}} (spec: `proactive`)."""
    _require_2021(year)
    start, end = year_span(year)
    section = tables.empty_proactive(tables.TEMPLATE_2021)
    for kind, counts in document_counts(agency, year).items():
        section[kind].update(counts)
    gaps = coverage(agency, year)
    uncovered = {k for k, g in gaps.items() if g == [(start, end)]}
    decisions = dict(
        Decision.objects.filter(agency=agency, decided_on__gte=start, decided_on__lte=end)
        .values("kind")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("kind", "n")
    )
    for kind in rows.DECISION_KINDS:
        section[kind]["decisions"] = None if kind in uncovered else decisions.get(kind, 0)
    if rows.FEES not in uncovered:
        total = FeeRecord.objects.filter(
            agency=agency, charged_on__gte=start, charged_on__lte=end
        ).aggregate(total=Sum("amount"))["total"]
        section[rows.FEES]["amount_wan"] = _wan(total or 0)
    return section


def annual_report(agency, year):
    """A whole report in the interchange format: table 二 from the registers, tables
    三 and 四 from the case records, with the checker's findings."""
    _require_2021(year)
    report = annual_tables(agency, year)
    report["proactive"] = proactive_section(agency, year)
    report["findings"] = checks.check(report)
    return report
