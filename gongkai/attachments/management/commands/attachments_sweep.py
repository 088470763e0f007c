"""List (or with --delete remove) stored attachment files that no row refers to."""

import datetime as dt

from django.core.management.base import BaseCommand

from gongkai.attachments import storage
from gongkai.attachments.services import orphaned_files


class Command(BaseCommand):
    help = "列出（加 --delete 则删除）没有附件记录对应的存储文件（例如外层事务回滚后遗留的文件）。"

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="删除列出的文件")
        parser.add_argument(
            "--hours", type=float, default=1.0, help="只处理早于这么多小时的文件，默认 1"
        )

    def handle(self, *args, delete, hours, **options):
        found = orphaned_files(older_than=dt.timedelta(hours=hours))
        for relative in found:
            if delete:
                storage.discard(relative)
            self.stdout.write(("已删除 " if delete else "") + relative)
        verb = "删除" if delete else "发现"
        self.stdout.write(f"{verb}无记录的附件文件 {len(found)} 个。")
