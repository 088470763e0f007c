"""A member of the public applies online, keeps the receipt and follows the request to
its reply, in headless chromium; the staff steps are taken through the workflow."""

import datetime as dt
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from gongkai.attachments import services as attachments
from gongkai.cases import workflow
from gongkai.cases.models import Case
from gongkai.intake import views

from .conftest import PNG, solve_question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = dt.date.fromisoformat


@pytest.fixture(autouse=True)
def pinned_day(monkeypatch):
    monkeypatch.setattr(views, "today", lambda: D("2026-03-02"))


def answer_challenge(page):
    question = page.locator(".challenge-question").inner_text()
    page.get_by_label("验证题").fill(solve_question(question))


def fill_application(page):
    page.get_by_label("自然人（以个人名义申请）").check()
    expect(page.locator("#group-org")).to_be_hidden()  # the script hides the other group
    page.locator("#id_person_name").fill("王小明")
    page.get_by_label("身份证件类型").select_option("居民身份证")
    page.get_by_label("证件号码").fill("11010519491231002x")
    page.get_by_label("联系电话").fill("138 0013 8000")
    page.get_by_label("您需要哪些政府信息？").fill("2025年本市电动自行车登记数量的统计数据")
    page.get_by_label("电子（电子文件，可在本网站“查询”页面下载）").check()
    page.get_by_label("信息涉及的业务").select_option(label="交管")


def staff_reply(world, case):
    on = D("2026-03-03")
    case = workflow.confirm(case, by=world.registrar, on=on)
    case = workflow.assign(case, by=world.office, department=world.dept, on=on)
    case = workflow.draft_decision(
        case, by=world.handler, outcome="granted", legal_basis="条例第三十六条第（二）项", on=on
    )
    case = workflow.review(case, by=world.legal_reviewer, kind="legal", passed=True, on=on)
    case = workflow.review(case, by=world.secrecy_reviewer, kind="secrecy", passed=True, on=on)
    case = workflow.approve(case, by=world.leader, on=on)
    case = workflow.reply(case, by=world.office, on=D("2026-03-09"))
    document = io.BytesIO(b"%PDF-1.4\n% reply to the applicant\n%%EOF\n")
    document.name = "政府信息公开申请答复书.pdf"
    attachments.attach(case, document, kind="reply", by=world.office, visible_to_applicant=True)
    return workflow.deliver(case, by=world.office, method="electronic", on=D("2026-03-09"))


def test_apply_online_then_follow_to_the_reply(page, world, calendar, tmp_path):
    page.goto("/xxgk/apply/")
    expect(page.get_by_role("heading", name="网上提交政府信息公开申请", level=1)).to_be_visible()
    fill_application(page)

    # Forgot the declaration: the error summary takes the focus and links to the field.
    answer_challenge(page)
    page.get_by_role("button", name="提交申请").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("请阅读并勾选承诺")
    expect(page.locator("#id_person_name")).to_have_value("王小明")  # kept

    page.get_by_label("身份证明材料").set_input_files(
        {"name": "身份证.png", "mimeType": "image/png", "buffer": PNG}
    )
    page.get_by_label("我承诺以上填写的内容真实").check()
    answer_challenge(page)
    page.get_by_role("button", name="提交申请").click()

    expect(page.get_by_role("heading", name="申请已提交")).to_be_visible()
    expect(page.get_by_role("button", name="打印回执")).to_be_visible()
    number = page.locator("#tracking-number").inner_text()
    code = page.locator("#query-code").inner_text()
    assert number.startswith("SFGAJ-2026-") and len(code) == 10
    expect(page.locator(".receipt")).to_contain_text("第三十一条")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载回执（文本文件）").click()
    receipt = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    assert f"查询码：{code}" in receipt

    case = Case.objects.get(tracking_number=number)
    assert case.channel == "online" and case.status == "awaiting_confirmation"
    assert case.attachments.get().original_name == "身份证.png"

    page.get_by_role("link", name="办理进度查询").first.click()
    page.get_by_label("受理编号").fill(number)
    page.get_by_label("查询码").fill(code.lower())
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".public-status")).to_have_text("待确认")

    staff_reply(world, case)

    page.goto("/xxgk/track/")
    page.get_by_label("受理编号").fill(number)
    page.get_by_label("查询码").fill(code)
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".public-status")).to_have_text("已答复")
    expect(page.locator(".outcome")).to_have_text("予以公开")
    expect(page.locator(".track-result")).to_contain_text("2026年3月9日")
    expect(page.locator(".track-result")).not_to_contain_text("身份证.png")  # not for download
    with page.expect_download() as download_info:
        page.get_by_role("link", name="政府信息公开申请答复书.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "政府信息公开申请答复书.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF-1.4")
