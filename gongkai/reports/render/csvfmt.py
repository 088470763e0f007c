"""CSV: one line per table cell, for analysis; `read_csv` reads it back.

Columns: agency, year, section, row, column, value, then row_label and
column_label in Chinese. Values are plain numbers ("-61", not "减61"; 元 and
万元 amounts without a unit); a blank cell is an empty value. UTF-8 with a BOM
so that Excel opens it.
"""

import csv
import io
import re

from .. import tables
from .layout import cells, number_text, request_keys

HEADER = ("agency", "year", "section", "row", "column", "value", "row_label", "column_label")
_INT = re.compile(r"-?\d+")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FLOAT = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def render_csv(report):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    agency = _guard(str(report.get("agency") or ""))
    year = number_text(report.get("year"))
    for section, row, column, value, _kind, row_label, column_label in cells(report):
        writer.writerow(
            (agency, year, section, row, column, number_text(value), row_label, column_label)
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _guard(text):
    """Keep Excel from running an uploaded agency name as a formula ("=…")."""
    return "'" + text if text[:1] in _FORMULA_START else text


def _unguard(text):
    return text[1:] if text[:1] == "'" and text[1:2] in _FORMULA_START else text


def _known_cells():
    known = set()
    for template in (tables.TEMPLATE_2019, tables.TEMPLATE_2021):
        for block, row in template.proactive_rows():
            known |= {("proactive", row.key, c.key) for c in block.columns}
        for key in request_keys(template):
            known |= {("requests", key, c.key) for c in tables.REQUEST_COLUMNS}
    for group in tables.APPEAL_GROUPS:
        known |= {("appeals", group.key, c.key) for c in tables.APPEAL_COLUMNS}
    return known


_KNOWN = _known_cells()
_ONLY_2021 = {("requests", k) for k in tables.OTHER_PARTS} | {
    ("proactive", r.key) for _, r in tables.TEMPLATE_2021.proactive_rows()
} - {("proactive", r.key) for _, r in tables.TEMPLATE_2019.proactive_rows()}
_COLUMNS_2021 = {c.key for b in tables.PROACTIVE_2021 for c in b.columns} - {
    c.key for b in tables.PROACTIVE_2019 for c in b.columns
}


def _number(text, line):
    text = text.strip().replace(",", "")
    if not text:
        return None
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    raise ValueError(f"CSV 第 {line} 行的数值“{text}”不是数字；请填写数字，空白单元格留空。")


def read_csv(text):
    """Read a CSV written by render_csv back into an interchange dict.

    Raises ValueError with a Chinese message when the text is not such a CSV.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig")
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header[:6]) != HEADER[:6]:
        raise ValueError(
            "这不是本系统导出的年报 CSV：第一行应为 agency,year,section,row,column,value。"
        )
    agency = year = None
    values = {}
    for line, fields in enumerate(reader, start=2):
        if not any(f.strip() for f in fields):
            continue
        if len(fields) < 6:
            raise ValueError(f"CSV 第 {line} 行只有 {len(fields)} 列，至少应有 6 列。")
        row_agency, row_year, section, row, column, value = (f.strip() for f in fields[:6])
        if line == 2:
            agency, year = row_agency, row_year
        elif (row_agency, row_year) != (agency, year):
            raise ValueError(
                f"CSV 第 {line} 行的机关或年度与第 2 行不同；一个 CSV 文件只能包含一份报告。"
            )
        if (section, row, column) not in _KNOWN:
            raise ValueError(
                f"CSV 第 {line} 行的单元格 {section}.{row}/{column} 不在年报格式中；"
                "请检查 section、row、column 三列。"
            )
        values[(section, row, column)] = _number(value, line)
    return _report(agency, year, values)


def _report(agency, year, values):
    is_2021 = any(
        (s, r) in _ONLY_2021 or (s == "proactive" and c in _COLUMNS_2021) for s, r, c in values
    )
    report = tables.empty_report(("2021" if is_2021 else "2019") if values else None)
    report["agency"] = _unguard(agency or "") or None
    if year:
        if not _INT.fullmatch(year):
            raise ValueError(f"CSV 中的年度“{year}”不是年份；请填写如 2021 的四位数字。")
        report["year"] = int(year)
    for (section, row, column), value in values.items():
        target = report[section].get(row)
        if target is None or column not in target:
            raise ValueError(
                f"单元格 {section}.{row}/{column} 不属于{'2021' if is_2021 else '2019'}年格式；"
                "一个 CSV 文件不能混用两种格式。"
            )
        target[column] = value
    return report
