"""查询: status in plain words, the reply and its documents; nothing internal, ever."""

import datetime as dt
import io
import re

import pytest
from django.urls import reverse

from gongkai.attachments import services as attachments
from gongkai.attachments.models import AttachmentEvent
from gongkai.cases import workflow
from gongkai.intake import submission, views
from gongkai.intake.models import SubmissionToken

from .conftest import person_data

pytestmark = pytest.mark.django_db
TRACK = "/xxgk/track/"
D = dt.date.fromisoformat


def online_case(agency, **kw):
    fields = {
        "applicant_type": "natural_person",
        "applicant_name": "张三",
        "applicant_id_document": "居民身份证：11010519491231002X",
        "applicant_contact": "电话：13800138000",
        "applicant_address": "",
        "content": "申请公开2024年交通事故统计",
        "form_wanted": "electronic",
        "business_type": "traffic",
    }
    fields.update(kw)
    return workflow.submit_online(agency, submitted_on=D("2026-03-02"), **fields)


def pdf_file(name, text="reply"):
    f = io.BytesIO(b"%PDF-1.4\n" + text.encode() + b"\n%%EOF\n")
    f.name = name
    return f


def ask(client, case, code=None):
    return client.post(
        TRACK, {"tracking_number": case.tracking_number, "query_code": code or case.query_code}
    )


def replied_case(world):
    """An online case taken through every staff step, with internal traces everywhere."""
    case = online_case(world.agency)
    code = case.query_code
    on = D("2026-03-03")
    w = world
    case = workflow.confirm(case, by=w.registrar, on=on)
    case = workflow.assign(case, by=w.office, department=w.dept, on=on)
    case = workflow.draft_decision(
        case, by=w.handler, outcome="granted", legal_basis="条例第三十六条第（二）项", on=on
    )
    case = workflow.review(
        case, by=w.legal_reviewer, kind="legal", passed=False, on=on, comments="内部意见甲乙丙"
    )
    case = workflow.draft_decision(
        case, by=w.handler, outcome="granted", legal_basis="条例第三十六条第（二）项", on=on
    )
    case = workflow.review(case, by=w.legal_reviewer, kind="legal", passed=True, on=on)
    case = workflow.review(case, by=w.secrecy_reviewer, kind="secrecy", passed=True, on=on)
    case = workflow.approve(case, by=w.leader, on=on)
    case = workflow.reply(case, by=w.office, on=D("2026-03-10"))
    case = workflow.deliver(case, by=w.office, method="direct", on=D("2026-03-10"))
    attachments.attach(
        case, pdf_file("答复书.pdf"), kind="reply", by=w.office, visible_to_applicant=True
    )
    attachments.attach(case, pdf_file("内部审批单.pdf"), kind="other", by=w.office)
    case.query_code = code
    return case


def test_form_is_public(client, world):
    response = client.get(TRACK)
    assert response.status_code == 200
    assert "受理编号" in response.content.decode() and "查询码" in response.content.decode()


def test_waiting_case_shows_awaiting_confirmation(client, world):
    case = online_case(world.agency)
    response = ask(client, case)
    assert response.status_code == 200
    html = response.content.decode()
    assert "待确认" in html and "第三十一条" in html
    assert "尚未确认" in html
    assert "答复期限</dt>" not in html


def test_code_is_case_insensitive_and_spaces_ignored(client, world):
    case = online_case(world.agency)
    code = case.query_code.lower()
    response = ask(client, case, code=f" {code[:5]} {code[5:]} ")
    assert response.status_code == 200 and "待确认" in response.content.decode()


def test_unknown_number_and_wrong_code_get_the_same_message(client, world):
    case = online_case(world.agency)
    wrong = client.post(
        TRACK, {"tracking_number": case.tracking_number, "query_code": "AAAAAAAAAA"}
    )
    unknown = client.post(
        TRACK, {"tracking_number": "SFGAJ-2026-99999", "query_code": "AAAAAAAAAA"}
    )
    assert wrong.status_code == unknown.status_code == 400
    message = views.WRONG
    assert message in wrong.content.decode() and message in unknown.content.decode()

    def body(r):
        html = r.content.decode()
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
        return html.replace(case.tracking_number, "N").replace("SFGAJ-2026-99999", "N")

    assert body(wrong) == body(unknown)


def test_running_case_shows_due_date_but_no_internal_steps(client, world, calendar):
    case = online_case(world.agency)
    code = case.query_code
    case = workflow.confirm(case, by=world.registrar, on=D("2026-03-03"))
    case = workflow.assign(case, by=world.office, department=world.dept, on=D("2026-03-03"))
    case = workflow.draft_decision(
        case,
        by=world.handler,
        outcome="denied.state_secret",
        legal_basis="第十四条",
        reasons="属于国家秘密",
        on=D("2026-03-04"),
    )
    html = ask(client, case, code).content.decode()
    assert "办理中" in html
    assert "2026年3月3日" in html  # received
    assert f"{case.due_on.year}年{case.due_on.month}月{case.due_on.day}日" in html
    for secret in ("治安支队", "待审查", "不予公开", "第十四条", "拟办", world.handler.username):
        assert secret not in html


def test_replied_case_shows_outcome_and_only_public_documents(client, world, calendar):
    case = replied_case(world)
    other = online_case(world.agency, applicant_name="李四邻居", content="另一件申请的内容")
    response = ask(client, case)
    html = response.content.decode()
    assert "已答复" in html and "予以公开" in html and "2026年3月10日" in html
    assert "答复书.pdf" in html
    for secret in (
        "内部审批单",
        "内部意见甲乙丙",
        "条例第三十六条",
        "治安支队",
        "法制审查",
        "待审批",
        other.tracking_number,
        "李四邻居",
        "另一件申请",
        *(u.username for u in (world.office, world.leader, world.handler, world.registrar)),
    ):
        assert secret not in html, secret

    link = re.search(r'href="(/xxgk/track/download/[^"]+)"', html)[1]
    download = client.get(link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    event = AttachmentEvent.objects.filter(action="applicant_download").get()
    assert event.actor is None and event.attachment.original_name == "答复书.pdf"


def test_download_link_needs_the_same_session_and_expires(client, world, calendar, monkeypatch):
    from django.test import Client

    case = replied_case(world)
    html = ask(client, case).content.decode()
    link = re.search(r'href="(/xxgk/track/download/[^"]+)"', html)[1]

    stranger = Client()
    refused = stranger.get(link)
    assert refused.status_code == 403 and "下载链接已失效" in refused.content.decode()

    tampered = link.replace(link.split("/")[-2], link.split("/")[-2][:-3] + "abc")
    assert client.get(tampered).status_code == 403

    later = views.time.time() + views.GRANT_SECONDS + 5
    monkeypatch.setattr(views.time, "time", lambda: later)
    assert client.get(link).status_code == 403


def test_a_new_query_for_another_case_invalidates_old_links(client, world, calendar):
    case = replied_case(world)
    html = ask(client, case).content.decode()
    link = re.search(r'href="(/xxgk/track/download/[^"]+)"', html)[1]
    other = online_case(world.agency)
    ask(client, other)
    assert client.get(link).status_code == 403


def test_hidden_document_is_not_reachable_even_with_a_signed_link(client, world, calendar):
    from django.core import signing

    case = replied_case(world)
    ask(client, case)
    grant = client.session[views.GRANT_KEY]
    internal = case.attachments.get(original_name="内部审批单.pdf")
    token = signing.dumps(
        {"a": internal.pk, "c": case.pk, "s": grant["nonce"]}, salt=views.DOWNLOAD_SALT
    )
    assert client.get(reverse("intake:track_download", args=[token])).status_code == 404


def test_correction_requested_shows_items_and_deadline(client, world, calendar):
    case = online_case(world.agency)
    code = case.query_code
    case = workflow.confirm(case, by=world.registrar, on=D("2026-03-03"))
    case = workflow.request_correction(
        case,
        by=world.registrar,
        on=D("2026-03-04"),
        items="请写明所需统计数据的年份",
        correction_due_on=D("2026-03-20"),
    )
    html = ask(client, case, code).content.decode()
    assert "待补正" in html and "请写明所需统计数据的年份" in html and "2026年3月20日" in html


def test_track_rate_limit_per_address(client, world, settings):
    settings.INTAKE_TRACK_RATE_LIMIT = "3/10m"
    case = online_case(world.agency)
    for _ in range(3):
        assert ask(client, case).status_code == 200
    refused = ask(client, case)
    assert refused.status_code == 429
    assert "最多查询 3 次" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0


def test_wrong_guesses_from_elsewhere_cannot_lock_the_applicant_out(client, world, settings):
    """Issue 13 #6: ten wrong codes against a (sequential) tracking number locked the
    real applicant out of 查询 for an hour, from any address."""
    settings.INTAKE_TRACK_NUMBER_LIMIT = "3/1h"
    case = online_case(world.agency)

    def guess(address, code):
        data = {"tracking_number": case.tracking_number, "query_code": code}
        return client.post(TRACK, data, REMOTE_ADDR=address)

    for i in range(5):
        assert guess("203.0.113.9", f"WRONG{i}").status_code in (400, 429)
    locked = guess("203.0.113.9", case.query_code)  # the guesser's address is held back
    assert locked.status_code == 429
    assert "失败的次数过多" in locked.content.decode()
    assert guess("198.51.100.7", case.query_code).status_code == 200  # the applicant is not
    unknown = client.post(
        TRACK,
        {"tracking_number": "SFGAJ-2026-77777", "query_code": "x"},
        REMOTE_ADDR="203.0.113.9",
    )
    assert unknown.status_code == 400  # other numbers are not affected


def test_receipt_code_works_on_the_track_page(client, world):
    client.post("/xxgk/apply/", person_data())
    r = client.get(reverse("intake:receipt")).context["r"]
    html = client.post(
        TRACK, {"tracking_number": r["tracking_number"], "query_code": r["query_code"]}
    ).content.decode()
    assert "待确认" in html


def test_seal_round_trip_and_find_case():
    sealed = submission.seal("ABCDEFGH23", "nonce-1")
    assert sealed != b"ABCDEFGH23".hex()
    assert submission.unseal(sealed, "nonce-1") == "ABCDEFGH23"
    assert submission.unseal(sealed, "nonce-2") != "ABCDEFGH23"


def test_staff_never_see_the_code(world, client):
    client.post("/xxgk/apply/", person_data())
    code = client.get(reverse("intake:receipt")).context["r"]["query_code"]
    row = SubmissionToken.objects.get()
    assert code not in row.sealed_code and code not in row.case.query_code_hash
