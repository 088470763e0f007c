"""/healthz (the process answers), /readyz (database, cache, queue), /metrics (Prometheus).

No login: a load balancer asks them. /metrics only with METRICS_TOKEN, or from loopback
when no token is set.
"""

import datetime as dt
import hmac
import ipaddress

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
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


@never_cache
def readyz(request):
    checks, ready = {}, True
    for name, check in (("database", _database), ("cache", _cache), ("queue", _queue)):
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
