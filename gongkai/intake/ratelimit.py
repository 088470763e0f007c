"""Flood limits for the public forms, counted in Django's cache.

A limit is "N/period" (period: a number with s, m or h, e.g. "5/10m"): at most N
counted requests per key in each fixed window of that length. Keys are a scope
("apply", "track", "track-number") plus the client address, or the client address
and the tracking number, hashed. Settings: INTAKE_RATE_LIMIT (applications per
address), INTAKE_TRACK_RATE_LIMIT (code checks per address), INTAKE_TRACK_NUMBER_LIMIT
(failed code checks per address and tracking number); INTAKE_RATE_LIMITS_ENABLED =
False turns every limit off (the benchmark does this).

Every check of a 受理编号 + 查询码 (the 查询 page, the applicant's download) goes
through check_code. Failures are counted per (address, tracking number), never per
tracking number alone: wrong guesses from elsewhere cannot lock the real applicant
out (issue 13 #6). Guessing stays hopeless: a 查询码 is 10 random letters and digits
(36^10 ≈ 3.7×10^15), and every address is held to INTAKE_TRACK_RATE_LIMIT checks.

The client address is REMOTE_ADDR. X-Forwarded-For is read only when REMOTE_ADDR
is one of INTAKE_TRUSTED_PROXIES (the reverse proxy in front of gongkai): then
the last address in it that is not itself a trusted proxy is the client.

The counts live in the configured cache. The default local-memory cache counts
per server process: with several processes, configure a shared cache (e.g.
Redis or the database cache) so that the limits hold across them.
"""

import hashlib
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

DEFAULTS = {
    "INTAKE_RATE_LIMIT": "10/10m",
    "INTAKE_TRACK_RATE_LIMIT": "30/10m",
    "INTAKE_TRACK_NUMBER_LIMIT": "10/1h",
    "REPORT_CHECKUP_RATE_LIMIT": "30/10m",  # the public 年报体检 page (gongkai.reports.views)
}
_UNITS = {"s": 1, "m": 60, "h": 3600}


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int

    def period_text(self):
        """The window in Chinese: 600 → 10分钟."""
        if self.seconds % 3600 == 0:
            return f"{self.seconds // 3600}小时"
        if self.seconds % 60 == 0:
            return f"{self.seconds // 60}分钟"
        return f"{self.seconds}秒"


def parse(text):
    """'5/10m' → Limit(5, 600). Raises ValueError for anything else."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d*)\s*([smh])\s*", str(text))
    if not match or int(match[1]) < 1:
        raise ValueError(f"限流设置“{text}”格式不对，应为“次数/时长”，例如 5/10m、30/1h。")
    return Limit(int(match[1]), int(match[2] or 1) * _UNITS[match[3]])


def limit_for(setting):
    return parse(getattr(settings, setting, DEFAULTS[setting]))


def enabled():
    return bool(getattr(settings, "INTAKE_RATE_LIMITS_ENABLED", True))


def client_address(request):
    """The client's IP address (see the module docstring for proxies)."""
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    trusted = set(getattr(settings, "INTAKE_TRUSTED_PROXIES", ()) or ())
    if remote not in trusted:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    for address in reversed(forwarded):
        if address not in trusted:
            return address
    return remote


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the window ends
    limit: Limit


def _key(scope, ident, window):
    digest = hashlib.sha256(f"{scope}\x00{ident}".encode()).hexdigest()[:32]
    return f"intake:rl:{scope}:{digest}:{window}"


def hit(scope, ident, setting, *, at=None):
    """Count one request for (scope, ident); allowed=False once the limit is passed."""
    limit = limit_for(setting)
    if not enabled():
        return Verdict(True, 0, limit)
    at = time.time() if at is None else at
    window = int(at // limit.seconds)
    count = _count(_key(scope, ident, window), limit.seconds + 1)
    retry = max(1, int((window + 1) * limit.seconds - at))
    return Verdict(count <= limit.count, retry, limit)


def _count(key, timeout):
    """Add one to the window's counter and return it. Once the window has begun that is
    the increment alone (before, every request also asked to create the counter: one
    round trip to Redis more). Redis down: incr answers over any limit (fail closed)."""
    try:
        return cache.incr(key)
    except ValueError:  # the window's first request
        if cache.add(key, 1, timeout=timeout):
            return 1
        return cache.incr(key)  # another request began the window first


def exceeded(scope, ident, setting, *, at=None):
    """True when (scope, ident) has already used up its limit (nothing is counted)."""
    limit = limit_for(setting)
    if not enabled():
        return False
    at = time.time() if at is None else at
    return (cache.get(_key(scope, ident, int(at // limit.seconds))) or 0) >= limit.count


ADDRESS_REFUSAL = "同一网络地址在{period}内最多查询 {count} 次，您已达到上限。"
NUMBER_REFUSAL = (
    "从您的网络地址对这个受理编号的查询在{period}内失败的次数过多，为保护申请人的信息，"
    "暂时不能查询。"
)


@dataclass(frozen=True)
class Refusal:
    """A code check refused by a limit: the verdict (for Retry-After) and the message."""

    verdict: Verdict
    message: str


def check_code(request, tracking_number, check):
    """Run `check()` — it checks the 查询码 and returns the case or None — under the
    查询 limits. Returns (case or None, Refusal or None); check() is not run when
    refused. Counted: every check per address; failures per (address, number)."""
    address = client_address(request)
    verdict = hit("track", address, "INTAKE_TRACK_RATE_LIMIT")
    if not verdict.allowed:
        text = ADDRESS_REFUSAL.format(period=verdict.limit.period_text(), count=verdict.limit.count)
        return None, Refusal(verdict, text)
    pair = f"{address}\x00{str(tracking_number).strip().upper()}"
    if exceeded("track-number", pair, "INTAKE_TRACK_NUMBER_LIMIT"):
        limit = limit_for("INTAKE_TRACK_NUMBER_LIMIT")
        text = NUMBER_REFUSAL.format(period=limit.period_text())
        return None, Refusal(Verdict(False, limit.seconds, limit), text)
    case = check()
    if case is None:
        hit("track-number", pair, "INTAKE_TRACK_NUMBER_LIMIT")
    return case, None
