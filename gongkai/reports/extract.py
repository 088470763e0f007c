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
import zipfile
from pathlib import PurePath

from .tables import FORMAT_ID

ALLOWED = (".txt", ".md", ".html", ".htm", ".docx", ".pdf", ".json", ".csv")


class UnsupportedInput(ValueError):
    """The input is not something we can read; the message is Chinese, for people."""


def kind_of(data, filename):
    """'pdf' | 'docx' | 'html' | 'json' | 'csv' | 'text', checking content, not just the name."""
    ext = PurePath(filename or "").suffix.lower()
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
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile as exc:
            raise UnsupportedInput("文件已损坏，无法作为 Word 文档（.docx）打开。") from exc
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
        return data.decode("utf-16")
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


def html_to_text(data):
    import lxml.html

    text = _XML_DECL.sub("", _decode_html(data) if isinstance(data, bytes) else data)
    try:
        root = lxml.html.fromstring(text)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise UnsupportedInput("HTML 文件无法解析：请确认文件完整。") from exc
    for bad in root.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    out = []

    def text_of(el):
        return " ".join(t.strip() for t in el.itertext() if t.strip())

    def walk(el):
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "table" and not el.xpath(".//table"):
            out.append("\n")
            for tr in el.iter("tr"):
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


def pdf_to_text(data):
    import pdfplumber

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises many kinds for broken or encrypted files
        raise UnsupportedInput(
            "PDF 文件已损坏或已加密，无法读取：请上传未加密的原始 PDF。"
        ) from exc
    out = []
    with pdf:
        for page in pdf.pages:
            try:
                found = page.find_tables()
                boxes = [t.bbox for t in found]
                items = []
                for table in found:
                    for row, cells in zip(table.rows, table.extract(), strict=False):
                        items.append((row.bbox[1], strict_row([c or "" for c in cells])))
                outside = page.filter(lambda obj, boxes=boxes: not _inside(obj, boxes))
                for line in outside.extract_text_lines():
                    items.append((line["top"], line["text"]))
            except Exception as exc:
                raise UnsupportedInput(
                    f"PDF 第{page.page_number}页无法读取：文件可能已损坏。"
                ) from exc
            out.extend(text for _, text in sorted(items, key=lambda item: item[0]))
    if not any(line.strip() for line in out):
        raise UnsupportedInput(
            "PDF 中没有可提取的文字（可能是扫描件）：请上传带文字层的 PDF 或文本。"
        )
    return "\n".join(out)


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
