"""Django's model backend with the lockout checked first: a locked account × address
or address is refused without trying the password, and Django records the attempt as
a failed login (gongkai.accounts.signals)."""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from gongkai.accounts import security


class LockoutModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None:
            message = security.lockout_message(request, username)
            if message:
                request._gongkai_locked = message
                raise PermissionDenied(message)
        return super().authenticate(request, username=username, password=password, **kwargs)
