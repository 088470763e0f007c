from django.contrib import admin, messages

from gongkai.ops import tasks
from gongkai.ops.models import JobRun
from gongkai.ops.schedule import EXTRA_LABELS, JOBS, label


class JobFilter(admin.SimpleListFilter):
    title = "任务"
    parameter_name = "job"

    def lookups(self, request, model_admin):
        return [(job.name, job.label) for job in JOBS] + list(EXTRA_LABELS.items())

    def queryset(self, request, queryset):
        return queryset.filter(job=self.value()) if self.value() else queryset


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = [
        "job_label",
        "slot",
        "trigger",
        "status",
        "attempt",
        "started_at",
        "finished_at",
        "short_error",
    ]
    list_filter = ["status", JobFilter, "trigger"]
    readonly_fields = [f.name for f in JobRun._meta.fields]
    actions = ["rerun"]

    @admin.display(description="任务")
    def job_label(self, run):
        return label(run.job)

    @admin.display(description="错误")
    def short_error(self, run):
        return run.error.strip().splitlines()[-1][:120] if run.error.strip() else ""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="重新运行所选任务")
    def rerun(self, request, queryset):
        jobs = {}
        for run in queryset:
            jobs.setdefault(run.job, run)  # once per job, however many of its runs are picked
        for run in jobs.values():
            tasks.rerun(run, by=request.user)
        names = "、".join(label(j) for j in jobs)
        self.message_user(request, f"已排队重新运行：{names}。", messages.SUCCESS)
