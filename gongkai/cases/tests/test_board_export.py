"""The 期限看板 export (issue 14 part 7): per role, CSV and XLSX (opened with openpyxl),
the board's own states, names masked as in the list."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from gongkai.agencies.models import Role
from gongkai.cases import views, workflow
from gongkai.cases.tests.conftest import D
from gongkai.cases.tests.factories import make_case

pytestmark = pytest.mark.django_db
# Roles that reach every case of the agency (a handler: its department's; 信息员: none).
AGENCY_WIDE = [r for r in Role.values if r not in {Role.HANDLER, Role.INFO_OFFICER}]


@pytest.fixture
def board(world, monkeypatch):
    """On 2024-03-26: 治安支队's case due 03-29 (soon), 户政支队's paused, an unassigned
    one overdue, one 待补正 and one replied (not on the board)."""
    own = make_case(world.agency, world.registrar, applicant_name="张三丰")
    own = workflow.assign(own, by=world.office, department=world.dept, on=D("2024-03-01"))
    other = make_case(
        world.agency, world.registrar, applicant_name="某某有限公司", applicant_type="commercial"
    )
    other = workflow.assign(other, by=world.office, department=world.other_dept, on=D("2024-03-01"))
    workflow.consult(
        other, by=world.office, party="third_party", addressee="某公司", on=D("2024-03-20")
    )
    loose = make_case(world.agency, world.registrar, submitted_on=D("2024-02-20"))
    waiting = make_case(world.agency, world.registrar, submitted_on=D("2024-03-11"))
    workflow.request_correction(
        waiting,
        by=world.office,
        on=D("2024-03-12"),
        items="请写明所需信息的名称",
        correction_due_on=D("2024-03-27"),
    )
    monkeypatch.setattr(views, "today", lambda: D("2024-03-26"))
    return {"own": own, "other": other, "loose": loose, "waiting": waiting}


def _get(user, fmt, **params):
    client = Client()
    client.force_login(user)
    return client.get(reverse("cases:dashboard_export", args=[fmt]), params)


def _xlsx(response):
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = [list(r) for r in book.active.iter_rows(values_only=True)]
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


@pytest.mark.parametrize("role", AGENCY_WIDE)
def test_agency_wide_roles_export_every_open_case(world, board, role):
    response = _get(getattr(world, role), "xlsx")
    assert response.status_code == 200
    rows = _xlsx(response)
    by_number = {r["受理编号"]: r for r in rows}
    assert set(by_number) == {c.tracking_number for c in board.values()}
    states = {key: by_number[case.tracking_number]["期限情况"] for key, case in board.items()}
    assert states == {
        "own": "三个工作日内到期",
        "other": "暂停计时（征求意见中）",
        "loose": "已超期",
        "waiting": "待补正（收到补正后重新计算期限）",
    }
    assert rows[0]["受理编号"] == board["loose"].tracking_number  # earliest deadline first
    # names as in the list: a natural person masked for every role, a company in full
    own = by_number[board["own"].tracking_number]
    assert own["申请人"] == "张**" and own["承办部门"] == "治安支队"
    assert by_number[board["other"].tracking_number]["申请人"] == "某某有限公司"
    assert by_number[board["loose"].tracking_number]["承办部门"] == "未分办"


def test_a_handler_exports_its_department_only(world, board):
    response = _get(world.other_handler, "csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["受理编号"] for r in rows] == [board["other"].tracking_number]
    assert "张三丰" not in text


def test_info_officer_and_no_membership_are_refused(world, board, django_user_model):
    assert _get(world.info_officer, "xlsx").status_code == 403
    nobody = django_user_model.objects.create_user("nobody")
    assert _get(nobody, "csv").status_code == 403


def test_one_tab_only_and_bad_input(world, board):
    rows = _xlsx(_get(world.office, "xlsx", tab="overdue"))
    assert [r["受理编号"] for r in rows] == [board["loose"].tracking_number]
    assert _get(world.office, "pdf").status_code == 404
    assert _get(world.office, "csv", tab="everything").status_code == 404
    anonymous = Client().get(reverse("cases:dashboard_export", args=["csv"]))
    assert anonymous.status_code == 302


def test_the_board_offers_the_exports(world, board):
    client = Client()
    client.force_login(world.office)
    html = client.get(reverse("cases:dashboard")).content.decode()
    assert reverse("cases:dashboard_export", args=["xlsx"]) in html
    assert reverse("cases:dashboard_export", args=["csv"]) in html
