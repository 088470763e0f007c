"""Sections 三 and 四 of the annual report, computed from the case records.

Definitions, for agency A and year Y (start = 1 January, end = 31 December):
- 本年新收 (new): received_on within Y;
- 上年结转 (carried_over): received before Y and not concluded (closed_on) before Y;
- 本年度办理结果: cases concluded within Y, by outcome row;
- 结转下年度 (carry_forward): received by the end of Y and not concluded by then.
Every case counted in new + carried_over is either concluded in Y or carried
forward, and a case's closed_on is never before its received_on (a database
constraint), so T3-BALANCE holds by construction; totals are sums, so
T3-ROW-TOTAL, T3-RESULT-SUM and T3-OTHER-SUM hold too; and this year's
carried_over is last year's carry_forward by definition (CONTINUITY).

Section 四 is gongkai/appeals/counting.py (its rules, including the cross-year one,
are stated there).

Three aggregate queries in all.
"""

import datetime as dt

from django.db.models import Count, Q

from gongkai.appeals import counting
from gongkai.cases.models import Case
from gongkai.reports import tables


class StatsError(ValueError):
    """A report that cannot be computed; the message is Chinese."""


def _cell_rows(template):
    return {r.key: dict.fromkeys(tables.APPLICANT_KEYS, 0) for r in template.request_rows}


def _in_year(start, end):
    """Cases open at some time in the year: the only ones a flow row can count."""
    return (Q(closed_on__isnull=True) | Q(closed_on__gte=start)) & Q(received_on__lte=end)


def _flow_q(start, end):
    """The module docstring's definitions of the flow rows, within _in_year."""
    open_at_start = Q(closed_on__isnull=True) | Q(closed_on__gte=start)
    return {
        "new": Q(received_on__gte=start),
        "carried_over": Q(received_on__lt=start) & open_at_start,
        "carry_forward": Q(closed_on__isnull=True) | Q(closed_on__gt=end),
    }


def _concluded(start, end):
    # A request never confirmed (no received_on) was never received: not counted.
    return Q(received_on__isnull=False, closed_on__gte=start, closed_on__lte=end)


def _flow_counts(cases, start, end):
    """new / carried_over / carry_forward per applicant column (one query)."""
    return (
        cases.filter(_in_year(start, end))
        .values("applicant_type")
        .annotate(**{key: Count("id", filter=q) for key, q in _flow_q(start, end).items()})
        .order_by()
    )


def _result_counts(cases, start, end):
    """Concluded cases per (outcome, applicant column) (one query)."""
    return (
        cases.filter(_concluded(start, end))
        .values("outcome", "applicant_type")
        .annotate(n=Count("id"))
        .order_by()
    )


def cell_cases(agency, year, row, col):
    """The cases counted in one cell of table 三 (row and column keys of the spec), by
    the definitions requests_section counts with; None for a row it does not count."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    cases = Case.objects.filter(agency=agency)
    if col != "total":
        if col not in tables.APPLICANT_KEYS:
            return None
        cases = cases.filter(applicant_type=col)
    flows = _flow_q(start, end)
    if row in flows:
        return cases.filter(_in_year(start, end)).filter(flows[row])
    cases = cases.filter(_concluded(start, end))
    if row == "total":
        return cases
    if row == "other":  # 2019's single row, 2021's derived sum of the three
        return cases.filter(outcome__startswith="other.")
    if row in tables.RESULT_KEYS or row in tables.OTHER_PARTS:
        return cases.filter(outcome=row)
    return None


def requests_section(agency, year, template):
    """Section 三 as {row key: {column key: int}} in the template's rows."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    cases = Case.objects.filter(agency=agency)
    rows = _cell_rows(template)
    for r in _flow_counts(cases, start, end):
        for key in ("new", "carried_over", "carry_forward"):
            rows[key][r["applicant_type"]] += r[key]
    split = template.key == "2021"
    for r in _result_counts(cases, start, end):
        key = r["outcome"] if split or not r["outcome"].startswith("other.") else "other"
        rows[key][r["applicant_type"]] += r["n"]
    results = tables.RESULT_KEYS[:-1] + (tables.OTHER_PARTS if split else ("other",))
    rows["total"] = {c: sum(rows[k][c] for k in results) for c in tables.APPLICANT_KEYS}
    if split:  # the derived, unprinted （六）其他处理 row (spec §三)
        rows["other"] = {
            c: sum(rows[k][c] for k in tables.OTHER_PARTS) for c in tables.APPLICANT_KEYS
        }
    for cells in rows.values():
        cells["total"] = sum(cells[c] for c in tables.APPLICANT_KEYS)
    return rows


def annual_tables(agency, year):
    """An interchange-format report (spec: annual-report-format.md) with sections 三 and 四."""
    template = tables.template_for_year(year)
    if template is None or template.narrative_only:
        raise StatsError(
            f"{year}年适用2008年条例，年度报告没有统一表格，无法从办件记录生成表三、表四。"
        )
    report = tables.empty_report(template.key)
    report.update(agency=agency.name, year=year)
    report["requests"] = requests_section(agency, year, template)
    report["appeals"] = counting.appeals_section(agency, year)
    return report
