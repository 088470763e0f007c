"""Report text -> the interchange dict (../shared/spec/annual-report-format.md).

Pure Python: no Django, no database. Reads the 2019 and 2021 national formats
and the 2008-era narrative reports; tables may be pipe-, tab- or
space-separated, rows may be broken across lines, labels may carry spaces.
What cannot be read with certainty is left null and reported as a finding.
"""

import functools
import re
from dataclasses import dataclass, field

from . import glued, legacy, tables
from .cells import (
    BLANKS,
    UNITS,
    VALUE_ENDS,
    YUAN_PER,
    header_unit,
    is_blank,
    is_value,
    place,
    read_number,
    sums_hold,
)
from .findings import INFO, WARNING, finding
from .normalize import as_written, label_key, lines_as_written, normalise

# ---- Lines and cells --------------------------------------------------------


@dataclass
class Line:
    """One line of report text as split_line reads it. Its cells are stripped, so a
    blank cell (cells.is_blank) is one of cells.BLANKS as it stands."""

    text: str
    labels: list  # non-value cells, in order
    region: list  # the cells after the last label (values and blanks)
    strict: bool  # "| a | b |": every cell is present, so positions are exact
    separated: bool  # the line had table separators or trailing numbers
    tabbed: bool = False  # tab-separated: blank cells kept as empty fields
    glued: bool = False  # digits touch the label or each other: cell boundaries lost

    @functools.cached_property
    def filled(self):
        """Indexes of the region's cells that are not blank (asked of a row again and again)."""
        return tuple(i for i, cell in enumerate(self.region) if cell not in BLANKS)


_SPACES = re.compile(r"\s+")
# "一、本年新收政府信息公开申请数量230 000023": a label with its row's digits glued on.
_LABEL_END = re.compile(r"[\u4e00-\u9fff)”\"]")


def split_line(text):
    stripped = text.strip()
    if "|" in stripped:
        strict = stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1
        body = stripped[1:-1] if strict else stripped
        cells = [c.strip() for c in body.split("|")]
        if strict and not "".join(cells).strip("-: "):
            return None  # a Markdown separator row
        return _line(text, cells, strict, True)
    if "\t" in stripped:
        # Only spaces are trimmed: a trailing tab is a blank last cell (e.g. 总计).
        cells = text.strip(" \n\r").split("\t")
        line = _line(text, [c.strip() for c in cells], False, True)
        line.tabbed = True
        return line
    head = stripped.rstrip("0123456789 ") if stripped[-1:].isdigit() else ""
    if head[-2:] in (" 增", " 减"):
        head = ""  # "… 40 增8 16": a signed figure (本年增/减), not digits glued to a label
    if head and _LABEL_END.match(head[-1]) and stripped[len(head)].isdigit() and len(head) <= 80:
        # Digits touching the label: the crawler dropped the cell boundaries.
        tokens = stripped[len(head) :].split()
        is_glued = len(tokens) < 7 or any(map(glued.is_glued, tokens))
        return Line(text, [head], tokens, False, len(head) <= 40, glued=is_glued)
    if (
        not stripped
        # A line not ending as a value can (cells.VALUE_ENDS) is prose, told without
        # splitting it: a paragraph runs to hundreds of characters.
        or not (stripped[-1].isdecimal() or stripped[-1] in VALUE_ENDS)
        or not is_value(stripped.rsplit(None, 1)[-1])
    ):
        return Line(text, [stripped] if stripped else [], [], False, False)  # prose
    tokens = _SPACES.split(stripped)
    tail = 0
    while tail < len(tokens) and is_value(tokens[len(tokens) - 1 - tail]):
        tail += 1
    if tail and tail < len(tokens):
        # "规章 0 0 0": a space-separated row; its label may itself hold spaces.
        label = "".join(tokens[: len(tokens) - tail])
        region = tokens[len(tokens) - tail :]
        return Line(
            text, [label], region, False, len(label) <= 40, glued=any(map(glued.is_glued, region))
        )
    if tail == len(tokens) and (tail > 1 or read_number(tokens[0]) is not None):
        # Figures alone on a line (PDF text prints a narrow row's label around them).
        return Line(text, [], tokens, False, True, glued=any(map(glued.is_glued, tokens)))
    return Line(text, [stripped] if stripped else [], [], False, False)


def _line(text, cells, strict, separated):
    last = len(cells) - 1  # the last label: the cells after it are values
    while last >= 0 and is_value(cells[last]):
        last -= 1
    labels = [c for c in cells[: last + 1] if c not in BLANKS]  # cells are stripped
    return Line(text, labels, cells[last + 1 :], strict, separated)


def tokens_of(line, n):
    """(cell contents for n slots if positions are exact, else None; printed tokens)."""
    region, filled = line.region, line.filled
    printed = [region[i] for i in filled]
    if line.strict and len(region) >= n and (not filled or filled[-1] < n):
        # Every cell is present: values start right after the label (tables
        # may carry blank padding cells on the right).
        return region[:n], printed
    # The region less its blank cells on either side.
    trimmed = region[filled[0] : filled[-1] + 1] if filled else []
    if len(trimmed) == n and line.separated and not line.glued:
        return trimmed, printed
    return None, printed


def tab_offsets(line, n):
    """Where n cells can start in a tab-separated row: every cell outside them is blank.

    A browser copy keeps blank cells as empty fields, so a row with blank
    cells still shows each value's column, up to padding fields around them.
    """
    region, filled = line.region, line.filled
    if not line.tabbed or len(region) < n:
        return ()
    if not filled:
        return tuple(range(len(region) - n + 1))
    # The n cells hold the first and the last filled cell.
    return tuple(range(max(0, filled[-1] - n + 1), min(filled[0], len(region) - n) + 1))


# ---- Sections -----------------------------------------------------------------

_HEADING = re.compile(r"^(?:#+\s*)?([一二三四五六七八九十]{1,2})\s*[、.．]\s*(.{2,40})$")
# Keywords that identify each national section whatever its printed number.
_SECTION_WORDS = (
    ("overview", ("总体情况", "概述", "基本情况")),
    ("proactive", ("主动公开",)),
    ("requests", ("收到和处理", "依申请公开", "申请情况")),
    ("appeals", ("行政复议", "行政诉讼")),
    ("problems", ("问题",)),
    ("other", ("其他需要报告", "其他事项")),
)


def split_sections(lines):
    """{section key: [line indexes]}; text before the first heading is "preamble".

    Headings are found by their words, in order, so misnumbered headings
    ("（六）" after "（四）", a second "二、") neither reorder nor split sections.
    """
    sections = {"preamble": []}
    current = -1
    here = sections["preamble"]  # the lines of the section read now
    for i, text in enumerate(lines):
        text = text.strip()
        m = _HEADING.match(text)
        if m and "|" not in text and "\t" not in text:
            title = m[2]
            for j in range(current + 1, len(_SECTION_WORDS)):
                if any(w in title for w in _SECTION_WORDS[j][1]):
                    current = j
                    here = sections[_SECTION_WORDS[j][0]] = []
                    break
            else:
                here.append(i)
            continue
        here.append(i)
    return sections


# ---- Row matching -----------------------------------------------------------

# A row's number, stray spaces inside it as PDF text and careless copies print it ("（二 ）").
_PREFIX = re.compile(
    r"^(?:[一二三四五六七八九十]+\s*[、.]|\(?\s*[一二三四五六七八九十]+\s*\)|\d+\s*[.、])"
)
_REMARK = re.compile(r"\(.*?\)$")


@functools.cache  # asked of the national rows' labels only, again for every report
def _phrase(label):
    text = label.replace("（", "(").replace("）", ")")
    return label_key(_REMARK.sub("", _PREFIX.sub("", text)))


class _Phrases(tuple):
    """A table's row phrases. Hashed and compared by identity: match_row's cache hashes
    its arguments on every call, and a tuple would hash each of its pairs again."""

    __hash__ = object.__hash__

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other


def _build_phrases(rows, extra=()):
    out = {}
    for row in rows:
        out.setdefault(_phrase(row.label), row.key)
    for phrase, key in extra:
        out[phrase] = key
    # Longest phrase first, so "其他法律行政法规禁止公开" wins over "其他".
    return _Phrases(sorted(out.items(), key=lambda kv: -len(kv[0])))


_REQUEST_LABELS = {r.key: r.label for r in tables.REQUEST_ROWS_2019 + tables.REQUEST_ROWS_2021}
_REQUEST_PHRASES = _build_phrases(
    tables.REQUEST_ROWS_2019 + tables.REQUEST_ROWS_2021,
    (
        ("本年新收", "new"),
        ("上年结转", "carried_over"),
        ("结转下年度", "carry_forward"),
        ("逾期不补正", "other.no_correction"),
        ("未按收费通知", "other.no_fee"),
        ("缴纳费用", "other.no_fee"),
    ),
)
_PROACTIVE_PHRASES = _build_phrases(
    [r for _, r in tables.TEMPLATE_2019.proactive_rows()]
    + [r for _, r in tables.TEMPLATE_2021.proactive_rows()]
)


# Group cells printed (or repeated) before a row's own label.
_GROUP_KEYS = tuple(
    label_key(g)
    for g in (
        "三、本年度办理结果",
        "（三）不予公开",
        "（四）无法提供",
        "（五）不予处理",
        "（六）其他处理",
    )
)


@functools.lru_cache(maxsize=16384)
def match_row(label_text, phrases, *, has_values):
    key = label_key(label_text)
    for group in _GROUP_KEYS:
        if key.startswith(group) and len(key) > len(group):
            key = key[len(group) :]
    if not key:
        return None
    for phrase, row_key in phrases:
        if phrase in key:
            # A short phrase alone ("其他", "总计") is a header cell unless numbers follow.
            if len(phrase) < 4 and (not has_values or len(key) > len(phrase) + 8):
                continue
            return row_key
    return None


# ---- Template detection ---------------------------------------------------

_MARKERS_2021 = (
    "本年制发件数",
    "本年废止件数",
    "现行有效件数",
    "本年处理决定数量",
    "本年收费金额",
    "行政规范性文件",
    "逾期不补正",
    "未按收费通知",
)
_MARKERS_2019 = (
    "本年新制作数量",
    "本年新公开数量",
    "对外公开总数量",
    "上一年项目数量",
    "本年增/减",
    "政府集中采购",
    "采购项目数量",
    "其他对外管理服务事项",
)


def detect_template(text, request_keys, year=None):
    score_2021 = sum(m in text for m in _MARKERS_2021)
    score_2019 = sum(m in text for m in _MARKERS_2019)
    if year is not None and year < 2019 and score_2021 == score_2019 == 0:
        return None  # a narrative report; its "其他情况 | 52" is no table 三 row
    if any(k.startswith("other.") for k in request_keys):
        score_2021 += 2
    elif "other" in request_keys:
        score_2019 += 2
    if score_2021 == score_2019 == 0:
        # Table 三 rows alone do not tell the formats apart: go by the year.
        if request_keys and year is not None and year >= 2019:
            return tables.template_for_year(year).key
        return None
    return "2021" if score_2021 > score_2019 else "2019"


# ---- Metadata ----------------------------------------------------------------

_TITLE = "政府信息公开工作年度报告"
_AGENCY_TAIL = (
    r"(?:公安分局|公安局|公安厅|分局|局|厅|委员会|委|办公厅|办公室|人民政府|政府|中心|院)"
)
_AGENCY_LINE = re.compile(rf"^[\u4e00-\u9fff]{{2,30}}{_AGENCY_TAIL}$")
_AGENCY_IN_TEXT = re.compile(r"([\u4e00-\u9fff]{2,12}?公安(?:分局|局|厅))")
# The period's year may be wrapped inside its digits ("时限为2\n021年1月1日").
_YEAR_PERIOD = re.compile(r"(\d(?:\n?\d){3})\s*年\s*1\s*月\s*1\s*日")
_YEAR_TITLE = re.compile(r"(\d{4})\s*年度?")
_DATE_LABELLED = re.compile(
    r"(?:发布日期|成文日期)[:：]?\s*(\d{4})[-年/.](\d{1,2})[-月/.](\d{1,2})"
)
_DATE_LINE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")


def _clean_agency(name):
    name = _SPACES.sub("", name).strip("《》“”\"'·:：,，")
    name = re.sub(r"^(?:关于|印发)", "", name)
    return name or None


def read_metadata(lines, text):
    agency = year = None
    head = [ln.strip().lstrip("#").strip() for ln in lines[:15] if ln.strip()]
    for i, ln in enumerate(head):
        flat = _SPACES.sub("", ln)
        if _TITLE not in flat and "政府信息公开年度报告" not in flat:
            continue
        before, _, after = flat.partition("政府信息公开")
        ym = _YEAR_TITLE.search(before) or _YEAR_TITLE.search(after)
        if ym:
            year = int(ym[1])
        name = _YEAR_TITLE.sub("", before) if before else ""
        if not name and i > 0 and _AGENCY_LINE.match(_SPACES.sub("", head[i - 1])):
            name = head[i - 1]
        agency = _clean_agency(name) if name else None
        break
    if year is None:
        m = _YEAR_PERIOD.search(text)
        year = int(m[1].replace("\n", "")) if m else None
    if agency is None:
        for ln in reversed(lines[-12:]):
            flat = _SPACES.sub("", ln)
            if _AGENCY_LINE.match(flat) and len(flat) <= 30:
                agency = flat
                break
    if agency is None:
        m = _AGENCY_IN_TEXT.search(text)
        agency = m[1] if m else None
    published = None
    # The regex only where one of its words occurs: a scan of the whole text otherwise.
    m = _DATE_LABELLED.search(text) if "发布日期" in text or "成文日期" in text else None
    if not m:
        for ln in reversed(lines[-6:]):
            m = _DATE_LINE.match(ln.strip())
            if m:
                break
    if m:
        published = f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}"
    return agency, year, published


# ---- Tables -------------------------------------------------------------------


@dataclass
class Reader:
    """Collects one report's cells and findings while its lines are read."""

    report: dict
    findings: list = field(default_factory=list)

    def shape(self, where, label, expected, printed, values, n_names):
        got = "、".join(printed) if printed else "无"
        filled = [n_names[i] for i, v in enumerate(values) if v is not None]
        if all(v is not None for v in values):
            outcome = "各种可能的对应方式结果一致，已全部读出。"
        elif filled:
            outcome = f"能确定的只有：{'、'.join(filled)}；其余单元格无法确定所在列，已留空。"
        else:
            outcome = "无法确定各数值所在的列，已全部留空，请对照原文核实。"
        self.findings.append(
            finding(
                "SHAPE",
                WARNING,
                where,
                f"“{label}”应有{expected}个单元格，原文印有{len(printed)}个数值（{got}）。{outcome}",
                expected,
                len(printed),
            )
        )

    def glued(self, where, label, expected, printed, values, n_names):
        got = " ".join(printed) if printed else "无"
        filled = [n_names[i] for i, v in enumerate(values) if v is not None]
        if all(v is not None for v in values):
            outcome = "按表格的合计关系只有一种拆分，已全部读出，请对照原文核实。"
            severity = INFO
        elif filled:
            outcome = (
                f"按表格的合计关系能确定的只有：{'、'.join(filled)}；"
                "其余单元格有不止一种拆分都符合合计关系，已留空。"
            )
            severity = WARNING
        else:
            outcome = (
                "有不止一种拆分（或没有一种拆分）符合表格的合计关系，已全部留空，请对照原文核实。"
            )
            severity = WARNING
        self.findings.append(
            finding(
                "SHAPE",
                severity,
                where,
                f"“{label}”的数字连在一起，单元格之间的分隔已丢失（原文：{got}）。{outcome}",
                expected,
                len(printed),
            )
        )


def _count(cell, where, reader, col=None):
    """A count cell of a Line (stripped): a whole number, or None for a blank (with a
    finding if unreadable). The finding names `where`, or its column `col` when given
    ("requests.new/total")."""
    if cell is None or cell in BLANKS:
        return None
    num = read_number(cell)
    if num is None or isinstance(num.value, float) or num.sign < 0:
        if col is not None:
            where = f"{where}/{col}"
        reader.findings.append(
            finding("PARSE", WARNING, where, f"无法读作件数：“{cell}”，已留空。", None, cell)
        )
        return None
    return num.value


_ROW_SUM = glued.row_sum(range(6), 6)


# Readings of one row with its 总计 blank beyond which the row is left undecided
# (each such row widens the column search; more would make a report take seconds).
_BLANK_TOTAL_LIMIT = 5000


def _ANY(_cand):
    return True


@functools.lru_cache(maxsize=16384)
def _strong_label(label):
    """A label that starts a row of its own: printed with its number, or a long row phrase."""
    text = label.strip().replace("（", "(").replace("）", ")")
    if _PREFIX.match(text):
        return True
    key = label_key(label)
    return any(len(phrase) >= 4 and phrase in key for phrase, _ in _REQUEST_PHRASES)


def _values_only(line):
    return line is not None and not line.labels and bool(line.filled)


def _cell_lines(lines, i):
    """(the figures of a row whose label stood alone, the index after them) from lines[i]:
    a run of lines holding one figure each is one row printed a cell per line (pdftotext
    without -layout, a browser's copy of some tables; blank cells dropped), joined into
    one line of figures whose places the sums decide; any other line is itself."""
    j = i
    while j < len(lines) and _values_only(lines[j]) and len(lines[j].region) == 1:
        j += 1
    if j - i < 2:
        return lines[i], i + 1
    run = lines[i:j]
    cells = [ln.region[0] for ln in run]
    text = " ".join(ln.text.strip() for ln in run)
    return Line(text, [], cells, False, True, glued=any(ln.glued for ln in run)), j


def _at(lines, i):
    return lines[i] if i < len(lines) else None


@functools.lru_cache(maxsize=4096)
def _short_row_alone(label):
    """The row a numbered label alone on its line names when its figures stand on the
    lines below it ("（七）总计" / "13364" / …, a table printed a cell per line) and its
    phrase is short ("总计", "其他": alone, a header cell). It must end in the row's own
    number and words: "（六）其他" is 其他处理 cut short (PDF text), not 3.其他."""
    key = request_row(label, has_values=True)
    if key is None or not label_key(label).endswith(label_key(_REQUEST_LABELS[key])):
        return None
    return key


def request_rows(lines):
    """{row key: (line with the row's values, label)} for table 三, in printed order.

    Labels wrapped across lines are joined; a continuation line ("计其他情形）")
    stays with the row whose label it continues, even if it holds another
    row's words; values printed on a line of their own go to the row whose
    label stands just before (PDF text) or, when nothing follows, just after.
    """
    out = {}
    found = set()
    unplaced = []  # (index, line, label): a numbered row with figures naming no row
    pending = ""  # label text of a row broken across lines
    open_key = None  # a row whose label was read and whose values are still to come
    orphan = None  # a values-only line no row could take yet
    skip = 0  # lines up to here were taken with the row before them (_cell_lines)
    for i, line in enumerate(lines):
        if i < skip:
            continue
        label = "".join(line.labels)
        has_values = bool(line.filled)
        if not label:
            if not has_values:
                continue
            if open_key is not None:
                line, skip = _cell_lines(lines, i)
                out[open_key] = (line, "")
                found.add(open_key)
                open_key = None
            else:
                orphan = line
            continue
        strong = _strong_label(label)
        if has_values and open_key is not None and not strong:
            # The rest of the open row's label, printed beside its values.
            out[open_key] = (line, label)
            found.add(open_key)
            open_key = None
            pending = ""
            continue
        key = request_row(label, has_values=has_values) if strong else None
        if key is None and strong and not has_values and _values_only(_at(lines, i + 1)):
            key = _short_row_alone(label)
        if key is None:
            key = request_row(pending + label, has_values=has_values)
        if key is None and not has_values:
            key_alone = request_row(label, has_values=False)
            if key_alone is None:
                if not strong and open_key is not None:
                    continue  # more of the open row's label
                if strong:
                    # A numbered label starts a new row, even one cut short ("5.属 于三类").
                    open_key = None
                    pending = ""
                pending = (pending + label)[-80:] if line.separated or len(label) < 40 else ""
                continue
            key = key_alone
        pending = ""
        if key is None and has_values and strong:
            unplaced.append((i, line, label))
        if key is None or key in found:
            open_key = None
            continue
        if not has_values:
            open_key = key
            if orphan is not None and not _values_only(_at(lines, i + 1)):
                # Values printed above their label (a label centred in a tall cell).
                out[key] = (orphan, label)
                found.add(key)
                open_key = None
            orphan = None
            continue
        open_key = None
        orphan = None
        found.add(key)
        out[key] = (line, label)
    _place_by_number(lines, out, unplaced)
    return out


def _place_by_number(lines, out, unplaced):
    """A numbered row with figures whose label names no row ("2.其他法律行政止公开", words
    dropped) takes the row of its number when the rows printed just before and just
    after it are that number's neighbours in the same group (1. and 3. of 不予公开)."""
    if not unplaced:
        return
    at = {id(line): i for i, line in enumerate(lines)}
    placed = sorted((at[id(line)], key) for key, (line, _) in out.items() if id(line) in at)
    for i, line, label in unplaced:
        printed = _SUB_NUMBER.findall(label)
        before = [key for j, key in placed if j < i]
        after = [key for j, key in placed if j > i]
        if not (printed and before and after):
            continue
        number = int(printed[-1])
        group = before[-1].split(".")[0]
        if after[0].split(".")[0] != group or "." not in before[-1]:
            continue
        if (_sub_number(before[-1]), _sub_number(after[0])) != (number - 1, number + 1):
            continue
        rows = [
            k for k in _REQUEST_LABELS if k.startswith(f"{group}.") and _sub_number(k) == number
        ]
        if len(rows) == 1 and rows[0] not in out:
            out[rows[0]] = (line, label)


def _sub_number(key):
    """The sub-row number a table 三 row prints ("2." of 2.其他法律行政法规禁止公开), or None."""
    m = _SUB_NUMBER.match(_REQUEST_LABELS.get(key, ""))
    return int(m[1]) if m else None


_SENTENCE = re.compile(r"[,，。;；]")
_DIGIT = re.compile(r"\d")


def _prose(line):
    """A sentence with figures in it ("…同意公开答复 9 件,部分公开答复 0 件…"), not a row.

    A row label holds no figure beyond its own number ("1.属于国家秘密").
    """
    if not line.labels or line.strict:
        return False
    label = "".join(line.labels)
    return bool(_SENTENCE.search(label)) and bool(_DIGIT.search(_PREFIX.sub("", label)))


def _anchored(line):
    """A line that prints a row's own label (numbered, or a long row phrase) with its figures.

    A pipe row that prints every cell of its row, all blank, is one too: its cells
    are on its own line, so no figure line below it is its own.
    """
    if not line.labels:
        return False
    if not line.filled and not (line.strict and len(line.region) >= len(tables.REQUEST_COLUMNS)):
        return False
    return _strong_label("".join(line.labels))


_SUB_NUMBER = re.compile(r"(\d{1,2})\s*[.．、]")


def _anchor_key(label):
    """The row a label printed with its figures names (request_row)."""
    return request_row(label, has_values=True)


@functools.lru_cache(maxsize=16384)  # asked of every labelled line, twice or more
def request_row(label, *, has_values):
    """The table 三 row a label names (match_row), unless the sub-row number it prints
    disagrees with that row's: "2.其他法律" (cut short) and "2.其他法律行政止公开"
    (words dropped) hold 其他, the words of the row 3.其他, but not its number."""
    key = match_row(label, _REQUEST_PHRASES, has_values=has_values)
    own = _SUB_NUMBER.match(_REQUEST_LABELS.get(key, ""))
    printed = _SUB_NUMBER.findall(label)
    if own and printed and printed[-1] != own[1]:
        return None
    return key


def rows_by_order(lines, printed_rows, order):
    """{row key: line} for figure lines placed by the table's printed order (PDF text).

    PDF text prints a narrow cell's label in pieces before and after its row's
    figures, so a label is no guide to which figures are its own (failure
    class 4). The figures themselves keep the table's order. Between two
    anchors (lines printing a row's own label with its figures) the lines of
    figures that carry no row label of their own belong, in order, to the rows
    the table has between those two anchors: when their number equals the
    number of those rows, each row takes its line. A line of one lone figure
    beside as many full lines as rows (a stray page or footnote number) is
    passed over. Elsewhere nothing is placed by order.
    """
    position = {k: i for i, k in enumerate(order)}
    anchors = {}  # id(line) -> the row it anchors
    anchored = set()
    for line in lines:
        if _anchored(line):
            key = _anchor_key("".join(line.labels))
            if key in position and key not in anchored:
                anchors[id(line)] = key
                anchored.add(key)
    placed = {}
    last = None  # position of the last anchor
    last_key = last_line = None
    between = []  # figure lines since the last anchor
    prev = None
    for line in lines:
        key = anchors.get(id(line))
        after, prev = prev, line
        if key is None:
            label = "".join(line.labels)
            strong = bool(label) and _strong_label(label)
            if (
                line.filled
                and line.labels
                and last_line is not None
                and after is last_line
                and not last_line.filled
                and (not strong or _anchor_key(label) == last_key)
            ):
                # The rest of the label just printed over blank cells, with the row's
                # figures ("| 四、结转下年度继 | | … |" / "| 续办理 | 72 | … |"), even
                # when the rest holds words of the row's own ("| 2.申请人逾期未按收费通知
                # | | … |" / "| 要求缴纳费用、… | 10 | … |").
                placed[last_key] = line
                continue
            if line.filled and not strong:
                between.append(line)
            continue
        here = position[key]
        if last is not None and here > last:
            gap = [k for k in order[last + 1 : here] if k not in anchored]
            if between and not last_line.filled and len(between) == len(gap) + 1:
                # The last anchor printed blank cells and one line more follows than
                # the rows between: its row was cut in two ("| 2.其他法律 | | … |" /
                # "| 行政法规禁止公开 | 30 | … |"), the first line is its figures.
                placed[last_key] = between.pop(0)
            full = [ln for ln in between if len(ln.filled) > 1]
            if gap and len(between) == len(gap):
                placed.update(zip(gap, between, strict=True))
            elif gap and len(full) == len(gap):
                placed.update(zip(gap, full, strict=True))
        last = here if last is None or here > last else None
        last_key, last_line = key, line
        between = []
        placed[key] = line
    return placed


def read_requests(lines, reader, template):
    n = len(tables.REQUEST_COLUMNS)
    rows = reader.report["requests"]
    lines = [ln for ln in lines if not _prose(ln)]
    printed_rows = request_rows(lines)
    order = [r.key for r in tables.TEMPLATES[template].request_rows]
    by_order = rows_by_order(lines, printed_rows, order)
    doubted = set()
    if by_order:
        taken = {id(line) for line in by_order.values()}
        for key, (line, _label) in list(printed_rows.items()):
            if key not in by_order and id(line) in taken:
                # Its label stood by figures the table's order gives to another row.
                del printed_rows[key]
                if key not in order:
                    continue  # a group row the format does not print (2021 其他处理)
                doubted.add(key)
                reader.shape(
                    f"requests.{key}",
                    _REQUEST_LABELS[key],
                    n,
                    [],
                    [None] * n,
                    [c.label for c in tables.REQUEST_COLUMNS],
                )
        for key, line in by_order.items():
            printed_rows[key] = (line, printed_rows.get(key, (None, ""))[1])
    # Tab-separated rows: the padding most rows agree on places the others.
    offsets = {key: tab_offsets(line, n) for key, (line, _) in printed_rows.items()}
    unique = {o[0] for o in offsets.values() if len(o) == 1}
    consensus = unique.pop() if len(unique) == 1 else None
    trust_tabs = not any(
        _collapsed(line, offsets[key], n) for key, (line, _) in printed_rows.items()
    )
    exact_rows = {}
    open_rows = {}  # key -> (printed tokens, may the tokens hold glued cells)
    for key, (line, label) in printed_rows.items():
        if key not in rows:
            reader.findings.append(
                finding(
                    "PARSE",
                    WARNING,
                    f"requests.{key}",
                    f"“{label}”一行不属于{template}年格式，未读入。",
                    None,
                    label,
                )
            )
            continue
        exact, printed = tokens_of(line, n)
        if exact is None and line.tabbed and trust_tabs:
            offs = offsets[key]
            if len(offs) == 1 or (consensus is not None and consensus in offs):
                o = offs[0] if len(offs) == 1 else consensus
                exact = line.region[o : o + n]
        if exact is not None:
            exact_rows[key] = exact
        else:
            open_rows[key] = (printed, line.glued)
    blank = _printed_blank(lines, template) if open_rows else None
    if open_rows:
        # A row whose label is printed with no figure at all is blank: it takes part
        # in the column sums as zeros.
        for key in blank:
            if key not in doubted and key not in printed_rows:
                exact_rows[key] = [""] * n
    found = _fill_requests(exact_rows, open_rows, reader, template)
    _check_order(reader, template, [k for k, ln in by_order.items() if not _anchored(ln)])
    if found:
        # A label printed with no figure at all is a row printed blank: not unread.
        if blank is None:
            blank = _printed_blank(lines, template)
        _say_unread(reader, template, found | doubted | set(printed_rows) | set(blank))
    return found


def _printed_blank(lines, template):
    """Rows of table 三 whose label (a phrase of 4 characters or more) is printed among
    `lines`, with or without figures: where none are read, the row was printed blank."""
    printed_labels = label_key("".join("".join(ln.labels) for ln in lines))
    return [
        row.key
        for row in tables.TEMPLATES[template].request_rows
        if len(_phrase(row.label)) >= 4 and _phrase(row.label) in printed_labels
    ]


def _say_unread(reader, template, read):
    """Rows of a table 三 that was found whose label was not (misprinted beyond
    recognition, or not printed): blank, and said so, never a silent 0."""
    for row in tables.TEMPLATES[template].request_rows:
        if row.key in read:
            continue
        reader.findings.append(
            finding(
                "PARSE",
                WARNING,
                f"requests.{row.key}",
                f"未能读出“{row.label}”一行的数字，已留空，请对照原文核实。",
            )
        )


def _check_order(reader, template, keys):
    """Rows placed by the printed order keep their figures only if the table's sums hold.

    Each such row's 总计 must be the sum of its six applicant cells, and the
    result rows must add up to （七）总计 in every column (regulation.md §2.6);
    otherwise the order was not the table's and the rows are left blank.
    """
    rows = reader.report["requests"]
    cols = [c.key for c in tables.REQUEST_COLUMNS]
    keys = [k for k in keys if any(rows[k][c] is not None for c in cols)]
    if not keys:
        return
    broken = any(
        None not in rows[k].values() and rows[k]["total"] != sum(rows[k][c] for c in cols[:-1])
        for k in keys
    )
    results = [k for k in tables.RESULT_KEYS if k != "other"]
    results += list(tables.OTHER_PARTS) if template == "2021" else ["other"]
    for c in cols:
        cells = [rows[k][c] for k in results]
        if rows["total"][c] is None or None in cells:
            continue  # a cell not read (or printed blank): the column cannot be summed
        if rows["total"][c] != sum(cells) and not _ends_meet(rows, c, sum(cells), keys):
            broken = True
    if not broken:
        return
    for k in keys:
        for c in cols:
            rows[k][c] = None
        reader.findings.append(
            finding(
                "SHAPE",
                WARNING,
                f"requests.{k}",
                f"“{_REQUEST_LABELS[k]}”一行的行名与数字分处不同位置（PDF文字），"
                "按表格的印刷顺序对应的数字不符合表格的合计关系，已留空，请对照原文核实。",
            )
        )
    if template == "2021":
        for c in cols:
            vals = [rows[k][c] for k in tables.OTHER_PARTS]
            rows["other"][c] = None if all(v is None for v in vals) else sum(v or 0 for v in vals)


def _ends_meet(rows, col, results, by_order):
    """一 + 二 = the results as read + 四 in column `col` (regulation.md §2.6), with 四
    printed beside its own label (not among the rows `by_order`): the rows placed among
    the results add up as the rest of the table says, so a printed （七）总计 that
    disagrees with them is the report's own slip (the checker reports it), not a sign
    that the printed order was misread. (A line swapped between 四 and a result row
    would leave the sum as it is; one moved between 一 or 二 and the results would not.)"""
    if "carry_forward" in by_order:
        return False
    new, carried, forward = (rows[k][col] for k in ("new", "carried_over", "carry_forward"))
    return None not in (new, carried, forward) and new + carried == results + forward


# Table 三's heading followed by its header cells (its note on the sums may stand between).
_REQUESTS_HEAD = re.compile(r"收到和处理政府信息公开申请[^\d]{0,120}?(?:申请人情况|自然人)")


def requests_start(text):
    """Where table 三 begins in text with no line breaks.

    The preamble of many reports lists the sections by name ("…主动公开政府信息情况、
    收到和处理政府信息公开申请情况、…"): the table's own heading is the one its header
    cells follow.
    """
    m = _REQUESTS_HEAD.search(text)
    if m:
        return m.start()
    return max(text.find("本列数据"), text.find("收到和处理政府信息公开申请"), 0)


def read_requests_stream(text, reader, template):
    """Table 三 from text with no line or cell breaks (every row's digits may be glued)."""
    rows = tables.TEMPLATES[template].request_rows
    chunks = stream_rows(text, rows, requests_start(text))
    open_rows = {}
    blank_rows = {}  # a label followed straight by the next one: a blank row
    n = len(tables.REQUEST_COLUMNS)
    for key, row_chunks in chunks.items():
        if row_chunks is None:
            open_rows[key] = ([], True)  # not readable: left blank with a finding
        elif row_chunks:
            open_rows[key] = (row_chunks, True)
        else:
            blank_rows[key] = [""] * n
    if not chunks:
        return set()
    _fill_requests(blank_rows, open_rows, reader, template)
    _say_unread(reader, template, set(chunks))  # labels not found in order
    return set(chunks)


def read_appeals_stream(text, reader):
    """Table 四 from text with no line or cell breaks: its three groups' sums split the digits."""
    start = appeals_start(text)
    chunks = stream_appeals(text, start) if start >= 0 else None
    if not chunks:
        return False
    names = [f"{g.label}{c.label}" for g in tables.APPEAL_GROUPS for c in tables.APPEAL_COLUMNS]
    values = glued.agree(glued.readings(chunks, [4, 4, 4]) or set(), 15)
    reader.glued("appeals", "政府信息公开行政复议、行政诉讼情况表", 15, chunks, values, names)
    cells = iter(values)
    for group in tables.APPEAL_GROUPS:
        for col in tables.APPEAL_COLUMNS:
            reader.report["appeals"][group.key][col.key] = next(cells)
    return True


# A figure of table 二 in text with no cell breaks, with its unit or measure word if any.
_PROACTIVE_FIGURE = rf"[增减]?\d[\d.,]*(?:\s*(?:{UNITS}))?"
_PROACTIVE_FIGURES = re.compile(rf"^[^\d]*?((?:{_PROACTIVE_FIGURE}\s*)+)")


def read_proactive_stream(text, reader, template):
    """Table 二 from text with no line or cell breaks: only rows whose cells stay apart."""
    start = text.find("第二十条第")
    if start < 0:
        return set()
    rows = {r.key: (b, r) for b, r in template.proactive_rows()}
    spans = []
    pos = start
    for _block, row in template.proactive_rows():
        m = _loose_pattern(_phrase(row.label)).search(text, pos, pos + 400)
        if m:
            spans.append((row, m))
            pos = m.end()
    found = set()
    for i, (row, m) in enumerate(spans):
        stop = spans[i + 1][1].start() if i + 1 < len(spans) else m.end() + 100
        lead = _PROACTIVE_FIGURES.match(text[m.end() : stop])
        block, _ = rows[row.key]
        n = len(block.columns)
        tokens = re.findall(_PROACTIVE_FIGURE, lead[1]) if lead else []
        where = f"proactive.{row.key}"
        found.add(row.key)
        cells = tokens
        if len(tokens) != n:
            # Glued digits are cut only where no number starts with 0 ("0 00", "2 051");
            # a row with more than one such reading (or none) stays blank.
            options = glued.cell_readings(tokens, n) if 0 < len(tokens) < n * 3 else None
            printed = " ".join(tokens) or "无"
            if options is None or len(options) != 1:
                reader.findings.append(
                    finding(
                        "SHAPE",
                        WARNING,
                        where,
                        f"“{row.label}”的数字连在一起（原文：{printed}），"
                        f"应有{n}个单元格，无法确定各数值的分界，已留空。",
                        n,
                        len(tokens),
                    )
                )
                continue
            cells = next(iter(options))
            reader.findings.append(
                finding(
                    "SHAPE",
                    WARNING,
                    where,
                    f"“{row.label}”的数字连在一起（原文：{printed}），数字不以0开头时"
                    f"只有一种拆分，已读作：{' '.join(c or '（空白）' for c in cells)}，请对照原文核实。",
                    n,
                    len(tokens),
                )
            )
        for col, cell in zip(block.columns, cells, strict=True):
            _store_proactive(reader.report["proactive"][row.key], col, cell, None, where, reader)
    return found


def _fill_requests(exact_rows, open_rows, reader, template):
    n = len(tables.REQUEST_COLUMNS)
    col_names = [c.label for c in tables.REQUEST_COLUMNS]
    rows = reader.report["requests"]
    decided = _decide_requests(exact_rows, open_rows, template, reader)
    for key, cells in exact_rows.items():
        where = f"requests.{key}"
        for col, cell in zip(tables.REQUEST_COLUMNS, cells, strict=True):
            rows[key][col.key] = _count(cell, where, reader, col.key)
    for key, (printed, was_glued) in open_rows.items():
        values = decided.get(key, [None] * n)
        where = f"requests.{key}"
        if was_glued:
            reader.glued(where, _REQUEST_LABELS[key], n, printed, values, col_names)
        else:
            reader.shape(where, _REQUEST_LABELS[key], n, printed, values, col_names)
        for col, value in zip(tables.REQUEST_COLUMNS, values, strict=True):
            rows[key][col.key] = value
    read = set(exact_rows) | set(open_rows)
    if template == "2021":
        if not read & set(tables.OTHER_PARTS) and all(v == 0 for v in rows["other"].values()):
            # （六）其他处理 printed as one row of zeros, without its three parts: each
            # part is 0 too (counts are never negative). Other figures leave them unknown.
            for key in tables.OTHER_PARTS:
                rows[key] = {c.key: 0 for c in tables.REQUEST_COLUMNS}
            read |= set(tables.OTHER_PARTS)
        parts = [rows[k] for k in tables.OTHER_PARTS]
        for col in tables.REQUEST_COLUMNS:
            vals = [p[col.key] for p in parts]
            rows["other"][col.key] = (
                None if all(v is None for v in vals) else sum(v or 0 for v in vals)
            )
    return read


def _collapsed(line, offsets, n):
    """A tab row whose blank cells were dropped before the copy: its tabs do not give columns.

    Its last figure is the sum of the others (a printed 总计) yet stands left
    of the 总计 column ("2	1	3	(blank)…").
    """
    if not offsets:
        return False
    cells = line.region[offsets[0] : offsets[0] + n]
    nums = [read_number(c) for c in cells if not is_blank(c)]
    if len(nums) < 2 or not is_blank(cells[-1]) or any(v is None for v in nums):
        return False
    return nums[-1].value > 0 and nums[-1].value == sum(v.value for v in nums[:-1])


def _request_equations(template):
    """Column sums of table 三 (regulation.md §2.6): 一 + 二 = （七） + 四; results add to （七）."""
    results = [k for k in tables.RESULT_KEYS if k != "other"]
    results += list(tables.OTHER_PARTS) if template == "2021" else ["other"]
    return [
        [("new", 1), ("carried_over", 1), ("total", -1), ("carry_forward", -1)],
        [(k, 1) for k in results] + [("total", -1)],
    ]


def _decide_requests(exact_rows, open_rows, template, reader):
    """Values of the rows printed without clear cell positions, from the table's sums.

    Each such row's readings (blank cells anywhere; glued digits cut every way)
    are narrowed by its own row sum, then by the column sums across the whole
    table. A cell is filled only when every surviving reading agrees.
    """
    if not open_rows:
        return {}  # every row's cells stand in known columns: nothing to decide
    n = len(tables.REQUEST_COLUMNS)
    domains = {}
    decided = {}
    loose = {}  # row key -> (chunks, glued): rows whose figures may stand without a 总计
    for key, (printed, was_glued) in open_rows.items():
        where = f"requests.{key}"
        nums = [_count(c, where, reader) if not glued.DIGITS.match(c) else c for c in printed]
        if any(v is None for v in nums):
            continue
        chunks = [str(v) if isinstance(v, int) else v for v in nums]
        if len(chunks) > n and not was_glued:
            # More numbers than cells: drop some (the old rule), row sum decides.
            placement = place([int(c) for c in chunks], n, sums_hold([(list(range(6)), 6)]))
            if all(v is not None for v in placement):
                domains[key] = {tuple(placement)}
            continue
        loose[key] = (chunks, was_glued)
        if not was_glued and all(c == "0" for c in chunks):
            cands = {(0,) * n}  # zeros only: every placement reads the same
        elif was_glued:
            cands = glued.readings(chunks, [6])
        else:
            cands = glued.row_candidates(chunks, n, _ROW_SUM, split=False)
        if cands:
            domains[key] = cands
        elif cands is not None and not was_glued:
            # The printed figures break the row sum: keep what every placement agrees on.
            decided[key] = place([int(c) for c in chunks], n)
    # Rows whose cells stand in known columns take part in the column sums as printed.
    exact = {}
    for key, cells in exact_rows.items():
        row = _summed_row(cells)
        if row is None:
            exact = None  # an unreadable cell: its column cannot be summed
            break
        exact[key] = {row}
    # A row none of whose readings adds up to a printed 总计 leaves its 总计 blank, as
    # some tables do on every result row (or a row in known columns shows it blank):
    # then any row may, and each row's figures may be applicant cells only, its 总计
    # unprinted (None: no column sum runs through it; the column sums may still place
    # its figures).
    blank_totals = any(k not in domains for k in loose) or any(
        t[-1] is None for d in (exact or {}).values() for t in d
    )
    if blank_totals:
        for key, (chunks, was_glued) in loose.items():
            open_cells = glued.row_candidates(
                chunks, n - 1, _ANY, split=was_glued, limit=_BLANK_TOTAL_LIMIT
            )
            if open_cells is None:
                domains.pop(key, None)  # too many readings: nothing is decided for it
                continue
            domains[key] = domains.get(key, set()) | {
                (*c, None if sum(c) else 0) for c in open_cells
            }
            if not domains[key]:
                del domains[key]
    table = {**domains, **(exact or {})}
    equations = _request_equations(template)
    solved = None
    if (
        exact is not None
        # A row of more than one reading, or of one read with its 总计 left blank (a
        # guess only the column sums can confirm).
        and any(len(d) > 1 or next(iter(d))[-1] is None for d in domains.values())
        and all(k in table for eq in equations for k, _ in eq)
    ):
        # Column sums: every row of the table takes part. None: the printed figures
        # break the column sums, and the rows' own sums alone decide.
        solved = glued.solve_columns(table, equations, n)
    for key, readings in (solved or domains).items():
        if key not in domains:
            continue
        if solved is None and blank_totals and all(t[-1] is None for t in readings):
            # Read only as a row whose 总计 was left blank: a guess the column sums
            # must confirm. Without them it may as well be a misprinted 总计 (its
            # figures would be cut anew around it): nothing is decided.
            continue
        decided[key] = _agree(readings)
    return decided


def _summed_row(cells):
    """A table 三 row in known columns as it takes part in the column sums: its counts,
    a blank as 0 and a 总计 left blank beside figures as None (not printed, not summed);
    None when a cell is no count (its column cannot be summed)."""
    counts = []
    for cell in cells:
        if cell is None or is_blank(cell):
            counts.append(None)
            continue
        num = read_number(cell)
        if num is None or type(num.value) is not int:
            return None
        counts.append(num.value)
    row = [0 if v is None else v for v in counts]
    if counts[-1] is None and sum(row):
        row[-1] = None
    return tuple(row)


def _agree(readings):
    """The cells every reading of a table 三 row agrees on. An unprinted 总计 (None) is no
    figure: a row read with its 总计 unprinted in every reading leaves it blank, never 0
    (a row of "821" whose other figures stood apart in the print, 859 among them, has
    only such readings: its 总计 was printed, just not found)."""
    if not readings:
        return [None] * len(tables.REQUEST_COLUMNS)
    first, *rest = readings
    out = list(first)
    for t in rest:
        for i, v in enumerate(t):
            if out[i] is not None and v != out[i]:
                out[i] = None
    return out


def read_appeals(lines, reader):
    n = 15
    names = [f"{g.label}{c.label}" for g in tables.APPEAL_GROUPS for c in tables.APPEAL_COLUMNS]
    exact, printed = None, []
    for line in lines:
        if line.labels or not line.region:
            continue
        if not line.filled:
            continue
        row_exact, row_printed = tokens_of(line, n)
        if row_exact is None and line.tabbed:
            # A browser copy keeps blank cells as empty fields: their tabs give the columns.
            offs = tab_offsets(line, n)
            if len(offs) == 1:
                row_exact = line.region[offs[0] : offs[0] + n]
        if row_exact is not None and not printed:
            exact, printed = row_exact, row_printed
            break
        printed.extend(row_printed)
    if not printed:
        return False
    where = "appeals"
    if exact is None:
        nums = [_count(c, where, reader) for c in printed]
        groups = [([g * 5 + i for i in range(4)], g * 5 + 4) for g in range(3)]
        if None in nums:
            # A figure not read (a scan's "□"): where the others stand is not known.
            placement = [None] * n
        else:
            placement = place(nums, n, sums_hold(groups))
        reader.shape(where, "政府信息公开行政复议、行政诉讼情况表", n, printed, placement, names)
        exact = [None if v is None else str(v) for v in placement]
    cells = iter(exact)
    for group in tables.APPEAL_GROUPS:
        for col in tables.APPEAL_COLUMNS:
            reader.report["appeals"][group.key][col.key] = _count(
                next(cells), f"appeals.{group.key}", reader, col.key
            )
    return True


def read_proactive(lines, reader, template):
    rows = {r.key: (b, r) for b, r in template.proactive_rows()}
    out = reader.report["proactive"]
    header = []
    found = set()
    pending = ""  # a label alone on its line: the row's label wrapped (failure class 1)
    for i, line in enumerate(lines):
        label = "".join(line.labels)
        if label_key(label).startswith("信息内容"):
            header = line.labels[1:] + [c for c in line.region if not is_blank(c)]
            pending = ""
            continue
        has_values = bool(line.filled)
        key = match_row(label, _PROACTIVE_PHRASES, has_values=has_values) if label else None
        if key is None and has_values and pending and label:
            key = match_row(pending + label, _PROACTIVE_PHRASES, has_values=True)
        if key is None and has_values and pending and not label and i + 1 < len(lines):
            # PDF text: a narrow cell's label printed around its figures
            # ("其他对外管" / "2 0 51" / "理服务事项").
            nxt = lines[i + 1]
            if nxt.labels and not nxt.filled:
                rest = "".join(nxt.labels)
                key = match_row(pending + rest, _PROACTIVE_PHRASES, has_values=True)
        pending = label if not has_values and key is None and not line.strict else ""
        if key is None or not has_values or key in found:
            continue
        found.add(key)
        if key not in rows:
            reader.findings.append(
                finding(
                    "PARSE",
                    WARNING,
                    f"proactive.{key}",
                    f"“{label}”一行不属于{template.key}年格式，未读入。",
                    None,
                    label,
                )
            )
            continue
        block, row = rows[key]
        n = len(block.columns)
        exact, printed = tokens_of(line, n)
        where = f"proactive.{key}"
        if exact is None:
            placement = place(printed, n)
            reader.shape(where, row.label, n, printed, placement, [c.label for c in block.columns])
            exact = placement
        unit = header_unit("".join(header))
        for col, cell in zip(block.columns, exact, strict=True):
            _store_proactive(out[key], col, cell, unit, f"{where}/{col.key}", reader)
    if found:
        # A row the table prints but the text did not yield: blank, and said so.
        for _block, row in template.proactive_rows():
            if row.key not in found:
                reader.findings.append(
                    finding(
                        "PARSE",
                        WARNING,
                        f"proactive.{row.key}",
                        f"未能读出“{row.label}”一行的数字，已留空，请对照原文核实。",
                    )
                )
    return found


def _store_proactive(target, col, cell, header_unit_, where, reader):
    if cell is None or is_blank(cell):
        target[col.key] = None
        return
    num = read_number(cell)
    if num is None:
        reader.findings.append(
            finding("PARSE", WARNING, where, f"无法读作数字：“{cell}”，已留空。", None, cell)
        )
        target[col.key] = None
        return
    if col.kind == tables.SIGNED:
        target[col.key] = num.value * (num.sign or 1)
    elif col.kind == tables.YUAN:
        unit = num.unit if num.unit in YUAN_PER else header_unit_
        target["amount_as_printed"] = cell
        target["unit_as_printed"] = unit
        if unit is None:
            unit = "元"
            reader.findings.append(
                finding(
                    "UNIT",
                    INFO,
                    where,
                    f"采购总金额“{cell}”未注明单位，按“元”读取（2019年格式该列不带单位）。",
                    "元",
                    None,
                )
            )
        amount = num.value * YUAN_PER[unit]
        target[col.key] = round(amount, 2) if isinstance(amount, float) else amount
    else:
        target[col.key] = num.value
        if col.kind == tables.COUNT and isinstance(num.value, float):
            reader.findings.append(
                finding("PARSE", WARNING, where, f"件数“{cell}”不是整数，请核实。", None, cell)
            )


# ---- Tables flattened onto one line ------------------------------------------------

_ROW_NUMBER = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d+\.)")
_LOOSE = "[\\s、,.()\"“”'‘’]*"


@functools.lru_cache(maxsize=64)
def _loose_pattern(phrase):
    """A label phrase that may carry spaces and punctuation between its characters."""
    return re.compile(_LOOSE.join(re.escape(ch) for ch in phrase))


def _row_number(label):
    text = label.replace("（", "(").replace("）", ")")
    m = _ROW_NUMBER.match(text)
    return m[0] if m else ""


# What may stand between a row's label and its figures: the label's own remark
# ("（区分处理的，只计这一情形，不计其他情形）") and closing punctuation ("…一稳定”").
_ROW_LEAD = re.compile(
    r"^[\s\"“”'‘’、,，.:：]*(?:[（(][^（()）\d]*[）)])?[\s\"“”'‘’、,，.:：]*([\d ]*\d)?"
)


def stream_rows(text, rows, start=0, window=600):
    """{row key: digit chunks} for rows printed in order with no line or cell breaks.

    Each row's label is found after the previous one; the digits between the
    label and the next row's label (less that label's own number, "2." in
    "70000072.没有现成信息") are the row's figures. A row whose stretch holds
    digits anywhere else is not read.
    """
    spans = []
    pos = start
    for row in rows:
        m = _loose_pattern(_phrase(row.label)).search(text, pos, pos + window)
        if m is None:
            continue
        spans.append((row, m))
        pos = m.end()
    out = {}
    for i, (row, m) in enumerate(spans):
        if i + 1 < len(spans):
            nxt_row, nxt = spans[i + 1]
            stretch = text[m.end() : nxt.start()]
            number = _row_number(nxt_row.label)
            if number:
                stretch = re.sub(_LOOSE.join(map(re.escape, number)) + r"\s*$", "", stretch)
        else:
            stretch = text[m.end() : m.end() + 200]
        lead = _ROW_LEAD.match(stretch)
        figures = lead[1] or ""
        rest = stretch[lead.end() :]
        if i + 1 < len(spans) and re.search(r"\d", rest):
            out[row.key] = None  # digits elsewhere in the stretch: not this row's alone
            continue
        out[row.key] = figures.split()
    return out


# Table 四's heading followed by its header cells: "…行政诉讼情况行政复议行政诉讼结果维持…".
_APPEALS_HEAD = re.compile(r"行政诉讼情况[^\d]{0,40}?结果维持")


def appeals_start(text):
    """Where table 四 begins in text with no line breaks, or -1.

    The preamble of many reports lists the sections by name ("…行政复议、行政诉讼情况、
    存在的主要问题…"): the table's own heading is the one its header cells follow.
    """
    m = _APPEALS_HEAD.search(text)
    return m.start() if m else text.find("行政诉讼情况")


def stream_appeals(text, start):
    """The digit chunks of table 四 flattened onto one line, or None."""
    m = re.search(r"行政复议", text[start:])
    if not m:
        return None
    head = start + m.end()
    digits = re.search(r"\d[\d ]*\d|\d", text[head : head + 400])
    if not digits:
        return None
    return digits[0].split()


# ---- The whole report ---------------------------------------------------------


# A page number printed in the footer ("— 5 —", "- 12 -", "第 3 页"): not a table's figure.
_PAGE_FOOTER = re.compile(
    r"^\s*(?:[—–\-－]+\s*\d{1,3}\s*[—–\-－]+|第\s*\d{1,3}\s*页(?:\s*共\s*\d{1,3}\s*页)?)\s*$"
)


def parse_text(text, *, filename=None):
    """Read one report's text; returns the interchange dict with parse findings."""
    written = lines_as_written(text)  # the narrative keeps its own characters (issue 18)
    text, script = normalise(text)
    lines = text.split("\n")
    kept = [i for i, ln in enumerate(lines) if ln.strip() and not _PAGE_FOOTER.match(ln)]
    raw_lines = [lines[i] for i in kept]
    as_printed = len(written) == len(lines)

    def own(i):
        """Kept line i as written (asked of the narrative's lines only)."""
        return as_written(written[kept[i]]) if as_printed else raw_lines[i]

    agency, year, published = read_metadata(raw_lines, text)
    sections = split_sections(raw_lines)
    parsed = [split_line(ln) for ln in raw_lines]
    # Rows of table 三 (a label on its own short line counts: its values may follow).
    request_keys = {
        request_row("".join(p.labels), has_values=p.separated)
        for p in parsed
        if p is not None and p.labels and (p.separated or len(p.labels[0]) <= 40)
    } - {None}
    template_key = detect_template(text, request_keys, year)
    if template_key is None and year is not None and year < 2019 and "政府信息公开" in text:
        template_key = "2008"
    report = tables.empty_report(template_key)
    report.update(agency=agency, year=year, published=published)
    report["source"].update(script=script, file=filename)
    report["narrative"] = {
        key: "\n".join(own(i).strip() for i in sections.get(key, []))
        for key in ("overview", "problems", "other")
    }
    reader = Reader(report)
    if template_key in ("2019", "2021"):
        template = tables.TEMPLATES[template_key]

        def lines_of(*keys):
            idx = sorted(i for k in keys for i in sections.get(k, []))
            return [parsed[i] for i in idx if parsed[i] is not None]

        has_sections = "requests" in sections
        proactive_found = read_proactive(
            lines_of("proactive") if "proactive" in sections else [p for p in parsed if p],
            reader,
            template,
        )
        if not proactive_found and "proactive" in sections:
            # The narrative's own 主动公开 heading came first; the table stands later,
            # under a second set of headings (the tables printed as an appendix).
            proactive_found = read_proactive([p for p in parsed if p], reader, template)
        found = read_requests(
            lines_of("requests") if has_sections else [p for p in parsed if p], reader, template_key
        )
        appeal_lines = lines_of("appeals") if "appeals" in sections else []
        appeals_found = read_appeals(appeal_lines, reader)
        if not (found and appeals_found and proactive_found):
            # A crawled page's body on one line: read the tables from the text stream.
            flat = " ".join(ln.strip() for ln in raw_lines)
            if not proactive_found:
                read_proactive_stream(flat, reader, template)
            if not found:
                found = read_requests_stream(flat, reader, template_key)
            if not appeals_found:
                appeals_found = read_appeals_stream(flat, reader)
        if not appeals_found:
            reader.findings.append(
                finding(
                    "PARSE",
                    WARNING,
                    "appeals",
                    "未找到“政府信息公开行政复议、行政诉讼情况”表格的数字。",
                )
            )
        if not found:
            reader.findings.append(
                finding(
                    "PARSE",
                    WARNING,
                    "requests",
                    "未找到“收到和处理政府信息公开申请情况”表格的数字。",
                )
            )
    elif template_key == "2008":
        # Joined without line breaks: PDF copies break sentences mid-word.
        report["legacy"] = legacy.extract("".join(ln.strip() for ln in raw_lines))
        if not report["narrative"]["overview"]:
            report["narrative"]["overview"] = "\n".join(map(own, range(len(raw_lines))))
    report["findings"] = reader.findings
    return report
