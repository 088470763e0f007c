"""The page cache (pagecache.py): what is stored, for whom it is served, and when a
stored page stops being served."""

import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.http import HttpResponse
from django.test import RequestFactory

from gongkai.portal import pagecache

from .factories import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def nothing_learnt():
    """Some tests here give PageCache a stand-in view for a portal path: what it learns
    from those (pagecache._never_stored) must not outlive the test."""
    pagecache._never_stored.clear()
    yield
    pagecache._never_stored.clear()


@pytest.fixture
def long_cache(settings):
    settings.PORTAL_CACHE_SECONDS = 600


def test_stored_page_is_served_whole_without_the_view(
    client, world, long_cache, django_assert_num_queries
):
    item = make_item(world.agency, title="缓存测试：通知")
    for url in ("/xxgk/catalogue/", f"/xxgk/items/{item.pk}/", "/xxgk/feed/rss/"):
        first = client.get(url)
        assert first.status_code == 200
        with django_assert_num_queries(0):
            again = client.get(url)
        assert again.status_code == 200
        assert again.content == first.content
        for header in ("Content-Type", "Content-Length", "X-Frame-Options", "Referrer-Policy"):
            assert again[header] == first[header], header


def test_signed_in_staff_always_get_a_fresh_page(client, world, long_cache):
    make_item(world.agency, title="缓存测试：旧")
    assert "缓存测试：旧" in client.get("/xxgk/catalogue/").content.decode()  # stored
    # Inside the test's transaction nothing commits, so the generation stays: the new
    # item is in the database but not on the stored page.
    make_item(world.agency, title="缓存测试：新")
    assert "缓存测试：新" not in client.get("/xxgk/catalogue/").content.decode()
    client.force_login(world.office)  # a session cookie: never served from the store
    assert "缓存测试：新" in client.get("/xxgk/catalogue/").content.decode()


def test_host_is_part_of_the_address(client, world, long_cache, settings):
    """Sitemaps print absolute URLs: each host gets its own page; an unknown host gets 400."""
    settings.ALLOWED_HOSTS = ["a.example", "b.example"]
    make_item(world.agency, title="缓存测试：地址")
    for host in ("a.example", "b.example", "a.example"):
        body = client.get("/xxgk/sitemap-items.xml", HTTP_HOST=host).content.decode()
        assert f"://{host}/xxgk/items/" in body
    assert client.get("/xxgk/sitemap-items.xml", HTTP_HOST="evil.example").status_code == 400


class View:
    """A stand-in for the URL resolver and view behind the middleware: counts calls."""

    def __init__(self, during=None, cookie=False, seconds=600):
        self.calls, self.during, self.cookie, self.seconds = 0, during, cookie, seconds

    def __call__(self, request):
        self.calls += 1
        if self.during:
            self.during()
        response = HttpResponse(f"第 {self.calls} 次")
        if self.cookie:
            response.set_cookie("seen", "1")
        if self.seconds:
            response.page_cache_seconds = self.seconds
        return response


def serve(view, times, method="get"):
    cache.clear()
    middleware = pagecache.PageCache(view)
    request = getattr(RequestFactory(), method)
    return [middleware(request("/xxgk/catalogue/")).content.decode() for _ in range(times)]


def test_only_marked_anonymous_reads_without_cookies_are_stored():
    assert serve(View(), 3) == ["第 1 次"] * 3
    assert serve(View(seconds=None), 2) == ["第 1 次", "第 2 次"]  # not @cached
    assert serve(View(seconds=0), 2) == ["第 1 次", "第 2 次"]  # PORTAL_CACHE_SECONDS=0
    assert serve(View(cookie=True), 2) == ["第 1 次", "第 2 次"]  # sets a cookie
    assert serve(View(), 2, method="post") == ["第 1 次", "第 2 次"]


def test_page_made_while_a_change_committed_is_not_served():
    """The page is stored under the generation read before the view ran."""
    view = View()
    view.during = lambda: pagecache._move_on() if view.calls == 1 else None
    assert serve(view, 3) == ["第 1 次", "第 2 次", "第 2 次"]


# ---- StoredPages: the WSGI layer in front of Django (gongkai/wsgi.py) ------------------


def call(environ):
    """gongkai.wsgi.application as a server calls it: (status, headers, body). As in
    Django's test client, the handler must not close the test's database connection."""
    from gongkai.wsgi import application

    started = []
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    try:
        result = application(environ, lambda status, headers: started.append((status, headers)))
        try:
            body = b"".join(result)
        finally:
            getattr(result, "close", lambda: None)()
    finally:
        for signal in signals:
            signal.connect(close_old_connections)
    [(status, headers)] = started
    return status, dict(headers), body


def environ(method="get", host="testserver", **extra):
    request = getattr(RequestFactory(), method)("/xxgk/catalogue/", HTTP_HOST=host, **extra)
    return request.environ


@pytest.fixture
def handled():
    """Requests that reached Django's handler."""
    seen = []

    def receiver(**_signal):
        seen.append(1)

    request_started.connect(receiver)
    yield seen
    request_started.disconnect(receiver)


def test_stored_page_is_answered_before_django(world, long_cache, handled):
    make_item(world.agency, title="缓存测试：WSGI")
    cache.clear()
    status, headers, body = call(environ())
    assert status == "200 OK" and "缓存测试：WSGI" in body.decode()
    assert len(handled) == 1
    again = call(environ())
    assert again == (status, headers, body)  # every header, Referrer-Policy included
    assert "Referrer-Policy" in headers and "X-Frame-Options" in headers
    assert len(handled) == 1  # Django's handler did not run


def test_what_the_store_never_answers(world, long_cache, handled, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    cache.clear()
    call(environ())  # stored
    assert len(handled) == 1
    session = f"{settings.SESSION_COOKIE_NAME}=x"
    for request in (
        environ(HTTP_COOKIE=session),  # someone signed in (or who was)
        environ("head"),  # PageCache answers HEAD inside Django
        environ("post"),
    ):
        call(request)
    assert len(handled) == 4
    status, _headers, _body = call(environ(host="evil.example"))
    assert status.startswith("400") and len(handled) == 5  # unknown host: Django refuses
    assert call(environ(HTTP_COOKIE="other=1"))[0] == "200 OK" and len(handled) == 5


def test_the_store_is_not_asked_again_for_a_page_it_never_keeps(
    client, world, long_cache, monkeypatch
):
    """A path whose view has no @cached (the application form) is learnt from its first
    answer: no store lookup after that; kept pages are still looked up and served."""
    item = make_item(world.agency, title="缓存测试：通知")
    pagecache._never_stored.clear()
    lookups = []
    real = pagecache._lookup
    monkeypatch.setattr(pagecache, "_lookup", lambda key: lookups.append(key) or real(key))
    for _ in range(3):
        assert client.get("/xxgk/apply/").status_code == 200
        assert client.get(f"/xxgk/items/{item.pk}/").status_code == 200
    assert len(lookups) == 1 + 3  # the form once (before it was learnt), the item each time
    assert "/xxgk/apply/" in pagecache._never_stored
    assert f"/xxgk/items/{item.pk}/" not in pagecache._never_stored
    assert client.get("/xxgk/items/999999/").status_code == 404
    assert "/xxgk/items/999999/" not in pagecache._never_stored  # may be published later
