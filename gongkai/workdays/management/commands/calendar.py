"""`gongkai calendar`: load and import the working-day calendar (issue 3).

load                         seed 2004–2026 from the chinesecalendar package
import-notice FILE --year Y  read a 国务院办公厅 holiday notice and store its days
status                       list the loaded years
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from gongkai.workdays import loading
from gongkai.workdays.notice import NoticeError, parse_notice


def _fail(message):
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = "管理工作日历：载入节假日安排、导入国务院办公厅放假通知、查看已载入年度。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("load", help="从 chinesecalendar 载入2004年起的全国节假日安排")
        imp = sub.add_parser(
            "import-notice", help="导入国务院办公厅放假通知（文本文件，- 为标准输入）"
        )
        imp.add_argument("file")
        imp.add_argument("--year", type=int, help="通知所安排的年度，例如 2027")
        imp.add_argument("--dry-run", action="store_true", help="只解析并显示，不保存")
        imp.add_argument("--json", action="store_true", help="以 JSON 输出解析结果")
        sub.add_parser("status", help="列出已载入的年度")

    def handle(self, *args, action, **options):
        try:
            getattr(self, "do_" + action.replace("-", "_"))(**options)
        except DatabaseError as exc:
            raise _fail(f"数据库不可用（{exc}）：请先运行 gongkai migrate。") from exc

    def do_load(self, **options):
        removed, added = loading.load_chinesecalendar()
        years = sorted(loading.national_years())
        self.stdout.write(
            self.style.SUCCESS(
                f"已载入 {years[0]}–{years[-1]} 年全国节假日安排：写入 {added} 条，替换旧记录 {removed} 条。"
            )
        )

    def do_import_notice(self, *, file, year, dry_run, json, **options):
        parsed = self._parse(file, year)
        if json:
            self.stdout.write(_dumps(parsed.as_json()))
        else:
            self._show(parsed)
        if dry_run:
            if not json:
                self.stdout.write("（试运行：未保存任何数据）")
            return
        removed, added = loading.store_notice(parsed)
        if not json:
            self.stdout.write(
                self.style.SUCCESS(
                    f"已保存 {parsed.year} 年安排：{added} 条（替换旧记录 {removed} 条）。"
                )
            )

    def _parse(self, file, year):
        try:
            text = sys.stdin.read() if file == "-" else open(file, encoding="utf-8-sig").read()
        except FileNotFoundError:
            raise _fail(f"找不到通知文件“{file}”，请检查路径。") from None
        except UnicodeDecodeError:
            raise _fail(f"通知文件“{file}”不是 UTF-8 文本，请另存为 UTF-8 后重试。") from None
        except OSError as exc:
            raise _fail(f"无法读取通知文件“{file}”：{exc.strerror}。") from None
        try:
            return parse_notice(text, year)
        except NoticeError as exc:
            raise _fail(str(exc)) from None

    def _show(self, parsed):
        self.stdout.write(f"{parsed.year}年节假日安排（来源：{parsed.source}）")
        for label, days in (("放假", parsed.holidays), ("上班", parsed.workdays)):
            self.stdout.write(f"{label} {len(days)} 天：")
            for day, name in days:
                self.stdout.write(f"  {day.isoformat()} 周{'一二三四五六日'[day.weekday()]} {name}")

    def do_status(self, **options):
        summary = loading.year_summary()
        if not summary:
            self.stdout.write("尚未载入任何年度。请运行 gongkai calendar load。")
            return
        for year, counts in summary.items():
            self.stdout.write(
                f"{year}年：放假 {counts['holiday']} 天，调休上班 {counts['workday']} 天"
            )


def _dumps(data):
    return json.dumps(data, ensure_ascii=False)
