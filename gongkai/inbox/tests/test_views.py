"""The 我的待办 page: who reaches it, what it shows, where login lands."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongkai.agencies.models import Role
from gongkai.cases import views as case_views
from gongkai.cases.tests.factories import make_case, run_to

D = dt.date.fromisoformat
URL = "/inbox/"


@pytest.fixture
def day(monkeypatch):
    """Pages count from Thursday 2024-03-14 (Beijing date)."""
    today = D("2024-03-14")
    monkeypatch.setattr(case_views, "today", lambda: today)
    return today


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_lands_on_the_inbox(client, world):
    user = world.office
    user.set_password("Gongkai-pass-2026")
    user.save()
    response = client.post(
        reverse("login"), {"username": user.username, "password": "Gongkai-pass-2026"}
    )
    assert response.status_code == 302
    assert response["Location"] == URL


def test_a_user_without_roles_is_told_why(client, db):
    user = get_user_model().objects.create_user("nobody", password="x")
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    assert "还没有分配到任何机关或部门的角色" in response.content.decode()


@pytest.mark.parametrize("role", [*Role.values, "other_handler", "outsider"])
def test_every_role_reaches_only_its_own_work(client, world, day, role):
    w = world
    assigned = run_to(make_case(w.agency, w.registrar), w, "assigned")
    client.force_login(getattr(w, role))
    page = client.get(URL).content.decode()
    # The drafted-to-be case is the 治安支队 handler's work only.
    assert (assigned.tracking_number in page) == (role == Role.HANDLER)
    # Masked applicant name only, never the full one.
    assert "张三" not in page


def test_waiting_confirmation_is_warned_after_three_working_days(client, world, day):
    w = world
    old = make_case(w.agency, w.registrar, confirmed_on=None, submitted_on=D("2024-03-07"))
    new = make_case(w.agency, w.registrar, confirmed_on=None, submitted_on=D("2024-03-12"))
    client.force_login(w.registrar)
    page = client.get(URL).content.decode()
    assert old.tracking_number in page and new.tracking_number in page
    # 03-07 (Thu) → 03-14 (Thu): 5 working days waited; 03-12 → 03-14: 2.
    assert "已等待 5 个工作日未确认" in page
    assert "已等待 2 个工作日未确认" not in page
    # Oldest first.
    assert page.index(old.tracking_number) < page.index(new.tracking_number)


def test_overdue_is_marked_and_ordered_first(client, world, day):
    w = world
    late = make_case(w.agency, w.registrar, submitted_on=D("2024-01-02"))
    fresh = make_case(w.agency, w.registrar, submitted_on=D("2024-03-13"))
    client.force_login(w.office)
    page = client.get(URL).content.decode()
    assert page.index(late.tracking_number) < page.index(fresh.tracking_number)
    assert "已超期" in page


def test_the_nav_counts_the_inbox(client, world, day):
    w = world
    make_case(w.agency, w.registrar)
    make_case(w.agency, w.registrar)
    client.force_login(w.office)
    page = client.get(reverse("cases:list")).content.decode()
    assert '我的待办<span class="nav-count">（2' in page


def test_the_page_and_its_nav_count_the_cases_once(client, world, day):
    """The page's counts and the navigation's total come from one count query, and a
    queue with nothing waiting costs no query for its rows (bench: 1,000,000 cases)."""
    w = world
    make_case(w.agency, w.registrar)
    client.force_login(w.office)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(URL).content.decode()
    case_queries = [q["sql"] for q in queries if 'FROM "cases_case"' in q["sql"]]
    assert sum("COUNT(" in sql for sql in case_queries) == 1
    assert len(case_queries) == 2  # the counts, and the rows of the one queue not empty
    assert '我的待办<span class="nav-count">（1' in page


def test_the_nav_keeps_its_count_until_a_record_changes(
    client, world, day, django_capture_on_commit_callbacks
):
    """Every staff page shows the count: it is kept (no count query on the next page)
    until a case is saved, whichever process saved it (the in-tray's generation)."""
    w = world
    make_case(w.agency, w.registrar)
    client.force_login(w.office)
    assert (
        '我的待办<span class="nav-count">（1' in client.get(reverse("cases:list")).content.decode()
    )
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("cases:list")).content.decode()
    assert '我的待办<span class="nav-count">（1' in page
    assert not [q for q in queries if "COUNT(" in q["sql"] and "FILTER" in q["sql"]]
    with django_capture_on_commit_callbacks(execute=True):
        make_case(w.agency, w.registrar)  # committed: the kept count is out of date
    page = client.get(reverse("cases:list")).content.decode()
    assert '我的待办<span class="nav-count">（2' in page


def test_the_nav_count_is_kept_per_user_and_role(client, world, day):
    w = world
    make_case(w.agency, w.registrar)
    client.force_login(w.office)
    assert "nav-count" in client.get(reverse("cases:list")).content.decode()
    client.force_login(w.leader)  # nothing waits for the leader: not the office's count
    assert "nav-count" not in client.get(reverse("cases:list")).content.decode()


def test_an_empty_inbox_says_so(client, world, day):
    client.force_login(world.leader)
    page = client.get(URL).content.decode()
    assert "目前没有等待您办理的事项" in page


def test_the_legal_office_finds_its_appeal_deadlines(client, world, monkeypatch):
    from gongkai.appeals import workflow as appeal_workflow

    w = world
    case = make_case(w.agency, w.registrar, submitted_on=D("2024-03-01"))
    case = run_to(case, w, "delivered", outcome="denied.state_secret", on=D("2024-03-11"))
    appeal_workflow.record(
        case,
        by=w.legal_reviewer,
        on=D("2024-04-08"),
        kind="reconsideration",
        body="示范市人民政府",
        applicant="张三",
        filed_on=D("2024-04-01"),
        papers_received_on=D("2024-04-08"),
    )
    monkeypatch.setattr(case_views, "today", lambda: D("2024-04-10"))
    client.force_login(w.legal_reviewer)
    page = client.get(URL).content.decode()
    assert "行政复议、行政诉讼" in page and case.tracking_number in page
    assert '我的待办<span class="nav-count">（1' in page
    client.force_login(w.handler)  # sees the appeal elsewhere, but it is not its step
    assert "行政复议、行政诉讼（" not in client.get(URL).content.decode()


def test_the_nav_counts_a_judgment_whose_appeal_window_runs_as_the_page_lists_it(
    client, world, monkeypatch
):
    """One definition of the legal office's open matters (appeals.matters): a decided
    first-instance judgment whose 上诉期限 still runs is listed and counted alike (the nav
    counted only undecided ones)."""
    from gongkai.appeals import workflow as appeal_workflow

    w = world
    case = make_case(w.agency, w.registrar, submitted_on=D("2024-03-01"))
    case = run_to(case, w, "delivered", outcome="denied.state_secret", on=D("2024-03-11"))
    suit = appeal_workflow.record(
        case, by=w.legal_reviewer, on=D("2024-04-01"), kind="litigation", instance="first",
        body="示范区人民法院", filed_on=D("2024-03-25"),
    )  # fmt: skip
    appeal_workflow.decide(
        suit, by=w.legal_reviewer, on=D("2024-04-09"), decision="uphold",
        decided_on=D("2024-04-08"), ruling="judgment", served_on=D("2024-04-09"),
    )  # fmt: skip
    monkeypatch.setattr(case_views, "today", lambda: D("2024-04-10"))
    client.force_login(w.legal_reviewer)
    page = client.get(URL).content.decode()
    assert case.tracking_number in page  # listed: the appeal window runs
    assert '我的待办<span class="nav-count">（1' in page  # and counted
