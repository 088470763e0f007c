"""The case page in headless chromium: upload an attachment, refuse a disguised one,
download it and a letter."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from gongkai.attachments.tests import files
from gongkai.cases.tests.conftest import national_calendar  # noqa: F401 (autouse, DB tests)
from gongkai.cases.tests.factories import make_case, run_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOT = Path("/tmp/gongkai-case-attachments.png")


@pytest.fixture
def case(world):
    world.office.set_password("secret-pw")
    world.office.save()
    return run_to(
        make_case(world.agency, world.registrar, applicant_name="韩梅梅"), world, "drafted"
    )


def log_in(page, user):
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(user.get_username())
    page.locator("input[name=password]").fill("secret-pw")
    page.locator("form button[type=submit], form input[type=submit]").last.click()


def test_upload_download_and_letters_on_the_case_page(page, world, case):
    log_in(page, world.office)
    page.goto(f"/cases/{case.tracking_number}/")
    section = page.locator("#attachments")
    expect(section).to_contain_text("这件申请还没有附件")

    section.get_by_label("选择文件").set_input_files(
        {"name": "伪装.pdf", "mimeType": "application/pdf", "buffer": files.EXE}
    )
    section.get_by_role("button", name="上传").click()
    expect(page.locator(".messages")).to_contain_text("Windows 可执行程序")

    section = page.locator("#attachments")
    section.get_by_label("选择文件").set_input_files(
        {"name": "身份证明.pdf", "mimeType": "application/pdf", "buffer": files.PDF}
    )
    section.get_by_label("材料类别").select_option("identity")
    section.get_by_role("button", name="上传").click()
    expect(page.locator(".messages")).to_contain_text("已上传附件“身份证明.pdf”")
    link = page.locator("#attachments").get_by_role("link", name="身份证明.pdf")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "身份证明.pdf"
    assert Path(download.value.path()).read_bytes() == files.PDF

    letters = page.locator("#letters")
    expect(letters).to_contain_text("答复书（予以公开）")
    with page.expect_download() as download:
        letters.locator("li", has_text="答复书（予以公开）").get_by_role(
            "link", name="下载 DOCX"
        ).click()
    assert download.value.suggested_filename.endswith("答复书（予以公开）.docx")
    page.screenshot(path=str(SCREENSHOT), full_page=True)
