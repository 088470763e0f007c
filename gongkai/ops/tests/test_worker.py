"""`gongkai worker`: the periodic jobs on their schedule, mail through the queue with
retries, JobRun records, re-runs from the admin, the notices page's last successes."""

import datetime as dt
import socket
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from gongkai.agencies.models import Role
from gongkai.agencies.tests.factories import make_user
from gongkai.cases import workflow
from gongkai.cases.tests.factories import make_case
from gongkai.ops import tasks
from gongkai.ops.models import JobRun
from gongkai.supervision.models import Notice
from gongkai.supervision.tests.conftest import D, calendar_loaded, world  # noqa: F401

# The worker closes database connections between tasks, as it must in service; on
# PostgreSQL that ends a test's wrapping transaction, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)

BJ = ZoneInfo("Asia/Shanghai")


def at(text):
    return dt.datetime.fromisoformat(text).replace(tzinfo=BJ)


def test_daily_jobs_are_queued_once_at_their_time():
    assert {r.job for r in tasks.tick(at("2024-03-22 06:59"))} == {
        "attachments_sweep",
        "clear_sessions",
    }
    queued = tasks.tick(at("2024-03-22 07:00"))
    assert [r.job for r in queued] == ["notify"]
    assert queued[0].slot == "2024-03-22"
    assert tasks.tick(at("2024-03-22 18:00")) == []  # a second worker, later: nothing new
    assert JobRun.objects.filter(job="notify").count() == 1
    # each run is on the queue together with its record
    assert DBTaskResult.objects.count() == 3
    assert {r.job for r in tasks.tick(at("2024-03-23 07:30"))} == {
        "notify",
        "attachments_sweep",
        "clear_sessions",
    }


@pytest.fixture
def overdue(world):  # noqa: F811
    """A case received 2024-02-19, due Mon 2024-03-18: overdue on Fri 2024-03-22."""
    case = make_case(world.agency, world.registrar, submitted_on=D("2024-02-19"))
    return workflow.assign(case, by=world.office, department=world.dept, on=D("2024-02-19"))


def test_worker_runs_the_day_s_notify_and_mails_through_the_queue(world, overdue):  # noqa: F811
    tasks.tick(at("2024-03-22 07:05"))
    assert mail.outbox == []  # queued, nothing done yet
    call_command("worker", "--batch", "--at", "2024-03-22T07:05")
    run = JobRun.objects.get(job="notify", slot="2024-03-22")
    assert run.status == JobRun.Status.SUCCEEDED and "超期：1 件" in run.output
    assert Notice.objects.filter(case=overdue).exists()
    assert set(JobRun.objects.filter(job="notice_mail").values_list("status", flat=True)) == {
        JobRun.Status.SUCCEEDED
    }
    assert mail.outbox and all(m.to[0].endswith("@example.cn") for m in mail.outbox)
    assert not Notice.objects.filter(emailed_at=None).exclude(recipient__email="").exists()


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_failed_mail_is_recorded_with_its_error_retried_later_and_re_run(
    world,  # noqa: F811
    overdue,
    settings,
):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": _closed_port(), "timeout": 2},
        }
    }
    tasks.tick(at("2024-03-22 07:05"))
    call_command("worker", "--batch", "--at", "2024-03-22T07:05")
    assert JobRun.objects.get(job="notify", slot="2024-03-22").status == "succeeded"
    failed = JobRun.objects.filter(job="notice_mail", attempt=1).earliest("id")
    assert failed.status == JobRun.Status.FAILED
    assert "无法连接邮件服务器" in failed.error and "重试" in failed.error
    retries = JobRun.objects.filter(job="notice_mail", attempt=2)
    assert {r.status for r in retries} == {JobRun.Status.QUEUED}  # wait: not run by this batch
    waiting = DBTaskResult.objects.filter(status="READY")
    assert waiting and all(
        t.run_after > failed.finished_at + dt.timedelta(seconds=50) for t in waiting
    )
    assert Notice.objects.filter(emailed_at=None).exclude(recipient__email="").exists()

    # the mail server is back: the admin re-runs the failed delivery
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    admin = make_user(world.agency, Role.ADMIN, username="sysadmin")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    from django.test import Client

    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/ops/jobrun/",
        {"action": "rerun", "_selected_action": [failed.pk]},
        follow=True,
    )
    assert "已排队重新运行：通知邮件" in response.text
    call_command("worker", "--batch", "--at", "2024-03-22T07:05")
    assert JobRun.objects.filter(job="notice_mail", status=JobRun.Status.SUCCEEDED).exists()
    assert not Notice.objects.filter(emailed_at=None).exclude(recipient__email="").exists()
    assert mail.outbox


def test_the_last_attempt_gives_up_visibly(world, overdue, settings):  # noqa: F811
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": _closed_port(), "timeout": 2},
        }
    }
    call_command("notify", "--date", "2024-03-22", verbosity=0)  # notices kept unsent
    last = len(tasks.MAIL_RETRY_DELAYS) + 1
    run = tasks.enqueue_notice_mail(D("2024-03-22"), attempt=last)
    call_command("worker", "--batch", "--at", "2024-03-22T07:05")
    run.refresh_from_db()
    assert run.status == JobRun.Status.FAILED and "不再重试" in run.error
    assert not JobRun.objects.filter(job="notice_mail", attempt=last + 1).exists()


def test_a_failing_job_keeps_its_traceback(settings):
    # a real failure: a misconfigured session engine (a module without a SessionStore)
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.base"
    tasks.tick(at("2024-03-22 05:00"))
    call_command("worker", "--batch", "--at", "2024-03-22T07:05")
    run = JobRun.objects.get(job="clear_sessions", slot="2024-03-22")
    assert run.status == JobRun.Status.FAILED and run.finished_at
    assert "AttributeError" in run.error and "Traceback" in run.error
    sweep = JobRun.objects.get(job="attachments_sweep", slot="2024-03-22")
    assert sweep.status == JobRun.Status.SUCCEEDED  # one failure does not stop the others


def test_notices_page_shows_when_each_job_last_succeeded(client, world):  # noqa: F811
    client.force_login(world.handler)
    page = client.get("/supervision/notices/").text
    assert "逾期预警与超期督办：<strong>尚未成功运行</strong>" in page
    call_command("worker", "--batch", "--at", "2024-03-22T07:30")
    page = client.get("/supervision/notices/").text
    assert "尚未成功运行" not in page
    assert "逾期预警与超期督办：<time" in page


def test_gongkai_notify_from_cron_is_recorded_as_the_daily_run(client, world, overdue):  # noqa: F811
    """`gongkai notify` started by cron (no worker) records a JobRun like the worker's
    runs: the notices page's "last succeeded" shows it; a dry run records nothing."""
    client.force_login(world.handler)
    call_command("notify", "--date", "2024-03-22", "--dry-run", verbosity=0)
    assert not JobRun.objects.exists()
    call_command("notify", "--date", "2024-03-22", verbosity=0)
    run = JobRun.objects.get()
    assert (run.job, run.trigger, run.status) == ("notify", "command", "succeeded")
    assert "超期：1 件" in run.output and run.worker == tasks.worker_id()
    assert Notice.objects.filter(case=overdue).exists()
    page = client.get("/supervision/notices/").text
    assert "逾期预警与超期督办：<time" in page
    assert dict(tasks.last_successes())["逾期预警与超期督办"] == run.finished_at


def test_gongkai_notify_for_one_agency_or_failing_is_not_the_day_s_run(world):  # noqa: F811
    call_command("notify", "--date", "2024-03-22", "--agency", world.agency.code, verbosity=0)
    with pytest.raises(CommandError) as raised:
        call_command("notify", "--date", "2024-03-22", "--agency", "nope", verbosity=0)
    assert raised.value.returncode == 2
    runs = list(JobRun.objects.order_by("pk").values_list("job", "status", "error"))
    assert runs[0][:2] == ("notify_agency", "succeeded")
    assert runs[1][:2] == ("notify_agency", "failed") and "nope" in runs[1][2]
    assert dict(tasks.last_successes())["逾期预警与超期督办"] is None


def test_the_worker_s_daily_run_sends_the_annual_report_notices_as_the_command_does(
    world,  # noqa: F811
):
    """The daily job does what `gongkai notify` does: 年报期限 notices in January too."""
    tasks.tick(at("2025-01-06 07:05"))
    call_command("worker", "--batch", "--at", "2025-01-06T07:05")
    run = JobRun.objects.get(job="notify", slot="2025-01-06")
    assert run.status == JobRun.Status.SUCCEEDED, run.error
    assert Notice.objects.filter(kind="annual_report", recipient=world.office).exists()


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ADMIN])
def test_only_superusers_see_job_runs_in_the_admin(client, world, role):  # noqa: F811
    user = getattr(world, role)
    client.force_login(user)
    response = client.get("/admin/ops/jobrun/")
    assert response.status_code in (302, 403)


def test_worker_at_refuses_a_bad_moment_in_chinese():
    with pytest.raises(CommandError, match="不是有效时刻"):
        call_command("worker", "--batch", "--at", "2024-13-01T07:00")
    with pytest.raises(CommandError, match="只能与 --batch 一起使用"):
        call_command("worker", "--at", "2024-03-01T07:00")


def test_a_batch_run_gives_the_calling_program_its_signal_handlers_back():
    import signal

    before = signal.getsignal(signal.SIGTERM)
    call_command("worker", "--batch", "--at", "2024-03-22T07:05")
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_run_left_running_by_a_dead_worker_is_failed_and_queued_again(world):  # noqa: F811
    import subprocess

    from django_tasks_db.models import DBTaskResult

    dead = subprocess.Popen(["true"])
    dead.wait()  # a pid of this machine that is no longer running
    run = tasks.enqueue_notice_mail()
    JobRun.objects.filter(pk=run.pk).update(
        status=JobRun.Status.RUNNING, worker=f"{socket.gethostname()}:{dead.pid}"
    )
    DBTaskResult.objects.update(status="RUNNING")
    alive = tasks.enqueue_notice_mail()  # started by this very process: left alone
    JobRun.objects.filter(pk=alive.pk).update(
        status=JobRun.Status.RUNNING, worker=tasks.worker_id()
    )
    again = tasks.recover_interrupted()
    run.refresh_from_db()
    assert run.status == JobRun.Status.FAILED and "运行中断" in run.error
    assert "已自动重新排队" in run.error
    assert [(r.job, r.attempt, r.since) for r in again] == [(tasks.MAIL_JOB, 2, run.since)]
    assert JobRun.objects.get(pk=alive.pk).status == JobRun.Status.RUNNING
    assert DBTaskResult.objects.filter(status="FAILED").count() == 1
    assert tasks.recover_interrupted() == []  # once only
    # another machine's worker: only after STALE_AFTER
    other = tasks.enqueue_notice_mail()
    JobRun.objects.filter(pk=other.pk).update(
        status=JobRun.Status.RUNNING, worker="elsewhere:1", started_at=timezone.now()
    )
    assert tasks.recover_interrupted() == []
    later = timezone.now() + tasks.STALE_AFTER + dt.timedelta(minutes=1)
    assert [r.job for r in tasks.recover_interrupted(later)] == [tasks.MAIL_JOB]
