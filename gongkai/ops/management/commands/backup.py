"""`gongkai backup [-o FILE]`: the database and the stored files in one archive."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongkai.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = "备份：数据库与全部存储文件写入同一个归档（tar.gz），可用 gongkai restore 恢复。"

    def add_arguments(self, parser):
        parser.add_argument(
            "-o", "--output", help="归档文件名（默认 gongkai-backup-年月日-时分秒.tar.gz）"
        )

    def handle(self, *args, output=None, **options):
        out = Path(output or f"gongkai-backup-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz")
        if not out.parent.is_dir():
            raise CommandError(f"目录 {out.parent} 不存在。", returncode=2)
        try:
            manifest = backup(out)
        except BackupError as error:
            raise CommandError(str(error), returncode=2) from error
        rows = sum(manifest["rows"].values())
        self.stdout.write(f"已备份到 {out}：数据 {rows} 行，文件 {len(manifest['files'])} 个。")
