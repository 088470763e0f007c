"""In headless chromium: 示范县 answers its 整改事项 with a corrected report; the 公安部
office that handed it out withdraws it with a reason; the agency sees why and can no
longer answer; the 问题清单 filtered by 已撤销 lists it; the report page lists both
originals and the earlier one downloads."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from gongkai.cases.tests.browsing import login, with_passwords

from .. import workflow
from .conftest import COUNTY_2025, TODAY, county_with_error

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/library-more-shots")


def _shot(page, name):
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_withdraw_and_earlier_originals(page, item, rect_world, settings):
    SHOTS.mkdir(parents=True, exist_ok=True)
    w = with_passwords(rect_world, settings)
    workflow.answer(item, "已更正表三自然人新收件数", w.xian,
                    ("示范县更正.txt", COUNTY_2025.read_bytes()), today=TODAY)  # fmt: skip

    # The supervising office withdraws it; a reason is required.
    login(page, w.office)
    page.goto(f"/library/rectification/{item.pk}/")
    _shot(page, "1-item-answered-with-withdraw-form")
    page.get_by_label("撤销理由").fill("该问题已由省厅另行督办，本事项撤销。")
    page.get_by_role("button", name="撤销这项整改事项").click()
    expect(page.get_by_role("status").first).to_contain_text("已撤销这项整改事项")
    expect(page.locator(".rect-state")).to_contain_text("已撤销")
    expect(page.locator("#events-title + ul")).to_contain_text("撤销：该问题已由省厅另行督办")
    expect(page.get_by_role("button", name="撤销这项整改事项")).to_have_count(0)
    expect(page.get_by_role("button", name="核验销号")).to_have_count(0)
    _shot(page, "2-item-withdrawn")

    # The 问题清单, filtered by 状态.
    page.goto("/library/rectification/")
    page.get_by_label("状态").select_option(label="已撤销")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("table.rect-list")).to_contain_text("理由：该问题已由省厅另行督办")
    _shot(page, "3-problem-list-withdrawn")

    # The report page lists both originals; the first one downloads.
    page.goto(f"/library/report/{item.report_id}/")
    table = page.locator("section", has=page.get_by_role("heading", name="各版本的原件"))
    expect(table).to_contain_text("第 2 版（当前）")
    expect(table).to_contain_text("收集入库")
    _shot(page, "4-report-originals")
    with page.expect_download() as download:
        table.get_by_role("link", name="示范县2025.txt").click()
    assert Path(download.value.path()).read_bytes() == county_with_error()

    # The agency sees why; no answer form.
    login(page, w.xian)
    page.goto(f"/library/rectification/{item.pk}/")
    expect(page.locator(".rect-withdrawn")).to_contain_text("撤销理由：该问题已由省厅另行督办")
    expect(page.get_by_role("button", name="提交答复")).to_have_count(0)
    _shot(page, "5-item-withdrawn-agency")
