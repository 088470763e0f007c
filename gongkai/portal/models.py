"""The public portal's own records: 指南/制度 pages with every version, published reports.

Items (主动公开的政府信息) belong to gongkai.publications; the portal only reads them
through `Item.objects.public(now)`.
"""

from django.conf import settings
from django.db import models

from gongkai.agencies.models import Agency
from gongkai.audit import AppendOnlyModel


class PageSlug(models.TextChoices):
    """The two pages every agency keeps current (Arts. 12, 19–24 of the 条例)."""

    GUIDE = "guide", "政府信息公开指南"
    RULES = "rules", "政府信息公开制度"


class PortalPage(models.Model):
    """One agency's 指南 or 制度 page; its text lives in PageVersion rows."""

    agency = models.ForeignKey(
        Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="portal_pages"
    )
    slug = models.CharField("栏目", max_length=20, choices=PageSlug.choices)

    class Meta:
        verbose_name = "门户栏目页"
        verbose_name_plural = "门户栏目页"
        constraints = [
            models.UniqueConstraint(fields=["agency", "slug"], name="portal_page_unique"),
        ]

    def __str__(self):
        return f"{self.agency.name}·{self.get_slug_display()}"

    @property
    def title(self):
        return self.get_slug_display()

    def latest(self):
        return self.versions.order_by("-number").first()


class PageVersion(AppendOnlyModel):
    """One published text of a page: kept forever (append-only), the newest is shown.

    body: HTML cleaned by gongkai.publications.sanitize.clean_body before it is stored.
    number: 1, 2, 3… per page, in publishing order.
    """

    page = models.ForeignKey(
        PortalPage, verbose_name="栏目页", on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField("版本号")
    body = models.TextField("正文（HTML）")
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="编辑人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    published_at = models.DateTimeField("发布时间")
    note = models.CharField("修改说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "栏目页版本"
        verbose_name_plural = "栏目页版本"
        ordering = ["page", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["page", "number"], name="portal_pageversion_unique"),
        ]

    def __str__(self):
        return f"{self.page} 第{self.number}版"

    record_name = "已发布的版本"


class ReportOrigin(models.TextChoices):
    UPLOAD = "upload", "上传的报告文件"
    RECORDS = "records", "由办件记录生成"
    SAMPLE = "sample", "示例（其他机关的真实报告）"


class PublishedReport(models.Model):
    """An annual report (年度报告) as published on the portal (Art. 49, Art. 50).

    data: the report in the interchange format (gongkai.annual-report/1).
    Several rows may exist for one agency and year: the newest is the one shown,
    the earlier ones stay listed as 此前发布的版本 (a correction never erases).
    """

    agency = models.ForeignKey(
        Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="published_reports"
    )
    year = models.PositiveSmallIntegerField("报告年度")
    data = models.JSONField("报告数据（交换格式）")
    published_on = models.DateField("发布日期")
    origin = models.CharField("来源", max_length=10, choices=ReportOrigin.choices)
    source_name = models.CharField("原始文件名", max_length=200, blank=True)
    source_file = models.FileField("原始文件", upload_to="portal/reports/%Y/", blank=True)
    note = models.CharField("发布说明", max_length=200, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "已发布年度报告"
        verbose_name_plural = "已发布年度报告"
        ordering = ["agency", "-year", "-id"]
        indexes = [models.Index(fields=["agency", "year"], name="portal_report_agency_year")]

    def __str__(self):
        return f"{self.agency.name} {self.year}年度政府信息公开工作年度报告"

    @property
    def title(self):
        return f"{self.agency.name}{self.year}年政府信息公开工作年度报告"
