"""Reading an uploaded report in a child process with a memory and a time limit.

The public 年报体检 page reads files from anyone. Whatever a file does to the
readers (python-docx, lxml, pdfminer, our parser), the work is done in a child
process whose address space is capped (RLIMIT_AS, REPORT_PARSE_MEMORY_MB, default
448 MiB) and which is killed after REPORT_PARSE_SECONDS (default 9 s): the server
process never grows, and a breach becomes a Chinese message, not a traceback.

Children come from a fork server that has the readers imported already, so a
run costs a fork, not an interpreter start. `run()` returns an `Outcome`; the
fuzz harness (gongkai.reports.fuzz) reads its figures (seconds, peak memory).
"""

import multiprocessing
import resource
import time
import traceback
from dataclasses import dataclass

from . import engine

MIB = 1024 * 1024
MEMORY_BYTES = 448 * MIB
SECONDS = 9.0

TOO_BIG = (
    "无法读取：这个文件读取时需要的内存超过了本页面为每份文件设定的上限（{mb} MB），"
    "已停止读取。年度报告通常远小于此；请检查文件，或另存为 PDF 或纯文本后再上传。"
)
TOO_SLOW = (
    "无法读取：这个文件读取时间超过了本页面为每份文件设定的上限（{seconds} 秒），"
    "已停止读取。请检查文件是否完整，或另存为纯文本、把报告正文粘贴到文本框后再试。"
)


@dataclass
class Outcome:
    report: dict | None = None
    error: str | None = None  # Chinese, for the person who uploaded the file
    traceback: str | None = None  # an unexpected exception in the child (a defect)
    breach: str | None = None  # "memory" | "time" | "crash"
    seconds: float = 0.0
    peak_rss: int = 0  # bytes, the child's high-water mark when known
    scan_pages: int | None = None  # a scan the child did not read by OCR: its pages


# Scans (images, PDFs without text) are read by OCR only when short: each page costs
# seconds of a core (REPORT_OCR_ONLINE_PAGES pages at most, REPORT_OCR_PAGE_SECONDS each).
OCR_PAGES = 2
OCR_PAGE_SECONDS = 20.0


def _limits():
    try:
        from django.conf import settings

        memory = int(getattr(settings, "REPORT_PARSE_MEMORY_MB", MEMORY_BYTES // MIB)) * MIB
        seconds = float(getattr(settings, "REPORT_PARSE_SECONDS", SECONDS))
        return memory, seconds
    except Exception:  # used without configured Django settings (CLI, fuzz)
        return MEMORY_BYTES, SECONDS


def _ocr_limits():
    try:
        from django.conf import settings

        pages = int(getattr(settings, "REPORT_OCR_ONLINE_PAGES", OCR_PAGES))
        seconds = float(getattr(settings, "REPORT_OCR_PAGE_SECONDS", OCR_PAGE_SECONDS))
        return pages, seconds
    except Exception:  # used without configured Django settings (CLI, fuzz)
        return OCR_PAGES, OCR_PAGE_SECONDS


_context = None


def _ctx():
    global _context
    if _context is None:
        context = multiprocessing.get_context("forkserver")
        # The readers' imports happen once, in the fork server, not in every child.
        context.set_forkserver_preload(
            ["gongkai.reports.sandbox", "lxml.html", "docx", "pdfplumber"]
        )
        _context = context
    return _context


def _peak_rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def _child(conn, what, data, kwargs, memory, seconds):
    """In the child: cap memory and CPU, read, send back one message."""
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(seconds) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    try:
        analyser = engine.analyse_bytes if what == "bytes" else engine.analyse_text
        message = ("ok", analyser(data, **kwargs))
    except engine.ScannedPdf as exc:
        message = ("scan", (str(exc), exc.pages))
    except engine.UnsupportedInput as exc:
        message = ("unsupported", str(exc))
    except MemoryError:
        message = ("memory", None)
    except BaseException:
        message = ("error", traceback.format_exc(limit=30))
    try:
        conn.send((*message, _peak_rss()))
    except MemoryError:
        conn.send(("memory", None, _peak_rss()))
    conn.close()


def _vm_hwm(pid):
    """A running child's peak resident memory (bytes) from /proc, 0 when unknown."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def run(data, *, filename=None, text=False, memory=None, seconds=None):
    """Analyse `data` (bytes of a file, or with text=True a str) in a bounded child.

    A scan is found in a first child that does no OCR; if it has few enough pages
    (REPORT_OCR_ONLINE_PAGES) a second child reads it by OCR within
    REPORT_OCR_PAGE_SECONDS a page, otherwise the reader is told in Chinese why not.
    """
    outcome = _run(data, filename=filename, text=text, memory=memory, seconds=seconds)
    if outcome.scan_pages is None:
        return outcome
    pages, page_seconds = _ocr_limits()
    if not pages or outcome.scan_pages > pages:
        outcome.error = engine.scan_refused(outcome.scan_pages, pages)
        return outcome
    return _run(
        data,
        filename=filename,
        memory=memory,
        seconds=page_seconds * outcome.scan_pages,
        ocr_pages=pages,
    )


def _run(data, *, filename=None, text=False, memory=None, seconds=None, ocr_pages=0):
    default_memory, default_seconds = _limits()
    memory = memory or default_memory
    seconds = seconds or default_seconds
    ctx = _ctx()
    receiver, sender = ctx.Pipe(duplex=False)
    kwargs = {"filename": filename}
    if not text:
        kwargs["ocr_pages"] = ocr_pages
    child = ctx.Process(
        target=_child,
        args=(sender, "text" if text else "bytes", data, kwargs, memory, seconds),
    )  # not daemonic: a daemonic server worker could not start it; always joined below
    started = time.monotonic()
    child.start()
    sender.close()
    outcome = Outcome()
    message = None
    try:
        if receiver.poll(seconds):
            try:
                message = receiver.recv()
            except (EOFError, OSError):
                message = None  # the child died without a word (killed by a limit)
        else:
            outcome.breach = "time"
    finally:
        if outcome.breach == "time":
            outcome.peak_rss = _vm_hwm(child.pid)
            child.kill()
        child.join(5)
        if child.is_alive():  # pragma: no cover - a child that ignores SIGKILL
            child.kill()
            child.join(1)
        receiver.close()
    outcome.seconds = time.monotonic() - started
    if outcome.breach == "time":
        outcome.error = TOO_SLOW.format(seconds=f"{seconds:g}")
        return outcome
    if message is None:
        # Killed by RLIMIT_CPU, or a C library that died when memory ran out.
        outcome.breach = "crash"
        outcome.error = TOO_BIG.format(mb=memory // MIB)
        return outcome
    kind, payload, outcome.peak_rss = message
    if kind == "ok":
        outcome.report = payload
    elif kind == "unsupported":
        outcome.error = payload
    elif kind == "scan":
        outcome.error, outcome.scan_pages = payload
    elif kind == "memory":
        outcome.breach = "memory"
        outcome.error = TOO_BIG.format(mb=memory // MIB)
    else:
        outcome.traceback = payload
    return outcome
