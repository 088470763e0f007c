"""Casework at scale (`make bench`): the case list and sections 三/四 over 1,000,000 cases.

Needs PostgreSQL (DATABASE_URL=postgres://…). The cases go into a dedicated bench
agency (BENCH_CODE), generated once by gongkai.bench.data.cases and kept between runs.
Goals (issue 4, again issue 14): list p95 < 100 ms, over three series of the same 100
requests (each after one warm-up request); sections 三 and 四 for one agency-year < 1 s.
Each run prints its conditions (fresh or kept data, load average, last ANALYZE): the
lead's figure is the one measured after VACUUM ANALYZE on an otherwise idle machine.
"""

import datetime as dt
import os
import random
import statistics
import time

from django.db import connection

from gongkai.bench._measure import Timings, conditions
from gongkai.bench.data.cases import ensure_agency, generate
from gongkai.cases import stats
from gongkai.cases.models import Case

BENCH_CODE = "BENCH"
YEARS = (2019, 2025)
COUNT = int(os.environ.get("GONGKAI_BENCH_CASES", 1_000_000))
LIST_RUNS = 100  # requests per series
LIST_SERIES = 3  # series of the same requests: p95 of each
PAGE = 50


def ensure_cases(agency):
    """Generate the bench agency's cases up to COUNT; True when any were generated now
    (then VACUUM ANALYZE has run on them)."""
    have = Case.objects.filter(agency=agency).count()
    if have >= COUNT:
        print(f"基准机关已有 {have} 件办件，跳过生成。")
        return False
    started = time.perf_counter()
    todo = COUNT - have
    print(f"正在生成 {todo} 件办件（已有 {have} 件）……", flush=True)

    def progress(done, total):
        if done % 100_000 == 0 or done == total:
            rate = done / (time.perf_counter() - started)
            print(f"  已生成 {done}/{total} 件（{rate:.0f} 件/秒）", flush=True)

    generate(agency, todo, YEARS, seed=have + 1, progress=progress)
    with connection.cursor() as cursor:  # outside a transaction (autocommit)
        cursor.execute("VACUUM ANALYZE cases_case")
        cursor.execute("VACUUM ANALYZE cases_caseevent")
    return True


_SEARCH_WORDS = ("交通事故", "行政处罚决定", "消防安全", "居住证", "不存在的内容词")


def _list_params(rng, depts):
    """Typical filters of the case list page, as a clerk would combine them."""
    params = {}
    choice = rng.random()
    if choice < 0.3:
        params["tab"] = rng.choice(("due_soon", "overdue", "paused"))
    elif choice < 0.5:
        params["status"] = rng.choice(("assigned", "delivered", "closed", "drafted"))
    if rng.random() < 0.4:
        params["department"] = rng.choice(depts).pk
    if rng.random() < 0.3:
        params["business_type"] = rng.choice(("traffic", "household", "public_order", "fire"))
    if rng.random() < 0.2:
        params["applicant_type"] = rng.choice(("natural_person", "commercial", "research"))
    if rng.random() < 0.4:
        start = dt.date(rng.randint(*YEARS), rng.randint(1, 12), 1)
        params["received_from"] = start.isoformat()
        params["received_to"] = (start + dt.timedelta(91)).isoformat()
    if rng.random() < 0.2:
        params["q"] = rng.choice(_SEARCH_WORDS)
    if rng.random() < 0.2:
        params["page"] = rng.randint(2, 5)
    return params


def _office_client(agency):
    """A logged-in 政务公开办 user of the bench agency (the widest list scope)."""
    from django.contrib.auth.models import User
    from django.test import Client

    from gongkai.agencies.models import Membership, Role

    user, _ = User.objects.get_or_create(username="bench-office")
    Membership.objects.get_or_create(user=user, agency=agency, role=Role.OFFICE)
    client = Client()
    client.force_login(user)
    return client


def bench_list(agency, runs=LIST_SERIES):
    """The whole case-list page (view, queries, template) for LIST_RUNS filter mixes,
    `runs` times over the same mixes: each series' p95, then their min/median/max."""
    depts = list(agency.departments.order_by("name"))
    client = _office_client(agency)
    client.get("/cases/")  # warm up
    p95s = []
    for series in range(1, runs + 1):
        rng = random.Random(4)
        timings = Timings()
        for _ in range(LIST_RUNS):
            timings.get(client, "/cases/", _list_params(rng, depts))
        p95s.append(timings.p95())
        print(
            f"办件列表页面（视图+查询+模板；页签/状态/部门/业务/申请人/日期/搜索/翻页组合，"
            f"每页 {PAGE} 件）第 {series} 轮：{timings.summary(100)}",
            flush=True,
        )
        for elapsed, params in timings.slowest():
            print(f"  较慢：{elapsed:.0f} 毫秒 {params}")
    if runs > 1:
        print(
            f"办件列表 {runs} 轮的 p95：最小 {min(p95s):.1f}，中位 {statistics.median(p95s):.1f}，"
            f"最大 {max(p95s):.1f} 毫秒（目标 < 100 毫秒，"
            f"{'达到' if max(p95s) < 100 else '未达到'}）"
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
    fresh = ensure_cases(agency)
    total = Case.objects.filter(agency=agency).count()
    print(f"基准机关办件总数：{total} 件")
    print(conditions(fresh=fresh), flush=True)
    bench_list(agency)
    bench_stats(agency)
