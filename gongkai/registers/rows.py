"""The column layouts of business-system exports, and the row validator.

Four kinds of file feed table 二 (2021 format; regulation.md §2.4, Art. 20):
行政许可, 行政处罚 and 行政强制 decisions (第二十条第（五）（六）项: one row per
decision, counted) and 行政事业性收费 (第二十条第（八）项: one row per charge or
per item and day, summed). The first non-empty row is the header; columns are
found by their Chinese header (documented in LAYOUTS, a few common variants
accepted), in any order; other columns are ignored and listed.

Every data row is either Accepted (typed values) or Rejected (line number and
Chinese reasons). The validator never raises on a row's content.

Pure Python: no Django import.
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .files import FileError, read_rows

LICENSING, PENALTIES, COERCION, FEES = "licensing", "penalties", "coercion", "fees"
KINDS = {LICENSING: "行政许可", PENALTIES: "行政处罚", COERCION: "行政强制", FEES: "行政事业性收费"}
DECISION_KINDS = (LICENSING, PENALTIES, COERCION)

DATE, TEXT, AMOUNT = "date", "text", "amount"
MAX_AMOUNT = Decimal("1e12")  # 元; the DecimalField holds 14 digits with 2 decimals
EARLIEST = dt.date(1990, 1, 1)
HEADER_SEARCH_ROWS = 5  # the header may sit below a title row or two


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = TEXT
    required: bool = True
    unique: bool = False  # no two rows of one file may repeat it
    max_length: int = 200
    aliases: tuple[str, ...] = ()


_DECISION_COLUMNS = (
    Column("decided_on", "决定日期", DATE, aliases=("作出决定日期", "决定作出日期", "办结日期")),
    Column(
        "number",
        "决定文号",
        unique=True,
        max_length=100,
        aliases=("决定书文号", "文书编号", "文书号", "决定书编号"),
    ),
    Column("matter", "事项名称", aliases=("事项", "许可事项", "处罚事项", "强制措施")),
    Column("note", "备注", required=False),
)
LAYOUTS = {
    LICENSING: _DECISION_COLUMNS,
    PENALTIES: _DECISION_COLUMNS,
    COERCION: _DECISION_COLUMNS,
    FEES: (
        Column("charged_on", "收费日期", DATE, aliases=("缴费日期", "日期")),
        Column("item", "收费项目", aliases=("收费项目名称", "项目名称")),
        Column("amount", "金额（元）", AMOUNT, aliases=("金额", "收费金额", "收费金额（元）")),
        Column(
            "receipt", "票据号码", required=False, unique=True, max_length=100, aliases=("票据号",)
        ),
    ),
}


def layout_text(kind):
    """The documented header row, e.g. "决定日期、决定文号、事项名称、备注（可选）"."""
    return "、".join(c.header + ("" if c.required else "（可选）") for c in LAYOUTS[kind])


# ---- text helpers ----------------------------------------------------------------


def _norm(text):
    """Compare headers and numbers the way people read them: NFKC, no spaces, no marks."""
    text = unicodedata.normalize("NFKC", str(text))
    return re.sub(r"[\s*＊:：]", "", text)


def _bad_chars(text):
    """Control, surrogate, private-use or unassigned characters: a sign of a garbled file.

    (isprintable() is the fast path; it is also False for harmless format
    characters and the ideographic space, which the slow path lets through.)
    """
    if text.isprintable():
        return False
    return any(unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") for ch in text)


def _shown(value, limit=40):
    text = "" if value is None else str(value)
    text = "".join(ch if ch.isprintable() else "�" for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---- the header -------------------------------------------------------------------


@dataclass
class Header:
    """Where each column of the layout sits in the file."""

    line: int
    positions: dict  # column key -> cell index
    ignored: list = field(default_factory=list)  # header texts of unused columns
    width: int = 0


def read_header(kind, line, cells):
    """Match a header row against LAYOUTS[kind]; FileError (Chinese) when it does not fit."""
    names = {}
    for column in LAYOUTS[kind]:
        for name in (column.header, *column.aliases):
            names[_norm(name)] = column
    positions, ignored = {}, []
    for index, cell in enumerate(cells):
        text = "" if cell is None else str(cell).strip()
        column = names.get(_norm(text))
        if column is None:
            if text:
                ignored.append(_shown(text, 20))
            continue
        if column.key in positions:
            raise FileError(f"第 {line} 行（表头）中“{column.header}”列出现了两次，请删去一列。")
        positions[column.key] = index
    missing = [c.header for c in LAYOUTS[kind] if c.required and c.key not in positions]
    if missing:
        raise FileError(
            f"第 {line} 行（表头）缺少必需的列：{'、'.join(missing)}。"
            f"{KINDS[kind]}文件的表头应为：{layout_text(kind)}（列的顺序不限）。"
        )
    return Header(line, positions, ignored, len(cells))


# ---- cell parsers: (value, None) or (None, Chinese reason) ------------------------------


_DATE_RE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
)
_COMPACT_DATE_RE = re.compile(r"(\d{4})(\d{2})(\d{2})")


def parse_date(value):
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, bool):
        return None, f"“{value}”不是日期"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer():
            return None, f"“{_shown(value)}”不是日期，请写成 2024-03-01 的格式"
        value = str(int(value))
        if not _COMPACT_DATE_RE.fullmatch(value):
            return None, (
                f"日期单元格是数字“{value}”，请把该列设为日期格式，或写成 2024-03-01 的格式"
            )
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = _DATE_RE.fullmatch(text) or _COMPACT_DATE_RE.fullmatch(text)
    if not match:
        return None, f"“{_shown(value)}”不是可识别的日期，请写成 2024-03-01 的格式"
    year, month, day = (int(g) for g in match.groups())
    try:
        day = dt.date(year, month, day)
    except ValueError:
        return None, f"“{_shown(value)}”不是存在的日期（请检查月份和日）"
    if day < EARLIEST:
        return None, f"日期“{day.isoformat()}”早于 {EARLIEST.year} 年，请检查"
    return day, None


_AMOUNT_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_GROUPED_RE = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")


def parse_amount(value):
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.datetime, dt.time)):
        return None, f"“{_shown(value)}”不是金额"
    if isinstance(value, (int, float)):
        value = repr(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    text = text.removeprefix("¥").removesuffix("元").strip()
    if _GROUPED_RE.fullmatch(text):
        text = text.replace(",", "")
    if not _AMOUNT_RE.fullmatch(text):
        return None, f"金额“{_shown(value)}”不是数字，请只填写阿拉伯数字，例如 1234.50"
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None, f"金额“{_shown(value)}”不是数字，请只填写阿拉伯数字，例如 1234.50"
    if amount < 0:
        return None, f"金额“{_shown(value)}”为负数；退费请在业务系统中冲减后再导出"
    if amount != amount.quantize(Decimal("0.01")):
        return None, f"金额“{_shown(value)}”超过两位小数（金额以元为单位，精确到分）"
    if amount >= MAX_AMOUNT:
        return None, f"金额“{_shown(value)}”过大，请检查单位是否为元"
    return amount.quantize(Decimal("0.01")), None


def parse_text(value, column):
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed into a text column (文号 1234)
    text = "" if value is None else str(value).strip()
    if not text:
        return "", None
    text = re.sub(r"[\t\r\n]+", " ", text)  # a line break inside a cell reads as a space
    if _bad_chars(text):
        return None, f"{column.header}：含有乱码或控制字符，可能是文件编码不对或已损坏"
    if len(text) > column.max_length:
        return None, f"{column.header}：过长（{len(text)} 字），最多 {column.max_length} 字"
    return text, None


# ---- rows ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Accepted:
    line: int
    values: dict


@dataclass(frozen=True)
class Rejected:
    line: int
    reasons: tuple
    cells: tuple = ()  # the row as text, shortened, for the preview

    @property
    def reason(self):
        return "；".join(self.reasons) + "。"


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


class RowValidator:
    """Checks data rows of one file against its header and the import period."""

    def __init__(self, kind, header, start, end):
        self.kind, self.header, self.start, self.end = kind, header, start, end
        self.columns = LAYOUTS[kind]
        self.seen = {}  # (column key, normalised value) -> first line

    def check(self, line, cells):
        """Accepted or Rejected for one non-blank row; never raises."""
        cells = list(cells) if isinstance(cells, (list, tuple)) else []
        reasons, values = [], {}
        extra = [c for c in cells[self.header.width :] if not _blank(c)]
        if extra:
            reasons.append(
                f"本行有 {len(cells)} 个单元格，多于表头的 {self.header.width} 列"
                "（可能是某个单元格中含有未加引号的逗号）"
            )
        for column in self.columns:
            index = self.header.positions.get(column.key)
            raw = cells[index] if index is not None and index < len(cells) else None
            value, reason = self._cell(column, raw)
            if reason:
                reasons.append(reason)
            values[column.key] = value
        if not reasons:
            reasons += self._unique(line, values)
        if reasons:
            return Rejected(line, tuple(reasons), tuple(_shown(c, 30) for c in cells[:8]))
        return Accepted(line, values)

    def _cell(self, column, raw):
        if _blank(raw):
            if column.required:
                return None, f"缺少“{column.header}”"
            return "", None
        if column.kind == DATE:
            day, reason = parse_date(raw)
            if reason:
                return None, f"{column.header}：{reason}"
            if not self.start <= day <= self.end:
                return None, (
                    f"{column.header} {day.isoformat()} 不在本次导入期间"
                    f"（{self.start.isoformat()} 至 {self.end.isoformat()}）内"
                )
            return day, None
        if column.kind == AMOUNT:
            return parse_amount(raw)
        return parse_text(raw, column)

    def _unique(self, line, values):
        out = []
        for column in self.columns:
            if not column.unique or not values.get(column.key):
                continue
            key = (column.key, _norm(values[column.key]))
            first = self.seen.setdefault(key, line)
            if first != line:
                out.append(f"{column.header}“{values[column.key]}”与第 {first} 行重复")
        return out


# ---- a whole file ------------------------------------------------------------------------


@dataclass
class Scan:
    """What a file holds for one import: counts, rejections, totals."""

    kind: str
    accepted: int = 0
    rejected: list = field(default_factory=list)
    blank_lines: int = 0
    title_lines: int = 0  # non-empty rows above the header (a title such as “2024年许可清单”)
    amount: Decimal = Decimal("0.00")  # fees: the sum of accepted amounts (元)
    header: Header | None = None


def results(path, filename, kind, start, end, scan=None):
    """Accepted / Rejected for every data row of the file, streamed.

    Raises FileError when the file as a whole is unusable (encoding, format,
    header, size). `scan`, when given, is filled in as rows go by.
    """
    if kind not in LAYOUTS:
        raise FileError(f"未知的导入类别“{kind}”。可选：{'、'.join(KINDS.values())}。")
    scan = scan if scan is not None else Scan(kind)
    validator, first_error = None, None
    for line, cells in read_rows(path, filename):
        if all(_blank(c) for c in cells):
            if validator is not None:
                scan.blank_lines += 1
            continue
        if validator is None:  # the header, perhaps below a title row or two
            try:
                scan.header = read_header(kind, line, cells)
            except FileError as error:
                first_error = first_error or error
                scan.title_lines += 1
                if scan.title_lines >= HEADER_SEARCH_ROWS:
                    raise first_error from None
                continue
            validator = RowValidator(kind, scan.header, start, end)
            continue
        result = validator.check(line, cells)
        if isinstance(result, Accepted):
            scan.accepted += 1
            if kind == FEES:
                scan.amount += result.values["amount"]
        else:
            scan.rejected.append(result)
        yield result
    if first_error is not None and validator is None:
        raise first_error
    if validator is None:
        raise FileError(
            f"文件是空的：没有找到表头。{KINDS[kind]}文件的表头应为：{layout_text(kind)}。"
        )


def scan_file(path, filename, kind, start, end):
    """Validate every row of the file; returns the Scan (FileError for unusable files)."""
    scan = Scan(kind)
    for _ in results(path, filename, kind, start, end, scan):
        pass
    return scan
