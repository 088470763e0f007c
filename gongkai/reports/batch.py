"""Many reports at once: find the files, read them in parallel, summarise.

The pure orchestration behind `gongkai report parse|check DIR` (no Django).
One file that cannot be read never stops a run: it becomes a failed Outcome
whose Chinese reason names what is wrong.
"""

import functools
import json
import os
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from . import engine
from .extract import ALLOWED, IMAGES, os_reason
from .findings import ERROR, INFO, RULES, WARNING

# .txt .md .html .htm .docx .pdf, our own .json and .csv, and scans (.png .jpg .jpeg)
SUFFIXES = ALLOWED + IMAGES
SERIAL_BELOW = 4  # fewer files than this are read in this process
SEVERITY_NAMES = {ERROR: "错误", WARNING: "警告", INFO: "提示"}


class UsageError(ValueError):
    """The arguments cannot be acted on (missing path, nothing to read); Chinese message."""


@dataclass
class Outcome:
    """What became of one file: its report (and findings), or why it failed."""

    file: str
    report: dict | None = None
    findings: list = field(default_factory=list)
    error: str | None = None
    # Set by a `describe` step in the worker (see run): the text printed for the file, and
    # the findings' (rule, severity) pairs in place of the findings themselves.
    text: str | None = None
    tally: list | None = None
    # check_data: the text UTF-8 encoded instead, for a byte stream: a pool's parent then
    # neither decodes it from the pickle nor encodes it again to write it.
    data: bytes | None = None

    def rules(self):
        """(rule, severity) of each finding."""
        if self.tally is not None:
            return self.tally
        return [(f["rule"], f["severity"]) for f in self.findings]


# ---- finding the files ------------------------------------------------------


def collect(args):
    """Files named by `args`; a directory stands for every file below it (hidden ones skipped)."""
    files = []
    for arg in args:
        path = Path(arg)
        if path.is_dir():
            found = sorted(_walk(path))
            if not found:
                raise UsageError(f"目录“{arg}”中没有文件。请检查目录是否写对。")
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise UsageError(f"找不到文件或目录“{arg}”。请检查路径是否写对。")
    return files


def _walk(root):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        yield from (Path(dirpath, f) for f in filenames if not f.startswith("."))


# ---- reading one file -------------------------------------------------------


def read_report(path, *, ocr_workers=1):
    """The checked report in `path`; raises engine.UnsupportedInput with a Chinese reason.
    A scan's pages are read by OCR on `ocr_workers` cores."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        kind = f"“{suffix}”" if suffix else "（无扩展名）"
        raise engine.UnsupportedInput(
            f"不支持的文件类型{kind}。可以读取的类型：{'、'.join(SUFFIXES)}；"
            "请另存为其中一种格式再试。"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise engine.UnsupportedInput(f"无法读取文件：{os_reason(exc)}") from exc
    # Scans are read by OCR here, whatever their length, page by page with progress.
    return engine.analyse_bytes(
        data,
        filename=path.name,
        ocr_pages=None,
        progress=partial(_ocr_progress, path.name),
        workers=ocr_workers,
    )


def _ocr_progress(name, page, pages):
    print(f"文字识别 {name}：第 {page}/{pages} 页", file=sys.stderr, flush=True)


def analyse_path(path, *, keep_report=True, ocr_workers=1):
    """Read one file into an Outcome; never raises (runs in worker processes)."""
    name = str(path)
    try:
        report = read_report(path, ocr_workers=ocr_workers)
    except engine.UnsupportedInput as exc:
        return Outcome(name, error=str(exc))
    except OSError as exc:
        return Outcome(name, error=f"无法读取文件：{os_reason(exc)}")
    except Exception as exc:  # a defect in the engine must not stop the run
        return Outcome(
            name,
            error=f"处理时出现意外错误（{type(exc).__name__}: {exc}），请把此文件交给维护人员。",
        )
    return Outcome(name, report if keep_report else None, report["findings"])


# ---- running many -----------------------------------------------------------


def run(files, *, workers=None, progress=False, keep_reports=True, describe=None):
    """Yield one Outcome per file, in the order given, reading across `workers` processes.

    `describe(outcome)`, if given, runs in the worker on each Outcome and returns the one
    sent back (e.g. check_text: the printed text instead of the findings).
    """
    files = list(files)
    cores = workers or os.cpu_count() or 1
    workers = min(cores, max(len(files), 1))
    if len(files) < SERIAL_BELOW:
        workers = 1  # starting worker processes costs more than a few files take
    # A scan's pages are read on every core the run may use, also in a worker: while other
    # workers read text in milliseconds, one long scan would keep a single core busy for
    # minutes. (Parallel pages beat tesseract's own threads: see gongkai.reports.ocr.)
    work = partial(_work, keep_report=keep_reports, describe=describe, ocr_workers=cores)
    if workers == 1:
        with _bar(len(files), progress) as bar:
            for outcome in map(work, files):
                bar.update()
                yield outcome
        return
    # Imported only for a pool: start-up counts when one core reads (issue 16).
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    done = 0
    with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
        # The workers start (forked) here, before the progress bar starts its thread.
        # Sent as strings: a Path pickles as its class and parts, and the parent pickles
        # every chunk while the workers read (analyse_path takes either).
        names = [os.fspath(path) for path in files]
        outcomes = pool.map(work, names, chunksize=chunksize(len(files), workers))
        with _bar(len(files), progress) as bar:
            try:
                for outcome in outcomes:
                    done += 1
                    bar.update()
                    yield outcome
            except BrokenProcessPool:
                # A worker died outright (e.g. killed for memory): name what was not read.
                for path in files[done:]:
                    yield Outcome(str(path), error="处理进程意外终止，此文件未能处理；请单独重试。")
            except GeneratorExit:
                # The caller stopped reading (e.g. `| head` closed the pipe): the files
                # not yet started are not read at all.
                pool.shutdown(cancel_futures=True)
                raise


def _work(path, *, keep_report, describe, ocr_workers):
    outcome = analyse_path(path, keep_report=keep_report, ocr_workers=ocr_workers)
    return outcome if describe is None else describe(outcome)


class _NoBar:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self):
        pass


def _bar(total, progress):
    if not progress:
        return _NoBar()
    from tqdm import tqdm  # only when a bar is drawn: start-up counts (issue 16)

    # No monitor thread: the process stays single-threaded, so a scan's pages may be read
    # by processes forked from it (gongkai.reports.ocr.read_images).
    tqdm.monitor_interval = 0
    return tqdm(total=total, file=sys.stderr, unit="份", desc="处理年报")


def _context():
    """Workers are forked from this process while it has one thread, so they need not import
    the engine again (a fork server would: a second interpreter's start-up). Forking
    a process with threads (a web server's, tqdm's monitor) is unsafe: then they come
    from a fork server."""
    import multiprocessing
    import threading

    if threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


def chunksize(count, workers):
    """Enough chunks per worker to balance load (the last chunk to finish keeps the other
    workers idle), few enough to keep IPC cheap."""
    return max(1, min(16, count // (workers * 32)))


# ---- summary ----------------------------------------------------------------


@dataclass
class Summary:
    """Counts for the end of a run: files read, failed, findings by rule and severity."""

    read: int = 0
    failed: list = field(default_factory=list)
    by_rule: Counter = field(default_factory=Counter)
    errors_by_rule: Counter = field(default_factory=Counter)
    started: float = field(default_factory=time.perf_counter)

    def add(self, outcome):
        if outcome.error is not None:
            self.failed.append((outcome.file, outcome.error))
            return
        self.read += 1
        rules = outcome.rules()
        self.by_rule.update(rule for rule, _ in rules)
        self.errors_by_rule.update(rule for rule, severity in rules if severity == ERROR)

    @property
    def error_findings(self):
        return sum(self.errors_by_rule.values())

    def failure_lines(self):
        return [f"  {name}：{reason}" for name, reason in self.failed]

    def lines(self):
        seconds = time.perf_counter() - self.started
        total = self.read + len(self.failed)
        out = [
            f"共 {total} 个文件：成功读取 {self.read} 个，失败 {len(self.failed)} 个，"
            f"用时 {seconds:.1f} 秒。"
        ]
        if self.failed:
            out += ["未能处理的文件：", *self.failure_lines()]
        if self.by_rule:
            out.append("发现的问题（按规则）：")
            rows = [
                (rule, RULES.get(rule, ""), f"{n} 处", f"其中错误 {self.errors_by_rule[rule]} 处")
                for rule, n in sorted(self.by_rule.items())
            ]
            out += ["  " + line for line in table(rows)]
        else:
            out.append("未发现问题。")
        return out


# ---- text tables aligned for Chinese ----------------------------------------


class _CharWidths(dict):
    """Terminal columns per character, looked up in unicodedata once per character."""

    def __missing__(self, ch):
        width = (
            0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        )
        self[ch] = width
        return width


_CHAR_WIDTHS = _CharWidths()


@functools.lru_cache(maxsize=16384)  # a run's tables repeat their rules, places and messages
def display_width(text):
    """Columns `text` takes in a terminal: wide and full-width characters take two."""
    if text.isascii():
        return len(text)
    return sum(map(_CHAR_WIDTHS.__getitem__, text))


def table(rows, headers=None):
    """Lines of a plain-text table; every column padded to its widest cell."""
    rows = [[str(cell) for cell in row] for row in ([headers] if headers else []) + list(rows)]
    if not rows:
        return []
    # Column by column (a findings table is laid out for every file of a run). The last
    # cell is not padded (the line's trailing blanks go anyway): its column's width
    # matters for the header's rule only.
    columns = list(zip(*rows, strict=True))
    widths = []
    padded = []
    for column in columns[:-1]:
        # An ASCII cell (a rule, a place, a figure) is as wide as it is long: measured
        # without a look-up in display_width's cache.
        cell_widths = [len(c) if c.isascii() else display_width(c) for c in column]
        width = max(cell_widths)
        widths.append(width)
        padded.append([c + " " * (width - w) for c, w in zip(column, cell_widths, strict=True)])
    padded.append(columns[-1])
    lines = ["  ".join(cells).rstrip() for cells in zip(*padded, strict=True)]
    if headers:
        widths.append(_widest(columns[-1]))
        lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def _widest(texts):
    """The display width of the widest of `texts`. A text takes at most two columns a
    character, so the longest texts are measured first and the rest only while they
    could be wider (the messages of a findings table are long and seldom repeat)."""
    widest = 0
    for text in sorted(texts, key=len, reverse=True):
        if 2 * len(text) <= widest:
            break
        widest = max(widest, display_width(text))
    return widest


def value_text(value):
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if type(value) is int:  # the common case, as json.dumps writes it (not bool), faster
        return str(value)
    return json.dumps(value, ensure_ascii=False)


FINDING_HEADERS = ("级别", "规则", "位置", "应为", "实际", "说明")


def check_text(outcome):
    """What `report check` prints for one file (for run's `describe`: laid out in the worker),
    with the findings reduced to their tally."""
    if outcome.error is not None:
        body = [f"无法处理：{outcome.error}"]
    else:
        body = findings_table(outcome.findings) or ["未发现问题。"]
    outcome.text = "\n".join([f"【{outcome.file}】", *body, "", ""])
    outcome.tally = outcome.rules()
    outcome.findings = []
    return outcome


def check_data(outcome):
    """check_text, the text UTF-8 encoded (Outcome.data; text left None)."""
    check_text(outcome)
    outcome.data = outcome.text.encode("utf-8")
    outcome.text = None
    return outcome


def findings_table(findings):
    """Findings as table lines (none for none); the message last, as it is the longest."""
    if not findings:
        return []
    rows = [
        (
            SEVERITY_NAMES.get(f["severity"], f["severity"]),
            f["rule"],
            f["where"] or "—",
            value_text(f["expected"]),
            value_text(f["actual"]),
            f["message"],
        )
        for f in findings
    ]
    return table(rows, FINDING_HEADERS)


# ---- writing many reports to one stream ---------------------------------------


class ReportWriter:
    """Writes reports one at a time through `write(str)`: JSON, JSON Lines or CSV.

    JSON is the bare object for a single report and an array when `many`; CSV
    keeps the header line of the first report only.
    """

    def __init__(self, write, fmt="json", *, many=False):
        self.write, self.fmt, self.many = write, fmt, many
        self.count = 0
        self.csv_header = None

    def add(self, report):
        if self.fmt == "jsonl":
            self.write(json.dumps(report, ensure_ascii=False) + "\n")
        elif self.fmt == "csv":
            self.write(self._csv(report))
        elif self.many:
            text = json.dumps(report, ensure_ascii=False, indent=2).replace("\n", "\n  ")
            self.write(("[\n  " if self.count == 0 else ",\n  ") + text)
        else:
            self.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        self.count += 1

    def close(self):
        if self.fmt == "json" and self.many:
            self.write("\n]\n" if self.count else "[]\n")

    def _csv(self, report):
        from .render import render  # the renderers own the CSV layout

        text = render(report, "csv").decode("utf-8-sig")
        header, _, body = text.partition("\n")
        if self.csv_header is None:
            self.csv_header = header
            return text
        return body if header == self.csv_header else text


# ---- two reports side by side ----------------------------------------------------


def key_figures(last, this):
    """(label, last year's figure, this year's) for the totals a clerk compares first."""
    from .tables import APPEAL_COLUMNS, APPEAL_GROUPS, REQUEST_COLUMNS, TEMPLATE_2021

    total = REQUEST_COLUMNS[-1]
    rows = []
    for key in ("new", "carried_over", "total", "carry_forward"):
        row = TEMPLATE_2021.request_row(key)
        label = "".join(row.groups[-1:]) + row.label + f"（{total.label}）"
        rows.append((label, *(_cell(r, "requests", key, total.key) for r in (last, this))))
    appeal_total = APPEAL_COLUMNS[-1]
    for group in APPEAL_GROUPS:
        label = (group.parent or "") + group.label + f"（{appeal_total.label}）"
        rows.append(
            (label, *(_cell(r, "appeals", group.key, appeal_total.key) for r in (last, this)))
        )
    return rows


def _cell(report, section, row, column):
    return value_text((report.get(section) or {}).get(row, {}).get(column))
