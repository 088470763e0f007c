"""The annual-report engine's front door: read, check and render a report.

Everything here is pure Python (no ORM) and importable without a database.
Callers (CLI, web page, later the report builder) use only these functions.
"""

import hashlib
import re
from pathlib import Path

from . import checks, extract, parsing
from .cells import MAX_DIGITS
from .extract import ScannedPdf, UnsupportedInput
from .findings import WARNING, finding

__all__ = [
    "ScannedPdf",
    "UnsupportedInput",
    "scan_refused",
    "analyse_bytes",
    "analyse_file",
    "analyse_text",
    "compare",
]

# Findings only the reader of the original document can make; kept when a
# report is read back from our own JSON or CSV, where the checks are re-run.
READING_RULES = frozenset({"SHAPE", "PARSE", "UNIT"})


def _checked(report):
    kept = [f for f in report.get("findings", []) if f["rule"] in READING_RULES]
    report["findings"] = kept + checks.check(report)
    return report


_OVERLONG = re.compile(rf"\d{{{MAX_DIGITS + 1},}}")
# A run of more than MAX_DIGITS digits holds _SAMPLES neighbouring multiples of _STEP
# (_SAMPLES * _STEP <= MAX_DIGITS + 1), so text[::_STEP] then holds _SAMPLES digits in a
# row: a test on 1/20 of the text that rules out nearly every report (a table's figures
# stand apart) before the full scan, which costs as much as a check.
_STEP = 20
_SAMPLES = (MAX_DIGITS + 1) // _STEP
_SAMPLED_RUN = re.compile(rf"\d{{{_SAMPLES}}}")


def _overlong_numbers(text, limit=5):
    """PARSE findings for digit strings too long to be a figure (cells.MAX_DIGITS): they
    are read as words, never as numbers, and the reader is told so."""
    out = []
    if not _SAMPLED_RUN.search(text[::_STEP]):
        return out
    for m in _OVERLONG.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        out.append(
            finding(
                "PARSE",
                WARNING,
                "source",
                f"无法读取原文第 {line} 行的一个 {len(m[0])} 位数字：年度报告中没有这么长的数字，"
                "未作为数值读入任何表格，请核对原文。",
                None,
                m[0][:20] + "…",
            )
        )
        if len(out) >= limit:
            break
    return out


# Annual reports run to tens of thousands of characters; a text hundreds of times that
# is not one (and would only cost the reader time).
MAX_TEXT_CHARS = 5_000_000


def _parsed(text, filename):
    if len(text) > MAX_TEXT_CHARS:
        raise UnsupportedInput(
            f"无法读取：报告文字超过 {MAX_TEXT_CHARS // 10_000} 万字，不像一份年度报告。"
            "请只提交一份年度报告。"
        )
    text, rest = _first_report(text)
    report = parsing.parse_text(text, filename=filename)
    report["findings"] = _overlong_numbers(text) + rest + report["findings"]
    return report


# Table 三's last row: printed once in each report.
_LAST_ROW = "结转下年度继续办理"
_LAST_ROW_LINE = re.compile(r"^[|#\s]*四\s*、\s*结转下年度继续办理", re.M)
# Where the next report begins: its title, or else its first section heading (a report's
# 一 to 三 come before its table 三, and the first report's 四 to 六 after it).
_NEXT_REPORT = re.compile(
    r"^[^\n]{0,60}?20\d\d[^\n]{0,30}?政府信息公开(?:工作)?年度报告[^\n]{0,60}$"
    r"|^[|#\s]*(?:一\s*、\s*总体情况|二\s*、\s*主动公开政府信息情况"
    r"|三\s*、\s*收到和处理政府信息公开申请情况)[^\n]{0,20}$",
    re.M,
)


def _first_report(text):
    """A file holding more than one report (a web page publishing two, one after the
    other) is read up to where the next report begins: its figures would otherwise be
    taken for the first one's. Returns (the first report's text, [finding])."""
    if text.count(_LAST_ROW) < 2:
        return text, []
    ends = [m.start() for m in _LAST_ROW_LINE.finditer(text)]
    if len(ends) < 2:
        return text, []
    m = _NEXT_REPORT.search(text, ends[0], ends[1])
    if not m:
        return text, []
    start = " ".join(m[0].split()).strip("| ")[:60]
    line = text.count("\n", 0, m.start()) + 1
    return text[: m.start()], [
        finding(
            "PARSE",
            WARNING,
            "source",
            f"文件中不止一份年度报告：只读取了第一份；从原文第 {line} 行“{start}”起的"
            "其余部分未读入，请分别上传。",
            None,
            start,
        )
    ]


def analyse_text(text, *, filename=None):
    """Parse and check report text; returns the report dict with all findings."""
    report = _parsed(text, filename)
    report["source"]["sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return _checked(report)


def scan_refused(pages, limit):
    """Why a scan is not read by OCR here (Chinese, for the person who sent it)."""
    if limit == 0:
        return (
            "这是扫描件（图片或没有文字层的 PDF）：此处不做文字识别。请用命令行 "
            "“gongkai report check 文件”读取扫描件，或上传带文字层的 PDF、Word 或文本。"
        )
    return (
        f"这是扫描件，共 {pages} 页：在线体检最多识别 {limit} 页（每页需十余秒）。"
        "请只上传表格所在的页，或用命令行“gongkai report check 文件”读取整份扫描件。"
    )


def _read_scan(data, kind, filename, ocr_pages, progress, workers):
    """A scan's report text by OCR (gongkai.reports.ocr), with the OCR's account."""
    from . import ocr

    if kind == "image":
        pages = 1
    else:
        pages = ocr.pdf_page_count(data)
    if ocr_pages is not None and pages > ocr_pages:
        raise extract.ScannedPdf(scan_refused(pages, ocr_pages), pages)
    if not ocr.available():
        raise UnsupportedInput(
            "这是扫描件，需要文字识别，但本机没有安装 tesseract 文字识别程序："
            "请管理员运行 scripts/ensure-ocr 后再试。"
        )
    images = [ocr.open_image(data)] if kind == "image" else ocr.pdf_images(data)
    return ocr.read_images(images, workers=workers, progress=progress)


def analyse_bytes(data, *, filename, ocr_pages=0, progress=None, workers=1):
    """Parse and check a file's bytes (txt, md, html, docx, pdf, our json or csv).

    Scans (PNG/JPEG, PDFs without text) are read by OCR when `ocr_pages` allows:
    0 refuses every scan (the default: OCR costs seconds a page), None reads any
    length, n reads scans of up to n pages. `progress(page, pages)` is told each page.
    """
    kind = extract.kind_of(data, filename)
    ocr_meta = None
    if kind in ("image", "pdf"):
        try:
            text = None if kind == "image" else extract.to_text(data, filename=filename, kind=kind)
        except extract.ScannedPdf as exc:
            if ocr_pages == 0:
                raise extract.ScannedPdf(scan_refused(exc.pages, 0), exc.pages) from exc
            text = None
        if text is None:
            if ocr_pages == 0:
                raise extract.ScannedPdf(scan_refused(1, 0), 1)
            text, ocr_meta = _read_scan(data, kind, filename, ocr_pages, progress, workers)
    if ocr_meta is not None:
        from . import ocr

        report = ocr.verify(_parsed(text, filename), text)
        report["source"]["ocr"] = ocr_meta
        report["findings"].insert(0, ocr.summary(ocr_meta, report))
    elif kind == "pdf":
        report = _parsed(text, filename)
    elif kind == "json":
        report = extract.load_json(data)
    elif kind == "csv":
        import csv

        from .render import read_csv

        try:
            report = read_csv(extract.decode(data))
        except csv.Error as exc:  # e.g. a field longer than the csv module's limit
            raise UnsupportedInput(
                "无法读取：CSV 文件的格式有误（某个单元格过长或引号不配对），"
                "不是 gongkai 导出的逐单元格格式。"
            ) from exc
        except (ValueError, KeyError) as exc:
            raise UnsupportedInput(f"CSV 文件不是 gongkai 导出的逐单元格格式：{exc}") from exc
    else:
        report = _parsed(extract.to_text(data, filename=filename, kind=kind), filename)
    report["source"]["file"] = filename
    report["source"]["sha256"] = hashlib.sha256(data).hexdigest()
    return _checked(report)


def analyse_file(path):
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnsupportedInput(f"无法读取文件：{extract.os_reason(exc)}") from exc
    return analyse_bytes(data, filename=path.name)


def compare(last, this):
    """Year-to-year findings for two reports of one agency (CONTINUITY)."""
    return checks.check_continuity(last, this)
