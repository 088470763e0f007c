"""行政复议 and 行政诉讼 brought against a reply (table 四 of the annual report).

Models hold facts; every change goes through gongkai/appeals/workflow.py, which
writes the events on the case's 办理记录 (CaseEvent). Deadlines are derived
(gongkai/appeals/deadlines.py), never stored; the table 四 column of a decision is
gongkai/appeals/counting.py's mapping, stored in `result` when decided.
"""

from django.db import models
from django.db.models import Q

from gongkai.attachments.models import CaseAttachment
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


class Decision(models.TextChoices):
    """What the 复议决定书 / 判决书 / 裁定书 says (its table 四 column: counting.COLUMN)."""

    UPHOLD = "uphold", "维持（含判决驳回诉讼请求）"
    REVOKE = "revoke", "撤销"
    PARTLY_REVOKE = "partly_revoke", "部分撤销"
    ALTER = "alter", "变更"
    CONFIRM_ILLEGAL = "confirm_illegal", "确认违法"
    ORDER_PERFORM = "order_perform", "责令履行"
    ORDER_REDO = "order_redo", "责令重新作出"
    REJECT = "reject", "驳回申请/驳回起诉"
    TERMINATE = "terminate", "终止"
    WITHDRAWN = "withdrawn", "申请人/原告撤回"
    MEDIATION = "mediation", "调解/和解"
    OTHER = "other", "其他"


class Instance(models.TextChoices):
    FIRST = "first", "一审"
    SECOND = "second", "二审"
    RETRIAL = "retrial", "再审"


class Ruling(models.TextChoices):
    """The form of a court's decision: the appeal window differs (行政诉讼法第八十五条)."""

    JUDGMENT = "judgment", "判决"
    RULING = "ruling", "裁定"


class AppealQuerySet(models.QuerySet):
    def open(self):
        return self.filter(result=Result.PENDING)


class Appeal(models.Model):
    """A 行政复议 or 行政诉讼 about one case.

    after_reconsideration: a suit brought after a 复议 (复议后起诉); only for litigation,
        and then `prior` is that 复议.
    filed_on: the day it was brought (the report counts it in that year).
    papers_received_on: the day the 答复通知书 + 申请书副本 (复议) or the 起诉状副本 +
        应诉通知书 (诉讼) reached the agency; the agency's own deadline runs from it.
    answered_on: the day the 书面答复 / 答辩状 with evidence was submitted.
    decided_on: the day of the 复议决定 / judgment; None while pending.
    served_on: the day the 判决书/裁定书 was served on the agency (appeal window).
    co_defendant: the 复议机关 is a co-defendant (counted once: counting.py).
    """

    case = models.ForeignKey(
        Case, verbose_name="申请", on_delete=models.PROTECT, related_name="appeals"
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    after_reconsideration = models.BooleanField("复议后起诉", default=False)
    prior = models.ForeignKey(
        "self",
        verbose_name="经过的行政复议",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="suits",
    )
    body = models.CharField("复议机关/法院", max_length=200, blank=True)
    reference = models.CharField("案号", max_length=100, blank=True)
    applicant = models.CharField("申请人/原告", max_length=200, blank=True)
    instance = models.CharField("审级", max_length=10, choices=Instance.choices, blank=True)
    simplified = models.BooleanField("适用简易程序", default=False)
    co_defendant = models.BooleanField("复议机关为共同被告", default=False)
    filed_on = models.DateField("申请/起诉日期")
    papers_received_on = models.DateField("收到答复通知书/应诉通知书日期", null=True, blank=True)
    answered_on = models.DateField("提交答复/答辩状日期", null=True, blank=True)
    result = models.CharField("结果", max_length=20, choices=Result.choices, default=Result.PENDING)
    decision = models.CharField(
        "决定/裁判内容", max_length=20, choices=Decision.choices, blank=True
    )
    ruling = models.CharField("裁判文书", max_length=10, choices=Ruling.choices, blank=True)
    decided_on = models.DateField("审结日期", null=True, blank=True)
    served_on = models.DateField("文书送达日期", null=True, blank=True)
    new_reply_due_on = models.DateField("重新答复期限", null=True, blank=True)
    notes = models.TextField("备注", blank=True)

    objects = AppealQuerySet.as_manager()

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

    def is_open(self):
        return self.result == Result.PENDING

    @property
    def kind_label(self):
        if self.kind == Kind.RECONSIDERATION:
            return "行政复议"
        return "行政诉讼（复议后起诉）" if self.after_reconsideration else "行政诉讼（直接起诉）"


class DocumentKind(models.TextChoices):
    ANSWER = "answer", "复议答复书"
    DEFENCE = "defence", "答辩状"
    EVIDENCE = "evidence", "证据清单"
    DECISION = "decision", "复议决定书"
    JUDGMENT = "judgment", "判决书/裁定书"
    OTHER = "other", "其他"


class AppealDocument(models.Model):
    """A file of an appeal: a CaseAttachment of its case (attachments app) labelled."""

    appeal = models.ForeignKey(
        Appeal, verbose_name="复议/诉讼", on_delete=models.PROTECT, related_name="documents"
    )
    attachment = models.OneToOneField(
        CaseAttachment, verbose_name="附件", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("文书类别", max_length=20, choices=DocumentKind.choices)

    class Meta:
        verbose_name = "复议/诉讼文书"
        verbose_name_plural = "复议/诉讼文书"
        ordering = ["id"]

    def __str__(self):
        return f"{self.appeal} {self.get_kind_display()}"
