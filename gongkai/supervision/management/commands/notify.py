"""`gongkai notify`: the daily deadline chase (逾期预警, 超期督办), meant for cron.

Thin shell over gongkai.supervision.notify.run; prints a Chinese summary. Safe to
run more than once a day: nobody is notified twice about the same case and kind.
Bad input exits with status 2 and a Chinese message.

    gongkai notify                       # today, every agency
    gongkai notify --date 2024-03-22 --agency psb1 --dry-run
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongkai.appeals import notify as appeals_notify
from gongkai.supervision import notify, text


def parse_day(value):
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(
            f"--date“{value}”不是有效日期，应写作 YYYY-MM-DD，例如 2024-03-22。", returncode=2
        ) from None
    if not 2000 <= day.year <= 2098:
        raise CommandError(f"--date“{value}”超出可计算的范围（2000–2098年）。", returncode=2)
    return day


class Command(BaseCommand):
    help = "逾期预警与超期督办：向承办人员、政务公开办和工作机构负责人发送站内通知和邮件。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="以哪一天为今天 YYYY-MM-DD（默认今天）")
        parser.add_argument("--agency", help="只处理这个机关（机关代码，默认全部机关）")
        parser.add_argument(
            "--dry-run", action="store_true", help="试运行：只显示将要发出的通知，不写入、不发邮件"
        )

    def handle(self, *args, date=None, agency=None, dry_run=False, **options):
        day = parse_day(date) if date else timezone.localdate()
        if dry_run:
            self._run(day, agency, dry_run, options["verbosity"])
            return
        # Recorded as a run of the daily job (gongkai.ops), as the worker's are: the notices
        # page's "last succeeded" shows a run from cron too (a run for one agency only is
        # recorded apart: it is not the day's run for all).
        from gongkai.ops import tasks

        job = "notify_agency" if agency else "notify"
        try:
            tasks.run_here(job, lambda: self._run(day, agency, dry_run, options["verbosity"]))
        except notify.NotifyError as error:
            raise CommandError(str(error), returncode=2) from error
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS("完成。"))

    def _run(self, day, agency, dry_run, verbosity):
        """Does the day's run; its summary, printed when verbosity > 0, is returned."""
        # 复议/诉讼 deadlines and 年报期限 first, so the run below e-mails their notices too.
        appeal_lines = appeals_notify.run(day, agency_code=agency, dry_run=dry_run)
        appeal_lines += notify.annual_report_notices(day, agency_code=agency, dry_run=dry_run)
        try:
            summary = notify.run(day, agency_code=agency, dry_run=dry_run)
        except notify.NotifyError as error:
            if dry_run:
                raise CommandError(str(error), returncode=2) from error
            raise
        lines = text.summary_lines(summary) + appeal_lines
        if verbosity:
            self.stdout.write("\n".join(lines))
        warnings = [
            f"{s.agency.name}：工作日历无法使用，逾期预警未发出。{s.calendar_error}"
            for s in summary.calendar_errors
        ]
        for warning in warnings:
            self.stderr.write(self.style.WARNING(warning))
        return "\n".join(lines + warnings)
