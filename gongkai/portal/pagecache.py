"""The portal's page cache: anonymous GET pages kept for a while, all of them
forgotten at once when anything they show changes.

A view opts in with @cached (it marks its response with a lifetime); PageCache, the
outermost middleware, stores the finished response (status, headers, body) once every
other middleware has added its headers. StoredPages, a WSGI layer in front of Django
(gongkai/wsgi.py), answers a GET for a stored page before Django builds a request or
runs any middleware, URL resolver or view; PageCache answers the same way for requests
that reach Django without it (HEAD, the test client). Only requests without a session
cookie are served or stored (anyone signed in always gets a fresh page), and a response
that sets a cookie is never stored.

A page's key is made from the raw request as the server gave it (scheme, the host
headers Django reads, path and query string). A page is only stored after Django has
validated that host (CommonMiddleware, ALLOWED_HOSTS), so an unknown host finds nothing
and goes on to Django, which refuses it; feeds and sitemaps print absolute URLs, so each
host and scheme has its own pages.

Every stored page carries the generation it was made under, a number kept in the cache.
Saving or deleting an item, a published report or a portal page moves the generation on
once the transaction has committed (signals in apps.py), so no cached page outlives a
publication, correction or withdrawal. The page and the generation are read in one
round trip (and not again by PageCache after StoredPages missed). With REDIS_URL the
generation is shared by every server process; with the per-process memory cache, the
other processes' pages stay at most their lifetime (PORTAL_CACHE_SECONDS). An item
scheduled for a time appears without any write: pages show it within that lifetime too
(plus the stale-while-revalidate window, below).

One request makes a page; the others wait for it or get the previous copy (issue 17:
a new deployment, or a page just expired, at saturation). A request that finds no page
of the current generation takes the page's build lock (one cache add, shared by every
process with REDIS_URL) and makes it; requests for the same page meanwhile poll the
store for a while (WAIT_SECONDS) and are answered with what it stored, instead of
making the same page again at once. A page past its lifetime is kept a little longer
(STALE_SECONDS), as HTTP's stale-while-revalidate: the first request after its lifetime
takes the lock and is answered with the expired copy at once, and the page is made again
behind it (StoredPages: by a thread of the process, after the answer; inside Django, for
HEAD and the test client: by that request, before its answer); while it is made, the
others are answered with the expired copy too. So an expired copy is served only while
its successor is being made, at most STALE_SECONDS (or its lifetime, if shorter) past
its lifetime, and never after the generation moved on (a publication or withdrawal
shows at once); a scheduled item shows within the lifetime plus STALE_SECONDS. A lock
outlives a request killed while it made its page by at most BUILD_SECONDS. Without a reachable cache nothing waits: every
request makes its page, as without the page cache.
"""

import functools
import hashlib
import io
import itertools
import logging
import os
import queue
import threading
import time
from http import HTTPStatus

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.http.cookie import parse_cookie

from gongkai.generations import Generation

log = logging.getLogger("gongkai.cache")
STORED_STATUSES = (200, 400)
# A stored page is (generation, fresh until, status, headers, content). The key names the
# shape: during an upgrade, processes of the previous release (a 4-tuple, "portal:page:")
# never read a page of this one, nor this release theirs.
PAGE_KEY = "portal:page:v2:"
STALE_SECONDS = 30  # a page is kept this long past its lifetime (at most its lifetime)
BUILD_SECONDS = 10  # a build lock lasts at most this long (its request may have died)
WAIT_SECONDS = 3.0  # a request waits this long for a page another request is making
BUILDING = ":building"  # a page key + this: the page's build lock
_PAUSES = (0.002, 0.004, 0.008, 0.016, 0.032)  # between polls of a waiting request, then 0.05


GENERATION = Generation("portal:generation")  # moved on by the signals of apps.py
generation = GENERATION.current


def cached(view=None, *, seconds=None):
    """Let PageCache keep this view's anonymous GET/HEAD responses (200 or 400) for
    `seconds` (default PORTAL_CACHE_SECONDS; 0 or less: never)."""
    if view is None:
        return functools.partial(cached, seconds=seconds)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.page_cache_seconds = settings.PORTAL_CACHE_SECONDS if seconds is None else seconds
        return response

    return wrapper


def _key(environ):
    """The store's key for a request (its WSGI environ), or None when it must not be
    served from the store or stored: a session cookie (someone signed in)."""
    cookies = environ.get("HTTP_COOKIE")
    if cookies and settings.SESSION_COOKIE_NAME in parse_cookie(cookies):
        return None
    proxy = settings.SECURE_PROXY_SSL_HEADER
    forwarded = settings.USE_X_FORWARDED_HOST
    address = (
        environ.get("wsgi.url_scheme"),
        environ.get(proxy[0]) if proxy else None,
        environ.get("HTTP_X_FORWARDED_HOST") if forwarded else None,
        environ.get("HTTP_HOST"),
        environ.get("SERVER_NAME"),
        environ.get("SERVER_PORT"),
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
    )
    digest = hashlib.sha256(repr(address).encode("utf-8", "surrogatepass")).hexdigest()
    return PAGE_KEY + digest


def _current(stored, now):
    """`stored` if it is a page of generation `now`, else None."""
    if isinstance(stored, tuple) and len(stored) == 5 and stored[0] == now:
        return stored
    return None


def _lookup(key):
    """What a request for `key` gets: (page, generation, builds).

    page: a stored page to answer with (within its lifetime; or expired: an expired copy
    while it is made again; or made meanwhile by the request this one waited for), or
    None: make it. builds: this request holds the page's build lock and is to make the
    page (then _release the lock); with an expired copy, it may answer with the copy and
    make the page behind it."""
    found = cache.get_many([GENERATION.key, key])
    now = found.get(GENERATION.key) or generation()
    if now is None:  # no cache reachable: nothing stored, nothing to wait for
        return None, None, False
    stored = _current(found.get(key), now)
    if stored is not None and stored[1] > _now():
        return stored, now, False
    if cache.add(key + BUILDING, now, BUILD_SECONDS):
        return stored, now, True
    if stored is not None:  # expired, and another request is making it again
        return stored, now, False
    return _wait(key, now), now, False


def _wait(key, now):
    """The page another request is making, once it is stored; None (make it here too)
    when the generation moves on, the lock goes without a page (an answer that is not
    kept, a 404) or WAIT_SECONDS pass."""
    deadline = time.monotonic() + WAIT_SECONDS
    for pause in itertools.chain(_PAUSES, itertools.repeat(_PAUSES[-1] * 1.5)):
        if time.monotonic() + pause > deadline:
            return None
        _sleep(pause)
        found = cache.get_many([GENERATION.key, key, key + BUILDING])
        if found.get(GENERATION.key) != now:  # a change, or the cache went away
            return None
        stored = _current(found.get(key), now)
        if stored is not None:
            return stored
        if key + BUILDING not in found:
            return None
    return None  # pragma: no cover - the loop returns


_sleep = time.sleep  # tests count the pauses
_now = time.time  # tests move the clock on


def _release(key, stored):
    """The build lock of `key` given back; the expired copy dropped too when the answer
    just made was not kept (it must not be served in its place)."""
    cache.delete_many([key + BUILDING] if stored else [key, key + BUILDING])


_MISSED = "gongkai.pagecache.missed"  # environ: (key, generation, builds) of StoredPages

# Paths whose view does not keep its pages (no @cached: the application form, 查询, the
# login page, /healthz…; or @cached with no lifetime: PORTAL_CACHE_SECONDS=0, the cache
# off), learnt from their first 200 answer: the store is not asked for them again (a
# round trip per request, and a build lock that others would wait on for nothing). A
# path always reaches the same view, so this only ever skips a lookup that could not
# find anything; each is learnt with the PORTAL_CACHE_SECONDS it was learnt under (a
# different value: learnt again). Forgotten whole when full.
NEVER_STORED_KEPT = 1000
_never_stored = {}


def _lookup_wanted(environ):
    return _never_stored.get(environ.get("PATH_INFO", "")) != settings.PORTAL_CACHE_SECONDS


def _learn(path, response):
    if response.status_code == 200 and getattr(response, "page_cache_seconds", 0) <= 0:
        if len(_never_stored) >= NEVER_STORED_KEPT:
            _never_stored.clear()
        _never_stored[path] = settings.PORTAL_CACHE_SECONDS


class StoredPages:
    """WSGI layer in front of Django: a GET for a stored page is answered from the store
    (half the cost of answering it inside Django); anything else goes on to Django."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        key = (
            _key(environ)
            if environ.get("REQUEST_METHOD") == "GET" and _lookup_wanted(environ)
            else None
        )
        if key is not None:
            page, now, builds = _lookup(key)
            if page is None:
                environ[_MISSED] = (key, now, builds)
            else:
                if builds:  # an expired copy: made again behind this answer
                    _refresh(self.application, environ, key, now)
                _generation, _fresh_until, status, headers, content = page
                start_response(f"{status} {HTTPStatus(status).phrase}", list(headers.items()))
                return [content]
        return self.application(environ, start_response)


# Expired pages made again behind their answer: a queue and one thread per process.
REFRESHES_QUEUED = 256
_refreshes = queue.Queue(REFRESHES_QUEUED)
_refresher = {"pid": None}
_refresher_lock = threading.Lock()


def _refresh(application, environ, key, now):
    """Have the page of `key` made again by the process's refresh thread, as the GET
    `environ` without its body or cookies (the lock is given back at once when too many
    wait already: the copy stays until a later request, or STALE_SECONDS)."""
    copy = {**environ, "wsgi.input": io.BytesIO(), _MISSED: (key, now, True)}
    copy.pop("CONTENT_LENGTH", None)
    copy.pop("HTTP_COOKIE", None)  # made as for a visitor without any cookie
    try:
        _refreshes.put_nowait((application, copy))
    except queue.Full:
        _release(key, True)
        return
    with _refresher_lock:  # started on first use in each process (servers fork workers)
        if _refresher["pid"] != os.getpid():
            _refresher["pid"] = os.getpid()
            threading.Thread(target=_refresh_forever, name="page-refresh", daemon=True).start()


def _refresh_forever():
    while True:
        _refresh_one(*_refreshes.get())


def _refresh_one(application, environ):
    """Run one request whose answer nobody reads: PageCache stores it and gives the lock
    back (Django's handler turns a failure into a 500 answer, which is not stored)."""
    try:
        result = application(environ, lambda status, headers, exc_info=None: None)
        try:
            for _chunk in result:
                pass
        finally:
            getattr(result, "close", lambda: None)()
    except Exception:  # noqa: BLE001 - the thread must go on; the lock expires by itself
        log.exception("门户页面缓存：重新生成页面失败")


class PageCache:
    """Middleware (the outermost): serve a stored page, or store a finished page a view
    marked @cached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        if _MISSED in request.META:  # StoredPages looked already
            key, now, builds = request.META[_MISSED]
        else:
            key = _key(request.META) if _lookup_wanted(request.META) else None
            if key is None:
                response = self.get_response(request)
                if not request.COOKIES.get(settings.SESSION_COOKIE_NAME):
                    _learn(request.path_info, response)
                return response
            page, now, builds = _lookup(key)
            if page is not None and not builds:  # a builder makes it here, before answering
                _generation, _fresh_until, status, headers, content = page
                return HttpResponse(content, status=status, headers=headers)
            request.META[_MISSED] = (key, now, builds)
        stored = False
        try:
            response = self.get_response(request)
            _learn(request.path_info, response)
            stored = now is not None and _store(key, now, response)
        finally:
            if builds:
                _release(key, stored)
        return response


def generation_of(request):
    """The generation this request's page is made under (read when the store was
    asked for it), or None: not a page that is stored, or no cache reachable. What a
    view derives from the items may be kept per process under it (it moves on with
    every change of what the pages show)."""
    return request.META.get(_MISSED, (None, None, None))[1]


def _store(key, now, response):
    """Keep `response` if its view asked for it and it may be kept; whether it was.
    Stored under the generation read before the view ran: a change committed while it
    ran leaves this page unused."""
    lifetime = getattr(response, "page_cache_seconds", 0)
    if (
        lifetime <= 0
        or response.status_code not in STORED_STATUSES
        or response.streaming
        or response.cookies
    ):
        return False
    fresh_until = _now() + lifetime
    page = (now, fresh_until, response.status_code, dict(response.items()), response.content)
    cache.set(key, page, lifetime + min(lifetime, STALE_SECONDS))
    return True
