"""主动公开 (proactive disclosure): items, their review, revisions and audit trail.

Models hold facts and simple predicates; every state change is a function in
publications/workflow.py. Time-based states (scheduled, overdue under Art. 26) are
derived from stored dates, never stored as a status.

The public portal reads items ONLY through `Item.objects.public(now)`.

Articles (../shared/reference/regulation.md): Art. 17 保密审查; Art. 19 主动公开的范围;
Arts. 20–21 the categories; Arts. 23–25 channels and the 目录 (索引、名称、内容概述、
生成日期); Art. 26 publication within 20 working days of 形成或者变更之日.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.safestring import mark_safe

from gongkai.agencies.models import PUBLISHING_ROLES, Agency, Department, Membership
from gongkai.audit import AppendOnlyModel, Event
from gongkai.publications import sanitize


class PublicationSettings(models.Model):
    """Per-agency settings of proactive disclosure.

    agency: the agency these settings belong to (one row per agency; optional —
        without a row the defaults below apply).
    index_prefix: the first part of every 索引号 the agency issues, e.g.
        "001008004003008" in "001008004003008/2022-65850" (the 组织机构/目录 code
        the local 政府信息公开目录 assigns). Default: the agency code.
    """

    agency = models.OneToOneField(
        Agency,
        verbose_name="机关",
        on_delete=models.CASCADE,
        related_name="publication_settings",
    )
    index_prefix = models.CharField(
        "索引号前缀",
        max_length=40,
        help_text="索引号“前缀/年份-序号”中的前缀，例如 001008004003008；留空则使用机关代码。",
        blank=True,
    )

    class Meta:
        verbose_name = "主动公开设置"
        verbose_name_plural = "主动公开设置"

    def __str__(self):
        return f"{self.agency.name} 主动公开设置"

    @staticmethod
    def prefix_for(agency):
        """The 索引号 prefix of `agency`: its configured prefix, else its code."""
        row = PublicationSettings.objects.filter(agency=agency).only("index_prefix").first()
        return (row.index_prefix.strip() if row else "") or agency.code


def format_index_number(prefix, year, serial):
    """索引号 as "<prefix>/<year>-<serial>", serial zero-padded to 5 digits."""
    return f"{prefix}/{year}-{serial:05d}"


class DisclosureMode(models.TextChoices):
    """公开方式 as printed in the item's header (seed reports: "公开方式: 主动公开")."""

    PROACTIVE = "proactive", "主动公开"
    ON_REQUEST = "on_request", "依申请公开"


class DisclosureAttribute(models.TextChoices):
    """公文公开属性源头认定: decided when the document is made (拟制时)."""

    PROACTIVE = "proactive", "主动公开"
    ON_REQUEST = "on_request", "依申请公开"
    NOT_DISCLOSED = "not_disclosed", "不予公开"


class Genre(models.TextChoices):
    """体裁分类."""

    NOTICE = "notice", "通知"
    ANNOUNCEMENT = "announcement", "公告"
    CIRCULAR = "circular", "通告"
    OPINION = "opinion", "意见"
    MEASURES = "measures", "办法"
    PROVISIONS = "provisions", "规定"
    DECISION = "decision", "决定"
    REPORT = "report", "报告"
    INTERPRETATION = "interpretation", "解读"
    GRAPHIC = "graphic", "图解"
    NEWS = "news", "新闻"
    OTHER = "other", "其他"


class Topic(models.TextChoices):
    """主题分类 (a public-security agency's usual subjects)."""

    PUBLIC_SECURITY = "public_security", "公安"
    PUBLIC_ORDER = "public_order", "治安"
    WORK_SAFETY = "work_safety", "安全生产"
    TRAFFIC = "traffic", "交通"
    HOUSEHOLD = "household", "户籍"
    EXIT_ENTRY = "exit_entry", "出入境"
    FIRE = "fire", "消防"
    CYBER = "cyber", "网络安全"
    ANTI_FRAUD = "anti_fraud", "反诈"
    NARCOTICS = "narcotics", "禁毒"
    OTHER = "other", "其他"


class Category(models.TextChoices):
    """The statutory category of the information (Arts. 20 and 21).

    Values shared with the annual report's 表二 rows (reports.tables) keep their keys:
    normative_documents, licensing, penalties, coercion, fees, procurement.
    CATEGORY_ARTICLES gives the provision for each.
    """

    NORMATIVE_DOCUMENTS = "normative_documents", "行政规范性文件"
    FUNCTIONS = "functions", "机构职能"
    PLANS = "plans", "规划计划"
    LICENSING = "licensing", "行政许可"
    PENALTIES = "penalties", "行政处罚"
    COERCION = "coercion", "行政强制"
    FEES = "fees", "行政事业性收费"
    BUDGETS = "budgets", "财政预决算"
    PROCUREMENT = "procurement", "政府采购"
    PUBLIC_ORDER = "public_order", "治安管理"
    TRAFFIC = "traffic", "交通管理"
    EMERGENCIES = "emergencies", "突发公共事件"
    CIVIL_SERVICE = "civil_service", "公务员招考"
    OTHER = "other", "其他"


CATEGORY_ARTICLES = {
    Category.NORMATIVE_DOCUMENTS: "第二十条第（一）项",
    Category.FUNCTIONS: "第二十条第（二）项",
    Category.PLANS: "第二十条第（三）项",
    Category.LICENSING: "第二十条第（五）项",
    Category.PENALTIES: "第二十条第（六）项",
    Category.COERCION: "第二十条第（六）项",
    Category.FEES: "第二十条第（八）项",
    Category.BUDGETS: "第二十条第（七）项",
    Category.PROCUREMENT: "第二十条第（九）项",
    Category.PUBLIC_ORDER: "第二十一条（治安管理）",
    Category.TRAFFIC: "第二十条第（五）项、第二十一条",
    Category.EMERGENCIES: "第二十条第（十二）项",
    Category.CIVIL_SERVICE: "第二十条第（十四）项",
    Category.OTHER: "第二十条第（十五）项",
}


class Status(models.TextChoices):
    """Where the item is in its life. APPROVED (待发布): approved by the leader, waiting
    for the 政务公开办 to publish it. A published item whose published_at lies in the
    future is "scheduled" (定时发布): a derived state, status stays PUBLISHED."""

    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待初审"
    SECRECY_REVIEW = "secrecy_review", "待保密审查"
    APPROVAL = "approval", "待领导审批"
    APPROVED = "approved", "待发布"
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已撤回"


IN_REVIEW_STATUSES = (Status.SUBMITTED, Status.SECRECY_REVIEW, Status.APPROVAL, Status.APPROVED)
UNPUBLISHED_STATUSES = (Status.DRAFT, *IN_REVIEW_STATUSES)


class ItemQuerySet(models.QuerySet):
    def public(self, now):
        """What the public may see at `now` (an aware datetime): published, not
        withdrawn, and published_at ≤ now. The portal's only way to read items."""
        return self.filter(status=Status.PUBLISHED, published_at__lte=now)

    def for_agency(self, agency):
        return self.filter(agency=agency)

    def visible_to(self, user, *, memberships=None):
        """The items `user` reaches (Membership.objects.reach_q over every role: a
        handler its own department's, another role its agency's)."""
        return self.filter(
            Membership.objects.reach_q(user, roles=PUBLISHING_ROLES, memberships=memberships)
        )

    def unpublished(self):
        """Drafts and items in review."""
        return self.filter(status__in=UNPUBLISHED_STATUSES)

    @staticmethod
    def on_time_q():
        """Q of the items published within the Art. 26 period: a due date, and the local
        day (Asia/Shanghai: `__date` converts to the current time zone) of published_at
        on or before it. The table form of Item.published_on_time."""
        return Q(publication_due_on__isnull=False) & Q(
            published_at__date__lte=models.F("publication_due_on")
        )

    def overdue(self, today):
        """Art. 26: 主动公开 items not yet published whose publication due date
        (20 working days after 成文日期) lies before `today`."""
        return self.unpublished().filter(
            disclosure_attribute=DisclosureAttribute.PROACTIVE, publication_due_on__lt=today
        )

    def scheduled(self, now):
        """Published items waiting for their publication time (定时发布)."""
        return self.filter(status=Status.PUBLISHED, published_at__gt=now)


class Item(models.Model):
    """One piece of government information in the 主动公开 catalogue (目录).

    Header fields follow the catalogue header of real portals (seed reports):
    索引号, 公开方式, 成文日期, 发文机关, 发布日期, 体裁分类, 主题分类.
    """

    agency = models.ForeignKey(
        Agency,
        verbose_name="机关",
        on_delete=models.PROTECT,
        related_name="publication_items",
        db_index=False,  # every composite index below starts with agency
        help_text="发布该信息的机关（目录的所有者）。",
    )
    department = models.ForeignKey(
        Department,
        verbose_name="起草部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="publication_items",
        db_index=False,  # partial index in Meta: most items have no department
        help_text="拟稿的警种或部门；承办部门的信息员只能编辑本部门的稿件。",
    )
    index_number = models.CharField(
        "索引号",
        max_length=80,  # unique: Meta constraint (no extra LIKE index on PostgreSQL)
        help_text="“前缀/年份-序号”，创建时生成，此后不变；年份取成文日期的年份。",
    )
    index_year = models.PositiveSmallIntegerField(
        "索引号年份", help_text="索引号中的年份（成文日期所在年）。"
    )
    index_serial = models.PositiveIntegerField(
        "索引号序号", help_text="本机关该年度的顺序号，从 1 开始。"
    )
    title = models.CharField("标题", max_length=300, help_text="信息名称，按原文标题填写。")
    document_number = models.CharField(
        "文号",
        max_length=100,
        blank=True,
        help_text="发文字号，如“海公通〔2026〕3号”；没有可留空。",
    )
    disclosure_mode = models.CharField(
        "公开方式",
        max_length=20,
        choices=DisclosureMode.choices,
        default=DisclosureMode.PROACTIVE,
        help_text="目录头部显示的公开方式；由公开属性认定得出（不予公开的信息不发布）。",
    )
    disclosure_attribute = models.CharField(
        "公开属性",
        max_length=20,
        choices=DisclosureAttribute.choices,
        default=DisclosureAttribute.PROACTIVE,
        help_text="公文公开属性源头认定：拟制公文时即明确主动公开、依申请公开或不予公开。",
    )
    attribute_reason = models.TextField(
        "不予公开理由",
        blank=True,
        help_text="认定为不予公开（或依申请公开）时的理由与依据；不予公开时必填。",
    )
    written_on = models.DateField(
        "成文日期",
        help_text="信息形成（或变更）之日；第二十六条的20个工作日从此日起算。",
    )
    issuer = models.CharField(
        "发文机关", max_length=100, help_text="署名的发文机关，如“市公安局”。"
    )
    published_at = models.DateTimeField(
        "发布日期",
        null=True,
        blank=True,
        help_text="发布（或定时发布）的时刻；晚于当前时间时为定时发布，届时才对公众可见。",
    )
    genre = models.CharField("体裁分类", max_length=20, choices=Genre.choices)
    topic = models.CharField("主题分类", max_length=20, choices=Topic.choices)
    category = models.CharField(
        "公开类别",
        max_length=30,
        choices=Category.choices,
        help_text="《条例》第二十条、第二十一条规定的主动公开类别。",
    )
    summary = models.TextField(
        "内容概述", blank=True, help_text="目录中的内容概述（条例第二十四条），纯文本。"
    )
    body = models.TextField(
        "正文",
        blank=True,
        help_text="HTML 正文；保存时只保留段落、换行、加粗、斜体、列表、表格、链接与二至四级标题。",
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    interprets = models.ForeignKey(
        "self",
        verbose_name="解读的文件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="interpretations",
        db_index=False,  # partial index in Meta: few items are interpretations
        help_text="本条为政策解读时，所解读的政策文件；两者同步发布（三同步）。",
    )
    publication_due_on = models.DateField(
        "应公开日期",
        null=True,
        blank=True,
        help_text="第二十六条：成文日期后第20个工作日（与依申请公开同一工作日历）；"
        "仅主动公开信息有此期限。",
    )
    due_provisional = models.BooleanField(
        "期限为暂定", default=False, help_text="计算应公开日期时用到了尚未公布放假安排的年度。"
    )
    review_round = models.PositiveIntegerField(
        "审查轮次", default=0, help_text="每次提交审核加一；保密审查记录按轮次保存。"
    )
    version = models.PositiveIntegerField(
        "版本", default=1, help_text="发布后每次更正加一；旧版本保存在更正记录中。"
    )
    revised_at = models.DateTimeField(
        "最近更正时间", null=True, blank=True, help_text="发布后最近一次更正的时刻。"
    )
    withdrawn_at = models.DateTimeField(
        "撤回时间", null=True, blank=True, help_text="撤回发布的时刻；撤回后公众不可见，记录保留。"
    )
    withdrawn_reason = models.TextField("撤回理由", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="拟稿人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        help_text="创建草稿的用户（生成的基准数据为空）。",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    generated = models.BooleanField(
        "生成数据",
        default=False,
        help_text="由 generate_items 批量生成的基准数据：直接处于已发布状态，没有逐条办理记录。",
    )

    objects = ItemQuerySet.as_manager()

    class Meta:
        verbose_name = "主动公开信息"
        verbose_name_plural = "主动公开信息"
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(
                fields=["agency", "status", "-published_at"], name="publications_agency_pub"
            ),
            models.Index(fields=["status", "-published_at"], name="publications_status_pub"),
            # the 逾期未公开 tab: only unpublished rows are indexed
            models.Index(
                fields=["agency", "publication_due_on"],
                name="publications_unpublished_due",
                condition=Q(status__in=UNPUBLISHED_STATUSES),
            ),
            models.Index(
                fields=["department"],
                name="publications_department",
                condition=Q(department__isnull=False),
            ),
            models.Index(
                fields=["interprets"],
                name="publications_interprets",
                condition=Q(interprets__isnull=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["index_number"], name="publications_index_number"),
            models.UniqueConstraint(
                fields=["agency", "index_year", "index_serial"],
                name="publications_item_serial_unique",
            ),
            models.CheckConstraint(
                condition=~Q(disclosure_attribute="not_disclosed") | ~Q(attribute_reason=""),
                name="publications_not_disclosed_has_reason",
                violation_error_message="认定为不予公开的，必须说明理由。",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["published", "withdrawn"]) | Q(published_at__isnull=False),
                name="publications_published_has_time",
                violation_error_message="已发布的信息必须有发布日期。",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["published", "withdrawn"])
                | Q(disclosure_attribute="proactive"),
                name="publications_published_is_proactive",
                violation_error_message="只有认定为主动公开的信息才能发布。",
            ),
            models.CheckConstraint(
                condition=Q(interprets__isnull=True) | ~Q(interprets=models.F("id")),
                name="publications_not_self_interpretation",
                violation_error_message="解读不能指向自身。",
            ),
        ]

    def __str__(self):
        return f"{self.index_number} {self.title}"

    def save(self, *args, **kwargs):
        """Sanitise every text field before it reaches the database (body: allow-listed
        HTML; the others: plain text, escaped by the templates)."""
        self.body = sanitize.clean_body(self.body)
        for name in ("title", "document_number", "issuer", "summary", "attribute_reason"):
            setattr(self, name, sanitize.plain(getattr(self, name)))
        self.withdrawn_reason = sanitize.plain(self.withdrawn_reason)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "updated_at" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "updated_at"]
        super().save(*args, **kwargs)

    # -- predicates (derived, never stored) ------------------------------------------

    def is_public(self, now):
        """Visible to the public at `now` (same rule as ItemQuerySet.public)."""
        return (
            self.status == Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= now
        )

    def is_scheduled(self, now):
        """Published with a publication time still in the future (定时发布)."""
        return (
            self.status == Status.PUBLISHED
            and self.published_at is not None
            and (self.published_at > now)
        )

    def enters_document_register(self):
        """A 行政规范性文件 itself (not its 解读 or 图解): once published it is entered in
        the 规章和行政规范性文件登记簿 (registers.documents.enter_published_item), so
        that table 二 counts what the portal shows (Art. 20(一))."""
        return (
            self.category == Category.NORMATIVE_DOCUMENTS
            and self.interprets_id is None
            and self.genre not in (Genre.INTERPRETATION, Genre.GRAPHIC)
        )

    def published_on_time(self):
        """Art. 26: True/False — published (published_at, taken on its local day) within
        20 working days of 成文日期; None when there is no due date or no publication.
        The one test of the event flag, the item page and (as ItemQuerySet.on_time_q)
        the annual figures."""
        if self.publication_due_on is None or self.published_at is None:
            return None
        return timezone.localdate(self.published_at) <= self.publication_due_on

    def is_overdue(self, today):
        """Art. 26: a 主动公开 item still unpublished after its due date."""
        return (
            self.status in UNPUBLISHED_STATUSES
            and self.disclosure_attribute == DisclosureAttribute.PROACTIVE
            and self.publication_due_on is not None
            and self.publication_due_on < today
        )

    def status_label(self, now):
        """The status as staff read it; "已发布（定时）" for a scheduled item."""
        if self.is_scheduled(now):
            return "定时发布"
        return self.get_status_display()

    @property
    def safe_body(self):
        """The body for templates: cleaned again on output (defence in depth against rows
        written without save(), e.g. by bulk_create) and marked safe."""
        return mark_safe(sanitize.clean_body(self.body))  # noqa: S308 - allow-listed by nh3

    @property
    def category_article(self):
        """The provision of the 条例 behind the item's category."""
        return CATEGORY_ARTICLES.get(self.category, "")


def attachment_path(instance, filename):
    return f"publications/{instance.item.agency.code}/{filename}"


class ItemAttachment(models.Model):
    """A file published with an item (e.g. the signed PDF, a form, a 图解 image).

    item: the item it belongs to.
    file: the stored file, path relative to MEDIA_ROOT (checked by
        gongkai.attachments.uploads.validate_upload and written by
        gongkai.attachments.storage.store under a random name; never the user's name).
        Serve it with publications.files.serve, not from MEDIA_URL.
    name: the original file name made safe (uploads.safe_display_name), shown to the
        public (plain text, escaped on output).
    content_type: the MIME type determined by the upload check, not the browser's claim.
    size: bytes.
    sha256: hex digest of the content.
    position: order on the item page.
    uploaded_by / uploaded_at: who attached it and when.
    """

    item = models.ForeignKey(
        Item, verbose_name="信息", on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField("文件", max_length=300, upload_to=attachment_path)
    name = models.CharField("文件名", max_length=255)
    content_type = models.CharField("文件类型", max_length=100, blank=True)
    size = models.PositiveBigIntegerField("大小（字节）", default=0)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    position = models.PositiveIntegerField("顺序", default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["item", "position", "id"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = sanitize.plain(self.name)
        super().save(*args, **kwargs)


class ItemRevision(AppendOnlyModel):
    """The state of a published item BEFORE a correction (更正): nothing is overwritten
    without a copy.

    item: the corrected item.
    version: the version number the snapshot had (Item.version before the change).
    title / body: the previous title and (cleaned) body.
    metadata: every other previous header field as JSON (文号, 成文日期, 发文机关,
        分类, 内容概述, …) with ISO dates.
    reason: why the correction was made (更正理由), required.
    changed_fields: names of the fields the correction changed.
    by / at: who corrected and when.
    """

    item = models.ForeignKey(
        Item, verbose_name="信息", on_delete=models.PROTECT, related_name="revisions"
    )
    version = models.PositiveIntegerField("版本")
    title = models.CharField("原标题", max_length=300)
    body = models.TextField("原正文", blank=True)
    metadata = models.JSONField("原元数据", default=dict, blank=True)
    reason = models.TextField("更正理由")
    changed_fields = models.JSONField("更正的字段", default=list, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="更正人", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("更正时间", auto_now_add=True)

    class Meta:
        verbose_name = "更正记录"
        verbose_name_plural = "更正记录"
        ordering = ["item", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "version"], name="publications_revision_unique"
            ),
        ]

    def __str__(self):
        return f"{self.item.index_number} 第{self.version}版"

    record_name = "更正记录"

    @property
    def safe_body(self):
        """The previous body for templates, cleaned again and marked safe."""
        return mark_safe(sanitize.clean_body(self.body))  # noqa: S308 - allow-listed by nh3


class EventKind(models.TextChoices):
    """The workflow steps, each writing one ItemEvent of its kind."""

    CREATE = "create", "拟稿"
    EDIT = "edit", "修改草稿"
    ATTACH = "attach", "添加附件"
    DETACH = "detach", "删除附件"
    SUBMIT = "submit", "提交审核"
    FIRST_REVIEW = "first_review", "初审"
    SECRECY_CHECK = "secrecy_check", "保密审查（单项）"
    SECRECY_REVIEW = "secrecy_review", "保密审查"
    APPROVE = "approve", "领导审批"
    PUBLISH = "publish", "发布"
    RESCHEDULE = "reschedule", "调整定时发布"
    UNSCHEDULE = "unschedule", "取消定时发布"
    CORRECT = "correct", "更正"
    WITHDRAW = "withdraw", "撤回发布"
    RECORD_CHANNEL = "record_channel", "登记其他渠道发布"
    GENERATE = "generate", "批量生成"


class ItemEvent(Event):
    """One step taken on an item: the append-only audit trail (like cases.CaseEvent).

    item: the item acted on.
    kind: the workflow step (EventKind).
    actor: the user who took the step (null only for generated benchmark data).
    at: when the step was recorded (server time).
    data: the step's facts as JSON (new status, comments, changed fields, …).
    """

    item = models.ForeignKey(
        Item, verbose_name="信息", on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField("环节", max_length=20, choices=EventKind.choices)

    class Meta(Event.Meta):
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"

    def __str__(self):
        return f"{self.item.index_number} {self.get_kind_display()}"

    record_name = "办理记录"


class Gate(models.TextChoices):
    """The five gates of the 保密审查 before publication (Art. 17 and 五关审查)."""

    POLITICAL = "political", "政治关"
    LEGAL = "legal", "法律关"
    POLICY = "policy", "政策关"
    SECRECY = "secrecy", "保密关"
    WORDING = "wording", "文字关"


class ReviewCheck(models.Model):
    """One of the five 保密审查 checks, recorded one by one.

    item: the item under review.
    round: the item's review_round when recorded (a returned item starts a new round;
        earlier rounds stay as history).
    gate: which gate (Gate).
    passed: whether the item passes this gate.
    comment: the reviewer's comment; required when the check fails.
    by / at: reviewer and time.
    """

    item = models.ForeignKey(
        Item, verbose_name="信息", on_delete=models.PROTECT, related_name="checks"
    )
    round = models.PositiveIntegerField("审查轮次")
    gate = models.CharField("审查项", max_length=20, choices=Gate.choices)
    passed = models.BooleanField("通过")
    comment = models.TextField("意见", blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审查人", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("审查时间", auto_now_add=True)

    class Meta:
        verbose_name = "保密审查记录"
        verbose_name_plural = "保密审查记录"
        ordering = ["item", "round", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "round", "gate"], name="publications_check_once_per_round"
            ),
            models.CheckConstraint(
                condition=Q(passed=True) | ~Q(comment=""),
                name="publications_failed_check_has_comment",
                violation_error_message="审查不通过的，必须填写意见。",
            ),
        ]

    def __str__(self):
        return f"{self.item.index_number} {self.get_gate_display()}"


class PublicationChannel(models.TextChoices):
    """Channels besides the government website (Art. 23)."""

    WECHAT = "wechat", "微信公众号"
    WEIBO = "weibo", "微博"
    TOUTIAO = "toutiao", "今日头条"
    DOUYIN = "douyin", "抖音"
    GAZETTE = "gazette", "政府公报"
    PRESS_CONFERENCE = "press_conference", "新闻发布会"
    OTHER = "other", "其他"


NEW_MEDIA_CHANNELS = (
    PublicationChannel.WECHAT,
    PublicationChannel.WEIBO,
    PublicationChannel.TOUTIAO,
    PublicationChannel.DOUYIN,
)


class ChannelPublication(models.Model):
    """The item was also published through another channel (Art. 23).

    item: the item.
    channel: which channel (PublicationChannel).
    published_on: the date it appeared there.
    url: the public address (http/https), if any.
    note: free text, e.g. the gazette issue or the press conference.
    recorded_by / recorded_at: who recorded it and when.
    """

    item = models.ForeignKey(
        Item, verbose_name="信息", on_delete=models.PROTECT, related_name="channel_publications"
    )
    channel = models.CharField("渠道", max_length=20, choices=PublicationChannel.choices)
    published_on = models.DateField("发布日期")
    url = models.URLField("网址", max_length=500, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "其他渠道发布"
        verbose_name_plural = "其他渠道发布"
        ordering = ["item", "published_on", "id"]
        indexes = [
            models.Index(fields=["channel", "published_on"], name="publications_channel_on"),
        ]

    def __str__(self):
        return f"{self.item.index_number} {self.get_channel_display()}"

    def save(self, *args, **kwargs):
        self.note = sanitize.plain(self.note)
        super().save(*args, **kwargs)
