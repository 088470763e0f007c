"""`gongkai worker`: the background worker — the task queue and the periodic jobs.

    gongkai worker            # until Ctrl-C / SIGTERM
    gongkai worker --batch    # queue the jobs now due, run every queued task, exit

Runs the queue of settings.TASKS_BACKEND (database: django_tasks_db's db_worker; rq:
django_rq's rqworker) and, beside it, a scheduler thread that queues each periodic job
of gongkai/ops/schedule.py when its time comes (once per day, however many workers).
"""

import datetime as dt
import logging
import signal
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connections
from django.utils import timezone

from gongkai.ops import tasks

log = logging.getLogger("gongkai.ops")
SIGNALS = [signal.SIGINT, signal.SIGTERM, *([signal.SIGQUIT] if hasattr(signal, "SIGQUIT") else [])]


def scheduler(stop, interval):
    while not stop.is_set():
        try:
            close_old_connections()
            for run in tasks.recover_interrupted():
                log.warning("interrupted job %s queued again (run=%s)", run.job, run.pk)
            for run in tasks.tick():
                log.info("job %s queued for %s (run=%s)", run.job, run.slot, run.pk)
        except Exception:  # noqa: BLE001 - database away for a while: try again next time
            log.exception("scheduler tick failed")
        stop.wait(interval)
    connections.close_all()


def parse_at(value):
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(
            f"--at“{value}”不是有效时刻，应写作 YYYY-MM-DDTHH:MM，例如 2024-03-22T07:30。",
            returncode=2,
        ) from None
    return moment if moment.tzinfo else timezone.make_aware(moment)


class Command(BaseCommand):
    help = "后台任务进程：运行任务队列（邮件等）并按计划运行每日定时任务（逾期预警等）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch",
            action="store_true",
            help="排入当前到期的定时任务，运行完队列中的全部任务后退出",
        )
        parser.add_argument(
            "--at",
            help="与 --batch 一起：按这一时刻（北京时间 YYYY-MM-DDTHH:MM）排入到期的定时任务",
        )
        parser.add_argument(
            "--interval", type=float, default=30.0, help="检查定时任务的间隔秒数，默认 30"
        )

    def handle(self, *args, batch=False, interval=30.0, at=None, **options):
        backend = settings.TASKS_BACKEND
        if at and not batch:
            raise CommandError("--at 只能与 --batch 一起使用。", returncode=2)
        if batch:
            tasks.recover_interrupted()
            tasks.tick(parse_at(at) if at else None)
            # db_worker installs its own SIGINT/SIGTERM/SIGQUIT handlers and leaves them:
            # a batch run inside another program (a test run) gives that program its own back
            kept = {sig: signal.getsignal(sig) for sig in SIGNALS}
            try:
                self._run_queue(backend, batch=True)
            finally:
                for sig, handler in kept.items():
                    signal.signal(sig, handler)
            return
        stop = threading.Event()
        thread = threading.Thread(target=scheduler, args=(stop, interval), daemon=True)
        thread.start()
        self.stdout.write(f"gongkai worker 已启动（任务队列：{backend}）。按 Ctrl-C 停止。")
        try:
            if backend == "immediate":
                stop.wait()
            else:
                self._run_queue(backend, batch=False)
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
            thread.join(timeout=5)

    def _run_queue(self, backend, *, batch):
        if backend == "database":
            call_command(
                "db_worker",
                batch=batch,
                reload=False,
                startup_delay=False,
                interval=1,
                verbosity=0,
                worker_id=tasks.worker_id()[-64:],
            )
        elif backend == "rq":
            call_command(
                "rqworker",
                "default",
                burst=batch,
                with_scheduler=True,
                job_class="django_tasks_rq.Job",
            )
