"""In chromium (issue 14 part 4): the clerk delivers a reply electronically and the
applicant downloads the signed PDF on the 查询 page; the applicant submits a 补正 on the
查询 page and the reply period starts again. Staff steps before these are taken through
the workflow to keep the walks short."""

import datetime as dt
import io
from pathlib import Path

import pdfplumber
import pytest
from playwright.sync_api import expect

from gongkai.cases import views, workflow
from gongkai.cases.models import Case
from gongkai.cases.tests.browsing import login, step, track, with_passwords
from gongkai.cases.tests.factories import run_to
from gongkai.intake import views as intake_views
from gongkai.letters import views as letter_views

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = dt.date.fromisoformat
SHOTS = Path("/tmp/shots/casework")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def people(world, settings, monkeypatch):
    with_passwords(world, settings)
    return world


def pin(monkeypatch, day):
    for module in (views, intake_views, letter_views):
        monkeypatch.setattr(module, "today", lambda: day)


def online(world, submitted_on):
    return workflow.submit_online(
        world.agency,
        submitted_on=submitted_on,
        applicant_type="natural_person",
        applicant_name="王小明",
        applicant_id_document="居民身份证：11010519491231002X",
        applicant_contact="电话：13800138000；电子邮箱：wang@example.cn",
        applicant_address="示范市人民路1号",
        content="2025年本市电动自行车登记数量的统计数据",
        form_wanted="electronic",
        business_type="traffic",
    )


def test_electronic_delivery_then_the_applicant_downloads_the_reply_pdf(page, people, monkeypatch):
    w = people
    pin(monkeypatch, D("2024-03-08"))
    case = online(w, D("2024-03-01"))
    code = case.query_code
    case = workflow.confirm(case, by=w.registrar, on=D("2024-03-01"))
    case = run_to(case, w, "replied", on=D("2024-03-07"))

    login(page, w.office)
    page.goto(f"/cases/{case.tracking_number}/")
    form = page.locator("#action-deliver")
    expect(form.get_by_label("电子邮箱（选填）")).to_have_value("wang@example.cn")
    form.get_by_label("送达方式").select_option(label="电子送达")
    shot(page, "delivery-form")
    step(page, "action-deliver", "登记送达", {"送达日期": "2024-03-08"})
    expect(page.locator("#delivery-facts")).to_contain_text(
        "答复书已发布到申请人的办理进度查询页面"
    )
    expect(page.locator("#reply-mails")).to_contain_text("排队发送中")

    track(page, case.tracking_number, code)
    expect(page.locator(".public-status")).to_have_text("已答复")
    expect(page.locator("#delivery")).to_have_text("电子送达，2024年3月8日")
    shot(page, "track-replied")
    with page.expect_download() as info:
        page.get_by_role("link", name=f"{case.tracking_number}-答复书.pdf").click()
    data = Path(info.value.path()).read_bytes()
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = "".join(p.extract_text() or "" for p in pdf.pages)
    assert "政府信息公开申请答复书" in text and "王小明" in text and "草稿" not in text


def test_an_online_correction_restarts_the_clock(page, people, monkeypatch):
    w = people
    pin(monkeypatch, D("2026-09-30"))  # the eve of 国庆 2026
    case = online(w, D("2026-09-18"))
    code = case.query_code
    case = workflow.confirm(case, by=w.registrar, on=D("2026-09-21"))
    workflow.request_correction(
        case,
        by=w.office,
        on=D("2026-09-22"),
        items="请写明所需统计的区域范围。",
        correction_due_on=D("2026-10-20"),
    )

    track(page, case.tracking_number, code)
    expect(page.locator(".public-status")).to_have_text("待补正")
    expect(page.locator(".track-result")).to_contain_text("请写明所需统计的区域范围。")
    page.get_by_label("补正内容").fill("所需统计范围为本市城区。")
    page.get_by_label("补正材料（选填）").set_input_files(
        {"name": "范围说明.png", "mimeType": "image/png", "buffer": PNG}
    )
    shot(page, "track-correction-form")
    page.get_by_role("button", name="提交补正").click()
    expect(page.locator("#correction-done")).to_be_visible()
    expect(page.locator(".public-status")).to_have_text("办理中")
    # 20 working days from 30 Sep 2026: 国庆 1–7 Oct off, Sat 10 Oct a working day.
    expect(page.locator(".track-result")).to_contain_text("2026年11月3日")
    shot(page, "track-corrected")
    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.corrected_on, case.due_on) == (
        "registered",
        D("2026-09-30"),
        D("2026-11-03"),
    )

    login(page, w.office)  # back in the office's in-tray, the 补正 on the case page
    expect(page.locator("body")).to_contain_text(case.tracking_number)
    page.goto(f"/cases/{case.tracking_number}/")
    expect(page.locator("#correction-reply")).to_have_text("所需统计范围为本市城区。")
    expect(page.locator("#attachments")).to_contain_text("范围说明.png")
