"""The public portal under load (`make bench`): 50 concurrent clients, 1,000,000 items.

Needs PostgreSQL (DATABASE_URL=postgres://…); on SQLite it prints why it skips.
The items go into the bench agency BENCH (gongkai.bench.data.items, kept between
runs); the portal's search index is dropped while a large batch is generated and
rebuilt afterwards (one CREATE INDEX is far cheaper than a million index updates).

A real server is started on loopback: granian (WORKERS processes × THREADS threads,
keep-alive), DEBUG off. Two kinds of load, each with the page cache off,
then on (gongkai/portal/pagecache.py; in Redis when REDIS_URL is set, as in
production, else in each process's memory):
- saturation: wrk (Debian's package, installed by scripts/ensure-wrk; C, so the load
  generator takes little of the CPU the server needs) keeps CLIENTS connections busy
  back to back for SECONDS over addresses drawn from the mix below: over the catalogue
  and search pages only (the goal of issue 5: p95 < 50 ms at 50 concurrent clients),
  then over the whole mix with item pages and the home page. With the page cache on,
  the catalogue is measured twice: in the first seconds after the cache is switched on
  (nearly every filtered page is a miss), and in steady state, after the load has gone
  on for longer than one cache lifetime (pages stored and expiring at once, as in
  service; in this mix 3–5 per cent of requests are then misses);
- readers: CLIENTS Python threads, each with a keep-alive connection, each sending one
  request every PACE seconds (50 people reading the portal at once), per kind of page.
Everything shares the machine's two cores: server, PostgreSQL, Redis and the load. Each
wrk run also prints the CPU time a request cost the server's processes, this database's
PostgreSQL backends and Redis (from /proc and Redis' INFO): on a shared machine the
latencies are not the server's own, the CPU per request nearly is.
Every measurement is repeated GONGKAI_BENCH_RUNS times (3), each time on a just-started
server with an emptied page cache (a new deployment), and printed run by run with the
load average, then min / median / max; the run says first whether the data is fresh.

Environment: GONGKAI_BENCH_ITEMS (1000000), GONGKAI_BENCH_CLIENTS (50),
GONGKAI_BENCH_SECONDS (20), GONGKAI_BENCH_WORKERS (one per core), GONGKAI_BENCH_THREADS (2),
GONGKAI_BENCH_PACE (1.0), GONGKAI_BENCH_FIRST_SECONDS_ONLY (1: only the catalogue's first
seconds with the page cache on, the hardest of the goals; for quick comparisons),
GONGKAI_BENCH_BY_KIND (1: only what making one page costs, by kind of page: wrk over
each kind alone with the page cache off, so that every request makes its page; the CPU
per request is nearly independent of the machine's load, unlike the latencies).
"""

import datetime as dt
import http.client
import importlib
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.db.models import Max, Min

BENCH_CODE = "BENCH"
COUNT = int(os.environ.get("GONGKAI_BENCH_ITEMS", 1_000_000))
CLIENTS = int(os.environ.get("GONGKAI_BENCH_CLIENTS", 50))
SECONDS = float(os.environ.get("GONGKAI_BENCH_SECONDS", 20))
# One process per core, two threads each: a second thread serves stored pages while the
# first waits for PostgreSQL. On 2 cores (cached catalogue and search pages at saturation,
# p95 in ms, runs vary by a third): 2 × 2 88–115, 2 × 1 77–304, 3 × 2 83–105, 4 × 1 122.
WORKERS = int(os.environ.get("GONGKAI_BENCH_WORKERS", 0)) or (os.cpu_count() or 1)
THREADS = int(os.environ.get("GONGKAI_BENCH_THREADS", 2))
PACE = float(os.environ.get("GONGKAI_BENCH_PACE", 1.0))  # seconds between a reader's requests
FIRST_SECONDS_ONLY = os.environ.get("GONGKAI_BENCH_FIRST_SECONDS_ONLY") == "1"
BY_KIND = os.environ.get("GONGKAI_BENCH_BY_KIND") == "1"
BY_KIND_SECONDS = 8
WARM_UP = 3.0
REBUILD_ABOVE = 100_000  # generate this many or more: drop and rebuild the search index
GOAL_P95_MS = 50
WORDS = (
    "户籍",
    "交通管制",
    "烟花爆竹",
    "出入境",
    "治安",
    "马拉松",
    "电动自行车",
    "开发区",
    "居住证",
    "消防",
    "禁毒",
    "诈骗",
    "警",
    "跨省通办",
    "养犬登记管理办法",
    "不存在的词语",
    "招录",
    "预算",
)
# kind: share of requests
MIX = {"first": 15, "deep": 15, "filter": 25, "search": 25, "item": 15, "home": 5}
CATALOGUE = ("first", "deep", "filter", "search")  # the pages the goal is about
ADDRESSES = 100_000  # addresses drawn per wrk run (each connection starts elsewhere)
WRK_LUA = Path(__file__).with_name("portal_wrk.lua")


def run():
    if connection.vendor != "postgresql":
        print("跳过门户基准：需要 PostgreSQL（DATABASE_URL=postgres://…），当前为 SQLite。")
        return
    if subprocess.run(["scripts/ensure-wrk"], cwd=settings.BASE_DIR).returncode != 0:
        return
    from gongkai.bench.data.items import ensure_agency
    from gongkai.bench.runner import RUNS, conditions

    agency = ensure_agency(BENCH_CODE)
    fresh = _ensure_items(agency)
    plan = _plan(agency)
    where = "Redis 共享" if os.environ.get("REDIS_URL") else "每进程内存"
    conditions(
        数据=(
            f"{COUNT} 条信息，本次新生成（表与索引刚写入）"
            if fresh
            else f"沿用已有的 {COUNT} 条信息（此前生成，已 VACUUM ANALYZE）"
        ),
        服务器=f"granian {WORKERS} 进程 × {THREADS} 线程（WSGI，keep-alive），DEBUG=0",
        负载=f"{CLIENTS} 个并发客户端，每轮 {BY_KIND_SECONDS if BY_KIND else SECONDS:g} 秒，"
        f"每项重复 {RUNS} 次（每次新启动服务器）",
        页面缓存=(
            f"关闭（每种页面单独测 {BY_KIND_SECONDS:g} 秒）"
            if BY_KIND
            else f"开启 30 秒（{where}），每次开始时清空（新部署的状态），只测最初几秒"
            if FIRST_SECONDS_ONLY
            else f"先关闭；再开启 30 秒（{where}），每次开始时清空（新部署的状态），"
            "先测最初几秒，再测持续承压超过一个缓存周期后"
        ),
    )
    if BY_KIND:
        _by_kind(plan)
        return
    caches = (("页面缓存关闭", 0), (f"页面缓存 30 秒（{where}）", 30))
    for label, cache_seconds in caches[1:] if FIRST_SECONDS_ONLY else caches:
        results = {}
        for attempt in range(RUNS):
            _empty_page_cache()
            with _server(cache_seconds) as server:
                for name, summary in _one_run(server, plan, cache_seconds, attempt):
                    results.setdefault(name, []).append(summary)
        for name, runs in results.items():
            _report_runs(f"{label}，{name}", runs)


def _by_kind(plan):
    """CPU per page made, by kind of page: each kind alone, page cache off."""
    from gongkai.bench.runner import RUNS

    results = {}
    for attempt in range(RUNS):
        with _server(0) as server:
            for kind in MIX:
                _wrk(server, plan, (kind,), 1, seed=attempt * 100 + 7)  # connections, plans
                summary = _wrk(server, plan, (kind,), BY_KIND_SECONDS, seed=attempt * 100 + 8)
                results.setdefault(kind, []).append(summary)
    for kind, runs in results.items():
        _report_runs(f"页面缓存关闭，每次请求都生成页面，只测{KIND_NAMES[kind]}", runs, goal=False)


KIND_NAMES = {
    "first": "目录第一页",
    "deep": "目录后续页",
    "filter": "筛选（其中四成带发布日期）",
    "search": "检索（其中三成带主题）",
    "item": "信息页",
    "home": "首页",
}


def _empty_page_cache():
    """A new deployment's page cache: nothing stored (the generation moves on; a server
    without REDIS_URL starts with an empty memory anyway)."""
    from gongkai.portal import pagecache

    pagecache.GENERATION.move_on()


def _one_run(server, plan, cache_seconds, attempt):
    """One run of every measurement on a just-started server: [(name, summary)]."""
    seed = attempt * 100
    out = []
    _wrk(server, plan, CATALOGUE, WARM_UP, seed=seed)
    first = f"，缓存启用后最初 {WARM_UP + SECONDS:g} 秒" if cache_seconds else ""
    out.append(
        (
            f"wrk 连续发送，目录与检索页{first}",
            _wrk(server, plan, CATALOGUE, SECONDS, seed=seed + 1),
        )
    )
    if FIRST_SECONDS_ONLY:
        return out
    if cache_seconds:
        # Steady state, as in service: the load has gone on for longer than one cache
        # lifetime, so pages are being stored and expiring at once.
        _wrk(server, plan, CATALOGUE, cache_seconds, seed=seed + 4)
        out.append(
            (
                "wrk 连续发送，目录与检索页，持续承压超过一个缓存周期后",
                _wrk(server, plan, CATALOGUE, SECONDS, seed=seed + 5),
            )
        )
    out.append(
        (
            "wrk 连续发送，全部页面（含信息页、首页）",
            _wrk(server, plan, tuple(MIX), SECONDS, seed=seed + 2),
        )
    )
    results, elapsed = _drive(server.port, plan, CLIENTS, SECONDS, seed=seed + 3, pace=PACE)
    out.append((f"每个客户端每 {PACE:g} 秒一次请求", _paced_summary(results, elapsed)))
    return out


# ---- data ----------------------------------------------------------------------------


def _ensure_items(agency):
    _search_sql = importlib.import_module("gongkai.portal.migrations.0003_search_months")
    from gongkai.bench.data.items import generate
    from gongkai.publications.models import Item

    have = Item.objects.filter(agency=agency).count()
    fresh = have < COUNT
    if not fresh:
        print(f"基准机关已有 {have} 条主动公开信息，跳过生成。", flush=True)
    else:
        todo = COUNT - have
        rebuild = todo >= REBUILD_ABOVE
        print(f"正在生成 {todo} 条信息（已有 {have} 条）……", flush=True)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            if rebuild:
                cursor.execute(_search_sql.DROP_SEARCH_INDEX)

        def progress(done, total):
            if done % 100_000 == 0 or done == total:
                rate = done / (time.perf_counter() - started)
                print(f"  已生成 {done}/{total} 条（{rate:.0f} 条/秒）", flush=True)

        generate(agency, todo, seed=have + 1, progress=progress)
        if rebuild:
            print("正在重建门户检索索引……", flush=True)
            begun = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '256MB'")
                cursor.execute(_search_sql.CREATE_SEARCH_INDEX)
            print(f"  索引重建用时 {time.perf_counter() - begun:.0f} 秒。", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(_search_sql.CREATE_SEARCH_INDEX)  # IF NOT EXISTS: a no-op when built
        # VACUUM too: a fresh million rows would otherwise bring autovacuum in mid-run.
        cursor.execute("VACUUM (ANALYZE) publications_item")
    return fresh


def _plan(agency):
    """Everything the clients choose from: cursors of deep pages, item ids, filters."""
    from gongkai.portal.search import cursor
    from gongkai.publications.models import Category, Genre, Item, Topic

    bounds = Item.objects.filter(agency=agency).aggregate(
        first=Min("published_at"), last=Max("published_at"), low=Min("id"), high=Max("id")
    )
    rng = random.Random(20260101)
    span = (bounds["last"] - bounds["first"]).total_seconds()
    cursors = [
        cursor(bounds["first"] + dt.timedelta(seconds=rng.random() * span), bounds["high"])
        for _ in range(500)
    ]
    return {
        "cursors": cursors,
        "ids": (bounds["low"], bounds["high"]),
        "topics": Topic.values,
        "genres": Genre.values,
        "categories": Category.values,
        "years": (bounds["first"].year, bounds["last"].year),
    }


def _url(kind, plan, rng):
    base = "/xxgk/catalogue/"
    if kind == "first":
        return base
    if kind == "deep":
        return f"{base}?{urlencode({'after': rng.choice(plan['cursors'])})}"
    if kind == "filter":
        query = {rng.choice(("topic", "genre", "category")): None}
        name = next(iter(query))
        query[name] = rng.choice(
            plan[{"topic": "topics", "genre": "genres"}.get(name, "categories")]
        )
        if rng.random() < 0.4:
            year = rng.randint(*plan["years"])
            month = rng.randint(1, 12)
            query["date_from"] = f"{year}-{month:02d}-01"
            query["date_to"] = f"{year}-{month:02d}-28"
        return f"{base}?{urlencode(query)}"
    if kind == "search":
        query = {"q": rng.choice(WORDS)}
        if rng.random() < 0.3:
            query["topic"] = rng.choice(plan["topics"])
        return f"{base}?{urlencode(query)}"
    if kind == "item":
        return f"/xxgk/items/{rng.randint(*plan['ids'])}/"
    return "/xxgk/"


# ---- server --------------------------------------------------------------------------


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _server(cache_seconds):
    port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-secret",
        # The server reads the ID numbers this process wrote (required when DEBUG=0).
        "PERSONAL_DATA_KEYS": ",".join(settings.PERSONAL_DATA_KEYS),
        "PERSONAL_DATA_SEARCH_KEY": settings.PERSONAL_DATA_SEARCH_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "PORTAL_AGENCY_CODE": BENCH_CODE,
        "PORTAL_CACHE_SECONDS": str(cache_seconds),
        "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
    }
    command = [
        sys.executable, "-m", "granian", "--interface", "wsgi",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(WORKERS),
        "--blocking-threads", str(THREADS), "--log-level", "warning",
        "gongkai.wsgi:application",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=Path(settings.BASE_DIR), env=env)
    try:
        _wait_until_up(port, process)
        yield Server(port, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(port, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("granian 启动失败（见上方输出）。")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/xxgk/")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("granian 在 60 秒内没有就绪。")


# ---- wrk (saturation) ----------------------------------------------------------------


def _wrk(server, plan, kinds, seconds, *, seed):
    """wrk over ADDRESSES addresses drawn from `kinds` (MIX weights); its summary as a dict,
    with the CPU time each request cost the server, PostgreSQL and Redis (cpu_*: ms)."""
    port = server.port
    rng = random.Random(seed)
    weights = [MIX[kind] for kind in kinds]
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as addresses:
        for _ in range(ADDRESSES):
            addresses.write(_url(rng.choices(kinds, weights)[0], plan, rng) + "\n")
        addresses.flush()
        command = [
            "wrk", "--threads", "1", "--connections", str(CLIENTS),
            "--duration", f"{seconds:g}s", "--timeout", "30s",
            "--script", str(WRK_LUA), f"http://127.0.0.1:{port}",
        ]  # fmt: skip
        env = {**os.environ, "GONGKAI_WRK_ADDRESSES": addresses.name}
        before = _cpu_ms(server.pid)
        output = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        used = _cpu_used(before, _cpu_ms(server.pid))
    line = next(row for row in output.stdout.splitlines() if row.startswith("GONGKAI "))
    names = ("requests", "micros", "p50", "p95", "p99", "max", "status_errors", "socket_errors")
    summary = dict(zip(names, map(int, line.split()[1:]), strict=True))
    seconds = summary["micros"] / 1e6
    from gongkai.bench.runner import load_average

    return {
        "rate": summary["requests"] / seconds,
        **{name: summary[name] / 1000 for name in ("p50", "p95", "p99", "max")},
        "errors": summary["status_errors"] + summary["socket_errors"],
        "requests": summary["requests"],
        "load": load_average(),
        **{
            f"cpu_{part}": ms / max(summary["requests"], 1)
            for part, ms in zip(("server", "postgresql", "redis"), used, strict=True)
        },
    }


class Server:
    """The bench's server: its address and its main process (granian's workers are its
    children)."""

    def __init__(self, port, pid):
        self.port, self.pid = port, pid


def _cpu_ms(server_pid):
    """CPU time used so far, in ms: ({pid: ms} of the server's processes, {pid: ms} of the
    PostgreSQL backends of this database, ms of the Redis server of REDIS_URL). Read from
    /proc (Linux) and Redis' INFO; empty or 0 where unknown. Per request, these say what
    a page costs on a machine whose wall-clock figures are not its own (load above 1)."""
    procs = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            title = stat.with_name("cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError, UnicodeDecodeError):
            continue
        ms = (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")
        procs[int(stat.parent.name)] = (int(fields[1]), ms, title)
    children = {}
    for pid, (parent, _ms, _title) in procs.items():
        children.setdefault(parent, []).append(pid)
    family, todo = set(), [server_pid]
    while todo:
        pid = todo.pop()
        family.add(pid)
        todo += children.get(pid, [])
    database = f" {settings.DATABASES['default']['NAME']} "
    backends = {
        pid: ms
        for pid, (_parent, ms, title) in procs.items()
        if title.startswith("postgres:") and database in title
    }
    return {pid: procs[pid][1] for pid in family if pid in procs}, backends, _redis_cpu_ms()


def _cpu_used(before, after):
    """(server, PostgreSQL, Redis) ms used between two _cpu_ms() readings; a process that
    ended in between is not counted (PostgreSQL backends close after CONN_MAX_AGE)."""
    return (
        *(
            sum(ms - was.get(pid, 0) for pid, ms in now.items())
            for was, now in zip(before[:2], after[:2], strict=True)
        ),
        after[2] - before[2],
    )


def _redis_cpu_ms():
    url = os.environ.get("REDIS_URL")
    if not url:
        return 0.0
    import redis

    try:
        info = redis.Redis.from_url(url, socket_timeout=2).info("cpu")
    except redis.RedisError:
        return 0.0
    return (info["used_cpu_user"] + info["used_cpu_sys"]) * 1000


def _report_runs(label, runs, *, goal=True):
    """Each run's line, then min / median / max over the runs; the goal by the median
    (unless not a measure of the goal)."""
    from gongkai.bench.runner import spread, spread_text

    print(f"【{label}】", flush=True)
    for n, r in enumerate(runs, 1):
        print(
            f"  第 {n} 次 {r['requests']:>7} 次  {r['rate']:>7.1f} 次/秒  p50 {r['p50']:>7.1f} ms  "
            f"p95 {r['p95']:>7.1f} ms  p99 {r['p99']:>7.1f} ms  max {r['max']:>7.1f} ms  "
            f"出错 {r['errors']}  负载 {r['load']}"
        )
        if "cpu_server" in r:
            print(
                f"        每次请求的 CPU：服务器 {r['cpu_server']:.2f} ms，"
                f"PostgreSQL {r['cpu_postgresql']:.2f} ms，Redis {r['cpu_redis']:.3f} ms"
            )
    if len(runs) > 1:
        print(
            f"  {len(runs)} 次（最小 / 中位 / 最大）：{spread_text([r['rate'] for r in runs])} 次/秒，"
            f"p95 {spread_text([r['p95'] for r in runs], ' ms')}，"
            f"p99 {spread_text([r['p99'] for r in runs], ' ms')}"
        )
        if all("cpu_server" in r for r in runs):
            print(
                "  每次请求的 CPU（最小 / 中位 / 最大）：服务器 "
                f"{spread_text([r['cpu_server'] for r in runs], ' ms', 2)}，PostgreSQL "
                f"{spread_text([r['cpu_postgresql'] for r in runs], ' ms', 2)}"
            )
    if not goal:
        return
    p95 = spread([r["p95"] for r in runs])[1]
    verdict = "达到" if p95 < GOAL_P95_MS else "未达到"
    print(f"  目标 p95 < {GOAL_P95_MS} ms：{verdict}（p95 中位数 {p95:.1f} ms）", flush=True)


# ---- clients -------------------------------------------------------------------------


def _drive(port, plan, clients, seconds, *, seed, pace):
    """Run `clients` paced readers for `seconds`; ([(kind, ms, ok)], elapsed seconds).

    Each client starts one request every `pace` seconds (a person reading pages),
    skipping ahead when it falls behind. (Back-to-back load is wrk's: _wrk.)
    """
    kinds, weights = list(MIX), list(MIX.values())
    results, lock = [], threading.Lock()
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(n):
        rng = random.Random(seed * 1000 + n)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        start.wait()
        due = time.perf_counter() + rng.random() * pace
        while time.perf_counter() < stop_at[0]:
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            due = max(due + pace, time.perf_counter())
            kind = rng.choices(kinds, weights)[0]
            url = _url(kind, plan, rng)
            began = time.perf_counter()
            try:
                conn.request("GET", url)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200 or (kind == "item" and response.status == 404)
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
            mine.append((kind, (time.perf_counter() - began) * 1000, ok))
        conn.close()
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - began


def _percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _paced_summary(results, elapsed):
    """The paced readers' run in the form of a wrk summary (all kinds together)."""
    from gongkai.bench.runner import load_average

    times = [ms for _k, ms, _ok in results] or [0.0]
    return {
        "rate": len(results) / elapsed,
        "p50": statistics.median(times),
        "p95": _percentile(times, 0.95),
        "p99": _percentile(times, 0.99),
        "max": max(times),
        "errors": sum(not ok for _k, _ms, ok in results),
        "requests": len(results),
        "load": load_average(),
    }
