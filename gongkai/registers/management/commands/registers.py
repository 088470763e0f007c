"""`gongkai registers import FILE`: import business-system data for table 二 without the web.

For scheduled exports from a 行政许可/处罚/强制 or 收费 system: the file is
validated row by row exactly as on the upload page, and the import replaces the
agency's data of that kind for the period in one transaction. Rejected rows stop
the import (exit code 2) unless --allow-rejected; --dry-run only validates.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone

from gongkai.agencies.models import Agency
from gongkai.registers import imports, rows
from gongkai.registers.access import RegisterError

SHOWN_REJECTIONS = 50


def _fail(message):
    return CommandError(message, returncode=2)


def _date(text, what):
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise _fail(f"{what}“{text}”格式不对，请写成 YYYY-MM-DD，例如 2024-01-01。") from None


class Command(BaseCommand):
    help = "主动公开登记簿：导入行政许可、行政处罚、行政强制决定或行政事业性收费数据。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="导入一个 CSV 或 XLSX 文件")
        imp.add_argument("file", help="CSV（UTF-8 或 GB18030）或 XLSX 文件")
        imp.add_argument("--agency", required=True, help="机关代码，例如 SFGAJ")
        imp.add_argument("--kind", required=True, help="licensing|penalties|coercion|fees")
        imp.add_argument("--from", dest="start", required=True, help="期间起 YYYY-MM-DD")
        imp.add_argument("--to", dest="end", required=True, help="期间止 YYYY-MM-DD")
        imp.add_argument("--dry-run", action="store_true", help="只校验并汇总，不写入")
        imp.add_argument(
            "--allow-rejected", action="store_true", help="有被拒绝的行时仍导入其余各行"
        )
        imp.add_argument("--user", help="记为导入人的用户名（须为该机关的政务公开办或管理员）")

    def handle(self, *args, action, **options):
        try:
            getattr(self, "do_" + action)(**options)
        except DatabaseError as exc:
            raise _fail(f"数据库不可用（{exc}）：请先运行 gongkai migrate。") from exc

    def do_import(self, *, file, agency, kind, start, end, dry_run, allow_rejected, user, **opts):
        if kind not in rows.KINDS:
            raise _fail(f"--kind“{kind}”无效，可选：licensing（行政许可）、penalties（行政处罚）、"
                        "coercion（行政强制）、fees（行政事业性收费）。")  # fmt: skip
        start, end = _date(start, "--from"), _date(end, "--to")
        found = Agency.objects.filter(code=agency).first()
        if found is None:
            raise _fail(f"找不到机关代码为“{agency}”的机关，请检查 --agency。")
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise _fail(f"找不到用户“{user}”，请检查 --user。")
        common = dict(agency=found, kind=kind, start=start, end=end, today=timezone.localdate())
        try:
            scan, _ = imports.import_file(file, dry_run=True, **common)
            self._summary(scan, file, found, kind, start, end, opts["verbosity"])
            if scan.rejected and not allow_rejected:
                raise RegisterError(
                    f"有 {len(scan.rejected)} 行未通过校验，未导入任何数据。"
                    "请改正后重试，或加 --allow-rejected 只导入通过校验的行。"
                )
            if dry_run:
                self.stdout.write("（试运行：未写入任何数据）")
                return
            _, batch = imports.import_file(file, by=by, allow_rejected=True, **common)
        except RegisterError as error:
            raise _fail(str(error)) from None
        replaced = batch.replaced.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"已导入 {batch.accepted} 行（批次 {batch.pk}）"
                + (f"，替换了此前的 {replaced} 次导入" if replaced else "")
                + "。"
            )
        )

    def _summary(self, scan, file, agency, kind, start, end, verbosity):
        out = self.stdout
        out.write(f"{agency.name} {rows.KINDS[kind]} {start} 至 {end}：{file}")
        out.write(
            f"可导入 {scan.accepted} 行，被拒绝 {len(scan.rejected)} 行，空行 {scan.blank_lines} 行。"
        )
        if kind == rows.FEES:
            out.write(f"可导入金额合计 {scan.amount} 元。")
        if scan.header and scan.header.ignored:
            out.write(f"未使用的列：{'、'.join(scan.header.ignored)}")
        shown = scan.rejected if verbosity >= 2 else scan.rejected[:SHOWN_REJECTIONS]
        for rejected in shown:
            out.write(f"  第 {rejected.line} 行：{rejected.reason}")
        if len(shown) < len(scan.rejected):
            more = len(scan.rejected) - len(shown)
            out.write(f"  ……另有 {more} 行被拒绝，加 -v 2 可全部列出。")
