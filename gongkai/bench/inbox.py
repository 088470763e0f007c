"""我的待办 at scale (`make bench`): the in-tray page of each casework role of the bench
agency over its 1,000,000 cases, and the navigation's in-tray count alone (it runs on
every staff page that shows the navigation).

Needs PostgreSQL and the bench agency of gongkai.bench.cases (generated there when
missing). Goal (issue 14): the whole page (view, queries, template, navigation) p95 < 100 ms
for every role.
"""

import statistics
import time

from django.contrib.auth.models import User
from django.db import connection
from django.test import Client

from gongkai.agencies.models import Membership, Role
from gongkai.bench import cases as case_bench
from gongkai.bench._measure import Timings, conditions, pct
from gongkai.bench.data.cases import ensure_agency
from gongkai.cases.views import today
from gongkai.inbox import queues

RUNS = 100
GOAL_MS = 100
# Every role with an in-tray (the 信息员's is 主动公开 only: its own bench agency has none).
ROLES = (
    Role.REGISTRAR,
    Role.OFFICE,
    Role.HANDLER,
    Role.LEGAL_REVIEWER,
    Role.SECRECY_REVIEWER,
    Role.OFFICE_HEAD,
    Role.LEADER,
    Role.ADMIN,
)


def _user(agency, role):
    user, _ = User.objects.get_or_create(username=f"bench-inbox-{role}")
    department = agency.departments.order_by("name").first() if role == Role.HANDLER else None
    Membership.objects.get_or_create(user=user, agency=agency, role=role, department=department)
    return user


def bench_page(user, label):
    client = Client()
    client.force_login(user)
    client.get("/inbox/")  # warm up
    timings = Timings()
    for _ in range(RUNS):
        response = timings.get(client, "/inbox/", label=label)
    total = sum(queues.counts(user, day=today()).values())
    print(f"  {label}（待办 {total} 件）：{timings.summary(GOAL_MS)}", flush=True)
    del response
    return timings


def bench_count(user, label):
    """The navigation's count (inbox.context_processors) alone, as every staff page runs it."""
    day = today()
    queues.counts(user, day=day)
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        queues.counts(user, day=day)
        times.append((time.perf_counter() - started) * 1000)
    print(
        f"  {label} 导航待办计数：p50 {statistics.median(times):.1f} 毫秒，"
        f"p95 {pct(times, 95):.1f} 毫秒",
        flush=True,
    )
    return times


def run():
    if connection.vendor != "postgresql":
        print("我的待办基准测试需要 PostgreSQL：请设置 DATABASE_URL=postgres://… 后再运行。")
        return
    agency = ensure_agency(case_bench.BENCH_CODE, "基准测试市公安局")
    fresh = case_bench.ensure_cases(agency)
    print(conditions(fresh=fresh), flush=True)
    users = [(_user(agency, role), Role(role).label) for role in ROLES]
    print(f"我的待办页面（视图+查询+模板+导航计数），每个角色 {RUNS} 次：", flush=True)
    worst = [bench_page(user, label).p95() for user, label in users]
    verdict = "达到" if max(worst) < GOAL_MS else "未达到"
    print(f"  各角色 p95 最大 {max(worst):.1f} 毫秒（目标 < {GOAL_MS} 毫秒，{verdict}）")
    print("导航栏待办计数（每个职员页面都算一次）：", flush=True)
    for user, label in users:
        bench_count(user, label)
