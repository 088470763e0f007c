"""Plain text and Markdown in the template's layout.

Tables are pipe rows: every row starts and ends with "|" and has every cell
(blanks as empty cells), so a reader can place each cell by its position.
Markdown adds "#" headings and a "|---|" separator after each table's first row.
"""

from .layout import document, positional


def pipe_row(texts):
    return "|" + "|".join(f" {_cell(t)} " if t else " " for t in texts) + "|"


def _cell(text):
    # A pipe or a line break inside a cell would move every later cell.
    return " ".join(text.replace("|", "｜").split())


# Table 三's label area (3 columns in print) is one cell in text: a blank
# label cell would be indistinguishable from a blank value cell.
LABEL_AREA = {"requests": 3}


def _grid_lines(grid, markdown):
    lines = []
    area = LABEL_AREA.get(grid.key, 1)
    for i, row in enumerate(positional(grid)):
        label = " ".join(dict.fromkeys(t for t in row[:area] if t))
        lines.append(pipe_row([label, *row[area:]]))
        if markdown and i == 0:
            lines.append("|" + "---|" * (grid.width - area + 1))
    return lines


def _paragraph(text, markdown):
    # A narrative line must not read back as a table row (or a Markdown heading).
    if text.startswith("|"):
        text = "｜" + text[1:]
    if markdown and text[:1] in "#>":
        text = "\\" + text
    return text


def render_text(report, *, markdown=False):
    doc = document(report)
    lines = [f"# {doc.title}" if markdown else doc.title]
    if doc.published:
        lines += ["", f"发布日期：{doc.published}"] if markdown else [f"发布日期：{doc.published}"]
    for section in doc.sections:
        lines.append("")
        lines.append(f"## {section.heading}" if markdown else section.heading)
        for text in section.paragraphs:
            if markdown:
                lines.append("")
            lines.append(_paragraph(text, markdown))
        for grid in section.grids:
            lines.append("")
            lines += _grid_lines(grid, markdown)
    return ("\n".join(lines) + "\n").encode("utf-8")
