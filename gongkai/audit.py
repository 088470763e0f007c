"""Append-only records: audit trails and kept versions that may be added, never changed."""

from django.db import models


class AppendOnlyModel(models.Model):
    """A row that is written once: saving it again or deleting it raises ValueError.

    record_name: what the row is called in the message a user may read (Chinese).
    """

    record_name = "记录"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError(f"{self.record_name}只能新增，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{self.record_name}不能删除。")
