"""The annual-report engine's front door: read, check and render a report.

Everything here is pure Python (no ORM) and importable without a database.
Callers (CLI, web page, later the report builder) use only these functions.
"""

import csv
import hashlib
import re
from pathlib import Path

from . import checks, extract, parsing
from .cells import MAX_DIGITS
from .extract import UnsupportedInput
from .findings import WARNING, finding

__all__ = ["UnsupportedInput", "analyse_bytes", "analyse_file", "analyse_text", "compare"]

# Findings only the reader of the original document can make; kept when a
# report is read back from our own JSON or CSV, where the checks are re-run.
READING_RULES = frozenset({"SHAPE", "PARSE", "UNIT"})


def _checked(report):
    kept = [f for f in report.get("findings", []) if f["rule"] in READING_RULES]
    report["findings"] = kept + checks.check(report)
    return report


_OVERLONG = re.compile(rf"\d{{{MAX_DIGITS + 1},}}")


def _overlong_numbers(text, limit=5):
    """PARSE findings for digit strings too long to be a figure (cells.MAX_DIGITS): they
    are read as words, never as numbers, and the reader is told so."""
    out = []
    for m in _OVERLONG.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        out.append(
            finding(
                "PARSE",
                WARNING,
                "source",
                f"无法读取原文第 {line} 行的一个 {len(m[0])} 位数字：年度报告中没有这么长的数字，"
                "未作为数值读入任何表格，请核对原文。",
                None,
                m[0][:20] + "…",
            )
        )
        if len(out) >= limit:
            break
    return out


# Annual reports run to tens of thousands of characters; a text hundreds of times that
# is not one (and would only cost the reader time).
MAX_TEXT_CHARS = 5_000_000


def _parsed(text, filename):
    if len(text) > MAX_TEXT_CHARS:
        raise UnsupportedInput(
            f"无法读取：报告文字超过 {MAX_TEXT_CHARS // 10_000} 万字，不像一份年度报告。"
            "请只提交一份年度报告。"
        )
    report = parsing.parse_text(text, filename=filename)
    report["findings"] = _overlong_numbers(text) + report["findings"]
    return report


def analyse_text(text, *, filename=None):
    """Parse and check report text; returns the report dict with all findings."""
    report = _parsed(text, filename)
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
        except csv.Error as exc:  # e.g. a field longer than the csv module's limit
            raise UnsupportedInput(
                "无法读取：CSV 文件的格式有误（某个单元格过长或引号不配对），"
                "不是 gongkai 导出的逐单元格格式。"
            ) from exc
        except (ValueError, KeyError) as exc:
            raise UnsupportedInput(f"CSV 文件不是 gongkai 导出的逐单元格格式：{exc}") from exc
    else:
        report = _parsed(extract.to_text(data, filename=filename, kind=kind), filename)
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
