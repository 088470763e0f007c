"""Review opinions travel with the case (issue 14 part 2): every review and approval
records an opinion, the case page shows the trail, a denial goes 科长审核 → 领导签发."""

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from gongkai.cases import views, workflow
from gongkai.cases.models import EventKind, Status
from gongkai.cases.tests.factories import make_case, run_to

D = dt.date.fromisoformat
DENIAL = "denied.third_party"


def test_every_step_records_an_opinion(world):
    w = world
    case = run_to(make_case(w.agency, w.registrar), w, "approved")
    trail = views.opinion_trail(case)
    assert [(o.step, o.role, o.verdict, o.text) for o in trail] == [
        ("拟办意见", "承办部门", "予以公开", "法律依据：条例第三十六条第（二）项"),
        ("法制审查", "法制审查", "通过", "同意。"),
        ("保密审查", "保密审查", "通过", "同意。"),
        ("审批", "分管领导", "同意", "同意。"),
    ]


def test_a_return_reason_reaches_the_handler(world, client):
    w = world
    case = run_to(make_case(w.agency, w.registrar), w, "drafted")
    workflow.review(
        case,
        by=w.legal_reviewer,
        kind="legal",
        passed=False,
        on=case.received_on,
        comments="第三方意见尚未征求，请先征求意见。",
    )
    client.force_login(w.handler)
    page = client.get(f"/cases/{case.tracking_number}/").content.decode()
    assert "第三方意见尚未征求，请先征求意见。" in page
    assert "退回" in page


def test_a_denial_is_endorsed_by_the_office_head_then_signed_by_the_leader(world):
    w = world
    case = run_to(make_case(w.agency, w.registrar), w, "reviewed", outcome=DENIAL)
    with pytest.raises(workflow.WorkflowError, match="分管领导"):
        workflow.approve(case, by=w.office_head, on=case.received_on)
    case = workflow.endorse(
        case, by=w.office_head, on=case.received_on, comments="拟同意不予公开。"
    )
    assert case.status == Status.REVIEWED
    with pytest.raises(workflow.WorkflowError, match="无需重复审核"):
        workflow.endorse(case, by=w.office_head, on=case.received_on)
    case = workflow.approve(case, by=w.leader, on=case.received_on, comments="同意不予公开。")
    assert case.status == Status.APPROVED
    steps = [(o.step, o.role, o.text) for o in views.opinion_trail(case)][-2:]
    assert steps == [
        ("审核同意，报分管领导", "工作机构负责人", "拟同意不予公开。"),
        ("审批", "分管领导", "同意不予公开。"),
    ]


def test_only_the_office_head_endorses_and_only_denials(world):
    w = world
    granted = run_to(make_case(w.agency, w.registrar), w, "reviewed")
    with pytest.raises(workflow.WorkflowError, match="直接批准"):
        workflow.endorse(granted, by=w.office_head, on=granted.received_on)
    denial = run_to(make_case(w.agency, w.registrar), w, "reviewed", outcome=DENIAL)
    for user in (w.leader, w.office, w.handler, w.legal_reviewer):
        with pytest.raises(workflow.WorkflowError):
            workflow.endorse(denial, by=user, on=denial.received_on)
    assert not denial.events.filter(kind=EventKind.ENDORSE).exists()


def test_a_redraft_may_be_endorsed_again(world):
    w = world
    case = run_to(make_case(w.agency, w.registrar), w, "reviewed", outcome=DENIAL)
    case = workflow.endorse(case, by=w.office_head, on=case.received_on)
    case = workflow.return_for_revision(
        case, by=w.leader, on=case.received_on, comments="理由不充分。"
    )
    case = workflow.draft_decision(
        case,
        by=w.handler,
        outcome=DENIAL,
        legal_basis="条例第十五条",
        reasons="第三方书面不同意公开。",
        on=case.received_on,
    )
    for kind, user in (("legal", w.legal_reviewer), ("secrecy", w.secrecy_reviewer)):
        case = workflow.review(case, by=user, kind=kind, passed=True, on=case.received_on)
    case = workflow.endorse(case, by=w.office_head, on=case.received_on)
    assert case.events.filter(kind=EventKind.ENDORSE).count() == 2


def test_the_page_never_claims_a_review_that_has_not_happened(world, client):
    w = world
    case = run_to(make_case(w.agency, w.registrar), w, "drafted")
    workflow.review(case, by=w.legal_reviewer, kind="legal", passed=True, on=case.received_on)
    client.force_login(w.office)
    page = client.get(f"/cases/{case.tracking_number}/").content.decode()
    assert "法制审查已通过；保密审查待审查" in page
    assert "未通过" not in page


# ---- in the browser ---------------------------------------------------------------------

PASSWORD = "浏览器测试-pw-2024"
SHOTS = os.environ.get("GONGKAI_SCREENSHOTS")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_handler_reads_why_legal_sent_it_back_and_the_leader_reads_all(
    page, world, settings, monkeypatch
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    w = world
    for user in (w.legal_reviewer, w.handler, w.office_head, w.leader):  # noqa: B007
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    case = run_to(make_case(w.agency, w.registrar), w, "drafted", outcome=DENIAL)
    monkeypatch.setattr(views, "today", lambda: case.received_on)
    url = f"/cases/{case.tracking_number}/"

    def login(user):
        page.context.clear_cookies()
        page.goto("/accounts/login/")
        page.get_by_label("用户名").fill(user.username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.goto(url)

    login(w.legal_reviewer)
    form = page.locator("#action-review_legal")
    form.get_by_label("审查意见").fill("不予公开的理由未说明第三方不同意公开的具体情况，请补充。")
    form.get_by_role("button", name="退回承办部门").click()
    expect(page.locator(".messages")).to_contain_text("已完成")

    login(w.handler)
    trail = page.locator("table.opinions")
    expect(trail).to_contain_text("请补充")
    expect(trail).to_contain_text("法制审查")
    expect(trail.locator("tr.returned")).to_have_count(1)

    # Redrafted and reviewed again; the office head endorses the denial in the browser.
    case = workflow.draft_decision(
        case,
        by=w.handler,
        outcome=DENIAL,
        legal_basis="条例第十五条",
        reasons="第三方书面不同意公开。",
        on=case.received_on,
    )
    for kind, user in (("legal", w.legal_reviewer), ("secrecy", w.secrecy_reviewer)):
        case = workflow.review(case, by=user, kind=kind, passed=True, on=case.received_on)
    login(w.office_head)
    expect(page.locator("#action-approve")).to_contain_text("须经分管领导审批")
    page.locator("#action-endorse").get_by_label("审核意见").fill(
        "第三方书面不同意公开，拟不予公开。"
    )
    page.locator("#action-endorse").get_by_role("button", name="审核同意，报分管领导").click()
    expect(page.locator(".messages")).to_contain_text("已完成")

    # The leader reads every opinion before signing.
    login(w.leader)
    trail = page.locator("table.opinions")
    for text in ("请补充", "法制审查", "保密审查", "第三方书面不同意公开", "工作机构负责人"):
        expect(trail).to_contain_text(text)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/opinions-leader.png", full_page=True)
    page.locator("#action-approve").get_by_role("button", name="批准").click()
    expect(page.locator(".messages")).to_contain_text("已完成")
    expect(trail.locator("tbody tr")).to_have_count(7)


def test_the_approval_sheet_prints_the_opinions(world, client):
    w = world
    case = run_to(make_case(w.agency, w.registrar), w, "approved")
    client.force_login(w.office)
    response = client.get(f"/cases/{case.tracking_number}/sheet/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "政府信息公开申请办理审批表" in page
    assert "法制审查意见" in page and "<p>通过。</p>" in page
    assert "同意：同意" not in page and "通过：同意" not in page  # the verdict once
    assert "法律依据：条例第三十六条第（二）项" in page
    assert "张*" in page and "张三" not in page  # an approval form needs no full name
    # The 审核 row was not used (not a denial): left blank to sign by hand.
    assert "签名：" in page


@pytest.mark.parametrize("who", ["other_handler", "outsider"])
def test_the_approval_sheet_is_not_for_others(world, client, who):
    from gongkai.agencies.models import Role
    from gongkai.agencies.tests.factories import make_agency, make_user

    w = world
    case = run_to(make_case(w.agency, w.registrar), w, "assigned")
    user = make_user(make_agency(), Role.OFFICE) if who == "outsider" else w.other_handler
    client.force_login(user)
    assert client.get(f"/cases/{case.tracking_number}/sheet/").status_code == 404


def test_a_case_waiting_for_correction_shows_the_pause_not_a_running_clock(world, client):
    w = world
    case = make_case(w.agency, w.registrar)
    workflow.request_correction(
        case,
        by=w.office,
        on=D("2024-03-04"),
        items="请说明所需信息的年份。",
        correction_due_on=D("2024-03-18"),
    )
    client.force_login(w.office)
    page = client.get(f"/cases/{case.tracking_number}/").content.decode()
    assert "等待申请人补正，答复期限暂不计算" in page
    assert "2024-03-18" in page
    assert "按期办理中" not in page
