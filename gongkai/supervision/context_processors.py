"""The unread-notice count for the nav (one COUNT query, only when a page shows it)."""

import functools

from gongkai.supervision.models import Notice


def unread_notices(request):
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}

    @functools.cache
    def count():
        return Notice.objects.for_user(user).unread().count()

    return {"unread_notice_count": count}
