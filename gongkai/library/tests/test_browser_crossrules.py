"""Checks beyond one report and collecting from the web, in headless chromium: a
supervisor compares a narrative copied from last year side by side, excludes a missing
report with a reason, and collects a site's 年报 list page by its address."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from gongkai.cases.tests.browsing import login, with_passwords
from gongkai.library import collecting, webcollect
from gongkai.library.models import CollectJob, LibraryAgency

from .test_crosscheck import SHIZUISHAN, shizuishan_2021
from .test_webcollect import Handler, server  # noqa: F401 - the local web server fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/h19rules-shots")


def test_compare_exclude_missing_and_collect_from_the_web(page, world, settings, server):  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    with_passwords(world, settings)
    settings.LIBRARY_FETCH_ALLOW_HOSTS = ["127.0.0.1"]
    settings.LIBRARY_FETCH_DELAY = 0
    office = LibraryAgency.objects.get(platform=world.mps)
    collecting.collect(
        [("石嘴山2020.txt", SHIZUISHAN.read_bytes()), ("石嘴山2021.txt", shizuishan_2021())],
        user=world.office,
        collector=office,
    )

    login(page, world.office)
    page.goto("/library/")
    page.get_by_role("row", name="石嘴山市公安局").get_by_role("link").last.click()
    copy = page.locator("li.finding", has_text="正文与上年或其他机关的报告雷同")
    expect(copy).to_contain_text("与2020年度报告相同")
    page.screenshot(path=str(SHOTS / "report-findings.png"), full_page=True)
    copy.get_by_role("link", name="对照两份正文").click()
    expect(page.locator("mark").first).to_be_visible()
    page.screenshot(path=str(SHOTS / "compare.png"), full_page=True)

    page.get_by_role("link", name="未报送与逾期").click()
    page.get_by_label("报告年度").select_option("2021")
    page.get_by_role("button", name="查看").click()
    row = page.get_by_role("row", name="嵩县公安局")
    expect(row).to_contain_text("待核实")
    row.get_by_label("核实理由").fill("该局2021年度报告已在县政府网站发布，待收集")
    row.get_by_role("button", name="排除").click()
    expect(page.get_by_role("status")).to_contain_text("排除")
    row = page.get_by_role("row", name="嵩县公安局")
    expect(row.locator(".review-state")).to_have_text("排除")
    page.screenshot(path=str(SHOTS / "due.png"), full_page=True)

    page.get_by_role("link", name="从网址收集").click()
    page.get_by_label("网址（每行一个）").fill(server + "/xxgk/ndbg/index.html")
    page.get_by_role("button", name="开始收集").click()
    expect(page.get_by_role("status")).to_contain_text("后台正在抓取")
    expect(page.locator("details").first).to_contain_text("排队中")
    page.screenshot(path=str(SHOTS / "collect-queued.png"), full_page=True)
    webcollect.run_job(CollectJob.objects.get())  # what `gongkai worker` does
    page.reload()
    results = page.locator("details").first
    expect(results).to_contain_text("已完成")
    expect(results).to_contain_text("t20240118_5521.html")
    expect(results).to_contain_text("robots.txt 不允许")
    page.screenshot(path=str(SHOTS / "collect-done.png"), full_page=True)
    results.get_by_role("link", name="已归档").first.click()
    expect(page.locator("h1")).to_contain_text("临夏回族自治州公安局 2023年度")
