"""The portal's page cache: anonymous GET pages kept for a while, all of them
forgotten at once when anything they show changes.

Every key carries the current generation, a number kept in the cache. Saving or
deleting an item, a published report or a portal page moves the generation on
once the transaction has committed (signals in apps.py), so no cached page
outlives a publication, correction or withdrawal. With REDIS_URL the generation
is shared by every server process; with the per-process memory cache, the other
processes' pages stay at most their lifetime (PORTAL_CACHE_SECONDS). An item
scheduled for a time appears without any write: pages show it within that
lifetime too.
"""

import functools
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse

GENERATION = "portal:generation"


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
    """Cache an anonymous GET/HEAD response (200 or 400) for `seconds` (default
    PORTAL_CACHE_SECONDS; 0 or less: no cache). Signed-in users always get a fresh page
    (their header differs). The key is the generation and the full path with its query."""
    if view is None:
        return functools.partial(cached, seconds=seconds)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        lifetime = settings.PORTAL_CACHE_SECONDS if seconds is None else seconds
        if lifetime <= 0 or request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        key = f"portal:page:{generation()}:{path}"
        hit = cache.get(key)
        if hit is not None:
            content, content_type, status = hit
            return HttpResponse(content, content_type=content_type, status=status)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()  # a TemplateResponse (the sitemap views)
        if response.status_code in (200, 400) and not response.streaming:
            cache.set(
                key, (response.content, response["Content-Type"], response.status_code), lifetime
            )
        return response

    return wrapper
