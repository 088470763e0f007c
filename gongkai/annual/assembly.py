"""The report as the checker and the portal read it: one interchange dict
(annual-report-format.md) from the records and the edited text.

The tables are never computed here: table 二 is gongkai.registers.stats, 三 is
gongkai.cases.stats and 四 is gongkai.appeals.counting (registers.stats.annual_report
puts them together). This module adds the narrative, the findings that gate
submission and, after the lock, the drift between the frozen tables and the records.
"""

from gongkai.portal.models import PublishedReport
from gongkai.registers import stats
from gongkai.reports import checks
from gongkai.reports.findings import ERROR, WARNING, finding

from .drafting import PLACEHOLDER, section_text
from .models import NARRATIVE_KEYS, SECTIONS, AnnualReport

TABLE_SECTIONS = ("proactive", "requests", "appeals")
StatsError = stats.StatsError


def narrative_of(sections):
    return {NARRATIVE_KEYS[k]: section_text((sections or {}).get(k) or []) for k in SECTIONS}


def last_published(agency, year):
    """The newest published report of the year before, or None (CONTINUITY's other side)."""
    return PublishedReport.objects.filter(agency=agency, year=year - 1).order_by("-id").first()


def last_problems(agency, year):
    """Last year's problems (section 五): from last year's report written here, else from
    its published report; "" when there is neither."""
    earlier = AnnualReport.objects.filter(agency=agency, year=year - 1).first()
    if earlier is not None:
        if earlier.snapshot:
            return (earlier.snapshot.get("narrative") or {}).get("problems") or ""
        return section_text(earlier.sections.get("五") or [])
    row = last_published(agency, year)
    if row is not None and isinstance(row.data, dict):
        return str((row.data.get("narrative") or {}).get("problems") or "")
    return ""


def finding_key(f):
    """A finding's stable key (for its written explanation)."""
    return f"{f['rule']}|{f.get('where') or ''}"


def gate_findings(report):
    """Every finding that gates submission: the engine's single-report checks, an empty
    narrative part (NARRATIVE-EMPTY), CONTINUITY against last year's published report."""
    found = checks.check(report) + checks.check_narrative_present(report)
    for key, text in (report.get("narrative") or {}).items():
        if PLACEHOLDER in text:  # a drafted sentence asking for what no record says
            found.append(
                finding(
                    "NARRATIVE-EMPTY",
                    ERROR,
                    f"narrative.{key}",
                    f"“{checks.NARRATIVE_PARTS[key]}”还有标着{PLACEHOLDER}的句子：系统中没有"
                    "这些情况的记录，请写明实际情况或删去该句后再提交。",
                )
            )
    return found


def assemble(annual):
    """The interchange dict of `annual`: the frozen snapshot once locked, else the
    live tables with the edited narrative and the gate's findings."""
    if annual.locked and annual.snapshot:
        return annual.snapshot
    report = stats.annual_report(annual.agency, annual.year)
    report["agency"] = annual.agency.name
    report["narrative"] = narrative_of(annual.sections)
    found = gate_findings(report)
    last = last_published(annual.agency, annual.year)
    if last is not None and isinstance(last.data, dict):
        found += checks.check_continuity(last.data, report)
    report["findings"] = found
    return report


def blocking(report, explanations):
    """(errors, unexplained warnings) of an assembled report."""
    found = report.get("findings") or []
    errors = [f for f in found if f["severity"] == ERROR]
    unexplained = [
        f
        for f in found
        if f["severity"] == WARNING and not str(explanations.get(finding_key(f)) or "").strip()
    ]
    return errors, unexplained


def drift(annual):
    """Table cells whose value in the records now differs from the approved snapshot:
    [(section, row, column, frozen, live)]. Empty before the lock."""
    if not (annual.locked and annual.snapshot):
        return []
    live = stats.annual_report(annual.agency, annual.year)
    out = []
    for section in TABLE_SECTIONS:
        frozen_rows = annual.snapshot.get(section) or {}
        live_rows = live.get(section) or {}
        for row in sorted(set(frozen_rows) | set(live_rows)):
            frozen_cells = frozen_rows.get(row) or {}
            live_cells = live_rows.get(row) or {}
            for col in [*frozen_cells, *(c for c in live_cells if c not in frozen_cells)]:
                a, b = frozen_cells.get(col), live_cells.get(col)
                if a != b:
                    out.append((section, row, col, a, b))
    return out
