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
scheduled for a time appears without any write: pages show it within that lifetime too.
"""

import functools
import hashlib
import time
from http import HTTPStatus

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.http.cookie import parse_cookie

GENERATION = "portal:generation"
STORED_STATUSES = (200, 400)


def generation():
    """The current generation (made on first use, or after the cache lost it)."""
    value = cache.get(GENERATION)
    if value is None:
        cache.add(GENERATION, time.time_ns(), None)
        value = cache.get(GENERATION)
    return value


def _move_on():
    cache.set(GENERATION, time.time_ns(), None)  # a new value, not +1: safe after eviction


def changed(**_signal):
    """Signal receiver: the portal's pages are out of date once this transaction commits."""
    transaction.on_commit(_move_on)


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
    return "portal:page:" + digest


def _lookup(key):
    """(the stored page if it is of the current generation else None, the generation)."""
    found = cache.get_many([GENERATION, key])
    now = found.get(GENERATION) or generation()
    stored = found.get(key)
    return (stored if stored is not None and stored[0] == now else None), now


_MISSED = "gongkai.pagecache.missed"  # environ: (key, generation) StoredPages looked up

# Paths whose view does not keep its pages (no @cached: the application form, 查询, the
# login page, /healthz…), learnt from their first 200 answer: the store is not asked for
# them again (a round trip per request). A path always reaches the same view, so this
# only ever skips a lookup that could not find anything. Forgotten whole when full.
NEVER_STORED_KEPT = 1000
_never_stored = set()


def _lookup_wanted(environ):
    return environ.get("PATH_INFO", "") not in _never_stored


def _learn(path, response):
    if response.status_code == 200 and not hasattr(response, "page_cache_seconds"):
        if len(_never_stored) >= NEVER_STORED_KEPT:
            _never_stored.clear()
        _never_stored.add(path)


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
            page, now = _lookup(key)
            if page is None:
                environ[_MISSED] = (key, now)
            else:
                _generation, status, headers, content = page
                start_response(f"{status} {HTTPStatus(status).phrase}", list(headers.items()))
                return [content]
        return self.application(environ, start_response)


class PageCache:
    """Middleware (the outermost): serve a stored page, or store a finished page a view
    marked @cached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        if _MISSED in request.META:  # StoredPages looked already
            key, now = request.META[_MISSED]
        else:
            key = _key(request.META) if _lookup_wanted(request.META) else None
            if key is None:
                response = self.get_response(request)
                if not request.COOKIES.get(settings.SESSION_COOKIE_NAME):
                    _learn(request.path_info, response)
                return response
            page, now = _lookup(key)
            if page is not None:
                _generation, status, headers, content = page
                return HttpResponse(content, status=status, headers=headers)
        # Stored under the generation read before the view ran: a change committed while
        # it ran leaves this page unused.
        response = self.get_response(request)
        _learn(request.path_info, response)
        lifetime = getattr(response, "page_cache_seconds", 0)
        if (
            lifetime > 0
            and response.status_code in STORED_STATUSES
            and not response.streaming
            and not response.cookies
        ):
            page = (now, response.status_code, dict(response.items()), response.content)
            cache.set(key, page, lifetime)
        return response
