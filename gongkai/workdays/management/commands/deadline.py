"""`gongkai deadline`: the reply due date of one request, with the explanation.

Thin shell over gongkai.workdays.clock.compute (Arts. 30–34 of the 条例).
Bad input exits with status 2 and a Chinese message.
"""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone

from gongkai.workdays import loading
from gongkai.workdays.calendar import ScheduleMissing
from gongkai.workdays.clock import CaseEvents, Channel, ClockError, Consultation, Party, compute
from gongkai.workdays.explain import STATE_TEXT


def _fail(message):
    return CommandError(message, returncode=2)


def parse_date(value, what):
    """An ISO date, or CommandError(returncode=2) naming the option."""
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise _fail(f"{what}“{value}”不是有效日期，应写作 YYYY-MM-DD，例如 2025-09-28。") from None


def parse_consultation(value, party):
    """'START..END' (END may be empty: still waiting for the answer)."""
    start, sep, end = value.partition("..")
    if not sep:
        raise _fail(
            f"征求意见期间“{value}”格式不对，应写作 开始..结束，例如 2025-10-09..2025-10-15。"
        )
    sent = parse_date(start, "征求意见发出日期")
    answered = parse_date(end, "征求意见答复日期") if end.strip() else None
    if answered and answered < sent:
        raise _fail(f"征求意见期间“{value}”的结束日期早于开始日期，请核对。")
    return Consultation(sent, answered, party)


class Command(BaseCommand):
    help = "计算依申请公开的答复期限（条例第三十条至第三十四条），并说明理由。"

    def add_arguments(self, parser):
        parser.add_argument("--received", required=True, help="收到申请之日 YYYY-MM-DD")
        parser.add_argument("--channel", choices=[c.value for c in Channel], default="online")
        parser.add_argument("--corrected", help="收到补正后申请之日（第三十条）")
        parser.add_argument(
            "--consult",
            action="append",
            default=[],
            metavar="START..END",
            help="征求第三方意见：发出日..答复日（可多次；答复日可空）",
        )
        parser.add_argument(
            "--consult-agency",
            action="append",
            default=[],
            metavar="START..END",
            help="征求其他机关意见（第三十四条）",
        )
        parser.add_argument(
            "--extended",
            nargs="?",
            const="",
            default=None,
            metavar="APPROVED",
            help="已经负责人同意延期；可给出批准日期",
        )
        parser.add_argument(
            "--provisional", action="store_true", help="节假日安排未公布的年度按暂定日历推算"
        )
        parser.add_argument("--today", help="以哪一天为今天（默认今天）")
        parser.add_argument("--scope", default="", help="地方日历范围（默认全国）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **o):
        events = self._events(o)
        today = parse_date(o["today"], "今天日期") if o["today"] else timezone.localdate()
        try:
            result = compute(
                loading.get_calendar(o["scope"]),
                events,
                today=today,
                provisional=o["provisional"],
                count_receipt_day=loading.count_receipt_day(),
            )
        except (ClockError, ScheduleMissing, LookupError) as exc:
            raise _fail(str(exc).strip("'\"")) from None
        except DatabaseError as exc:
            raise _fail(
                f"数据库不可用（{exc}）：请先运行 gongkai migrate 和 gongkai calendar load。"
            ) from exc
        if o["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            return
        mark = "（暂定）" if result.provisional else ""
        self.stdout.write(self.style.SUCCESS(f"答复期限：{result.due}{mark}"))
        if result.state:
            self.stdout.write(f"状态：{STATE_TEXT[result.state]}")
        self.stdout.write(f"说明：{result.explanation}")

    def _events(self, o):
        consultations = [parse_consultation(v, Party.THIRD_PARTY) for v in o["consult"]]
        consultations += [parse_consultation(v, Party.AGENCY) for v in o["consult_agency"]]
        extended = o["extended"]
        return CaseEvents(
            received=parse_date(o["received"], "收到申请日期"),
            channel=Channel(o["channel"]),
            corrected=parse_date(o["corrected"], "补正日期") if o["corrected"] else None,
            consultations=tuple(consultations),
            extended=extended is not None,
            extension_approved=parse_date(extended, "延期批准日期") if extended else None,
        )
