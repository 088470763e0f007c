"""The printed layout of a report, shared by every renderer.

A report becomes a title, a publication date and the template's sections; each
section holds narrative paragraphs and grids. A grid is a table as the national
format prints it (regulation.md §2.3–2.5): cells with rowspan/colspan, header and
label cells, and value cells that carry their interchange address ("where",
e.g. "requests.new/total"). HTML and DOCX draw the spans; text and Markdown
expand a grid into positional rows (every row has every cell).

Every label comes from ..tables; the only labels defined here are those of the
2008-era legacy figures, which the national formats do not have.
Pure Python: no Django import.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .. import tables

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}

# The legacy figures of a 2008-era narrative report (spec: `legacy`); the
# 2008 条例 had no national table, so these captions are ours.
LEGACY_CHANNEL_LABELS = {
    "online": "网上申请",
    "letter": "信函申请",
    "fax": "传真申请",
    "in_person": "当面申请",
    "email": "电子邮件申请",
    "other": "其他方式申请",
}
LEGACY_ITEM_HEADER = ("项目", "数量")


@dataclass
class Cell:
    text: str = ""
    colspan: int = 1
    rowspan: int = 1
    head: bool = False  # a header or row-label cell (<th>)
    where: str | None = None  # interchange address of a value cell
    repeat: bool = False  # positional rows repeat it on every row it spans


@dataclass
class Grid:
    key: str  # "proactive" | "requests" | "appeals" | "legacy"
    width: int
    rows: list[list[Cell]]  # each row lists only the cells that start in it
    caption: str = ""


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    grids: list[Grid] = field(default_factory=list)


@dataclass
class Document:
    title: str
    published: str | None
    template: tables.Template | None
    sections: list[Section]


# ---- values -------------------------------------------------------------------


def number_text(value):
    """A JSON number as printed: no exponent, no trailing ".0"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        if value.is_integer():
            return str(int(value))
        try:
            return format(Decimal(repr(value)), "f")
        except InvalidOperation:
            return str(value)
    return str(value)


def cell_text(kind, value):
    """A value as the national format prints it (增22 / 减61 / 35222378.65元)."""
    if value is None or value == "":
        return ""
    if kind == tables.SIGNED and isinstance(value, (int, float)) and not isinstance(value, bool):
        if value > 0:
            return "增" + number_text(value)
        if value < 0:
            return "减" + number_text(-value)
        return "0"
    if kind == tables.YUAN and isinstance(value, (int, float)):
        return number_text(value) + "元"
    return number_text(value)


# ---- template and cells ---------------------------------------------------------


def template_of(report):
    """The report's template, or the one its rows reveal when the key is missing."""
    template = tables.TEMPLATES.get(report.get("template"))
    if template is not None:
        return template
    requests = report.get("requests") or {}
    if "other.no_correction" in requests:
        return tables.TEMPLATE_2021
    if requests or report.get("proactive"):
        return tables.TEMPLATE_2019
    if report.get("legacy"):
        return tables.TEMPLATE_2008
    return None


def request_keys(template):
    """Section 三 row keys in order; for 2021 the unprinted sum `other` before its parts."""
    keys = [r.key for r in template.request_rows]
    if template.key == "2021":
        keys.insert(keys.index(tables.OTHER_PARTS[0]), "other")
    return keys


def request_label_path(template, key):
    """Group cells and label of a section 三 row, outermost first."""
    if key == "other" and template.key == "2021":
        row = tables.TEMPLATE_2019.request_row("other")
    else:
        row = template.request_row(key)
    return row.groups + (row.label,)


def _row(section, key):
    row = section.get(key) if isinstance(section, dict) else None
    return row if isinstance(row, dict) else {}


def cells(report):
    """Every table cell: (section, row, column, value, kind, row_label, column_label)."""
    template = template_of(report)
    if template is None or template.narrative_only:
        return
    proactive = report.get("proactive") or {}
    for block, row in template.proactive_rows():
        data = _row(proactive, row.key)
        for col in block.columns:
            label = f"{block.heading}/{row.label}"
            yield "proactive", row.key, col.key, data.get(col.key), col.kind, label, col.label
    requests = report.get("requests") or {}
    for key in request_keys(template):
        data = _row(requests, key)
        label = "/".join(request_label_path(template, key))
        for col in tables.REQUEST_COLUMNS:
            yield "requests", key, col.key, data.get(col.key), col.kind, label, col.label
    appeals = report.get("appeals") or {}
    for group in tables.APPEAL_GROUPS:
        data = _row(appeals, group.key)
        label = f"{group.parent}/{group.label}" if group.parent else group.label
        for col in tables.APPEAL_COLUMNS:
            yield "appeals", group.key, col.key, data.get(col.key), col.kind, label, col.label


# ---- grids ------------------------------------------------------------------------


def _value(section_key, data, row_key, col):
    return Cell(cell_text(col.kind, data.get(col.key)), where=f"{section_key}.{row_key}/{col.key}")


def proactive_grid(report, template):
    """Table 二: one table, a heading row and a header row per 第二十条 block."""
    proactive = report.get("proactive") or {}
    width = 1 + max(len(b.columns) for b in template.proactive)
    rows = []
    for block in template.proactive:
        pad = [Cell() for _ in range(width - 1 - len(block.columns))]
        rows.append([Cell(block.heading, colspan=width, head=True)])
        rows.append(
            [Cell(tables.CONTENT_HEADER, head=True)]
            + [Cell(c.label, head=True) for c in block.columns]
            + pad
        )
        for row in block.rows:
            data = _row(proactive, row.key)
            values = [_value("proactive", data, row.key, c) for c in block.columns]
            rows.append([Cell(row.label, head=True)] + values + [Cell() for _ in pad])
    return Grid("proactive", width, rows)


def requests_grid(report, template):
    """Table 三: the 勾稽 note over a 3-column label area, 7 applicant columns."""
    requests = report.get("requests") or {}
    org = [c for c in tables.REQUEST_COLUMNS if c.key in tables.ORG_KEYS]
    first, total = tables.REQUEST_COLUMNS[0], tables.REQUEST_COLUMNS[-1]
    rows = [
        [
            Cell(tables.BALANCE_NOTE, colspan=3, rowspan=3, head=True),
            Cell(tables.APPLICANT_HEADER, colspan=7, head=True),
        ],
        [
            Cell(first.label, rowspan=2, head=True),
            Cell(tables.ORG_HEADER, colspan=len(org), head=True),
            Cell(total.label, rowspan=2, head=True),
        ],
        [Cell(c.label, head=True) for c in org],
    ]
    printed = template.request_rows
    for i, row in enumerate(printed):
        out = []
        for depth, group in enumerate(row.groups):
            prefix = row.groups[: depth + 1]
            if i and printed[i - 1].groups[: depth + 1] == prefix:
                continue  # spanned by the group cell of an earlier row
            span = 1
            while i + span < len(printed) and printed[i + span].groups[: depth + 1] == prefix:
                span += 1
            out.append(Cell(group, rowspan=span, head=True, repeat=True))
        out.append(Cell(row.label, colspan=3 - len(row.groups), head=True))
        data = _row(requests, row.key)
        out += [_value("requests", data, row.key, c) for c in tables.REQUEST_COLUMNS]
        rows.append(out)
    return Grid("requests", 3 + len(tables.REQUEST_COLUMNS), rows)


def appeals_grid(report):
    """Table 四: 行政复议 | 行政诉讼 (未经复议直接起诉, 复议后起诉), one row of 15."""
    appeals = report.get("appeals") or {}
    n = len(tables.APPEAL_COLUMNS)
    top, middle, bottom, values = [], [], [], []
    seen_parents = set()
    for group in tables.APPEAL_GROUPS:
        labels = [Cell(c.label, head=True) for c in tables.APPEAL_COLUMNS]
        if group.parent is None:
            top.append(Cell(group.label, colspan=n, head=True))
            for cell in labels:
                cell.rowspan = 2
            middle += labels
        else:
            if group.parent not in seen_parents:
                seen_parents.add(group.parent)
                width = n * sum(1 for g in tables.APPEAL_GROUPS if g.parent == group.parent)
                top.append(Cell(group.parent, colspan=width, head=True))
            middle.append(Cell(group.label, colspan=n, head=True))
            bottom += labels
        data = _row(appeals, group.key)
        values += [_value("appeals", data, group.key, c) for c in tables.APPEAL_COLUMNS]
    rows = [top, middle, bottom, values]
    return Grid("appeals", n * len(tables.APPEAL_GROUPS), rows)


def legacy_grids(legacy):
    """Small 项目 | 数量 tables of a 2008-era report's figures, by section index."""
    legacy = legacy if isinstance(legacy, dict) else {}
    by_section = {1: [], 2: [], 3: [], 4: []}

    def add(index, label, value):
        if value is not None and value != "":
            by_section[index].append((label, number_text(value)))

    add(1, "主动公开政府信息（条）", legacy.get("proactive_items"))
    add(2, "收到政府信息公开申请（件）", legacy.get("received"))
    channels = legacy.get("by_channel") if isinstance(legacy.get("by_channel"), dict) else {}
    for key, label in LEGACY_CHANNEL_LABELS.items():
        add(2, label + "（件）", channels.get(key))
    for reply in legacy.get("replies") or []:
        if isinstance(reply, dict):
            add(2, str(reply.get("label") or ""), reply.get("count"))
    add(3, "收取费用（元）", legacy.get("fees_yuan"))
    add(4, "行政复议（件）", legacy.get("reconsideration"))
    add(4, "行政诉讼（件）", legacy.get("litigation"))
    grids = {}
    for index, items in by_section.items():
        if items:
            rows = [[Cell(h, head=True) for h in LEGACY_ITEM_HEADER]]
            rows += [[Cell(label, head=True), Cell(value)] for label, value in items]
            grids[index] = Grid("legacy", 2, rows)
    return grids


def positional(grid):
    """The grid as full rows of texts: spans expanded, covered positions blank.

    Row-label group cells (repeat=True) are repeated on every row they span,
    so a reader can place each row without looking back.
    """
    height = len(grid.rows)
    out = [[None] * grid.width for _ in range(height)]
    for r, row in enumerate(grid.rows):
        c = 0
        for cell in row:
            while c < grid.width and out[r][c] is not None:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    if r + dr < height and c + dc < grid.width:
                        first = dr == 0 and dc == 0
                        shown = first or (cell.repeat and dc == 0)
                        out[r + dr][c + dc] = cell.text if shown else ""
            c += cell.colspan
    return [[t or "" for t in row] for row in out]


# ---- the document --------------------------------------------------------------------


def title_of(report):
    agency = report.get("agency") or ""
    year = report.get("year")
    year_text = f"{year}年" if year not in (None, "") else ""
    return f"{agency}{year_text}政府信息公开工作年度报告"


def _text(value):
    return value if isinstance(value, str) else ""


def document(report):
    """The report laid out as its template prints it."""
    template = template_of(report)
    narrative = report.get("narrative") if isinstance(report.get("narrative"), dict) else {}
    overview, problems = _text(narrative.get("overview")), _text(narrative.get("problems"))
    other = _text(narrative.get("other"))
    if template is not None and template.narrative_only:
        sections = [Section(h) for h in template.sections]
        sections[0].paragraphs = paragraphs(overview)
        sections[-2].paragraphs = paragraphs(problems)
        sections[-1].paragraphs = paragraphs(other)
        for index, grid in legacy_grids(report.get("legacy")).items():
            sections[index].grids.append(grid)
    else:
        sections = [Section(h) for h in tables.SECTIONS]
        sections[0].paragraphs = paragraphs(overview)
        sections[4].paragraphs = paragraphs(problems)
        sections[5].paragraphs = paragraphs(other)
        if template is not None:
            sections[1].grids.append(proactive_grid(report, template))
            sections[2].grids.append(requests_grid(report, template))
            sections[3].grids.append(appeals_grid(report))
    published = report.get("published")
    return Document(
        title_of(report),
        published if isinstance(published, str) and published else None,
        template,
        sections,
    )


def paragraphs(text):
    return [line.strip() for line in text.splitlines() if line.strip()]


# ---- findings on cells ------------------------------------------------------------------


def _split(where):
    path, _, column = where.partition("/")
    return path, column or None


def findings_at(where, findings):
    """Findings that concern the cell `where`: the cell itself, its row, or its table.

    A finding's "where" may be a cell ("requests.new/total"), a row
    ("requests.new"), a column of a table ("requests/total"), a table
    ("appeals") or a row group ("requests.other", which in 2021 covers the
    three printed 其他处理 rows).
    """
    path, column = _split(where)
    out = []
    for f in findings or ():
        target = f.get("where") if isinstance(f, dict) else None
        if not isinstance(target, str) or not target:
            continue
        f_path, f_column = _split(target)
        if f_column is not None and f_column != column:
            continue
        if path == f_path or path.startswith(f_path + "."):
            out.append(f)
    return out


def worst_severity(findings):
    severities = [f.get("severity") for f in findings if f.get("severity") in SEVERITY_ORDER]
    return min(severities, key=SEVERITY_ORDER.get) if severities else None
