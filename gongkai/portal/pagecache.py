"""The portal's page cache: anonymous GET pages kept for a while, all of them
forgotten at once when anything they show changes.

A view opts in with @cached (it marks its response with a lifetime); PageCache, a
middleware just inside SecurityMiddleware, stores the finished response (status,
headers, body) and answers later requests for the same address from the store before
any other middleware, URL resolver or view runs. Only requests without a session cookie
are served or stored (anyone signed in always gets a fresh page), and a response that
sets a cookie is never stored.

Every stored page carries the generation it was made under, a number kept in the cache.
Saving or deleting an item, a published report or a portal page moves the generation on
once the transaction has committed (signals in apps.py), so no cached page outlives a
publication, correction or withdrawal. The page and the generation are read in one
round trip. With REDIS_URL the generation is shared by every server process; with the
per-process memory cache, the other processes' pages stay at most their lifetime
(PORTAL_CACHE_SECONDS). An item scheduled for a time appears without any write: pages
show it within that lifetime too.
"""

import functools
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse

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


def _key(request):
    """The store's key for this request, or None when it must not be served from it."""
    if request.method not in ("GET", "HEAD") or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None
    # get_host() validates the Host header (ALLOWED_HOSTS) as CommonMiddleware would; the
    # host and scheme are part of the key because feeds and sitemaps print absolute URLs.
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return "portal:page:" + hashlib.sha256(address.encode()).hexdigest()


class PageCache:
    """Middleware: serve a stored page, or store a finished page a view marked @cached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = _key(request)
        if key is None:
            return self.get_response(request)
        found = cache.get_many([GENERATION, key])
        now = found.get(GENERATION) or generation()
        stored = found.get(key)
        if stored is not None and stored[0] == now:
            _generation, status, headers, content = stored
            return HttpResponse(content, status=status, headers=headers)
        # Stored under the generation read before the view ran: a change committed while
        # it ran leaves this page unused.
        response = self.get_response(request)
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
