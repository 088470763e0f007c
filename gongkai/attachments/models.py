"""Files kept with a 依申请公开 case, and the audit trail of what was done with them.

Rows are never deleted: a removed attachment keeps its row and its file, marked
with who removed it, when and why, and disappears from lists and downloads.
Every state change is a function in attachments/services.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from gongkai.audit import Event
from gongkai.cases.models import Case


class AttachmentKind(models.TextChoices):
    IDENTITY = "identity", "身份证明"
    APPLICATION = "application", "申请材料"
    CORRECTION = "correction", "补正材料"
    REPLY = "reply", "答复文书"
    INFORMATION = "information", "提供的政府信息"
    OTHER = "other", "其他"


class AttachmentQuerySet(models.QuerySet):
    def present(self):
        """Not removed."""
        return self.filter(removed_at__isnull=True)

    def for_applicant(self):
        """What the applicant may see and download (查询 page)."""
        return self.present().filter(visible_to_applicant=True)


class CaseAttachment(models.Model):
    """One file kept with a case.

    original_name: the client's file name, sanitised (display only, never a path).
    stored_path: relative to MEDIA_ROOT, random, chosen by attachments.storage.
    content_type: from the file's content (attachments.uploads), not the client.
    uploaded_by: null when the applicant uploaded it (网上申请、补正).
    removed_*: set by services.remove; the row and the file stay.
    """

    case = models.ForeignKey(
        Case, verbose_name="申请", on_delete=models.PROTECT, related_name="attachments"
    )
    kind = models.CharField("材料类别", max_length=20, choices=AttachmentKind.choices)
    original_name = models.CharField("文件名", max_length=200)
    stored_path = models.CharField("存储位置", max_length=200, unique=True, editable=False)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    content_type = models.CharField("文件类型", max_length=120)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    visible_to_applicant = models.BooleanField("申请人可见", default=False)
    removed_at = models.DateTimeField("移除时间", null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="移除人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    removal_reason = models.CharField("移除原因", max_length=200, blank=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True) | ~Q(removal_reason=""),
                name="attachments_removal_has_reason",
                violation_error_message="移除附件必须说明原因。",
            ),
        ]

    def __str__(self):
        return f"{self.case.tracking_number} {self.original_name}"

    def is_removed(self):
        return self.removed_at is not None


class AttachmentAction(models.TextChoices):
    UPLOAD = "upload", "上传"
    DOWNLOAD = "download", "下载"
    APPLICANT_DOWNLOAD = "applicant_download", "申请人下载"
    REMOVE = "remove", "移除"


class AttachmentEvent(Event):
    """Append-only record of each upload, download and removal.

    actor: null for the applicant (online upload or download with the 查询码).
    data: the facts as JSON (name, size, sha256, kind, reason).
    """

    attachment = models.ForeignKey(
        CaseAttachment, verbose_name="附件", on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField("操作", max_length=20, choices=AttachmentAction.choices)

    class Meta(Event.Meta):
        verbose_name = "附件记录"
        verbose_name_plural = "附件记录"

    def __str__(self):
        return f"{self.attachment} {self.get_action_display()}"

    record_name = "附件记录"
