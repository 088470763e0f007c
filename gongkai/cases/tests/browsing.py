"""Shared by the casework browser tests: every user of a `world` given one password
(a fast hasher: tests only), and logging in as one of them in chromium."""

from playwright.sync_api import expect

PASSWORD = "浏览器测试-pw-2024"


def with_passwords(world, settings):
    """Give every user in `world` PASSWORD; returns `world`."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for value in vars(world).values():
        if hasattr(value, "set_password"):
            value.set_password(PASSWORD)
            value.save(update_fields=["password"])
    return world


def login(page, user):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".who")).to_have_text(user.username)
