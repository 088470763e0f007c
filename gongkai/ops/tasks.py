"""Background tasks (Django's django.tasks API) and the JobRun records they keep.

Every run of a periodic job and every mail delivery is a JobRun: queued, running,
succeeded or failed with its error, visible in the admin, where a run can be re-run.
The backend is settings.TASKS (TASKS_BACKEND: the database by default, Redis with rq).
"""

import datetime as dt
import logging
import traceback

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.tasks import task
from django.utils import timezone

from gongkai.ops.models import JobRun
from gongkai.ops.schedule import BY_NAME, JOBS

log = logging.getLogger("gongkai.ops")

MAIL_JOB = "notice_mail"
# A failed delivery is tried again after 1, 5, 15 and 60 minutes; then the run stays failed.
MAIL_RETRY_DELAYS = [dt.timedelta(minutes=m) for m in (1, 5, 15, 60)]
MAIL_LOOKBACK = dt.timedelta(days=7)  # unsent notices older than this are not mailed


class JobFailed(Exception):
    """A job finished but did not do its work (e.g. the mail server refused)."""


def _start(run):
    updated = JobRun.objects.filter(pk=run.pk, status=JobRun.Status.QUEUED).update(
        status=JobRun.Status.RUNNING, started_at=timezone.now()
    )
    return bool(updated)


def _finish(run, status, *, output="", error=""):
    JobRun.objects.filter(pk=run.pk).update(
        status=status, finished_at=timezone.now(), output=output[-20000:], error=error[-20000:]
    )
    (log.info if status == JobRun.Status.SUCCEEDED else log.error)(
        "job %s run=%s %s%s",
        run.job,
        run.pk,
        status,
        f": {error.splitlines()[-1]}" if error else "",
    )


def _execute(run, work, *, atomic=True):
    """Run `work()` for `run` once: a run already started elsewhere is not run again.

    atomic: a failed job leaves nothing half-written (mail is not atomic: a message sent
    stays sent and marked so, whatever happens to the next recipient's).
    """
    if not _start(run):
        return
    try:
        if atomic:
            with transaction.atomic():
                output = work()
        else:
            output = work()
    except Exception as error:  # noqa: BLE001 - every failure is recorded, with its error
        detail = (str(error) if isinstance(error, JobFailed) else traceback.format_exc()).strip()
        _finish(run, JobRun.Status.FAILED, error=detail)
        return
    _finish(run, JobRun.Status.SUCCEEDED, output=output or "")


@task
def run_job(run_id):
    run = JobRun.objects.get(pk=run_id)
    job = BY_NAME[run.job]
    day = dt.date.fromisoformat(run.slot) if run.slot else timezone.localdate()
    _execute(run, lambda: job.run(day))


@task
def send_notice_mail(run_id):
    """E-mail the unsent notices created on or after the run's `since`."""
    from gongkai.supervision import mail
    from gongkai.supervision.models import Notice

    run = JobRun.objects.get(pk=run_id)
    since = run.since

    def work():
        unsent = (
            Notice.objects.filter(emailed_at__isnull=True, created_on__gte=since)
            .exclude(recipient__email="")
            .select_related("recipient", "case")
            .order_by("recipient_id", "id")
        )
        result = mail.send_notices(unsent)
        summary = f"已发送 {len(result.sent)} 人。"
        if result.failed:
            reasons = "；".join(f"{u.get_username()}：{why}" for u, why in result.failed)
            retry = _retry_mail(run, since)
            raise JobFailed(
                f"{summary}发送失败 {len(result.failed)} 人（{reasons}）。"
                + (f"将于 {timezone.localtime(retry):%H:%M} 重试。" if retry else "不再重试。")
            )
        return summary

    _execute(run, work, atomic=False)


def _retry_mail(run, since):
    """Queue the next attempt after `run` failed; its time, or None after the last one."""
    if run.attempt > len(MAIL_RETRY_DELAYS):
        return None
    when = timezone.now() + MAIL_RETRY_DELAYS[run.attempt - 1]
    enqueue_notice_mail(since, attempt=run.attempt + 1, run_after=when)
    return when


def enqueue_notice_mail(since=None, *, attempt=1, run_after=None):
    """Queue the e-mail of the unsent notices since `since` (default: the last 7 days)."""
    since = since or timezone.localdate() - MAIL_LOOKBACK
    run = JobRun.objects.create(
        job=MAIL_JOB, trigger=JobRun.Trigger.QUEUE, attempt=attempt, since=since
    )
    t = send_notice_mail
    if run_after is not None and t.get_backend().supports_defer:
        t = t.using(run_after=run_after)
    _enqueue(t, run.pk)
    return run


def enqueue_run(run):
    _enqueue(run_job, run.pk)


def _enqueue(t, *args):
    """The database queue is written in the caller's transaction (the JobRun and its task
    are stored together or not at all); any other queue once that transaction commits."""
    from django_tasks_db.backend import DatabaseBackend

    if isinstance(t.get_backend(), DatabaseBackend):
        t.enqueue(*args)
    else:
        transaction.on_commit(lambda: t.enqueue(*args))


def rerun(run, *, by):
    """Queue `run`'s job again (the admin's 重新运行); returns the new JobRun."""
    if run.job == MAIL_JOB:
        return enqueue_notice_mail(run.since)
    new = JobRun.objects.create(job=run.job, trigger=JobRun.Trigger.MANUAL, requested_by=by)
    enqueue_run(new)
    log.info("job %s re-run requested by %s: run=%s", run.job, by.get_username(), new.pk)
    return new


def tick(now=None):
    """Queue every job whose day's run is due and not yet queued; the JobRuns created."""
    now = now or timezone.now()
    created = []
    for job in JOBS:
        slot = job.slot(now)
        if slot is None or JobRun.objects.filter(job=job.name, slot=slot).exists():
            continue
        try:
            with transaction.atomic():
                run = JobRun.objects.create(
                    job=job.name, slot=slot, trigger=JobRun.Trigger.SCHEDULE
                )
                enqueue_run(run)
        except IntegrityError:  # another worker queued it at the same moment
            continue
        created.append(run)
    return created


def last_successes():
    """(label, finished_at or None) of each periodic job's latest successful run."""
    latest = dict(
        JobRun.objects.filter(status=JobRun.Status.SUCCEEDED, job__in=list(BY_NAME))
        .values("job")
        .annotate(last=Max("finished_at"))
        .values_list("job", "last")
    )
    return [(job.label, latest.get(job.name)) for job in JOBS]
