"""年报库 dashboards in headless chromium, one walk: a supervisor opens the region's
统计看板 (ECharts draws each chart from its table), one agency's years, two reports side
by side, and downloads the 体检报告; the charts' tables stay when JavaScript is off."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from gongkai.cases.tests.browsing import login, with_passwords
from gongkai.library import collecting
from gongkai.library.models import LibraryAgency, LibraryReport

from .conftest import SEEDS, linxia_with_error
from .test_dashboards import luoyang_2023

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("GONGKAI_SHOTS", "/tmp/shots/library-dashboard"))


def test_dashboard_walk(page, chromium, live_server, world, settings, remembered_reads):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with_passwords(world, settings)
    office = LibraryAgency.objects.get(platform=world.mps)
    files = [(p.name, p.read_bytes()) for p in SEEDS[:3]]
    files += [("临夏.txt", linxia_with_error()), ("洛阳2023.txt", luoyang_2023())]
    collecting.collect(files, user=world.office, collector=office)
    linxia = LibraryReport.objects.get(agency__name="临夏回族自治州公安局")
    luoyang = LibraryReport.objects.get(agency__name="洛阳市公安局")

    login(page, world.office)
    page.goto("/library/")
    page.get_by_role("link", name="统计看板").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("公安部 2023年度")
    # ECharts replaced the server's SVG with its own drawing, the table is still there.
    results = page.locator("#chart-results")
    expect(results.locator(".chart-canvas svg")).to_be_visible()
    expect(results.locator(".chart-canvas")).to_have_attribute(
        "_echarts_instance_", re.compile(".")
    )
    expect(results.locator("table")).to_contain_text("予以公开")
    expect(page.get_by_text("因件数不足未排名").first).to_be_visible()
    page.screenshot(path=str(SHOTS / "dashboard.png"), full_page=True)

    page.get_by_role("link", name="洛阳市公安局").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("洛阳市公安局历年对比")
    page.screenshot(path=str(SHOTS / "agency-years.png"), full_page=True)

    page.goto(f"/library/compare/?a={linxia.pk}")
    page.get_by_label("对照报告").select_option(label="洛阳市公安局 2023年度")
    page.get_by_role("button", name="对照").click()
    expect(page.get_by_text("个单元格不同")).to_be_visible()
    page.screenshot(path=str(SHOTS / "compare.png"), full_page=True)

    page.goto("/library/dashboard/")
    with page.expect_download() as download:
        page.get_by_role("link", name="体检报告（PDF）").click()
    assert download.value.suggested_filename.endswith("体检报告.pdf")
    assert luoyang.pk

    context = chromium.new_context(
        base_url=live_server.url, locale="zh-CN", java_script_enabled=False
    )
    context.add_cookies(page.context.cookies())
    no_js = context.new_page()
    no_js.goto("/library/dashboard/")
    # Without JavaScript: the server's SVG and the data table.
    expect(no_js.locator("#chart-results .chart-canvas svg text").first).to_have_text("予以公开")
    no_js.screenshot(path=str(SHOTS / "dashboard-no-js.png"), full_page=True)
    context.close()
