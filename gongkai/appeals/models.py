"""行政复议 and 行政诉讼 brought against a reply (table 四 of the annual report)."""

from django.db import models
from django.db.models import Q

from gongkai.cases.models import Case
from gongkai.reports import tables


class Kind(models.TextChoices):
    RECONSIDERATION = "reconsideration", "行政复议"
    LITIGATION = "litigation", "行政诉讼"


_LABELS = {c.key: c.label for c in tables.APPEAL_COLUMNS}


class Result(models.TextChoices):
    """The columns of table 四; values and labels come from tables.APPEAL_COLUMNS."""

    UPHELD = "upheld", _LABELS["upheld"]
    CORRECTED = "corrected", _LABELS["corrected"]
    OTHER = "other", _LABELS["other"]
    PENDING = "pending", _LABELS["pending"]


class Appeal(models.Model):
    """A 行政复议 or 行政诉讼 about one case.

    after_reconsideration: a suit brought after a 复议 (复议后起诉); only for litigation.
    filed_on: the day it was brought (the report counts it in that year).
    decided_on: the day of the 复议决定 / judgment; None while pending.
    """

    case = models.ForeignKey(
        Case, verbose_name="申请", on_delete=models.PROTECT, related_name="appeals"
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    after_reconsideration = models.BooleanField("复议后起诉", default=False)
    body = models.CharField("复议机关/法院", max_length=200, blank=True)
    reference = models.CharField("案号", max_length=100, blank=True)
    filed_on = models.DateField("申请/起诉日期")
    result = models.CharField("结果", max_length=20, choices=Result.choices, default=Result.PENDING)
    decided_on = models.DateField("审结日期", null=True, blank=True)

    class Meta:
        verbose_name = "行政复议/诉讼"
        verbose_name_plural = "行政复议/诉讼"
        ordering = ["filed_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="litigation") | Q(after_reconsideration=False),
                name="appeals_after_reconsideration_only_litigation",
                violation_error_message="只有行政诉讼才能标记为“复议后起诉”。",
            ),
            models.CheckConstraint(
                condition=Q(result="pending", decided_on__isnull=True)
                | (~Q(result="pending") & Q(decided_on__isnull=False)),
                name="appeals_decided_iff_result",
                violation_error_message="已审结的须填写结果和审结日期；尚未审结的不能填写审结日期。",
            ),
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(decided_on__gte=models.F("filed_on")),
                name="appeals_decided_after_filed",
                violation_error_message="审结日期不能早于申请/起诉日期。",
            ),
        ]

    def __str__(self):
        return f"{self.case.tracking_number} {self.get_kind_display()}"

    def group(self):
        """The table 四 group key (tables.APPEAL_GROUPS)."""
        if self.kind == Kind.RECONSIDERATION:
            return "reconsideration"
        return "litigation_after" if self.after_reconsideration else "litigation_direct"
