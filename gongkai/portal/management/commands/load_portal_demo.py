"""Seed the demo bureau's portal (指南, 制度, annual reports); run after load_demo."""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gongkai.agencies.models import Agency
from gongkai.demo import portal as demo
from gongkai.portal import publishing


class Command(BaseCommand):
    help = "为演示机关（示范市公安局）发布默认的政府信息公开指南、制度和年度报告（可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", default=None, help="以哪一天为“今天”（YYYY-MM-DD，默认今天）。"
        )
        parser.add_argument("--force", action="store_true", help="在生产环境（DEBUG=0）下也运行。")

    def handle(self, *args, today=None, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("生产环境（DEBUG=0）不加载演示数据。确需加载请加 --force。")
        try:
            day = dt.date.fromisoformat(today) if today else dt.date.today()
        except ValueError:
            raise CommandError(f"日期“{today}”格式不对，请写成 YYYY-MM-DD。") from None
        try:
            pages, reports = demo.load_demo_bureau(day)
        except Agency.DoesNotExist:
            raise CommandError("没有演示机关：请先运行 manage.py load_demo。") from None
        except publishing.PortalError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"门户演示数据已就绪：本次发布栏目页 {pages} 个、年度报告 {reports} 份。"
                )
            )
