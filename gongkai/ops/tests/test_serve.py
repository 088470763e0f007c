"""`make serve` (scripts/serve): with DEBUG=0, Redis, the object store and the RQ queue it
brings up the web server and the worker; readyz sees all four; SIGTERM stops both."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from gongkai.ops.tests.s3 import s3_server  # noqa: F401
from gongkai.ops.tests.sites import (
    ROOT,
    free_port,
    request,
    site,  # noqa: F401
    site_template,  # noqa: F401
)

pytestmark = pytest.mark.faults


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = f"/proc/{pid}/stat"
    return os.path.exists(stat) and open(stat).read().split(") ")[1][0] != "Z"


def test_make_serve_starts_web_and_worker_with_debug_off(site, redis_server, s3_server):  # noqa: F811
    bucket = s3_server.new_bucket()
    port = free_port()
    site.env.update({"REDIS_URL": redis_server.url, "TASKS_BACKEND": "rq", **s3_server.env(bucket)})
    env = {**site.env, "PY": sys.executable, "PORT": str(port), "WEB_PROCESSES": "1"}
    env.pop("DEBUG", None)  # scripts/serve sets DEBUG=0 itself
    with open(site.var / "serve.log", "wb") as log:
        serve = subprocess.Popen(
            [str(ROOT / "scripts/serve")], cwd=ROOT, env=env, stdout=log, stderr=log,
            start_new_session=True,
        )  # fmt: skip
    try:
        deadline, ready = time.monotonic() + 90, None
        while time.monotonic() < deadline and serve.poll() is None:
            try:
                status, _, body = request(port, "GET", "/readyz", timeout=5)
                if status == 200:
                    ready = json.loads(body)
                    break
            except OSError:
                pass
            time.sleep(0.3)
        assert ready, (site.var / "serve.log").read_text()[-3000:]
        checks = ready["checks"]
        assert checks["queue"]["backend"] == "rq" and checks["storage"]["backend"] == "s3"
        assert checks["cache"]["ok"] and checks["database"]["ok"]
        # DEBUG is off: an unknown page is the plain 404 page, no debug information
        status, _, body = request(port, "GET", "/no-such-page/")
        assert status == 404 and b"Technical" not in body and b"URLconf" not in body
        # collected static files are served by granian
        assert request(port, "GET", "/static/admin/css/base.css")[0] == 200
        # the worker beside it runs queued work (here through Redis/RQ)
        run = site.python("from gongkai.ops import tasks\nprint(tasks.enqueue_notice_mail().pk)")
        query = "SELECT status FROM ops_jobrun WHERE id = ?"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and site.sql(query, run) != [("succeeded",)]:
            time.sleep(0.3)
        assert site.sql(query, run) == [("succeeded",)], (site.var / "serve.log").read_text()[
            -3000:
        ]
        members = [
            int(p) for p in os.listdir("/proc") if p.isdigit() and _pgid(int(p)) == serve.pid
        ]
        assert len(members) >= 3  # the script, the worker, granian (and its process)
        os.killpg(serve.pid, signal.SIGTERM)  # as systemd stops it
        serve.wait(30)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_alive(p) for p in members):
            time.sleep(0.2)
        assert not [p for p in members if _alive(p)]
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait()


def _pgid(pid):
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None
