"""登记 (/cases/new/) with duplicate detection, 年报表三、表四 (/cases/report/), and the
capped count of the case list."""

import datetime as dt
import io
import json
import re
import zipfile

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongkai.agencies.models import Role
from gongkai.agencies.tests.factories import make_agency, make_user
from gongkai.cases import stats, views, workflow
from gongkai.cases.models import BusinessType, Case, CaseEvent, Status
from gongkai.cases.tests.factories import make_case, run_to

D = dt.date.fromisoformat
pytestmark = pytest.mark.django_db
TODAY = D("2024-03-04")
NEW = reverse("cases:new")
REPORT = reverse("cases:report")


@pytest.fixture(autouse=True)
def pinned(monkeypatch):
    def pin(day):
        monkeypatch.setattr(views, "today", lambda: day)

    pin(TODAY)
    return pin


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def letter(**kw):
    data = {
        "applicant_type": "natural_person",
        "applicant_name": "王小明",
        "applicant_id_document": "110101198001010011",
        "applicant_contact": "13912345678",
        "applicant_address": "示范市人民路1号",
        "channel": "letter",
        "submitted_on": "2024-03-01",
        "arrived_on": "2024-03-04",
        "confirmed_on": "",
        "content": "申请公开2023年本市道路交通事故统计数据",
        "form_wanted": "paper",
        "business_type": "traffic",
        "form_token": "token-1",
    }
    data.update(kw)
    return data


# ---- 登记 -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [*Role.values, "other_handler"])
def test_only_registrars_and_the_office_may_register(world, role):
    client = client_for(getattr(world, role))
    get, post = client.get(NEW), client.post(NEW, letter())
    if role in ("registrar", "office"):
        assert get.status_code == 200 and "登记政府信息公开申请" in get.content.decode()
        assert post.status_code == 200 and Case.objects.count() == 1
    elif role == "info_officer":  # 主动公开 only: no casework at all
        for response in (get, post):
            assert response.status_code == 403
            assert "不办理依申请公开的申请" in response.content.decode()
        assert Case.objects.count() == 0
    else:
        for response in (get, post):
            assert response.status_code == 403
            assert "登记申请需要本机关的登记或政务公开办（分办）角色" in response.content.decode()
        assert Case.objects.count() == 0


def test_anonymous_and_members_of_nothing(world):
    assert Client().get(NEW)["Location"].startswith(reverse("login"))
    outsider = client_for(User.objects.create_user("outsider"))
    assert outsider.get(NEW).status_code == 403
    assert "还没有分配到任何机关或部门" in outsider.get(NEW).content.decode()


def test_an_unconfirmed_letter_is_registered_awaiting_confirmation_with_a_one_time_code(world):
    response = client_for(world.registrar).post(NEW, letter())
    page = response.content.decode()
    case = Case.objects.get()
    assert case.status == Status.AWAITING_CONFIRMATION and case.received_on is None
    assert (case.arrived_on, case.submitted_on) == (D("2024-03-04"), D("2024-03-01"))
    assert case.tracking_number in page and "待确认" in page and "查询码只显示这一次" in page
    code = re.search(r'id="query-code">([A-Z0-9]+)<', page).group(1)
    assert case.check_query_code(code) and code not in case.query_code_hash
    assert code not in json.dumps(list(CaseEvent.objects.values("data")))
    # The case page now offers 确认收到申请 and says no clock runs.
    detail = client_for(world.registrar).get(reverse("cases:detail", args=[case.tracking_number]))
    assert "尚未与申请人确认收到申请" in detail.content.decode()
    assert "confirm" in {s.action.key for s in detail.context["steps"]}


@pytest.mark.parametrize(
    ("changes", "status", "received"),
    [
        ({"channel": "in_person", "arrived_on": "", "submitted_on": "2024-03-04"}, "registered",
         "2024-03-04"),
        ({"channel": "registered_mail"}, "registered", "2024-03-04"),
        ({"channel": "online", "arrived_on": "", "confirmed_on": "2024-03-02"}, "registered",
         "2024-03-02"),
        ({"channel": "fax", "arrived_on": ""}, "awaiting_confirmation", None),
        ({"channel": "other", "arrived_on": ""}, "awaiting_confirmation", None),
    ],
)  # fmt: skip
def test_every_channel_takes_the_date_article_31_names(world, changes, status, received):
    response = client_for(world.office).post(NEW, letter(**changes))
    assert response.status_code == 200, response.content.decode()
    case = Case.objects.get()
    assert case.status == status
    assert case.received_on == (D(received) if received else None)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"applicant_name": ""}, "请填写申请人姓名或名称"),
        ({"content": "  "}, "请填写申请内容"),
        ({"channel": ""}, "请选择申请渠道"),
        ({"channel": "pigeon"}, "“申请渠道”的值无效"),
        ({"business_type": "nonsense"}, "“业务类别”的值无效"),
        ({"applicant_type": ""}, "请选择申请人类型"),
        ({"submitted_on": "2024-02-30"}, "日期无效"),
        ({"submitted_on": "2024-03-05"}, "晚于今天"),
        ({"submitted_on": "1999-03-05"}, "施行日"),
        ({"arrived_on": "2024-02-28"}, "不能早于提交日期"),
        ({"confirmed_on": "2024-03-03"}, "确认日期（2024-03-03）不能早于到达/签收日期"),
        ({"channel": "registered_mail", "arrived_on": ""}, "请填写签收日期"),
        ({"channel": "in_person"}, "当面提交的申请以提交之日为收到申请之日"),
        ({"content": "长" * 10001}, "申请内容最多 10000 个字"),
    ],
)
def test_bad_registrations_are_explained_and_nothing_is_saved(world, changes, message):
    response = client_for(world.registrar).post(NEW, letter(**changes))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "登记信息有误" in page
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0


def test_a_retired_business_type_cannot_be_chosen(world):
    BusinessType.objects.create(code="traffic", name="交管", active=False)
    response = client_for(world.registrar).post(NEW, letter())
    assert response.status_code == 400 and "“业务类别”的值无效" in response.content.decode()


def test_a_resubmitted_form_registers_once(world):
    client = client_for(world.registrar)
    client.post(NEW, letter())
    again = client.post(NEW, letter(), follow=True)
    case = Case.objects.get()
    assert f"这份申请已经登记为 {case.tracking_number}" in again.content.decode()


def test_similar_requests_are_shown_before_saving(world):
    earlier = make_case(
        world.agency,
        world.registrar,
        applicant_name="王小明",
        applicant_id_document="110101198001010011",
        content="申请公开2023年本市道路交通事故统计数据。",
        submitted_on=D("2023-06-01"),
    )
    earlier = run_to(earlier, world, "replied", on=D("2023-06-05"))
    stranger = make_case(
        world.agency,
        world.registrar,
        applicant_name="赵六",
        applicant_id_document="",
        applicant_contact="",
        content="申请公开2023年本市道路交通事故的统计数据",
        submitted_on=D("2024-02-01"),
    )
    make_case(world.agency, world.registrar, content="完全无关：户籍窗口办理时限")
    elsewhere = make_agency()
    make_case(elsewhere, make_user(elsewhere, Role.REGISTRAR), content=letter()["content"])
    client = client_for(world.registrar)
    response = client.post(NEW, letter())
    page = response.content.decode()
    assert response.status_code == 200 and Case.objects.count() == 4  # nothing saved yet
    assert "发现相似的申请" in page
    shown = re.findall(r'<td><a href="/cases/([^/"]+)/"', page)
    assert shown == [earlier.tracking_number, stranger.tracking_number]  # repeat first
    assert "重复申请" in page and "100%" in page
    assert "我已核对上述相似申请" in page
    response = client.post(NEW, letter(duplicates_checked="on"))
    assert response.status_code == 200 and "申请已登记" in response.content.decode()
    assert Case.objects.count() == 5


def test_a_clerk_of_two_agencies_chooses_one(world):
    second = make_agency()
    user = make_user(world.agency, Role.REGISTRAR)
    from gongkai.agencies.models import Membership

    Membership.objects.create(user=user, agency=second, role=Role.OFFICE)
    client = client_for(user)
    response = client.post(NEW, letter())
    assert response.status_code == 400 and "请选择登记机关" in response.content.decode()
    response = client.post(NEW, letter(agency=str(make_agency().pk)))
    assert "不是您可以登记申请的机关" in response.content.decode()
    client.post(NEW, letter(agency=str(second.pk)))
    assert Case.objects.get().agency == second


# ---- 年报表三、表四 -----------------------------------------------------------------------


def cell(page, where):
    """The number printed in the report cell `where` (e.g. requests.new/total)."""
    match = re.search(rf'data-where="{re.escape(where)}"[^>]*>([^<]*)<', page)
    return int(match.group(1) or 0)


@pytest.fixture
def year_2024(world):
    granted = run_to(make_case(world.agency, world.registrar), world, "replied")
    make_case(world.agency, world.registrar, applicant_type="commercial")  # still open
    withdrawn = make_case(world.agency, world.registrar, applicant_type="legal_service")
    workflow.withdraw(withdrawn, by=world.registrar, on=D("2024-03-04"))
    make_case(world.agency, world.registrar, channel="letter", confirmed_on=None)  # unconfirmed
    return granted


@pytest.mark.parametrize("role", [*Role.values, "other_handler"])
def test_the_report_page_is_for_the_office_heads_leaders_and_admins(world, role):
    response = client_for(getattr(world, role)).get(REPORT, {"year": 2024})
    if role in ("office", "office_head", "leader", "admin"):
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        reason = (
            "不办理依申请公开的申请" if role == "info_officer" else "年报表三、表四只对本机关的"
        )
        assert reason in response.content.decode()


def test_the_report_shows_the_tables_from_the_records_and_passes_the_checks(world, year_2024):
    page = client_for(world.office).get(REPORT, {"year": 2024}).content.decode()
    expected = stats.annual_tables(world.agency, 2024)["requests"]
    assert cell(page, "requests.new/total") == expected["new"]["total"] == 3
    assert cell(page, "requests.granted/natural_person") == 1
    assert cell(page, "requests.other.other/legal_service") == 1
    assert cell(page, "requests.carry_forward/commercial") == 1
    assert "勾稽关系核对通过" in page and "finding-error" not in page
    assert 'aria-label="表三"' in page and 'aria-label="表四"' in page


def test_the_report_defaults_to_this_year_and_explains_an_empty_year(world, year_2024, pinned):
    pinned(D("2025-02-01"))
    response = client_for(world.leader).get(REPORT)
    page = response.content.decode()
    assert response.context["year"] == 2025
    assert "2025年度本机关没有收到、结转或办结的申请" not in page  # one case carried over
    response = client_for(world.leader).get(REPORT, {"year": 2023})
    page = response.content.decode()
    assert "2023年度本机关没有收到、结转或办结的申请" in page
    assert '<a href="?year=2024">2024年</a>' in page


@pytest.mark.parametrize(
    ("year", "message"),
    [
        ("abc", "年度应为四位数字"),
        ("2018", "2019年以前适用2008年条例"),
        ("2025", "2025年尚未开始"),
        ("", "请填写年度"),
    ],
)
def test_bad_years_are_explained(world, year, message):
    response = client_for(world.office).get(REPORT, {"year": year})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_downloads_use_the_engine_renderers(world, year_2024):
    client = client_for(world.office_head)
    response = client.get(REPORT, {"year": 2024, "format": "json"})
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["requests"] == stats.annual_tables(world.agency, 2024)["requests"]
    assert data["findings"] == []
    response = client.get(REPORT, {"year": 2024, "format": "docx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert client.get(REPORT, {"year": 2024, "format": "exe"}).status_code == 404


def test_another_agency_is_refused(world, year_2024):
    response = client_for(world.office).get(REPORT, {"year": 2024, "agency": "nope"})
    assert response.status_code == 400 and "无权查看它的年报数据" in response.content.decode()


# ---- the list's capped count ---------------------------------------------------------


def test_the_list_caps_its_count(world, monkeypatch):
    for _ in range(4):
        make_case(world.agency, world.registrar)
    client = client_for(world.office)
    assert "共 4 件" in client.get(reverse("cases:list")).content.decode()
    monkeypatch.setattr(views.CappedPaginator, "cap", 3)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    response = client.get(reverse("cases:list"))
    page = response.content.decode()
    assert "超过3件" in page and "共 4 件" not in page
    assert response.context["page"].paginator.num_pages == 2  # 3 counted rows, 2 a page
    assert client.get(reverse("cases:list"), {"page": 9}).context["page"].number == 2


def test_a_text_search_counts_at_most_two_hundred(world, monkeypatch):
    """A search's hits are counted to SEARCH_COUNT_CAP + 1 (a common word among a million
    cases visits every hit); the list without words keeps the larger cap."""
    for _ in range(4):
        make_case(world.agency, world.registrar, content="交通事故责任认定书")
    make_case(world.agency, world.registrar, content="户籍迁移办理依据")
    monkeypatch.setattr(views, "SEARCH_COUNT_CAP", 3)
    client = client_for(world.office)
    page = client.get(reverse("cases:list"), {"q": "交通事故"}).content.decode()
    assert "超过3件（请用筛选条件缩小范围，或换用更具体的搜索词）" in page
    assert "共 5 件" in client.get(reverse("cases:list")).content.decode()
    assert "共 1 件" in client.get(reverse("cases:list"), {"q": "户籍"}).content.decode()


def test_the_list_counts_at_most_a_thousand_and_one_rows(world):
    """The count stops at 1,001 rows ("超过1000件", 20 pages): the list's cost stays
    bounded at 1,000,000 cases (gongkai/bench/cases.py)."""
    make_case(world.agency, world.registrar)
    with CaptureQueriesContext(connection) as queries:
        page = client_for(world.office).get(reverse("cases:list")).content.decode()
    counts = [q["sql"] for q in queries if "COUNT(*)" in q["sql"] and "cases_case" in q["sql"]]
    assert len(counts) == 1 and "LIMIT 1001" in counts[0]
    assert "共 1 件" in page
