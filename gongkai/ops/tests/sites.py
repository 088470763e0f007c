"""Whole gongkai sites in their own processes for the fault tests (`make faults`).

A site is a GONGKAI_VAR folder with a migrated SQLite database copied from one
session-wide template (migrated once), started as the production processes are:
granian (DEBUG=0) and `gongkai worker`, each in its own process group so a test can
kill -9 it. Everything listens on loopback only. Figures of each fault test
(tried / survived / lost) are written to var/faults/<test>.json.
"""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from gongkai.ops.tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[3]
AGENCY = "FAULTS"
OFFICE, PASSWORD = "fault_office", "pw-fault-office-1"
# Fixed keys for these throw-away sites (DEBUG=0 wants them; nothing real is encrypted).
FERNET = "bW9ja2tleS1ub3QtZm9yLXByb2R1Y3Rpb24tdXNlLTE="
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81"
    b"\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)

SETUP = f"""
import django
django.setup()
from django.core.management import call_command
from gongkai.agencies.models import Agency, Role
from gongkai.agencies.tests.factories import make_department, make_user
call_command("calendar", "load", verbosity=0)
agency = Agency.objects.create(code="{AGENCY}", name="故障测试市公安局")
office = make_user(agency, Role.OFFICE, username="{OFFICE}", department=make_department(agency))
office.set_password("{PASSWORD}")
office.save()
print("null")
"""


def env_for(var, **extra):
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "gongkai.settings",
        "GONGKAI_VAR": str(var),
        "DEBUG": "0",
        "SECRET_KEY": "faults-" + "x" * 40,
        "PERSONAL_DATA_KEYS": FERNET,
        "PERSONAL_DATA_SEARCH_KEY": "faults-search-key",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "ACCOUNTS_OTP_REQUIRED": "0",
        "INTAKE_RATE_LIMITS_ENABLED": "0",
        "INTAKE_MIN_FILL_SECONDS": "0",
        "TASKS_BACKEND": "database",
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("DATABASE_URL", "REDIS_URL", "S3_BUCKET", "EMAIL_HOST", "METRICS_TOKEN"):
        env.pop(name, None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


class Process:
    """A command in its own process group (kill -9 takes all of it)."""

    def __init__(self, command, env, log):
        self.command, self.env, self.log = command, env, log
        self.popen = None

    def start(self):
        with open(self.log, "ab") as out:
            self.popen = subprocess.Popen(
                self.command, cwd=ROOT, env=self.env, stdout=out, stderr=out,
                start_new_session=True,
            )  # fmt: skip
        return self

    def kill9(self):
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
        if self.popen:
            self.popen.wait(10)

    def stop(self):
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                self.kill9()


class Site:
    def __init__(self, var, env):
        self.var, self.env, self.processes = Path(var), env, []

    def sql(self, query, *params):
        """Rows of a read-only query on the site's SQLite database (no Django start-up)."""
        import sqlite3

        with sqlite3.connect(self.var / "gongkai.sqlite3", timeout=10) as db:
            return db.execute(query, params).fetchall()

    def python(self, code, *args):
        """Run `code` (django.setup() first) in a process of this site; its last stdout
        line parsed as JSON."""
        done = subprocess.run(
            [sys.executable, "-c", "import django,json\ndjango.setup()\n" + code, *args],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        lines = done.stdout.strip().splitlines()
        return json.loads(lines[-1]) if lines else None

    def web(self, port=None, **extra):
        port = port or free_port()
        command = [
            sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1",
            "--port", str(port), "--workers", "1", "--blocking-threads", "2",
            "--log-level", "warning", "gongkai.wsgi:application",
        ]  # fmt: skip
        process = Process(command, {**self.env, **extra}, self.var / f"web-{port}.log").start()
        process.port = port
        self.processes.append(process)
        wait_ready(port, process)
        return process

    def worker(self, **extra):
        command = [sys.executable, "manage.py", "worker", "--interval", "0.5"]
        process = Process(command, {**self.env, **extra}, self.var / "worker.log").start()
        self.processes.append(process)
        return process

    def close(self):
        for process in self.processes:
            process.stop()


def wait_ready(port, process=None, timeout=30, path="/healthz"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.popen.poll() is not None:
            raise RuntimeError(f"服务进程退出了：{process.log.read_text()[-2000:]}")
        try:
            status, _, _ = request(port, "GET", path, timeout=2)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{port} 端口的服务 {timeout} 秒内没有就绪")


def request(port, method, path, body=None, headers=None, timeout=20):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.msg, response.read()  # msg: headers, any case
    except http.client.HTTPException as error:
        raise OSError(str(error)) from error
    finally:
        conn.close()


@pytest.fixture(scope="session")
def site_template(tmp_path_factory):
    var = tmp_path_factory.mktemp("faults-template")
    env = env_for(var)
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    Site(var, env).python(SETUP)
    return var / "gongkai.sqlite3"


@pytest.fixture
def site(site_template, tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    shutil.copyfile(site_template, var / "gongkai.sqlite3")
    made = Site(var, env_for(var))
    yield made
    made.close()


def report(name, figures):
    """Write a fault test's figures to var/faults/<name>.json (and return them)."""
    out = ROOT / "var" / "faults"
    out.mkdir(parents=True, exist_ok=True)
    figures = {"test": name, "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **figures}
    (out / f"{name}.json").write_text(json.dumps(figures, ensure_ascii=False, indent=1))
    return figures


# ---- a browser-like client of the public application form ------------------------------

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_TOKEN = re.compile(r'name="challenge_token" value="([^"]+)"')
_QUESTION = re.compile(r'class="challenge-question">([^<]+)<')
_COOKIE = re.compile(r"(csrftoken|sessionid)=([^;]+)")


def _solve(question):
    from gongkai.bench.intake import _solve as solve

    return solve(question)


def multipart(fields, files=None):
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    for name, (filename, data, content_type) in (files or {}).items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Browser:
    """Cookies and CSRF as a browser keeps them, against any port of the site."""

    def __init__(self):
        self.cookies = {}

    def _headers(self, extra=None):
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**({"Cookie": cookie} if cookie else {}), **(extra or {})}

    def get(self, port, path):
        status, headers, body = request(port, "GET", path, headers=self._headers())
        self._keep(headers)
        return status, headers, body.decode(errors="replace")

    def post(self, port, path, fields, files=None):
        body, content_type = multipart(fields, files)
        headers = self._headers(
            {"Content-Type": content_type, "Referer": f"http://127.0.0.1:{port}{path}"}
        )
        status, got, data = request(port, "POST", path, body, headers)
        self._keep(got)
        return status, got, data.decode(errors="replace")

    def _keep(self, headers):
        for value in headers.get_all("Set-Cookie") or []:
            if m := _COOKIE.search(value):
                self.cookies[m[1]] = m[2]

    def login(self, port, username=OFFICE, password=PASSWORD):
        _, _, page = self.get(port, "/accounts/login/")
        status, headers, _ = self.post(
            port,
            "/accounts/login/",
            {"csrfmiddlewaretoken": _CSRF.search(page)[1], "username": username,
             "password": password},
        )  # fmt: skip
        return status, headers

    def apply(self, port, marker, *, with_file=False):
        """One online application; (status, marker)."""
        _, _, page = self.get(port, f"/xxgk/apply/?agency={AGENCY}")
        fields = {
            "csrfmiddlewaretoken": _CSRF.search(page)[1],
            "challenge_token": _TOKEN.search(page)[1],
            "challenge_answer": _solve(_QUESTION.search(page)[1]),
            "agency": AGENCY,
            "applicant_type": "natural_person",
            "person_name": "故障测试",
            "id_type": "居民身份证",
            "id_number": "11010519491231002X",
            "phone": "13800138000",
            "email": "",
            "address": "",
            "content": f"{marker}：申请公开本机关2025年道路交通事故统计数据",
            "form_wanted": "electronic",
            "business_type": "other",
            "declaration": "on",
            "website": "",
        }
        files = {"identity_file": ("身份证.png", PNG, "image/png")} if with_file else None
        status, _, _ = self.post(port, "/xxgk/apply/", fields, files)
        return status


def clients(port_of, n, stop, out, *, with_file=True):
    """n threads applying in a loop until `stop`; out: tried, acknowledged markers, failures."""
    lock = threading.Lock()

    def loop(i):
        browser, seq = Browser(), 0
        while not stop.is_set():
            seq += 1
            marker = f"fault-{i}-{seq}"
            try:
                status = browser.apply(port_of(), marker, with_file=with_file and seq % 2 == 0)
            except (OSError, TypeError):  # connection cut, or a page without the form
                status = None
            with lock:
                out["tried"] += 1
                if status == 303:
                    out["acknowledged"].append(marker)
                else:
                    out["failed"] += 1
            if status != 303:
                time.sleep(0.05)

    threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    return threads


CHECK_APPLICATIONS = f"""
from gongkai.attachments import storage
from gongkai.attachments.models import CaseAttachment
from gongkai.cases.models import Case
from gongkai.intake.models import SubmissionToken
rows = list(Case.objects.filter(agency__code="{AGENCY}", content__startswith="fault-")
            .values_list("pk", "content"))
tokens = set(SubmissionToken.objects.filter(case__in=[pk for pk, _ in rows])
             .values_list("case_id", flat=True))
attachments = list(CaseAttachment.objects.filter(case__agency__code="{AGENCY}")
                   .values_list("case_id", "stored_path", "sha256"))
import hashlib
broken = []
for case_id, path, digest in attachments:
    try:
        with storage.open_stored(path) as f:
            ok = hashlib.sha256(f.read()).hexdigest() == digest
    except OSError:
        ok = False
    if not ok:
        broken.append(path)
known = {{p for _, p, _ in attachments}}
orphans = [p for p in storage.walk("attachments") if p not in known]
print(json.dumps({{
    "markers": [c.split("：", 1)[0] for _, c in rows],
    "without_token": [pk for pk, _ in rows if pk not in tokens],
    "without_events": list(Case.objects.filter(pk__in=[pk for pk, _ in rows], events__isnull=True)
                           .values_list("pk", flat=True)),
    "attachments": len(attachments),
    "broken_files": broken,
    "orphan_files": len(orphans),
}}))
"""


# ---- a mail server that can hang -------------------------------------------------------


class SmtpSink:
    """A minimal SMTP server on loopback. A message counts as delivered only once the
    server has answered 250 to its data, as a real server does. hold_first: the first
    message's data is received, then the answer is withheld (the sender hangs in the
    middle of the job) until release() or the connection is cut."""

    def __init__(self, hold_first=False):
        self.port = free_port()
        self.delivered, self.lock = [], threading.Lock()
        self.holding, self.release_event = threading.Event(), threading.Event()
        self.hold = hold_first
        self.server = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def release(self):
        self.release_event.set()

    def close(self):
        self.release_event.set()
        self.server.close()

    def _accept(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _wait_alive(self, conn):
        """Wait for release(); False as soon as the sender has gone."""
        deadline = time.monotonic() + 30
        while not self.release_event.wait(0.05) and time.monotonic() < deadline:
            try:
                if conn.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b"":
                    return False
            except BlockingIOError:
                continue
            except OSError:
                return False
        return True

    def _session(self, conn):
        reader = conn.makefile("rb")

        def say(line):
            conn.sendall(line.encode() + b"\r\n")

        try:
            say("220 sink ESMTP")
            recipients = []
            while line := reader.readline():
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    say("250 sink")
                elif verb == b"MAIL":
                    recipients = []
                    say("250 ok")
                elif verb == b"RCPT":
                    recipients.append(line.split(b"<", 1)[1].split(b">", 1)[0].decode())
                    say("250 ok")
                elif verb == b"DATA":
                    say("354 go on")
                    while (data := reader.readline()) not in (b".\r\n", b""):
                        pass
                    if data == b"":
                        return
                    with self.lock:
                        hold, self.hold = self.hold, False
                    if hold:
                        self.holding.set()
                        if not self._wait_alive(conn):
                            return  # the sender died before our answer: not accepted
                    say("250 queued")
                    with self.lock:
                        self.delivered += recipients
                elif verb == b"QUIT":
                    say("221 bye")
                    return
                else:
                    say("250 ok")
        except OSError:
            return
        finally:
            conn.close()


MAIL_SETUP = f"""
import datetime as dt
from django.utils import timezone
from gongkai.agencies.models import Agency, Role
from gongkai.agencies.tests.factories import make_user
from gongkai.cases.tests.factories import make_case
from gongkai.ops import tasks
from gongkai.supervision.models import Notice
agency = Agency.objects.get(code="{AGENCY}")
registrar = make_user(agency, Role.REGISTRAR, username="fault_registrar")
case = make_case(agency, registrar)
people = []
for i in range(3):
    user = make_user(agency, Role.OFFICE, username=f"fault_mail_{{i}}")
    user.email = f"handler{{i}}@example.org"
    user.save()
    Notice.objects.create(recipient=user, case=case, kind="overdue", message="已超期",
                          created_on=timezone.localdate())
    people.append(user.email)
run = tasks.enqueue_notice_mail()
print(json.dumps({{"run": run.pk, "people": people}}))
"""

MAIL_STATE = """
from gongkai.ops.models import JobRun
from gongkai.supervision.models import Notice
runs = list(JobRun.objects.filter(job="notice_mail").order_by("pk")
            .values("pk", "status", "attempt", "error"))
print(json.dumps({"runs": runs,
                  # the setup's notices only (their message is exactly "已超期"): the new
                  # worker's own daily 逾期预警 run may add notices of its own meanwhile
                  "unsent": Notice.objects.filter(emailed_at__isnull=True, message="已超期")
                                          .count()}))
"""


# ---- a cuttable line to the database -----------------------------------------------------


class Proxy:
    """A TCP relay on loopback in front of the database. cut() closes it and every
    connection through it (as a database restart does: clients see their connections
    dropped, then connection refused); restore() listens again on the same port."""

    def __init__(self, host, port):
        self.target, self.port = (host, int(port)), free_port()
        self.sockets, self.lock, self.server = [], threading.Lock(), None
        self.restore()

    def restore(self):
        self.server = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self.server,), daemon=True).start()

    def cut(self):
        try:
            self.server.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        except OSError:
            pass
        self.server.close()
        with self.lock:
            for s in self.sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self.sockets = []

    def _accept(self, server):
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
