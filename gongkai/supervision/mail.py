"""E-mail for notices: one message per recipient summarising their unsent notices.

A notice is e-mailed at most once (emailed_at); each recipient's notices are locked
while their message is sent, so two runs at the same time do not both send them.
A failed send leaves the notices unsent for the next run and is reported.
"""

import smtplib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.utils import timezone

from gongkai.supervision.models import Notice
from gongkai.supervision.text import cn_date, person

SUBJECT_PREFIX = "【政府信息公开】"


@dataclass
class MailResult:
    sent: list = field(default_factory=list)  # users e-mailed
    no_email: list = field(default_factory=list)  # users without an address
    failed: list = field(default_factory=list)  # (user, reason)


def compose(user, notices):
    """(subject, body) of the message summarising `notices` for `user`."""
    days = sorted({n.created_on for n in notices})
    subject = f"{SUBJECT_PREFIX}{cn_date(days[-1])}期限提醒与督办：{len(notices)} 条"
    about = "依申请公开办件" if all(n.case_id for n in notices) else "事项"
    lines = [f"{person(user)}：", "", f"您有以下{about}需要处理：", ""]
    lines += [f"{i}. [{n.get_kind_display()}] {n.message}" for i, n in enumerate(notices, 1)]
    lines += [
        "",
        "请登录 gongkai 系统，在“通知”页面查看并处理。",
        "（本邮件由系统自动发送，请勿回复。）",
    ]
    return subject, "\n".join(lines)


def _by_recipient(notices):
    groups = {}
    for notice in notices:
        groups.setdefault(notice.recipient_id, (notice.recipient, []))[1].append(notice)
    return groups.values()


def send_notices(notices, *, connection=None):
    """E-mail the not-yet-e-mailed `notices` (a queryset or list), one message per user,
    over one connection (default: the `default` mailer of settings.MAILERS)."""
    result = MailResult()
    pending = [n for n in notices if n.emailed_at is None]
    to_send = []
    for user, items in _by_recipient(pending):
        if user.email:
            to_send.append((user, items))
        else:
            result.no_email.append(user)
    if not to_send:
        return result
    connection = connection or mailers.default
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as error:
        result.failed = [(user, f"无法连接邮件服务器：{error}") for user, _ in to_send]
        return result
    try:
        for user, items in to_send:
            _send_one(user, items, connection, result)
    finally:
        connection.close()
    return result


def _send_one(user, items, connection, result):
    with transaction.atomic():
        locked = list(
            Notice.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=[n.pk for n in items], emailed_at__isnull=True)
            .select_related("case")
            .order_by("created_on", "kind", "case__tracking_number")
        )
        if not locked:  # another run has sent them
            return
        subject, body = compose(user, locked)
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        try:
            connection.send_messages([message])
        except (OSError, smtplib.SMTPException) as error:
            result.failed.append((user, str(error) or type(error).__name__))
            return
        Notice.objects.filter(pk__in=[n.pk for n in locked]).update(emailed_at=timezone.now())
        result.sent.append(user)
