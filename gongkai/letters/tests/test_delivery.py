"""送达 (issue 14 part 4): 电子送达 publishes the signed reply (PDF) and its attachments on
the 查询 page and e-mails it through the task queue; 邮寄 records the EMS number and the
签收 date; the printable 送达回证. Refusals are in Chinese and save nothing."""

import base64
import datetime as dt
import hashlib
import io
import re
import smtplib

import pdfplumber
import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from gongkai.agencies.models import CASEWORK_ROLES, PERSONAL_DATA_ROLES, Role
from gongkai.attachments import services as attachments
from gongkai.attachments.models import AttachmentKind, CaseAttachment
from gongkai.cases import workflow
from gongkai.cases.models import Case, CaseEvent, EventKind
from gongkai.cases.tests.conftest import national_calendar  # noqa: F401 (autouse)
from gongkai.cases.tests.factories import make_case, run_to
from gongkai.letters import delivery, views
from gongkai.letters.models import LetterEvent, LetterEventKind, Letterhead, ReplyMail

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
ON = D("2024-03-04")


@pytest.fixture(autouse=True)
def pinned(monkeypatch):
    monkeypatch.setattr(views, "today", lambda: ON)


def replied(world, **kw):
    kw.setdefault("applicant_contact", "电话：13800000000；电子邮箱：Zhang.San@Example.cn")
    kw.setdefault("applicant_address", "某某市某某区某某路2号")
    case = make_case(world.agency, world.registrar, **kw)
    return run_to(case, world, "replied", on=D("2024-03-01"))


def information_file(case, world, name="统计表.pdf"):
    f = io.BytesIO(b"%PDF-1.4\n1 0 obj\n%%EOF\n")
    f.name = name
    return attachments.attach(case, f, kind=AttachmentKind.INFORMATION, by=world.office)


def pdf_text(data):
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "".join(page.extract_text() or "" for page in pdf.pages)


def state(case):
    """Everything a refused delivery must leave as it was."""
    row = Case.objects.get(pk=case.pk)
    return (
        row.status,
        row.delivered_on,
        row.delivery_method,
        row.delivery_ems_number,
        CaseEvent.objects.filter(case=case).count(),
        CaseAttachment.objects.filter(case=case).count(),
        CaseAttachment.objects.filter(case=case, visible_to_applicant=True).count(),
        ReplyMail.objects.count(),
    )


# ---- 电子送达 -------------------------------------------------------------------------------


def test_electronic_delivery_publishes_the_signed_reply_and_its_attachments(world):
    case = replied(world)
    info = information_file(case, world)
    case = workflow.deliver(
        case, by=world.office, method="electronic", on=ON, email=case.applicant_email
    )
    assert (case.status, case.delivered_on, case.delivery_email) == (
        "delivered",
        ON,
        "zhang.san@example.cn",
    )
    shown = list(attachments.public_attachments(case))
    assert [r.kind for r in shown] == [AttachmentKind.INFORMATION, AttachmentKind.REPLY]
    pdf = shown[1]
    assert pdf.original_name == f"{case.tracking_number}-答复书.pdf"
    assert pdf.content_type == "application/pdf" and info.pk == shown[0].pk
    event = LetterEvent.objects.get(case=case, kind=LetterEventKind.PUBLISH_REPLY)
    assert event.data["pdf"] == pdf.pk and event.data["attachments"] == [info.pk]
    assert event.actor == world.office
    # The published letter is the approved reply, dated the reply day, with the remedy.
    response = attachments.serve(pdf, by=world.office)
    text = pdf_text(b"".join(response.streaming_content))
    assert "政府信息公开申请答复书" in text and "二〇二四年三月一日" in text
    assert "某某市人民政府" in text and "草稿" not in text


def test_the_reply_mail_is_queued_with_the_delivery_and_sent_by_the_task(world):
    case = replied(world)
    case = workflow.deliver(
        case, by=world.office, method="electronic", on=ON, email="zhang.san@example.cn"
    )
    row = ReplyMail.objects.get(case=case)
    assert (row.to, row.sent_at, row.state) == ("zhang.san@example.cn", None, "排队发送中")
    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("send_reply_mail") and queued.args_kwargs["args"] == [row.pk]
    assert mail.outbox == []  # nothing is sent inside the clerk's request
    assert delivery.send_reply_mail.call(row.pk) == "已发送"
    (message,) = mail.outbox
    assert message.to == ["zhang.san@example.cn"] and case.tracking_number in message.subject
    name, data, content_type = message.attachments[0]
    assert (name, content_type) == (f"{case.tracking_number}-答复书.pdf", "application/pdf")
    assert "政府信息公开申请答复书" in pdf_text(data)
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 1 and row.state == "已发送"
    assert delivery.send_reply_mail.call(row.pk) == "已发送"  # run twice: sent once
    assert len(mail.outbox) == 1


def test_a_failed_mail_is_recorded_and_tried_again(world, monkeypatch):
    case = replied(world)
    case = workflow.deliver(case, by=world.office, method="electronic", on=ON, email="a@b.cn")
    row = ReplyMail.objects.get(case=case)

    def refuse(messages):
        raise smtplib.SMTPRecipientsRefused({"a@b.cn": (550, b"no such user")})

    monkeypatch.setattr(
        locmem.EmailBackend, "send_messages", lambda self, messages: refuse(messages)
    )
    assert delivery.send_reply_mail.call(row.pk).startswith("发送失败")
    row.refresh_from_db()
    assert (row.sent_at, row.attempts) == (None, 1) and "发送失败" in row.state
    assert DBTaskResult.objects.count() == 2  # the delivery's task and the retry


def test_without_an_address_the_reply_is_only_published(world):
    case = replied(world, applicant_contact="13800000000")
    case = workflow.deliver(case, by=world.office, method="electronic", on=ON, email="")
    assert ReplyMail.objects.count() == 0
    assert attachments.public_attachments(case).count() == 1


def test_a_reply_that_cannot_be_rendered_refuses_the_delivery_and_saves_nothing(world):
    case = replied(world)
    information_file(case, world)
    before = state(case)
    Letterhead.objects.filter(agency=world.agency).update(court="")
    with pytest.raises(workflow.WorkflowError, match="电子送达未完成.*管辖人民法院"):
        workflow.deliver(case, by=world.office, method="electronic", on=ON, email="a@b.cn")
    assert state(case) == before


def test_a_bad_address_is_refused_in_chinese(world):
    case = replied(world)
    before = state(case)
    with pytest.raises(workflow.WorkflowError, match="电子邮箱“zhang@”格式不对"):
        workflow.deliver(case, by=world.office, method="electronic", on=ON, email="zhang@")
    assert state(case) == before


# ---- 邮寄: EMS number and 签收 ------------------------------------------------------------


def test_mail_delivery_needs_a_valid_ems_number(world):
    case = replied(world)
    before = state(case)
    for ems, message in (("", "请填写 EMS 邮件号"), ("EA12345", "格式不对")):
        with pytest.raises(workflow.WorkflowError, match=message):
            workflow.deliver(case, by=world.office, method="mail", on=ON, ems=ems)
        assert state(case) == before
    case = workflow.deliver(case, by=world.office, method="mail", on=ON, ems=" ea123456789cn ")
    assert (case.delivery_ems_number, case.delivery_signed_on) == ("EA123456789CN", None)
    assert attachments.public_attachments(case).count() == 0  # nothing published by post


def test_the_signature_date_is_neither_before_posting_nor_in_the_future(world):
    case = replied(world)
    case = workflow.deliver(case, by=world.office, method="mail", on=ON, ems="EA123456789CN")
    events = CaseEvent.objects.filter(case=case).count()
    refusals = (
        (D("2024-03-03"), ON, "签收日期（2024-03-03）不能早于交邮日期（2024-03-04）"),
        (D("2024-03-08"), D("2024-03-07"), "晚于今天"),
        (None, ON, "请填写签收日期"),
    )
    for signed, today, message in refusals:
        with pytest.raises(workflow.WorkflowError, match=message):
            workflow.record_signature(case, by=world.registrar, on=today, signed_on=signed)
    assert CaseEvent.objects.filter(case=case).count() == events
    case = workflow.record_signature(
        case, by=world.registrar, on=D("2024-03-07"), signed_on=D("2024-03-06")
    )
    assert case.delivery_signed_on == D("2024-03-06")
    assert case.delivered_on == ON  # 邮寄送达 counts from 交邮之日 (235号)
    with pytest.raises(workflow.WorkflowError, match="已登记签收日期"):
        workflow.record_signature(case, by=world.registrar, on=ON, signed_on=ON)
    with pytest.raises(workflow.WorkflowError, match="权限|角色"):
        workflow.record_signature(case, by=world.handler, on=ON, signed_on=ON)


def test_direct_delivery_is_signed_on_its_day_and_needs_no_signature_step(world):
    case = workflow.deliver(replied(world), by=world.office, method="direct", on=ON)
    assert case.delivery_signed_on == ON and not case.may_record_signature()
    with pytest.raises(workflow.WorkflowError, match="只有邮寄送达"):
        workflow.record_signature(case, by=world.office, on=ON, signed_on=ON)


# ---- 送达回证 ------------------------------------------------------------------------------


def receipt_url(case, fmt):
    url = reverse("letters:download", args=[case.tracking_number, "delivery_receipt"])
    return f"{url}?format={fmt}"


def test_the_delivery_receipt_prints_what_was_sent_how_and_when(world):
    case = replied(world)
    case = workflow.deliver(case, by=world.office, method="mail", on=ON, ems="EA123456789CN")
    client = Client()
    client.force_login(world.office)
    page = client.get(receipt_url(case, "html")).content.decode()
    for text in (
        "政府信息公开答复送达回证",
        "受送达人：张三",
        "送达方式：邮寄送达",
        "送达地址：某某市某某区某某路2号",
        "送达日期：二〇二四年三月四日",
        "EMS 邮件号：EA123456789CN",
        "受送达人签名（盖章）",
    ):
        assert text in page, text
    assert pdf_text(client.get(receipt_url(case, "pdf")).content).count("送达回证") >= 1
    docx = client.get(receipt_url(case, "docx"))
    assert docx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_before_delivery_the_receipt_leaves_blanks_to_fill_in_by_hand(world):
    case = replied(world)
    client = Client()
    client.force_login(world.registrar)
    page = client.get(receipt_url(case, "html")).content.decode()
    assert "送达日期：＿＿＿＿" in page and "送达文书：政府信息公开申请答复书" in page


def test_every_casework_role_reaching_the_case_prints_the_receipt_others_get_404(world):
    case = workflow.deliver(replied(world), by=world.office, method="direct", on=ON)
    for role in [*Role.values, "other_handler"]:
        user = getattr(world, role)
        client = Client()
        client.force_login(user)
        response = client.get(receipt_url(case, "html"))
        reaches = role in CASEWORK_ROLES and role != "other_handler"
        assert response.status_code == (200 if reaches else 404), role
        if reaches:
            page = response.content.decode()
            full = role in PERSONAL_DATA_ROLES
            assert ("受送达人：张三" in page) == full, role
            assert ("某某路2号" in page) == full, role  # a masked role sees no address
    anonymous = Client().get(receipt_url(case, "html"))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_delivery_steps_are_recorded_in_the_trail(world):
    case = replied(world)
    case = workflow.deliver(case, by=world.office, method="mail", on=ON, ems="EA123456789CN")
    workflow.record_signature(case, by=world.office, on=ON, signed_on=ON)
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.DELIVER, EventKind.RECORD_SIGNATURE]
    deliver = CaseEvent.objects.get(case=case, kind=EventKind.DELIVER)
    assert deliver.data["ems"] == "EA123456789CN" and deliver.data["method"] == "mail"


def test_the_print_page_may_use_its_own_styles_and_no_others(world):
    case = replied(world)
    client = Client()
    client.force_login(world.office)
    response = client.get(receipt_url(case, "html"))
    policy = response["Content-Security-Policy"]
    styles = re.findall(r"<style>(.*?)</style>", response.content.decode(), flags=re.S)
    assert len(styles) == 2  # the letter's layout and the print-only rules
    for block in styles:
        digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    assert "unsafe-inline" not in policy and "script-src 'self'" in policy


def test_the_track_page_tells_the_applicant_how_and_when_it_was_delivered(world, client):
    case = make_case(world.agency, world.registrar)
    code = case.query_code
    case = run_to(case, world, "replied", on=D("2024-03-01"))
    workflow.deliver(case, by=world.office, method="mail", on=ON, ems="EA123456789CN")
    page = client.post(
        "/xxgk/track/", {"tracking_number": case.tracking_number, "query_code": code}
    ).content.decode()
    assert "邮寄送达，2024年3月4日交邮（EMS 邮件号 EA123456789CN）" in page


def test_a_posted_reply_waits_in_the_clerks_in_tray_until_its_signature_is_recorded(world):
    from gongkai.inbox import queues

    queue = queues.QUEUE_BY_KEY["record_signature"]
    case = workflow.deliver(
        replied(world), by=world.office, method="mail", on=ON, ems="EA123456789CN"
    )
    for user in (world.registrar, world.office):
        assert list(queues.records(queue, user).values_list("pk", flat=True)) == [case.pk]
    assert queues.records(queue, world.handler) is None  # not a handler's step
    workflow.record_signature(case, by=world.registrar, on=ON, signed_on=ON)
    assert not queues.records(queue, world.registrar).exists()
