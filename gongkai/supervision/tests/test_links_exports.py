"""Issue 14 part 8 and 7: every link on the supervision pages opens for the role that
sees it; the notices page says when the daily run last happened; the department
figures export per role (CSV and XLSX, opened with openpyxl)."""

import csv
import datetime as dt
import io
import re
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gongkai.agencies.models import Role
from gongkai.agencies.tests.factories import make_agency, make_department
from gongkai.cases import workflow
from gongkai.cases.tests.factories import make_case, run_to
from gongkai.ops.models import JobRun
from gongkai.supervision import views
from gongkai.supervision.models import Notice, NoticeKind
from gongkai.supervision.tests.conftest import D, staff

pytestmark = pytest.mark.django_db
TODAY = D("2024-06-03")
PAGES = ("supervision:notices", "supervision:departments", "supervision:subordinates")
EVERYONE = [*Role.values, "other_handler", "nobody"]


@pytest.fixture(autouse=True)
def pinned(monkeypatch):
    monkeypatch.setattr(views, "today", lambda: TODAY)


@pytest.fixture
def city(calendar_loaded):
    """A city agency (two departments, one user per role) with a subordinate county."""
    agency = make_agency(code="city", name="测试市公安局")
    dept = make_department(agency, name="治安支队")
    other = make_department(agency, name="户政支队")
    w = SimpleNamespace(agency=agency, dept=dept, other_dept=other, **staff(agency, dept, other))
    county = make_agency(code="county", name="测试县公安局", parent=agency)
    make_department(county, name="治安大队")
    run_to(make_case(agency, w.registrar, submitted_on=D("2024-03-01")), w, "replied")
    w.mine = workflow.assign(
        make_case(agency, w.registrar, submitted_on=D("2024-03-04")),
        by=w.office,
        department=dept,
        on=D("2024-03-04"),
    )  # open and overdue on TODAY
    w.theirs = workflow.assign(
        make_case(agency, w.registrar, submitted_on=D("2024-05-27")),
        by=w.office,
        department=other,
        on=D("2024-05-27"),
    )
    w.nobody = User.objects.create_user("nobody")
    return w


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def _links(html):
    """The site's own links on a page (not the logout form, not anchors or files)."""
    hrefs = re.findall(r'href="([^"]+)"', html)
    return sorted(
        {h.replace("&amp;", "&") for h in hrefs if h.startswith("/") and "/static/" not in h}
    )


@pytest.mark.parametrize("who", EVERYONE)
def test_every_link_on_the_supervision_pages_opens_for_that_role(city, who):
    user = getattr(city, who)
    # Each user has a notice about a case of 治安支队, and one about 户政支队's.
    for case in (city.mine, city.theirs):
        Notice.objects.create(
            recipient=user, case=case, kind=NoticeKind.OVERDUE, message="超期", created_on=TODAY
        )
    client = client_for(user)
    opened = 0
    for page in PAGES:
        response = client.get(reverse(page))
        if response.status_code != 200:
            assert response.status_code == 403, (who, page)
            continue
        opened += 1
        for link in _links(response.content.decode()):
            status = client.get(link, follow=True).status_code
            assert status == 200, (who, page, link, status)
    assert opened >= 1  # everyone has 我的通知


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("office", ["我的通知", "部门统计", "下级机关"]),
        ("leader", ["我的通知", "部门统计", "下级机关"]),
        ("handler", ["我的通知", "部门统计"]),
        ("registrar", ["我的通知"]),
        ("info_officer", ["我的通知"]),
        ("nobody", ["我的通知"]),
    ],
)
def test_the_supervision_nav_lists_only_pages_that_open(city, who, shown):
    html = client_for(getattr(city, who)).get(reverse("supervision:notices")).content.decode()
    nav = html[html.index('aria-label="督办与统计"') :]
    nav = nav[: nav.index("</nav>")]
    assert re.findall(r">([^<>]+)</a>", nav) == shown


def test_a_notice_about_a_case_the_user_cannot_open_has_no_link(city):
    for case in (city.mine, city.theirs):
        Notice.objects.create(
            recipient=city.handler,
            case=case,
            kind=NoticeKind.OVERDUE,
            message="超期",
            created_on=TODAY,
        )
    html = client_for(city.handler).get(reverse("supervision:notices")).content.decode()
    assert reverse("cases:detail", args=[city.mine.tracking_number]) in html
    assert reverse("cases:detail", args=[city.theirs.tracking_number]) not in html
    assert "您已不能查看这件申请" in html


# ---- when the daily run last happened -------------------------------------------------------


def _run(day, status=JobRun.Status.SUCCEEDED):
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(7, 0)))
    return JobRun.objects.create(
        job="notify",
        slot=day.isoformat(),
        trigger=JobRun.Trigger.SCHEDULE,
        status=status,
        started_at=at,
        finished_at=at,
    )


def _daily_run_text(user):
    html = client_for(user).get(reverse("supervision:notices")).content.decode()
    start = html.index('id="daily-run"')
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html[start : html.index("</p>", start)]))


def test_the_notices_page_says_the_daily_run_never_happened(city):
    _run(TODAY, JobRun.Status.FAILED)  # a failed run is not a run
    assert "逾期预警尚未运行过" in _daily_run_text(city.handler)


def test_the_notices_page_says_when_the_daily_run_last_happened(city):
    _run(TODAY - dt.timedelta(days=5))
    _run(TODAY)
    text = _daily_run_text(city.handler)
    assert "逾期预警最近一次运行：2024年6月3日 07:00" in text and "没有运行" not in text


def test_the_notices_page_warns_when_the_daily_run_stopped(city):
    _run(TODAY - dt.timedelta(days=3))
    text = _daily_run_text(city.handler)
    assert "2024年5月31日 07:00" in text and "已超过一天没有运行" in text


# ---- department figures export ------------------------------------------------------------


def _export(user, fmt, **params):
    url = reverse("supervision:departments_export", args=[fmt])
    return client_for(user).get(url, {"year": 2024, **params})


def _sheet(response):
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)]


@pytest.mark.parametrize("who", ["office", "office_head", "leader", "admin"])
def test_overseers_export_every_department_as_xlsx(city, who):
    response = _export(getattr(city, who), "xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _sheet(response)
    header = rows[0]
    assert header[:6] == [
        "承办部门",
        "2024年办结",
        "作出答复",
        "按期答复",
        "逾期未办",
        "按期率（%）",
    ]
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert list(by_name) == ["户政支队", "治安支队", "合计"]
    own = by_name["治安支队"]
    # one reply on time, one open case past its deadline: 50%, as on the page
    assert (own["按期答复"], own["逾期未办"], own["按期率（%）"]) == (1, 1, 50.0)
    assert by_name["合计"]["超期（截至2024-06-03）"] == 1


def test_a_handler_exports_only_own_department_as_csv(city):
    response = _export(city.other_handler, "csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert [row[0] for row in rows] == ["承办部门", "户政支队"]


@pytest.mark.parametrize("who", ["registrar", "legal_reviewer", "secrecy_reviewer", "info_officer"])
def test_other_roles_may_not_export_department_figures(city, who):
    for fmt in ("csv", "xlsx"):
        response = _export(getattr(city, who), fmt)
        assert response.status_code == 403
        assert "部门统计只向本机关的" in response.content.decode()


def test_export_of_another_agency_unknown_format_or_bad_year(city):
    county = city.agency.subordinates.get()
    assert _export(city.office, "xlsx", agency=county.code).status_code == 404
    assert _export(city.office, "pdf").status_code == 404
    bad = _export(city.office, "csv", year="二〇二四")
    assert bad.status_code == 302 and bad.url.startswith(reverse("supervision:departments"))


def test_anonymous_export_goes_to_login(city):
    response = Client().get(reverse("supervision:departments_export", args=["csv"]))
    assert response.status_code == 302 and "/login" in response.url


def test_the_department_page_offers_both_exports(city):
    html = client_for(city.office).get(reverse("supervision:departments"), {"year": 2024})
    html = html.content.decode()
    for fmt in ("xlsx", "csv"):
        assert (
            f"{reverse('supervision:departments_export', args=[fmt])}?agency=city&amp;year=2024"
            in html
        )


@pytest.mark.parametrize("who", EVERYONE)
def test_every_link_of_the_casework_navigation_opens_for_that_role(city, who):
    """The 依申请公开 sub-navigation (申请列表, 期限看板, 收件登记, 年报表三、表四) shows a
    link only to a role it opens for (收件登记 gave the 工作机构负责人 a 403)."""
    client = client_for(getattr(city, who))
    response = client.get(reverse("cases:list"))
    if response.status_code != 200:
        return  # no casework role: the site navigation does not offer 依申请公开 either
    nav = re.search(r'<nav class="case-nav".*?</nav>', response.content.decode(), re.S)
    for link in _links(nav.group()):
        status = client.get(link, follow=True).status_code
        assert status == 200, (who, link, status)
