"""The in-tray count for the nav (computed only when a page shows it)."""

import functools

from gongkai.inbox import queues


def inbox_count(request):
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}

    @functools.cache
    def count():
        from gongkai.cases.views import today  # the day every casework page counts from

        return sum(queues.request_counts(request, today()).values())

    return {"inbox_count": count}
