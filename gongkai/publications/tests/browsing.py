"""Browser steps shared by the 主动公开 browser tests (publications and portal)."""

import re

from playwright.sync_api import expect

from gongkai.agencies.models import Role
from gongkai.publications.models import Gate

PASSWORD = "gongkai-browser-test"


def login(page, user):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".who")).to_have_text(user.username)


def review_and_publish(page, staff, item_url):
    """After 初审: 保密审查 passes all five checks, the leader approves, the office
    publishes at once. `staff`: {role: user}."""
    login(page, staff[Role.SECRECY_REVIEWER])
    page.goto(item_url)
    for gate in Gate:
        fieldset = page.locator("fieldset.gate", has=page.locator("legend", has_text=gate.label))
        fieldset.get_by_label("通过", exact=True).check()
    page.get_by_role("button", name="提交保密审查结论").click()
    expect(page.locator(".messages")).to_contain_text("保密审查五项均通过")
    expect(page.locator(".item-status")).to_have_text("待领导审批")

    login(page, staff[Role.LEADER])
    page.goto(item_url)
    page.locator("form.review-form").get_by_label("通过").check()
    page.get_by_role("button", name="提交审批结论").click()
    expect(page.locator(".item-status")).to_have_text("待发布")

    login(page, staff[Role.OFFICE])
    page.goto(item_url)
    page.get_by_label("立即发布").check()
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.locator(".item-status")).to_have_text(re.compile("已发布"))
