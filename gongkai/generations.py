"""Generations: one number in the cache per kind of derived data, moved on whenever the
records it is derived from change, so that everything computed under an older number
is out of date at once (no list of keys to delete).

A generation is moved on by post_save/post_delete receivers once the transaction has
committed (`watch`), with a new value rather than +1 (safe after the cache evicted it).
With REDIS_URL it is shared by every server process; with the per-process memory cache
another process's derived data stays until its own lifetime ends, which is why every
user of a generation also gives what it keeps a lifetime.
"""

import time

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save


class Generation:
    def __init__(self, key):
        self.key = key

    def current(self):
        """The current number (made on first use, or after the cache lost it)."""
        value = cache.get(self.key)
        if value is None:
            cache.add(self.key, time.time_ns(), None)
            value = cache.get(self.key)
        return value

    def with_value(self, key):
        """(current number, what is stored under `key`) in one cache round trip."""
        found = cache.get_many([self.key, key])
        return found.get(self.key) or self.current(), found.get(key)

    def move_on(self):
        cache.set(self.key, time.time_ns(), None)

    def changed(self, **_signal):
        """Signal receiver: out of date once this transaction commits."""
        transaction.on_commit(self.move_on)

    def watch(self, *models):
        """Move on after every save or delete of these models (labels or classes)."""
        from django.apps import apps

        for model in models:
            sender = apps.get_model(model) if isinstance(model, str) else model
            label = sender._meta.label
            post_save.connect(self.changed, sender=sender, dispatch_uid=f"{self.key}:{label}")
            post_delete.connect(self.changed, sender=sender, dispatch_uid=f"{self.key}:d:{label}")


_ANY = object()  # Kept.get without a generation: kept whatever the generation


class Kept:
    """Values worked out once per process and kept by key: at most `bound` of them
    (forgotten all at once when full: the few hundred keys in use come back at once),
    each for at most `seconds` (None: no limit), and, when got with a generation, only
    while that generation lasts. A value of None is never kept."""

    def __init__(self, bound, *, seconds=None):
        self.bound, self.seconds = bound, seconds
        self._kept = {}

    def get(self, key, make, generation=_ANY):
        """The value kept for `key` (under `generation`), else make() kept and returned.
        generation None (not known: not a stored page, no cache reachable): make() is
        neither looked up nor kept."""
        if generation is None:
            return make()
        kept = self._kept.get(key)
        now = time.monotonic()
        if kept is not None and kept[0] == generation and (kept[1] is None or kept[1] > now):
            return kept[2]
        value = make()
        if value is not None:
            if len(self._kept) >= self.bound:
                self._kept.clear()
            until = now + self.seconds if self.seconds is not None else None
            self._kept[key] = (generation, until, value)
        return value

    def clear(self):
        self._kept.clear()

    def __len__(self):
        return len(self._kept)

    def values(self):
        return [kept[2] for kept in self._kept.values()]
