"""The in-tray count for the nav (computed only when a page shows it)."""

import functools

from gongkai.inbox import queues
from gongkai.rectification import inbox as rectification_inbox


def inbox_count(request):
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}

    @functools.cache
    def count():
        from gongkai.cases.views import today  # the day every casework page counts from

        memberships = queues.memberships_of(user)
        counted = dict(queues.request_counts(request, today(), memberships))
        counted.update(rectification_inbox.counts(memberships))  # 整改事项
        return sum(counted.values())

    return {"inbox_count": count}
