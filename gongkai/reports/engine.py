"""The annual-report engine's front door: read, check and render a report.

Everything here is pure Python (no ORM) and importable without a database.
Callers (CLI, web page, later the report builder) use only these functions.
"""

import hashlib
from pathlib import Path

from . import checks, extract, parsing
from .extract import UnsupportedInput

__all__ = ["UnsupportedInput", "analyse_bytes", "analyse_file", "analyse_text", "compare"]


def analyse_text(text, *, filename=None):
    """Parse and check report text; returns the report dict with all findings."""
    report = parsing.parse_text(text, filename=filename)
    report["source"]["sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    report["findings"].extend(checks.check(report))
    return report


def analyse_bytes(data, *, filename):
    """Parse and check an uploaded or read file (txt, html, docx, pdf)."""
    text = extract.to_text(data, filename=filename)  # raises UnsupportedInput
    report = parsing.parse_text(text, filename=filename)
    report["source"]["sha256"] = hashlib.sha256(data).hexdigest()
    report["findings"].extend(checks.check(report))
    return report


def analyse_file(path):
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnsupportedInput(f"无法读取文件：{exc.strerror or exc}") from exc
    return analyse_bytes(data, filename=path.name)


def compare(last, this):
    """Year-to-year findings for two reports of one agency (CONTINUITY)."""
    return checks.check_continuity(last, this)
