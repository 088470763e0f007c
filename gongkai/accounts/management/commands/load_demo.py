"""Load the demo logins and the demo bureau with its cases, so `make run` is usable at once."""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gongkai.cases.workflow import WorkflowError
from gongkai.demo.bureau import AGENCY_NAME
from gongkai.demo.users import DEMO_USERS, load_demo


def _date(text):
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期“{text}”格式不对，请写成 YYYY-MM-DD，例如 2026-06-15。") from None


class Command(BaseCommand):
    help = "加载演示账号和演示机关（示范市公安局）的办件数据（可重复运行，结果不变）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="在生产环境（DEBUG=0）下也加载演示数据。"
        )
        parser.add_argument(
            "--skip-cases",
            action="store_true",
            help="只加载演示账号和演示机关，不生成演示办件（较快）。",
        )
        parser.add_argument(
            "--today",
            type=str,
            default=None,
            help="演示办件以哪一天为“今天”（YYYY-MM-DD，默认今天）；只在首次生成办件时起作用。",
        )

    def handle(self, *args, force=False, today=None, skip_cases=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "生产环境（DEBUG=0）不加载演示账号：它们的密码是公开的。确需加载请加 --force。"
            )
        try:
            created, cases = load_demo(today=_date(today) if today else None, cases=not skip_cases)
        except WorkflowError as error:
            raise CommandError(f"生成演示办件失败：{error}") from error
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"演示数据已就绪：{len(DEMO_USERS)} 个演示账号（本次新建 {len(created)} 个）；"
                    f"{AGENCY_NAME}的演示办件本次新建 {cases} 件。"
                )
            )
