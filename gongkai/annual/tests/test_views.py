"""The workspace pages: every role on every view (least privilege), the forms in
the browser's place (test client), and refusals shown in Chinese."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from gongkai.agencies.models import Role
from gongkai.annual import views, workflow
from gongkai.annual.models import AnnualReport, Status
from gongkai.portal import views as portal_views
from gongkai.portal.models import PublishedReport

from .conftest import PINNED, fill_placeholders

VIEWERS = {Role.OFFICE, Role.OFFICE_HEAD, Role.LEADER}
EVERYONE = [*Role.values, "outsider", "parent_office", "anonymous"]


@pytest.fixture(autouse=True)
def pinned(monkeypatch):
    at = timezone.make_aware(dt.datetime(2027, 1, 12, 9, 0))
    monkeypatch.setattr(views, "now", lambda: at)


def client_for(world, who):
    client = Client()
    if who != "anonymous":
        client.force_login(getattr(world, who))
    return client


def _draft(world):
    return fill_placeholders(
        workflow.start(world.agency, 2026, by=world.office, today=PINNED), world.office
    )


@pytest.mark.parametrize("who", EVERYONE)
def test_index_and_workspace_by_role(world, who):
    _draft(world)
    client = client_for(world, who)
    for url in ("/annual/", "/annual/gaj/2026/"):
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        elif who in VIEWERS:
            assert response.status_code == 200, url
        elif url == "/annual/" and who in ("outsider", "parent_office"):
            assert response.status_code == 200  # their own agency's list
            assert "示范市公安局" not in response.content.decode()
        else:
            assert response.status_code == 403
            assert "查看年度报告" in response.content.decode()


ACTIONS = {
    "start": Role.OFFICE,
    "edit": Role.OFFICE,
    "submit": Role.OFFICE,
    "review": Role.OFFICE_HEAD,
    "approve": Role.LEADER,
    "publish": Role.OFFICE,
    "correct": Role.OFFICE,
}


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("who", EVERYONE)
def test_actions_by_role(world, who, action):
    """Only the action's role gets past the permission check; everyone else gets 403
    (or the login page) and nothing changes."""
    _draft(world)
    before = AnnualReport.objects.get().status
    client = client_for(world, who)
    if action == "start":
        response = client.post("/annual/start/", {"agency": "gaj", "year": "2025"})
    else:
        response = client.post(f"/annual/gaj/2026/{action}/", {"decision": "agree"})
    if who == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif who == ACTIONS[action]:
        assert response.status_code == 302  # done, or refused with a message
    else:
        assert response.status_code == 403
    if who != ACTIONS[action]:
        assert AnnualReport.objects.count() == 1
        assert AnnualReport.objects.get().status == before


def test_get_is_not_allowed_on_actions(world):
    response = client_for(world, Role.OFFICE).get("/annual/gaj/2026/submit/")
    assert response.status_code == 405


def test_whole_life_through_the_pages(world):
    office = client_for(world, Role.OFFICE)
    response = office.post("/annual/start/", {"agency": "gaj", "year": "2026"}, follow=True)
    assert "已根据本机关记录起草" in response.content.decode()
    annual = AnnualReport.objects.get()
    page = office.get("/annual/gaj/2026/").content.decode()
    assert "一、总体情况" in page and "上一年度报告的主要问题" in page
    texts = {
        f"s{k}": [s["text"].replace("【待补充】", "已开展，") for s in annual.sections[k]]
        for k in ("一", "五", "六")
    }
    texts["s一"][0] = "（改写）本年度，本局扎实推进政务公开。"
    office.post("/annual/gaj/2026/edit/", texts)
    annual.refresh_from_db()
    assert annual.sections["一"][0]["text"] == "（改写）本年度，本局扎实推进政务公开。"
    response = office.post("/annual/gaj/2026/submit/", follow=True)
    assert "已提交工作机构负责人审核" in response.content.decode()
    head = client_for(world, Role.OFFICE_HEAD)
    response = head.post(
        "/annual/gaj/2026/review/", {"decision": "return", "text": ""}, follow=True
    )
    assert "退回时必须填写退回理由" in response.content.decode()
    head.post("/annual/gaj/2026/review/", {"decision": "agree", "text": "同意"})
    leader = client_for(world, Role.LEADER)
    response = leader.post("/annual/gaj/2026/approve/", {"decision": "agree"}, follow=True)
    assert "报告已锁定" in response.content.decode()
    response = office.post("/annual/gaj/2026/publish/", follow=True)
    assert "已在门户“年度报告”栏目发布" in response.content.decode()
    row = PublishedReport.objects.get()
    assert row.published_on == dt.date(2027, 1, 12)
    annual.refresh_from_db()
    assert annual.status == Status.PUBLISHED
    page = office.get("/annual/gaj/2026/").content.decode()
    assert "在门户查看" in page and "锁定以来，记录的变化没有改变任何表格数字" in page
    portal = Client().get("/xxgk/gaj/reports/2026/").content.decode()
    assert "（改写）本年度，本局扎实推进政务公开。" in portal


def test_refusals_show_in_chinese(world):
    office = client_for(world, Role.OFFICE)
    response = office.post("/annual/start/", {"agency": "gaj", "year": "2031"}, follow=True)
    assert "不能起草2031年度的年度报告" in response.content.decode()
    response = office.post("/annual/start/", {"agency": "gaj", "year": "二〇二六"}, follow=True)
    assert "请填写四位数字的报告年度" in response.content.decode()
    assert not AnnualReport.objects.exists()
    page = office.get("/annual/gaj/2031/").content.decode()
    assert "还没有开始" in page


def test_unknown_agency_is_404(world):
    assert client_for(world, Role.OFFICE).get("/annual/nope/2026/").status_code == 404


@pytest.mark.parametrize("who", [Role.OFFICE_HEAD, Role.LEADER])
def test_portal_manage_points_the_approvers_to_the_annual_report(world, who):
    response = client_for(world, who).get("/xxgk/gaj/manage/reports/")
    assert response.status_code == 403
    assert "/annual/" in response.content.decode() and "审批" in response.content.decode()


def test_a_report_from_records_cannot_be_back_dated_on_the_portal(
    world, settings, tmp_path, monkeypatch
):
    """The portal's 由记录生成 path has no date to type: it is published on the real day."""
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(portal_views, "now", views.now)
    office = client_for(world, Role.OFFICE)
    response = office.post(
        "/xxgk/gaj/manage/reports/",
        {"action": "records", "records-year": "2026", "records-published_on": "2027-01-02"},
    )
    assert response.status_code == 302
    confirm = office.get("/xxgk/gaj/manage/reports/confirm/")
    assert confirm.context["published_on"] == dt.date(2027, 1, 12)
    token = confirm.context["form"].initial["token"]
    office.post(
        "/xxgk/gaj/manage/reports/confirm/", {"token": token, "confirm": "on", "action": "publish"}
    )
    assert PublishedReport.objects.get().published_on == dt.date(2027, 1, 12)


def test_a_record_change_marks_the_sentences_whose_figures_went_stale(world):
    from gongkai.cases.tests.factories import make_case

    _draft(world)
    office = client_for(world, Role.OFFICE)
    assert "数字已变化" not in office.get("/annual/gaj/2026/").content.decode()
    make_case(world.agency, world.registrar, submitted_on=dt.date(2026, 5, 6))
    page = office.get("/annual/gaj/2026/").content.decode()
    assert "所引用的数字在起草后随记录变化了" in page
    start = page.index('id="sec-一"')
    assert "数字已变化" in page[start : page.index('id="sec-五"')]
