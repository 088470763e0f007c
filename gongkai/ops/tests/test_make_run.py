"""`make run` (scripts/with-worker): the worker starts beside the development server,
does the day's jobs, and Ctrl-C stops both."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from gongkai.ops.tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[3]


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie left for its parent to collect counts as gone
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(") ")[1][0] != "Z"


def _group(pgid):
    return [
        int(p.name)
        for p in Path("/proc").iterdir()
        if p.name.isdigit() and _pgid(int(p.name)) == pgid
    ]


def _pgid(pid):
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def _django(env, code):
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django;django.setup()\nfrom gongkai.ops.models import JobRun\n" + code,
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "gongkai.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


@pytest.mark.long
def test_worker_beside_runserver_and_ctrl_c_stops_both(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GONGKAI_VAR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300
    )
    run = _django(env, "from gongkai.ops import tasks;print(tasks.enqueue_notice_mail().pk)")
    port = free_port()
    process = subprocess.Popen(
        [str(ROOT / "scripts/with-worker"), sys.executable, "manage.py", "runserver"]
        + [f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    try:
        deadline, ready = time.monotonic() + 120, None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as r:
                    ready = json.load(r)
                break
            except OSError:
                time.sleep(0.5)
        assert ready and ready["status"] == "ok"
        # the worker is running: the mail run queued before the start gets done
        deadline, status = time.monotonic() + 60, ""
        while time.monotonic() < deadline and status != "succeeded":
            status = _django(env, f"print(JobRun.objects.get(pk={run}).status)")
            time.sleep(0.5)
        assert status == "succeeded"
        members = _group(process.pid)
        assert len(members) >= 3  # the script, the worker, the server
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C in the terminal
        process.wait(timeout=30)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_alive(p) for p in members):
            time.sleep(0.2)
        assert not [p for p in members if _alive(p)]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
