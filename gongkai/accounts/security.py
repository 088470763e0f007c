"""Login hardening rules in one place: lockout, second factor, session timeouts and
password expiry (settings in gongkai/settings.py, explained in docs/security.md).

Lockout counts failures per account × address (LOGIN_FAILURE_LIMIT in
LOGIN_FAILURE_WINDOW seconds, default 5 in 15 minutes) and per address across accounts
(LOGIN_ADDRESS_FAILURE_LIMIT, default 30). Neither can be turned against a user: failures
from another address lock only that address's pair, never the user's own address.
The counts come from the append-only LoginRecord rows, so the records and the limiter
cannot disagree.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from gongkai.accounts.models import LoginRecord, PasswordHistory
from gongkai.agencies.models import Membership, Role
from gongkai.intake.ratelimit import client_address

# Results counted as a failure by the lockout.
FAILURES = (LoginRecord.Result.FAILURE, LoginRecord.Result.SECOND_FACTOR_FAILURE)
# Roles that must use a second factor when ACCOUNTS_OTP_REQUIRED is on.
SECOND_FACTOR_ROLES = (Role.ADMIN, Role.OFFICE_HEAD, Role.LEADER)

# Session keys
AUTH_AT = "_gongkai_auth_at"
SEEN_AT = "_gongkai_seen_at"
PENDING = "_gongkai_pending_login"


def setting(name, default):
    return getattr(settings, name, default)


def normal_username(username):
    return (username or "")[:150].strip().lower()


def record(request, username, result):
    """Append one login record (who, from where, when, result)."""
    return LoginRecord.objects.create(
        username=(username or "")[:150],
        address=client_address(request)[:64] if request is not None else "",
        result=result,
    )


def lockout_message(request, username):
    """A Chinese message when this account × address or this address is locked now;
    None when a login attempt may go ahead."""
    address = client_address(request)
    window = setting("LOGIN_FAILURE_WINDOW", 15 * 60)
    since = timezone.now() - timedelta(seconds=window)
    minutes = max(1, window // 60)
    recent = LoginRecord.objects.filter(address=address, at__gte=since)
    name = normal_username(username)
    pair = recent.filter(username__iexact=name)
    last_success = (
        pair.filter(result=LoginRecord.Result.SUCCESS).order_by("-at").values("at").first()
    )
    if last_success:
        pair = pair.filter(at__gt=last_success["at"])
    if pair.filter(result__in=FAILURES).count() >= setting("LOGIN_FAILURE_LIMIT", 5):
        return (
            f"该账号在本地址连续登录失败次数过多，已暂时锁定，请 {minutes} 分钟后再试。"
            "如忘记密码，请联系系统管理员。"
        )
    if recent.filter(result__in=FAILURES).count() >= setting("LOGIN_ADDRESS_FAILURE_LIMIT", 30):
        return f"本地址登录失败次数过多，已暂时停止受理登录，请 {minutes} 分钟后再试。"
    return None


def second_factor_required(user):
    """True when `user` must give a TOTP code at login: superusers and the admin, office
    head and leader roles when ACCOUNTS_OTP_REQUIRED is on; everyone when
    ACCOUNTS_OTP_REQUIRED_ALL is on."""
    if setting("ACCOUNTS_OTP_REQUIRED_ALL", False):
        return True
    if not setting("ACCOUNTS_OTP_REQUIRED", False):
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, role__in=SECOND_FACTOR_ROLES).exists()


def confirmed_device(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def needs_second_factor(user):
    """Required by role or setting, or enrolled by choice."""
    return second_factor_required(user) or confirmed_device(user) is not None


def session_expired(session, now=None):
    """'idle', 'absolute' or None for a logged-in session (SESSION_IDLE_TIMEOUT,
    SESSION_ABSOLUTE_TIMEOUT seconds; 0 turns one off)."""
    now = time.time() if now is None else now
    idle = setting("SESSION_IDLE_TIMEOUT", 30 * 60)
    absolute = setting("SESSION_ABSOLUTE_TIMEOUT", 8 * 3600)
    auth_at = session.get(AUTH_AT)
    seen_at = session.get(SEEN_AT, auth_at)
    if absolute and auth_at is not None and now - auth_at > absolute:
        return "absolute"
    if idle and seen_at is not None and now - seen_at > idle:
        return "idle"
    return None


def password_changed_at(user):
    latest = PasswordHistory.objects.filter(user=user).order_by("-at", "-id").first()
    return latest.at if latest else user.date_joined


def password_expired(user):
    days = setting("PASSWORD_EXPIRY_DAYS", 0)
    if not days or not user.has_usable_password():
        return False
    return timezone.now() - password_changed_at(user) > timedelta(days=days)
