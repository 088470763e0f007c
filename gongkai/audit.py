"""Append-only records: audit trails and kept versions that may be added, never changed."""

from django.conf import settings
from django.db import models


class AppendOnlyModel(models.Model):
    """A row that is written once: saving it again or deleting it raises ValueError.

    record_name: what the row is called in the message a user may read (Chinese).
    change_hint: what to do instead of changing it, added to that message ("" none).
    """

    record_name = "记录"
    change_hint = ""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError(f"{self.record_name}只能新增，不能修改。{self.change_hint}")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{self.record_name}不能删除。")


class Event(AppendOnlyModel):
    """One step of an audit trail: who took it, when, and its facts.

    actor: the user; null where no user acts (the applicant online, a command-line
        import, generated benchmark data).
    at: when the step was recorded (server time).
    data: the step's facts as JSON (dates ISO, changed fields old → new, …).
    A trail adds what the step is about and what kind of step it was.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    data = models.JSONField("内容", default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]
