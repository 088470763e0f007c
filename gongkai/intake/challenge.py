"""The self-hosted challenge and one-time form token of the application form.

A form carries one signed token (django.core.signing, keyed by SECRET_KEY) with:
a fresh random nonce (the one-time form token, see models.SubmissionToken), the
two numbers of a simple sum in Chinese text ("七加五等于多少？"), the agency code
and the time it was issued. On POST the token must be genuine, younger than
INTAKE_CHALLENGE_MAX_AGE seconds and older than INTAKE_MIN_FILL_SECONDS (a
person needs time to fill in the form; a script posting at once is refused),
and the answer must be right. No image, no outside service: the question is
plain text a screen reader can read. It is a speed bump for simple scripts, not
a wall; the rate limit (ratelimit.py) is the other half.
"""

import hashlib
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from gongkai.intake.checks import chinese_number

SALT = "gongkai.intake.challenge"
_RNG = secrets.SystemRandom()


def now():
    """Seconds since the epoch (tests replace this function)."""
    return time.time()


def max_age():
    return int(getattr(settings, "INTAKE_CHALLENGE_MAX_AGE", 2 * 3600))


def min_fill_seconds():
    return float(getattr(settings, "INTAKE_MIN_FILL_SECONDS", 3))


class ChallengeFailed(Exception):
    """The token or the answer is not accepted; `field` says where to show the message."""

    def __init__(self, message, *, field="challenge_answer", payload=None):
        super().__init__(message)
        self.field = field
        self.payload = payload  # a genuine but expired token's payload


@dataclass(frozen=True)
class Challenge:
    token: str  # the signed value for the hidden field
    nonce: str  # the one-time form token
    question: str  # Chinese, e.g. 七加五等于多少？
    agency_code: str


def question_text(a, op, b):
    word = "加" if op == "+" else "减"
    return f"{chinese_number(a)}{word}{chinese_number(b)}等于多少？"


def issue(agency_code, *, rng=_RNG):
    """A new challenge with a new one-time form token."""
    op = rng.choice("+-")
    a, b = rng.randint(2, 9), rng.randint(1, 9)
    if op == "-" and b > a:
        a, b = b, a
    nonce = secrets.token_urlsafe(24)
    payload = {"n": nonce, "a": a, "b": b, "o": op, "g": agency_code, "t": round(now(), 3)}
    token = signing.dumps(payload, salt=SALT, compress=False)
    return Challenge(token, nonce, question_text(a, op, b), agency_code)


def read(token):
    """The payload of a genuine, unexpired token; ChallengeFailed otherwise."""
    try:
        payload = signing.loads(str(token or ""), salt=SALT)
    except signing.BadSignature:
        raise ChallengeFailed(
            "页面凭证无效。请刷新页面，回答新的验证题后再提交（已填写的内容会保留）。",
            field=None,
        ) from None
    if not isinstance(payload, dict) or not {"n", "a", "b", "o", "g", "t"} <= set(payload):
        raise ChallengeFailed("页面凭证无效，请刷新页面后再提交。", field=None)
    age = now() - float(payload["t"])
    if age > max_age():
        hours = max_age() / 3600
        raise ChallengeFailed(
            f"这个页面打开已超过{hours:g}小时，验证题已失效。"
            "请回答下面的新验证题后再提交（已填写的内容已保留）。",
            payload=payload,
        )
    return payload


def verify(payload, answer):
    """Check the answer and the fill time of a payload from `read`."""
    if now() - float(payload["t"]) < min_fill_seconds():
        raise ChallengeFailed(
            "提交得太快了，看起来不像是人工填写。请核对填写的内容，回答新的验证题后再提交。",
            field=None,
        )
    a, b, op = int(payload["a"]), int(payload["b"]), payload["o"]
    expected = a + b if op == "+" else a - b
    if answer is None:
        raise ChallengeFailed("请用数字填写验证题的答案，例如“12”（也可以写汉字“十二”）。")
    if answer != expected:
        raise ChallengeFailed("验证题答案不正确。请计算下面的新题目，用数字填写答案。")


def nonce_hash(nonce):
    return hashlib.sha256(str(nonce).encode()).hexdigest()
