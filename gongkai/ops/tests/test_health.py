"""/healthz, /readyz, /metrics and LOG_FORMAT=json."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from gongkai.agencies.models import Role
from gongkai.agencies.tests.factories import make_agency, make_department, make_user
from gongkai.ops.logs import JsonFormatter

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


def test_healthz_answers_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_checks_database_cache_and_queue(client):
    body = client.get("/readyz").json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["cache"] == {"ok": True}
    assert body["checks"]["queue"] == {
        "ok": True,
        "backend": "database",
        "waiting_over_15_minutes": 0,
    }
    assert body["checks"]["storage"] == {"ok": True, "backend": "local"}


def test_readyz_is_503_when_the_media_folder_is_not_writable(client, settings, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    settings.MEDIA_ROOT = locked / "media"
    if os.access(locked, os.W_OK):  # root ignores the mode bits
        pytest.skip("以 root 运行时目录权限不起作用，无法构造不可写的文件目录。")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "不可写" in response.json()["checks"]["storage"]["error"]


def test_readyz_is_503_when_the_cache_is_unusable(client, settings):
    # a real cache that keeps nothing: written values cannot be read back
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["checks"]["cache"]["ok"] is False
    assert "缓存写入后读不回来" in body["checks"]["cache"]["error"]
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db(transaction=True)  # runs the worker, which closes connections
def test_metrics_count_requests_and_jobs(client):
    call_command("worker", "--batch", "--at", "2024-03-22T07:30")
    client.get("/healthz")
    text = client.get("/metrics", REMOTE_ADDR="127.0.0.1").text
    assert 'gongkai_http_requests_total{method="GET",status="2xx",view="ops:healthz"}' in text
    assert 'gongkai_http_request_seconds_bucket{le="0.005",method="GET",view="ops:healthz"}' in text
    assert 'gongkai_job_runs{job="notify",status="succeeded"} 1.0' in text
    assert 'gongkai_job_last_success_timestamp_seconds{job="notify"}' in text


def test_metrics_only_for_loopback_or_the_token(client, settings):
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.8").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    settings.METRICS_TOKEN = "s3cret-token"
    # with a token set, loopback alone is not enough (a proxy on the same machine)
    refused = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert refused.status_code == 403 and "METRICS_TOKEN" in refused.text
    wrong = client.get("/metrics", REMOTE_ADDR="10.0.0.8", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 403
    ok = client.get("/metrics", REMOTE_ADDR="10.0.0.8", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert ok.status_code == 200 and "gongkai_http_requests_total" in ok.text


@pytest.mark.parametrize("role", [*Role.values, "anonymous"])
def test_every_role_gets_health_and_no_metrics_from_outside(client, role):
    if role != "anonymous":
        agency = make_agency()
        client.force_login(make_user(agency, role, department=make_department(agency)))
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.1").status_code == 403


def test_json_log_lines():
    try:
        raise ValueError("坏了")
    except ValueError:
        record = logging.LogRecord(
            "gongkai.ops", logging.ERROR, __file__, 1, "任务 %s 失败", ("notify",), sys.exc_info()
        )
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "ERROR" and line["logger"] == "gongkai.ops"
    assert line["message"] == "任务 notify 失败" and "ValueError: 坏了" in line["exception"]


def test_log_format_json_setting_makes_the_console_json(tmp_path):
    env = {
        **os.environ,
        "LOG_FORMAT": "json",
        "GONGKAI_VAR": str(tmp_path),
        "PYTHONPATH": str(ROOT),
    }
    code = "import django,logging;django.setup();logging.getLogger('gongkai.ops').warning('检查 %d', 1)"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "gongkai.settings"},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    line = json.loads(done.stderr.strip().splitlines()[-1])
    assert line["message"] == "检查 1" and line["level"] == "WARNING"


def test_a_database_outage_is_a_chinese_503_page_other_errors_stay_500(settings):
    from django.test import Client

    settings.ROOT_URLCONF = "gongkai.ops.tests.urls_down"
    client = Client(raise_request_exception=False)
    down = client.get("/down/")
    assert down.status_code == 503 and down["Retry-After"] == "30"
    assert "系统暂时无法服务（503）" in down.text and "连接不上数据库" in down.text
    bug = client.get("/bug/")
    assert bug.status_code == 500 and "系统出错（500）" in bug.text
