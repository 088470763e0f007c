"""Account records: every login, logout and failed login (append-only), and the hashes
of each user's recent passwords (password history, docs/security.md)."""

from django.conf import settings
from django.db import models

from gongkai.audit import AppendOnlyModel


class LoginRecord(AppendOnlyModel):
    """One login, logout or failed login: who (the username as typed, or the account's
    username at the time; no foreign key, so renaming or deleting an account changes no
    record), from which address, when, and the result. Written once; staff admins read them at
    /accounts/records/; nobody changes or deletes them (admin included)."""

    record_name = "登录记录"

    class Result(models.TextChoices):
        SUCCESS = "success", "登录成功"
        FAILURE = "failure", "密码错误"
        LOCKED = "locked", "锁定期间拒绝"
        SECOND_FACTOR_FAILURE = "otp_failure", "动态口令错误"
        LOGOUT = "logout", "退出"
        TIMEOUT = "timeout", "会话超时退出"

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    username = models.CharField("用户名", max_length=150)
    address = models.CharField("地址", max_length=64)
    result = models.CharField("结果", max_length=16, choices=Result.choices)

    class Meta:
        verbose_name = "登录记录"
        verbose_name_plural = "登录记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["address", "at"]), models.Index(fields=["username", "at"])]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.address} {self.get_result_display()}"


class PasswordHistory(AppendOnlyModel):
    """A password hash a user has held (password history: the last
    PASSWORD_HISTORY_COUNT may not be chosen again; the newest row's time is when the
    password was last changed, for PASSWORD_EXPIRY_DAYS)."""

    record_name = "密码历史"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="账号",
        on_delete=models.CASCADE,
        related_name="password_history",
    )
    password = models.CharField("密码摘要", max_length=128)
    at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = "密码历史"
        verbose_name_plural = "密码历史"
        ordering = ["-at", "-id"]
        default_permissions = ()

    def __str__(self):
        return f"{self.user} {self.at:%Y-%m-%d %H:%M}"
