"""Supervision pages: permissions for every role, notices, figures."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import User
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse

from gongkai.agencies.models import Role
from gongkai.agencies.tests.factories import make_agency, make_department, make_user
from gongkai.cases import workflow
from gongkai.cases.models import CaseEvent, EventKind
from gongkai.cases.tests.factories import make_case, run_to
from gongkai.supervision import context_processors, views
from gongkai.supervision.models import Notice, NoticeKind
from gongkai.supervision.tests.conftest import D, staff

pytestmark = pytest.mark.django_db
SUPERVISORS = ["office", "office_head"]
# An 信息员 does not reach cases at all (404, below).
OTHERS_IN_AGENCY = [r for r in Role.values if r not in {*SUPERVISORS, Role.INFO_OFFICER}]
OVERSEERS = ["office", "office_head", "leader", "admin"]


@pytest.fixture(autouse=True)
def pinned(monkeypatch):
    monkeypatch.setattr(views, "today", lambda: D("2024-03-20"))


@pytest.fixture
def case(world):
    case = make_case(world.agency, world.registrar, submitted_on=D("2024-03-01"))
    return workflow.assign(case, by=world.office, department=world.dept, on=D("2024-03-01"))


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def supervise_url(case):
    return reverse("supervision:supervise", args=[case.tracking_number])


# ---- 督办 --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", SUPERVISORS)
def test_supervisors_may_supervise(world, case, role):
    response = client_for(getattr(world, role)).post(supervise_url(case), {"note": "请本周内拟办"})
    assert response.status_code == 302
    assert response.url == reverse("cases:detail", args=[case.tracking_number])
    event = CaseEvent.objects.get(case=case, kind=EventKind.SUPERVISE)
    assert event.actor == getattr(world, role) and event.data["on"] == "2024-03-20"
    assert Notice.objects.filter(case=case, kind=NoticeKind.SUPERVISE).count() == 2


@pytest.mark.parametrize("role", OTHERS_IN_AGENCY)
def test_other_roles_get_403_with_a_reason(world, case, role):
    response = client_for(getattr(world, role)).post(supervise_url(case), {"note": "催办"})
    assert response.status_code == 403
    assert "只有本机关的政务公开办（分办）或工作机构负责人可以督办" in response.content.decode()
    assert not CaseEvent.objects.filter(kind=EventKind.SUPERVISE).exists()


@pytest.mark.parametrize("role", ["other_handler", "info_officer"])
def test_handler_of_another_department_and_info_officer_get_404(world, case, role):
    response = client_for(getattr(world, role)).post(supervise_url(case), {"note": "催办"})
    assert response.status_code == 404


def test_office_of_another_agency_gets_404(world, case):
    stranger = make_user(make_agency(), Role.OFFICE)
    assert client_for(stranger).post(supervise_url(case), {"note": "催办"}).status_code == 404


def test_user_without_membership_gets_404(world, case):
    nobody = User.objects.create_user("nobody")
    assert client_for(nobody).post(supervise_url(case), {"note": "催办"}).status_code == 404


def test_unknown_case_is_404(world):
    url = reverse("supervision:supervise", args=["nope-2024-00001"])
    assert client_for(world.office).post(url, {"note": "催办"}).status_code == 404


def test_anonymous_is_sent_to_login_and_get_is_refused(world, case):
    response = Client().post(supervise_url(case), {"note": "催办"})
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert client_for(world.office).get(supervise_url(case)).status_code == 405


def test_empty_note_is_explained_and_nothing_written(world, case):
    client = client_for(world.office)
    response = client.post(supervise_url(case), {"note": ""})
    assert response.status_code == 302
    assert not CaseEvent.objects.filter(kind=EventKind.SUPERVISE).exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["请填写督办意见。"]


def test_closed_case_is_explained(world, case):
    workflow.withdraw(case, by=world.office, on=D("2024-03-05"))
    response = client_for(world.office).post(supervise_url(case), {"note": "催办"})
    assert response.status_code == 302
    assert "已办结的申请无需督办" in str(list(response.wsgi_request._messages)[0])


# ---- the template tag ----------------------------------------------------------------------

BUTTON = Template("{% load supervision %}{% supervise_button case %}")


def _render(user, case):
    request = RequestFactory().get("/")
    request.user = user
    return BUTTON.render(Context({"request": request, "case": case, "csrf_token": "t"}))


def test_button_shown_to_supervisors_only(world, case):
    for role in Role.values:
        html = _render(getattr(world, role), case)
        assert (supervise_url(case) in html) is (role in SUPERVISORS), role
    assert 'name="note"' in _render(world.office, case)


def test_button_hidden_on_concluded_case(world, case):
    case = workflow.withdraw(case, by=world.office, on=D("2024-03-05"))
    assert _render(world.office, case).strip() == ""


# ---- notices page and nav count ------------------------------------------------------------


def _notice(user, case, kind=NoticeKind.DUE_SOON, day="2024-03-20", **kw):
    return Notice.objects.create(
        recipient=user, case=case, kind=kind, message=f"{kind} {day}", created_on=D(day), **kw
    )


def test_empty_state(world):
    response = client_for(world.handler).get(reverse("supervision:notices"))
    assert response.status_code == 200
    assert "您目前没有通知" in response.content.decode()


def test_unread_first_and_only_mine(world, case):
    read = _notice(world.handler, case, day="2024-03-21", read_at="2024-03-21T09:00:00+08:00")
    unread = _notice(world.handler, case, NoticeKind.OVERDUE, day="2024-03-19")
    _notice(world.office, case, day="2024-03-20")
    response = client_for(world.handler).get(reverse("supervision:notices"))
    assert [n.pk for n in response.context["page"].object_list] == [unread.pk, read.pk]
    html = response.content.decode()
    assert 'id="unread-count">1<' in html


def test_mark_read_and_read_all(world, case):
    first = _notice(world.handler, case)
    second = _notice(world.handler, case, NoticeKind.OVERDUE)
    client = client_for(world.handler)
    response = client.post(reverse("supervision:read", args=[first.pk]), {"page": "1"})
    assert response.status_code == 302 and response.url.endswith("?page=1")
    first.refresh_from_db()
    assert first.read_at is not None
    client.post(reverse("supervision:read_all"))
    second.refresh_from_db()
    assert second.read_at is not None


def test_cannot_mark_someone_elses_notice(world, case):
    theirs = _notice(world.office, case)
    response = client_for(world.handler).post(reverse("supervision:read", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_pagination(world, case):
    for day in range(1, 36):
        _notice(
            world.handler,
            case,
            day=f"2024-03-{day:02d}" if day <= 31 else f"2024-04-{day - 31:02d}",
        )
    client = client_for(world.handler)
    first = client.get(reverse("supervision:notices"))
    assert len(first.context["page"].object_list) == views.PAGE_SIZE
    second = client.get(reverse("supervision:notices"), {"page": 2})
    assert len(second.context["page"].object_list) == 35 - views.PAGE_SIZE
    assert "第 2 页，共 2 页" in second.content.decode()


def test_nav_shows_the_unread_count(world, case):
    _notice(world.handler, case)
    _notice(world.handler, case, NoticeKind.OVERDUE)
    client = client_for(world.handler)
    html = client.get(reverse("supervision:notices")).content.decode()
    assert '通知<span class="nav-count">（2<span' in html
    client.post(reverse("supervision:read_all"))
    html = client.get(reverse("supervision:notices")).content.decode()
    assert '通知<span class="nav-count">' not in html and "通知</a>" in html


def test_context_processor(world, case):
    request = RequestFactory().get("/")
    request.user = world.handler
    _notice(world.handler, case)
    assert context_processors.unread_notices(request)["unread_notice_count"]() == 1
    request.user = SimpleNamespace(is_authenticated=False)
    assert context_processors.unread_notices(request) == {}


# ---- department figures --------------------------------------------------------------------


@pytest.fixture
def figures(world):
    """One case replied in each department in 2024 (no 2024 replies elsewhere)."""
    run_to(make_case(world.agency, world.registrar, submitted_on=D("2024-03-01")), world, "replied")
    other = make_case(world.agency, world.registrar, submitted_on=D("2024-03-01"))
    workflow.assign(other, by=world.office, department=world.other_dept, on=D("2024-03-01"))
    return world


@pytest.mark.parametrize("role", OVERSEERS)
def test_overseers_see_every_department(figures, role):
    response = client_for(getattr(figures, role)).get(
        reverse("supervision:departments"), {"year": 2024}
    )
    assert response.status_code == 200
    assert [row.name for row in response.context["table"].rows] == ["户政支队", "治安支队"]
    html = response.content.decode()
    assert "部门统计：" in html and "按期率" in html and "100.0%" in html


def test_handler_sees_own_department_only(figures):
    response = client_for(figures.other_handler).get(reverse("supervision:departments"))
    assert response.status_code == 200
    assert [row.name for row in response.context["table"].rows] == ["户政支队"]
    assert "只能看到本部门的数字" in response.content.decode()


@pytest.mark.parametrize("role", ["registrar", "legal_reviewer", "secrecy_reviewer"])
def test_other_roles_may_not_see_department_figures(figures, role):
    response = client_for(getattr(figures, role)).get(reverse("supervision:departments"))
    assert response.status_code == 403
    assert "部门统计只向本机关的" in response.content.decode()


def test_user_without_membership_may_not_see_department_figures(figures):
    nobody = User.objects.create_user("nobody")
    assert client_for(nobody).get(reverse("supervision:departments")).status_code == 403


def test_bad_year_is_explained(figures):
    response = client_for(figures.office).get(
        reverse("supervision:departments"), {"year": "二〇二四"}
    )
    assert response.status_code == 400
    assert "年度应为四位数字" in response.content.decode()


def test_other_agency_is_not_reachable_by_code(figures):
    elsewhere = make_agency(code="elsewhere")
    response = client_for(figures.office).get(
        reverse("supervision:departments"), {"agency": elsewhere.code}
    )
    assert response.status_code == 404


# ---- subordinate figures -------------------------------------------------------------------


@pytest.fixture
def family(calendar_loaded):
    parent = make_agency(code="city", name="测试市公安局")
    first = make_agency(code="east", name="东区分局", parent=parent)
    lonely = make_agency(code="solo", name="独立机关")
    dept = make_department(parent, name="法制支队")
    sub_dept = make_department(first, name="治安大队")
    sub_other = make_department(first, name="户政大队")
    sub = SimpleNamespace(
        agency=first, dept=sub_dept, other_dept=sub_other, **staff(first, sub_dept, sub_other, "e-")
    )
    case = run_to(make_case(first, sub.registrar, submitted_on=D("2024-03-01")), sub, "replied")
    users = {role: make_user(parent, role, department=dept) for role in Role.values}
    return SimpleNamespace(
        parent=parent,
        first=first,
        case=case,
        sub=sub,
        lonely=make_user(lonely, Role.OFFICE),
        **users,
    )


@pytest.mark.parametrize("role", OVERSEERS)
def test_supervising_agency_sees_subordinate_figures(family, role):
    response = client_for(getattr(family, role)).get(
        reverse("supervision:subordinates"), {"year": 2024}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "东区分局" in html and "本年新收" in html
    assert response.context["rows"][0][1][0] == 1  # one new request
    assert family.case.tracking_number not in html
    assert 'href="/cases/' not in html[html.index("<main") :]  # no link to any case


@pytest.mark.parametrize("role", ["handler", "registrar", "legal_reviewer", "secrecy_reviewer"])
def test_other_roles_may_not_see_subordinate_figures(family, role):
    response = client_for(getattr(family, role)).get(reverse("supervision:subordinates"))
    assert response.status_code == 403
    assert "只向上级机关的" in response.content.decode()


def test_agency_without_subordinates_is_told_so(family):
    response = client_for(family.lonely).get(reverse("supervision:subordinates"))
    assert response.status_code == 403
    assert "独立机关没有下级机关" in response.content.decode()


def test_subordinate_office_cannot_see_siblings(family):
    response = client_for(family.sub.office).get(reverse("supervision:subordinates"))
    assert response.status_code == 403


def test_year_without_tables_is_explained(family):
    response = client_for(family.office).get(reverse("supervision:subordinates"), {"year": 2015})
    assert response.status_code == 200
    assert "2015年适用2008年条例" in response.content.decode()
