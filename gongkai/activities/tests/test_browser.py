"""One browser walk through the activity registers (Debian chromium): the 政务公开办
registers a year's facts by hand and by file, the 分管领导 reads them."""

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import expect

from gongkai.activities import views
from gongkai.activities.models import NewMediaAccount
from gongkai.cases.tests.browsing import login, with_passwords
from gongkai.registers.tests.conftest import world  # noqa: F401
from gongkai.registers.tests.helpers import xlsx_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots/narrative")


@pytest.fixture(autouse=True)
def pinned(monkeypatch):
    monkeypatch.setattr(views, "today", lambda: dt.date(2026, 3, 2))


def test_office_registers_and_imports_the_leader_reads(page, world, settings, tmp_path):  # noqa: F811
    with_passwords(world, settings)
    SHOTS.mkdir(parents=True, exist_ok=True)
    login(page, world.office)
    page.goto("/activities/")
    expect(page.get_by_role("heading", name="2025年年报工作登记")).to_be_visible()
    expect(page.get_by_text("2025年还没有登记咨询。")).to_be_visible()
    page.screenshot(path=str(SHOTS / "activities-empty.png"), full_page=True)

    page.locator("#reg-enquiries").locator("xpath=..").get_by_role("link", name="＋ 登记").click()
    page.get_by_label("渠道").select_option(label="电话")
    page.get_by_label("咨询人次").fill("1300")
    page.screenshot(path=str(SHOTS / "activities-add.png"), full_page=True)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存咨询登记。")).to_be_visible()

    bad = tmp_path / "新媒体.xlsx"
    bad.write_bytes(xlsx_bytes([("平台", "账号名称", "本年发布条数"), ("推特", "示范公安", "5")]))
    page.goto(f"/activities/{world.agency.code}/2025/newmedia/import/")
    page.get_by_label("文件（CSV 或 XLSX）").set_input_files(str(bad))
    page.get_by_role("button", name="导入").click()
    expect(page.get_by_text("没有导入任何数据")).to_be_visible()
    expect(page.get_by_text("“推特”不是可选值")).to_be_visible()
    page.screenshot(path=str(SHOTS / "activities-import-errors.png"), full_page=True)
    good = tmp_path / "新媒体2.xlsx"
    good.write_bytes(xlsx_bytes([("平台", "账号名称", "本年发布条数"),
                                 ("微信公众号", "示范公安", "1205"), ("微博", "示范公安", "2984")]))  # fmt: skip
    page.get_by_label("文件（CSV 或 XLSX）").set_input_files(str(good))
    page.get_by_role("button", name="导入").click()
    expect(page.get_by_text("已导入2025年政务新媒体 2 行")).to_be_visible()
    assert NewMediaAccount.objects.count() == 2
    page.screenshot(path=str(SHOTS / "activities-year.png"), full_page=True)

    login(page, world.leader)
    page.goto("/activities/")
    expect(page.get_by_role("cell", name="1205")).to_be_visible()
    expect(page.get_by_role("link", name="＋ 登记")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "activities-leader.png"), full_page=True)
