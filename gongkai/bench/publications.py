"""主动公开 at scale (`make bench`): generator throughput and the staff list.

Writes GONGKAI_BENCH_PUB_ITEMS (default 100,000) generated items into a scratch agency
(PUBRATE), prints items/s, then times the staff list page (/publications/, every tab,
page 1 and a deep page) as an office clerk of that agency, and removes the scratch rows
again. Goal (issue 5): ≥ 5,000 items/s on PostgreSQL; list pages well under 1 s.
The public portal's own bench (gongkai/bench/portal.py) loads its 1,000,000 items with
the same generator.
"""

import os
import statistics
import time

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client

from gongkai.agencies.models import Membership, Role
from gongkai.bench.data import items as generate
from gongkai.publications.models import Item

CODE = "PUBRATE"
COUNT = int(os.environ.get("GONGKAI_BENCH_PUB_ITEMS", 100_000))
RUNS = 20
PAGES = (
    {},
    {"tab": "published"},
    {"tab": "overdue"},
    {"tab": "mine"},
    {"tab": "published", "category": "traffic"},
    {"q": "交通管制"},
    {"page": 100},
)


def _cleanup(agency):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM publications_itemevent WHERE item_id IN "
            "(SELECT id FROM publications_item WHERE agency_id = %s)",
            [agency.pk],
        )
        cursor.execute("DELETE FROM publications_item WHERE agency_id = %s", [agency.pk])


def run():
    agency = generate.ensure_agency(CODE, "主动公开基准测试机关")
    _cleanup(agency)
    started = time.perf_counter()
    generate.generate(agency, COUNT, seed=7)
    elapsed = time.perf_counter() - started
    print(
        f"生成 {COUNT} 条主动公开信息：{elapsed:.1f} 秒，{COUNT / elapsed:.0f} 条/秒"
        f"（{connection.vendor}，目标 ≥ 5000 条/秒）",
        flush=True,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE publications_item")
    user, _ = User.objects.get_or_create(username="pubrate-office")
    Membership.objects.get_or_create(user=user, agency=agency, role=Role.OFFICE)
    client = Client()
    client.force_login(user)
    try:
        for params in PAGES:
            times = []
            for _ in range(RUNS):
                t = time.perf_counter()
                response = client.get("/publications/", params)
                times.append((time.perf_counter() - t) * 1000)
                assert response.status_code == 200, response.status_code
            p95 = statistics.quantiles(times, n=20)[-1]
            print(
                f"信息列表 {params or '全部'}：中位数 {statistics.median(times):.0f} ms，"
                f"p95 {p95:.0f} ms",
                flush=True,
            )
    finally:
        _cleanup(agency)
        print(f"已清除基准数据（剩余 {Item.objects.filter(agency=agency).count()} 条）。")
