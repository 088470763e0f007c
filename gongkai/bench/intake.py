"""Online applications under load (`make bench`): a real server, real HTTP, PostgreSQL.

Starts gongkai on loopback (granian when it is installed, else a pre-forked
stdlib wsgiref server) with the rate limits and the minimum fill time turned off
(INTAKE_RATE_LIMITS_ENABLED=0, INTAKE_MIN_FILL_SECONDS=0) and DEBUG=0. CLIENTS
concurrent clients each loop for SECONDS: GET /xxgk/apply/, read the CSRF token,
the challenge token and the question (in Chinese) from the page, solve it, POST a
complete application (multipart, as a browser sends it; no file). Every 10th
form (each client's 1st, 11th, …) is posted a second time with the same token,
which must give the same receipt and create nothing. Then every submission is checked in the database:
each stored exactly once, the count equal to the successful responses, the
tracking numbers unique. Goal (issue 5): ≥ 100 submissions/s. The load is repeated
GONGKAI_BENCH_RUNS times (3) on the same server; each run is printed with the load
average and the CPU each submission took (server, database, client: from /proc), then
min / median / max; first the conditions (how many applications the database holds).
"""

import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid

from django.conf import settings
from django.db import connection

BENCH_CODE = "INTAKEBENCH"
CLIENTS = int(os.environ.get("GONGKAI_BENCH_INTAKE_CLIENTS", 32))
SECONDS = float(os.environ.get("GONGKAI_BENCH_INTAKE_SECONDS", 20))
# One thread per process: a thread holding the agency row lock (numbering) must not wait
# for the GIL behind other threads of its process (a lock convoy: ~7 submissions/s).
# One process per core: granian reads and writes HTTP outside Python, so more processes
# only compete for the cores (2 cores: 2 processes 150/s, 3 136/s, 5 129/s).
WORKERS = int(os.environ.get("GONGKAI_BENCH_INTAKE_WORKERS", 0)) or (os.cpu_count() or 1)
REPEAT_EVERY = 10
GOAL = 100

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_TOKEN = re.compile(r'name="challenge_token" value="([^"]+)"')
_QUESTION = re.compile(r'class="challenge-question">([^<]+)<')
_COOKIE = re.compile(r"csrftoken=([^;]+)")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_command(port):
    wanted = os.environ.get("GONGKAI_BENCH_INTAKE_SERVER", "")  # "wsgiref" forces the fallback
    if wanted != "wsgiref" and _has("granian"):
        command = [
            sys.executable, "-m", "granian", "--interface", "wsgi",
            "--host", "127.0.0.1", "--port", str(port), "--workers", str(WORKERS),
            "--blocking-threads", "1", "--backlog", "1024", "--log-level", "warning",
            "gongkai.wsgi:application",
        ]  # fmt: skip
        return f"granian（WSGI），{WORKERS} 个进程 × 1 线程", command
    return (
        f"wsgiref 多线程服务器（预先分叉 {WORKERS} 个进程）",
        [sys.executable, "-m", "gongkai.bench.intake", "serve", str(port), str(WORKERS)],
    )


def _has(module):
    import importlib.util

    return importlib.util.find_spec(module) is not None


def _wait_for(port, process, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("服务器启动失败")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("服务器在 30 秒内没有启动")


# ---- the client ----------------------------------------------------------------------


def _solve(question):
    from gongkai.intake.checks import parse_answer

    m = re.search(r"(.+?)(加|减)(.+?)等于多少", question)
    a, b = parse_answer(m[1]), parse_answer(m[3])
    return str(a + b if m[2] == "加" else a - b)


def _multipart(fields):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        )
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts).encode(), f"multipart/form-data; boundary={boundary}"


class Client:
    def __init__(self, port, run_id, n):
        self.port, self.run_id, self.n = port, run_id, n
        self.conn = None
        self.cookie = ""
        self.seq = 0

    def _request(self, method, path, body=None, headers=None):
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                response = self.conn.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return response, data
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def form(self):
        headers = {"Cookie": f"csrftoken={self.cookie}"} if self.cookie else {}
        response, data = self._request("GET", f"/xxgk/apply/?agency={BENCH_CODE}", None, headers)
        html = data.decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            if m := _COOKIE.search(header):
                self.cookie = m[1]
        return {
            "csrfmiddlewaretoken": _CSRF.search(html)[1],
            "challenge_token": _TOKEN.search(html)[1],
            "challenge_answer": _solve(_QUESTION.search(html)[1]),
        }

    def submit(self, tokens):
        self.seq += 1
        marker = f"bench {self.run_id} {self.n}-{self.seq}"
        fields = {
            **tokens,
            "agency": BENCH_CODE,
            "applicant_type": "natural_person",
            "person_name": "基准测试",
            "id_type": "居民身份证",
            "id_number": "11010519491231002X",
            "phone": "13800138000",
            "email": "",
            "address": "",
            "content": marker + "：申请公开本机关2025年道路交通事故统计数据",
            "form_wanted": "electronic",
            "business_type": "traffic",
            "declaration": "on",
            "website": "",
        }
        body, content_type = _multipart(fields)
        headers = {"Content-Type": content_type, "Cookie": f"csrftoken={self.cookie}"}
        response, _ = self._request("POST", "/xxgk/apply/", body, headers)
        return response.status, marker, (body, headers)

    def repost(self, saved):
        response, _ = self._request("POST", "/xxgk/apply/", *saved)
        return response.status


def _client_loop(client, deadline, out, lock):
    posts, cycles, ok, failed, repeats, repeat_failed, markers = [], [], 0, 0, 0, 0, []
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            tokens = client.form()
            posted = time.perf_counter()
            status, marker, saved = client.submit(tokens)
        except Exception:  # noqa: BLE001 - a failed request counts as a failure
            failed += 1
            continue
        done = time.perf_counter()
        if status == 303:
            ok += 1
            markers.append(marker)
            posts.append(done - posted)
            cycles.append(done - started)
            if client.seq % REPEAT_EVERY == 1:
                repeats += 1
                if client.repost(saved) != 303:
                    repeat_failed += 1
        else:
            failed += 1
    with lock:
        out["posts"] += posts
        out["cycles"] += cycles
        out["ok"] += ok
        out["failed"] += failed
        out["repeats"] += repeats
        out["repeat_failed"] += repeat_failed
        out["markers"] += markers


def _pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))] if values else 0


# ---- CPU accounting (Linux /proc): what one submission costs, whatever else runs ----
#
# The server's processes and the database's backends are sampled every SAMPLE_SECONDS
# during a run, and each process's own growth is summed. A database backend does not
# live as long as the run: the server closes a connection after CONN_MAX_AGE (60 s) and
# opens another. Comparing the sum over the backends alive at the start with the sum
# over those alive at the end lost every ended backend's whole CPU time and counted
# every new one in full (a negative figure when a busy backend had ended). Now an ended
# backend counts up to its last sample (at most SAMPLE_SECONDS of it is missed), a new
# one from zero.

SAMPLE_SECONDS = 0.5


def _process_cpu(pid):
    """(start time, CPU seconds) of process `pid` from /proc, or None once it has ended."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    # after the command: [0] state … [11] utime, [12] stime … [19] starttime
    return int(fields[19]), (int(fields[11]) + int(fields[12])) / ticks


def _group_pids(pgid):
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rpartition(")")[2].split()[2]) == pgid:
                        pids.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return pids


def _database_pids(cursor):
    """The client backends of this database, except the sampler's own."""
    cursor.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
    )
    return [row[0] for row in cursor.fetchall()]


class CpuMeter:
    """CPU seconds used during a run by the server's processes (process group
    `server_pgid`), the database's backends and this process (the clients)."""

    def __init__(self, server_pgid):
        self.server_pgid = server_pgid
        self.server_pids = None  # listed at the first and the last sample (a scan of /proc)
        self.seen = {"server": {}, "database": {}}  # kind -> {(pid, start): [first, last]}
        self.started = set()  # processes alive at the first sample
        self.ready, self.stopping = threading.Event(), threading.Event()
        self.failed = False
        self.thread = threading.Thread(target=self._sample_until_stopped, daemon=True)

    def start(self):
        """Returns after the first sample (every process alive then counts from it)."""
        self.own = os.times()
        self.thread.start()
        self.ready.wait()

    def stop(self):
        """{server, database, client}: CPU seconds, or None without /proc or database."""
        self.stopping.set()
        self.thread.join()
        if self.failed:
            return None
        own = os.times()
        out = {kind: _growth(seen, self.started) for kind, seen in self.seen.items()}
        out["client"] = own.user + own.system - self.own.user - self.own.system
        return out

    def _sample_until_stopped(self):
        try:
            self._sample(first=True)
            self.ready.set()
            while not self.stopping.wait(SAMPLE_SECONDS):
                self._sample()
            self.server_pids = None
            self._sample()
        finally:
            self.ready.set()
            connection.close()  # this thread's own connection

    def _pids(self):
        with connection.cursor() as cursor:
            database = _database_pids(cursor)
        if self.server_pids is None:
            self.server_pids = _group_pids(self.server_pgid)
        return {"server": self.server_pids, "database": database}

    def _sample(self, first=False):
        try:
            pids = self._pids()
        except Exception:  # noqa: BLE001 - no /proc or a remote database: no accounting
            self.failed = True
            return
        for kind, kind_pids in pids.items():
            for pid in kind_pids:
                found = _process_cpu(pid)
                if found is None:  # ended since it was listed
                    continue
                key = (pid, found[0])
                entry = self.seen[kind].setdefault(key, [found[1], found[1]])
                entry[1] = found[1]
                if first:
                    self.started.add(key)


def _growth(seen, started):
    """CPU seconds the processes `seen` ({(pid, start): [first, last sample]}) used between
    the first sample and their last: those in `started` (alive at the first sample) from
    their first sample, the others (started later) from zero."""
    return sum(last - (first if key in started else 0) for key, (first, last) in seen.items())


def _load(port, run_id, server_pgid):
    out = {"posts": [], "cycles": [], "ok": 0, "failed": 0, "repeats": 0, "repeat_failed": 0}
    out["markers"] = []
    lock = threading.Lock()
    # Warm-up: one full cycle per client process path (imports, connections).
    warm = Client(port, f"{run_id}-warm", 0)
    for _ in range(5):
        warm.submit(warm.form())
    meter = CpuMeter(server_pgid)
    meter.start()
    started = time.monotonic()
    deadline = started + SECONDS
    threads = [
        threading.Thread(target=_client_loop, args=(Client(port, run_id, n), deadline, out, lock))
        for n in range(CLIENTS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out["elapsed"] = time.monotonic() - started
    out["cpu"] = meter.stop()
    return out


# ---- checking what was stored --------------------------------------------------------


def _verify(agency, run_id, out):
    from gongkai.cases.models import Case
    from gongkai.intake.models import SubmissionToken

    rows = list(
        Case.objects.filter(agency=agency, content__startswith=f"bench {run_id} ").values_list(
            "content", "tracking_number", "status", "channel"
        )
    )
    markers = [content.split("：", 1)[0] for content, *_ in rows]
    numbers = {number for _, number, *_ in rows}
    tokens = SubmissionToken.objects.filter(
        case__agency=agency, case__content__startswith=f"bench {run_id} "
    ).count()
    expected = set(out["markers"])
    problems = []
    if len(rows) != out["ok"]:
        problems.append(f"数据库中 {len(rows)} 件，成功响应 {out['ok']} 次")
    if len(set(markers)) != len(markers):
        problems.append("有申请被重复保存")
    if set(markers) != expected:
        problems.append(f"{len(expected - set(markers))} 件成功提交的申请没有找到")
    if len(numbers) != len(rows):
        problems.append("受理编号有重复")
    if tokens != len(rows):
        problems.append(f"表单令牌 {tokens} 个，申请 {len(rows)} 件")
    if any(
        status != "awaiting_confirmation" or channel != "online" for *_, status, channel in rows
    ):
        problems.append("有申请不是“网络 / 待确认”")
    return len(rows), problems


def run():
    if connection.vendor != "postgresql":
        print("网上申请基准测试需要 PostgreSQL：请设置 DATABASE_URL=postgres://… 后再运行。")
        return
    from gongkai.agencies.models import Agency
    from gongkai.bench.runner import RUNS, conditions
    from gongkai.cases.models import Case

    agency, _ = Agency.objects.get_or_create(
        code=BENCH_CODE, defaults={"name": "网上申请基准测试市公安局"}
    )
    earlier = Case.objects.filter(agency=agency).count()
    port = _free_port()
    label, command = _server_command(port)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gongkai.settings",
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        # The server reads the ID numbers this process wrote (required when DEBUG=0).
        "PERSONAL_DATA_KEYS": ",".join(settings.PERSONAL_DATA_KEYS),
        "PERSONAL_DATA_SEARCH_KEY": settings.PERSONAL_DATA_SEARCH_KEY,
        "INTAKE_RATE_LIMITS_ENABLED": "0",
        "INTAKE_MIN_FILL_SECONDS": "0",
        "PYTHONUNBUFFERED": "1",
    }
    conditions(
        数据=(
            f"基准机关已有 {earlier} 件申请（此前运行留下）"
            if earlier
            else "基准机关还没有申请（新库）"
        ),
        服务器=f"{label}，DEBUG=0；限流与最短填写时间关闭，验证题由客户端读取页面题目解答",
        缓存="Redis（REDIS_URL）"
        if os.environ.get("REDIS_URL")
        else "每进程内存（未设 REDIS_URL）",
        负载=f"{CLIENTS} 个并发客户端，每次 {SECONDS:g} 秒，重复 {RUNS} 次（同一服务器，先预热）",
    )
    server = subprocess.Popen(command, env=env, start_new_session=True)
    runs = []
    try:
        _wait_for(port, server)
        for n in range(1, RUNS + 1):
            run_id = uuid.uuid4().hex[:8]
            out = _load(port, run_id, server.pid)
            out["load"] = os.getloadavg()[0]
            stored, problems = _verify(agency, run_id, out)
            _report_run(n, out, stored, problems)
            runs.append(out)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    _report_spread(runs)


def _rate(out):
    return out["ok"] / out["elapsed"]


def _cpu_each(out):
    """ms of CPU per stored submission: {server, database, client}, or None."""
    if not out.get("cpu") or not out["ok"]:
        return None
    return {k: v / out["ok"] * 1000 for k, v in out["cpu"].items()}


def _report_run(n, out, stored, problems):
    posts = [t * 1000 for t in out["posts"]] or [0.0]
    cycles = [t * 1000 for t in out["cycles"]] or [0.0]
    print(
        f"【第 {n} 次】提交成功 {out['ok']} 件，失败 {out['failed']} 次，用时 {out['elapsed']:.1f} 秒："
        f"{_rate(out):.0f} 件/秒；系统负载 {out['load']:.1f}"
    )
    print(
        f"  提交（POST）延迟 p50 {statistics.median(posts):.0f} 毫秒，p95 {_pct(posts, 95):.0f} 毫秒；"
        f"打开表单+提交 p50 {statistics.median(cycles):.0f} 毫秒，p95 {_pct(cycles, 95):.0f} 毫秒"
    )
    cpu = _cpu_each(out)
    if cpu:
        print(
            f"  每件提交耗 CPU {sum(cpu.values()):.1f} 毫秒（服务器 {cpu['server']:.1f}，"
            f"数据库 {cpu['database']:.1f}，客户端 {cpu['client']:.1f}）"
        )
    print(
        f"  同一表单重复提交 {out['repeats']} 次，"
        f"{out['repeats'] - out['repeat_failed']} 次得到原回执（其余 {out['repeat_failed']} 次异常）"
    )
    if problems:
        print("  核对未通过：" + "；".join(problems), flush=True)
    else:
        print(
            f"  核对通过：{stored} 件申请各保存一次，数量与成功响应一致，受理编号无重复，"
            "重复提交未新增。",
            flush=True,
        )


def _report_spread(runs):
    from gongkai.bench.runner import spread, spread_text

    if not runs:
        return
    rates = [_rate(out) for out in runs]
    print(f"【{len(runs)} 次（最小 / 中位 / 最大）】")
    print(f"  {spread_text(rates, ' 件/秒', 0)}")
    cpus = [c for c in map(_cpu_each, runs) if c]
    if cpus:
        each = [sum(c.values()) for c in cpus]
        cores = os.cpu_count() or 1
        print(
            f"  每件 CPU {spread_text(each, ' 毫秒')}（其中服务器 "
            f"{spread_text([c['server'] for c in cpus], ' 毫秒')}）；本机 {cores} 核全部空闲时按"
            f" CPU 中位数估算上限约 {cores * 1000 / spread(each)[1]:.0f} 件/秒"
            "（不计同一机关编号行锁的排队）"
        )
    rate = spread(rates)[1]
    verdict = "达到" if rate >= GOAL else "未达到"
    print(f"  目标 ≥ {GOAL} 件/秒：{verdict}（中位数 {rate:.0f} 件/秒）", flush=True)


# ---- fallback server: pre-forked wsgiref with threads --------------------------------


def serve(port, workers):
    """Bind once, fork `workers` processes, each a threading wsgiref server (no granian)."""
    import socketserver
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    class Server(socketserver.ThreadingMixIn, WSGIServer):
        daemon_threads = True
        request_queue_size = 1024

    server = Server(("127.0.0.1", port), Quiet, bind_and_activate=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
    children = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:
            from gongkai.wsgi import application

            server.set_app(application)
            server.serve_forever()
            os._exit(0)
        children.append(pid)

    def stop(*_):
        for pid in children:
            os.kill(pid, signal.SIGTERM)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    for pid in children:
        os.waitpid(pid, 0)


if __name__ == "__main__" and sys.argv[1:2] == ["serve"]:
    serve(int(sys.argv[2]), int(sys.argv[3]))
