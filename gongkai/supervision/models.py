"""In-app notices (站内通知) about deadlines and 督办.

A Notice is written by the daily `notify` run (逾期预警, 超期, 年报期限) or by a manual
督办 (gongkai/supervision/workflow.py). A 年报期限 notice is about no case: it links
to the agency's annual-report workspace (`link`). One row per recipient, case, kind and day:
running the daily command twice never notifies anyone twice.
"""

from django.conf import settings
from django.db import models

from gongkai.cases.models import Case


class NoticeKind(models.TextChoices):
    DUE_SOON = "due_soon", "逾期预警"
    OVERDUE = "overdue", "超期"
    SUPERVISE = "supervise", "督办"
    ANNUAL_REPORT = "annual_report", "年报期限"  # Art. 49: the annual report by 31 January


class NoticeQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notice(models.Model):
    """One notice to one user about one case.

    kind: 逾期预警 (due within 3 working days), 超期 (past its due date) or a manual 督办.
    message: the Chinese text shown on the notices page and in the e-mail.
    due_on: the case's reply deadline when the notice was written.
    created_on: the day the notice is for (the command's --date); part of the key.
    sender: who ordered a manual 督办; empty for the daily run.
    read_at / emailed_at: when the recipient marked it read / when it was e-mailed.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="notices",
    )
    case = models.ForeignKey(
        Case,
        verbose_name="申请",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notices",
    )
    kind = models.CharField("类型", max_length=16, choices=NoticeKind.choices)
    message = models.TextField("内容")
    due_on = models.DateField("答复期限", null=True, blank=True)
    created_on = models.DateField("通知日期")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="督办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    link = models.CharField("链接（不涉及申请的通知）", max_length=200, blank=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = "站内通知"
        verbose_name_plural = "站内通知"
        ordering = ["-created_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "case", "kind", "created_on"],
                name="supervision_notice_once_a_day",
            ),
            models.UniqueConstraint(  # a notice about no case (年报期限): once a day per link
                fields=["recipient", "kind", "link", "created_on"],
                condition=models.Q(case__isnull=True),
                name="supervision_notice_once_a_day_no_case",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="supervision_notice_inbox"),
        ]

    def __str__(self):
        about = self.case.tracking_number if self.case_id else self.link
        return f"{self.get_kind_display()} {about} → {self.recipient}"

    def is_read(self):
        return self.read_at is not None
