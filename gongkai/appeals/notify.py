"""The 复议/诉讼 part of the daily `gongkai notify`: the legal office's deadlines.

On day D, for each open matter whose nearest deadline (appeals/deadlines.py) lies
within clock.DUE_SOON_WORKDAYS working days of D, or has passed with the answer not
yet submitted, every active 法制审查 member of the agency gets a site notice (kind
逾期预警 / 超期, unique per recipient, case, kind and day, so a second run adds
nothing); supervision's run then e-mails it with the day's other notices. Returns
the summary lines the command prints.
"""

from django.db import transaction

from gongkai.agencies.models import Agency, Membership, Role
from gongkai.appeals import matters
from gongkai.appeals.models import Appeal, Result
from gongkai.supervision.models import Notice, NoticeKind
from gongkai.supervision.text import cn_date
from gongkai.workdays import clock, loading


def _window_end(agency, day):
    try:
        cal = loading.get_calendar(agency.code).provisional(day.year + 1)
        return cal.nth_workday_after(day, clock.DUE_SOON_WORKDAYS)
    except (LookupError, ValueError):
        return None


def message(matter, day):
    a, due = matter.appeal, matter.due
    late = "已超期" if due.on < day else "即将到期"
    return (
        f"{a.kind_label}期限{late}：申请 {a.case.tracking_number}（{a.body}）"
        f"{due.what}的期限为{cn_date(due.on)}（{due.basis}）。"
    )


def run(day, *, agency_code=None, dry_run=False):
    agencies = Agency.objects.order_by("code")
    if agency_code:
        agencies = agencies.filter(code=agency_code)
    lines, new = [], []
    for agency in agencies:
        until = _window_end(agency, day)
        appeals = Appeal.objects.filter(case__agency=agency).select_related("case__agency")
        appeals = appeals.filter(result=Result.PENDING) | appeals.filter(served_on__isnull=False)
        found = [
            m
            for m in matters.matters(appeals, day)
            if m.due and (m.due.on < day or (until is not None and m.due.on <= until))
        ]
        if not found:
            continue
        legal = [
            m.user
            for m in Membership.objects.filter(
                agency=agency, role=Role.LEGAL_REVIEWER, user__is_active=True
            ).select_related("user")
        ]
        lines.append(f"{agency.name}：行政复议/诉讼期限 {len(found)} 件")
        for m in sorted(found, key=lambda m: m.due.on):
            lines.append(f"    {message(m, day)} → 通知 {len(legal)} 人")
            kind = NoticeKind.OVERDUE if m.due.on < day else NoticeKind.DUE_SOON
            new += [
                Notice(
                    recipient=user,
                    case=m.appeal.case,
                    kind=kind,
                    message=message(m, day),
                    due_on=m.due.on,
                    created_on=day,
                )
                for user in legal
            ]
    if new and not dry_run:
        with transaction.atomic():
            Notice.objects.bulk_create(new, ignore_conflicts=True)
    return lines
