"""Session timeouts, the second factor and password expiry for logged-in users
(after AuthenticationMiddleware and django_otp's OTPMiddleware; docs/security.md)."""

import time

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse

from gongkai.accounts import security
from gongkai.accounts.models import LoginRecord

# The last-seen time is written at most this often (a session save per request otherwise).
SEEN_RESOLUTION = 60

TIMEOUT_MESSAGES = {
    "idle": "您已较长时间没有操作，为保护数据安全已自动退出，请重新登录。",
    "absolute": "本次登录已达到最长时限，为保护数据安全已自动退出，请重新登录。",
}


class AccountSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response = self.check(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def check(self, request, user):
        session = request.session
        expired = security.session_expired(session)
        if expired:
            return self._sign_out(request, TIMEOUT_MESSAGES[expired], LoginRecord.Result.TIMEOUT)
        now = int(time.time())
        if now - session.get(security.SEEN_AT, 0) >= SEEN_RESOLUTION:
            session[security.SEEN_AT] = now
            session.setdefault(security.AUTH_AT, now)
        verified = getattr(user, "is_verified", lambda: False)()
        if not verified and security.needs_second_factor(user):
            # e.g. a session from before the setting or the role: log in again with a code
            return self._sign_out(
                request, "您的账号须使用动态口令登录，请重新登录。", LoginRecord.Result.LOGOUT
            )
        if security.password_expired(user):
            allowed = {reverse("password_change"), reverse("logout")}
            if request.path not in allowed:
                messages.warning(request, "您的密码已过期，请先修改密码。")
                return redirect("password_change")
        return None

    def _sign_out(self, request, message, result):
        request._gongkai_logout_result = result
        logout(request)
        messages.info(request, message)
        return redirect_to_login(request.get_full_path())
