"""The periodic jobs and their schedule, kept in the project (run by `gongkai worker`).

Each job runs once a day at its time (Beijing time). A worker that was stopped at that
time runs the day's job as soon as it starts again; one run per job and day however
many workers run (JobRun's unique slot).
"""

import datetime as dt
import io
from dataclasses import dataclass

from django.core.management import call_command
from django.utils import timezone


@dataclass(frozen=True)
class Job:
    name: str
    label: str  # Chinese, shown on the notices page and in the admin
    at: dt.time  # daily, Beijing time

    def slot(self, now):
        """The day (YYYY-MM-DD) whose run is due at `now`, or None before today's time."""
        local = timezone.localtime(now)
        return local.date().isoformat() if local.time() >= self.at else None

    def run(self, day):
        return RUNNERS[self.name](day)


def notify(day):
    """逾期预警与超期督办, as `gongkai notify` does them (复议/诉讼 deadlines and 年报期限
    first, so their notices go out with the rest); the e-mail goes out through the queue."""
    from gongkai.appeals import notify as appeals_notify
    from gongkai.ops import tasks
    from gongkai.supervision import notify, text

    other = appeals_notify.run(day) + notify.annual_report_notices(day)
    summary = notify.run(day, send_mail=False)
    tasks.enqueue_notice_mail(day - tasks.MAIL_LOOKBACK)
    lines = [line for line in text.summary_lines(summary) if not line.startswith("邮件：")]
    lines += other
    lines.append("邮件：已排入发送队列（见“通知邮件”运行记录）。")
    for s in summary.calendar_errors:
        lines.append(f"{s.agency.name}：工作日历无法使用，逾期预警未发出。{s.calendar_error}")
    return "\n".join(lines)


def _command(*args):
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


def attachments_sweep(day):
    """Files left behind by rolled-back uploads, a day old (attachments_sweep --delete)."""
    return _command("attachments_sweep", "--delete", "--hours", "24")


def clear_sessions(day):
    """Expired sessions out of the database (sessions are cached_db)."""
    return _command("clearsessions") or "已清除过期会话。"


RUNNERS = {
    "notify": notify,
    "attachments_sweep": attachments_sweep,
    "clear_sessions": clear_sessions,
}

JOBS = [
    Job("notify", "逾期预警与超期督办", dt.time(7, 0)),
    Job("attachments_sweep", "清理无记录的附件文件", dt.time(3, 30)),
    Job("clear_sessions", "清除过期会话", dt.time(4, 0)),
]
BY_NAME = {job.name: job for job in JOBS}
EXTRA_LABELS = {"notice_mail": "通知邮件", "notify_agency": "逾期预警与超期督办（单个机关）"}


def label(name):
    job = BY_NAME.get(name)
    return job.label if job else EXTRA_LABELS.get(name, name)
