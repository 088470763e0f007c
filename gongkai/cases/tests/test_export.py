"""申请登记簿 export (CSV and XLSX): the list's filters, each role's reach, masking,
full exports recorded per case, and cells that cannot run as formulas."""

import csv
import io

import openpyxl
import pytest
from django.http import StreamingHttpResponse

from gongkai.agencies.models import Role
from gongkai.agencies.tests.factories import make_agency, make_user
from gongkai.cases.models import CaseEvent, EventKind
from gongkai.cases.tests.factories import make_case, run_to


def rows_of(response):
    if response["Content-Type"].startswith("text/csv"):
        assert isinstance(response, StreamingHttpResponse)  # never built in memory
        text = b"".join(response.streaming_content).decode("utf-8")
        assert text.startswith("\ufeff")
        return list(csv.reader(io.StringIO(text[1:])))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [[c if c is not None else "" for c in row] for row in book.active.values]


@pytest.fixture
def two_departments(world):
    w = world
    mine = run_to(make_case(w.agency, w.registrar, applicant_name="王小明"), w, "assigned")
    theirs = make_case(w.agency, w.registrar, applicant_name="李大华")
    from gongkai.cases import workflow

    theirs = workflow.assign(theirs, by=w.office, department=w.other_dept, on=theirs.received_on)
    return w, mine, theirs


def test_anonymous_is_sent_to_login(client, db):
    assert client.get("/cases/export/csv/").status_code == 302


def test_an_unknown_format_is_not_found(client, world):
    client.force_login(world.office)
    assert client.get("/cases/export/pdf/").status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_register_has_every_field_and_masks_names(client, two_departments, fmt):
    w, mine, theirs = two_departments
    client.force_login(w.office)
    rows = rows_of(client.get(f"/cases/export/{fmt}/"))
    header, *body = rows
    assert header[:3] == ["受理编号", "机关", "申请渠道"]
    assert "身份证明" in header and "答复期限" in header and "送达日期" in header
    numbers = {r[0] for r in body}
    assert numbers == {mine.tracking_number, theirs.tracking_number}
    names = {r[header.index("申请人名称")] for r in body}
    assert names == {"王**", "李**"}
    ids = {r[header.index("身份证明")] for r in body}
    assert ids == {"110*************34"}


@pytest.mark.parametrize(
    "role, sees",
    [
        (Role.HANDLER, {"mine"}),
        ("other_handler", {"theirs"}),
        (Role.REGISTRAR, {"mine", "theirs"}),
        (Role.LEADER, {"mine", "theirs"}),
        (Role.LEGAL_REVIEWER, {"mine", "theirs"}),
        ("outsider", set()),
    ],
)
def test_each_role_exports_only_what_it_reaches(client, two_departments, role, sees):
    w, mine, theirs = two_departments
    user = make_user(make_agency(), Role.OFFICE) if role == "outsider" else getattr(w, role)
    client.force_login(user)
    _, *body = rows_of(client.get("/cases/export/csv/"))
    numbers = {"mine": mine.tracking_number, "theirs": theirs.tracking_number}
    assert {r[0] for r in body} == {numbers[k] for k in sees}


def test_the_filters_of_the_list_apply(client, two_departments):
    w, mine, _ = two_departments
    client.force_login(w.office)
    _, *body = rows_of(client.get(f"/cases/export/csv/?department={w.dept.pk}"))
    assert [r[0] for r in body] == [mine.tracking_number]


def test_bad_filters_send_back_to_the_list(client, world):
    client.force_login(world.office)
    response = client.get("/cases/export/csv/?received_from=2024-13-45")
    assert response.status_code == 302
    assert response["Location"].startswith("/cases/?")


def test_a_full_export_is_recorded_per_case(client, two_departments):
    w, mine, theirs = two_departments
    client.force_login(w.office)
    header, *body = rows_of(client.get("/cases/export/xlsx/?full=1"))
    assert {r[header.index("申请人名称")] for r in body} == {"王小明", "李大华"}
    assert {r[header.index("身份证明")] for r in body} == {"110101199001011234"}
    viewed = CaseEvent.objects.filter(kind=EventKind.VIEW_APPLICANT, actor=w.office)
    assert set(viewed.values_list("case_id", flat=True)) == {mine.pk, theirs.pk}


@pytest.mark.parametrize("role", [Role.HANDLER, Role.LEGAL_REVIEWER, Role.SECRECY_REVIEWER])
def test_a_full_export_is_refused_to_masked_roles(client, two_departments, role):
    w, *_ = two_departments
    client.force_login(getattr(w, role))
    response = client.get("/cases/export/csv/?full=1")
    assert response.status_code == 403
    assert "只能导出隐藏了个人信息的申请登记簿" in response.content.decode()
    assert not CaseEvent.objects.filter(kind=EventKind.VIEW_APPLICANT).exists()


def test_text_cannot_run_as_a_formula(client, world):
    make_case(world.agency, world.registrar, content='=HYPERLINK("http://x","点我")')
    client.force_login(world.office)
    header, row = rows_of(client.get("/cases/export/csv/"))
    assert row[header.index("申请内容")].startswith("'=")
