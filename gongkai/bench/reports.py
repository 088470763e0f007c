"""Annual-report engine throughput (`make bench`).

(a) parse+check of text reports in one process (the engine alone).
(b) `gongkai report check DIR` on 2,000 text reports as a user meets it (issue 16):
    the whole process, from the shell to its exit (start-up, imports, reading the
    files, the worker pool, the printed findings), with --workers 1 and 2, three
    runs each; goal ≥ 500 reports/s on one core and ≥ 1.8× that on two. Wall clock
    with the load average (the machine may be shared) and CPU seconds (user+sys of
    the whole process tree, which load barely changes). The package is byte-compiled
    first, as installed.
(c) a directory of 10,000 text reports through batch.run on every core.
(d) OCR of a scanned report, seconds per page on one core and on every core.
(e) the reading accuracy table per layout class (gongkai.reports.accuracy).
The reports are the five seeds with their figures and agency names varied, so
no two texts are the same.
"""

import os
import random
import re
import statistics
import subprocess
import sys
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
    started, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        engine.analyse_text(text, filename="bench.txt")
        done += 1
        if time.perf_counter() - started > SINGLE_BUDGET_SECONDS:
            break
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    # The engine alone: the goal (issue 16) is for the whole process, bench_whole_process.
    print(
        f"单进程解析+检查（仅引擎，不含启动和读文件）：{done} 份文本年报，{seconds:.2f} 秒，"
        f"{done / seconds:.0f} 份/秒；CPU {cpu:.2f} 秒（{done / cpu:.0f} 份/CPU 秒）"
    )


WHOLE_COUNT = 2000
WHOLE_RUNS = 3
WHOLE_GOAL = 500  # reports/s on one core, whole process (issue 16)
SCALING_GOAL = 1.8  # two cores against one


def _console_script():
    """The `gongkai` command as a user runs it (python -m gongkai.cli where not installed)."""
    script = Path(sys.executable).with_name("gongkai")
    return [str(script)] if script.exists() else [sys.executable, "-m", "gongkai.cli"]


def whole_process(args):
    """(wall seconds, CPU seconds of the process and every child it waited for) of one run
    of the console script, standard output discarded as a pipe's reader would."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [*_console_script(), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):  # 1: error findings, as the varied figures make
        raise RuntimeError(f"gongkai {' '.join(args)} exited with {child.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def _compile_package():
    """Byte-compile gongkai as an installed package is (pip writes the .pyc files): in a
    source checkout run with PYTHONDONTWRITEBYTECODE, every start-up would otherwise
    compile the engine's modules again (0.2 s, more than checking 60 reports)."""
    import compileall

    compileall.compile_dir(Path(__file__).parents[1], quiet=2)


def bench_whole_process():
    _compile_package()
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-") as tmp:
        for i, text in enumerate(variants(WHOLE_COUNT, seed=16)):
            Path(tmp, f"{i:05d}.txt").write_text(text, encoding="utf-8")
        rates = {}
        for workers in (1, 2):
            runs = [
                whole_process(["report", "check", "--workers", str(workers), tmp])
                for _ in range(WHOLE_RUNS)
            ]
            walls = sorted(wall for wall, _ in runs)
            per_s = [WHOLE_COUNT / wall for wall in reversed(walls)]
            rates[workers] = statistics.median(per_s)
            cpu = statistics.median(c for _, c in runs)
            print(
                f"gongkai report check（整个进程，{WHOLE_COUNT} 份文本年报，--workers {workers}）："
                f"{' / '.join(f'{r:.0f}' for r in per_s)} 份/秒（最低/中位/最高），"
                f"CPU {cpu:.2f} 秒（用户+系统，含子进程；{WHOLE_COUNT / cpu:.0f} 份/CPU 秒）"
            )
    scaling = rates[2] / rates[1]
    one = "达到" if rates[1] >= WHOLE_GOAL else "未达到"
    two = "达到" if scaling >= SCALING_GOAL else "未达到"
    print(
        f"  单核目标 ≥ {WHOLE_GOAL} 份/秒：{one}（中位 {rates[1]:.0f}）；"
        f"双核 / 单核 = {scaling:.2f}（目标 ≥ {SCALING_GOAL}：{two}）"
    )
    after = os.getloadavg()
    print(
        f"  系统负载（1/5/15 分钟）：开始 {load[0]:.2f}/{load[1]:.2f}/{load[2]:.2f}，"
        f"结束 {after[0]:.2f}/{after[1]:.2f}/{after[2]:.2f}；{os.cpu_count()} 个 CPU"
        + ("（负载高时墙钟数字偏低，以 CPU 秒为准）" if max(load[0], after[0]) > 0.5 else "")
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


OCR_PAGES = 4


def bench_ocr():
    """Seconds per page of OCR (Debian's tesseract, chi_sim) on a scanned report of
    OCR_PAGES pages, read on one core and on every core (pages in parallel)."""
    from gongkai.reports import accuracy, ocr

    if not ocr.available():
        print("文字识别：本机没有安装 tesseract（make ocr），跳过。")
        return
    truth = accuracy.truth_reports()[0]
    images = list(ocr.pdf_images(accuracy.scan_of(truth, 0)))
    images = (images * OCR_PAGES)[:OCR_PAGES]
    cores = os.cpu_count() or 1
    for workers in sorted({1, cores}):
        load = os.getloadavg()[0]
        started = time.perf_counter()
        ocr.read_images(images, workers=workers)
        seconds = time.perf_counter() - started
        print(
            f"文字识别（扫描件 {len(images)} 页，{workers} 个进程）：{seconds:.1f} 秒，"
            f"每页 {seconds / len(images):.2f} 秒（开始时负载 {load:.2f}）"
        )


def run():
    bench_single()
    bench_whole_process()
    bench_directory()
    bench_ocr()
    bench_accuracy()
