"""The 年报体检 page in headless chromium: upload or paste a seed, see the findings."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HAINING = Path(__file__).parent / "testdata" / "000_fabcd17deb21b667.txt"
SCREENSHOT = Path("/tmp/gongkai-checkup.png")


def test_upload_seed_and_see_findings(page):
    page.goto("/")
    expect(page.get_by_role("heading", name="年报体检", level=1)).to_be_visible()
    page.get_by_label("或上传年报文件").set_input_files(str(HAINING))
    page.get_by_role("button", name="开始体检").click()

    expect(page.get_by_role("heading", name="发现的问题")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("海宁市公安局")
    expect(page.locator("ol.findings")).to_contain_text("报告格式与年度不符")
    highlighted = page.locator(".tables .finding-error, .tables .finding-warning").first
    expect(highlighted).to_be_visible()
    page.screenshot(path=str(SCREENSHOT), full_page=True)


def test_paste_text_and_see_findings(page):
    page.goto("/")
    page.get_by_label("粘贴年报全文").fill(HAINING.read_text(encoding="utf-8"))
    page.get_by_role("button", name="开始体检").click()
    expect(page.locator(".facts")).to_contain_text("2021年度")
    expect(page.locator("ol.findings li").first).to_be_visible()


def test_bad_upload_shows_chinese_message(page):
    page.goto("/")
    page.get_by_label("或上传年报文件").set_input_files(
        {"name": "年报.docx", "mimeType": "application/octet-stream", "buffer": b"not a zip"}
    )
    page.get_by_role("button", name="开始体检").click()
    expect(page.get_by_role("alert").first).to_contain_text("内容与扩展名 .docx 不符")


def test_a_bomb_and_too_many_submissions_are_refused_in_chinese(page, settings):
    """Issue 13 #1: a DOCX bomb is refused without being unpacked; the next submission
    from the same address over the limit is refused, in Chinese, with nothing read."""
    from gongkai.reports import fuzz

    settings.REPORT_CHECKUP_RATE_LIMIT = "1/10m"
    docx = fuzz.renderings_of(HAINING.read_text(encoding="utf-8"), pdf=False)["docx"]
    page.goto("/")
    page.get_by_label("或上传年报文件").set_input_files(
        {
            "name": "年报.docx",
            "mimeType": "application/octet-stream",
            "buffer": fuzz.docx_bomb(docx),
        }
    )
    page.get_by_role("button", name="开始体检").click()
    expect(page.get_by_role("alert").first).to_contain_text("疑似压缩炸弹")
    page.get_by_label("粘贴年报全文").fill(HAINING.read_text(encoding="utf-8"))
    page.get_by_role("button", name="开始体检").click()
    expect(page.get_by_role("alert").first).to_contain_text("提交过于频繁")
    expect(page.locator(".facts")).to_have_count(0)
    page.screenshot(path="/tmp/gongkai-checkup-limit.png", full_page=True)
