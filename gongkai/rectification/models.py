"""整改事项 (issue 19): confirmed findings of a library report handed to the agency to
correct, with a due date; the agency answers, the supervisor verifies.

- Rectification: one item for one report — one or several of its confirmed findings
  (ReviewedFinding), the requirement, the due date, who supervises (the supervising
  agency in the library directory) and its state. Overdue is derived from the date.
- Answer: the agency's answer — an explanation, or a corrected report that the library
  took as a new version of the report (`report_version`); append-only.
- RectificationEvent: the audit trail; every state change is a function in workflow.py.
  A supervisor may withdraw (撤销) an item still in progress, with a reason.
"""

from django.conf import settings
from django.db import models

from gongkai.audit import AppendOnlyModel, Event


class State(models.TextChoices):
    OPEN = "open", "待整改"
    ANSWERED = "answered", "待核验"
    CLOSED = "closed", "已销号"
    WITHDRAWN = "withdrawn", "已撤销"


# Items still in progress: a finding in one of them cannot be handed out again, and
# the agency or the supervisor still has something to do.
ACTIVE = (State.OPEN, State.ANSWERED)


class RectificationQuerySet(models.QuerySet):
    def overdue(self, today):
        """Still waiting for the agency's answer after the due date."""
        return self.filter(state=State.OPEN, due_on__lt=today)


class Rectification(models.Model):
    report = models.ForeignKey(
        "library.LibraryReport",
        verbose_name="报告",
        on_delete=models.PROTECT,
        related_name="rectifications",
    )
    agency = models.ForeignKey(
        "library.LibraryAgency",
        verbose_name="整改机关",
        on_delete=models.PROTECT,
        related_name="rectifications",
    )
    supervisor = models.ForeignKey(
        "library.LibraryAgency",
        verbose_name="交办机关",
        on_delete=models.PROTECT,
        related_name="supervised_rectifications",
    )
    findings = models.ManyToManyField(
        "library.ReviewedFinding", verbose_name="问题", related_name="rectifications"
    )
    requirement = models.TextField("整改要求")
    due_on = models.DateField("整改期限")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="交办人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("交办时间", auto_now_add=True)
    answered_on = models.DateField("最近答复日期", null=True, blank=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)

    objects = RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = "整改事项"
        verbose_name_plural = "整改事项"
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["agency", "state"], name="rectification_agency_state")]

    def __str__(self):
        return f"{self.number} {self.agency.name}"

    @property
    def number(self):
        """整改编号: the year it was handed out and its id."""
        return f"整改〔{self.created_at:%Y}〕{self.pk}号"

    def is_overdue(self, today):
        return self.state == State.OPEN and self.due_on < today

    def days_overdue(self, today):
        return (today - self.due_on).days if self.is_overdue(today) else 0

    def withdrawn_reason(self):
        """Why the item was withdrawn ("" unless 已撤销). The list prefetches the
        withdraw events as `withdrawals`; otherwise one query."""
        if self.state != State.WITHDRAWN:
            return ""
        events = getattr(self, "withdrawals", None)
        if events is None:
            events = list(self.events.filter(kind=EventKind.WITHDRAW).order_by("at", "id"))
        return events[-1].data.get("reason", "") if events else ""


class Answer(AppendOnlyModel):
    record_name = "整改答复"
    change_hint = "如需补充，请再次答复。"

    item = models.ForeignKey(
        Rectification, verbose_name="整改事项", on_delete=models.CASCADE, related_name="answers"
    )
    explanation = models.TextField("整改说明")
    filename = models.CharField("更正后的报告文件", max_length=255, blank=True)
    report_version = models.PositiveIntegerField("报告版本", null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="答复人", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("答复时间", auto_now_add=True)

    class Meta:
        verbose_name = "整改答复"
        verbose_name_plural = "整改答复"
        ordering = ["item", "at", "id"]


class EventKind(models.TextChoices):
    CREATE = "create", "交办整改"
    ANSWER = "answer", "答复"
    CLOSE = "close", "核验销号"
    SEND_BACK = "send_back", "退回重新整改"
    WITHDRAW = "withdraw", "撤销"


class RectificationEvent(Event):
    record_name = "整改记录"

    item = models.ForeignKey(
        Rectification, verbose_name="整改事项", on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField("类型", max_length=20, choices=EventKind.choices)

    class Meta(Event.Meta):
        verbose_name = "整改记录"
        verbose_name_plural = "整改记录"
