"""The one-time form token of an online application (网上申请).

Every application form carries a fresh random token. The first POST with it
creates the case; any later POST with the same token (a double click, a reload,
a second tab) finds this row and shows the same receipt, creating nothing. The
row is written in the same transaction as the case, so a token is either unused
or tied to exactly one case.
"""

from django.db import models

from gongkai.cases.models import Case


class SubmissionToken(models.Model):
    """A used form token and the case it created.

    token_hash: SHA-256 of the token; the token itself is only in the applicant's form.
    case: the case the first POST created (set in the same transaction).
    sealed_code: the 查询码 encrypted with a key derived from the token (hex), so a
        repeated POST can show the same receipt; without the token (which is never
        stored) it cannot be read, and staff can never see the code.
    created_at: when the application was submitted (server time).
    """

    token_hash = models.CharField("表单令牌摘要", max_length=64, unique=True)
    case = models.OneToOneField(
        Case,
        verbose_name="申请",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submission_token",
    )
    sealed_code = models.CharField("加密的查询码", max_length=64, blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)

    class Meta:
        verbose_name = "网上申请表单令牌"
        verbose_name_plural = "网上申请表单令牌"

    def __str__(self):
        return f"{self.token_hash[:12]}… → {self.case_id}"
