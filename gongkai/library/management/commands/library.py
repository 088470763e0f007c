"""`gongkai library import PATH... [--json]`, `gongkai library collect URL... [--json]`,
`gongkai library recheck` and `gongkai library agencies FILE`.

import: every file below the given directories (and the named files, zips
expanded) is read by the engine in its sandbox, matched to an agency and year,
and kept with its SHA-256; a file already in the library is left unchanged.
Unmatched reports wait in the web page's queue (待指定机关). Exit status 0; 1 when
a file could not be read or was refused; 2 for bad arguments.

collect: fetches report pages or list pages politely (webcollect: robots.txt, a delay
between requests, size and time limits) and keeps the reports found like import.

recheck: every report checked again (after a rule change); review decisions stay.

agencies: imports the agencies directory (CSV/XLSX, all or nothing).
"""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from gongkai.reports.batch import UsageError, collect

from ... import collecting, crosscheck, directory, parallel
from ...models import LibraryAgency


def _fail(message):
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = "年报库：批量收集年度报告、导入机关名录。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="子命令")
        imp = sub.add_parser("import", help="收集目录或文件中的年度报告（含 zip）")
        imp.add_argument("paths", nargs="+", metavar="文件或目录")
        imp.add_argument("--json", action="store_true", help="以 JSON 输出每个文件的结果")
        imp.add_argument("--user", help="记为收集人的用户名")
        imp.add_argument("--collector", help="代为收集的机关名称（待指定的报告由该机关处理）")
        imp.add_argument(
            "--workers",
            type=int,
            default=parallel.WORKERS,
            help=f"同时读取的文件数（默认 {parallel.WORKERS}，即 CPU 核数；1 为逐个读取）",
        )
        web = sub.add_parser("collect", help="从网址收集年度报告（报告页面或年报列表页）")
        web.add_argument("urls", nargs="+", metavar="网址")
        web.add_argument("--json", action="store_true", help="以 JSON 输出每个网址的结果")
        web.add_argument("--user", help="记为收集人的用户名")
        web.add_argument("--collector", help="代为收集的机关名称（待指定的报告由该机关处理）")
        re = sub.add_parser(
            "recheck", help="重新检查年报库中的全部报告（规则变化后；核实结论不变）"
        )
        re.add_argument(
            "--workers",
            type=int,
            default=parallel.WORKERS,
            help=f"同时检查的进程数（默认 {parallel.WORKERS}，即 CPU 核数）",
        )
        ag = sub.add_parser("agencies", help="导入机关名录（CSV 或 XLSX）")
        ag.add_argument("file", metavar="文件")

    def handle(self, *args, action, **options):
        try:
            return getattr(self, "do_" + action)(**options)
        except DatabaseError as exc:
            raise _fail(f"数据库不可用（{exc}）：请先运行 gongkai migrate。") from exc

    def do_agencies(self, *, file, **options):
        try:
            created, updated = directory.import_file(file, Path(file).name)
        except directory.DirectoryError as exc:
            raise _fail("机关名录未导入（全部未保存）：\n" + "\n".join(exc.lines)) from None
        filed = collecting.rematch_queued()
        self.stdout.write(f"机关名录已导入：新增 {created} 个，更新 {updated} 个。")
        if filed:
            self.stdout.write(f"待指定机关的报告中有 {filed} 份已按新名录归档。")

    def _who(self, user, collector):
        who = by = None
        if user:
            who = get_user_model().objects.filter(username=user).first()
            if who is None:
                raise _fail(f"没有用户名为“{user}”的用户。")
        if collector:
            by = LibraryAgency.objects.filter(name=collector).first()
            if by is None:
                raise _fail(f"机关名录中没有“{collector}”。")
        return who, by

    def do_collect(self, *, urls, json: bool, user, collector, **options):
        from ... import webcollect

        who, by = self._who(user, collector)
        directory.link_platform_agencies()
        outcomes = webcollect.collect_urls(urls, user=who, collector=by)
        if json:
            self.stdout.write(
                _json.dumps([o.as_dict() for o in outcomes], ensure_ascii=False, indent=2)
            )
        else:
            for o in outcomes:
                self.stdout.write(f"{o.result_name}\t{o.url}\t{o.message}")
        if any(o.result in ("failed", "unreadable", "refused") for o in outcomes):
            raise CommandError("部分网址未能抓取或读取。", returncode=1)

    def do_recheck(self, *, workers, **options):
        if workers < 1:
            raise _fail("--workers 须为正整数。")
        count = crosscheck.recheck_all(workers=workers)
        self.stdout.write(f"已重新检查 {count} 份报告；已有的核实结论保持不变。")

    def do_import(self, *, paths, json: bool, user, collector, workers, **options):
        try:
            files = collect(paths)
        except UsageError as exc:
            raise _fail(str(exc)) from None
        if workers < 1:
            raise _fail("--workers 须为正整数。")
        who, by = self._who(user, collector)
        directory.link_platform_agencies()
        step = max(1, min(100, len(files) // 20))

        def progress(done):  # on stderr: stdout is the result (--json)
            if len(files) > parallel.HANDFUL and done % step == 0:
                self.stderr.write(f"已读取并检查 {done} 个文件……")

        outcomes = collecting.import_paths(
            files, user=who, collector=by, workers=workers, progress=progress
        )
        self._print(outcomes, as_json=json)
        if any(o.result in ("unreadable", "refused") for o in outcomes):
            raise CommandError("部分文件未能读取或未接收。", returncode=1)

    def _print(self, outcomes, *, as_json):
        if as_json:
            self.stdout.write(
                _json.dumps([o.as_dict() for o in outcomes], ensure_ascii=False, indent=2)
            )
            return
        for o in outcomes:
            r = o.report
            what = f"{r.agency.name} {r.year}" if r and r.agency_id else (o.message or "")
            self.stdout.write(f"{o.result_name}\t{o.filename}\t{what}")
        counts = {}
        for o in outcomes:
            counts[o.result_name] = counts.get(o.result_name, 0) + 1
        summary = "，".join(f"{k} {v} 份" for k, v in counts.items())
        self.stdout.write(f"共 {len(outcomes)} 个文件：{summary}。")


_json = json
