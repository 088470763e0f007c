"""Prometheus metrics: requests (count and latency by method, view and status class) and
jobs (JobRun counts by job and status, read from the database at scrape time, so the
worker's runs are counted whichever process serves /metrics).

With several server processes set PROMETHEUS_MULTIPROC_DIR (prometheus_client's
multiprocess mode) so one scrape sees every process's requests (docs/deploy.md).
"""

import os
import time

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import REGISTRY, GaugeMetricFamily

REQUESTS = Counter(
    "gongkai_http_requests_total", "HTTP requests answered", ["method", "view", "status"]
)
LATENCY = Histogram(
    "gongkai_http_request_seconds",
    "Time to answer an HTTP request",
    ["method", "view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


class JobCollector:
    """gongkai_job_runs{job, status}: how many JobRuns, and the last success's time."""

    def collect(self):
        from django.db.models import Count, Max

        from gongkai.ops.models import JobRun

        runs = GaugeMetricFamily("gongkai_job_runs", "Job runs by status", labels=["job", "status"])
        last = GaugeMetricFamily(
            "gongkai_job_last_success_timestamp_seconds",
            "When each job last succeeded (Unix time)",
            labels=["job"],
        )
        rows = JobRun.objects.values("job", "status").annotate(n=Count("id"))
        for row in rows:
            runs.add_metric([row["job"], row["status"]], row["n"])
        done = (
            JobRun.objects.filter(status=JobRun.Status.SUCCEEDED)
            .values("job")
            .annotate(at=Max("finished_at"))
        )
        for row in done:
            last.add_metric([row["job"]], row["at"].timestamp())
        yield runs
        yield last


def exposition():
    """The metrics text (every process's requests in multiprocess mode, and the jobs)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        requests = CollectorRegistry()
        multiprocess.MultiProcessCollector(requests)
    else:
        requests = REGISTRY
    jobs = CollectorRegistry(auto_describe=False)
    jobs.register(JobCollector())
    return generate_latest(requests) + generate_latest(jobs)


class RequestMetrics:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match and match.view_name else "other"
        LATENCY.labels(request.method, view).observe(time.perf_counter() - start)
        REQUESTS.labels(request.method, view, f"{response.status_code // 100}xx").inc()
        return response
