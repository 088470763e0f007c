"""A letter as PDF: the letter's HTML (render.build_html) laid out by WeasyPrint.

Why WeasyPrint: it is a Python library (no office suite, no subprocess, no profile
directory), it lays out Chinese text with Pango/HarfBuzz and embeds subsets of the
fonts it uses, so the PDF reads the same everywhere and its text can be extracted
(tests read it back with pdfplumber). The fonts are Debian's fonts-noto-cjk (思源
宋体/黑体 as Noto Serif/Sans CJK SC), installed with Pango by scripts/ensure-pdf,
which `make run`, `make serve` and `make test` call. The same HTML is the printable
page, so print, PDF and DOCX carry one text.
"""

from gongkai.letters.render import build_html


def html_to_pdf(html):
    """PDF bytes for a complete HTML document (the letters' and the annual reports')."""
    import weasyprint  # imported on first use: it loads Pango and fontconfig

    return weasyprint.HTML(string=html).write_pdf()


def to_pdf(letter):
    """PDF bytes for a render.Letter."""
    return html_to_pdf(build_html(letter))
