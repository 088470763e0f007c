"""年报库 in headless chromium: a supervisor uploads a zip of two reports, assigns the
one the library could not match, and confirms a finding of the other."""

import io
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from gongkai.cases.tests.browsing import login, with_passwords

from .conftest import fail_second_batch, linxia_with_error, songxian_misprinted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots/library")


def test_upload_assign_and_confirm(page, world, settings):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with_passwords(world, settings)
    # The upload is read by a background job: run at once, as a worker would.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("临夏州公安局2023年报.txt", linxia_with_error())
        archive.writestr("嵩县2020年报.txt", songxian_misprinted())

    login(page, world.office)
    page.get_by_role("link", name="年报库").click()
    expect(page.get_by_text("还没有收集到年度报告")).to_be_visible()
    page.screenshot(path=str(SHOTS / "index-empty.png"), full_page=True)
    page.get_by_role("link", name="收集年报").click()
    page.get_by_label("年报文件或 zip 压缩包").set_input_files(
        {"name": "年报.zip", "mimeType": "application/zip", "buffer": buffer.getvalue()}
    )
    page.get_by_role("button", name="上传并检查").click()
    results = page.locator("table.case-table")
    expect(results).to_contain_text("临夏回族自治州公安局 2023年度")
    expect(results).to_contain_text("待指定")
    page.screenshot(path=str(SHOTS / "import.png"), full_page=True)

    page.goto("/library/queue/")
    item = page.locator(".queue li").first
    expect(item).to_contain_text("嵩县公按局")
    # The nearest name (one character off) is offered first and selected.
    expect(item.locator("option:checked")).to_have_text("嵩县公安局（名称相似 95%）")
    page.screenshot(path=str(SHOTS / "queue.png"), full_page=True)
    item.get_by_role("button", name="指定并归档").click()
    expect(page.get_by_role("status")).to_contain_text("嵩县公安局 2020年度")
    expect(page.get_by_text("没有待指定机关的报告")).to_be_visible()

    page.get_by_role("link", name="机关 × 年度").click()
    grid = page.locator("table.library-grid")
    expect(grid).to_contain_text("2 个错误")
    page.screenshot(path=str(SHOTS / "index.png"), full_page=True)
    grid.get_by_role("link", name="2 个错误").click()
    finding = page.locator("li.finding", has_text="表三勾稽关系")
    finding.get_by_label("核实理由").fill("与原文核对，自然人一栏确有错误")
    finding.get_by_role("button", name="确认").click()
    expect(page.get_by_role("status")).to_contain_text("确认")
    finding = page.locator("li.finding", has_text="表三勾稽关系")
    expect(finding.locator(".review-state")).to_have_text("确认")
    expect(finding).to_contain_text("与原文核对，自然人一栏确有错误")
    page.screenshot(path=str(SHOTS / "report.png"), full_page=True)
    page.get_by_role("link", name="未报送与逾期").click()
    page.get_by_label("报告年度").select_option("2020")
    page.get_by_role("button", name="查看").click()
    expect(page.locator("table.case-table")).to_contain_text("未报送")
    page.screenshot(path=str(SHOTS / "due.png"), full_page=True)


def test_an_upload_shows_its_progress_then_its_results(page, world, settings):
    """The upload is queued for the worker; its page shows the progress and, once the
    worker has done the job, the results (the page polls; no reload by hand)."""
    from gongkai.library import collecting
    from gongkai.library.models import UploadJob

    with_passwords(world, settings)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("临夏州公安局2023年报.txt", linxia_with_error())
        archive.writestr("嵩县2020年报.txt", songxian_misprinted())
    login(page, world.office)
    page.goto("/library/import/")
    page.get_by_label("年报文件或 zip 压缩包").set_input_files(
        {"name": "年报.zip", "mimeType": "application/zip", "buffer": buffer.getvalue()}
    )
    page.get_by_role("button", name="上传并检查").click()
    expect(page.get_by_role("status")).to_contain_text("排队中：已处理 0 / 2 个文件")
    expect(page.get_by_label("读取和检查进度")).to_be_visible()
    page.screenshot(path=str(SHOTS / "upload-queued.png"), full_page=True)
    collecting.run_upload(UploadJob.objects.get())  # the worker
    results = page.locator("table.case-table")
    expect(results).to_contain_text("临夏回族自治州公安局 2023年度", timeout=15_000)
    expect(results).to_contain_text("待指定")
    expect(page.get_by_role("status")).to_contain_text("已完成：已处理 2 / 2 个文件")
    page.screenshot(path=str(SHOTS / "upload-done.png"), full_page=True)
    page.goto("/library/import/")
    expect(page.locator("table.case-table")).to_contain_text("已完成")


def test_a_failed_upload_is_re_run_from_its_page(page, world, settings, monkeypatch):
    """The worker fails halfway through an upload; the office sees the error and 重新运行
    on the upload's page, re-runs it, and once the worker has done it sees what became of
    every file (the one stored before the failure, as stored then)."""
    from gongkai.library import collecting
    from gongkai.library.models import UploadJob

    SHOTS.mkdir(parents=True, exist_ok=True)
    with_passwords(world, settings)
    restore = fail_second_batch(monkeypatch)
    login(page, world.office)
    page.goto("/library/import/")
    page.get_by_label("年报文件或 zip 压缩包").set_input_files(
        [
            {
                "name": "临夏州公安局2023年报.txt",
                "mimeType": "text/plain",
                "buffer": linxia_with_error(),
            },
            {"name": "嵩县2020年报.txt", "mimeType": "text/plain", "buffer": songxian_misprinted()},
        ]  # fmt: skip
    )
    page.get_by_role("button", name="上传并检查").click()
    expect(page.get_by_role("status")).to_contain_text("排队中")
    with pytest.raises(OSError):
        collecting.run_upload(UploadJob.objects.get())  # the worker, failing
    restore()
    expect(page.get_by_role("alert")).to_contain_text("存储暂时不可用", timeout=15_000)
    expect(page.get_by_role("status")).to_contain_text("出错：已处理 1 / 2 个文件")
    page.screenshot(path=str(SHOTS / "upload-failed.png"), full_page=True)

    page.get_by_role("button", name="重新运行").click()
    expect(page.locator(".messages")).to_contain_text("已重新排队")
    expect(page.get_by_label("读取和检查进度")).to_be_visible()
    page.screenshot(path=str(SHOTS / "upload-rerun-queued.png"), full_page=True)
    collecting.run_upload(UploadJob.objects.get())  # the worker, again
    results = page.locator("table.case-table")
    expect(results).to_contain_text("出错的那次运行中已收集入库", timeout=15_000)
    expect(results).to_contain_text("临夏回族自治州公安局 2023年度")
    expect(results).to_contain_text("待指定")
    expect(page.get_by_role("button", name="重新运行")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "upload-rerun-done.png"), full_page=True)


def test_a_possible_duplicate_is_taken_as_a_new_version(page, world, settings):
    """Two files of 临夏 2023: the second waits in the queue beside the filed one and
    the office takes it as that report's second version (its file stored once)."""
    from gongkai.library import collecting
    from gongkai.library.models import LibraryAgency, LibraryReport

    from .conftest import LINXIA

    SHOTS.mkdir(parents=True, exist_ok=True)
    with_passwords(world, settings)
    office = LibraryAgency.objects.get(platform=world.mps)
    files = [("临夏州公安局2023年报.txt", linxia_with_error()),
             ("临夏州公安局2023年报（更正）.txt", LINXIA.read_bytes()),
             ("嵩县2020年报.txt", songxian_misprinted())]  # fmt: skip
    collecting.collect(files, user=world.office, collector=office)
    login(page, world.office)
    page.goto("/library/queue/")
    item = page.locator(".queue li", has_text="更正")
    expect(item).to_contain_text("已归档的报告：临夏州公安局2023年报.txt（第 1 版")
    page.screenshot(path=str(SHOTS / "queue-duplicate.png"), full_page=True)
    item.get_by_label("理由").fill("机关重新发布了更正后的报告")
    item.get_by_role("button", name="作为已归档报告的新版本").click()
    expect(page.locator(".messages")).to_contain_text("的第 2 版")
    page.screenshot(path=str(SHOTS / "adopted.png"), full_page=True)
    report = LibraryReport.objects.get(agency__name="临夏回族自治州公安局")
    stored = settings.MEDIA_ROOT / "library" / report.sha256[:2] / report.sha256
    assert [p.name for p in stored.iterdir()] == [report.original.name.rsplit("/", 1)[1]]
