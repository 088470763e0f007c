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
def upload_job(job_id):
    """Read, check and store the files of an UploadJob (collecting.run_upload)."""
    from .collecting import run_upload
    from .models import UploadJob

    job = UploadJob.objects.filter(pk=job_id).first()
    if job is None:
        return "任务已不存在。"
    job = run_upload(job)
    return f"{job.done} 个文件已处理。"


@task
def collect_published(published_id):
    """A report published on this platform, into the library (published.py)."""
    from .published import collect_published as run

    outcome = run(published_id)
    return outcome.result_name if outcome else "发布记录已不存在。"
