"""The whole 主动公开 path in headless chromium, each step by the role that takes it:
信息员 drafts → 政务公开办 初审 → 保密审查 five checks → 分管领导 approves → 政务公开办
publishes; the item then shows as 已发布."""

import pytest
from playwright.sync_api import expect

from gongkai.agencies.models import Role
from gongkai.agencies.tests.factories import make_user
from gongkai.publications import views
from gongkai.publications.models import Item, ReviewCheck, Status
from gongkai.publications.tests.browsing import PASSWORD, login, review_and_publish
from gongkai.publications.tests.factories import NOW

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TITLE = "关于2026年春节期间烟花爆竹燃放管理的通告"


@pytest.fixture
def staff(world):
    users = {
        role: make_user(world.agency, role, username=f"b-{role}", password=PASSWORD)
        for role in (Role.INFO_OFFICER, Role.OFFICE, Role.SECRECY_REVIEWER, Role.LEADER)
    }
    return users


def test_draft_review_approve_publish(page, staff, monkeypatch):
    monkeypatch.setattr(views, "now", lambda: NOW)

    # 信息员 drafts and submits
    login(page, staff[Role.INFO_OFFICER])
    page.goto("/publications/")
    expect(page.get_by_text("您可以查看的范围内还没有主动公开信息")).to_be_visible()
    page.goto("/publications/new/")
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("文号").fill("示公通〔2026〕3号")
    page.get_by_label("成文日期").fill("2026-02-02")
    page.get_by_label("公开类别").select_option("public_order")
    page.get_by_label("体裁分类").select_option("circular")
    page.get_by_label("主题分类").select_option("public_order")
    page.get_by_label("正文（HTML）").fill(
        "<p>春节期间，城区禁止燃放烟花爆竹。</p><script>alert(1)</script>"
    )
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".item-status")).to_have_text("草稿")
    expect(page.locator("#due-title + p")).to_contain_text("2026-03-06")
    expect(page.locator(".item-body")).to_have_text("春节期间，城区禁止燃放烟花爆竹。")
    page.get_by_role("button", name="提交初审").click()
    expect(page.locator(".messages")).to_contain_text("已提交初审")
    item_url = page.url.split("#")[0]

    # 政务公开办 初审
    login(page, staff[Role.OFFICE])
    page.goto("/publications/?tab=mine")
    page.get_by_role("link", name=TITLE).click()
    review = page.locator("form.review-form")
    review.get_by_label("通过").check()
    review.get_by_role("button", name="提交初审结论").click()
    expect(page.locator(".item-status")).to_have_text("待保密审查")

    # 保密审查 five checks, 分管领导 approves, 政务公开办 publishes now
    review_and_publish(page, staff, item_url)
    expect(page.locator(".due-state")).to_have_text("按时公开")
    page.screenshot(path="/tmp/gongkai-publication.png", full_page=True)
    page.goto("/publications/?tab=published")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()

    item = Item.objects.get()
    assert item.status == Status.PUBLISHED and item.published_at == NOW
    assert Item.objects.public(NOW).get() == item
    assert ReviewCheck.objects.filter(item=item, passed=True).count() == 5
    assert "<script" not in item.body
