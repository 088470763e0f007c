"""`gongkai report parse|check|render|compare`: annual reports from the command line.

Free of Django, so that `gongkai report …` starts without setting Django up
(gongkai.cli sends it here directly; issue 16: a user meets the whole process,
start-up included). The management command `report` is a thin adapter over
this module, for `manage.py report` and call_command.

A thin shell: finding files, parallel runs and summaries live in
gongkai.reports.batch; reading and checking in the engine; layouts in the
renderers (imported only by the subcommands that need them). Everything
printed for people is Chinese. Exit status: 0 fine, 1 an error finding or a
file that could not be read, 2 bad arguments.
"""

import argparse
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from gongkai.reports import batch

USAGE = 2
HELP = "读取、检查、转换和比较政府信息公开工作年度报告。"
# gongkai.reports.render.FORMATS's keys (a test holds them equal): importing the renderers
# costs more start-up than a run over a few reports takes.
FORMATS = ("json", "csv", "txt", "md", "html", "docx")


class Failure(Exception):
    """The command stops: `message` (Chinese, may be empty) for standard error, and the
    exit status."""

    def __init__(self, message, returncode):
        super().__init__(message)
        self.returncode = returncode


# ---- arguments ---------------------------------------------------------------------


def add_arguments(parser):
    """The subcommands and their options, on `parser` (a ChineseParser or a subclass)."""
    sub = parser.add_subparsers(
        dest="action", required=True, metavar="子命令", parser_class=type(parser)
    )
    many = {"nargs": "+", "metavar": "文件或目录"}

    p = _sub(sub, "parse", "读取年报，输出交换格式 JSON（或 CSV）。")
    p.add_argument("paths", **many)
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument(
        "--json",
        dest="fmt",
        action="store_const",
        const="json",
        help="输出 JSON（默认；多份报告时为数组）",
    )
    fmt.add_argument(
        "--jsonl",
        dest="fmt",
        action="store_const",
        const="jsonl",
        help="输出 JSON Lines（每行一份报告）",
    )
    fmt.add_argument(
        "--csv",
        dest="fmt",
        action="store_const",
        const="csv",
        help="输出 CSV（每个单元格一行，便于统计分析）",
    )
    p.add_argument("--validate", action="store_true", help="按项目的 JSON Schema 校验每份输出")
    _output_and_run_options(p)

    p = _sub(sub, "check", "检查年报，列出发现的问题；有错误时退出状态为 1。")
    p.add_argument("paths", **many)
    _output_and_run_options(p, output=False)

    p = _sub(sub, "render", "把一份年报转换为其他格式。")
    p.add_argument("path", metavar="文件")
    p.add_argument("--to", required=True, metavar="FMT", help=f"输出格式：{'、'.join(FORMATS)}")
    p.add_argument("-o", "--output", metavar="OUT", help="写入此文件（默认输出到屏幕）")

    p = _sub(sub, "compare", "比较同一机关相邻两年的报告是否衔接。")
    p.add_argument("last", metavar="上年报告")
    p.add_argument("this", metavar="本年报告")


def _sub(sub, name, text):
    p = sub.add_parser(name, help=text, description=text, formatter_class=ChineseHelpFormatter)
    localise(p)
    return p


def _output_and_run_options(p, output=True):
    if output:
        p.add_argument("-o", "--output", metavar="OUT", help="写入此文件（默认输出到屏幕）")
    p.add_argument(
        "--workers", type=int, default=None, metavar="N", help="并行进程数（默认为 CPU 核数）"
    )
    p.add_argument("--progress", action="store_true", help="总是显示进度条（默认只在终端中显示）")


class ChineseHelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


_MESSAGES = (
    ("the following arguments are required: ", "缺少参数："),
    ("unrecognized arguments: ", "无法识别的参数："),
    ("expected one argument", "需要一个值"),
    ("invalid choice: ", "取值无效："),
    ("choose from", "可选"),
    ("not allowed with argument", "不能与以下参数同时使用："),
    ("invalid int value: ", "不是整数："),
    ("argument ", "参数 "),
)


class ChineseParser(argparse.ArgumentParser):
    """Argument errors in Chinese, with a hint; exit status 2 on the command line, else
    Failure (the management command's subclass turns that into CommandError)."""

    called_from_command_line = True

    def error(self, message):
        for english, chinese in _MESSAGES:
            message = message.replace(english, chinese)
        message = f"参数有误：{message}。用 --help 查看用法。"
        if self.called_from_command_line:
            self.print_usage(sys.stderr)
            self.exit(USAGE, message + "\n")
        raise Failure(message, USAGE)


def localise(parser):
    parser._positionals.title = "参数"
    parser._optionals.title = "选项"
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            action.help = "显示本帮助并退出"


def new_parser(prog):
    parser = ChineseParser(prog=prog, description=HELP, formatter_class=ChineseHelpFormatter)
    localise(parser)
    add_arguments(parser)
    return parser


# ---- the subcommands -----------------------------------------------------------------


class Report:
    """Runs one subcommand. `out(text)` writes to standard output as is; `err(line)` writes
    a line to standard error. Raises Failure to stop with an exit status."""

    def __init__(self, out, err, out_bytes=None):
        # out_bytes(data): writes UTF-8 bytes to the same stream as `out` (None: not a
        # byte stream); `report check` then has its workers encode the text.
        self._out, self._err, self._out_bytes = out, err, out_bytes
        self._progress = False

    def run(self, action, **options):
        return getattr(self, f"do_{action}")(**options)

    def do_parse(self, *, paths, fmt, output, validate, **options):
        files, many = self._files(paths)
        summary = batch.Summary()
        invalid = []
        if validate:
            from gongkai.reports.validation import schema_errors
        with self._sink(output) as write:
            writer = batch.ReportWriter(write, fmt or "json", many=many)
            for outcome in self._run(files, options):
                summary.add(outcome)
                if outcome.report is None:
                    continue
                if validate:
                    invalid += [(outcome.file, e) for e in schema_errors(outcome.report)]
                writer.add(outcome.report)
            writer.close()
        self._finish(summary, many)
        if invalid:
            lines = [f"  {name}：{problem}" for name, problem in invalid]
            raise Failure("\n".join(["输出不符合 JSON Schema（程序缺陷，请报告）：", *lines]), 1)
        if summary.failed:
            raise Failure(f"有 {len(summary.failed)} 个文件未能处理。", 1)

    def do_check(self, *, paths, **options):
        files, many = self._files(paths)
        summary = batch.Summary()
        # The workers lay out each file's findings table (batch.check_text): the laying
        # out is as costly as a check, and here it would run on one core only. Encoded
        # there too, when the output is a byte stream and no progress bar is drawn.
        encoded = self._out_bytes is not None and not self._shows_progress(options)
        describe = batch.check_data if encoded else batch.check_text
        for outcome in self._run(files, options, keep_reports=False, describe=describe):
            summary.add(outcome)
            if encoded:
                self._out_bytes(outcome.data)
            else:
                self._say(outcome.text)
        self._finish(summary, many)
        problems = []
        if summary.error_findings:
            problems.append(f"发现 {summary.error_findings} 处错误")
        if summary.failed:
            problems.append(f"{len(summary.failed)} 个文件未能处理")
        if problems:
            raise Failure("，".join(problems) + "。", 1)

    def do_render(self, *, path, to, output, **options):
        fmt = to.lower().lstrip(".")
        if fmt not in FORMATS:
            raise Failure(f"不支持的输出格式“{to}”。可选：{'、'.join(FORMATS)}。", USAGE)
        if fmt == "docx" and not output and sys.stdout.isatty():
            raise Failure(
                "DOCX 是二进制文件，不能直接显示在终端上。请用 -o 指定输出文件，例如：-o 年报.docx",
                USAGE,
            )
        report = self._one(path)
        from gongkai.reports.render import render

        data = render(report, fmt)
        if output:
            write_atomically(output, data)
            self._err(f"已写入 {output}")
        elif fmt == "docx":
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            self._out(data.decode("utf-8"))

    def do_compare(self, *, last, this, **options):
        from gongkai.reports import engine
        from gongkai.reports.findings import has_errors

        reports = [self._one(last), self._one(this)]
        found = engine.compare(*reports)
        heads = [
            f"{name}：{r.get('agency') or '（机关名称未识别）'} {r.get('year') or '?'} 年"
            for name, r in zip(("上年报告", "本年报告"), reports, strict=True)
        ]
        self._out(f"上年报告：{last}\n本年报告：{this}\n")
        self._out("主要数字对照：\n")
        rows = batch.key_figures(*reports)
        self._out("\n".join(batch.table(rows, ("项目", *heads))) + "\n")
        if found:
            self._out("衔接检查（CONTINUITY）：\n")
            self._out("\n".join(batch.findings_table(found)) + "\n")
        else:
            self._out("衔接检查（CONTINUITY）：两份报告衔接一致，未发现问题。\n")
        if has_errors(found):
            raise Failure("两份报告不衔接，见上表。", 1)

    # ---- helpers ------------------------------------------------------------

    def _files(self, paths):
        try:
            files = batch.collect(paths)
        except batch.UsageError as exc:
            raise Failure(str(exc), USAGE) from exc
        many = len(files) > 1 or any(Path(p).is_dir() for p in paths)
        return files, many

    def _one(self, path):
        """One file's checked report; a directory or an unreadable file ends the command."""
        if Path(path).is_dir():
            raise Failure(f"“{path}”是目录；这里需要一个报告文件。", USAGE)
        if not Path(path).exists():
            raise Failure(f"找不到文件“{path}”。请检查路径是否写对。", USAGE)
        outcome = batch.analyse_path(path)
        if outcome.error is not None:
            raise Failure(f"无法处理“{path}”：{outcome.error}", 1)
        return outcome.report

    def _run(self, files, options, keep_reports=True, describe=None):
        workers = options.get("workers")
        if workers is not None and workers < 1:
            raise Failure("--workers 必须是正整数。", USAGE)
        self._progress = self._shows_progress(options)
        return batch.run(
            files,
            workers=workers,
            progress=self._progress,
            keep_reports=keep_reports,
            describe=describe,
        )

    @staticmethod
    def _shows_progress(options):
        return bool(options.get("progress") or sys.stderr.isatty())

    def _finish(self, summary, many):
        """The run's summary on standard error (plain, not coloured as an error)."""
        if many:
            lines = summary.lines()
        elif summary.failed:
            lines = ["未能处理的文件：", *summary.failure_lines()]
        else:
            return
        self._err("\n".join(lines))

    def _say(self, text):
        """Write to standard output without tearing a progress bar drawn on the terminal."""
        if not self._progress:
            self._out(text)
            return
        from tqdm import tqdm

        with tqdm.external_write_mode(file=sys.stdout):
            self._out(text)

    @contextmanager
    def _sink(self, output):
        """A write(str) to OUT (all or nothing) or to standard output."""
        if not output:
            yield self._say
            return
        with atomic_file(output, "w") as out:
            yield out.write


@contextmanager
def atomic_file(path, mode):
    """Write beside `path`, then rename: a failed run never leaves half a file."""
    path = Path(path)
    if not path.parent.is_dir():
        raise Failure(f"输出目录“{path.parent}”不存在。请先创建它。", USAGE)
    import tempfile  # only when writing a file: start-up counts (issue 16)

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(fd, 0o666 & ~umask)  # mkstemp makes 0600; an output file is an ordinary file
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as out:
            yield out
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def write_atomically(path, data):
    with atomic_file(path, "wb") as out:
        out.write(data)


# ---- the console script -------------------------------------------------------------------


def _line(text):
    sys.stderr.write(text if text.endswith("\n") else text + "\n")


def _stdout_bytes():
    """A writer of UTF-8 bytes to standard output, or None when it takes text only or in
    another encoding (then the text is written as text)."""
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    buffer = getattr(sys.stdout, "buffer", None)
    if encoding != "utf8" or buffer is None:
        return None

    def write(data):
        sys.stdout.flush()  # whatever was written as text goes first
        buffer.write(data)

    return write


def main(argv=None, prog="gongkai report"):
    """Run `gongkai report …` (argv without the "report"); returns the exit status."""
    options = vars(new_parser(prog).parse_args(sys.argv[2:] if argv is None else argv))
    try:
        Report(sys.stdout.write, _line, _stdout_bytes()).run(**options)
    except Failure as exc:
        if str(exc):
            _line(str(exc))
        return exc.returncode
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0
