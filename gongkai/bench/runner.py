"""`make bench`: runs every benchmark module of gongkai.bench (one with a `run()`) in turn.

Each run() prints its own figures. Benchmarks measure speed; tests never do.
The load benchmarks (portal, intake) repeat each measurement RUNS times
(GONGKAI_BENCH_RUNS, default 3) and print min / median / max, with the conditions they ran
under (conditions(): the time, the machine's load average, the data and cache state): the
machine may be shared, and one run says little.
"""

import datetime as dt
import importlib
import os
import pkgutil
import statistics
import subprocess
import sys
import time

import gongkai.bench

RUNS = max(1, int(os.environ.get("GONGKAI_BENCH_RUNS", 3)))


def load_average():
    """The 1, 5 and 15-minute load averages, as printed ("1.2 / 0.9 / 0.7")."""
    try:
        return " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "未知"


def conditions(**facts):
    """Print the conditions a benchmark runs under: facts (label: value, in Chinese) and
    the time, the commit, the cores and the load average."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "未知"
    now = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8)))
    lines = [
        f"时间 {now:%Y-%m-%d %H:%M}（北京时间），版本 {commit}，{os.cpu_count()} 核，"
        f"系统负载（1/5/15 分钟）{load_average()}",
        *(f"{label}：{value}" for label, value in facts.items()),
    ]
    print("【运行条件】\n  " + "\n  ".join(lines), flush=True)


def spread(values):
    """(min, median, max) of `values`."""
    values = sorted(values)
    return values[0], statistics.median(values), values[-1]


def spread_text(values, unit="", digits=1):
    low, middle, high = spread(values)
    return f"{low:.{digits}f} / {middle:.{digits}f} / {high:.{digits}f}{unit}"


def benchmarks():
    """The names of the benchmark modules of gongkai.bench (those with a `run()`)."""
    names = []
    for info in pkgutil.iter_modules(gongkai.bench.__path__):
        if info.ispkg or info.name.startswith("_") or info.name == "runner":
            continue
        if hasattr(importlib.import_module(f"gongkai.bench.{info.name}"), "run"):
            names.append(info.name)
    return sorted(names)


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
    # The page benches sign their users in with force_login, without a second factor:
    # with DEBUG=0 (the production figure) the roles that need one would be sent to it.
    os.environ.setdefault("ACCOUNTS_OTP_REQUIRED", "0")
    import django

    django.setup()
    only = set(argv if argv is not None else sys.argv[1:])
    for name in benchmarks():
        if only and name not in only:
            continue
        print(f"== {name} ==", flush=True)
        started = time.perf_counter()
        importlib.import_module(f"gongkai.bench.{name}").run()
        print(f"({name}: {time.perf_counter() - started:.1f} s)", flush=True)
