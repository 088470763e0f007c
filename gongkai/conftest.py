"""Shared pytest fixtures: an empty cache per test; headless chromium (Debian's, never a
downloaded one)."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True, scope="session")
def fast_password_hasher():
    """Tests hash passwords with MD5: production's PBKDF2 costs about a second a hash on
    this machine, and logins run in hundreds of tests. Nothing here tests the hasher."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def production_hashers():
    """The project's own password hashers, for a test whose passwords another process
    (a restored site, a second server) checks with the production settings."""
    import importlib

    from django.conf import global_settings
    from django.test import override_settings

    module = importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
    hashers = getattr(module, "PASSWORD_HASHERS", global_settings.PASSWORD_HASHERS)
    with override_settings(PASSWORD_HASHERS=hashers):
        yield


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache: a cached row (business types, the portal's
    pages) must not outlive the test transaction that created it."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def chromium():
    """A headless chromium browser; skipped (failed on CI) when it is not installed."""
    if not CHROMIUM.exists():
        message = (
            f"缺少 {CHROMIUM}：浏览器测试需要 Debian 的 chromium（apt-get install chromium）。"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM would
    # otherwise refuse to run next to it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser page with the base URL of the live test server."""
    context = chromium.new_context(base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def pytest_collection_modifyitems(items):
    """Every test that drives the browser carries the `browser` mark, whether or not its
    module says so (`make test-pg` leaves the browser walks to the SQLite round), and every
    test that uses the database the `django_db` mark (`make test-pg` selects by it).

    The `long` tests come first: started while the other worker runs short ones, they do
    not keep one worker busy after the other has finished; xdist sends each worker a
    batch of consecutive tests first (a quarter of its share), so the tests of one long
    module (the demo's) run on one worker and share its module fixture. Transactional
    tests (the browser's live server) stay behind the others, where pytest-django put
    them: they empty the tables when they end. (`--dist loadgroup` would pin a group to
    one worker, but pytest-xdist 3.8 cannot rename pytest 9's node ids to do it.)
    """
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "chromium" in fixtures:
            item.add_marker(pytest.mark.browser)
        # A test that reaches the database through a fixture (`world(db)`) is a database
        # test too: marked, `make test-pg` runs it on PostgreSQL as well.
        if not item.get_closest_marker("django_db") and {"db", "transactional_db"} & set(fixtures):
            item.add_marker(pytest.mark.django_db(transaction="transactional_db" in fixtures))
    items.sort(key=lambda item: not (item.get_closest_marker("long") and not _transactional(item)))


def _transactional(item):
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return bool(
        (marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
        or {"transactional_db", "live_server"} & set(fixtures)
    )
