"""Load the demo logins (and, in later issues, demo data) so `make run` is usable at once."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gongkai.accounts.demo import DEMO_USERS, load_demo


class Command(BaseCommand):
    help = "加载演示账号（可重复运行，结果不变）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="在生产环境（DEBUG=0）下也加载演示账号。"
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "生产环境（DEBUG=0）不加载演示账号：它们的密码是公开的。确需加载请加 --force。"
            )
        created = load_demo()
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"演示数据已就绪：{len(DEMO_USERS)} 个演示账号（本次新建 {len(created)} 个）。"
                )
            )
