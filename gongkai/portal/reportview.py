"""A published annual report as the public reads it: the national layout, no findings.

The engine's checks (findings) are a tool for staff before publishing; the public
page and downloads show the report as published, so findings are dropped here.
Pure: no ORM.
"""

from django.utils.safestring import mark_safe

from gongkai.reports.render import FORMATS as ENGINE_FORMATS
from gongkai.reports.render import render as render_report
from gongkai.reports.render.htmlfmt import grid_html
from gongkai.reports.render.layout import document


def public_data(data):
    """The report dict without the checker's findings."""
    return {**data, "findings": []} if isinstance(data, dict) else data


def public_context(data):
    """Template context: the report's title, date and sections in the national order."""
    doc = document(public_data(data))
    sections = [
        {
            "heading": section.heading,
            "paragraphs": section.paragraphs,
            # grid_html escapes every value (report text comes from uploads)
            "grids": [mark_safe(grid_html(grid)) for grid in section.grids],
        }
        for section in doc.sections
    ]
    return {"doc_title": doc.title, "doc_published": doc.published, "sections": sections}


# The downloads of a published report: the engine's formats and a PDF of its HTML page
# (laid out by WeasyPrint, the letters' PDF renderer: gongkai/letters/pdf.py).
PDF = ("application/pdf", "pdf", "PDF 文档")
FORMATS = {**ENGINE_FORMATS, "pdf": PDF}


def render(data, fmt):
    if fmt == "pdf":
        from gongkai.letters.pdf import html_to_pdf

        return html_to_pdf(render_report(public_data(data), "html").decode("utf-8"))
    return render_report(public_data(data), fmt)
