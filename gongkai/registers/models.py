"""The registers behind table 二 of the annual report (Art. 20; regulation.md §2.4).

- Document: the 规章 and 行政规范性文件 an agency makes (第二十条第（一）项), kept by
  hand; 本年制发 / 本年废止 / 现行有效 are counted from its dates.
- ImportBatch with its Decision and FeeRecord rows: 行政许可, 行政处罚, 行政强制
  decisions and 行政事业性收费 amounts, imported from business systems for a
  period; a new import replaces the batch(es) for the same period.
- PendingImport: an uploaded file awaiting confirmation after its preview.
- RegisterEvent: the append-only audit trail of every change.

Models hold facts and predicates; changes go through registers/documents.py and
registers/imports.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from gongkai.agencies.models import Agency
from gongkai.audit import Event

from . import rows


class DocumentKind(models.TextChoices):
    """Values are the row keys of table 二 (tables.PROACTIVE_2021)."""

    RULES = "rules", "规章"
    NORMATIVE_DOCUMENTS = "normative_documents", "行政规范性文件"


class DocumentQuerySet(models.QuerySet):
    def issued_in(self, year):
        return self.filter(made_on__year=year)

    def repealed_in(self, year):
        return self.filter(repealed_on__year=year)

    def in_force_on(self, day):
        """Made by `day` and not repealed by then (a repeal takes effect on its date)."""
        return self.filter(made_on__lte=day).filter(
            Q(repealed_on__isnull=True) | Q(repealed_on__gt=day)
        )


class Document(models.Model):
    """A 规章 or 行政规范性文件 the agency made.

    made_on: 制发日期 (成文/印发), the date that puts it into a year's 本年制发件数.
    repealed_on: 废止日期 (or 失效日期); from that day on it is no longer in force.
    """

    agency = models.ForeignKey(
        Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="register_documents"
    )
    kind = models.CharField("类别", max_length=24, choices=DocumentKind.choices)
    title = models.CharField("文件名称", max_length=200)
    number = models.CharField("文号", max_length=100, blank=True)
    made_on = models.DateField("制发日期")
    repealed_on = models.DateField("废止日期", null=True, blank=True)
    note = models.TextField("备注", blank=True)
    # The published 主动公开 item this entry came from (documents.enter_published_item).
    source_item = models.OneToOneField(
        "publications.Item",
        verbose_name="来自主动公开信息",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="register_document",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "规章和行政规范性文件"
        verbose_name_plural = "规章和行政规范性文件"
        ordering = ["-made_on", "-id"]
        indexes = [models.Index(fields=["agency", "kind", "made_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(repealed_on__isnull=True) | Q(repealed_on__gte=F("made_on")),
                name="registers_document_repealed_after_made",
                violation_error_message="废止日期不能早于制发日期。",
            ),
            models.UniqueConstraint(
                fields=["agency", "number"],
                condition=~Q(number=""),
                name="registers_document_number_unique",
                violation_error_message="本机关已登记过这个文号的文件。",
            ),
        ]

    def __str__(self):
        return f"{self.title}（{self.number}）" if self.number else self.title

    def is_in_force(self, day):
        return self.made_on <= day and (self.repealed_on is None or self.repealed_on > day)


class ImportKind(models.TextChoices):
    """Values are the row keys of table 二 (tables.PROACTIVE_2021)."""

    LICENSING = rows.LICENSING, rows.KINDS[rows.LICENSING]
    PENALTIES = rows.PENALTIES, rows.KINDS[rows.PENALTIES]
    COERCION = rows.COERCION, rows.KINDS[rows.COERCION]
    FEES = rows.FEES, rows.KINDS[rows.FEES]


class Via(models.TextChoices):
    WEB = "web", "网页上传"
    COMMAND = "command", "命令行"
    DEMO = "demo", "演示数据"


class ImportBatchQuerySet(models.QuerySet):
    def current(self):
        """Batches not replaced by a later import (their rows are the live data)."""
        return self.filter(replaced_by__isnull=True)

    def overlapping(self, start, end):
        return self.filter(period_start__lte=end, period_end__gte=start)


class ImportBatch(models.Model):
    """One import of a business-system file for an agency, a kind and a period.

    A later import for the same period replaces it: its rows are deleted and
    `replaced_by` points to the new batch; the batch row itself stays as history.
    accepted / rejected: rows written / rows left out after the preview.
    amount: for fees, the sum written (元).
    """

    agency = models.ForeignKey(
        Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="import_batches"
    )
    kind = models.CharField("类别", max_length=16, choices=ImportKind.choices)
    period_start = models.DateField("期间起")
    period_end = models.DateField("期间止")
    file_name = models.CharField("文件名", max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="导入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    via = models.CharField("方式", max_length=10, choices=Via.choices, default=Via.WEB)
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)
    accepted = models.PositiveIntegerField("导入行数", default=0)
    rejected = models.PositiveIntegerField("未导入行数", default=0)
    amount = models.DecimalField("金额合计（元）", max_digits=16, decimal_places=2, null=True)
    replaced_by = models.ForeignKey(
        "self",
        verbose_name="被替换为",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced",
    )

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="registers_batch_period_order",
                violation_error_message="导入期间的截止日不能早于起始日。",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period_start}—{self.period_end}"


class Decision(models.Model):
    """A 行政许可, 行政处罚 or 行政强制 decision, as imported."""

    batch = models.ForeignKey(
        ImportBatch, verbose_name="导入批次", on_delete=models.CASCADE, related_name="decisions"
    )
    agency = models.ForeignKey(Agency, verbose_name="机关", on_delete=models.PROTECT)
    kind = models.CharField("类别", max_length=16, choices=ImportKind.choices)
    decided_on = models.DateField("决定日期")
    number = models.CharField("决定文号", max_length=100)
    matter = models.CharField("事项名称", max_length=200)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "处理决定"
        verbose_name_plural = "处理决定"
        indexes = [models.Index(fields=["agency", "kind", "decided_on"])]
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="registers_decision_unique"),
        ]

    def __str__(self):
        return self.number


class FeeRecord(models.Model):
    """A 行政事业性收费 charge (or a day's total for one item), as imported."""

    batch = models.ForeignKey(
        ImportBatch, verbose_name="导入批次", on_delete=models.CASCADE, related_name="fees"
    )
    agency = models.ForeignKey(Agency, verbose_name="机关", on_delete=models.PROTECT)
    charged_on = models.DateField("收费日期")
    item = models.CharField("收费项目", max_length=200)
    amount = models.DecimalField("金额（元）", max_digits=14, decimal_places=2)
    receipt = models.CharField("票据号码", max_length=100, blank=True)

    class Meta:
        verbose_name = "收费记录"
        verbose_name_plural = "收费记录"
        indexes = [models.Index(fields=["agency", "charged_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="registers_fee_not_negative"),
        ]

    def __str__(self):
        return f"{self.item} {self.amount}"


class PendingImport(models.Model):
    """An uploaded file waiting for the uploader to confirm its preview.

    The file is stored as registers/pending/<token> (Django's storage); the token is random
    hex chosen by the server, never a user-supplied name.
    """

    token = models.CharField("凭据", max_length=32, unique=True)
    agency = models.ForeignKey(Agency, verbose_name="机关", on_delete=models.CASCADE)
    kind = models.CharField("类别", max_length=16, choices=ImportKind.choices)
    period_start = models.DateField("期间起")
    period_end = models.DateField("期间止")
    file_name = models.CharField("文件名", max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.CASCADE, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    accepted = models.PositiveIntegerField("可导入行数", default=0)
    rejected = models.PositiveIntegerField("被拒绝行数", default=0)
    amount = models.DecimalField("金额合计（元）", max_digits=16, decimal_places=2, null=True)

    class Meta:
        verbose_name = "待确认的导入"
        verbose_name_plural = "待确认的导入"

    def __str__(self):
        return f"{self.file_name}（待确认）"


class EventKind(models.TextChoices):
    DOCUMENT_ADDED = "document_added", "登记文件"
    DOCUMENT_CHANGED = "document_changed", "修改文件"
    DOCUMENT_REPEALED = "document_repealed", "标记废止"
    REPEAL_CANCELLED = "repeal_cancelled", "撤销废止标记"
    IMPORTED = "imported", "导入业务数据"


class RegisterEvent(Event):
    """One change to an agency's registers: the append-only audit trail.

    agency: whose register changed.
    kind: what was done (EventKind).
    actor: who did it; empty for a command-line import.
    document / batch: the object changed.
    data: the facts as JSON (changed fields old → new, dates ISO, counts, replaced batches).
    """

    agency = models.ForeignKey(Agency, verbose_name="机关", on_delete=models.PROTECT)
    kind = models.CharField("操作", max_length=24, choices=EventKind.choices)
    document = models.ForeignKey(
        Document, verbose_name="文件", null=True, blank=True, on_delete=models.PROTECT
    )
    batch = models.ForeignKey(
        ImportBatch, verbose_name="导入批次", null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta(Event.Meta):
        verbose_name = "登记记录"
        verbose_name_plural = "登记记录"

    def __str__(self):
        return f"{self.agency} {self.get_kind_display()}"

    record_name = "登记记录"
