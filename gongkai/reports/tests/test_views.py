"""The 年报体检 page: paste or upload a report, see findings, download renderings."""

import io
import zipfile
from html import escape
from pathlib import Path
from urllib.parse import quote

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gongkai.reports import sandbox
from gongkai.reports.render import FORMATS

pytestmark = pytest.mark.django_db

TESTDATA = Path(__file__).parent / "testdata"
SEEDS = sorted(TESTDATA.glob("*.txt"))
HAINING = TESTDATA / "000_fabcd17deb21b667.txt"
URL = reverse("reports:checkup")


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def post(client, **data):
    return client.post(URL, data)


def errors_of(response):
    return " ".join(str(e) for e in response.context["form"].errors.values())


def test_empty_page_explains_and_offers_samples(client):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-CN">' in html
    assert "年报体检" in html and "用示例报告试一试" in html
    assert "报告格式与年度不符" in html  # the rule list explains what is checked
    assert 'name="csrfmiddlewaretoken"' in html


def test_paste_seed_shows_agency_year_and_findings(client):
    response = post(client, text=HAINING.read_text(encoding="utf-8"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "海宁市公安局" in html
    assert "2021年度" in html
    assert "体检结果" in html and "发现的问题" in html
    assert "报告格式与年度不符" in html  # TEMPLATE-YEAR: a 2021 report in the 2019 format
    findings = response.context["findings"]
    assert any(f["rule"] == "TEMPLATE-YEAR" and f["severity_name"] == "错误" for f in findings)
    assert "位置：报告格式" in html  # a whole-report finding is located in words
    assert "<table" in html  # the national-format tables
    assert 'class="value finding-' in html  # a cell a finding concerns is highlighted


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name)
def test_upload_each_seed(client, seed):
    response = post(client, file=upload(seed.name, seed.read_bytes()))
    assert response.status_code == 200, errors_of(response)
    report = response.context["report"]
    assert report["year"] is not None
    assert report["agency"]
    assert report["agency"] in response.content.decode()


def seed_as_docx():
    document = docx.Document()
    for line in HAINING.read_text(encoding="utf-8").splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def seed_as_html():
    lines = HAINING.read_text(encoding="utf-8").splitlines()
    body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    return f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'.encode()


@pytest.mark.parametrize(
    "name, make",
    [
        ("海宁.docx", seed_as_docx),
        ("海宁.html", seed_as_html),
        ("海宁-gbk.txt", lambda: HAINING.read_text(encoding="utf-8").encode("gb18030")),
    ],
)
def test_upload_other_file_types(client, name, make):
    response = post(client, file=upload(name, make()))
    assert response.status_code == 200, errors_of(response)
    assert response.context["report"]["agency"] == "海宁市公安局"
    assert response.context["report"]["year"] == 2021


def test_damaged_pdf_gets_engine_message(client):
    response = post(client, file=upload("年报.pdf", b"%PDF-1.4 this is not really a pdf"))
    assert response.status_code == 400
    assert "PDF" in errors_of(response)


def test_sample_button_analyses_a_bundled_report(client):
    response = client.post(reverse("reports:sample"), {"sample": "haining-2021"})
    assert response.status_code == 200
    assert response.context["report"]["agency"] == "海宁市公安局"
    assert "报告格式与年度不符" in response.content.decode()


def test_unknown_sample_is_refused_politely(client):
    response = client.post(reverse("reports:sample"), {"sample": "nope"}, follow=True)
    assert "请从列表中选择一份示例报告" in response.content.decode()


def test_empty_submission(client):
    response = post(client, text="   ")
    assert response.status_code == 400
    assert "请粘贴年报全文，或选择一个年报文件上传" in response.content.decode()


def test_paste_and_file_together_is_ambiguous(client):
    response = post(client, text="一些文字", file=upload("a.txt", b"abc"))
    assert "请只选择一种方式" in errors_of(response)
    assert "一些文字" in response.content.decode()  # the form keeps what was typed


@pytest.mark.parametrize("name", ["report.doc", "report.exe", "report"])
def test_wrong_extension(client, name):
    response = post(client, file=upload(name, b"hello"))
    assert response.status_code == 400
    assert "不支持" in errors_of(response) and ".docx" in errors_of(response)


def test_docx_that_is_not_a_zip(client):
    response = post(client, file=upload("年报.docx", "这不是Word文件".encode()))
    assert "内容与扩展名 .docx 不符" in errors_of(response)


def test_pdf_that_does_not_start_with_pdf_magic(client):
    response = post(client, file=upload("年报.pdf", b"<html>not a pdf</html>"))
    assert "内容与扩展名 .pdf 不符" in errors_of(response)


def test_zip_renamed_to_txt(client):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    response = post(client, file=upload("年报.txt", buffer.getvalue()))
    assert "请改正扩展名" in errors_of(response)


def test_binary_text_file(client):
    response = post(client, file=upload("年报.txt", b"\x00\x01\x02binary"))
    assert "不是文本文件" in errors_of(response)


def test_empty_file(client):
    response = post(client, file=upload("年报.txt", b""))
    assert "空的" in errors_of(response)


def test_too_large_file(client, settings):
    settings.REPORT_UPLOAD_MAX_BYTES = 1000
    response = post(client, file=upload("年报.txt", "年".encode() * 2000))
    assert response.status_code == 400
    assert "太大" in errors_of(response) and "上限" in errors_of(response)


def test_too_long_paste_keeps_text(client, settings):
    settings.REPORT_UPLOAD_MAX_BYTES = 1000
    response = post(client, text="年报" * 1000)
    assert "粘贴的文本太长" in errors_of(response)


def test_not_an_annual_report(client):
    text = "今天天气很好，我们去公园散步，看到很多人在锻炼身体。"
    response = post(client, text=text)
    assert response.status_code == 400
    assert "未能识别为政府信息公开工作年度报告：" in errors_of(response)
    assert text in response.content.decode()  # the form keeps what was typed


def test_unreadable_file_gets_engine_message(client):
    # Not UTF-8 and not any other text encoding a report uses: the engine refuses it.
    response = post(client, file=upload("年报.txt", bytes(range(0x80, 0x100)) * 8))
    assert response.status_code == 400
    assert errors_of(response)  # UnsupportedInput's Chinese message is shown


def test_unexpected_parser_error_is_caught_and_explained(client, monkeypatch, caplog):
    """A parser bug must not crash the page: it is logged and shown in Chinese.

    The engine runs in a child process (sandbox), so the bug is made real there: the
    pasted text reaches the parser as bytes, which it cannot handle (a TypeError in
    the child)."""
    real_run = sandbox.run

    def with_a_bug(data, **kwargs):
        return real_run(data.encode("utf-8"), text=True)

    monkeypatch.setattr(sandbox, "run", with_a_bug)
    response = post(client, text=HAINING.read_text(encoding="utf-8"))
    assert response.status_code == 400
    assert "系统出错" in errors_of(response)
    assert "TypeError" not in response.content.decode()
    assert "TypeError" in caplog.text  # the child's traceback is logged


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_download_every_format_after_analysis(client, fmt):
    post(client, text=HAINING.read_text(encoding="utf-8"))
    response = client.get(reverse("reports:download", args=[fmt]))
    assert response.status_code == 200
    content_type, extension, _name = FORMATS[fmt]
    assert response["Content-Type"].startswith(content_type.split(";")[0])
    filename = f"海宁市公安局-2021-年报.{extension.lstrip('.')}"
    assert f"filename*=utf-8''{quote(filename)}" in response["Content-Disposition"]
    assert response.content
    if fmt == "json":
        assert response.json()["agency"] == "海宁市公安局"
    if fmt == "docx":
        assert response.content.startswith(b"PK\x03\x04")


def test_download_lists_every_format(client):
    response = post(client, text=HAINING.read_text(encoding="utf-8"))
    html = response.content.decode()
    for fmt in FORMATS:
        assert reverse("reports:download", args=[fmt]) in html


def test_download_without_analysis_redirects_with_message():
    client = Client()
    response = client.get(reverse("reports:download", args=["docx"]), follow=True)
    assert response.redirect_chain[-1][0] == URL
    assert "请先提交一份年报进行体检" in response.content.decode()


def test_download_unknown_format_is_404(client):
    post(client, text=HAINING.read_text(encoding="utf-8"))
    response = client.get(reverse("reports:download", args=["exe"]))
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_csrf_is_enforced():
    client = Client(enforce_csrf_checks=True)
    response = client.post(URL, {"text": HAINING.read_text(encoding="utf-8")})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_request_body_over_django_limit_gets_chinese_400(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post(client, text="年报" * 1000)
    assert response.status_code == 400
    assert "请求有误" in response.content.decode()
