"""Findings with a human decision, and corrections of misread cells (issue 19).

State changes are these functions, each audited (LibraryEvent):
- refresh(report): re-run the checks on the current data (parsed + corrections) and
  bring the report's findings up to date. A finding is identified by (report, rule,
  location) — not by run — so its review state survives any number of re-checks; a
  finding the checks no longer make is kept with present=False (and its decision).
  refresh_many(reports) does it for many reports at once (a re-check's or an
  import's batch: the reports around them read once, everything written in bulk);
  refresh_all(reports) adds the cascade to the reports that depend on them.
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
    LibraryAgency,
    LibraryEvent,
    LibraryReport,
    Review,
    ReviewedFinding,
    Status,
    SupersededOriginal,
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


def effective(report, corrections=None):
    """The report's data as it now stands: the parsed data with every correction
    applied in order (the latest correction of a cell wins). Reading findings
    (SHAPE/PARSE/UNIT) about a corrected cell are dropped: a person has read it.
    `corrections`: the report's corrections that apply, oldest first, if already read
    (refresh_many reads a batch's at once)."""
    data = copy.deepcopy(report.parsed)
    corrected = set()
    if corrections is None:
        corrections = _corrections([report])[report.pk]
    for c in corrections:
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


def _corrections(reports):
    """{report pk: [Correction that applies, oldest first]} for `reports`, in two queries.
    A corrected file (versions.replace) starts afresh: earlier cell corrections were
    readings of the file it replaced."""
    ids = [r.pk for r in reports]
    base = dict(
        SupersededOriginal.objects.filter(report__in=ids)
        .values("report")
        .annotate(v=models.Max("until_version"))
        .values_list("report", "v")
    )
    out = {pk: [] for pk in ids}
    for c in Correction.objects.filter(report__in=ids).order_by("report", "version"):
        if c.version > (base.get(c.report_id) or 0):
            out[c.report_id].append(c)
    return out


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


FINDING_FIELDS = ("severity", "message", "expected", "actual", "present")


def _filed(report):
    return bool(report.status == Status.FILED and report.agency_id and report.year)


@transaction.atomic
def refresh(report, actor=None, *, cascade=True):
    """Check the report's current data and keep its findings' identities and states;
    with `cascade`, the reports whose findings depend on this one are re-checked too
    (next year's CONTINUITY, the parent's sum, the reports it repeats)."""
    if cascade:
        refresh_all([report], actor)
    else:
        refresh_many([report], actor)
    return report


@transaction.atomic
def refresh_all(reports, actor=None):
    """refresh, with its cascade, for many reports at once (an import's batch): the
    reports are checked together (refresh_many), then the reports outside them whose
    findings depend on them."""
    reports = [r for r in reports if r.parsed is not None]
    if not reports:
        return
    peers = crosscheck.Peers()
    others = {r.pk: r for r in refresh_many(reports, actor, peers=peers)}
    mine = {r.pk for r in reports}
    for report in reports:
        following = peers.one(report.agency_id, report.year + 1) if _filed(report) else None
        if following is not None and following.pk not in mine:
            others[following.pk] = following
    if others:
        refresh_many(list(others.values()), actor, peers=peers)


@transaction.atomic
def refresh_many(reports, actor=None, *, peers=None):
    """refresh (without cascade) for many reports at once, e.g. every report of one
    supervisor and year: the reports around them are read once (crosscheck.Peers), their
    corrections and findings in one query each, and everything written in bulk. Each
    finding keeps its identity (report, rule, location) and review state. The reports
    outside `reports` whose findings depend on these are returned (refresh re-checks
    them; a re-check of everything checks them anyway)."""
    reports = [r for r in reports if r.parsed is not None]
    if not reports:
        return []
    _with_agencies(reports)
    peers = peers if peers is not None else crosscheck.Peers()
    corrections = _corrections(reports)
    # Each report's own data first: the reports checked together read each other's.
    for report in reports:
        report.current = effective(report, corrections[report.pk])
    peers.preload(reports)
    existing = {r.pk: {} for r in reports}
    for row in ReviewedFinding.objects.filter(report__in=list(existing)):
        existing[row.report_id][(row.rule, row.where)] = row
    new, changed, gone, again, counts = [], [], [], [], {}
    for report in reports:
        data = report.current
        again += _check(report, data, peers)
        rows = existing[report.pk]
        kept = []
        for key, f in _keyed(data["findings"]).items():
            row = rows.pop(key, None)
            values = {
                "severity": f["severity"],
                "message": f["message"],
                "expected": f.get("expected"),
                "actual": f.get("actual"),
                "present": True,
            }
            if row is None:  # one INSERT for all: a report's first check finds tens
                row = ReviewedFinding(
                    report=report, rule=key[0], where=key[1], state=Review.PENDING, **values
                )
                new.append(row)
            elif any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                changed.append(row)
            kept.append(row)
        gone += [row.pk for row in rows.values() if row.present]
        report.current = data
        counts[report.pk] = _count(report, kept)
    ReviewedFinding.objects.bulk_create(new, batch_size=1000)
    ReviewedFinding.objects.bulk_update(changed, FINDING_FIELDS, batch_size=500)
    ReviewedFinding.objects.filter(pk__in=gone).update(present=False)
    # not `parsed`
    LibraryReport.objects.bulk_update(
        reports, ["current", "error_count", "pending_count"], batch_size=100
    )
    crosscheck.reports_filed([(r.agency_id, r.year) for r in reports if _filed(r)])
    aggregates.update_many(reports, counts)
    mine = {r.pk for r in reports}
    return list({r.pk: r for r in again if r.pk not in mine}.values())


def _with_agencies(reports):
    """Each report's agency loaded (one query for those not yet)."""
    missing = {r.agency_id for r in reports if r.agency_id and not _agency_cached(r)}
    if missing:
        agencies = LibraryAgency.objects.in_bulk(missing)
        for r in reports:
            if r.agency_id in agencies and not _agency_cached(r):
                r.agency = agencies[r.agency_id]


def _agency_cached(report):
    return LibraryReport.agency.is_cached(report)


def _check(report, data, peers):
    """Add the findings beyond the report itself to `data` (its checked current data):
    CONTINUITY with last year's report and crosscheck's rules, for a filed report. The
    reports whose findings depend on this one are returned."""
    if not _filed(report):
        return []
    last = peers.one(report.agency_id, report.year - 1)
    if last is not None:
        data["findings"] += continuity(last, report, data)
    extra, again = crosscheck.findings_for(report, data, last, peers)
    peers.release(report.agency_id, report.year)  # its children's reports
    # TEMPLATE-YEAR on the year the report is filed under, not the one it printed.
    data["findings"] = [f for f in data["findings"] if f["rule"] != "TEMPLATE-YEAR"]
    data["findings"] += extra
    return again


def _count(report, present=None):
    """Set the report's error and pending counts from its findings still made
    (`present`: those rows, if at hand); its [(rule, findings, errors)] not 排除."""
    if present is None:
        present = list(report.findings.filter(present=True))
    counted = [f for f in present if f.state != Review.EXCLUDED]
    report.error_count = sum(f.severity == "error" for f in counted)
    report.pending_count = sum(f.state == Review.PENDING for f in present)
    rules = {}
    for f in counted:
        n, e = rules.get(f.rule, (0, 0))
        rules[f.rule] = (n + 1, e + (f.severity == "error"))
    return [(rule, n, e) for rule, (n, e) in rules.items()]


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
