"""Generate many cases for benchmarks: `manage.py generate_cases --count 1000000`."""

import time

from django.core.management.base import BaseCommand, CommandError

from gongkai.bench.data.cases import GenerateError, ensure_agency, generate, parse_years


class Command(BaseCommand):
    help = "为性能测试批量生成依申请公开办件（跳过逐件办理流程，按批写入）。"

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="生成件数，例如 1000000")
        parser.add_argument(
            "--agency", default="BENCH", help="机关代码（不存在则新建，默认 BENCH）"
        )
        parser.add_argument(
            "--years", default="2019-2025", help="收到申请的年份范围，默认 2019-2025"
        )
        parser.add_argument("--batch", type=int, default=10_000, help="每批写入件数，默认 10000")
        parser.add_argument("--seed", type=int, default=1, help="随机种子，默认 1")

    def handle(self, *args, count, agency, years, batch, seed, **options):
        started = time.perf_counter()

        def progress(done, total):
            if options["verbosity"]:
                rate = done / max(time.perf_counter() - started, 1e-9)
                self.stdout.write(f"已生成 {done}/{total} 件（{rate:.0f} 件/秒）")

        try:
            target = ensure_agency(agency)
            written = generate(
                target, count, parse_years(years), batch=batch, seed=seed, progress=progress
            )
        except GenerateError as error:
            raise CommandError(str(error)) from error
        except LookupError as error:
            raise CommandError(f"{error}") from error
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"完成：为“{target.name}”生成 {written} 件，"
                    f"用时 {time.perf_counter() - started:.1f} 秒。"
                )
            )
