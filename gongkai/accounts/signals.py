"""Login records and password history, connected in AccountsConfig.ready()."""

import time

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from gongkai.accounts import security
from gongkai.accounts.models import LoginRecord, PasswordHistory


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs):
    if request is None:
        return
    security.record(request, user.get_username(), LoginRecord.Result.SUCCESS)
    if hasattr(request, "session"):
        now = int(time.time())
        request.session[security.AUTH_AT] = now
        request.session[security.SEEN_AT] = now


@receiver(user_logged_out)
def record_logout(sender, request, user, **kwargs):
    if request is None or user is None:
        return
    result = getattr(request, "_gongkai_logout_result", LoginRecord.Result.LOGOUT)
    security.record(request, user.get_username(), result)


@receiver(user_login_failed)
def record_failure(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    locked = getattr(request, "_gongkai_locked", None)
    result = LoginRecord.Result.LOCKED if locked else LoginRecord.Result.FAILURE
    security.record(request, credentials.get("username", ""), result)


@receiver(post_save, sender=get_user_model())
def remember_password(sender, instance, created, update_fields=None, raw=False, **kwargs):
    """Keep each new password hash (history and the time of the last change)."""
    if raw or (update_fields is not None and "password" not in update_fields):
        return
    if not instance.password or not instance.has_usable_password():
        return
    latest = (
        PasswordHistory.objects.filter(user=instance)
        .order_by("-at", "-id")
        .values_list("password", flat=True)
        .first()
    )
    if latest != instance.password:
        PasswordHistory.objects.create(user=instance, password=instance.password)
