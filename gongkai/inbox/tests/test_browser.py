"""我的待办 in headless chromium: each role logs in, lands on its own in-tray and finds
the case waiting for its step there, as the case moves from desk to desk."""

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from gongkai.cases import views, workflow
from gongkai.cases.tests.browsing import PASSWORD, with_passwords
from gongkai.cases.tests.factories import make_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = dt.date.fromisoformat
TODAY = D("2024-03-14")
SHOTS = os.environ.get("GONGKAI_SCREENSHOTS")  # a directory: save what each role sees


@pytest.fixture
def people(world, settings, monkeypatch):
    with_passwords(world, settings)
    monkeypatch.setattr(views, "today", lambda: TODAY)
    return world


def arrive(page, user):
    """Log in and land on the in-tray (no explicit navigation)."""
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="我的待办", level=1)).to_be_visible()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/inbox-{user.username}.png", full_page=True)


def queue(page, key):
    return page.locator(f"section#{key}")


def test_the_case_travels_from_in_tray_to_in_tray(page, people):
    w = people
    case = make_case(w.agency, w.registrar, confirmed_on=None, submitted_on=D("2024-03-07"))
    number = case.tracking_number

    arrive(page, w.registrar)
    expect(queue(page, "confirm")).to_contain_text(number)
    expect(queue(page, "confirm")).to_contain_text("已等待 5 个工作日未确认")
    expect(page.get_by_role("link", name="我的待办")).to_contain_text("1")
    case = workflow.confirm(case, by=w.registrar, on=TODAY)

    arrive(page, w.office)
    expect(queue(page, "assign")).to_contain_text(number)
    queue(page, "assign").get_by_role("link", name=number).click()
    expect(page).to_have_url(f"/cases/{number}/")
    case = workflow.assign(case, by=w.office, department=w.dept, on=TODAY)

    arrive(page, w.other_handler)
    expect(page.get_by_text("目前没有等待您办理的事项")).to_be_visible()
    arrive(page, w.handler)
    expect(queue(page, "draft")).to_contain_text(number)
    expect(queue(page, "draft")).to_contain_text("剩 20 个工作日")
    case = workflow.draft_decision(
        case, by=w.handler, outcome="granted", legal_basis="条例第三十六条第（二）项", on=TODAY
    )

    for reviewer, key, kind in (
        (w.legal_reviewer, "legal_review", "legal"),
        (w.secrecy_reviewer, "secrecy_review", "secrecy"),
    ):
        arrive(page, reviewer)
        expect(queue(page, key)).to_contain_text(number)
        case = workflow.review(case, by=reviewer, kind=kind, passed=True, on=TODAY)

    arrive(page, w.leader)
    expect(queue(page, "approve")).to_contain_text(number)
    case = workflow.approve(case, by=w.leader, on=TODAY)

    arrive(page, w.registrar)
    expect(queue(page, "reply")).to_contain_text(number)
    expect(queue(page, "confirm")).to_have_count(0)
