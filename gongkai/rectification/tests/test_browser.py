"""Issue 19's done-when walk in headless chromium, as one walk: the 公安部 政务公开办
uploads a zip of reports (the seeds and reports rendered from the demo); the one it
could not match is assigned; a finding of 示范县公安局's report is confirmed and stays
confirmed when the report is re-checked; it is handed out as a 整改事项; 示范县's own
政务公开办 answers with the corrected report, which the library takes as the report's
next version; the 公安部 office closes the item; the 问题清单 downloads."""

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from gongkai.cases.tests.browsing import login, with_passwords
from gongkai.library.tests.conftest import SEEDS, songxian_misprinted
from gongkai.reports import engine

from .conftest import CITY, COUNTY_2025, county_with_error

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/h19rect-shots")


def _zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for seed in SEEDS[:4]:  # 海宁, 广东, 石嘴山, 临夏 (嵩县 comes misprinted below)
            archive.writestr(f"种子/{seed.name}", seed.read_bytes())
        archive.writestr("种子/嵩县2020年报.txt", songxian_misprinted())
        for city in CITY:
            archive.writestr(f"演示/{city.name}", city.read_bytes())
        archive.writestr(f"演示/{COUNTY_2025.name}", county_with_error())
    return buffer.getvalue()


def _shot(page, name):
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_collect_confirm_rectify_answer_close(page, rect_world, settings):
    SHOTS.mkdir(parents=True, exist_ok=True)
    w = with_passwords(rect_world, settings)
    # The upload is read by a background job: run at once, as a worker would.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

    # The supervisor collects a zip of reports.
    login(page, w.office)
    page.goto("/library/import/")
    page.get_by_label("年报文件或 zip 压缩包").set_input_files(
        {"name": "年报.zip", "mimeType": "application/zip", "buffer": _zip()}
    )
    page.get_by_role("button", name="上传并检查").click()
    results = page.locator("table.case-table")
    # Nine files, each read in its own sandboxed process: allow for a busy machine.
    expect(results).to_contain_text("示范县公安局 2025年度", timeout=180_000)
    expect(results).to_contain_text("示范市公安局 2024年度")
    expect(results).to_contain_text("待指定")

    # The unmatched one (嵩县公按局, one character off) is assigned.
    page.goto("/library/queue/")
    item = page.locator(".queue li").first
    expect(item.locator("option:checked")).to_have_text("嵩县公安局（名称相似 95%）")
    item.get_by_role("button", name="指定并归档").click()
    expect(page.get_by_text("没有待指定机关的报告")).to_be_visible()

    # A finding of 示范县's report is confirmed; re-checking keeps the decision.
    page.get_by_role("link", name="机关 × 年度").click()
    row = page.locator("table.library-grid tr", has_text="示范县公安局")
    row.get_by_role("link", name="个错误").click()
    finding = page.locator("li.finding", has_text="表三勾稽关系")
    finding.get_by_label("核实理由").fill("与报送的原文核对，自然人一栏多计 1 件")
    finding.get_by_role("button", name="确认").click()
    expect(page.get_by_role("status")).to_contain_text("确认")
    page.get_by_role("button", name="重新读取原件并检查").click()
    expect(page.get_by_role("status")).to_contain_text("已有的核实结论保持不变", timeout=30_000)
    finding = page.locator("li.finding", has_text="表三勾稽关系")
    expect(finding.locator(".review-state")).to_have_text("确认")
    _shot(page, "1-report-with-panel")

    # It becomes a 整改事项.
    page.get_by_role("link", name="交办整改").click()
    expect(page.get_by_role("checkbox")).to_have_count(1)
    _shot(page, "2-hand-out")
    page.get_by_role("button", name="交办整改").click()
    expect(page.get_by_role("status")).to_contain_text("已交办示范县公安局整改")
    expect(page.locator(".rect-state")).to_contain_text("待整改")
    number = page.locator("h1").inner_text().split("：")[0]
    _shot(page, "3-item-supervisor")

    # 示范县's own office finds it in 我的待办 and answers with the corrected report.
    login(page, w.xian)
    page.goto("/inbox/")
    queue = page.locator("#rectification_answer")
    expect(queue).to_contain_text("示范县公安局 2025年度报告")
    _shot(page, "4-inbox-agency")
    queue.get_by_role("link", name=number).click()
    page.get_by_label("整改说明").fill("已更正表三“本年新收”自然人件数，重新报送年度报告。")
    page.get_by_label("更正后的报告（选填）").set_input_files(
        {
            "name": "示范县公安局2025年度报告（更正）.txt",
            "mimeType": "text/plain",
            "buffer": COUNTY_2025.read_bytes(),
        }  # fmt: skip
    )
    _shot(page, "5-item-agency-answer-form")
    page.get_by_role("button", name="提交答复").click()
    expect(page.get_by_role("status")).to_contain_text("已作为新版本入库", timeout=30_000)
    expect(page.locator(".rect-state")).to_contain_text("待核验")
    expect(page.locator(".rect-fixed")).to_have_text("按报告当前数据已不再发现")

    # The supervisor verifies and closes it.
    login(page, w.office)
    page.goto("/inbox/")
    page.locator("#rectification_verify").get_by_role("link", name=number).click()
    expect(page.get_by_text("所交办的问题按报告当前数据均已不再发现")).to_be_visible()
    _shot(page, "6-item-verify")
    page.get_by_label("核验意见或退回理由").fill("已核对更正后的报告，表三勾稽关系正确。")
    page.get_by_role("button", name="核验销号").click()
    expect(page.get_by_role("status")).to_contain_text("已核验销号")
    expect(page.locator(".rect-state")).to_contain_text("已销号")
    _shot(page, "7-item-closed")

    # The report is at version 2; the decision is still 确认, the error no longer found.
    page.get_by_role("link", name="第 2 版（当前）").click()
    expect(page.locator("dl.facts")).to_contain_text("第 2 版")
    finding = page.locator("li.finding", has_text="表三勾稽关系")
    expect(finding.locator(".review-state")).to_have_text("确认")
    expect(finding).to_contain_text("按当前数据已不再发现")
    expect(page.get_by_text("更换为更正后的原件")).to_be_visible()

    # The 问题清单 for 2025 downloads as XLSX.
    page.goto("/library/rectification/?year=2025")
    expect(page.locator("table.rect-list")).to_contain_text("已销号")
    _shot(page, "8-problem-list")
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel（XLSX）").click()
    assert download.value.suggested_filename.endswith("问题清单.xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "示范县公安局" in values and "已销号" in values and "已不再发现" in values

    # The region dashboard (示范市 with 示范县 under it) and its Excel export count the
    # corrected report (version 2): 示范县's 本年新收 自然人 is the corrected figure.
    fixed = engine.analyse_file(COUNTY_2025)["requests"]["new"]
    city = engine.analyse_file(CITY[-1])["requests"]["new"]  # 示范市 2025
    page.goto("/library/dashboard/?year=2025")
    page.get_by_label("地区或机关").select_option(label="示范市公安局")
    page.get_by_role("button", name="查看").click()
    expect(page.locator("h1")).to_have_text("示范市公安局 2025年度政府信息公开统计")
    summary = page.locator(".dashboard-summary")
    expect(summary).to_contain_text("2 份报告")
    expect(summary).to_contain_text(f"{city['total'] + fixed['total']} 件本年新收申请")
    _shot(page, "9-dashboard")
    with page.expect_download() as download:
        page.get_by_role("link", name="全部单元格（Excel，每份报告一行）").click()
    rows = list(load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active.values)
    header, data = rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    natural = next(h for h in header if "本年新收" in h and h.endswith("/自然人"))
    county = [r for r in data if r["机关"] == "示范县公安局" and r["年度"] == 2025]
    assert [(r["版本"], r[natural]) for r in county] == [(2, fixed["natural_person"])]
