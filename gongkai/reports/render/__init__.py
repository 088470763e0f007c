"""Renderers: an interchange report dict -> JSON, CSV, text, Markdown, HTML or DOCX.

`render(report, fmt)` is the one entry point; `FORMATS` describes the downloads;
`tables_html` is the tables fragment the web page embeds; `read_csv` reads our
own CSV back. Pure Python: no Django import.
"""

from .csvfmt import read_csv, render_csv
from .docxfmt import render_docx
from .htmlfmt import render_html, tables_html
from .jsonfmt import render_json
from .text import render_text

__all__ = ["FORMATS", "read_csv", "render", "tables_html"]

# fmt -> (content type, file extension, Chinese name)
FORMATS = {
    "json": ("application/json; charset=utf-8", "json", "JSON 数据"),
    "csv": ("text/csv; charset=utf-8", "csv", "CSV 表格（每个单元格一行）"),
    "txt": ("text/plain; charset=utf-8", "txt", "纯文本"),
    "md": ("text/markdown; charset=utf-8", "md", "Markdown 文本"),
    "html": ("text/html; charset=utf-8", "html", "网页（HTML）"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
        "Word 文档（DOCX）",
    ),
}

_RENDERERS = {
    "json": render_json,
    "csv": render_csv,
    "txt": render_text,
    "md": lambda report: render_text(report, markdown=True),
    "html": render_html,
    "docx": render_docx,
}


def render(report, fmt):
    """The report in format `fmt` (a key of FORMATS), as bytes."""
    renderer = _RENDERERS.get(fmt)
    if renderer is None:
        names = "、".join(FORMATS)
        raise ValueError(f"不支持的输出格式“{fmt}”；可选格式：{names}。")
    if not isinstance(report, dict):
        raise ValueError("报告数据应为年报交换格式的字典（JSON 对象）。")
    return renderer(report)
