"""Registers of the year's work that the annual report's narrative states and nothing
else records: 咨询, 人大代表建议和政协提案, 政策解读和新闻发布会, 培训, 考核评估,
政务新媒体. One row = one fact of one agency in one year (`year`; for dated rows
the year of the date). gongkai/annual/figures.py counts them; changes go through
gongkai/activities/registers.py, which writes an ActivityEvent for each.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from gongkai.agencies.models import Agency
from gongkai.audit import Event


class EnquiryChannel(models.TextChoices):
    PHONE = "phone", "电话"
    IN_PERSON = "in_person", "现场"
    ONLINE = "online", "网上"


class ProposalKind(models.TextChoices):
    NPC = "npc", "人大代表建议"
    CPPCC = "cppcc", "政协提案"


class ProposalLevel(models.TextChoices):
    NATIONAL = "national", "全国"
    PROVINCIAL = "provincial", "省级"
    MUNICIPAL = "municipal", "市级"
    COUNTY = "county", "县级"


class BriefingKind(models.TextChoices):
    INTERPRETATION = "interpretation", "政策解读"
    PRESS_CONFERENCE = "press_conference", "新闻发布会"


class Platform(models.TextChoices):
    WECHAT = "wechat", "微信公众号"
    WEIBO = "weibo", "微博"
    TOUTIAO = "toutiao", "今日头条"
    DOUYIN = "douyin", "抖音"
    KUAISHOU = "kuaishou", "快手"
    OTHER = "other", "其他平台"


class Activity(models.Model):
    """What every register row has: the agency, the year, who last changed it."""

    agency = models.ForeignKey(
        Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    note = models.CharField("备注", max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField("登记时间", auto_now=True)

    class Meta:
        abstract = True


class Enquiry(Activity):
    """政府信息公开咨询: persons (人次) answered through one channel in the year."""

    channel = models.CharField("渠道", max_length=16, choices=EnquiryChannel.choices)
    persons = models.PositiveIntegerField("咨询人次")

    class Meta:
        verbose_name = "咨询"
        verbose_name_plural = "咨询"
        ordering = ["-year", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "channel"],
                name="activities_enquiry_one_per_channel",
                violation_error_message="本年度已登记过这个渠道的咨询人次，请修改原记录。",
            )
        ]

    def __str__(self):
        return f"{self.year}年{self.get_channel_display()}咨询{self.persons}人次"


class Proposal(Activity):
    """人大代表建议 / 政协提案 handled in the year, per kind and level."""

    kind = models.CharField("类别", max_length=8, choices=ProposalKind.choices)
    level = models.CharField("层级", max_length=16, choices=ProposalLevel.choices)
    handled = models.PositiveIntegerField("承办件数")
    on_time = models.PositiveIntegerField("按时办结件数")

    class Meta:
        verbose_name = "建议提案"
        verbose_name_plural = "建议提案"
        ordering = ["-year", "kind", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "kind", "level"],
                name="activities_proposal_one_per_level",
                violation_error_message="本年度已登记过这一类别和层级的建议提案，请修改原记录。",
            ),
            models.CheckConstraint(
                condition=Q(on_time__lte=F("handled")),
                name="activities_proposal_on_time_le_handled",
                violation_error_message="按时办结件数不能多于承办件数。",
            ),
        ]

    def __str__(self):
        return f"{self.year}年{self.get_level_display()}{self.get_kind_display()}{self.handled}件"


class Briefing(Activity):
    """A 政策解读 or a 新闻发布会, on its date."""

    kind = models.CharField("类别", max_length=20, choices=BriefingKind.choices)
    held_on = models.DateField("日期")
    title = models.CharField("名称", max_length=200)

    class Meta:
        verbose_name = "政策解读和新闻发布会"
        verbose_name_plural = "政策解读和新闻发布会"
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["agency", "year", "kind"])]

    def __str__(self):
        return f"{self.held_on} {self.get_kind_display()}：{self.title}"


class Training(Activity):
    """A training session (培训) on政府信息公开 and its attendees (人次)."""

    held_on = models.DateField("日期")
    title = models.CharField("培训名称", max_length=200)
    attendees = models.PositiveIntegerField("参训人次")

    class Meta:
        verbose_name = "培训"
        verbose_name_plural = "培训"
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["agency", "year"])]

    def __str__(self):
        return f"{self.held_on} {self.title}（{self.attendees}人次）"


class Assessment(Activity):
    """An assessment (考核评估) of the agency's disclosure work in the year."""

    title = models.CharField("考核评估名称", max_length=200)
    result = models.CharField("结果", max_length=300, blank=True)

    class Meta:
        verbose_name = "考核评估"
        verbose_name_plural = "考核评估"
        ordering = ["-year", "id"]

    def __str__(self):
        return f"{self.year}年{self.title}"


class NewMediaAccount(Activity):
    """A 政务新媒体 account and the posts it published in the year."""

    platform = models.CharField("平台", max_length=16, choices=Platform.choices)
    account = models.CharField("账号名称", max_length=100)
    posts = models.PositiveIntegerField("本年发布条数")

    class Meta:
        verbose_name = "政务新媒体"
        verbose_name_plural = "政务新媒体"
        ordering = ["-year", "platform", "account"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "platform", "account"],
                name="activities_newmedia_one_per_account",
                violation_error_message="本年度已登记过这个平台的这个账号，请修改原记录。",
            )
        ]

    def __str__(self):
        return f"{self.year}年{self.get_platform_display()}“{self.account}”{self.posts}条"


class EventKind(models.TextChoices):
    ADDED = "added", "登记"
    CHANGED = "changed", "修改"
    DELETED = "deleted", "删除"
    IMPORTED = "imported", "导入"


class ActivityEvent(Event):
    """One change to an agency's activity registers (append-only).

    register: which register (registers.REGISTERS key); row_id: the row, if one.
    data: the facts (fields old → new, the imported file and its row count).
    """

    agency = models.ForeignKey(
        Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="+"
    )
    register = models.CharField("登记簿", max_length=20)
    kind = models.CharField("操作", max_length=12, choices=EventKind.choices)
    row_id = models.PositiveIntegerField("记录编号", null=True, blank=True)

    record_name = "工作登记记录"

    class Meta(Event.Meta):
        verbose_name = "工作登记记录"
        verbose_name_plural = "工作登记记录"

    def __str__(self):
        return f"{self.agency} {self.register} {self.get_kind_display()}"
