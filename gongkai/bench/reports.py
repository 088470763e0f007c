"""Annual-report engine throughput (`make bench`).

(a) parse+check of text reports in one process; goal ≥ 500 reports/second.
(b) a directory of 10,000 text reports through batch.run on every core.
(c) the reading accuracy table per layout class (gongkai.reports.accuracy).
The reports are the five seeds with their figures and agency names varied, so
no two texts are the same.
"""

import os
import random
import re
import tempfile
import time
from pathlib import Path

from gongkai.reports import batch, engine

SEEDS = Path(__file__).parents[1] / "reports" / "tests" / "testdata"
SINGLE_COUNT = 2500
SINGLE_BUDGET_SECONDS = 30
DIRECTORY_COUNT = 10_000

# A stand-alone figure of at most three digits (not part of a date, year or phone number).
_FIGURE = re.compile(r"(?<![\d.\-:])\d{1,3}(?![\d.\-:年月日])")
_AGENCY = re.compile(r"([\u4e00-\u9fff]{2,6}?)(公安局|公安厅)")


def variants(count, seed=20240601):
    """`count` report texts: the seeds with figures nudged and agency names changed."""
    rng = random.Random(seed)
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    places = ["东城", "西湖", "南山", "北塘", "江宁", "云岭", "青山", "白水"]
    out = []
    for i in range(count):
        text = texts[i % len(texts)]
        place = places[(i // len(texts)) % len(places)]
        text = _AGENCY.sub(lambda m, p=place: p + m.group(2), text, count=3)
        text = _FIGURE.sub(lambda m: str(int(m.group()) + rng.choice((0, 0, 1, 2))), text)
        out.append(text)
    return out


def bench_single():
    texts = variants(SINGLE_COUNT)
    done = 0
    started = time.perf_counter()
    for text in texts:
        engine.analyse_text(text, filename="bench.txt")
        done += 1
        if time.perf_counter() - started > SINGLE_BUDGET_SECONDS:
            break
    seconds = time.perf_counter() - started
    rate = done / seconds
    verdict = "达到" if rate >= 500 else "未达到"
    print(
        f"单进程解析+检查：{done} 份文本年报，{seconds:.2f} 秒，"
        f"{rate:.0f} 份/秒（目标 ≥ 500 份/秒，{verdict}）"
    )


def bench_directory():
    workers = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-") as tmp:
        started = time.perf_counter()
        for i, text in enumerate(variants(DIRECTORY_COUNT, seed=7)):
            Path(tmp, f"{i:05d}.txt").write_text(text, encoding="utf-8")
        written = time.perf_counter() - started
        started = time.perf_counter()
        summary = batch.Summary()
        for outcome in batch.run(batch.collect([tmp]), workers=workers, keep_reports=False):
            summary.add(outcome)
        seconds = time.perf_counter() - started
    print(
        f"目录批量处理：{DIRECTORY_COUNT} 份文本年报（写入用时 {written:.1f} 秒不计），"
        f"{workers} 个进程，{seconds:.2f} 秒，{DIRECTORY_COUNT / seconds:.0f} 份/秒；"
        f"成功 {summary.read} 份，失败 {len(summary.failed)} 份，"
        f"发现问题 {sum(summary.by_rule.values())} 处"
    )


def bench_accuracy():
    """The reading accuracy per layout class (issue 16), after the speed figures: the
    scan class OCRs each scan once (minutes), then reads it from var/accuracy/."""
    from gongkai.reports import accuracy

    print("读取准确率（make accuracy）：")
    accuracy.main([])


def run():
    bench_single()
    bench_directory()
    bench_accuracy()
