"""电子送达 (issue 14 part 4): the signed reply on the applicant's 查询 page, and by e-mail.

`on_deliver` is the workflow's follow-up of the DELIVER step (STEP_HOOKS, inside its
transaction): for 电子送达 it renders the approved reply letter as PDF (the letters
renderer, dated the reply day, keeping its 文号), keeps it as an attachment the
applicant may download with the 查询码 (attachments.attach: the same checks and
storage as every file), shows the reply's other attachments (答复文书, 提供的政府信息)
to the applicant, records all of it (LetterEvent 电子送达) and, when an e-mail address
was given, queues one ReplyMail for the task queue (django.tasks). A reply that
cannot be rendered refuses the delivery: nothing is saved.

`send_reply_mail` (a task) e-mails the PDF; a failed attempt is recorded and tried
again after MAIL_RETRY_DELAYS; the case page shows the outcome.
"""

import datetime as dt
import logging
import smtplib

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from gongkai.attachments import services as attachments
from gongkai.attachments.models import AttachmentKind
from gongkai.cases import workflow
from gongkai.cases.models import DeliveryMethod
from gongkai.letters import services
from gongkai.letters.models import LetterEvent, LetterEventKind, ReplyMail
from gongkai.ops.tasks import enqueue

log = logging.getLogger("gongkai.audit")

SUBJECT_PREFIX = "【政府信息公开】"
MAIL_RETRY_DELAYS = [dt.timedelta(minutes=m) for m in (1, 5, 15, 60)]


def file_name(case, key):
    return f"{case.tracking_number}-{services.label_of(key).partition('（')[0]}.pdf"


def reply_pdf(case, by):
    """(key, PDF bytes, LetterIssued) of the case's approved reply, dated the reply day."""
    key = services.reply_key(case)
    if key is None:
        raise services.LetterError("这件申请没有答复书，不能电子送达。")
    data, issued = services.generate(case, key, by=by, on=case.replied_on, fmt="pdf")
    return key, data, issued


def on_deliver(case, user):
    """workflow hook (DELIVER): publish and e-mail the reply of an 电子送达."""
    if case.delivery_method != DeliveryMethod.ELECTRONIC:
        return
    try:
        key, data, issued = reply_pdf(case, user)
        upload = SimpleUploadedFile(file_name(case, key), data, content_type="application/pdf")
        row = attachments.attach(
            case, upload, kind=AttachmentKind.REPLY, by=user, visible_to_applicant=True
        )
    except (services.LetterError, attachments.AttachmentError, attachments.UploadRejected) as e:
        raise workflow.WorkflowError(f"电子送达未完成：{e}") from e
    shown = attachments.show_to_applicant(case)
    mail = None
    if case.delivery_email:
        mail = ReplyMail.objects.create(
            case=case, kind=key, to=case.delivery_email, requested_by=user
        )
        enqueue(send_reply_mail, mail.pk)
    LetterEvent.objects.create(
        case=case,
        kind=LetterEventKind.PUBLISH_REPLY,
        actor=user,
        data={
            "kind": key,
            "number": issued.number,
            "pdf": row.pk,
            "attachments": shown,
            "mail": mail.pk if mail else None,
        },
    )


def compose(case, mail):
    """(subject, body) of the e-mail carrying the reply."""
    name = services.salutation(case)
    subject = f"{SUBJECT_PREFIX}申请 {case.tracking_number} 的答复书"
    body = "\n".join(
        [
            f"{case.applicant_name}：",
            "",
            f"{case.agency.name}已对{name}的政府信息公开申请（受理编号：{case.tracking_number}）"
            f"作出答复，答复书见本邮件附件（PDF）。",
            f"{name}也可以凭受理编号和查询码，在本机关政府信息公开网站“办理进度查询”页面"
            "（/xxgk/track/）查看和下载答复书及其附件。",
            "",
            "（本邮件由系统自动发送，请勿回复。）",
        ]
    )
    return subject, body


@task
def send_reply_mail(mail_id):
    """E-mail one ReplyMail with the reply PDF; record the outcome, retry when it fails."""
    with transaction.atomic():
        mail = (
            ReplyMail.objects.select_for_update()
            .select_related("case__agency", "requested_by")
            .get(pk=mail_id)
        )
        if mail.sent_at is not None:  # already sent by another attempt
            return "已发送"
        case = mail.case
        _key, data, _issued = reply_pdf(case, mail.requested_by)
        subject, body = compose(case, mail)
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [mail.to])
        message.attach(file_name(case, mail.kind), data, "application/pdf")
        mail.attempts += 1
        try:
            mailers.default.send_messages([message])
        except (OSError, smtplib.SMTPException) as error:
            mail.error = (str(error) or type(error).__name__)[:500]
            mail.save(update_fields=["attempts", "error"])
            retry = mail.attempts <= len(MAIL_RETRY_DELAYS)
            if retry:
                when = timezone.now() + MAIL_RETRY_DELAYS[mail.attempts - 1]
                enqueue(send_reply_mail, mail.pk, run_after=when)
            log.error("reply mail failed: case=%s mail=%s", case.tracking_number, mail.pk)
            return f"发送失败：{mail.error}"
        mail.sent_at, mail.error = timezone.now(), ""
        mail.save(update_fields=["attempts", "sent_at", "error"])
    log.info("reply mail sent: case=%s mail=%s", case.tracking_number, mail.pk)
    return "已发送"


def mails_of(case):
    return list(ReplyMail.objects.filter(case=case).order_by("-queued_at", "-id"))


def published_pdf(case):
    """The attachment id of the reply published by the latest 电子送达, or None."""
    event = (
        LetterEvent.objects.filter(case=case, kind=LetterEventKind.PUBLISH_REPLY)
        .order_by("-at", "-id")
        .first()
    )
    return (event.data or {}).get("pdf") if event else None
