"""Every appeals page for every role; bad input from the forms; the XLSX export."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongkai.appeals import views, workflow
from gongkai.appeals.models import Appeal
from gongkai.cases.models import CaseEvent
from gongkai.cases.tests.factories import make_case, run_to

D = dt.date.fromisoformat
pytestmark = pytest.mark.django_db
TODAY = D("2024-04-10")

RECORDERS = ("legal_reviewer", "admin")
VIEWERS = ("office_head", "leader", "handler")  # handler: the case's department
REFUSED = ("registrar", "office", "secrecy_reviewer", "info_officer", "other_handler")


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setattr(views, "today", lambda: TODAY)


@pytest.fixture
def appeal(world):
    case = make_case(world.agency, world.registrar, submitted_on=D("2024-03-01"))
    case = run_to(case, world, "delivered", outcome="denied.state_secret", on=D("2024-03-11"))
    return workflow.record(
        case, by=world.legal_reviewer, on=TODAY, kind="reconsideration", body="示范市人民政府",
        filed_on=D("2024-04-01"), papers_received_on=D("2024-04-08"),
    )  # fmt: skip


def _as(client, user):
    client.force_login(user)
    return client


def _get_pages(appeal):
    tn = appeal.case.tracking_number
    return ["/appeals/", f"/appeals/{appeal.pk}/", f"/cases/{tn}/"]


@pytest.mark.parametrize("role", RECORDERS + VIEWERS + REFUSED)
def test_list_and_detail_per_role(client, world, appeal, role):
    c = _as(client, getattr(world, role))
    listing = c.get("/appeals/")
    detail = c.get(f"/appeals/{appeal.pk}/")
    if role in RECORDERS + VIEWERS:
        assert listing.status_code == detail.status_code == 200
        assert "2024-04-22" in listing.content.decode()  # the answer's deadline
        assert "示范市人民政府" in detail.content.decode()
    elif role == "other_handler":  # a handler sees its own department's only
        assert listing.status_code == 200 and "示范市人民政府" not in listing.content.decode()
        assert detail.status_code == 403
    else:
        assert listing.status_code == detail.status_code == 403
        assert "无权查看行政复议" in listing.content.decode()


@pytest.mark.parametrize("role", RECORDERS + VIEWERS + REFUSED)
def test_recording_pages_per_role(client, world, appeal, role):
    c = _as(client, getattr(world, role))
    tn = appeal.case.tracking_number
    before = Appeal.objects.count(), CaseEvent.objects.count()
    responses = [
        c.get(f"/appeals/new/{tn}/"),
        c.post(f"/appeals/new/{tn}/", {"kind": "reconsideration", "body": "市政府", "filed_on": "2024-04-02"}),
        c.post(f"/appeals/{appeal.pk}/edit/", {"kind": "reconsideration", "body": "改名", "filed_on": "2024-04-01"}),
        c.post(f"/appeals/{appeal.pk}/answer/", {"answered_on": "2024-04-09"}),
        c.post(f"/appeals/{appeal.pk}/decide/", {"decision": "uphold", "decided_on": "2024-04-10"}),
        c.post(f"/appeals/{appeal.pk}/document/", {"kind": "evidence"}),
    ]  # fmt: skip
    codes = [r.status_code for r in responses]
    if role in RECORDERS:
        assert codes == [200, 302, 302, 302, 302, 400]  # the document form lacks its file
        assert Appeal.objects.count() == 2
    else:
        assert codes == [403] * 6
        assert (Appeal.objects.count(), CaseEvent.objects.count()) == before


def test_case_page_shows_the_panel_to_viewers_and_the_record_button_to_the_legal_office(
    client, world, appeal
):
    tn = appeal.case.tracking_number
    page = _as(client, world.legal_reviewer).get(f"/cases/{tn}/").content.decode()
    assert "行政复议、行政诉讼" in page and f"/appeals/new/{tn}/" in page
    assert "2024-04-22" in page
    page = _as(client, world.office_head).get(f"/cases/{tn}/").content.decode()
    assert "示范市人民政府" in page and f"/appeals/new/{tn}/" not in page
    page = _as(client, world.office).get(f"/cases/{tn}/").content.decode()
    assert "示范市人民政府" not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "litigation_after", "instance": "first", "body": "区法院", "filed_on": "2024-04-05"}, "复议后起诉须选择"),
        ({"kind": "reconsideration", "body": "市政府", "filed_on": "2024-02-30"}, "日期无效"),
        ({"kind": "reconsideration", "body": "市政府", "filed_on": "2024-03-01"}, "不能早于原答复日期"),
        ({"kind": "reconsideration", "body": "", "filed_on": "2024-04-02"}, "请填写复议机关或法院名称"),
    ],
)  # fmt: skip
def test_bad_record_input_is_refused_in_chinese(client, world, appeal, data, message):
    c = _as(client, world.legal_reviewer)
    before = Appeal.objects.count(), CaseEvent.objects.count()
    r = c.post(f"/appeals/new/{appeal.case.tracking_number}/", data)
    assert r.status_code == 400 and message in r.content.decode()
    assert (Appeal.objects.count(), CaseEvent.objects.count()) == before


def test_a_decision_before_filing_is_refused_and_nothing_half_saved(client, world, appeal):
    c = _as(client, world.legal_reviewer)
    pdf = SimpleUploadedFile(
        "决定书.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    )
    r = c.post(
        f"/appeals/{appeal.pk}/decide/",
        {"decision": "revoke", "decided_on": "2024-03-20", "file": pdf},
    )
    assert r.status_code == 400
    assert "审结日期（2024-03-20）不能早于申请/起诉日期（2024-04-01）" in r.content.decode()
    appeal.refresh_from_db()
    assert appeal.result == "pending" and not appeal.documents.exists()
    assert not appeal.case.attachments.exists()


def test_list_filters_and_xlsx_export(client, world, appeal):
    from openpyxl import load_workbook

    c = _as(client, world.legal_reviewer)
    assert "示范市人民政府" in c.get("/appeals/?kind=reconsideration&year=2024").content.decode()
    assert "示范市人民政府" not in c.get("/appeals/?kind=litigation_direct").content.decode()
    assert "示范市人民政府" not in c.get("/appeals/?result=upheld").content.decode()
    bad = c.get("/appeals/?year=abc")
    assert bad.status_code == 400 and "年度请填写四位数字" in bad.content.decode()
    r = c.get("/appeals/?kind=reconsideration&format=xlsx")
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "受理编号" and rows[1][0] == appeal.case.tracking_number
    assert rows[1][9].date() == D("2024-04-22") and rows[1][12] == "尚未审结"


def test_the_deadline_dashboard_shows_appeal_deadlines_to_those_who_see_them(
    client, world, monkeypatch
):
    """Issue 15: the deadlines appear on the 期限看板 as well as in 我的待办."""
    from gongkai.cases import views as case_views

    w = world
    case = make_case(w.agency, w.registrar, submitted_on=dt.date(2024, 3, 1))
    case = run_to(case, w, "delivered", outcome="denied.state_secret", on=dt.date(2024, 3, 11))
    workflow.record(
        case,
        by=w.legal_reviewer,
        on=dt.date(2024, 4, 8),
        kind="reconsideration",
        body="示范市人民政府",
        applicant="张三",
        filed_on=dt.date(2024, 4, 1),
        papers_received_on=dt.date(2024, 4, 8),
    )
    monkeypatch.setattr(case_views, "today", lambda: dt.date(2024, 4, 10))
    for user, sees in ((w.legal_reviewer, True), (w.leader, True), (w.registrar, False)):
        client.force_login(user)
        page = client.get("/cases/dashboard/").content.decode()
        assert ("行政复议、行政诉讼期限" in page) == sees, user
        assert (case.tracking_number in page) == sees, user
