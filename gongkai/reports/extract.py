"""Input files -> report text (or the interchange dict itself). Pure Python.

Text, Markdown, HTML, DOCX and PDF become text lines; a table row becomes one
strict pipe row ("| a | b | |") with every cell present, so cell positions
survive. Our own JSON and CSV are read back as reports. Anything else is
refused with a Chinese message saying what to do.
"""

import errno
import io
import json
import re
import zlib
from pathlib import PurePath

from gongkai import safezip

from .tables import FORMAT_ID

ALLOWED = (".txt", ".md", ".html", ".htm", ".docx", ".pdf", ".json", ".csv")
IMAGES = (".png", ".jpg", ".jpeg")  # scans, read by OCR (gongkai.reports.ocr)


class UnsupportedInput(ValueError):
    """The input is not something we can read; the message is Chinese, for people."""


class ScannedPdf(UnsupportedInput):
    """A PDF without a text layer: only OCR can read it (the message says so)."""

    def __init__(self, message, pages=None):
        super().__init__(message)
        self.pages = pages


def kind_of(data, filename):
    """'pdf' | 'docx' | 'html' | 'json' | 'csv' | 'text', checking content, not just the name."""
    ext = PurePath(filename or "").suffix.lower()
    if data[:8] == b"\x89PNG\r\n\x1a\n" or data[:3] == b"\xff\xd8\xff":
        return "image"
    if ext in IMAGES:
        raise UnsupportedInput(f"文件扩展名是 {ext}，但内容不是 PNG/JPEG 图片：请确认文件未损坏。")
    if ext and ext not in ALLOWED:
        if ext in (".doc", ".wps"):
            raise UnsupportedInput(
                f"不支持旧版 Word 格式（{ext}）：请在 Word/WPS 中另存为 .docx 或 PDF 后再上传。"
            )
        raise UnsupportedInput(
            f"不支持的文件类型“{ext}”：请上传 .txt、.html、.docx 或 .pdf 格式的年度报告。"
        )
    head = data[:8]
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:  # the attachments app's zip-bomb and path checks, before python-docx opens it
            names = [info.filename for info in safezip.check(data, PurePath(filename or "").name)]
        except safezip.ZipRejected as exc:
            raise UnsupportedInput(str(exc)) from exc
        if "word/document.xml" in names:
            return "docx"
        raise UnsupportedInput(
            "这是一个压缩包，不是 Word 文档（.docx）：请解压后上传其中的报告文件。"
        )
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnsupportedInput(
            "这是旧版 Office 文件（.doc/.xls）：请另存为 .docx 或 PDF 后再上传。"
        )
    if ext == ".pdf":
        raise UnsupportedInput("文件扩展名是 .pdf，但内容不是 PDF：请确认上传的是原始 PDF 文件。")
    if ext == ".docx":
        raise UnsupportedInput("文件扩展名是 .docx，但内容不是 Word 文档：请确认文件未损坏。")
    if ext == ".json":
        return "json"
    if ext == ".csv":
        return "csv"
    if ext in (".html", ".htm"):
        return "html"
    sample = data[:2048].lstrip().lower()
    if sample.startswith((b"<!doctype html", b"<html")) or (
        sample.startswith(b"<") and (b"<table" in data[:200_000].lower() or b"<p" in sample)
    ):
        return "html"
    if sample.startswith(b"{") and b"gongkai.annual-report" in data[:4096]:
        return "json"
    return "text"


def decode(data):
    """Bytes of a text file -> str: UTF-8 (with or without BOM), UTF-16, GB18030, Big5."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnsupportedInput(
            "文件不是文本文件（含有二进制内容）：请上传 .txt、.html、.docx 或 .pdf。"
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UnsupportedInput(
                "无法读取：文件标明是 UTF-16 编码，但其中有不是有效 UTF-16 文字的内容"
                "（文件可能已损坏或被截断）。请另存为 UTF-8 编码的文本后再上传。"
            ) from exc
    for encoding in ("utf-8-sig", "gb18030", "big5"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnsupportedInput("无法识别文件的文字编码：请另存为 UTF-8 编码的文本后再上传。")


def strict_row(cells):
    cells = [re.sub(r"\s+", " ", c.replace("|", "/")).strip() for c in cells]
    return "| " + " | ".join(cells) + " |"


# ---- HTML -------------------------------------------------------------------

_BLOCK = frozenset(
    "p div br h1 h2 h3 h4 h5 h6 li tr section article header footer title pre blockquote".split()
)


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")


def _decode_html(data):
    m = _META_CHARSET.search(data[:4096])
    if m:
        try:
            return data.decode(m[1].decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(data)


def _site_menus(root):
    """The site's menus around a report: <nav>, <menu>, drop-down site lists (<select>),
    role="navigation", and lists whose every item is a link (a column's other articles,
    "· 某局2018年度政府信息公开工作年度报告 2019-01-10" above this year's report, say).
    Their text is not the report's, and a title in them would be taken for its own."""
    found = root.xpath("//nav|//menu|//select|//*[@role='navigation']")
    for lst in root.xpath("//ul|//ol"):
        items = lst.xpath("./li")
        if items and all(_a_link(li) for li in items):
            found.append(lst)
    return found


def _a_link(item):
    """An item that is a link: its words are all the link's (bullets, dates aside)."""
    linked = "".join("".join(a.itertext()) for a in item.iter("a")).strip()
    text = "".join(item.itertext())
    for a in item.iter("a"):
        text = text.replace("".join(a.itertext()), "", 1)
    return bool(linked) and not _CJK.search(text)


_CJK = re.compile(r"[\u4e00-\u9fff]")


_CELL_BREAK = _BLOCK | {"td", "th", "table"}


def _own_rows(table):
    """The table's own rows, not those of a table inside one of its cells."""
    return [tr for tr in table.iter("tr") if next(tr.iterancestors("table"), None) is table]


def _data_table(table):
    """A table read row by row: one with no table inside, or one whose own rows of
    three or more cells outnumber the rows of the tables inside it (a small table in
    a header cell, as Word sometimes nests one). A page laid out in a table (menus in
    one cell, the report and its tables in another) is read as text, its tables each
    in turn."""
    inner = table.xpath(".//table")
    if not inner:
        return True
    rows = sum(1 for tr in _own_rows(table) if len(tr.xpath("./td|./th")) >= 3)
    nested_rows = sum(len(t.xpath(".//tr")) for t in inner)
    return rows >= 4 and rows > nested_rows


def html_to_text(data):
    import lxml.html

    text = _XML_DECL.sub("", _decode_html(data) if isinstance(data, bytes) else data)
    try:
        root = lxml.html.fromstring(text)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise UnsupportedInput("HTML 文件无法解析：请确认文件完整。") from exc
    for bad in root.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    for menu in _site_menus(root):
        if menu.getparent() is not None:  # not already dropped (found twice)
            menu.drop_tree()
    out = []

    def text_of(cell):
        """A cell's text as a browser shows it: inline runs joined as they are (Word's
        HTML splits a figure across spans: <span>13</span><span>612</span> is 13612),
        a line break or block (<br>, <p>) and any whitespace one space."""
        parts = []

        def collect(el):
            block = isinstance(el.tag, str) and el.tag in _CELL_BREAK
            if block:
                parts.append(" ")
            if el.text and isinstance(el.tag, str):
                parts.append(el.text)
            for child in el:
                collect(child)
                if child.tail:
                    parts.append(child.tail)
            if block:
                parts.append(" ")

        collect(cell)
        return " ".join("".join(parts).split())

    def walk(el):
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "table" and _data_table(el):
            out.append("\n")
            for tr in _own_rows(el):
                out.append(strict_row([text_of(c) for c in tr if c.tag in ("td", "th")]) + "\n")
            return
        if tag in _BLOCK:
            out.append("\n")
        if el.text and tag:
            out.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                out.append(child.tail)
        if tag in _BLOCK:
            out.append("\n")

    walk(root)
    return "".join(out)


# ---- DOCX -------------------------------------------------------------------


def docx_to_text(data):
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds for broken packages
        raise UnsupportedInput("Word 文档已损坏或不是 .docx 格式，无法读取。") from exc
    out = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            out.append(Paragraph(child, document).text)
        elif child.tag == qn("w:tbl"):
            for row in Table(child, document).rows:
                cells, previous = [], None
                for cell in row.cells:
                    if cell._tc is previous:  # a horizontally merged cell repeats
                        continue
                    previous = cell._tc
                    cells.append(cell.text)
                out.append(strict_row(cells))
    return "\n".join(out)


# ---- PDF --------------------------------------------------------------------


# Limits of the readers (the upload size is limited by REPORT_UPLOAD_MAX_BYTES; ZIP
# containers by gongkai.safezip; the work per upload on the public page by the sandbox).
PDF_MAX_PAGES = 300


# Inflated size of a PDF's compressed streams (images aside: pdfplumber never inflates
# them), in all and per stream as a ratio — a PDF can be a zip bomb too. The ratio limits
# are the ZIP check's (gongkai.safezip).
PDF_MAX_UNPACKED = 64 * safezip.MIB
_STREAM = re.compile(rb"stream\r?\n")


def check_pdf_streams(data):
    """Refuse a PDF whose Flate streams inflate beyond the limits, without keeping the
    inflated bytes (read in 1 MiB steps)."""
    view, total = memoryview(data), 0
    for m in _STREAM.finditer(data):
        head = data[max(0, m.start() - 512) : m.start()]
        first = data[m.end() : m.end() + 1]
        if b"/Image" in head[head.rfind(b" obj") + 1 :] or not first or first[0] & 0x0F != 8:
            continue  # an image, or not a zlib stream
        inflater, tail, size = zlib.decompressobj(), view[m.end() :], 0
        try:
            for _ in range(PDF_MAX_UNPACKED // safezip.MIB + 2):
                size += len(inflater.decompress(tail, safezip.MIB))
                tail = inflater.unconsumed_tail
                if inflater.eof or not tail or total + size > PDF_MAX_UNPACKED:
                    break
        except zlib.error:
            continue
        total += size
        packed = max(len(view) - m.end() - len(inflater.unused_data) - len(tail), 1)
        if total > PDF_MAX_UNPACKED or (
            size > safezip.ENTRY_RATIO_FLOOR and size > safezip.MAX_RATIO * packed
        ):
            raise UnsupportedInput(
                f"无法读取：PDF 中的压缩内容解压后超过 {safezip.size_text(min(total, PDF_MAX_UNPACKED))}"
                f"（压缩比 {size // packed} 倍），疑似压缩炸弹，未予读取。请上传原始 PDF。"
            )


def pdf_to_text(data):
    import pdfplumber

    check_pdf_streams(data)

    try:
        # Only the first PDF_MAX_PAGES + 1 pages are ever laid out.
        pdf = pdfplumber.open(io.BytesIO(data), pages=range(1, PDF_MAX_PAGES + 2))
    except Exception as exc:  # pdfminer raises many kinds for broken or encrypted files
        raise UnsupportedInput(
            "PDF 文件已损坏或已加密，无法读取：请上传未加密的原始 PDF。"
        ) from exc
    out = []
    try:
        try:
            pages = pdf.pages
        except Exception as exc:
            raise UnsupportedInput("PDF 文件的页面结构已损坏，无法读取。") from exc
        if len(pages) > PDF_MAX_PAGES:
            raise UnsupportedInput(
                f"无法读取：PDF 超过 {PDF_MAX_PAGES} 页，不像一份年度报告（年报通常在 30 页以内）。"
                "请只上传年度报告本身。"
            )
        for page in pages:
            try:
                found = page.find_tables()
                boxes = [t.bbox for t in found]
                items = []
                for table in found:
                    for row, cells in zip(table.rows, table.extract(), strict=False):
                        # None: a position a merged cell covers, not a cell (as an HTML
                        # colspan/rowspan is one cell); "" is an empty cell and keeps its place.
                        cells = [c for c in cells if c is not None]
                        items.append((row.bbox[1], strict_row(cells)))
                outside = page.filter(lambda obj, boxes=boxes: not _inside(obj, boxes))
                for line in outside.extract_text_lines():
                    items.append((line["top"], line["text"]))
            except Exception as exc:
                raise UnsupportedInput(
                    f"PDF 第{page.page_number}页无法读取：文件可能已损坏。"
                ) from exc
            out.extend(text for _, text in sorted(items, key=lambda item: item[0]))
    finally:
        _close(pdf)
    if not any(line.strip() for line in out):
        raise ScannedPdf(
            "PDF 中没有可提取的文字（可能是扫描件）：请上传带文字层的 PDF 或文本。", len(pages)
        )
    return "\n".join(out)


def _close(pdf):
    """Close a PDF even when its page tree is broken (pdfplumber's close walks the pages
    again and raises what reading them raised)."""
    try:
        pdf.close()
    except Exception:
        stream = getattr(pdf, "stream", None)
        if stream is not None:
            stream.close()


def _inside(obj, boxes):
    x0, top = obj.get("x0", 0), obj.get("top", 0)
    return any(b[0] - 1 <= x0 <= b[2] + 1 and b[1] - 1 <= top <= b[3] + 1 for b in boxes)


# ---- Front door ----------------------------------------------------------------


def to_text(data, *, filename, kind=None):
    """The report text of a txt/md/html/docx/pdf file."""
    kind = kind or kind_of(data, filename)
    if kind == "pdf":
        return pdf_to_text(data)
    if kind == "docx":
        return docx_to_text(data)
    if kind == "html":
        return html_to_text(data)
    if not data.strip():
        raise UnsupportedInput("文件是空的：请选择年度报告文件，或粘贴报告全文。")
    return decode(data)


# The interchange format nests a few levels (report → section → row → column);
# anything much deeper is not a report and would exhaust the schema validator's stack.
JSON_MAX_DEPTH = 32
_TOO_DEEP = (
    f"无法读取：JSON 文件的嵌套层数超过 {JSON_MAX_DEPTH} 层，不是年度报告交换格式。"
    "请上传本系统导出的 JSON 文件。"
)


def _depth(value):
    """How deeply lists and objects nest in `value` (counted without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level > JSON_MAX_DEPTH:
                break
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def load_json(data):
    """Our own interchange JSON back into a report, refused with the exact place if invalid."""
    from .validation import schema_errors

    try:
        report = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise UnsupportedInput("JSON 文件不是 UTF-8 编码，请另存为 UTF-8。") from exc
    except json.JSONDecodeError as exc:
        raise UnsupportedInput(
            f"不是有效的 JSON 文件：第 {exc.lineno} 行第 {exc.colno} 列有语法错误。"
        ) from exc
    except RecursionError as exc:
        raise UnsupportedInput(_TOO_DEEP) from exc
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise UnsupportedInput(
            "无法读取：JSON 文件中有位数过多、无法读取的数值，不是年度报告交换格式。"
        ) from exc
    if _depth(report) > JSON_MAX_DEPTH:
        raise UnsupportedInput(_TOO_DEEP)
    if not isinstance(report, dict) or report.get("format") != FORMAT_ID:
        raise UnsupportedInput(
            f"这个 JSON 文件不是年度报告交换格式：应为一个对象，且 format 为“{FORMAT_ID}”。"
        )
    problems = schema_errors(report)
    if problems:
        more = f"（另有 {len(problems) - 3} 处）" if len(problems) > 3 else ""
        raise UnsupportedInput("JSON 不符合年度报告交换格式：" + "；".join(problems[:3]) + more)
    return report


def os_reason(exc):
    """A Chinese reason for an OSError (the system's own text is English)."""
    reasons = {
        errno.ENOENT: "文件不存在（可能已被移动或删除）",
        errno.EACCES: "没有读取权限，请检查文件权限",
        errno.EPERM: "没有读取权限，请检查文件权限",
        errno.EISDIR: "这是一个目录，不是文件",
        errno.EIO: "读取时发生输入输出错误（磁盘或网络存储故障）",
    }
    return reasons.get(exc.errno) or f"系统错误（{exc.strerror or exc}）"
