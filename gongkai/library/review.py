"""Findings with a human decision, and corrections of misread cells (issue 19).

State changes are these functions, each audited (LibraryEvent):
- refresh(report): re-run the checks on the current data (parsed + corrections) and
  bring the report's findings up to date. A finding is identified by (report, rule,
  location) — not by run — so its review state survives any number of re-checks; a
  finding the checks no longer make is kept with present=False (and its decision).
- review(finding, state, reason, user): 待核实 / 确认 / 排除, with reason and who.
- correct(report, where, value, reason, user): a person's reading of one cell, as a
  new version; the parsed value is never overwritten; the checks re-run.
- assign(report, agency, year, user): a queued report filed by a person.
- reparse(report): the original read again by the engine (e.g. after a parser fix).
"""

import copy

from django.db import models, transaction
from django.utils import timezone

from gongkai.reports import checks, engine, sandbox

from . import aggregates, crosscheck
from .models import (
    Correction,
    LibraryEvent,
    LibraryReport,
    Review,
    ReviewedFinding,
    Status,
)

SECTIONS = ("requests", "appeals", "proactive")
MAX_VALUE = 10**12


class ReviewError(ValueError):
    """A change refused; the message is Chinese."""


def split_where(where):
    """(section, row, column) of a cell location such as "requests.new/natural_person"."""
    section, _, rest = (where or "").partition(".")
    row, _, col = rest.rpartition("/")
    if section not in SECTIONS or not row or not col:
        return None
    return section, row, col


def cell(data, where):
    parts = split_where(where)
    if parts is None:
        raise KeyError(where)
    section, row, col = parts
    return data[section][row][col]


def effective(report):
    """The report's data as it now stands: the parsed data with every correction
    applied in order (the latest correction of a cell wins). Reading findings
    (SHAPE/PARSE/UNIT) about a corrected cell are dropped: a person has read it."""
    data = copy.deepcopy(report.parsed)
    corrected = set()
    # A corrected file (versions.replace) starts afresh: earlier cell corrections were
    # readings of the file it replaced.
    base = report.superseded.aggregate(v=models.Max("until_version"))["v"] or 0
    for c in report.corrections.filter(version__gt=base).order_by("version"):
        section, row, col = split_where(c.where)
        data[section][row][col] = c.value
        corrected.add(c.where)
    kept = [
        f
        for f in data.get("findings") or []
        if f.get("rule") in engine.READING_RULES and f.get("where") not in corrected
    ]
    data["findings"] = kept + checks.check({**data, "findings": kept})
    return data


def _keyed(found):
    """{(rule, where): finding}; a repeated (rule, where) in one run gets "#2", "#3"…"""
    out = {}
    for f in found:
        key = (f["rule"], f.get("where") or "")
        n = 1
        while key in out:
            n += 1
            key = (f["rule"], f"{f.get('where') or ''}#{n}")
        out[key] = f
    return out


def neighbour(report, step):
    """The filed report of the same agency `step` years away (the latest collected)."""
    if not report.agency_id or not report.year:
        return None
    return (
        LibraryReport.objects.filter(
            agency_id=report.agency_id,
            year=report.year + step,
            status=Status.FILED,
            current__isnull=False,
        )
        .defer("parsed")
        .order_by("-id")
        .first()
    )


def continuity(last, this, data):
    """CONTINUITY findings (carried_over = last year's carry_forward; 2019 table 二
    prev_items = last year's + change; 2021 table 二 现行有效 = last year's + 制发 − 废止,
    a warning) between last year's report and this one's `data`, by the engine's rule
    (regulation.md §2.6, Art. 50). The library has matched both to one agency and
    year, so they are compared under the directory's name and years (a report printing
    "临夏州公安局" and its predecessor "临夏回族自治州公安局" are one agency)."""
    name = this.agency.name
    return engine.compare(
        {**last.current, "agency": name, "year": last.year},
        {**data, "agency": name, "year": this.year},
    )


@transaction.atomic
def refresh(report, actor=None, *, cascade=True):
    """Check the report's current data and keep its findings' identities and states;
    with `cascade`, the next year's report is re-checked too (its CONTINUITY)."""
    if report.parsed is None:
        return report
    data = effective(report)
    filed = report.status == Status.FILED and report.agency_id and report.year
    last = neighbour(report, -1) if filed else None
    if last is not None:
        data["findings"] += continuity(last, report, data)
    again = []
    if filed:  # the checks beyond one report (crosscheck → crossrules)
        extra, again = crosscheck.findings_for(report, data, last)
        # TEMPLATE-YEAR on the year the report is filed under, not the one it printed.
        data["findings"] = [f for f in data["findings"] if f["rule"] != "TEMPLATE-YEAR"]
        data["findings"] += extra
        crosscheck.report_filed(report.agency_id, report.year)
    found = _keyed(data["findings"])
    existing = {(f.rule, f.where): f for f in report.findings.all()}
    new = []  # one INSERT for all: a report's first check finds tens of them
    for key, f in found.items():
        row = existing.pop(key, None)
        values = {
            "severity": f["severity"],
            "message": f["message"],
            "expected": f.get("expected"),
            "actual": f.get("actual"),
            "present": True,
        }
        if row is None:
            new.append(
                ReviewedFinding(
                    report=report, rule=key[0], where=key[1], state=Review.PENDING, **values
                )
            )
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            row.save()
    ReviewedFinding.objects.bulk_create(new)
    gone = [row.pk for row in existing.values() if row.present]
    ReviewedFinding.objects.filter(pk__in=gone).update(present=False)
    report.current = data
    _count(report)
    report.save(update_fields=["current", "error_count", "pending_count"])  # not `parsed`
    aggregates.update(report)
    if cascade and filed:
        following = neighbour(report, +1)
        seen = {report.pk}
        for other in ([following] if following is not None else []) + again:
            if other.pk not in seen:  # next year's CONTINUITY, the parent, copy partners
                seen.add(other.pk)
                refresh(other, actor, cascade=False)
    return report


def _count(report):
    present = report.findings.filter(present=True)
    report.error_count = present.filter(severity="error").exclude(state=Review.EXCLUDED).count()
    report.pending_count = present.filter(state=Review.PENDING).count()


@transaction.atomic
def review(finding, state, reason, user):
    if state not in Review.values:
        raise ReviewError("核实结论无法识别，应为待核实、确认或排除。")
    reason = (reason or "").strip()
    if state == Review.EXCLUDED and not reason:
        raise ReviewError("排除一项检查发现须写明理由。")
    before = finding.state
    finding.state, finding.reason = state, reason
    finding.decided_by = user if state != Review.PENDING else None
    finding.decided_at = timezone.now() if state != Review.PENDING else None
    finding.save()
    report = finding.report
    if report is not None:
        _count(report)
        report.save(update_fields=["error_count", "pending_count"])
        aggregates.update(report)
    LibraryEvent.objects.create(
        report=report,
        actor=user,
        kind="review",
        data={
            "rule": finding.rule,
            "where": finding.where,
            **({"agency": finding.agency_id, "year": finding.year} if report is None else {}),
            "from": before,
            "to": state,
            "reason": reason,
        },
    )
    return finding


def parse_value(text):
    """A cell's value typed by a person: a non-negative integer, or blank (None)."""
    text = (text or "").strip().replace(",", "").replace("，", "")
    if text in ("", "空", "-", "—"):
        return None
    try:
        value = int(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            raise ReviewError(f"“{text}”不是数字。请填写整数，或留空表示空白单元格。") from None
    if value < 0 or value > MAX_VALUE:
        raise ReviewError("数值须为不小于 0 的合理数字。")
    return value


@transaction.atomic
def correct(report, where, value, reason, user):
    """A new version of `report` with the cell at `where` read as `value`."""
    report = LibraryReport.objects.select_for_update().get(pk=report.pk)
    if report.parsed is None:
        raise ReviewError("这份报告未能读取，没有可更正的单元格。")
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("更正单元格须写明理由（例如：原文第几页该格为多少）。")
    data = effective(report)
    try:
        old = cell(data, where)
    except (KeyError, TypeError):
        raise ReviewError(f"报告中没有单元格“{where}”。请从表格中选择要更正的单元格。") from None
    if old == value:
        raise ReviewError("更正后的值与当前值相同，无需更正。")
    report.version += 1
    Correction.objects.create(
        report=report,
        version=report.version,
        where=where,
        old_value=old,
        value=value,
        reason=reason,
        by=user,
    )
    report.save(update_fields=["version"])
    LibraryEvent.objects.create(
        report=report,
        actor=user,
        kind="correct",
        data={
            "where": where,
            "from": old,
            "to": value,
            "reason": reason,
            "version": report.version,
        },
    )
    return refresh(report, user)


@transaction.atomic
def assign(report, agency, year, user):
    report = LibraryReport.objects.select_for_update().get(pk=report.pk)
    if report.status == Status.UNREADABLE:
        raise ReviewError("这份文件未能读取，不能归档到机关。")
    if not year or not 1990 <= int(year) <= timezone.now().year:
        raise ReviewError("请填写报告年度（四位数字）。")
    before = {"agency": report.agency_id, "year": report.year}
    report.agency, report.year, report.status = agency, int(year), Status.FILED
    report.match_note = "人工指定"
    report.save(update_fields=["agency", "year", "status", "match_note"])
    LibraryEvent.objects.create(
        report=report,
        actor=user,
        kind="assign",
        data={"from": before, "agency": agency.pk, "agency_name": agency.name, "year": int(year)},
    )
    return refresh(report, user)  # now it has a year: CONTINUITY with its neighbours


def reparse(report, actor=None):
    """Read the kept original again (in the sandbox) and re-check; decisions stay."""
    with report.original.open("rb") as f:
        data = f.read()
    outcome = sandbox.run(data, filename=report.filename)
    if outcome.report is None:
        raise ReviewError(outcome.error or "读取时系统出错。")
    with transaction.atomic():
        report.parsed = outcome.report
        report.save(update_fields=["parsed"])
        LibraryEvent.objects.create(report=report, actor=actor, kind="reparse", data={})
        return refresh(report, actor)
