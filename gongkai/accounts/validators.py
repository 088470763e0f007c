"""Password rules (AUTH_PASSWORD_VALIDATORS in gongkai/settings.py; docs/security.md).

They apply wherever Django validates a new password (password change, admin forms,
createsuperuser, changepassword); the demo loader sets its published passwords directly.
"""

import string

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

CLASSES = (
    ("小写字母", lambda c: c in string.ascii_lowercase),
    ("大写字母", lambda c: c in string.ascii_uppercase),
    ("数字", lambda c: c.isdigit()),
    ("符号或其他字符", lambda c: not (c.isascii() and c.isalnum())),
)


class CharacterClassesValidator:
    """At least `min_classes` of: lower-case letters, upper-case letters, digits, others."""

    def __init__(self, min_classes=3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        found = sum(1 for _, test in CLASSES if any(test(c) for c in password))
        if found < self.min_classes:
            raise ValidationError(self._text(), code="password_too_simple")

    def _text(self):
        names = "、".join(name for name, _ in CLASSES)
        return f"密码须至少包含{names}中的 {self.min_classes} 类。"

    def get_help_text(self):
        return self._text()


class PasswordHistoryValidator:
    """Not one of the user's last `count` passwords (the current one included)."""

    def __init__(self, count=5):
        self.count = count

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        from gongkai.accounts.models import PasswordHistory

        hashes = list(
            PasswordHistory.objects.filter(user=user)
            .order_by("-at", "-id")
            .values_list("password", flat=True)[: self.count]
        )
        if user.password:
            hashes.append(user.password)
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(
                f"不能使用最近 {self.count} 次用过的密码，请换一个新密码。",
                code="password_reused",
            )

    def get_help_text(self):
        return f"不能与最近 {self.count} 次用过的密码相同。"
