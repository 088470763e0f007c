"""Shared measuring helpers of the page benchmarks: percentiles, timed page requests
(wall clock and this process's CPU time) and the conditions a run happened under.

The machine a bench runs on may be shared: the wall-clock figures are printed with the
load average and this process's CPU time per request (the Python side of the page: view,
template, ORM); the database's own time is what EXPLAIN (ANALYZE) shows.
"""

import os
import statistics
import time

from django.conf import settings
from django.db import connection


def pct(values, p):
    """The p-th percentile (nearest rank) of `values`."""
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def conditions(*, fresh, tables=("cases_case",)):
    """One line saying what a run ran under: freshly generated data or kept from an earlier
    run, the load average, DEBUG, and when the tables were last analysed."""
    load = "、".join(f"{x:.2f}" for x in os.getloadavg())
    parts = [
        "数据刚生成" if fresh else "数据沿用上次生成",
        f"负载（1/5/15 分钟）{load}，{os.cpu_count()} 核",
        f"DEBUG={'开' if settings.DEBUG else '关'}",
    ]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname, greatest(last_analyze, last_autoanalyze), n_dead_tup "
                "FROM pg_stat_user_tables WHERE relname = ANY(%s) ORDER BY relname",
                [list(tables)],
            )
            for name, analysed, dead in cursor.fetchall():
                when = analysed.strftime("%m-%d %H:%M") if analysed else "从未"
                parts.append(f"{name} 最近 ANALYZE {when}，死行 {dead}")
    return "运行条件：" + "；".join(parts)


class Timings:
    """Wall-clock and CPU milliseconds of a series of requests, with their labels."""

    def __init__(self):
        self.wall, self.cpu, self.labels = [], [], []

    def get(self, client, url, params=None, *, label=None):
        started, cpu = time.perf_counter(), time.process_time()
        response = client.get(url, params or {})
        if getattr(response, "streaming", False):
            for _chunk in response.streaming_content:
                pass
        self.wall.append((time.perf_counter() - started) * 1000)
        self.cpu.append((time.process_time() - cpu) * 1000)
        self.labels.append(label if label is not None else params)
        if response.status_code != 200:
            raise RuntimeError(f"{url} 返回 {response.status_code}：{params}")
        return response

    def p95(self):
        return pct(self.wall, 95)

    def summary(self, goal_ms=None):
        p50, p95 = statistics.median(self.wall), self.p95()
        text = (
            f"{len(self.wall)} 次，p50 {p50:.1f} 毫秒，p95 {p95:.1f} 毫秒，"
            f"最慢 {max(self.wall):.1f} 毫秒；本进程 CPU p50 {statistics.median(self.cpu):.1f}"
            f" 毫秒，p95 {pct(self.cpu, 95):.1f} 毫秒"
        )
        if goal_ms is not None:
            verdict = "达到" if p95 < goal_ms else "未达到"
            text += f"（目标 p95 < {goal_ms} 毫秒，{verdict}）"
        return text

    def slowest(self, n=3):
        return sorted(zip(self.wall, self.labels, strict=True), key=lambda x: -x[0])[:n]
