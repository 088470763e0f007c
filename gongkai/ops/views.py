"""/healthz (the process answers), /readyz (database, cache, queue, file storage), /metrics (Prometheus).

No login: a load balancer asks them. /metrics only with METRICS_TOKEN, or from loopback
when no token is set.
"""

import datetime as dt
import hmac
import ipaddress
import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.views.decorators.cache import never_cache

from gongkai.ops import metrics


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache():
    key, value = "ops:readyz:" + get_random_string(8), get_random_string(8)
    cache.set(key, value, 10)
    got = cache.get(key)
    cache.delete(key)
    if got != value:
        raise RuntimeError("缓存写入后读不回来")


def _queue():
    """The queue's backend answers; with the database queue, tasks are not stuck."""
    from django.tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    backend = task_backends["default"]
    if isinstance(backend, DatabaseBackend):
        stale = timezone.now() - dt.timedelta(minutes=15)
        waiting = DBTaskResult.objects.filter(status="READY", enqueued_at__lt=stale)
        return {"backend": "database", "waiting_over_15_minutes": waiting.count()}
    if settings.TASKS_BACKEND == "rq":
        import django_rq

        django_rq.get_connection("default").ping()
        return {"backend": "rq"}
    return {"backend": type(backend).__name__}


def _storage():
    """The file storage answers: the media folder is writable, or the bucket is reachable
    with our credentials (one HEAD request for a key that need not exist)."""
    from gongkai.attachments import storage

    if storage.is_local():
        root = Path(settings.MEDIA_ROOT)
        folder = root if root.exists() else root.parent
        if not os.access(folder, os.W_OK | os.X_OK):
            raise RuntimeError(f"文件目录 {folder} 不可写")
        return {"backend": "local"}
    storage.files().exists("readyz-probe")
    return {"backend": "s3", "bucket": settings.S3_BUCKET}


@never_cache
def readyz(request):
    checks, ready = {}, True
    for name, check in (
        ("database", _database),
        ("cache", _cache),
        ("queue", _queue),
        ("storage", _storage),
    ):
        try:
            detail = check()
        except Exception as error:  # noqa: BLE001 - any failure means not ready
            ready = False
            checks[name] = {"ok": False, "error": f"{type(error).__name__}: {error}"[:300]}
        else:
            checks[name] = {"ok": True, **(detail or {})}
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
        json_dumps_params={"ensure_ascii": False},
    )


def _allowed(request):
    """With METRICS_TOKEN set, only the token (behind a proxy on the same machine every
    request comes from loopback); without it, only loopback."""
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return bool(given) and hmac.compare_digest(given.encode(), token.encode())
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


@never_cache
def metrics_view(request):
    if not _allowed(request):
        return HttpResponse(
            "只有本机或持有 METRICS_TOKEN 的采集程序可以读取运行指标。\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponse(
        metrics.exposition(), content_type="text/plain; version=0.0.4; charset=utf-8"
    )


DATABASE_DOWN = (OperationalError, InterfaceError)


def server_error(request):
    """handler500: a database that cannot be reached (restarting, failing over, its
    connections cut) is 503 with a Chinese page and Retry-After, so a load balancer and a
    person both know to try again; anything else is the usual 500 page. No template
    context: the context processors would ask the database again."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_DOWN):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())
