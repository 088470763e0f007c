"""Exports as CSV and XLSX, streamed: rows are written as they are read, so 100,000
rows cost no more memory than 100.

A table is declared once as data: a list of Column(header, value), where value(row)
gives the cell (a str, number, date or None). CSV starts with a BOM so that Excel
opens it as UTF-8; XLSX is written by openpyxl in write-only mode to a temporary
file on disk and then streamed from there.
"""

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

FORMATS = {"csv": "CSV", "xlsx": "Excel（XLSX）"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Cells that start with these are formulas to a spreadsheet program: prefixed with an
# apostrophe so that text typed by an applicant never runs as one (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]
    width: int = 14  # XLSX column width in characters


def _text(value):
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    value = str(value)
    return "'" + value if value.startswith(_FORMULA_START) else value


class _Echo:
    def write(self, value):
        return value


def csv_response(filename, columns, rows: Iterable):
    """A streamed CSV download of `rows` (any iterable, read lazily)."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow([c.header for c in columns])
        for row in rows:
            yield writer.writerow([_text(c.value(row)) for c in columns])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.csv")
    return response


def _cell(value):
    if isinstance(value, str):
        return _text(value)
    return value


def xlsx_response(filename, title, columns, rows: Iterable):
    """An XLSX download of `rows`: written row by row (openpyxl write-only) to a
    temporary file, then streamed from it."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    for i, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = column.width
    sheet.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_cell(c.value(row)) for c in columns])
    handle = tempfile.TemporaryFile()
    book.save(handle)
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_TYPE
    )


def response(fmt, filename, title, columns, rows):
    if fmt == "csv":
        return csv_response(filename, columns, rows)
    return xlsx_response(filename, title, columns, rows)
