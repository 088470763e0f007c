"""DOCX: a Word document with real tables laid out as the national format prints them.

Header and label cells are merged as in the official tables (申请人情况,
法人或其他组织, 三、本年度办理结果, （三）不予公开, table 四's header rows);
value cells are never merged, so each holds exactly one value.
"""

import io

from docx import Document as WordDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from .layout import document

CJK_FONT = "宋体"
LATIN_FONT = "Times New Roman"


def _set_fonts(style, size=None):
    style.font.name = LATIN_FONT
    if size:
        style.font.size = Pt(size)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), CJK_FONT)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(theme), None)


def _place(grid):
    """(row, column, cell) for every cell of the grid, spans resolved."""
    taken = [[False] * grid.width for _ in grid.rows]
    for r, row in enumerate(grid.rows):
        c = 0
        for cell in row:
            while c < grid.width and taken[r][c]:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    if r + dr < len(grid.rows) and c + dc < grid.width:
                        taken[r + dr][c + dc] = True
            yield r, c, cell
            c += cell.colspan


def _table(doc, grid):
    table = doc.add_table(rows=len(grid.rows), cols=grid.width)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    placed = list(_place(grid))
    for r, c, cell in placed:  # merge first: merging joins the cells' text
        if cell.rowspan > 1 or cell.colspan > 1:
            last_r = min(r + cell.rowspan, len(grid.rows)) - 1
            last_c = min(c + cell.colspan, grid.width) - 1
            table.cell(r, c).merge(table.cell(last_r, last_c))
    for r, c, cell in placed:
        paragraph = table.cell(r, c).paragraphs[0]
        run = paragraph.add_run(cell.text)
        if cell.head and r < 3 and grid.key != "legacy":
            run.bold = True
        if cell.where:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return table


def render_docx(report):
    doc_model = document(report)
    doc = WordDocument()
    _set_fonts(doc.styles["Normal"], 10.5)
    for name in ("Title", "Heading 1"):
        _set_fonts(doc.styles[name])
    _set_fonts(doc.styles["Table Grid"], 9)
    title = doc.add_heading(doc_model.title, level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if doc_model.published:
        doc.add_paragraph(f"发布日期：{doc_model.published}")
    for section in doc_model.sections:
        doc.add_heading(section.heading, level=1)
        for text in section.paragraphs:
            paragraph = doc.add_paragraph(text)
            paragraph.paragraph_format.first_line_indent = Pt(21)
        for grid in section.grids:
            _table(doc, grid)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
