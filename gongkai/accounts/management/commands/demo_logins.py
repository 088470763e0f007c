"""Print the site address and the demo logins, in Chinese, for `make run`."""

from django.core.management.base import BaseCommand
from django.urls import reverse

from gongkai.demo.users import DEMO_USERS


class Command(BaseCommand):
    help = "显示网站地址和演示账号。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000", help="网站地址（默认 http://127.0.0.1:8000）"
        )

    def handle(self, *args, url, **options):
        base = url.rstrip("/")
        self.stdout.write(f"网站地址：{base}/")
        self.stdout.write(f"登录页面：{base}{reverse('login')}")
        self.stdout.write("演示账号（仅供试用，请勿用于生产环境）：")
        for demo in DEMO_USERS:
            self.stdout.write(f"  {demo.role}：用户名 {demo.username}，密码 {demo.password}")
