"""The register pages: every view for every role, and what each page does."""

import datetime as dt
import io
import json
import re
import zipfile

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gongkai.agencies.models import Role
from gongkai.attachments import storage
from gongkai.registers import documents, imports, views
from gongkai.registers.models import Decision, Document, ImportBatch, PendingImport
from gongkai.registers.tests.helpers import csv_bytes, decisions

D = dt.date.fromisoformat
TODAY = D("2026-06-15")
pytestmark = pytest.mark.django_db

EDIT = {Role.OFFICE, Role.ADMIN}
VIEW = {Role.OFFICE_HEAD, Role.LEADER}
OTHER = set(Role.values) - EDIT - VIEW  # registrar, handler, reviewers, info officer, …


@pytest.fixture(autouse=True)
def pinned(monkeypatch):
    monkeypatch.setattr(views, "today", lambda: TODAY)


@pytest.fixture
def site(world):
    """A document and a pending upload (by the office user) in the world's agency."""
    world.document = documents.add_document(
        world.agency, by=world.office, kind="normative_documents", title="养犬管理规定",
        number="示公规〔2024〕1号", made_on=D("2024-01-22"), note="",
    )  # fmt: skip
    world.repealed = documents.add_document(
        world.agency, by=world.office, kind="normative_documents", title="旧通告",
        number="示公通〔2019〕2号", made_on=D("2019-03-12"), note="",
    )  # fmt: skip
    documents.repeal_document(world.repealed, by=world.office, repealed_on=D("2024-03-31"))
    world.pending, _ = imports.stage(
        [csv_bytes(decisions("A1"))], agency=world.agency, kind="licensing",
        start=D("2024-01-01"), end=D("2024-12-31"), by=world.office, file_name="许可.csv",
        today=TODAY,
    )  # fmt: skip
    world.nobody = User.objects.create_user("nobody")
    return world


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _urls(w):
    code, pk, token = w.agency.code, w.document.pk, w.pending.token
    return {
        # name: (method, url, data, minimum: "view" or "edit", success status)
        "documents": ("get", reverse("registers:documents", args=[code]), None, "view", 200),
        "document_add": ("get", reverse("registers:document_add", args=[code]), None, "edit", 200),
        "document_edit": (
            "get", reverse("registers:document_edit", args=[code, pk]), None, "edit", 200,
        ),
        "document_repeal": (
            "post", reverse("registers:document_repeal", args=[code, pk]),
            {"repealed_on": "2025-01-01"}, "edit", 302,
        ),
        "document_cancel_repeal": (
            "post", reverse("registers:document_cancel_repeal", args=[code, w.repealed.pk]),
            {"reason": "误操作"}, "edit", 302,
        ),
        "imports": ("get", reverse("registers:imports", args=[code]), None, "view", 200),
        "upload": (
            "post", reverse("registers:imports", args=[code]),
            {"kind": "penalties", "period_start": "2024-01-01", "period_end": "2024-12-31",
             "file": upload("处罚.csv", csv_bytes(decisions("P1")))},
            "edit", 302,
        ),
        "template": (
            "get", reverse("registers:template", args=[code, "fees"]), None, "view", 200,
        ),
        "import_preview": (
            "get", reverse("registers:import_preview", args=[code, token]), None, "edit", 200,
        ),
        "import_confirm": (
            "post", reverse("registers:import_confirm", args=[code, token]), {}, "edit", 302,
        ),
        "import_cancel": (
            "post", reverse("registers:import_cancel", args=[code, token]), {}, "edit", 302,
        ),
        "report_default": ("get", reverse("registers:report_default", args=[code]), None, "view", 302),
        "report": ("get", reverse("registers:report", args=[code, 2024]), None, "view", 200),
        "report_json": (
            "get", reverse("registers:report_download", args=[code, 2024, "json"]), None, "view", 200,
        ),
        "report_docx": (
            "get", reverse("registers:report_download", args=[code, 2024, "docx"]), None, "view", 200,
        ),
    }  # fmt: skip


VIEW_NAMES = [
    "documents", "document_add", "document_edit", "document_repeal", "document_cancel_repeal",
    "imports", "upload", "template", "import_preview", "import_confirm", "import_cancel",
    "report_default", "report", "report_json",  # DOCX: once, in test_downloads_*
]  # fmt: skip


def _expected(name, who, minimum, success):
    """The status a user of category `who` gets from a view."""
    if who == "anonymous":
        return 302  # to the login page
    if who in ("nobody", "other"):
        return 403
    if who == "outsider":
        return 404
    allowed = EDIT if minimum == "edit" else EDIT | VIEW
    if who not in allowed:
        return 403
    if name in ("import_preview", "import_confirm", "import_cancel") and who != Role.OFFICE:
        return 404  # another user's pending upload is not revealed
    return success


@pytest.mark.parametrize("name", VIEW_NAMES)
@pytest.mark.parametrize("who", [*sorted(Role.values), "nobody", "outsider", "anonymous"])
def test_every_view_for_every_role(site, name, who):
    method, url, data, minimum, success = _urls(site)[name]
    user = {"nobody": site.nobody, "outsider": site.outsider, "anonymous": None}.get(who)
    user = user if who in ("nobody", "outsider", "anonymous") else getattr(site, who)
    category = who if who in EDIT | VIEW or who in ("nobody", "outsider", "anonymous") else "other"
    response = getattr(client_for(user), method)(url, data)
    expected = _expected(name, category, minimum, success)
    assert response.status_code == expected, (name, who)
    if expected == 302 and category == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    if expected == 403:
        text = response.content.decode()
        assert "无权" in text
        if category == "nobody":
            assert "还没有分配到任何机关" in text
        else:
            assert "需要" in text and "角色" in text


def test_get_on_post_only_views_is_refused(site):
    client = client_for(site.office)
    url = reverse("registers:document_repeal", args=[site.agency.code, site.document.pk])
    assert client.get(url).status_code == 405


def test_index_sends_a_single_agency_user_to_the_register(site):
    response = client_for(site.leader).get(reverse("registers:index"))
    assert response["Location"] == reverse("registers:documents", args=[site.agency.code])
    assert client_for(site.registrar).get(reverse("registers:index")).status_code == 403
    assert client_for(site.nobody).get(reverse("registers:index")).status_code == 403


def test_a_document_of_another_agency_is_not_found(site):
    from gongkai.agencies.tests.factories import make_agency

    other = make_agency()
    foreign = Document.objects.create(
        agency=other, kind="rules", title="x", made_on=D("2024-01-01")
    )
    url = reverse("registers:document_edit", args=[site.agency.code, foreign.pk])
    assert client_for(site.office).get(url).status_code == 404


# ---- the document pages ----------------------------------------------------------------


def listed(response):
    return re.findall(r"<tr>\s*<td>(?:<a [^>]*>)?([^<]+)", response.content.decode())


def test_list_search_filters_and_pagination(site):
    for n in range(55):
        Document.objects.create(
            agency=site.agency, kind="rules", title=f"规章{n:02d}", made_on=D("2023-05-01")
        )
    client = client_for(site.leader)
    url = reverse("registers:documents", args=[site.agency.code])
    first = client.get(url)
    assert "共 57 件，第 1/2 页" in first.content.decode() and len(listed(first)) == 50
    assert len(listed(client.get(url, {"page": 2}))) == 7
    assert listed(client.get(url, {"q": "示公规"})) == ["养犬管理规定"]
    assert listed(client.get(url, {"state": "repealed"})) == ["旧通告"]
    assert len(listed(client.get(url, {"state": "in_force", "kind": "normative_documents"}))) == 1
    assert len(listed(client.get(url, {"year": "2023"}))) == 50
    bad = client.get(url, {"year": "二〇二四", "kind": "law"})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "制发年度请填写四位数字" in text and "“类别”的值无效" in text
    assert listed(bad) == []


def test_add_shows_chinese_errors_and_writes_nothing(site):
    client = client_for(site.office)
    url = reverse("registers:document_add", args=[site.agency.code])
    data = {
        "kind": "rules",
        "title": "新规章",
        "number": "示公规〔2024〕1号",
        "made_on": "2026-07-01",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "制发日期（2026-07-01）不能晚于今天（2026-06-15）" in response.content.decode()
    response = client.post(url, {**data, "made_on": "2026-01-05"})
    assert response.status_code == 400 and "已登记过这个文号" in response.content.decode()
    assert client.post(url, {**data, "made_on": "2026/01/05"}).status_code == 400
    response = client.post(url, {**data, "made_on": "2026-01-05", "number": ""})
    assert response.status_code == 302
    assert Document.objects.filter(title="新规章").count() == 1


def test_repeal_before_the_made_date_is_refused_on_the_page(site):
    client = client_for(site.admin)
    url = reverse("registers:document_repeal", args=[site.agency.code, site.document.pk])
    response = client.post(url, {"repealed_on": "2023-01-01"}, follow=True)
    assert "不能早于制发日期（2024-01-22）" in response.content.decode()
    site.document.refresh_from_db()
    assert site.document.repealed_on is None
    response = client.post(url, {"repealed_on": "2025-12-31"}, follow=True)
    assert "已将“养犬管理规定”标记为自 2025-12-31 起废止" in response.content.decode()
    assert "标记废止" in response.content.decode()  # the audit trail on the page


# ---- the import flow ------------------------------------------------------------------------


def test_upload_preview_lists_every_rejected_row_then_confirm(site):
    client = client_for(site.office)
    bad = [("2024-02-30", "B2", "x"), ("2023-12-31", "B3", "x"), ("2024-03-01", "B1", "x"),
           ("2024-03-01", "", "x"), ("", "B5", "x")]  # fmt: skip
    data = csv_bytes(decisions("B1") + bad, "gb18030")
    response = client.post(
        reverse("registers:imports", args=[site.agency.code]),
        {"kind": "licensing", "period_start": "2024-01-01", "period_end": "2024-12-31",
         "file": upload("许可.csv", data)},
    )  # fmt: skip
    assert response.status_code == 302
    pending = PendingImport.objects.exclude(pk=site.pending.pk).get()
    preview = client.get(response["Location"]).content.decode()
    assert re.search(r'id="accepted">1 行', preview) and re.search(
        r'id="rejected"[^>]*>5 行', preview
    )
    for line, reason in [
        (3, "不是存在的日期"),
        (4, "不在本次导入期间"),
        (5, "与第 2 行重复"),
        (6, "缺少“决定文号”"),
        (7, "缺少“决定日期”"),
    ]:
        assert re.search(rf"<td>第 {line} 行</td><td>[^<]*{reason}", preview), line
    assert "本期间以前没有导入过行政许可数据" in preview  # a pending upload is not a batch
    confirm = reverse("registers:import_confirm", args=[site.agency.code, pending.token])
    refused = client.post(confirm, {}, follow=True).content.decode()
    assert "有 5 行未通过校验" in refused and not ImportBatch.objects.exists()
    done = client.post(confirm, {"allow_rejected": "on"}, follow=True).content.decode()
    assert "已导入行政许可 1 行" in done
    assert list(Decision.objects.values_list("number", flat=True)) == ["B1"]


def test_preview_names_the_batch_it_will_replace(site):
    client = client_for(site.office)
    imports.commit(site.pending, by=site.office)
    url = reverse("registers:imports", args=[site.agency.code])
    form = {"kind": "licensing", "period_start": "2024-01-01", "period_end": "2024-12-31"}
    response = client.post(url, {**form, "file": upload("新.csv", csv_bytes(decisions("N1")))})
    preview = client.get(response["Location"]).content.decode()
    assert "确认后将替换以下导入" in preview and "许可.csv" in preview


def test_upload_errors_are_shown_on_the_form(site, settings):
    client = client_for(site.admin)
    url = reverse("registers:imports", args=[site.agency.code])
    form = {"kind": "fees", "period_start": "2024-01-01", "period_end": "2024-12-31"}
    response = client.post(url, {**form, "file": upload("x.csv", csv_bytes([("日期", "金额")]))})
    assert response.status_code == 400 and "缺少必需的列" in response.content.decode()
    settings.REGISTERS_IMPORT_MAX_BYTES = 10
    response = client.post(url, {**form, "file": upload("x.csv", b"a" * 11)})
    assert "文件大小超过上限（10 字节）" in response.content.decode()
    response = client.post(url, {**form, "period_end": "2025-01-31", "file": upload("x.csv", b"a")})
    assert "跨了年度" in response.content.decode()
    response = client.post(url, {**form, "kind": "bribes", "period_start": "昨天"})
    text = response.content.decode()
    assert "请从列表中选择数据类别" in text and "请按“2024-03-01”的格式填写日期" in text
    assert "请选择要上传的文件" in text


def test_cancel_forgets_the_upload(site):
    client = client_for(site.office)
    url = reverse("registers:import_cancel", args=[site.agency.code, site.pending.token])
    response = client.post(url, follow=True)
    assert "没有写入任何数据" in response.content.decode()
    assert not PendingImport.objects.exists()
    assert not storage.exists(imports.pending_name(site.pending.token))


def test_template_download_is_a_csv_excel_reads(site):
    response = client_for(site.leader).get(
        reverse("registers:template", args=[site.agency.code, "fees"])
    )
    assert response.content.decode("utf-8") == "\ufeff收费日期,收费项目,金额（元）,票据号码\r\n"
    bad = reverse("registers:template", args=[site.agency.code, "bribes"])
    assert client_for(site.leader).get(bad).status_code == 404


# ---- table 二 ----------------------------------------------------------------------------------


def test_report_page_renders_table_two_and_warns_about_missing_imports(site):
    imports.commit(site.pending, by=site.office)
    page = client_for(site.leader).get(reverse("registers:report", args=[site.agency.code, 2024]))
    text = page.content.decode()
    assert "第二十条第（一）项" in text and "本年收费金额（单位：万元）" in text
    assert re.search(r'data-where="proactive.licensing/decisions" class="value">1<', text)
    assert re.search(r'data-where="proactive.normative_documents/repealed" class="value">1<', text)
    assert re.search(r'data-where="proactive.penalties/decisions" class="value blank">', text)
    assert "行政处罚：全年未导入" in text
    assert "已通过核对" in text
    for fmt in ("docx", "json"):
        assert reverse("registers:report_download", args=[site.agency.code, 2024, fmt]) in text


def test_report_years_outside_the_2021_format_or_the_future(site):
    client = client_for(site.leader)
    assert client.get(reverse("registers:report", args=[site.agency.code, 2020])).status_code == 404
    assert client.get(reverse("registers:report", args=[site.agency.code, 2027])).status_code == 404
    default = client.get(reverse("registers:report_default", args=[site.agency.code]))
    assert default["Location"] == reverse("registers:report", args=[site.agency.code, 2025])


def test_downloads_are_the_whole_report(site):
    imports.commit(site.pending, by=site.office)
    client = client_for(site.office_head)
    code = site.agency.code
    data = json.loads(
        client.get(reverse("registers:report_download", args=[code, 2024, "json"])).content
    )
    assert data["proactive"]["licensing"] == {"decisions": 1}
    assert set(data) >= {"requests", "appeals", "findings"}
    response = client.get(reverse("registers:report_download", args=[code, 2024, "docx"]))
    assert "attachment" in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as docx:
        assert "行政规范性文件" in docx.read("word/document.xml").decode()
    bad = reverse("registers:report_download", args=[code, 2024, "exe"])
    assert client.get(bad).status_code == 404


def test_edit_saves_through_the_register_and_shows_the_trail(site):
    client = client_for(site.office)
    url = reverse("registers:document_edit", args=[site.agency.code, site.document.pk])
    data = {"kind": "normative_documents", "title": "养犬登记管理规定", "number": "示公规〔2024〕1号",
            "made_on": "2024-01-22", "note": ""}  # fmt: skip
    assert client.post(url, data).status_code == 302
    page = client.get(url).content.decode()
    assert "修改了文件名称" in page and 'value="养犬登记管理规定"' in page
    cancel = reverse("registers:document_cancel_repeal", args=[site.agency.code, site.repealed.pk])
    text = client.post(cancel, {"reason": ""}, follow=True).content.decode()
    assert "请说明为什么撤销废止标记" in text
    site.repealed.refresh_from_db()
    assert site.repealed.repealed_on == D("2024-03-31")
