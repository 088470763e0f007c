"""The report library (年报库, issue 19): a directory of agencies, the annual reports
collected for them, and the human decisions on what the checker found.

- LibraryAgency: an agency of the directory (a region, its government, or a
  department), in a hierarchy kept as a materialised path so that "everything under
  this agency" is one indexed prefix query. An agency already on this platform is
  linked (`platform`), not defined again: its name follows the platform's.
- LibraryReport: one original file, kept through Django's storage API with its
  SHA-256 (unique: importing the same file twice changes nothing), the engine's
  parsed report (`parsed`, never edited by a person) and the current checked data
  (`current`: parsed + corrections, with findings).
- Correction: a person's correction of one misread cell — a new version, with a
  reason; append-only.
- ReviewedFinding: a finding's review state (待核实 / 确认 / 排除), identified by
  (report, rule, location), so it survives re-parsing and re-checking.
- LibraryEvent: the audit trail of the library's state changes.
"""

from django.conf import settings
from django.db import models

from gongkai.audit import AppendOnlyModel, Event


class Level(models.TextChoices):
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    OTHER = "other", "其他"


class Kind(models.TextChoices):
    REGION = "region", "地区"
    GOVERNMENT = "government", "人民政府"
    DEPARTMENT = "department", "部门"


class LibraryAgency(models.Model):
    name = models.CharField("机关名称", max_length=100, unique=True)
    level = models.CharField("层级", max_length=10, choices=Level.choices, default=Level.OTHER)
    kind = models.CharField("类型", max_length=12, choices=Kind.choices, default=Kind.DEPARTMENT)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # "/<root id>/…/<own id>/": descendants are path__startswith=this path.
    path = models.CharField("层级路径", max_length=255, db_index=True, editable=False)
    aliases = models.TextField("别名（每行一个）", blank=True)
    platform = models.OneToOneField(
        "agencies.Agency",
        verbose_name="本平台机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="library_entry",
    )

    class Meta:
        verbose_name = "年报库机关"
        verbose_name_plural = "年报库机关"
        ordering = ["path"]
        permissions = [
            ("research", "研究人员：查阅年报库全部机关的报告（只读）"),
            ("manage_directory", "维护年报库机关目录（导入机关名录）"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        path = (self.parent.path if self.parent_id else "/") + f"{self.pk}/"
        if path != self.path:
            old = self.path
            self.path = path
            type(self).objects.filter(pk=self.pk).update(path=path)
            if old:  # moved: every descendant's path follows
                for child in type(self).objects.filter(path__startswith=old).exclude(pk=self.pk):
                    child.path = path + child.path[len(old) :]
                    type(self).objects.filter(pk=child.pk).update(path=child.path)

    def alias_list(self):
        return [a.strip() for a in self.aliases.splitlines() if a.strip()]

    @property
    def is_government(self):
        """A government (人民政府) reports by 31 March, a department by 31 January
        (Art. 49, workdays.periods.annual_report_due)."""
        return self.kind == Kind.GOVERNMENT

    @property
    def depth(self):
        return self.path.count("/") - 2


class Status(models.TextChoices):
    FILED = "filed", "已归档"
    QUEUED = "queued", "待指定机关"
    UNREADABLE = "unreadable", "无法读取"


def original_path(instance, filename):
    return f"library/{instance.sha256[:2]}/{instance.sha256}/{filename}"


class LibraryReport(models.Model):
    sha256 = models.CharField("SHA-256", max_length=64, unique=True)
    original = models.FileField("原始文件", upload_to=original_path, max_length=300)
    filename = models.CharField("文件名", max_length=255)
    size = models.PositiveBigIntegerField("大小（字节）")
    collected_at = models.DateTimeField("收集时间", auto_now_add=True)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="收集人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The supervising agency for which the report was collected (who sees it while
    # it waits in the queue).
    collector = models.ForeignKey(
        LibraryAgency,
        verbose_name="收集单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="collected_reports",
    )
    source = models.CharField("来源", max_length=300, blank=True)
    # Collected from the web (webcollect): the address it was fetched from, and when.
    url = models.URLField("网址", max_length=1000, blank=True)
    fetched_at = models.DateTimeField("抓取时间", null=True, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices)
    agency = models.ForeignKey(
        LibraryAgency,
        verbose_name="机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    printed_agency = models.CharField("报告所载机关名称", max_length=200, blank=True)
    printed_year = models.PositiveSmallIntegerField("报告所载年度", null=True, blank=True)
    match_note = models.CharField("匹配说明", max_length=300, blank=True)
    suggestions = models.JSONField("近似机关", default=list, blank=True)
    error = models.TextField("读取错误", blank=True)
    parsed = models.JSONField("解析结果", null=True, blank=True)
    current = models.JSONField("当前数据（含更正与检查结果）", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    error_count = models.PositiveIntegerField("错误数", default=0)
    pending_count = models.PositiveIntegerField("待核实数", default=0)

    class Meta:
        verbose_name = "年度报告（年报库）"
        verbose_name_plural = "年度报告（年报库）"
        ordering = ["-collected_at", "-id"]
        indexes = [models.Index(fields=["agency", "year"], name="library_report_agency_year")]

    def __str__(self):
        who = self.agency.name if self.agency_id else (self.printed_agency or self.filename)
        return f"{who} {self.year or '年度不详'}"


class Correction(AppendOnlyModel):
    record_name = "单元格更正"
    change_hint = "如需再次更正，请新增一条更正。"

    report = models.ForeignKey(
        LibraryReport, verbose_name="报告", on_delete=models.CASCADE, related_name="corrections"
    )
    version = models.PositiveIntegerField("版本")
    where = models.CharField("单元格", max_length=120)
    old_value = models.JSONField("原值", null=True, blank=True)
    value = models.JSONField("更正后的值", null=True, blank=True)
    reason = models.TextField("更正理由")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="更正人", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "单元格更正"
        verbose_name_plural = "单元格更正"
        ordering = ["report", "version"]
        constraints = [
            models.UniqueConstraint(fields=["report", "version"], name="library_correction_version")
        ]


class Review(models.TextChoices):
    PENDING = "pending", "待核实"
    CONFIRMED = "confirmed", "确认"
    EXCLUDED = "excluded", "排除"


class ReviewedFinding(models.Model):
    # A finding about a report; or, with no report, about an agency's year (a report
    # that is missing: REPORT-MISSING), identified by (agency, year, rule, location).
    report = models.ForeignKey(
        LibraryReport,
        verbose_name="报告",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="findings",
    )
    agency = models.ForeignKey(
        LibraryAgency,
        verbose_name="机关（无报告时）",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="report_findings",
    )
    year = models.PositiveSmallIntegerField("年度（无报告时）", null=True, blank=True)
    rule = models.CharField("规则", max_length=30)
    where = models.CharField("位置", max_length=160)
    severity = models.CharField("严重程度", max_length=10)
    message = models.TextField("说明")
    expected = models.JSONField("应为", null=True, blank=True)
    actual = models.JSONField("实为", null=True, blank=True)
    present = models.BooleanField("最近一次检查仍发现", default=True)
    state = models.CharField("核实状态", max_length=10, choices=Review.choices)
    reason = models.TextField("理由", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核实人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("核实时间", null=True, blank=True)

    class Meta:
        verbose_name = "检查发现"
        verbose_name_plural = "检查发现"
        ordering = ["report", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "rule", "where"], name="library_finding_identity"
            ),
            models.UniqueConstraint(
                fields=["agency", "year", "rule", "where"],
                condition=models.Q(report__isnull=True),
                name="library_agency_finding_identity",
            ),
            models.CheckConstraint(
                condition=models.Q(report__isnull=False)
                | models.Q(agency__isnull=False, year__isnull=False),
                name="library_finding_has_subject",
            ),
        ]

    def __str__(self):
        return f"{self.rule} {self.where}"


class CollectJob(models.Model):
    """Collecting from web addresses, run as background work (webcollect.run_job)."""

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "抓取中"
        DONE = "done", "已完成"
        FAILED = "failed", "出错"

    urls = models.TextField("网址（每行一个）")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    collector = models.ForeignKey(
        LibraryAgency,
        verbose_name="收集单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="collect_jobs",
    )
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.QUEUED)
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    # host:pid of the worker that started it (ops.tasks.worker_id; collecting.recover)
    worker = models.CharField("后台进程", max_length=100, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    results = models.JSONField("结果", default=list, blank=True)
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = "网址收集任务"
        verbose_name_plural = "网址收集任务"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"网址收集任务 {self.pk}"

    def url_list(self):
        return [u.strip() for u in self.urls.splitlines() if u.strip()]


class UploadJob(models.Model):
    """Files uploaded in the browser, read, checked and stored as background work
    (collecting.run_upload), with progress: `done` of `total` files (a zip counts its
    members). The uploaded files wait in storage (`files`: [{"name", "path", "size"}])
    until the job has run; every file collected is kept as a report's original."""

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "读取和检查中"
        DONE = "done", "已完成"
        FAILED = "failed", "出错"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    collector = models.ForeignKey(
        LibraryAgency,
        verbose_name="收集单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="upload_jobs",
    )
    files = models.JSONField("上传的文件", default=list, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.QUEUED)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    # host:pid of the worker that started it (ops.tasks.worker_id; collecting.recover)
    worker = models.CharField("后台进程", max_length=100, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    total = models.PositiveIntegerField("文件数", default=0)
    done = models.PositiveIntegerField("已处理", default=0)
    results = models.JSONField("结果", default=list, blank=True)
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = "上传收集任务"
        verbose_name_plural = "上传收集任务"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"上传收集任务 {self.pk}"

    @property
    def percent(self):
        return round(self.done * 100 / self.total) if self.total else 0

    @property
    def finished(self):
        return self.state in (self.State.DONE, self.State.FAILED)


class LibraryEvent(Event):
    record_name = "年报库记录"

    report = models.ForeignKey(
        LibraryReport,
        verbose_name="报告",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    kind = models.CharField("类型", max_length=30)

    class Meta(Event.Meta):
        verbose_name = "年报库记录"
        verbose_name_plural = "年报库记录"


class SupersededOriginal(models.Model):
    """An original file a report had before a corrected file replaced it (versions.py):
    kept in storage with its SHA-256, so that importing it again
    changes nothing. `until_version`: the report's version the replacement made; cell
    corrections of earlier versions were readings of this file and no longer apply."""

    report = models.ForeignKey(
        LibraryReport, verbose_name="报告", on_delete=models.CASCADE, related_name="superseded"
    )
    sha256 = models.CharField("SHA-256", max_length=64, unique=True)
    original = models.FileField("原始文件", max_length=300)
    filename = models.CharField("文件名", max_length=255)
    size = models.PositiveBigIntegerField("大小（字节）")
    until_version = models.PositiveIntegerField("被替换于版本")
    reason = models.TextField("替换理由")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="替换人", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "被替换的原件"
        verbose_name_plural = "被替换的原件"
        ordering = ["report", "until_version"]

    def __str__(self):
        return f"{self.filename}（至第 {self.until_version} 版）"


# The dashboards' aggregates live in their own module (aggregates.py); imported here so
# that Django registers them with the app.
from .aggregates import ReportFigures, RuleCount  # noqa: E402, F401
