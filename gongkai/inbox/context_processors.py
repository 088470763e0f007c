"""The in-tray count for the nav (computed only when a page shows it).

Every staff page shows it, and at a million cases counting the queues costs as much as
the page itself (gongkai/bench/cases.py): the nav keeps the count for NAV_SECONDS under
the in-tray's generation, which moves on whenever a case, an item, an appeal or a 整改事项
is saved or deleted (apps.py), so a step taken anywhere shows in the next page's count. The
in-tray page itself always counts afresh.
"""

import functools
import hashlib

from django.core.cache import cache

from gongkai.generations import Generation
from gongkai.inbox import queues
from gongkai.rectification import inbox as rectification_inbox

GENERATION = Generation("inbox:generation")
NAV_SECONDS = 60  # at most this stale where the cache is not shared between processes


def total(request, day, memberships):
    """The number of records waiting for the user: 我的待办's queues and 整改事项."""
    counted = dict(queues.request_counts(request, day, memberships))
    counted.update(rectification_inbox.counts(memberships))
    return sum(counted.values())


def _key(user, day, memberships):
    roles = sorted((m["agency_id"], m["department_id"] or 0, m["role"]) for m in memberships)
    digest = hashlib.sha256(repr((user.pk, day, roles)).encode()).hexdigest()
    return f"inbox:nav:{digest}"


def inbox_count(request):
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}

    @functools.cache
    def count():
        from gongkai.cases.views import today  # the day every casework page counts from

        day = today()
        memberships = queues.memberships_of(user)
        key = _key(user, day, memberships)
        # Kept as (generation, count): the generation and the count in one round trip.
        generation, kept = GENERATION.with_value(key)
        if kept is not None and kept[0] == generation:
            return kept[1]
        found = total(request, day, memberships)
        cache.set(key, (generation, found), NAV_SECONDS)
        return found

    return {"inbox_count": count}
