"""Letters (文书) to applicants and consulted parties: letterhead, edited templates, issues.

The shipped templates are data in letters/defaults.py (version 0). An agency's
edit is a new LetterTemplate row with the next version number; rows are never
changed or deleted, so every earlier wording stays readable. Each generated
letter is recorded as a LetterIssued row with the SHA-256 of the bytes handed out.
"""

from django.conf import settings
from django.db import models

from gongkai.agencies.models import Agency
from gongkai.audit import AppendOnlyModel
from gongkai.cases.models import Case, Consultation


class Letterhead(models.Model):
    """How an agency's letters are headed and signed.

    number_prefix: the 文号 before the serial number; "{year}" becomes the year,
        e.g. “某公开〔{year}〕” gives “某公开〔2026〕12号”.
    signature: the 落款 (and 印章 text) printed above the date.
    reconsideration_body / court: named in the 行政复议/行政诉讼 notice when set.
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
        help_text="填写后答复书写明向该机关申请行政复议；不填则只写“依法申请行政复议”。",
    )
    court = models.CharField(
        "管辖人民法院",
        max_length=100,
        blank=True,
        help_text="填写后答复书写明向该法院提起行政诉讼；不填则写“依法向人民法院提起行政诉讼”。",
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
