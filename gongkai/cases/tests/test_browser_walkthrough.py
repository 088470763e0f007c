"""A request walked through every role in headless chromium, and the shorter paths:
an extension, a denial, a withdrawal, an overdue case (the pages' today is pinned)."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from gongkai.cases import views, workflow
from gongkai.cases.models import Case, Status
from gongkai.cases.tests.browsing import login, step, with_passwords
from gongkai.cases.tests.factories import make_case, run_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = dt.date.fromisoformat
TODAY = D("2024-03-04")


@pytest.fixture
def people(world, settings, monkeypatch):
    """The world's users with a password (a fast hasher: tests only); today pinned."""
    with_passwords(world, settings)
    monkeypatch.setattr(views, "today", lambda: TODAY)
    return world


def cell(page, where):
    text = page.locator(f'[data-where="{where}"]').inner_text().strip()
    return int(text or 0)


def report_figures(page):
    page.goto("/cases/report/?year=2024")
    expect(page.locator("#report-ok")).to_be_visible()  # the checker finds nothing
    return {w: cell(page, w) for w in ("requests.new/total", "requests.granted/natural_person")}


def test_a_letter_walks_through_every_role_into_the_report(page, people):
    w = people
    make_case(w.agency, w.registrar)  # an earlier request, so the table is not empty
    login(page, w.office)
    before = report_figures(page)
    assert before == {"requests.new/total": 1, "requests.granted/natural_person": 0}

    # 登记 an ordinary letter that has not been confirmed with the applicant yet.
    login(page, w.registrar)
    page.goto("/cases/new/")
    page.get_by_label("申请人类型").select_option(label="自然人")
    page.get_by_label("申请人姓名或名称").fill("王小明")
    page.get_by_label("身份证明").fill("110101198001010011")
    page.get_by_label("联系方式").fill("13912345678")
    page.get_by_label("申请渠道").select_option(label="平常信函")
    page.get_by_label("提交日期").fill("2024-03-01")
    page.get_by_label("到达/签收日期").fill("2024-03-04")
    page.get_by_label("申请内容").fill("申请公开2023年本市道路交通事故统计数据")
    page.get_by_label("获取方式").select_option(label="纸质")
    page.get_by_label("业务类别").select_option(label="交管")
    page.screenshot(path="/tmp/gongkai-case-new.png", full_page=True)
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.get_by_role("heading", name="登记成功")).to_be_visible()
    page.screenshot(path="/tmp/gongkai-case-registered.png", full_page=True)
    expect(page.locator("#status")).to_have_text("待确认")
    number = page.locator("#tracking-number").inner_text()
    code = page.locator("#query-code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{10}", code)
    assert Case.objects.get(tracking_number=number).check_query_code(code)

    page.get_by_role("link", name="打开申请页面").click()
    expect(page.locator("#awaiting-note")).to_be_visible()
    step(page, "action-confirm", "确认收到申请", {"确认日期": "2024-03-04"})
    step(page, "action-request_correction", "告知补正", {"需要补正的事项": "请写明所需数据的范围"})
    step(page, "action-record_correction", "登记收到补正", {"收到补正日期": "2024-03-04"})
    url = f"/cases/{number}/"

    login(page, w.office)
    page.goto(url)
    step(page, "action-assign", "分办", {"承办部门": "治安支队"}, expect_text="交由“治安支队”承办")

    login(page, w.handler)
    page.goto(url)
    step(
        page,
        "action-consult",
        "发出征求意见",
        {"征求对象类型": "第三方（第三十二条）", "征求对象": "某运输公司"},
    )
    consultation = Case.objects.get(tracking_number=number).consultations.get()
    step(page, f"answer-{consultation.pk}", "登记收到意见", {"意见": "同意公开"})
    form = page.locator("#action-draft_decision")
    page.screenshot(path="/tmp/gongkai-case-handler.png", full_page=True)
    expect(form.get_by_label("法律依据")).to_have_value(re.compile("第三十六条第（二）项"))
    step(page, "action-draft_decision", "提交拟办意见", {"办理结果": "（一）予以公开"})

    login(page, w.legal_reviewer)
    page.goto(url)
    step(page, "action-review_legal", "审查通过")
    login(page, w.secrecy_reviewer)
    page.goto(url)
    step(page, "action-review_secrecy", "审查通过")

    login(page, w.office_head)
    page.goto(url)
    step(page, "action-approve", "批准")

    login(page, w.office)
    page.goto(url)
    step(page, "action-reply", "答复", {"答复日期": "2024-03-04"})
    step(
        page,
        "action-deliver",
        "登记送达",
        {"送达方式": "邮寄送达（交邮之日）", "EMS 邮件号": "EA123456789CN"},
    )
    expect(page.locator(".facts").first).to_contain_text("已送达")

    case = Case.objects.get(tracking_number=number)
    assert (case.status, case.outcome, case.closed_on) == (Status.DELIVERED, "granted", TODAY)
    after = report_figures(page)
    page.screenshot(path="/tmp/gongkai-case-report.png", full_page=True)
    assert after["requests.new/total"] == before["requests.new/total"] + 1
    assert after["requests.granted/natural_person"] == 1


def test_the_office_head_approves_an_extension(page, people):
    w = people
    case = run_to(make_case(w.agency, w.registrar), w, "assigned")
    due = case.due_on
    login(page, w.office_head)
    page.goto(f"/cases/{case.tracking_number}/")
    step(
        page,
        "action-approve_extension",
        "批准延期",
        {"延期理由": "需要调取历年档案", "延期告知日期": "2024-03-04"},
    )
    expect(page.get_by_text("20 个工作日")).to_be_visible()
    assert Case.objects.get(pk=case.pk).due_on > due
    expect(page.locator("#action-approve_extension")).to_have_count(0)  # only once


def test_a_denial_needs_the_leader(page, people):
    w = people
    case = run_to(make_case(w.agency, w.registrar), w, "reviewed", outcome="denied.third_party")
    url = f"/cases/{case.tracking_number}/"
    login(page, w.office_head)
    page.goto(url)
    expect(page.locator("#action-approve")).to_contain_text("须经分管领导审批")
    step(page, "action-approve", "批准", expect_text="不予公开的答复须经分管领导审批")
    login(page, w.leader)
    page.goto(url)
    step(page, "action-approve", "批准", expect_text="当前状态：待答复")
    assert Case.objects.get(pk=case.pk).status == Status.APPROVED


def test_the_registrar_records_a_withdrawal(page, people):
    w = people
    case = make_case(w.agency, w.registrar)
    login(page, w.registrar)
    page.goto(f"/cases/{case.tracking_number}/")
    step(page, "action-withdraw", "登记撤回申请", {"撤回说明": "申请人来电撤回"})
    expect(page.locator(".facts").first).to_contain_text("已终结")
    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.outcome, case.legal_basis) == (
        Status.CLOSED,
        "other.other",
        "申请人来电撤回",
    )


def test_an_overdue_case_is_listed_and_marked(page, people, monkeypatch):
    w = people
    late = make_case(w.agency, w.registrar)  # received 2024-03-01, due 2024-03-29
    on_time = make_case(w.agency, w.registrar, submitted_on=D("2024-04-10"))
    workflow.assign(late, by=w.office, department=w.dept, on=D("2024-03-04"))
    monkeypatch.setattr(views, "today", lambda: D("2024-04-15"))
    login(page, w.office)
    page.goto("/cases/")
    page.get_by_role("link", name="已超期").click()
    row = page.locator("tr.overdue")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(late.tracking_number)
    expect(row.locator(".sev-error")).to_have_text("已超期")
    expect(page.get_by_text(on_time.tracking_number)).to_have_count(0)
    row.get_by_role("link", name=late.tracking_number).click()
    expect(page.locator(".sev-error").first).to_contain_text("已超期")
