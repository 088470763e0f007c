"""The 依申请公开 pages: who sees what, masking, filters, tabs, dashboard, 分办."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongkai.agencies.models import CASEWORK_ROLES, Role
from gongkai.agencies.tests.factories import make_agency, make_department, make_user
from gongkai.cases import views, workflow
from gongkai.cases.models import Case, CaseEvent, EventKind, Status, due_soon_window
from gongkai.cases.tests.factories import make_case
from gongkai.workdays.models import ExceptionalDay

D = dt.date.fromisoformat
pytestmark = pytest.mark.django_db

AGENCY_WIDE = sorted(r for r in CASEWORK_ROLES if r != Role.HANDLER)
FULL = ["registrar", "office", "admin", "office_head", "leader"]
MASKED = ["handler", "legal_reviewer", "secrecy_reviewer"]
ID_NUMBER = "110101199001011234"


@pytest.fixture
def pinned(monkeypatch):
    """Pin the pages' today; returns a setter."""

    def pin(day):
        monkeypatch.setattr(views, "today", lambda: day)

    pin(D("2024-03-04"))
    return pin


@pytest.fixture
def cases(world, pinned):
    """Three cases received 2024-03-01 (due 2024-03-29): own dept, other dept, unassigned."""
    own = make_case(world.agency, world.registrar, applicant_name="张三丰")
    own = workflow.assign(own, by=world.office, department=world.dept, on=D("2024-03-01"))
    other = make_case(
        world.agency,
        world.registrar,
        applicant_name="李四",
        applicant_type="commercial",
        business_type="household",
        channel="in_person",
        content="申请公开户籍窗口办理时限规定",
    )
    other = workflow.assign(other, by=world.office, department=world.other_dept, on=D("2024-03-01"))
    loose = make_case(
        world.agency,
        world.registrar,
        applicant_name="某某律师事务所",
        applicant_type="legal_service",
        submitted_on=D("2024-02-20"),
    )
    return {"own": own, "other": other, "loose": loose}


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def numbers(response):
    """The tracking numbers listed on a case-list page."""
    return set(re.findall(r'<td><a href="/cases/([^/"]+)/">', response.content.decode()))


def detail_url(case):
    return reverse("cases:detail", args=[case.tracking_number])


# ---- login and membership ----------------------------------------------------------


@pytest.mark.parametrize("name", ["cases:list", "cases:dashboard"])
def test_anonymous_users_are_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_detail_and_assign_redirect_to_login(client, cases):
    url = detail_url(cases["own"])
    assert client.get(url)["Location"].startswith(reverse("login"))
    response = client.post(reverse("cases:assign", args=[cases["own"].tracking_number]))
    assert response["Location"].startswith(reverse("login"))


def test_users_without_membership_get_403_in_chinese(cases):
    client = client_for(User.objects.create_user("outsider"))
    for url in (reverse("cases:list"), reverse("cases:dashboard"), detail_url(cases["own"])):
        response = client.get(url, follow=False)
        assert response.status_code == 403
        assert "还没有分配到任何机关或部门" in response.content.decode()
    assert "依申请公开</a>" not in client.get(reverse("reports:checkup")).content.decode()


def test_members_see_the_nav_link(world):
    page = client_for(world.registrar).get(reverse("reports:checkup")).content.decode()
    assert 'href="/cases/"' in page and "依申请公开</a>" in page


# ---- list: scope per role ------------------------------------------------------------


@pytest.mark.parametrize("role", AGENCY_WIDE)
def test_agency_wide_roles_list_every_case_of_their_agency(world, cases, role):
    stranger = make_agency()
    make_case(stranger, make_user(stranger, Role.REGISTRAR))
    response = client_for(getattr(world, role)).get(reverse("cases:list"))
    assert response.status_code == 200
    assert numbers(response) == {c.tracking_number for c in cases.values()}


def test_a_handler_lists_only_its_department(world, cases):
    own = client_for(world.handler).get(reverse("cases:list"))
    assert numbers(own) == {cases["own"].tracking_number}
    other = client_for(world.other_handler).get(reverse("cases:list"))
    assert numbers(other) == {cases["other"].tracking_number}


def test_the_list_masks_natural_persons_and_never_shows_id_numbers(world, cases):
    page = client_for(world.office).get(reverse("cases:list")).content.decode()
    assert "张**" in page and "张三丰" not in page
    assert "李四" in page  # 商业企业: an organisation, not personal data
    assert ID_NUMBER not in page and "13800000000" not in page


def test_mask_helpers():
    assert views.mask_name("张三丰") == "张**"
    assert views.mask_name("王五") == "王*"
    assert views.mask_name("") == ""
    assert views.mask_middle(ID_NUMBER) == "110*************34"
    assert views.mask_middle("1234") == "****"


# ---- list: filters, search, pagination -----------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "registered"}, {"loose"}),
        ({"status": "assigned"}, {"own", "other"}),
        ({"business_type": "household"}, {"other"}),
        ({"applicant_type": "legal_service"}, {"loose"}),
        ({"channel": "in_person"}, {"other"}),
        ({"received_from": "2024-02-01", "received_to": "2024-02-29"}, {"loose"}),
        ({"received_from": "2024-03-01"}, {"own", "other"}),
        ({"q": "户籍窗口"}, {"other"}),
        ({"q": "律师"}, {"loose"}),
        ({"q": "张三丰"}, {"own"}),
        ({"q": "没有这样的申请"}, set()),
    ],
)
def test_filters_and_search_narrow_the_list(world, cases, params, expected):
    response = client_for(world.office).get(reverse("cases:list"), params)
    assert response.status_code == 200
    assert numbers(response) == {cases[k].tracking_number for k in expected}


@pytest.mark.parametrize("role", MASKED)
def test_roles_that_see_names_masked_cannot_confirm_a_name_by_searching(world, cases, role):
    """Issue 13 #3: the search matched the exact full name for roles that see "张**"."""
    client = client_for(getattr(world, role))
    assert numbers(client.get(reverse("cases:list"), {"q": "张三丰"})) == set()
    found = numbers(client.get(reverse("cases:list"), {"q": "治安案件"}))  # content still is
    assert cases["own"].tracking_number in found


def test_organisations_are_found_by_name_by_every_role(world, cases):
    client = client_for(world.legal_reviewer)
    assert numbers(client.get(reverse("cases:list"), {"q": "律师"})) == {
        cases["loose"].tracking_number
    }


def test_department_filter_and_search_by_tracking_number(world, cases):
    client = client_for(world.office)
    response = client.get(reverse("cases:list"), {"department": world.other_dept.pk})
    assert numbers(response) == {cases["other"].tracking_number}
    response = client.get(reverse("cases:list"), {"q": cases["loose"].tracking_number})
    assert numbers(response) == {cases["loose"].tracking_number}


def test_an_empty_result_explains_itself(world, cases):
    page = client_for(world.office).get(reverse("cases:list"), {"q": "无此内容"}).content.decode()
    assert "没有符合条件的申请" in page


def test_an_empty_scope_says_so(world):
    page = client_for(world.handler).get(reverse("cases:list")).content.decode()
    assert "还没有依申请公开的申请" in page


def test_a_handler_cannot_filter_on_another_department(world, cases):
    response = client_for(world.handler).get(
        reverse("cases:list"), {"department": world.other_dept.pk}
    )
    assert response.status_code == 400
    assert "无权查看" in response.content.decode()
    assert numbers(response) == set()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"received_from": "2024-13-45"}, "请按“2024-03-01”的格式填写日期"),
        ({"received_from": "2024-03-05", "received_to": "2024-03-01"}, "晚于截止日"),
        ({"status": "nonsense"}, "“状态”的值无效"),
        ({"tab": "nonsense"}, "“视图”的值无效"),
    ],
)
def test_bad_filters_are_explained_in_chinese(world, cases, params, message):
    response = client_for(world.office).get(reverse("cases:list"), params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_list_pages_by_fifty(world, cases):
    template = Case.objects.get(pk=cases["loose"].pk)
    clones = []
    for n in range(50):
        template.pk = None
        template.tracking_number = f"{world.agency.code}-2023-{n:05d}"
        template.received_on = template.submitted_on = D("2023-06-01")
        clones.append(Case(**{f.attname: getattr(template, f.attname) for f in Case._meta.fields}))
    Case.objects.bulk_create(clones)
    client = client_for(world.office)
    first = client.get(reverse("cases:list"))
    second = client.get(reverse("cases:list"), {"page": 2})
    assert len(numbers(first)) == 50 and len(numbers(second)) == 3
    assert numbers(first).isdisjoint(numbers(second))
    assert "第 1 页，共 2 页" in first.content.decode()
    only_2023 = client.get(reverse("cases:list"), {"received_to": "2023-12-31"})
    assert len(numbers(only_2023)) == 50 and "下一页" not in only_2023.content.decode()


# ---- tabs with a pinned today ----------------------------------------------------------


def tab(client, name):
    return numbers(client.get(reverse("cases:list"), {"tab": name}))


def test_due_soon_covers_three_working_days_ahead(world, cases, pinned):
    """The assigned cases are due Friday 2024-03-29 (the loose one, received 02-20, earlier)."""
    client = client_for(world.office)
    pinned(D("2024-03-25"))  # Monday: the 3rd working day after is Thursday 03-28
    assert tab(client, "due_soon") == set()
    pinned(D("2024-03-26"))  # Tuesday: window ends Friday 03-29
    assert tab(client, "due_soon") == {cases["own"].tracking_number, cases["other"].tracking_number}
    assert tab(client, "overdue") == {cases["loose"].tracking_number}


def test_the_due_soon_window_counts_working_days(world):
    """Friday + 3 working days skips the weekend; Qingming 2024 (4–6 April) is skipped
    and Sunday 7 April (调休上班) counts."""
    assert due_soon_window(world.agency.code, D("2024-03-29"))[1] == D("2024-04-03")
    assert due_soon_window(world.agency.code, D("2024-04-03"))[1] == D("2024-04-09")


def test_overdue_tab_and_rows(world, cases, pinned):
    pinned(D("2024-04-01"))
    client = client_for(world.handler)
    assert tab(client, "overdue") == {cases["own"].tracking_number}
    assert "已超期" in client.get(reverse("cases:list")).content.decode()
    pinned(D("2024-03-29"))  # due today: not overdue
    assert tab(client, "overdue") == set()


def test_paused_tab_lists_cases_waiting_for_views(world, cases, pinned):
    workflow.consult(
        cases["own"], by=world.office, party="third_party", addressee="某公司", on=D("2024-03-05")
    )
    client = client_for(world.office)
    pinned(D("2024-03-04"))
    assert tab(client, "paused") == set()  # not yet sent
    pinned(D("2024-03-06"))
    assert tab(client, "paused") == {cases["own"].tracking_number}
    consultation = cases["own"].consultations.get()
    workflow.record_consultation_answer(consultation, by=world.office, on=D("2024-03-07"))
    assert tab(client, "paused") == set()


# ---- detail --------------------------------------------------------------------------


@pytest.mark.parametrize("role", FULL)
def test_full_roles_see_the_applicant_in_full(world, cases, role, caplog):
    with caplog.at_level("INFO", logger="gongkai.audit"):
        page = client_for(getattr(world, role)).get(detail_url(cases["own"])).content.decode()
    assert "张三丰" in page and ID_NUMBER in page and "13800000000" in page
    assert cases["own"].tracking_number in caplog.text
    viewer = getattr(world, role)
    views = CaseEvent.objects.filter(case=cases["own"], kind=EventKind.VIEW_APPLICANT)
    assert list(views.values_list("actor", flat=True)) == [viewer.pk]


@pytest.mark.parametrize("role", MASKED)
def test_other_roles_see_the_applicant_masked(world, cases, role, caplog):
    with caplog.at_level("INFO", logger="gongkai.audit"):
        response = client_for(getattr(world, role)).get(detail_url(cases["own"]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "张**" in page and "张三丰" not in page
    assert ID_NUMBER not in page and "110*************34" in page
    assert "13800000000" not in page
    assert "viewed in full" not in caplog.text
    assert not CaseEvent.objects.filter(kind=EventKind.VIEW_APPLICANT).exists()


def test_a_handler_gets_404_for_another_department_and_unassigned_cases(world, cases):
    client = client_for(world.handler)
    assert client.get(detail_url(cases["other"])).status_code == 404
    assert client.get(detail_url(cases["loose"])).status_code == 404
    assert client.get("/cases/no-such-case/").status_code == 404


def test_another_agency_gets_404(world, cases):
    stranger = make_agency()
    client = client_for(make_user(stranger, Role.OFFICE))
    assert client.get(detail_url(cases["own"])).status_code == 404


def test_detail_shows_deadline_consultations_and_events_in_order(world, cases, pinned):
    case = workflow.consult(
        cases["own"], by=world.handler, party="agency", addressee="市档案馆", on=D("2024-03-05")
    )
    pinned(D("2024-03-26"))
    page = client_for(world.office).get(detail_url(case)).content.decode()
    assert f"{case.due_on:%Y-%m-%d}" in page
    deadline = workflow.deadline_of(case, today=D("2024-03-26"))
    assert f"{deadline.left} 个工作日" in page
    assert deadline.explanation.split(" → ")[0] in page
    assert "向市档案馆" in page and "尚未答复" in page
    # The office's own full view is recorded too, after the workflow steps.
    labels = [e.get_kind_display() for e in CaseEvent.objects.filter(case=case)]
    assert labels == ["登记", "分办", "征求意见", "查看申请人完整信息"]
    labels = labels[:3]  # the workflow steps, checked for their order on the page
    positions = [page.index(f"<strong>{label}</strong>") for label in labels]
    assert positions == sorted(positions)


# ---- dashboard -----------------------------------------------------------------------


def test_dashboard_counts_for_the_office(world, cases, pinned):
    workflow.consult(
        cases["other"], by=world.office, party="third_party", addressee="某公司", on=D("2024-03-20")
    )
    pinned(D("2024-03-26"))
    response = client_for(world.office).get(reverse("cases:dashboard"))
    assert response.status_code == 200
    totals = response.context["totals"]
    # own: due 03-29 (soon); other: paused (its due date moved later); loose: overdue.
    assert totals == {"open": 3, "due_soon": 1, "overdue": 1, "paused": 1}
    rows = {r["department__name"]: r for r in response.context["by_department"]}
    assert rows["治安支队"]["due_soon"] == 1 and rows["治安支队"]["open"] == 1
    assert rows["户政支队"]["paused"] == 1
    assert rows[None]["overdue"] == 1
    page = response.content.decode()
    assert '<span class="count" id="count-overdue">1</span>' in page
    assert "未分办" in page


def test_dashboard_for_a_handler_counts_its_department_only(world, cases, pinned):
    pinned(D("2024-04-01"))
    response = client_for(world.handler).get(reverse("cases:dashboard"))
    assert response.context["totals"]["overdue"] == 1
    assert [r["department__name"] for r in response.context["by_department"]] == ["治安支队"]


# ---- 分办 action ------------------------------------------------------------------------


def assign_url(case):
    return reverse("cases:assign", args=[case.tracking_number])


def seen(case, **data):
    """Form data with the status the user saw (the case's current status)."""
    return {"seen_status": Case.objects.get(pk=case.pk).status, **data}


def test_office_assigns_from_the_detail_page(world, cases, pinned):
    pinned(D("2024-03-04"))
    client = client_for(world.office)
    page = client.get(detail_url(cases["loose"])).content.decode()
    assert 'action="/cases/' in page and "csrfmiddlewaretoken" in page
    response = client.post(
        assign_url(cases["loose"]), seen(cases["loose"], department=world.dept.pk), follow=True
    )
    assert "已将申请" in response.content.decode()
    case = Case.objects.get(pk=cases["loose"].pk)
    assert (case.status, case.department) == (Status.ASSIGNED, world.dept)
    event = CaseEvent.objects.filter(case=case).exclude(kind=EventKind.VIEW_APPLICANT).last()
    assert (event.kind, event.actor, event.data["on"]) == (
        EventKind.ASSIGN,
        world.office,
        "2024-03-04",
    )
    # Assigned already: the same form now reassigns.
    client.post(assign_url(case), seen(case, department=world.other_dept.pk))
    assert Case.objects.get(pk=case.pk).department == world.other_dept


def test_assign_refusals_are_shown_in_chinese_and_change_nothing(world, cases):
    registrar = client_for(world.registrar)
    assert registrar.get(detail_url(cases["loose"])).context["assign_form"] is None
    response = registrar.post(
        assign_url(cases["loose"]), seen(cases["loose"], department=world.dept.pk), follow=True
    )
    assert "没有“分办”的权限" in response.content.decode()
    office = client_for(world.office)
    response = office.post(assign_url(cases["loose"]), seen(cases["loose"], department=""))
    assert response.status_code == 400 and "请选择承办部门" in response.content.decode()
    foreign = make_department(make_agency())
    response = office.post(
        assign_url(cases["loose"]), seen(cases["loose"], department=foreign.pk), follow=True
    )
    assert "不是本机关的部门" in response.content.decode()
    response = office.post(
        assign_url(cases["own"]), seen(cases["own"], department=world.dept.pk), follow=True
    )
    assert "无需改派" in response.content.decode()
    assert Case.objects.get(pk=cases["loose"].pk).status == Status.REGISTERED
    assert client_for(world.handler).post(assign_url(cases["other"]), {}).status_code == 404
    assert client_for(world.office).get(assign_url(cases["loose"])).status_code == 405


def test_assign_needs_the_csrf_token(world, cases):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.office)
    response = client.post(
        assign_url(cases["loose"]), seen(cases["loose"], department=world.dept.pk)
    )
    assert response.status_code == 403
    assert Case.objects.get(pk=cases["loose"].pk).status == Status.REGISTERED


def test_list_and_dashboard_queries_do_not_grow_with_rows(
    world, cases, pinned, django_assert_max_num_queries
):
    """select_related on the list; one aggregate each on the dashboard.

    The site-wide page frame (session, user, the nav links other apps add to base.html)
    is measured on the 年报体检 page and added: it is not the list's doing and changes
    whenever another app adds a nav link.
    """
    pinned(D("2024-04-01"))  # every case overdue: the page has rows
    client = client_for(world.office)
    client.get(reverse("cases:dashboard"))  # warm the calendar cache
    with CaptureQueriesContext(connection) as frame:
        client.get(reverse("reports:checkup"))
    frame = len(frame)
    # memberships, calendar stamp, count (capped: COUNT over a LIMITed subquery, still
    # one query), page, departments, business-type names for the rows and for the
    # filter's choices (twice: bound form)
    with django_assert_max_num_queries(frame + 8):
        client.get(reverse("cases:list"), {"tab": "overdue"})
    # memberships, the agencies (each one's own calendar: cases.models.due_soon_window),
    # calendar stamp, totals, by department
    # + 3 constant queries: who sees 复议/诉讼 and their open matters (issue 15)
    with django_assert_max_num_queries(frame + 8):
        client.get(reverse("cases:dashboard"))


def test_without_a_calendar_the_due_soon_view_explains_instead_of_crashing(world, cases):
    ExceptionalDay.objects.all().delete()
    client = client_for(world.office)
    response = client.get(reverse("cases:dashboard"))
    assert response.status_code == 200
    assert "工作日历尚未载入" in response.content.decode()
    assert response.context["totals"]["due_soon"] == 0
    response = client.get(reverse("cases:list"), {"tab": "due_soon"})
    assert response.status_code == 200
    assert "工作日历尚未载入" in response.content.decode()


def test_search_by_phone_email_or_id_number_finds_the_case(world, cases):
    """Issue 14 part 7: typed however the applicant wrote it; never for masked roles."""
    found = make_case(
        world.agency,
        world.registrar,
        applicant_name="王小明",
        applicant_contact="电话 139-1234-5678，邮箱 Wang.XM@Example.com",
        applicant_id_document="居民身份证：11010119900307451X",
    )
    office = client_for(world.office)
    for words in ("139 1234 5678", "13912345678", "wang.xm@example.com", "11010119900307451x"):
        response = office.get(reverse("cases:list"), {"q": words})
        assert numbers(response) == {found.tracking_number}, words
    masked = client_for(getattr(world, MASKED[0]))
    assert numbers(masked.get(reverse("cases:list"), {"q": "13912345678"})) == set()


def test_views_of_personal_data_fold_away_below_the_steps(world, cases):
    """Issue 14 part 7: the 办理记录 lists the steps; the recorded full views of the
    applicant's data stay on the page, folded in their own list, named in Chinese."""
    client = client_for(world.office)
    client.get(detail_url(cases["own"]))
    page = client.get(detail_url(cases["own"])).content.decode()
    record = page[page.index('id="events-title"') :]
    steps, folded = record.split('<details class="view-events">')
    assert "查看申请人个人信息" not in steps and "分办" in steps
    assert "查看申请人个人信息的记录（2 次）" in folded and "办件页面" in folded
    assert "case_page" not in page
