"""The page cache (pagecache.py): what is stored, for whom it is served, and when a
stored page stops being served."""

import contextlib
import os
import queue
import threading
import time

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


@pytest.fixture
def pauses(monkeypatch):
    """The pauses of requests waiting for a page another request makes: (thread, seconds)."""
    seen = []
    real = pagecache._sleep

    def sleep(seconds):
        seen.append((threading.get_ident(), seconds))
        real(seconds)

    monkeypatch.setattr(pagecache, "_sleep", sleep)
    return seen


def until(condition, seconds=10):
    """Wait (bounded) for `condition()`: a thread of the test to get where it is going."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.002)


def test_only_marked_anonymous_reads_without_cookies_are_stored(pauses):
    assert serve(View(), 3) == ["第 1 次"] * 3
    assert serve(View(seconds=None), 2) == ["第 1 次", "第 2 次"]  # not @cached
    assert serve(View(seconds=0), 2) == ["第 1 次", "第 2 次"]  # PORTAL_CACHE_SECONDS=0
    assert serve(View(cookie=True), 2) == ["第 1 次", "第 2 次"]  # sets a cookie
    assert serve(View(), 2, method="post") == ["第 1 次", "第 2 次"]
    assert pauses == []  # a page not kept gives its build lock back: nobody waits for it


def in_threads(middleware, count):
    """`count` requests for the catalogue at once, each in its thread: their answers."""
    answers = [None] * count

    def one(n):
        answers[n] = middleware(RequestFactory().get("/xxgk/catalogue/")).content.decode()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    return threads, answers


def test_requests_for_a_missing_page_wait_for_the_one_making_it(pauses):
    """A new deployment at saturation: the same page asked for by many at once is made
    once; the others are answered with it."""
    cache.clear()
    view = View()
    waiting = lambda: len({thread for thread, _seconds in pauses}) >= 3  # noqa: E731
    view.during = lambda: until(waiting)  # the others arrive while the first makes it
    threads, answers = in_threads(pagecache.PageCache(view), 4)
    for thread in threads:
        thread.join(30)
    assert answers == ["第 1 次"] * 4
    assert view.calls == 1


def test_an_expired_page_is_served_while_one_request_makes_it_again(monkeypatch, pauses):
    cache.clear()
    view = View(seconds=600)
    middleware = pagecache.PageCache(view)
    assert middleware(RequestFactory().get("/xxgk/catalogue/")).content.decode() == "第 1 次"
    later = time.time() + 601  # past its lifetime (still kept: STALE_SECONDS)
    monkeypatch.setattr(pagecache, "_now", lambda: later)
    answered = threading.Event()
    view.during = lambda: answered.wait(10)  # the second request comes while it is made
    threads, answers = in_threads(middleware, 1)
    until(lambda: view.calls == 2)
    meanwhile = middleware(RequestFactory().get("/xxgk/catalogue/")).content.decode()
    answered.set()
    threads[0].join(30)
    assert (answers, meanwhile) == (["第 2 次"], "第 1 次")  # the expired copy, no wait
    assert pauses == []
    again = middleware(RequestFactory().get("/xxgk/catalogue/")).content.decode()
    assert again == "第 2 次" and view.calls == 2


def test_after_a_change_the_old_page_is_never_served_while_it_is_made_again(pauses):
    cache.clear()
    view = View(seconds=600)
    middleware = pagecache.PageCache(view)
    assert middleware(RequestFactory().get("/xxgk/catalogue/")).content.decode() == "第 1 次"
    pagecache.GENERATION.move_on()  # a publication or withdrawal committed
    view.during = lambda: until(lambda: pauses)  # the second request waits, not served
    threads, answers = in_threads(middleware, 2)
    for thread in threads:
        thread.join(30)
    assert answers == ["第 2 次", "第 2 次"]
    assert view.calls == 2


def test_without_a_reachable_cache_every_request_makes_its_page(settings, pauses):
    """Redis down: nothing stored, nobody waits (the portal serves as without the cache)."""
    import socket

    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "gongkai.rediscache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
        }
    }
    middleware = pagecache.PageCache(View())
    answers = [middleware(RequestFactory().get("/xxgk/catalogue/")).content for _ in range(3)]
    assert [a.decode() for a in answers] == ["第 1 次", "第 2 次", "第 3 次"]
    assert pauses == []


def test_page_made_while_a_change_committed_is_not_served():
    """The page is stored under the generation read before the view ran."""
    view = View()
    view.during = lambda: pagecache.GENERATION.move_on() if view.calls == 1 else None
    assert serve(view, 3) == ["第 1 次", "第 2 次", "第 2 次"]


# ---- StoredPages: the WSGI layer in front of Django (gongkai/wsgi.py) ------------------


@contextlib.contextmanager
def connection_kept():
    """As in Django's test client, the handler must not close the test's database
    connection."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in signals:
            signal.connect(close_old_connections)


def call(environ):
    """gongkai.wsgi.application as a server calls it: (status, headers, body)."""
    from gongkai.wsgi import application

    started = []
    with connection_kept():
        result = application(environ, lambda status, headers: started.append((status, headers)))
        try:
            body = b"".join(result)
        finally:
            getattr(result, "close", lambda: None)()
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


def test_an_expired_page_is_answered_at_once_and_made_again_behind_the_answer(
    world, long_cache, handled, monkeypatch
):
    """Stale-while-revalidate in front of Django: the request that finds a page expired
    is answered with the expired copy and queues the page to be made again (once, however
    many ask meanwhile); once made, the new page is served."""
    make_item(world.agency, title="缓存测试：旧的")
    cache.clear()
    first = call(environ())
    assert len(handled) == 1 and "缓存测试：旧的" in first[2].decode()
    later = time.time() + 601
    monkeypatch.setattr(pagecache, "_now", lambda: later)
    refreshes = queue.Queue()
    monkeypatch.setattr(pagecache, "_refreshes", refreshes)
    monkeypatch.setattr(pagecache, "_refresher", {"pid": os.getpid()})  # run here, below
    assert call(environ()) == first and call(environ()) == first  # the copy, at once
    assert len(handled) == 1 and refreshes.qsize() == 1
    make_item(world.agency, title="缓存测试：新的")  # not committed: same generation
    with connection_kept():
        pagecache._refresh_one(*refreshes.get_nowait())
    assert len(handled) == 2
    again = call(environ())
    assert "缓存测试：新的" in again[2].decode() and len(handled) == 2
    assert refreshes.empty()


def test_the_refresh_thread_makes_the_page_as_a_get_nobody_reads(monkeypatch):
    seen, closed = [], threading.Event()

    class Answer(list):
        def close(self):
            closed.set()

    def application(environ, start_response):
        seen.append(environ)
        start_response("200 OK", [])
        return Answer([b"page"])

    monkeypatch.setattr(pagecache, "_refreshes", queue.Queue())
    monkeypatch.setattr(pagecache, "_refresher", {"pid": None})
    request = environ(CONTENT_LENGTH="4", HTTP_COOKIE="csrftoken=abc")
    pagecache._refresh(application, request, "portal:page:k", 17)
    assert closed.wait(10)
    [made] = seen
    assert made is not request and made[pagecache._MISSED] == ("portal:page:k", 17, True)
    assert made["wsgi.input"].read() == b"" and "CONTENT_LENGTH" not in made
    assert "HTTP_COOKIE" not in made  # a page for anyone: nobody's cookie in it


def test_with_the_cache_off_the_store_is_not_asked_after_the_first_answer(
    client, world, settings, monkeypatch, pauses, django_assert_num_queries
):
    """PORTAL_CACHE_SECONDS=0: no lookups and no build locks (requests for the same page
    would wait on each other for a page that is never stored); switched on again, the
    page is kept."""
    make_item(world.agency, title="缓存测试：关闭")
    settings.PORTAL_CACHE_SECONDS = 0
    lookups = []
    real = pagecache._lookup
    monkeypatch.setattr(pagecache, "_lookup", lambda key: lookups.append(key) or real(key))
    for _ in range(3):
        assert client.get("/xxgk/catalogue/").status_code == 200
    assert len(lookups) == 1 and pauses == []
    settings.PORTAL_CACHE_SECONDS = 600
    assert client.get("/xxgk/catalogue/").status_code == 200  # stored
    with django_assert_num_queries(0):
        assert client.get("/xxgk/catalogue/").status_code == 200
    assert len(lookups) == 3


def test_a_page_of_another_shape_is_made_again_not_served():
    """Upgrades: the key names the page's shape (PAGE_KEY); a value of another shape under
    it (a release that changed the shape without changing the key) is not served."""
    cache.clear()
    request = RequestFactory().get("/xxgk/catalogue/")
    key = pagecache._key(request.environ)
    assert key.startswith(pagecache.PAGE_KEY) and pagecache.PAGE_KEY != "portal:page:"
    cache.set(key, (pagecache.generation(), 200, {}, b"old"), 600)  # the 4-tuple of before
    answer = pagecache.PageCache(View())(request)
    assert answer.content.decode() == "第 1 次"
