"""TASKS_BACKEND=rq: the same jobs through Redis and RQ's worker (a real redis-server;
its own processes, since the backend is chosen when the settings load)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _manage(env, *args):
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.mark.long
def test_rq_worker_runs_the_daily_jobs_and_readyz_sees_redis(redis_server, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GONGKAI_VAR": str(tmp_path)}
    env.update(
        TASKS_BACKEND="rq", REDIS_URL=redis_server.url, DJANGO_SETTINGS_MODULE="gongkai.settings"
    )
    env.pop("DATABASE_URL", None)  # a fresh SQLite file of its own
    assert _manage(env, "migrate", "-v0").returncode == 0
    done = _manage(env, "worker", "--batch", "--at", "2024-03-22T07:30")
    assert done.returncode == 0, done.stderr[-2000:]
    code = (
        "import django;django.setup()\n"
        "from gongkai.ops.models import JobRun\n"
        "from django.test import Client\n"
        "print(sorted((r.job, r.status) for r in JobRun.objects.all()))\n"
        "print(Client().get('/readyz').json()['checks']['queue'])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    runs, queue = out.stdout.strip().splitlines()[-2:]
    assert runs == str(
        sorted(
            [
                ("attachments_sweep", "succeeded"),
                ("clear_sessions", "succeeded"),
                ("notice_mail", "succeeded"),
                ("notify", "succeeded"),
            ]
        )
    )
    assert queue == "{'ok': True, 'backend': 'rq'}"
