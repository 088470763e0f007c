"""补正 on the 查询 page (Art. 30, issue 14 part 4): the applicant who passed the 查询码
check submits text and files; the reply period counts afresh from the day the 补正
arrives; the case returns to the office's in-tray. Every refusal is in Chinese and
leaves nothing behind."""

import datetime as dt
import io

import pytest

from gongkai.attachments.models import AttachmentKind, CaseAttachment
from gongkai.cases import workflow
from gongkai.cases.models import Case, CaseEvent, EventKind
from gongkai.inbox import queues
from gongkai.intake import views

from .conftest import PNG
from .test_track import TRACK, ask, online_case

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
CORRECT = "/xxgk/track/correction/"


@pytest.fixture
def waiting(world, calendar, monkeypatch):
    """An online request confirmed on Mon 21 Sep 2026, a 补正 asked for the next day
    (due 20 Oct); the applicant comes back on Wed 30 Sep, the eve of 国庆."""
    monkeypatch.setattr(views, "today", lambda: D("2026-09-30"))
    case = workflow.submit_online(
        world.agency,
        submitted_on=D("2026-09-18"),
        applicant_type="natural_person",
        applicant_name="张三",
        applicant_id_document="居民身份证：11010519491231002X",
        applicant_contact="电话：13800138000",
        applicant_address="",
        content="申请公开交通事故统计",
        form_wanted="electronic",
        business_type="traffic",
    )
    code = case.query_code
    case = workflow.confirm(case, by=world.registrar, on=D("2026-09-21"))
    case = workflow.request_correction(
        case,
        by=world.office,
        on=D("2026-09-22"),
        items="请写明所需统计的年份和道路范围。",
        correction_due_on=D("2026-10-20"),
    )
    case.query_code = code
    return case


def upload(name, data):
    f = io.BytesIO(data)
    f.name = name
    return f


def trace(case):
    row = Case.objects.get(pk=case.pk)
    return (
        row.status,
        row.corrected_on,
        row.due_on,
        row.correction_reply,
        CaseEvent.objects.filter(case=case).count(),
        CaseAttachment.objects.filter(case=case).count(),
    )


def submit(client, case, text="", files=(), ref=None):
    data = {"case": ref or case.tracking_number, "correction_text": text}
    if files:
        data["correction_files"] = list(files)
    return client.post(CORRECT, data)


def test_the_track_page_asks_for_the_correction_with_its_items_and_deadline(client, waiting):
    html = ask(client, waiting).content.decode()
    assert "待补正" in html and "请写明所需统计的年份和道路范围。" in html
    assert "在线提交补正" in html and "2026年10月20日" in html and 'id="correction"' in html


def test_an_online_correction_restarts_the_reply_period_across_national_day(client, world, waiting):
    ask(client, waiting)
    response = submit(
        client,
        waiting,
        text="所需信息为2025年城区道路交通事故统计。",
        files=[upload("说明.png", PNG)],
    )
    assert response.status_code == 303 and response["Location"] == "/xxgk/track/correction/done/"
    case = Case.objects.get(pk=waiting.pk)
    # Art. 30: 答复期限自收到补正的申请之日起计算 — 20 working days from 30 Sep 2026:
    # 1–7 Oct are 国庆 holidays and Sat 10 Oct is a working day, so the 20th is Tue 3 Nov.
    assert (case.status, case.corrected_on, case.due_on) == (
        "registered",
        D("2026-09-30"),
        D("2026-11-03"),
    )
    assert case.correction_reply == "所需信息为2025年城区道路交通事故统计。"
    event = CaseEvent.objects.get(case=case, kind=EventKind.SUBMIT_CORRECTION)
    assert event.actor is None and event.data["files"] == 1
    (row,) = CaseAttachment.objects.filter(case=case)
    assert (row.kind, row.uploaded_by, row.original_name) == (
        AttachmentKind.CORRECTION,
        None,
        "说明.png",
    )
    # Back in the office's in-tray (分办), with the new deadline.
    assert case.pk in set(
        queues.records(queues.QUEUE_BY_KEY["assign"], world.office).values_list("pk", flat=True)
    )
    done = client.get(response["Location"]).content.decode()
    assert "补正已提交" in done and "办理中" in done and "2026年11月3日" in done
    assert "在线提交补正" not in done


def test_text_alone_is_a_correction_but_nothing_is_not(client, waiting):
    ask(client, waiting)
    before = trace(waiting)
    refused = submit(client, waiting, text="   ")
    assert (
        refused.status_code == 400 and "请填写补正内容，或上传补正材料" in refused.content.decode()
    )
    assert trace(waiting) == before
    assert submit(client, waiting, text="2025年").status_code == 303


def test_a_bad_file_refuses_the_whole_correction(client, waiting):
    ask(client, waiting)
    before = trace(waiting)
    fake = upload("补正.pdf", b"MZ\x90\x00 not a pdf")
    response = submit(client, waiting, text="补正内容", files=[upload("a.png", PNG), fake])
    html = response.content.decode()
    assert response.status_code == 400 and "补正未提交" in html and "补正.pdf" in html
    assert trace(waiting) == before
    assert "补正内容" in html  # the text typed is kept for the next try


def test_without_a_code_check_nothing_is_accepted(client, waiting):
    before = trace(waiting)
    refused = submit(client, waiting, text="补正")
    assert refused.status_code == 403 and "查询已过期" in refused.content.decode()
    assert trace(waiting) == before


def test_a_form_shown_for_another_case_submits_nothing(client, world, waiting):
    other = online_case(world.agency)
    ask(client, waiting)
    before = trace(waiting)
    assert submit(client, waiting, text="补正", ref=other.tracking_number).status_code == 403
    assert trace(waiting) == before


def test_after_the_correction_period_the_form_is_gone_and_a_post_is_refused(
    client, waiting, monkeypatch
):
    monkeypatch.setattr(views, "today", lambda: D("2026-10-21"))
    html = ask(client, waiting).content.decode()
    assert "在线提交补正" not in html and "补正期限已过" in html
    before = trace(waiting)
    refused = submit(client, waiting, text="补正")
    assert refused.status_code == 400 and "补正期限（2026-10-20）已过" in refused.content.decode()
    assert trace(waiting) == before


def test_a_correction_is_taken_once(client, waiting):
    ask(client, waiting)
    assert submit(client, waiting, text="2025年").status_code == 303
    again = submit(client, waiting, text="再补充")
    assert again.status_code == 400 and "不需要补正" in again.content.decode()


def test_submissions_are_rate_limited_per_address(client, waiting, settings):
    settings.INTAKE_RATE_LIMIT = "1/10m"
    ask(client, waiting)
    submit(client, waiting, text="   ")  # counted, though refused
    before = trace(waiting)
    refused = submit(client, waiting, text="2025年")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert trace(waiting) == before


def test_the_track_page_is_unchanged_for_a_case_not_waiting_for_correction(client, world):
    case = online_case(world.agency)
    html = client.post(
        TRACK, {"tracking_number": case.tracking_number, "query_code": case.query_code}
    ).content.decode()
    assert "在线提交补正" not in html and "补正期限已过" not in html


def test_the_done_page_without_a_code_check_shows_only_the_empty_form(client, waiting):
    html = client.get("/xxgk/track/correction/done/").content.decode()
    assert waiting.tracking_number not in html and "补正已提交" not in html
    assert "受理编号" in html
