"""`gongkai restore FILE`: rebuild a site from a `gongkai backup` archive (new site only)."""

from django.core.management.base import BaseCommand, CommandError

from gongkai.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = "恢复：把 gongkai backup 的归档恢复到空的数据库与空的文件目录（先自动执行数据库迁移）。"

    def add_arguments(self, parser):
        parser.add_argument("archive", help="备份归档文件")

    def handle(self, *args, archive, **options):
        try:
            manifest = restore(archive)
        except BackupError as error:
            raise CommandError(str(error), returncode=2) from error
        rows = sum(manifest["rows"].values())
        self.stdout.write(
            f"已恢复 {manifest['created_at'][:19]} 的备份：数据 {rows} 行，"
            f"文件 {len(manifest['files'])} 个。"
        )
