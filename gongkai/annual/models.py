"""The annual report (政府信息公开工作年度报告) as a piece of work: drafted from the
records, checked, approved, locked and published (issue 18; Arts. 49, 50).

One AnnualReport per agency and year. Its life (workflow.py):
起草 (政务公开办) → 审核 (工作机构负责人) → 审批 (分管领导) → 已批准（锁定） → 已发布.
Until the lock the four tables are assembled live from the records; at the lock
`snapshot` freezes tables, text and findings, and later record changes never
alter it (they show as drift on the workspace).

sections: {"一": [sentence, ...], "五": [...], "六": [...]}, a sentence being
    {"text": str, "figures": {name: value}} (gongkai.annual.drafting): the figures
    it states, with their values when it was drafted, so a record change marks it stale.
explanations: {finding key: text}, the written explanation of each warning.
last_problems: last year's problems (section 五), shown beside this year's draft.
correction_note: the 更正说明 of a published report reopened for correction (workflow.correct);
    the corrected version is published as a new portal version with it.
"""

from django.conf import settings
from django.db import models

from gongkai.agencies.models import Agency
from gongkai.audit import Event
from gongkai.portal.models import PublishedReport

SECTIONS = ("一", "五", "六")
SECTION_TITLES = {
    "一": "一、总体情况",
    "五": "五、政府信息公开工作存在的主要问题及改进情况",
    "六": "六、其他需要报告的事项",
}
# The interchange format's narrative keys (annual-report-format.md).
NARRATIVE_KEYS = {"一": "overview", "五": "problems", "六": "other"}


class Status(models.TextChoices):
    DRAFT = "draft", "起草"
    REVIEW = "review", "审核"
    APPROVAL = "approval", "审批"
    APPROVED = "approved", "已批准（锁定）"
    PUBLISHED = "published", "已发布"


LOCKED = frozenset({Status.APPROVED, Status.PUBLISHED})


class AnnualReport(models.Model):
    agency = models.ForeignKey(
        Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="annual_reports"
    )
    year = models.PositiveSmallIntegerField("报告年度")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    sections = models.JSONField("正文（一、五、六）", default=dict)
    explanations = models.JSONField("警告的说明", default=dict, blank=True)
    last_problems = models.TextField("上年报告的主要问题", blank=True)
    snapshot = models.JSONField("批准时的快照（交换格式）", null=True, blank=True)
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)
    published = models.ForeignKey(
        PublishedReport,
        verbose_name="门户发布记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    correction_note = models.CharField(
        "更正说明", max_length=200, blank=True, help_text="发布后更正时填写，随更正版本公布"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="起草人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("起草时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "年度报告（编写）"
        verbose_name_plural = "年度报告（编写）"
        ordering = ["agency", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="annual_report_once_a_year"),
            models.CheckConstraint(
                condition=~models.Q(status__in=["approved", "published"])
                | models.Q(snapshot__isnull=False),
                name="annual_locked_has_snapshot",
                violation_error_message="已批准的年度报告必须有批准时的快照。",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def title(self):
        return f"{self.agency.name}{self.year}年政府信息公开工作年度报告"

    @property
    def locked(self):
        return self.status in LOCKED


class Step(models.TextChoices):
    DRAFT = "draft", "起草"
    EDIT = "edit", "修改正文"
    SUBMIT = "submit", "提交审核"
    REVIEW = "review", "审核"
    APPROVE = "approve", "审批"
    PUBLISH = "publish", "发布"
    CORRECT = "correct", "更正"


class Decision(models.TextChoices):
    AGREE = "agree", "同意"
    RETURN = "return", "退回"


class Opinion(Event):
    """One step of a report's trail: who, in which role, when, 同意/退回 and the opinion."""

    record_name = "年度报告的审核意见"
    change_hint = "如需更正，请再填写一条意见。"

    report = models.ForeignKey(
        AnnualReport, verbose_name="年度报告", on_delete=models.PROTECT, related_name="opinions"
    )
    step = models.CharField("环节", max_length=10, choices=Step.choices)
    decision = models.CharField(
        "结论", max_length=10, choices=Decision.choices, blank=True, default=""
    )
    text = models.TextField("意见", blank=True)

    class Meta(Event.Meta):
        verbose_name = "年度报告意见"
        verbose_name_plural = "年度报告意见"
