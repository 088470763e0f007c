"""The annual-report engine's front door: read, check and render a report.

Everything here is pure Python (no ORM) and importable without a database.
Callers (CLI, web page, later the report builder) use only these functions.
"""

import hashlib
from pathlib import Path

from . import checks, extract, parsing
from .extract import UnsupportedInput

__all__ = ["UnsupportedInput", "analyse_bytes", "analyse_file", "analyse_text", "compare"]

# Findings only the reader of the original document can make; kept when a
# report is read back from our own JSON or CSV, where the checks are re-run.
READING_RULES = frozenset({"SHAPE", "PARSE", "UNIT"})


def _checked(report):
    kept = [f for f in report.get("findings", []) if f["rule"] in READING_RULES]
    report["findings"] = kept + checks.check(report)
    return report


def analyse_text(text, *, filename=None):
    """Parse and check report text; returns the report dict with all findings."""
    report = parsing.parse_text(text, filename=filename)
    report["source"]["sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return _checked(report)


def analyse_bytes(data, *, filename):
    """Parse and check a file's bytes (txt, md, html, docx, pdf, our json or csv)."""
    kind = extract.kind_of(data, filename)
    if kind == "json":
        report = extract.load_json(data)
    elif kind == "csv":
        from .render import read_csv

        try:
            report = read_csv(extract.decode(data))
        except (ValueError, KeyError) as exc:
            raise UnsupportedInput(f"CSV 文件不是 gongkai 导出的逐单元格格式：{exc}") from exc
    else:
        report = parsing.parse_text(
            extract.to_text(data, filename=filename, kind=kind), filename=filename
        )
    report["source"]["file"] = filename
    report["source"]["sha256"] = hashlib.sha256(data).hexdigest()
    return _checked(report)


def analyse_file(path):
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnsupportedInput(f"无法读取文件：{extract.os_reason(exc)}") from exc
    return analyse_bytes(data, filename=path.name)


def compare(last, this):
    """Year-to-year findings for two reports of one agency (CONTINUITY)."""
    return checks.check_continuity(last, this)
