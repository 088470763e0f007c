"""The working-day calendar as data: one row per exceptional day."""

from django.db import models

from gongkai.audit import Event


class ExceptionalDay(models.Model):
    """A day that breaks the Monday-to-Friday rule: a holiday or a make-up workday.

    year: the schedule (notice) year the day belongs to; a make-up workday for 元旦
        may fall in the December before (e.g. 2018-12-29 belongs to 2019).
    scope: "" for the national schedule of the 国务院办公厅; otherwise a local scope
        on top of it (少数民族节日, local closures; 放假办法 第四条). Free text until the
        agencies app exists, then it will hold the agency's code (no FK on purpose).
    source: where the day comes from ("chinesecalendar 1.11.0", "国务院办公厅 国办发明电〔2024〕12号").
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "放假"
        WORKDAY = "workday", "上班"

    date = models.DateField("日期")
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    year = models.PositiveSmallIntegerField("所属年度", db_index=True)
    name = models.CharField("节日名称", max_length=50)
    scope = models.CharField("适用范围", max_length=50, blank=True, default="", db_index=True)
    source = models.CharField("来源", max_length=200)
    note = models.TextField("备注", blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "节假日/调休日"
        verbose_name_plural = "节假日/调休日"
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["date", "scope"], name="workdays_one_row_per_day"),
        ]

    def __str__(self):
        where = f"［{self.scope}］" if self.scope else ""
        return f"{self.date} {self.name}{self.get_kind_display()}{where}"


class CalendarChange(Event):
    """One change of the working-day calendar: who, when, and the days before and after.

    Every deadline is counted on this calendar, so each change is kept (issue 13 #4).
    how: what made the change (网页导入通知, 命令行, 后台修改, …).
    data: {"years": [...], "before": [[date, kind, name, scope], ...], "after": [...]}.
    """

    how = models.CharField("方式", max_length=50)

    class Meta(Event.Meta):
        verbose_name = "工作日历变更记录"
        verbose_name_plural = "工作日历变更记录"

    record_name = "工作日历变更记录"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.how} {self.actor_label}"
