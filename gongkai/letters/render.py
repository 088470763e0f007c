"""A letter as a DOCX file (python-docx): letterhead, 文号, title, body, 落款, date.

Pure: takes a Letter (plain strings) and returns bytes; no ORM. The layout follows
the 信函格式 of GB/T 9704 loosely: A4, 仿宋 三号 body with a two-character first-line
indent, 宋体 title, the agency name in red at the top, the signature and the date
in Chinese at the bottom right, the agency's address and telephone at the end.
"""

import io
from dataclasses import dataclass, field

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

BODY_FONT = "仿宋"
TITLE_FONT = "宋体"
BODY_SIZE = Pt(16)  # 三号
RED = RGBColor(0xC0, 0x00, 0x00)


@dataclass
class Letter:
    agency_name: str
    number: str  # 文号
    title: str
    paragraphs: list  # body paragraphs; a first one ending in “：” is the salutation
    signature: str
    date_text: str  # 二〇二六年十一月二十一日
    footer: list = field(default_factory=list)  # 地址、邮编、联系电话 lines
    draft_note: str = ""  # shown in red above the title when the decision is not approved


def _font(run, name, size, *, bold=False, color=None):
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def _paragraph(doc, text, *, align=None, indent=False, size=BODY_SIZE, font=BODY_FONT, **kw):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28) if size >= BODY_SIZE else Pt(20)
    fmt.space_before = fmt.space_after = Pt(0)
    if align is not None:
        p.alignment = align
    if indent:
        fmt.first_line_indent = Pt(size.pt * 2)
    _font(p.add_run(text), font, size, **kw)
    return p


def build_docx(letter):
    """The letter as DOCX bytes."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = BODY_FONT, BODY_SIZE
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    doc.core_properties.title = letter.title
    doc.core_properties.author = letter.agency_name

    _paragraph(
        doc,
        letter.agency_name,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        size=Pt(26),
        font=TITLE_FONT,
        bold=True,
        color=RED,
    )
    _paragraph(doc, letter.number, align=WD_ALIGN_PARAGRAPH.RIGHT)
    if letter.draft_note:
        _paragraph(doc, letter.draft_note, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, color=RED)
    _paragraph(doc, "", size=BODY_SIZE)
    _paragraph(
        doc, letter.title, align=WD_ALIGN_PARAGRAPH.CENTER, size=Pt(22), font=TITLE_FONT, bold=True
    )
    _paragraph(doc, "")
    for i, text in enumerate(letter.paragraphs):
        salutation = i == 0 and text.rstrip().endswith("：")
        _paragraph(doc, text, indent=not salutation)
    _paragraph(doc, "")
    _paragraph(doc, letter.signature, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(doc, letter.date_text, align=WD_ALIGN_PARAGRAPH.RIGHT)
    if letter.footer:
        _paragraph(doc, "")
        for line in letter.footer:
            _paragraph(doc, line, size=Pt(12))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ---- HTML: the printable page and the source of the PDF --------------------------------

_CSS = """
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
body { font-family: "Noto Serif CJK SC", "Noto Serif CJK", serif; font-size: 16pt;
  line-height: 28pt; margin: 0; color: #000; }
.agency { text-align: center; color: #c00000; font-size: 26pt; line-height: 36pt;
  font-weight: bold; margin: 0 0 8pt; }
.number { text-align: right; margin: 0; }
.draft { text-align: center; color: #c00000; font-weight: bold; margin: 0; }
h1 { text-align: center; font-size: 22pt; line-height: 32pt; font-weight: bold;
  margin: 28pt 0; }
p { margin: 0; }
p.indent { text-indent: 2em; }
.signature, .date { text-align: right; }
.signature { margin-top: 28pt; }
.footer { font-size: 12pt; line-height: 20pt; margin-top: 28pt; }
"""


def build_html(letter, *, extra_head=""):
    """The letter as a complete HTML document (escaped), laid out like the DOCX."""
    from html import escape

    parts = [
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{escape(letter.title)}</title><style>{_CSS}</style>{extra_head}</head><body>",
        '<p class="screen-only">请使用浏览器的“打印”（Ctrl+P）打印本页。</p>' if extra_head else "",
        f'<p class="agency">{escape(letter.agency_name)}</p>',
        f'<p class="number">{escape(letter.number)}</p>',
    ]
    if letter.draft_note:
        parts.append(f'<p class="draft">{escape(letter.draft_note)}</p>')
    parts.append(f"<h1>{escape(letter.title)}</h1>")
    for i, text in enumerate(letter.paragraphs):
        salutation = i == 0 and text.rstrip().endswith("：")
        parts.append(f"<p{'' if salutation else ' class="indent"'}>{escape(text)}</p>")
    parts.append(f'<p class="signature">{escape(letter.signature)}</p>')
    parts.append(f'<p class="date">{escape(letter.date_text)}</p>')
    for line in letter.footer:
        parts.append(f'<p class="footer">{escape(line)}</p>')
    parts.append("</body></html>")
    return "".join(parts)
