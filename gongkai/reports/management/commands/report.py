"""`gongkai report parse|check|render|compare`: annual reports from the command line.

A thin shell: finding files, parallel runs and summaries live in
gongkai.reports.batch; reading and checking in the engine; layouts in the
renderers. Everything printed for people is Chinese. Exit status: 0 fine,
1 an error finding or a file that could not be read, 2 bad arguments.
"""

import argparse
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    handle_default_options,
)
from tqdm import tqdm

from gongkai.reports import batch, engine
from gongkai.reports.findings import has_errors
from gongkai.reports.render import FORMATS, render
from gongkai.reports.validation import schema_errors

USAGE = 2


class Command(BaseCommand):
    help = "读取、检查、转换和比较政府信息公开工作年度报告。"
    requires_system_checks = []
    suppressed_base_arguments = {
        "--version",
        "-v",
        "--verbosity",
        "--settings",
        "--pythonpath",
        "--traceback",
        "--no-color",
        "--force-color",
        "--skip-checks",
    }

    def create_parser(self, prog_name, subcommand, **kwargs):
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.__class__ = ChineseParser  # Chinese argument errors, also in subparsers
        localise(parser)
        return parser

    def add_arguments(self, parser):
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="子命令", parser_class=ChineseParser
        )
        many = {"nargs": "+", "metavar": "文件或目录"}

        p = self._sub(sub, "parse", "读取年报，输出交换格式 JSON（或 CSV）。")
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
        self._output_and_run_options(p)

        p = self._sub(sub, "check", "检查年报，列出发现的问题；有错误时退出状态为 1。")
        p.add_argument("paths", **many)
        self._output_and_run_options(p, output=False)

        p = self._sub(sub, "render", "把一份年报转换为其他格式。")
        p.add_argument("path", metavar="文件")
        p.add_argument("--to", required=True, metavar="FMT", help=f"输出格式：{'、'.join(FORMATS)}")
        p.add_argument("-o", "--output", metavar="OUT", help="写入此文件（默认输出到屏幕）")

        p = self._sub(sub, "compare", "比较同一机关相邻两年的报告是否衔接。")
        p.add_argument("last", metavar="上年报告")
        p.add_argument("this", metavar="本年报告")

    def _sub(self, sub, name, text):
        p = sub.add_parser(name, help=text, description=text, formatter_class=ChineseHelpFormatter)
        localise(p)
        return p

    def _output_and_run_options(self, p, output=True):
        if output:
            p.add_argument("-o", "--output", metavar="OUT", help="写入此文件（默认输出到屏幕）")
        p.add_argument(
            "--workers", type=int, default=None, metavar="N", help="并行进程数（默认为 CPU 核数）"
        )
        p.add_argument(
            "--progress", action="store_true", help="总是显示进度条（默认只在终端中显示）"
        )

    # ---- entry points ------------------------------------------------------

    def run_from_argv(self, argv):
        """As Django's, but errors are printed in Chinese without an English prefix."""
        self._called_from_command_line = True
        namespace = self.create_parser(argv[0], argv[1]).parse_args(argv[2:])
        handle_default_options(namespace)
        options = vars(namespace)
        options.pop("args", None)
        try:
            self.execute(**options)
        except CommandError as exc:
            if str(exc):
                self.stderr.write(str(exc))
            sys.exit(exc.returncode)
        except BrokenPipeError:
            # The reader went away (e.g. `| head`): stop quietly, as Unix tools do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)

    def handle(self, *args, action, **options):
        return getattr(self, f"do_{action}")(**options)

    # ---- subcommands --------------------------------------------------------

    def do_parse(self, *, paths, fmt, output, validate, **options):
        files, many = self._files(paths)
        summary = batch.Summary()
        invalid = []
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
            raise CommandError(
                "\n".join(["输出不符合 JSON Schema（程序缺陷，请报告）：", *lines]), returncode=1
            )
        if summary.failed:
            raise CommandError(f"有 {len(summary.failed)} 个文件未能处理。", returncode=1)

    def do_check(self, *, paths, **options):
        files, many = self._files(paths)
        summary = batch.Summary()
        for outcome in self._run(files, options, keep_reports=False):
            summary.add(outcome)
            if outcome.error is not None:
                body = [f"无法处理：{outcome.error}"]
            else:
                body = batch.findings_table(outcome.findings) or ["未发现问题。"]
            self._say("\n".join([f"【{outcome.file}】", *body, "", ""]))
        self._finish(summary, many)
        problems = []
        if summary.error_findings:
            problems.append(f"发现 {summary.error_findings} 处错误")
        if summary.failed:
            problems.append(f"{len(summary.failed)} 个文件未能处理")
        if problems:
            raise CommandError("，".join(problems) + "。", returncode=1)

    def do_render(self, *, path, to, output, **options):
        fmt = to.lower().lstrip(".")
        if fmt not in FORMATS:
            raise CommandError(
                f"不支持的输出格式“{to}”。可选：{'、'.join(FORMATS)}。", returncode=USAGE
            )
        if fmt == "docx" and not output and sys.stdout.isatty():
            raise CommandError(
                "DOCX 是二进制文件，不能直接显示在终端上。请用 -o 指定输出文件，例如：-o 年报.docx",
                returncode=USAGE,
            )
        report = self._one(path)
        data = render(report, fmt)
        if output:
            write_atomically(output, data)
            self.stderr.write(f"已写入 {output}")
        elif fmt == "docx":
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            self.stdout.write(data.decode("utf-8"), ending="")

    def do_compare(self, *, last, this, **options):
        reports = [self._one(last), self._one(this)]
        found = engine.compare(*reports)
        heads = [
            f"{name}：{r.get('agency') or '（机关名称未识别）'} {r.get('year') or '?'} 年"
            for name, r in zip(("上年报告", "本年报告"), reports, strict=True)
        ]
        self.stdout.write(f"上年报告：{last}\n本年报告：{this}\n")
        self.stdout.write("主要数字对照：")
        rows = batch.key_figures(*reports)
        self.stdout.write("\n".join(batch.table(rows, ("项目", *heads))) + "\n")
        if found:
            self.stdout.write("衔接检查（CONTINUITY）：")
            self.stdout.write("\n".join(batch.findings_table(found)))
        else:
            self.stdout.write("衔接检查（CONTINUITY）：两份报告衔接一致，未发现问题。")
        if has_errors(found):
            raise CommandError("两份报告不衔接，见上表。", returncode=1)

    # ---- helpers ------------------------------------------------------------

    def _files(self, paths):
        try:
            files = batch.collect(paths)
        except batch.UsageError as exc:
            raise CommandError(str(exc), returncode=USAGE) from exc
        many = len(files) > 1 or any(Path(p).is_dir() for p in paths)
        return files, many

    def _one(self, path):
        """One file's checked report; a directory or an unreadable file ends the command."""
        if Path(path).is_dir():
            raise CommandError(f"“{path}”是目录；这里需要一个报告文件。", returncode=USAGE)
        if not Path(path).exists():
            raise CommandError(f"找不到文件“{path}”。请检查路径是否写对。", returncode=USAGE)
        outcome = batch.analyse_path(path)
        if outcome.error is not None:
            raise CommandError(f"无法处理“{path}”：{outcome.error}", returncode=1)
        return outcome.report

    def _run(self, files, options, keep_reports=True):
        workers = options.get("workers")
        if workers is not None and workers < 1:
            raise CommandError("--workers 必须是正整数。", returncode=USAGE)
        progress = options.get("progress") or sys.stderr.isatty()
        return batch.run(files, workers=workers, progress=progress, keep_reports=keep_reports)

    def _finish(self, summary, many):
        """The run's summary on standard error (plain, not coloured as an error)."""
        if many:
            lines = summary.lines()
        elif summary.failed:
            lines = ["未能处理的文件：", *summary.failure_lines()]
        else:
            return
        self.stderr.write("\n".join(lines), style_func=str)

    def _say(self, text):
        """Write to standard output without tearing a progress bar drawn on the terminal."""
        with tqdm.external_write_mode(file=sys.stdout):
            self.stdout.write(text, ending="")

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
        raise CommandError(f"输出目录“{path.parent}”不存在。请先创建它。", returncode=USAGE)
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


# ---- argparse in Chinese ------------------------------------------------------


class ChineseHelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class ChineseParser(CommandParser):
    """Argument errors in Chinese, with a hint; exit status 2 (or CommandError in call_command)."""

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

    def error(self, message):
        for english, chinese in self._MESSAGES:
            message = message.replace(english, chinese)
        message = f"参数有误：{message}。用 --help 查看用法。"
        if self.called_from_command_line:
            self.print_usage(sys.stderr)
            self.exit(USAGE, message + "\n")
        raise CommandError(message, returncode=USAGE)


def localise(parser):
    parser._positionals.title = "参数"
    parser._optionals.title = "选项"
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            action.help = "显示本帮助并退出"
