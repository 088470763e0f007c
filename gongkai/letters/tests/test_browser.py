"""In headless chromium: a denial drafted with its reasons, whose DOCX and PDF state them
and name the 复议机关; a paper request's receipt printed with its 查询码."""

import datetime as dt
import io
import re
from pathlib import Path

import docx
import pdfplumber
import pytest
from playwright.sync_api import expect

from gongkai.cases import views as case_views
from gongkai.cases import workflow
from gongkai.cases.models import Case
from gongkai.cases.tests.browsing import login, with_passwords
from gongkai.cases.tests.conftest import national_calendar  # noqa: F401 (autouse, DB tests)
from gongkai.cases.tests.factories import make_case, run_to
from gongkai.letters import views

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = dt.date.fromisoformat
TODAY = D("2024-03-04")
REASON = "所申请的询问笔录属于正在办理的治安案件的执法案卷，该案尚未办结。"


@pytest.fixture
def people(world, settings, monkeypatch):
    with_passwords(world, settings)
    monkeypatch.setattr(case_views, "today", lambda: TODAY)
    monkeypatch.setattr(views, "today", lambda: TODAY)
    return world


def download(page, locator):
    with page.expect_download() as info:
        locator.click()
    return Path(info.value.path()).read_bytes()


def docx_text(data):
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def pdf_text(data):
    with pdfplumber.open(io.BytesIO(data)) as document:
        return "".join(page.extract_text() for page in document.pages).replace("\n", "")


def test_a_denial_states_the_handlers_reason_and_names_the_reconsideration_body(page, people):
    w = people
    case = run_to(make_case(w.agency, w.registrar, applicant_name="李雷"), w, "assigned")
    url = f"/cases/{case.tracking_number}/"
    login(page, w.handler)
    page.goto(url)
    form = page.locator("#action-draft_decision")
    form.get_by_label("办理结果").select_option(value="denied.enforcement_file")
    form.get_by_role("button", name="提交拟办意见").click()
    expect(page.locator("#action-draft_decision")).to_contain_text("须说明理由")
    form = page.locator("#action-draft_decision")
    form.get_by_label("事实和理由", exact=False).fill(REASON)
    form.get_by_role("button", name="提交拟办意见").click()
    expect(page.locator(".messages")).to_contain_text("已完成")

    case = Case.objects.get(pk=case.pk)
    case = workflow.review(case, by=w.legal_reviewer, kind="legal", passed=True, on=TODAY)
    case = workflow.review(case, by=w.secrecy_reviewer, kind="secrecy", passed=True, on=TODAY)
    workflow.approve(case, by=w.leader, on=TODAY)

    login(page, w.office)
    page.goto(url)
    item = page.locator("#letters li", has_text="答复书（不予公开：行政执法案卷）")
    expect(item).to_be_visible()
    docx_bytes = download(page, item.get_by_role("link", name="下载 DOCX"))
    pdf_bytes = download(page, item.get_by_role("link", name="下载 PDF"))
    assert pdf_bytes.startswith(b"%PDF")
    for text in (docx_text(docx_bytes), pdf_text(pdf_bytes)):
        assert REASON in text
        assert "向某某市人民政府申请行政复议" in text
        assert "某某市某某区人民法院" in text
    page.screenshot(path="/tmp/gongkai-letters-denial.png", full_page=True)

    # The text opened for editing after approval goes back for approval.
    item.get_by_role("link", name="查看或修改答复书").click()
    body = page.get_by_label("正文")
    body.fill(body.input_value().replace("该案尚未办结", "该案尚未办结，正在侦查"))
    page.get_by_role("button", name="保存为新版本").click()
    expect(page.locator(".messages")).to_contain_text("须重新审批")
    page.screenshot(path="/tmp/gongkai-letters-reply-text.png", full_page=True)
    page.goto(url)
    expect(page.locator("#letters")).to_contain_text("须经审批后才能答复")


def test_a_paper_receipt_carries_its_query_code(page, people):
    w = people
    login(page, w.registrar)
    page.goto("/cases/new/")
    page.get_by_label("申请人类型").select_option(label="自然人")
    page.get_by_label("申请人姓名或名称").fill("王小明")
    page.get_by_label("身份证明").fill("110101198001010011")
    page.get_by_label("联系方式").fill("13912345678")
    page.get_by_label("申请渠道").select_option(label="当面")
    page.get_by_label("提交日期").fill("2024-03-04")
    page.get_by_label("申请内容").fill("申请公开2023年本市道路交通事故统计数据")
    page.get_by_label("获取方式").select_option(label="纸质")
    page.get_by_label("业务类别").select_option(label="交管")
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.get_by_role("heading", name="登记成功")).to_be_visible()
    code = page.locator("#query-code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{10}", code)

    forms = page.locator("#receipt-forms")
    pdf_bytes = download(page, forms.get_by_role("button", name="下载 PDF"))
    assert f"查询码{code}" in pdf_text(pdf_bytes)
    docx_bytes = download(page, forms.get_by_role("button", name="下载 DOCX"))
    assert f"查询码{code}" in docx_text(docx_bytes)
    with page.context.expect_page() as popup:
        forms.get_by_role("button", name="打印受理回执").click()
    printable = popup.value
    expect(printable.locator("h1")).to_have_text("政府信息公开申请受理回执")
    expect(printable.locator("body")).to_contain_text(code)
    printable.screenshot(path="/tmp/gongkai-letters-receipt.png", full_page=True)
