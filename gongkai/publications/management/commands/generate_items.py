"""Generate many published items for benchmarks: `manage.py generate_items --count 1000000`."""

import time

from django.core.management.base import BaseCommand, CommandError

from gongkai.bench.data.items import GenerateError, ensure_agency, generate


def _years(text):
    first, _, last = str(text).partition("-")
    try:
        first, last = int(first), int(last or first)
    except ValueError:
        raise CommandError(f"年份范围“{text}”格式不对，请写成 2019-2026 或 2024。") from None
    if not 2008 <= first <= last <= 2100:
        raise CommandError(f"年份范围“{text}”无效：起始年份不能晚于结束年份，且须在2008–2100之间。")
    return first, last


class Command(BaseCommand):
    help = "为性能测试批量生成已发布的主动公开信息（跳过逐条审核流程，按批写入，标记为生成数据）。"

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="生成条数，例如 1000000")
        parser.add_argument(
            "--agency", default="BENCH", help="机关代码（不存在则新建，默认 BENCH）"
        )
        parser.add_argument(
            "--years", default="2019-2026", help="成文日期的年份范围，默认 2019-2026"
        )
        parser.add_argument("--batch", type=int, default=5000, help="每批写入条数，默认 5000")
        parser.add_argument("--seed", type=int, default=1, help="随机种子，默认 1")

    def handle(self, *args, count, agency, years, batch, seed, **options):
        started = time.perf_counter()

        def progress(done, total):
            if options["verbosity"] and (done == total or done % (batch * 20) == 0):
                rate = done / max(time.perf_counter() - started, 1e-9)
                self.stdout.write(f"已生成 {done}/{total} 条（{rate:.0f} 条/秒）")

        try:
            target = ensure_agency(agency)
            written = generate(
                target, count, years=_years(years), batch=batch, seed=seed, progress=progress
            )
        except GenerateError as error:
            raise CommandError(str(error)) from error
        elapsed = time.perf_counter() - started
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"完成：为“{target.name}”生成 {written} 条，用时 {elapsed:.1f} 秒"
                    f"（{written / max(elapsed, 1e-9):.0f} 条/秒）。"
                )
            )
