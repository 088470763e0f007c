"""`gongkai export --agency CODE [-o DIR]`: all of one agency's data in open formats."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongkai.ops.export import ExportError, export


class Command(BaseCommand):
    help = "导出一个机关的全部数据（JSON 与 CSV，另附原始文件），便于迁移或存档。"

    def add_arguments(self, parser):
        parser.add_argument("--agency", required=True, help="机关代码")
        parser.add_argument("-o", "--output", help="导出到这个目录（默认 export-机关代码-日期）")

    def handle(self, *args, agency, output=None, **options):
        out = Path(output or f"export-{agency}-{timezone.localdate():%Y%m%d}")
        try:
            manifest = export(agency, out)
        except ExportError as error:
            raise CommandError(str(error), returncode=2) from error
        rows = sum(manifest["rows"].values())
        missing = [n for n, h in manifest["files"].items() if h is None]
        self.stdout.write(
            f"已导出 {manifest['agency']['name']} 的数据到 {out}："
            f"{len(manifest['rows'])} 类 {rows} 条，文件 {len(manifest['files']) - len(missing)} 个。"
        )
        if missing:
            self.stderr.write(f"有 {len(missing)} 个文件在存储中找不到，已记入 manifest.json。")
