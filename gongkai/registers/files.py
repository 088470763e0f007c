"""Reading an uploaded business-system export, row by row, without holding it in memory.

CSV in UTF-8 (with or without BOM) or GB18030 (what Excel and most Chinese
business systems write), comma- or tab-separated; or XLSX (first worksheet).
`read_rows(path, filename)` yields (line number, cells) for every row,
header included; the line number is the one a spreadsheet program shows.
Anything that makes the whole file unusable raises FileError with a Chinese
message that says how to fix it.

Pure Python: no Django import.
"""

import codecs
import csv
from pathlib import Path

CHUNK = 1 << 16
MAX_ROWS = 200_000  # data rows; larger exports are split by month or quarter

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 (OLE2)
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class FileError(ValueError):
    """The file as a whole cannot be read; the message is Chinese."""


def kind_of(path, filename=""):
    """ "xlsx" or "csv", from the file's first bytes (the name only breaks ties)."""
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(XLSX_MAGIC):
        return "xlsx"
    if head.startswith(XLS_MAGIC):
        raise FileError(
            "这是 Excel 97-2003 格式（.xls）的文件，系统不能读取。"
            "请在 Excel 中“另存为”Excel 工作簿（.xlsx）或 CSV 后再上传。"
        )
    if str(filename).lower().endswith((".xlsx", ".xlsm")):
        raise FileError("文件扩展名是 .xlsx，但内容不是有效的 Excel 工作簿，可能已损坏。")
    return "csv"


def detect_encoding(path):
    """ "utf-8-sig", "utf-8" or "gb18030", by decoding the whole file in chunks."""
    with open(path, "rb") as f:
        head = f.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(UTF16_BOMS):
        raise FileError(
            "文件是 UTF-16 编码（Excel“Unicode 文本”），系统不能读取。"
            "请另存为“CSV UTF-8（逗号分隔）”或 .xlsx 后再上传。"
        )
    for encoding in ("utf-8", "gb18030"):
        if _decodes(path, encoding):
            return encoding
    raise FileError(
        "无法识别文件的文字编码（既不是 UTF-8，也不是 GB18030/GBK），文件可能已损坏。"
        "请从业务系统重新导出，或在 Excel 中另存为“CSV UTF-8（逗号分隔）”。"
    )


def _decodes(path, encoding):
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with open(path, "rb") as f:
            while chunk := f.read(CHUNK):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _delimiter(path, encoding):
    with open(path, encoding=encoding, newline="") as f:
        first = f.readline(CHUNK)
    return "\t" if "\t" in first and "," not in first else ","


def _csv_rows(path):
    encoding = detect_encoding(path)
    delimiter = _delimiter(path, encoding)
    with open(path, encoding=encoding, newline="") as f:
        reader = csv.reader(f, delimiter=delimiter, strict=False)
        line = 1
        try:
            for row in reader:
                yield line, row
                line = reader.line_num + 1
        except csv.Error as exc:
            raise FileError(
                f"第 {line} 行附近的 CSV 格式有误（{exc}），可能是引号不成对或单元格过长。"
                "请在 Excel 中打开检查后重新保存。"
            ) from None


def _xlsx_rows(path):
    # openpyxl raises many kinds of errors on damaged or hostile workbooks; any of
    # them means the file cannot be read. It uses defusedxml when installed (XML bombs).
    from openpyxl import load_workbook

    with open(path, "rb") as handle:  # a file object: openpyxl then ignores the name
        try:
            book = load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:  # a third-party parser on untrusted input
            raise FileError(
                f"无法打开 Excel 工作簿，文件可能已损坏或不是 .xlsx 格式（{_short(exc)}）。"
            ) from None
        try:
            if not book.worksheets:
                raise FileError("Excel 工作簿中没有工作表。")
            rows = book.worksheets[0].iter_rows(values_only=True)
            line = 0
            while True:
                try:
                    row = next(rows)
                except StopIteration:
                    break
                except Exception as exc:  # as above
                    raise FileError(
                        f"读取 Excel 工作表第 {line + 1} 行时出错，文件可能已损坏（{_short(exc)}）。"
                    ) from None
                line += 1
                yield line, list(row)
        finally:
            book.close()


def _short(exc):
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 80 else text[:79] + "…"


def read_rows(path, filename=""):
    """(line number, cells) for every row of the file, header row included.

    Cells are strings for CSV; for XLSX whatever the cell holds (str, int,
    float, datetime, bool or None). Raises FileError past MAX_ROWS rows.
    """
    path = Path(path)
    kind = kind_of(path, filename)
    rows = _xlsx_rows(path) if kind == "xlsx" else _csv_rows(path)
    for count, (line, cells) in enumerate(rows):
        if count > MAX_ROWS:
            raise FileError(
                f"文件超过 {MAX_ROWS} 行数据，一次导入不了。请按月份或季度拆分成几个文件，"
                "分别选择对应的导入期间后导入。"
            )
        yield line, cells
