"""Letters (文书) to applicants and consulted parties: letterhead, edited templates, issues.

The shipped templates are data in letters/defaults.py (version 0). An agency's
edit is a new LetterTemplate row with the next version number; rows are never
changed or deleted, so every earlier wording stays readable. Each generated
letter is recorded as a LetterIssued row with the SHA-256 of the bytes handed out.
"""

from django.conf import settings
from django.db import models

from gongkai.agencies.models import Agency
from gongkai.audit import AppendOnlyModel, Event
from gongkai.cases.models import Case, Consultation


class Letterhead(models.Model):
    """How an agency's letters are headed and signed.

    number_prefix: the 文号 before the serial number; "{year}" becomes the year,
        e.g. “某公开〔{year}〕” gives “某公开〔2026〕12号”.
    signature: the 落款 (and 印章 text) printed above the date.
    reconsideration_body / court: named in the 行政复议/行政诉讼 notice; a reply is not
        issued while either is empty (services.remedy_missing).
    """

    agency = models.OneToOneField(
        Agency, verbose_name="机关", on_delete=models.CASCADE, related_name="letterhead"
    )
    full_name = models.CharField("机关全称", max_length=100)
    number_prefix = models.CharField(
        "文号前缀",
        max_length=60,
        help_text="“{year}”处填入年份，例如：某公开〔{year}〕 → 某公开〔2026〕12号。",
    )
    address = models.CharField("地址", max_length=200, blank=True)
    postcode = models.CharField("邮编", max_length=10, blank=True)
    phone = models.CharField("联系电话", max_length=60, blank=True)
    signature = models.CharField(
        "落款（印章文字）", max_length=100, help_text="打印在日期上方，例如：某某市公安局（印章）"
    )
    reconsideration_body = models.CharField(
        "行政复议机关",
        max_length=100,
        blank=True,
        help_text="答复书写明向该机关申请行政复议；未填写时不能生成或发出答复书。",
    )
    court = models.CharField(
        "管辖人民法院",
        max_length=100,
        blank=True,
        help_text="答复书写明向该法院提起行政诉讼；未填写时不能生成或发出答复书。",
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "文书抬头"
        verbose_name_plural = "文书抬头"

    def __str__(self):
        return self.full_name

    def number(self, year, serial):
        """The 文号 for `serial` in `year`."""
        return self.number_prefix.replace("{year}", str(year)) + f"{serial}号"


class LetterTemplate(AppendOnlyModel):
    """One version of an agency's wording for one kind of letter (append-only).

    kind: a key of letters.defaults.DEFAULTS (e.g. "receipt", "reply.granted").
    version: 1, 2, … per agency and kind; the highest is in use (0 = shipped text).
    """

    record_name = "文书模板的历史版本"
    change_hint = "请保存为新版本。"

    agency = models.ForeignKey(
        Agency, verbose_name="机关", on_delete=models.CASCADE, related_name="letter_templates"
    )
    kind = models.CharField("文书", max_length=60)
    version = models.PositiveIntegerField("版本")
    title = models.CharField("标题", max_length=100)
    body = models.TextField("正文")
    note = models.CharField("修改说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="修改人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("修改时间", auto_now_add=True)

    class Meta:
        verbose_name = "文书模板"
        verbose_name_plural = "文书模板"
        ordering = ["agency", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "kind", "version"], name="letters_template_version_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="letters_template_version_positive"
            ),
        ]

    def __str__(self):
        return f"{self.agency} {self.kind} 第{self.version}版"


class LetterIssued(AppendOnlyModel):
    """One generated letter: what was handed out, by whom, from which template version.

    number / year / serial: the 文号; the same letter generated again for the same
        case (and consultation) keeps its number.
    sha256: of the exact bytes downloaded (DOCX or PDF).
    """

    case = models.ForeignKey(
        Case, verbose_name="申请", on_delete=models.PROTECT, related_name="letters"
    )
    kind = models.CharField("文书", max_length=60)
    consultation = models.ForeignKey(
        Consultation, verbose_name="征求意见", null=True, blank=True, on_delete=models.PROTECT
    )
    number = models.CharField("文号", max_length=80)
    year = models.PositiveSmallIntegerField("年度")
    serial = models.PositiveIntegerField("序号")
    template_version = models.PositiveIntegerField("模板版本")
    format = models.CharField("格式", max_length=4, default="docx")
    sha256 = models.CharField("SHA-256", max_length=64)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="生成人", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "文书生成记录"
        verbose_name_plural = "文书生成记录"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["year", "serial"], name="letters_issued_year_serial")]

    def __str__(self):
        return f"{self.case.tracking_number} {self.number}"

    record_name = "文书生成记录"


class LetterText(AppendOnlyModel):
    """One version of a case's reply letter as it will be sent (append-only).

    The first version is the agency's template filled with the case's facts when the
    decision is drafted; staff may edit it before 签发, each save a new version.
    draft_event: the 拟办 CaseEvent the text was written for: a new 拟办 starts again
        from the template. The version current when the decision is approved (or
        re-approved after an edit, LetterEvent "approve_text") is what is sent.
    """

    record_name = "答复书文本的历史版本"
    change_hint = "请保存为新版本。"

    case = models.ForeignKey(
        Case, verbose_name="申请", on_delete=models.PROTECT, related_name="letter_texts"
    )
    kind = models.CharField("文书", max_length=60)
    draft_event = models.ForeignKey(
        "cases.CaseEvent", verbose_name="拟办记录", on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField("版本")
    title = models.CharField("标题", max_length=100)
    body = models.TextField("正文")
    note = models.CharField("修改说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="修改人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("修改时间", auto_now_add=True)

    class Meta:
        verbose_name = "答复书文本"
        verbose_name_plural = "答复书文本"
        ordering = ["case", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "draft_event", "version"],
                name="letters_text_version_unique",
            ),
        ]

    def __str__(self):
        return f"{self.case.tracking_number} {self.kind} 第{self.version}版"


class LetterEventKind(models.TextChoices):
    SAVE_TEXT = "save_text", "修改答复书文本"
    APPROVE_TEXT = "approve_text", "审批答复书文本"
    REISSUE_QUERY_CODE = "reissue_query_code", "重新发放查询码"
    PUBLISH_REPLY = "publish_reply", "电子送达：答复书发布到办理进度查询页面"


class LetterEvent(Event):
    """The letters' own audit trail of a case: text edits and approvals, re-issued codes.

    data: approve_text {"kind", "version"}; save_text {"kind", "version",
    "after_approval"}; reissue_query_code {"reason"} (never the code); publish_reply
    {"kind", "number", "pdf" (the attachment id), "attachments" (ids shown), "mail"}.
    """

    case = models.ForeignKey(
        Case, verbose_name="申请", on_delete=models.PROTECT, related_name="letter_events"
    )
    kind = models.CharField("环节", max_length=32, choices=LetterEventKind.choices)

    class Meta(Event.Meta):
        verbose_name = "文书记录"
        verbose_name_plural = "文书记录"

    def __str__(self):
        return f"{self.case.tracking_number} {self.get_kind_display()}"

    record_name = "文书记录"


class ReplyMail(models.Model):
    """One e-mail of a delivered reply (电子送达) to the applicant, sent by the task queue.

    to: the address recorded at delivery. sent_at / error: the outcome of the latest
    attempt; attempts: how many were made (a failed send is tried again later).
    """

    case = models.ForeignKey(
        Case, verbose_name="申请", on_delete=models.PROTECT, related_name="reply_mails"
    )
    kind = models.CharField("文书", max_length=60)
    to = models.CharField("收件邮箱", max_length=254)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="送达人", on_delete=models.PROTECT, related_name="+"
    )
    queued_at = models.DateTimeField("排队时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    error = models.TextField("失败原因", blank=True)

    class Meta:
        verbose_name = "答复邮件"
        verbose_name_plural = "答复邮件"
        ordering = ["-queued_at", "-id"]

    def __str__(self):
        return f"{self.case.tracking_number} → {self.to}"

    @property
    def state(self):
        if self.sent_at:
            return "已发送"
        if self.error:
            return f"发送失败（已尝试 {self.attempts} 次）：{self.error}"
        return "排队发送中"
