"""Building import files for tests: CSV in any encoding, XLSX from rows."""

import csv
import io

from openpyxl import Workbook

DECISION_HEADER = ("决定日期", "决定文号", "事项名称")
FEE_HEADER = ("收费日期", "收费项目", "金额（元）")


def csv_bytes(rows, encoding="utf-8", delimiter=","):
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return text.getvalue().encode(encoding)


def xlsx_bytes(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def decisions(*numbers, day="2024-03-01", matter="户口迁移审批"):
    return [DECISION_HEADER] + [(day, n, matter) for n in numbers]


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path
