"""Staff pages: who may edit, CSRF, preview and publish, report publishing in two steps."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gongkai.agencies.models import Role
from gongkai.portal import manage
from gongkai.portal.models import PageVersion, PublishedReport, ReportOrigin

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parents[2] / "reports" / "samples"
HAINING = SEEDS / "000_fabcd17deb21b667.txt"
EDITORS = {Role.OFFICE, Role.ADMIN}
STAFF_URLS = [
    "/xxgk/manage/",
    "/xxgk/manage/pages/guide/",
    "/xxgk/manage/pages/rules/",
    "/xxgk/manage/reports/",
]


def login(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", STAFF_URLS)
def test_anonymous_is_sent_to_login(client, world, url):
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", [*Role.values, "outsider"])
@pytest.mark.parametrize("url", STAFF_URLS)
def test_every_role(world, role, url):
    response = login(world.users[role]).get(url)
    if role in EDITORS:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert "没有维护示范市公安局政府信息公开门户的权限" in response.content.decode()


@pytest.mark.parametrize("role", [*Role.values, "outsider"])
def test_every_role_publishing_a_page(world, role):
    response = login(world.users[role]).post(
        "/xxgk/manage/pages/guide/", {"body": "<p>指南</p>", "note": "试", "action": "publish"}
    )
    assert PageVersion.objects.exists() == (role in EDITORS)
    assert response.status_code == (302 if role in EDITORS else 403)


def test_outsider_office_edits_only_its_own_agency(world):
    client = login(world.outsider)
    assert client.get("/xxgk/LSGAJ/manage/pages/guide/").status_code == 200
    assert client.get("/xxgk/manage/pages/guide/").status_code == 403


def test_forms_need_csrf(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.office)
    response = client.post(
        "/xxgk/manage/pages/guide/", {"body": "<p>x</p>", "note": "x", "action": "publish"}
    )
    assert response.status_code == 403
    assert not PageVersion.objects.exists()
    upload = client.post("/xxgk/manage/reports/", {"action": "upload"})
    assert upload.status_code == 403
    page = client.get("/xxgk/manage/pages/guide/").content.decode()
    assert 'name="csrfmiddlewaretoken"' in page


def test_new_agency_starts_from_the_default_guide(world):
    text = login(world.office).get("/xxgk/manage/pages/guide/").content.decode()
    assert "默认文本" in text
    for words in ("主动公开", "受理机构", "20个工作日", "信息处理费", "行政复议", "第三十一条"):
        assert words in text


def test_preview_then_publish_then_history(world):
    client = login(world.office)
    body = '<h2>一、受理机构</h2><p onclick="x()">地址：人民路1号</p><script>alert(1)</script>'
    preview = client.post(
        "/xxgk/manage/pages/guide/", {"body": body, "note": "首次发布", "action": "preview"}
    )
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "预览（尚未发布）" in text and "<p>地址：人民路1号</p>" in text
    assert (
        "<script>alert" not in text
        and "onclick" not in text.split("预览（尚未发布）")[1].split("</section>")[0]
    )
    assert not PageVersion.objects.exists()

    published = client.post(
        "/xxgk/manage/pages/guide/", {"body": body, "note": "首次发布", "action": "publish"}
    )
    assert published.status_code == 302 and published["Location"] == "/xxgk/guide/"
    version = PageVersion.objects.get()
    assert version.number == 1 and version.editor == world.office
    assert "<script" not in version.body and "onclick" not in version.body
    client.post(
        "/xxgk/manage/pages/guide/", {"body": "<p>新地址</p>", "note": "搬迁", "action": "publish"}
    )
    assert list(PageVersion.objects.order_by("number").values_list("number", flat=True)) == [1, 2]
    history = client.get("/xxgk/manage/pages/guide/").content.decode()
    assert "搬迁" in history and "首次发布" in history


@pytest.mark.parametrize(
    "data, message",
    [
        ({"body": "", "note": "x"}, "请填写正文"),
        ({"body": "<script>only()</script>", "note": "x"}, "正文不能为空"),
        ({"body": "<p>x</p>", "note": ""}, "请填写修改说明"),
        ({"body": "<p>x</p>", "note": "长" * 201}, "修改说明最多 200 个字"),
    ],
)
def test_bad_page_input_is_explained_and_nothing_saved(world, data, message):
    response = login(world.office).post("/xxgk/manage/pages/guide/", {**data, "action": "publish"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PageVersion.objects.exists()


def test_unknown_page_slug_goes_back_to_the_index(world):
    response = login(world.office).get("/xxgk/manage/pages/nope/")
    assert response.status_code == 302


def upload(client, path=HAINING, name=None, published_on="2026-01-20"):
    data = path.read_bytes() if isinstance(path, Path) else path
    return client.post(
        "/xxgk/manage/reports/",
        {
            "action": "upload",
            "upload-file": SimpleUploadedFile(name or path.name, data),
            "upload-published_on": published_on,
            "upload-note": "",
        },
    )


def test_report_upload_shows_findings_and_needs_confirmation(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login(world.office)
    response = upload(client)
    assert response.status_code == 302 and response["Location"] == "/xxgk/manage/reports/confirm/"
    confirm = client.get("/xxgk/manage/reports/confirm/")
    text = confirm.content.decode()
    assert "核对发现的问题" in text and "报告格式与年度不符" in text  # the seed's real finding
    assert "与本机关“示范市公安局”不一致" in text  # 海宁市公安局's report
    assert "<table" in text
    assert not PublishedReport.objects.exists()

    token = confirm.context["form"].initial["token"]
    unconfirmed = client.post(
        "/xxgk/manage/reports/confirm/", {"token": token, "action": "publish"}
    )
    assert unconfirmed.status_code == 400 and "请勾选确认后再发布" in unconfirmed.content.decode()
    assert not PublishedReport.objects.exists()

    done = client.post(
        "/xxgk/manage/reports/confirm/", {"token": token, "confirm": "on", "action": "publish"}
    )
    assert done.status_code == 302 and done["Location"] == "/xxgk/reports/2021/"
    row = PublishedReport.objects.get()
    assert row.year == 2021 and row.origin == ReportOrigin.UPLOAD
    assert row.published_by == world.office and str(row.published_on) == "2026-01-20"
    assert row.source_file.read() == HAINING.read_bytes()
    assert not list((tmp_path / "portal" / "staging").iterdir())  # staging cleaned


def test_report_that_is_not_a_report_is_refused(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login(world.office)
    response = upload(client, "今天天气很好。".encode(), name="note.txt")
    assert response.status_code == 302
    confirm = client.get("/xxgk/manage/reports/confirm/")
    text = confirm.content.decode()
    assert "不能发布" in text and "未能识别报告年度" in text
    assert 'value="publish"' not in text
    cancel = client.post("/xxgk/manage/reports/confirm/", {"action": "cancel"})
    assert cancel.status_code == 302
    assert not PublishedReport.objects.exists()


def test_unreadable_upload_is_explained(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = upload(login(world.office), b"not a zip", name="年报.docx")
    assert response.status_code == 400
    assert "内容不是 Word 文档" in response.content.decode()


def test_confirm_without_staged_report_goes_back(world):
    response = login(world.office).get("/xxgk/manage/reports/confirm/")
    assert response.status_code == 302 and response["Location"] == "/xxgk/manage/reports/"


def test_report_from_records_when_registers_exist(world, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    builder = manage.annual_report_builder()
    if builder is None:
        pytest.skip("gongkai.registers 未安装")
    from gongkai.workdays import loading

    loading.load_chinesecalendar()
    client = login(world.office)
    response = client.post(
        "/xxgk/manage/reports/",
        {"action": "records", "records-year": "2025", "records-published_on": "2026-01-20"},
    )
    if response.status_code == 400:  # the registers explain why (e.g. no import this year)
        assert response.context["records_form"].errors
        return
    assert response.status_code == 302
    confirm = client.get("/xxgk/manage/reports/confirm/")
    token = confirm.context["form"].initial["token"]
    client.post(
        "/xxgk/manage/reports/confirm/", {"token": token, "confirm": "on", "action": "publish"}
    )
    row = PublishedReport.objects.get()
    assert row.origin == ReportOrigin.RECORDS and row.year == 2025
