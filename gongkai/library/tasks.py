"""The library's background work (django.tasks; run by `gongkai worker`)."""

from django.tasks import task


@task
def collect_job(job_id):
    """Collect the reports at a CollectJob's web addresses (webcollect)."""
    from .models import CollectJob
    from .webcollect import run_job

    job = CollectJob.objects.filter(pk=job_id).first()
    if job is None:
        return "任务已不存在。"
    job = run_job(job)
    return f"{len(job.results)} 个网址已处理。"


@task
def recheck_all(user_id=None):
    """Re-check every report of the library (after a rule change); decisions stay."""
    from django.contrib.auth import get_user_model

    from .crosscheck import recheck_all as run

    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return f"已重新检查 {run(user)} 份报告。"
