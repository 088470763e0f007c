"""The activity registers' pages: every view for every role, add/edit/delete, import."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gongkai.activities import registers, views
from gongkai.activities.models import ActivityEvent, Enquiry, NewMediaAccount, Training
from gongkai.agencies.models import Role
from gongkai.registers.tests.conftest import world  # noqa: F401
from gongkai.registers.tests.helpers import csv_bytes, xlsx_bytes

D = dt.date.fromisoformat
TODAY = D("2026-03-02")
pytestmark = pytest.mark.django_db

EDIT = {Role.OFFICE, Role.ADMIN}
VIEW = {Role.OFFICE_HEAD, Role.LEADER}
OTHER = set(Role.values) - EDIT - VIEW


@pytest.fixture(autouse=True)
def pinned(monkeypatch):
    monkeypatch.setattr(views, "today", lambda: TODAY)


@pytest.fixture
def site(world):  # noqa: F811
    world.row = registers.add(
        world.agency, "trainings", by=world.office, held_on=D("2025-05-20"),
        title="条例培训", attendees=45, note="",
    )  # fmt: skip
    world.nobody = User.objects.create_user("nobody")
    return world


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def pages(w):
    code = w.agency.code
    return {
        "index": ("get", reverse("activities:index"), None, False),
        "year": ("get", reverse("activities:year", args=[code, 2025]), None, False),
        "template": ("get", reverse("activities:template", args=[code, "enquiries"]), None, False),
        "export": (
            "get", reverse("activities:export", args=[code, 2025, "trainings", "xlsx"]), None,
            False,
        ),
        "add": ("get", reverse("activities:add", args=[code, 2025, "enquiries"]), None, True),
        "edit": (
            "get", reverse("activities:edit", args=[code, 2025, "trainings", w.row.pk]), None, True,
        ),
        "import": ("get", reverse("activities:import", args=[code, 2025, "newmedia"]), None, True),
        "delete": (
            "post", reverse("activities:delete", args=[code, 2025, "trainings", w.row.pk]), {},
            True,
        ),
    }  # fmt: skip


@pytest.mark.parametrize("role", sorted(Role.values))
def test_every_page_for_every_role(site, role):
    user = getattr(site, role)
    for name, (method, url, data, edit) in pages(site).items():
        if name == "delete":
            continue  # below, once: it changes the data
        response = getattr(client_for(user), method)(url, data or {})
        allowed = role in EDIT or (role in VIEW and not edit)
        if name == "index" and allowed:
            assert response.status_code == 302, (role, name)
        else:
            assert response.status_code == (200 if allowed else 403), (role, name)
        if not allowed:
            assert "需要" in response.content.decode()


def test_anonymous_nobody_and_outsider(site):
    for name, (method, url, data, _) in pages(site).items():
        response = getattr(Client(), method)(url, data or {})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        response = getattr(client_for(site.nobody), method)(url, data or {})
        assert response.status_code == 403, name
        if name != "index":
            response = getattr(client_for(site.outsider), method)(url, data or {})
            assert response.status_code == 404, name  # another agency: not revealed


def test_delete_by_role(site):
    method, url, _, _ = pages(site)["delete"]
    for role in sorted(VIEW | OTHER):
        assert client_for(getattr(site, role)).post(url).status_code == 403
    assert Training.objects.filter(pk=site.row.pk).exists()
    assert client_for(site.office).post(url).status_code == 302
    assert not Training.objects.filter(pk=site.row.pk).exists()
    assert ActivityEvent.objects.filter(kind="deleted", row_id=site.row.pk).exists()


def test_a_future_year_is_not_there(site):
    url = reverse("activities:year", args=[site.agency.code, 2027])
    assert client_for(site.office).get(url).status_code == 404


def test_add_and_edit_through_the_form(site):
    c = client_for(site.office)
    url = reverse("activities:add", args=[site.agency.code, 2025, "enquiries"])
    response = c.post(url, {"channel": "phone", "persons": "1300", "note": ""})
    assert response.status_code == 302
    row = Enquiry.objects.get(agency=site.agency, year=2025, channel="phone")
    assert row.persons == 1300 and row.updated_by == site.office
    # the same channel twice: refused in Chinese, nothing saved
    response = c.post(url, {"channel": "phone", "persons": "5", "note": ""})
    assert response.status_code == 400
    assert "已登记过这个渠道" in response.content.decode()
    assert Enquiry.objects.filter(agency=site.agency).count() == 1
    # a training dated outside the page's year
    edit = reverse("activities:edit", args=[site.agency.code, 2025, "trainings", site.row.pk])
    response = c.post(edit, {"held_on": "2024-12-31", "title": "条例培训", "attendees": "45"})
    assert response.status_code == 400 and "不在 2025 年度内" in response.content.decode()
    response = c.post(edit, {"held_on": "2025-06-01", "title": "条例培训", "attendees": "50"})
    assert response.status_code == 302
    site.row.refresh_from_db()
    assert site.row.attendees == 50
    event = ActivityEvent.objects.filter(kind="changed").get()
    assert event.data["changed"]["attendees"] == [45, 50]


def _upload(c, site, key, name, data):
    url = reverse("activities:import", args=[site.agency.code, 2025, key])
    return c.post(url, {"file": SimpleUploadedFile(name, data)})


def test_import_replaces_the_year_all_or_nothing(site):
    c = client_for(site.office)
    registers.add(site.agency, "newmedia", by=site.office, year=2025, platform="douyin",
                  account="旧账号", posts=3, note="")  # fmt: skip
    good = [("平台", "账号名称", "本年发布条数"), ("微信公众号", "临夏公安", "1205"),
            ("微博", "临夏公安", "12984")]  # fmt: skip
    response = _upload(c, site, "newmedia", "新媒体.xlsx", xlsx_bytes(good))
    assert response.status_code == 302
    rows = NewMediaAccount.objects.filter(agency=site.agency, year=2025)
    assert sorted(rows.values_list("platform", "posts")) == [("wechat", 1205), ("weibo", 12984)]
    bad = [("平台", "账号名称", "本年发布条数"), ("微信公众号", "临夏公安", "1205"),
           ("推特", "临夏公安", "-3"), ("微信公众号", "临夏公安", "7")]  # fmt: skip
    response = _upload(c, site, "newmedia", "新媒体.csv", csv_bytes(bad))
    text = response.content.decode()
    assert response.status_code == 400
    assert "没有导入任何数据" in text
    assert "第 3 行" in text and "“推特”不是可选值" in text and "应为不小于0的整数" in text
    assert sorted(rows.values_list("platform", "posts")) == [("wechat", 1205), ("weibo", 12984)]
    dup = [("平台", "账号名称", "本年发布条数"), ("微信公众号", "临夏公安", "1205"),
           ("微信公众号", "临夏公安", "7")]  # fmt: skip
    response = _upload(c, site, "newmedia", "新媒体.csv", csv_bytes(dup))
    assert "与第 2 行重复" in response.content.decode()
    missing = [("平台", "条数"), ("微信公众号", "1")]
    response = _upload(c, site, "newmedia", "新媒体.csv", csv_bytes(missing))
    assert "缺少必需的列：账号名称、本年发布条数" in response.content.decode()
    assert rows.count() == 2


def test_import_dated_rows_must_lie_in_the_year(site):
    c = client_for(site.office)
    data = [("日期", "培训名称", "参训人次"), ("2025-05-20", "条例培训", "45"),
            ("2024-09-17", "公文写作", "70")]  # fmt: skip
    response = _upload(c, site, "trainings", "培训.csv", csv_bytes(data, encoding="gb18030"))
    assert response.status_code == 400 and "不在 2025 年度内" in response.content.decode()
    assert list(Training.objects.values_list("title", flat=True)) == ["条例培训"]


def test_the_template_is_the_header(site):
    url = reverse("activities:template", args=[site.agency.code, "proposals"])
    body = client_for(site.leader).get(url).content.decode("utf-8-sig")
    assert body.strip() == "类别,层级,承办件数,按时办结件数,备注"


def test_year_page_lists_rows_and_empty_registers(site):
    text = (
        client_for(site.office_head)
        .get(reverse("activities:year", args=[site.agency.code, 2025]))
        .content.decode()
    )
    assert "条例培训" in text and "2025年还没有登记咨询。" in text
    assert "＋ 登记" not in text  # the office head reads only


def test_export_reads_back_through_the_import(site, tmp_path):
    registers.add(site.agency, "proposals", by=site.office, year=2025, kind="npc",
                  level="provincial", handled=57, on_time=57, note="")  # fmt: skip
    c = client_for(site.leader)
    data = c.get(reverse("activities:export", args=[site.agency.code, 2025, "proposals", "csv"]))
    assert data.status_code == 200
    body = b"".join(data.streaming_content)
    assert "人大代表建议,省级,57,57".encode() in body
    path = tmp_path / "p.csv"
    path.write_bytes(body)
    assert registers.import_file(site.agency, "proposals", 2025, path, "p.csv", by=site.office,
                                 today=TODAY) == 1  # fmt: skip
    xlsx = c.get(reverse("activities:export", args=[site.agency.code, 2025, "proposals", "xlsx"]))
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd")
    bad = c.get(reverse("activities:export", args=[site.agency.code, 2025, "proposals", "pdf"]))
    assert bad.status_code == 404
