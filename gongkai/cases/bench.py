"""Casework at scale (`make bench`): the case list and sections 三/四 over 1,000,000 cases.

Needs PostgreSQL (DATABASE_URL=postgres://…). The cases go into a dedicated bench
agency (BENCH_CODE), generated once by gongkai.cases.generate and kept between runs.
Goals (issue 4): list p95 < 100 ms; sections 三 and 四 for one agency-year < 1 s.
"""

import datetime as dt
import os
import random
import statistics
import time

from django.db import connection

from gongkai.cases import stats
from gongkai.cases.generate import ensure_agency, generate
from gongkai.cases.models import OPEN_STATUSES, Case

BENCH_CODE = "BENCH"
YEARS = (2019, 2025)
COUNT = int(os.environ.get("GONGKAI_BENCH_CASES", 1_000_000))
LIST_RUNS = 100
PAGE = 50


def _ensure_cases(agency):
    have = Case.objects.filter(agency=agency).count()
    if have >= COUNT:
        print(f"基准机关已有 {have} 件办件，跳过生成。")
        return
    started = time.perf_counter()
    todo = COUNT - have
    print(f"正在生成 {todo} 件办件（已有 {have} 件）……", flush=True)

    def progress(done, total):
        if done % 100_000 == 0 or done == total:
            rate = done / (time.perf_counter() - started)
            print(f"  已生成 {done}/{total} 件（{rate:.0f} 件/秒）", flush=True)

    generate(agency, todo, YEARS, seed=have + 1, progress=progress)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")


def _list_query(agency, rng, depts):
    """One page of the case list with typical filters, as the list view would ask."""
    qs = Case.objects.filter(agency=agency).select_related("agency", "department")
    choice = rng.random()
    if choice < 0.5:
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif choice < 0.75:
        qs = qs.filter(status=rng.choice(("delivered", "closed", "assigned")))
    if rng.random() < 0.5:
        qs = qs.filter(department=rng.choice(depts))
    if rng.random() < 0.5:
        start = dt.date(rng.randint(*YEARS), rng.randint(1, 12), 1)
        qs = qs.filter(received_on__gte=start, received_on__lt=start + dt.timedelta(92))
    return list(qs.order_by("due_on", "id")[:PAGE])


def _pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def bench_list(agency):
    rng = random.Random(4)
    depts = list(agency.departments.all())
    _list_query(agency, rng, depts)  # warm up
    times = []
    for _ in range(LIST_RUNS):
        started = time.perf_counter()
        _list_query(agency, rng, depts)
        times.append((time.perf_counter() - started) * 1000)
    p50, p95 = statistics.median(times), _pct(times, 95)
    verdict = "达到" if p95 < 100 else "未达到"
    print(
        f"办件列表（状态/部门/日期筛选，按答复期限排序，每页 {PAGE} 件）：{LIST_RUNS} 次，"
        f"p50 {p50:.1f} 毫秒，p95 {p95:.1f} 毫秒，最慢 {max(times):.1f} 毫秒"
        f"（目标 p95 < 100 毫秒，{verdict}）"
    )


def bench_stats(agency):
    year = YEARS[1]
    times = []
    for _ in range(3):
        started = time.perf_counter()
        stats.annual_tables(agency, year)
        times.append(time.perf_counter() - started)
    best, worst = min(times), max(times)
    verdict = "达到" if worst < 1 else "未达到"
    print(
        f"年报表三、表四（{agency.code} {year}年）：{len(times)} 次，"
        f"最快 {best:.2f} 秒，最慢 {worst:.2f} 秒（目标 < 1 秒，{verdict}）"
    )


def run():
    if connection.vendor != "postgresql":
        print("办件基准测试需要 PostgreSQL：请设置 DATABASE_URL=postgres://… 后再运行。")
        return
    agency = ensure_agency(BENCH_CODE, "基准测试市公安局")
    _ensure_cases(agency)
    total = Case.objects.filter(agency=agency).count()
    print(f"基准机关办件总数：{total} 件")
    bench_list(agency)
    bench_stats(agency)
