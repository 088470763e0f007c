"""JobRun: one run of a periodic job (or of a queued mail), as the admin sees it."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class JobRun(models.Model):
    """One run of a job from gongkai.ops.schedule.JOBS, or one mail delivery.

    slot: for a scheduled run, the day it belongs to (YYYY-MM-DD, Beijing time); unique
        per job, so two workers never start the same day's run twice. Empty for re-runs
        asked for in the admin and for mail.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "运行中"
        SUCCEEDED = "succeeded", "成功"
        FAILED = "failed", "失败"

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "按计划"
        MANUAL = "manual", "手动重新运行"
        QUEUE = "queue", "队列"
        COMMAND = "command", "命令行（如 cron）"

    job = models.CharField("任务", max_length=50, db_index=True)
    slot = models.CharField("计划时段", max_length=20, blank=True, default="")
    trigger = models.CharField("触发方式", max_length=10, choices=Trigger.choices)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attempt = models.PositiveSmallIntegerField("第几次尝试", default=1)
    # mail: the notices created on or after this day are e-mailed
    since = models.DateField("起始日期", null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="要求重新运行的人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    enqueued_at = models.DateTimeField("排队时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    # host:pid of the worker process that started the run (tasks.recover_interrupted)
    worker = models.CharField("执行进程", max_length=100, blank=True, default="")
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    output = models.TextField("输出", blank=True)
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = "定时任务运行记录"
        verbose_name_plural = "定时任务运行记录"
        ordering = ["-enqueued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "slot"],
                condition=~models.Q(slot=""),
                name="ops_jobrun_one_scheduled_run_per_slot",
            )
        ]

    def __str__(self):
        from gongkai.ops.schedule import label

        when = self.slot or f"{timezone.localtime(self.enqueued_at):%Y-%m-%d %H:%M}"
        return f"{label(self.job)} {when}"
