"""Background tasks (Django's django.tasks API) and the JobRun records they keep.

Every run of a periodic job and every mail delivery is a JobRun: queued, running,
succeeded or failed with its error, visible in the admin, where a run can be re-run.
The backend is settings.TASKS (TASKS_BACKEND: the database by default, Redis with rq).
"""

import datetime as dt
import logging
import os
import socket
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
# A run still "running" this long after it started, on a worker of another machine, is
# taken as interrupted (a worker on this machine is checked directly: is its process alive).
STALE_AFTER = dt.timedelta(hours=6)
MAX_ATTEMPTS = len(MAIL_RETRY_DELAYS) + 1


def worker_id():
    """host:pid of this process, as recorded on the runs it starts."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}"


class JobFailed(Exception):
    """A job finished but did not do its work (e.g. the mail server refused)."""


def _start(run):
    updated = JobRun.objects.filter(pk=run.pk, status=JobRun.Status.QUEUED).update(
        status=JobRun.Status.RUNNING, started_at=timezone.now(), worker=worker_id()
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


def run_here(job, work, *, trigger=JobRun.Trigger.COMMAND):
    """Run `work()` in this process (a command started by cron, say) as a run of `job`,
    recorded as the worker records its runs: the notices page's "last succeeded" and the
    admin see it. Returns work()'s output; a failure is recorded with its error, then
    raised again. Not atomic: `work` keeps its own transactions (mail sent stays sent)."""
    run = JobRun.objects.create(
        job=job,
        trigger=trigger,
        status=JobRun.Status.RUNNING,
        started_at=timezone.now(),
        worker=worker_id(),
    )
    try:
        output = work()
    except BaseException as error:
        detail = str(error) if isinstance(error, Exception) else type(error).__name__
        _finish(run, JobRun.Status.FAILED, error=detail or traceback.format_exc())
        raise
    _finish(run, JobRun.Status.SUCCEEDED, output=output or "")
    return output


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
    enqueue(send_notice_mail, run.pk, run_after=run_after)
    return run


def enqueue_run(run):
    enqueue(run_job, run.pk)


def enqueue(t, *args, run_after=None):
    """Queue task `t` (optionally not before `run_after`, where the queue can defer).
    The database queue is written in the caller's transaction (the record the task works
    on and its queue entry are stored together or not at all); any other queue once that
    transaction commits, so its worker finds the rows. Every app queues through this."""
    from django_tasks_db.backend import DatabaseBackend

    if run_after is not None and t.get_backend().supports_defer:
        t = t.using(run_after=run_after)
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


def worker_gone(worker, started_at, now):
    """Whether the worker `worker` (worker_id()) that started a run at `started_at` is
    gone: on this machine, its process is no longer alive; on another, the run is older
    than STALE_AFTER."""
    host, _, pid = worker.rpartition(":")
    if host == socket.gethostname()[:80] and pid.isdigit():
        if int(pid) == os.getpid():
            return False
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False
    return started_at is None or now - started_at > STALE_AFTER


def recover_interrupted(now=None):
    """Runs left "running" by a worker that died (kill -9, a crash, a power cut): each is
    marked failed with the reason, its queue entry too, and queued again (a job's work is
    one transaction, so an interrupted run left nothing half-written; mail is marked
    sent per recipient as it goes, so the next attempt sends only what is still unsent).
    Returns the new runs."""
    now = now or timezone.now()
    again = []
    for run in JobRun.objects.filter(status=JobRun.Status.RUNNING).order_by("pk"):
        if not worker_gone(run.worker, run.started_at, now):
            continue
        retry = run.attempt < MAX_ATTEMPTS
        error = (
            f"运行中断：执行它的后台进程（{run.worker or '未知'}）意外终止，本次运行未完成，"
            "未写入任何数据。"
            + ("已自动重新排队。" if retry else "已达最多尝试次数，请在此手动重新运行。")
        )
        with transaction.atomic():
            if not JobRun.objects.filter(pk=run.pk, status=JobRun.Status.RUNNING).update(
                status=JobRun.Status.FAILED, finished_at=now, error=error
            ):
                continue  # another worker recovered it
            fail_queue_entries((run_job, send_notice_mail), run.pk, now)
            if retry:
                again.append(_again(run))
        log.error("job %s run=%s interrupted (worker %s gone)", run.job, run.pk, run.worker)
    for recover in _RECOVERERS:
        recover(now)
    return again


# Other apps' own background jobs left running by a dead worker (the library's uploads):
# each registers recover(now) in its AppConfig.ready (also_recover).
_RECOVERERS = []


def also_recover(recover):
    """Have recover_interrupted() also call recover(now) at every pass."""
    if recover not in _RECOVERERS:
        _RECOVERERS.append(recover)
    return recover


def fail_queue_entries(tasks_, pk, now):
    """The database queue's entry of task(s) `tasks_` for record `pk`, left running by a
    dead worker, marked failed (other queues keep their own account of a lost worker)."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING,
        task_path__in=[t.module_path for t in tasks_],
        args_kwargs__args=[pk],
    ).update(status=TaskResultStatus.FAILED, finished_at=now)


def _again(run):
    if run.job == MAIL_JOB:
        return enqueue_notice_mail(run.since, attempt=run.attempt + 1)
    new = JobRun.objects.create(
        job=run.job, trigger=JobRun.Trigger.QUEUE, attempt=run.attempt + 1, since=run.since
    )
    enqueue_run(new)
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
