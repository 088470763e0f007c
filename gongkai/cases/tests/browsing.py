"""Shared by the casework browser tests: every user of a `world` given one password
(a fast hasher: tests only), logging in as one of them in chromium, taking a step from
the case page, and the applicant's 查询 with the 受理编号 and 查询码."""

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


def step(page, key, button, fields=None, *, expect_text="已完成"):
    """Fill the case page's form `key` (its anchor, e.g. "action-deliver") and submit it;
    wait for the message. An optional field is found by its label and （选填）."""
    form = page.locator(f"#{key}")
    fill(form, fields or {})
    form.get_by_role("button", name=button).click()
    expect(page.locator(".messages")).to_contain_text(expect_text)


def fill(form, fields):
    """Fill each field found by its label, or by its label and （选填） for an optional one.
    The .or_() waits for either spelling: a count() taken before the page had loaded
    picked the optional spelling and timed out (seen once in CI)."""
    for label, value in fields.items():
        field = form.get_by_label(label, exact=True).or_(
            form.get_by_label(f"{label}（选填）", exact=True)
        )
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)


def track(page, number, code):
    """The applicant's 查询 on the public page, in a browser nobody is logged in to."""
    page.context.clear_cookies()
    page.goto("/xxgk/track/")
    page.get_by_label("受理编号").fill(number)
    page.get_by_label("查询码").fill(code)
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".public-status")).to_be_visible()
