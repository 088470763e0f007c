"""The annual report's life in headless chromium, on a pinned day in January 2027:
the clerk drafts 2026 and edits a sentence of 一; the checker blocks an empty 五; the
office head sends it back with a reason; the leader approves; the clerk publishes and
the portal shows it. A case answered afterwards (its reply dated in 2026, recorded
after the lock) leaves the published tables unchanged and shows as drift."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gongkai.annual import views as annual_views
from gongkai.cases.tests.browsing import login, with_passwords
from gongkai.cases.tests.factories import make_case, run_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOW = timezone.make_aware(dt.datetime(2027, 1, 12, 9, 0))
EDITED = "（改写）2026年，本局深入贯彻《条例》：以公开为常态、不公开为例外。"
WORKSPACE = "/annual/gaj/2026/"


@pytest.fixture
def people(world, settings, monkeypatch):
    with_passwords(world, settings)
    monkeypatch.setattr(annual_views, "now", lambda: NOW)
    return world


def decide(page, user, decision, reason=""):
    login(page, user)
    page.goto(WORKSPACE)
    page.get_by_label(decision, exact=True).check()
    page.get_by_label("意见（退回时必填）").fill(reason)
    page.get_by_role("button", name="提交意见").click()


def submit(page):
    page.get_by_role("button", name="提交审核").click()


def test_draft_check_return_approve_publish_and_drift(page, people):
    w = people
    open_case = make_case(w.agency, w.registrar, submitted_on=dt.date(2026, 12, 21))

    login(page, w.office)
    page.goto("/annual/")
    page.get_by_label("报告年度").fill("2026")
    page.get_by_role("button", name="由记录起草年度报告").click()
    expect(page.locator("#annual-status")).to_have_text("起草")
    page.locator("#s一-0").fill(EDITED)
    for area in page.locator("textarea[name='s一']").all():  # what no record says
        if "【待补充】" in area.input_value():
            area.fill("本年度组织业务培训2次，未发生责任追究情形。")
    for area in page.locator("textarea[name='s五']").all():
        area.fill("")
    page.get_by_role("button", name="保存正文和说明").click()
    expect(page.locator(".messages")).to_contain_text("正文已保存")
    submit(page)
    expect(page.locator(".messages")).to_contain_text("五、政府信息公开工作存在的主要问题")
    expect(page.locator("#annual-status")).to_have_text("起草")

    page.locator("#s五-new").fill("一是培训不够经常。下一步将定期组织培训。")
    page.get_by_role("button", name="保存正文和说明").click()
    submit(page)
    expect(page.locator(".messages")).to_contain_text("已提交工作机构负责人审核")

    decide(page, w.office_head, "退回", "请在第五部分写明上年问题的改进情况。")
    expect(page.locator("#annual-status")).to_have_text("起草")
    expect(page.locator(".opinions")).to_contain_text("请在第五部分写明上年问题的改进情况。")

    login(page, w.office)
    page.goto(WORKSPACE)
    submit(page)
    decide(page, w.office_head, "同意")
    expect(page.locator("#annual-status")).to_have_text("审批")
    decide(page, w.leader, "同意", "同意发布。")
    expect(page.locator("#annual-status")).to_have_text("已批准（锁定）")
    expect(page.locator("#no-drift")).to_be_visible()

    login(page, w.office)
    page.goto(WORKSPACE)
    page.get_by_role("button", name="在门户发布").click()
    expect(page.locator("#annual-status")).to_have_text("已发布")
    page.get_by_role("link", name="在门户查看").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "示范市公安局2026年政府信息公开工作年度报告"
    )
    expect(page.locator("main")).to_contain_text("发布日期：2027-01-12")
    expect(page.locator("main")).to_contain_text(EDITED)
    portal_url = page.url
    published = page.locator("main").inner_text()

    # Recorded after the lock: the open case's reply, dated 30 December 2026.
    run_to(open_case, w, "delivered", on=dt.date(2026, 12, 30))
    page.goto(portal_url)
    assert page.locator("main").inner_text() == published
    page.goto(WORKSPACE)
    drift = page.locator("#drift table")
    expect(drift.locator("[data-cell='requests.carry_forward/total']")).to_contain_text(
        "表三“四、结转下年度继续办理”·“总计”"
    )
    expect(drift.locator("[data-cell='requests.granted/total']")).to_be_visible()
