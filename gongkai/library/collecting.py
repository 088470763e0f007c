"""Collecting reports into the library: files, zips and directories.

Every file is read by the engine in its sandbox (gongkai.reports.sandbox: a child
process with a memory and a time limit, as on the public 年报体检 page), whoever sent
it. A zip is checked by gongkai.safezip before any member is read. The original is
kept through Django's storage API (a FileField on default storage) with its SHA-256;
a file already in the library (same SHA-256) is left as it is.
"""

import hashlib
import io
import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from gongkai import safezip
from gongkai.reports import sandbox
from gongkai.reports.views import NOT_A_REPORT

from . import crosscheck, matching, review, versions
from .models import LibraryAgency, LibraryEvent, LibraryReport, Status, UploadJob

log = logging.getLogger("gongkai.library")
MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass
class Outcome:
    filename: str
    result: str  # "filed" | "queued" | "unreadable" | "same" | "refused"
    report: LibraryReport | None = None
    message: str = ""

    RESULT_NAMES = {
        "filed": "已归档",
        "queued": "待指定机关",
        "unreadable": "无法读取（已保存原件）",
        "same": "已在库中，未改动",
        "refused": "未接收",
    }

    @property
    def result_name(self):
        return self.RESULT_NAMES[self.result]

    def as_dict(self):
        r = self.report
        return {
            "file": self.filename,
            "result": self.result,
            "message": self.message,
            "id": r.pk if r else None,
            "sha256": r.sha256 if r else None,
            "agency": r.agency.name if r and r.agency_id else None,
            "year": r.year if r else None,
            "errors": r.error_count if r else None,
        }


def _member_name(info):
    """A zip member's name; names written by Chinese Windows tools are GBK, not cp437."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("gb18030")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name


def _infos(filename, data):
    """[(member name, ZipInfo)] of the files of a zip (checked by safezip first), or
    None for a file that is not a zip. Raises safezip.ZipRejected with a Chinese reason."""
    if not (filename.lower().endswith(".zip") and safezip.is_zip(data[:4])):
        return None
    out = []
    for info in safezip.check(data, filename):
        name = _member_name(info)
        parts = PurePosixPath(name).parts
        if info.is_dir() or any(p.startswith((".", "__MACOSX")) for p in parts):
            continue
        out.append((name, info))
    return out


def expand(filename, data):
    """[(name, bytes)]: the file itself, or a zip's members (checked by safezip first).
    Raises safezip.ZipRejected with a Chinese reason."""
    infos = _infos(filename, data)
    if infos is None:
        return [(filename, data)]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(f"{filename}/{name}", archive.read(info)) for name, info in infos]


def count(filename, data):
    """How many files `expand` makes of this one (a refused zip: 1), without reading them."""
    try:
        infos = _infos(filename, data)
    except safezip.ZipRejected:
        return 1
    return 1 if infos is None else len(infos)


def candidates(reach_q=None):
    agencies = LibraryAgency.objects.all()
    if reach_q is not None:
        agencies = agencies.filter(reach_q)
    return matching.Pool(
        matching.Candidate(a.pk, a.name, a.alias_list())
        for a in agencies.only("pk", "name", "aliases")
    )


def collect(
    files,
    *,
    user=None,
    collector=None,
    reach_q=None,
    source="",
    pool=None,
    missing=True,
    workers=1,
    progress=None,
    batch=None,
):
    """Import `files` ([(filename, bytes or Path)] or a lazy iterable of them, zips
    expanded); a list of Outcome, in the order of the files. `pool`: the candidates (from
    `candidates`), to reuse over calls. `missing`: bring REPORT-MISSING up to date
    afterwards (a caller importing many batches does it once at the end:
    crosscheck.refresh_missing). `workers` > 1: more than a handful of files are read
    that many at a time (parallel.read_ahead) while this process stores them one by one,
    in order, exactly as with one worker. The files are stored and checked in batches
    (CHECK_BATCH, one transaction each): a batch's reports are checked together
    (review.refresh_all), so the reports around them are read once per batch, and the
    files of one batch read each other as files stored earlier. `progress(done)`: after
    each batch. `batch`: files a batch (default CHECK_BATCH)."""
    if pool is None:
        pool = candidates(reach_q)
    from . import parallel

    outcomes = []
    items = parallel.read_ahead(_members(files), workers, _to_read)
    for chunk in _batches(items, batch or CHECK_BATCH):
        with transaction.atomic():  # a batch is stored and checked, or not at all
            stored = []
            for name, data, refused, read in chunk:
                outcome = refused or _one(name, data, user, collector, pool, source, read)
                outcomes.append(outcome)
                if outcome.result in ("filed", "queued", "unreadable"):
                    stored.append(outcome.report)
            # Checked together: the files of a batch read each other (CONTINUITY, peers).
            review.refresh_all(stored, user)
        if progress:
            progress(len(outcomes))
    if missing and any(o.result == "filed" for o in outcomes):
        crosscheck.refresh_missing()
    return outcomes


CHECK_BATCH = 50  # files stored and then checked together
CHECK_BATCH_BYTES = 64 * 1024 * 1024


def _batches(items, most):
    """Lists of up to `most` items (name, data, refused, reading) of `items`, and of at
    most about CHECK_BATCH_BYTES of file data."""
    batch, size = [], 0
    for item in items:
        batch.append(item)
        size += len(item[1] or b"")
        if len(batch) >= most or size >= CHECK_BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


UPLOAD_BATCH = 10  # an upload's progress moves every this many files


def start_upload(uploads, *, user, collector):
    """An UploadJob for `uploads` (Django UploadedFile objects), queued: the files are
    put in storage first (the request ends; the worker reads them)."""
    from django.core.files.storage import default_storage

    from gongkai.ops.tasks import enqueue

    from .tasks import upload_job

    with transaction.atomic():
        job = UploadJob.objects.create(requested_by=user, collector=collector)
        files, total = [], 0
        for i, upload in enumerate(uploads):
            head = upload.read()
            upload.seek(0)
            total += count(upload.name, head)
            path = default_storage.save(f"library/uploads/{job.pk}/{i:05d}", upload)
            files.append({"name": PurePosixPath(upload.name).name, "path": path,
                          "size": upload.size})  # fmt: skip
        job.files, job.total = files, total
        job.save(update_fields=["files", "total"])
        enqueue(upload_job, job.pk)
    return job


def run_upload(job):
    """Do an UploadJob's work (the task's body): collect its files as the upload page
    did in the request before, matched among the agencies the uploader may edit, with
    the progress recorded after every UPLOAD_BATCH files; the uploaded copies are then
    removed from storage (each file collected is kept as a report's original)."""
    from django.core.files.storage import default_storage

    from . import access, parallel

    user = job.requested_by

    def files():
        for f in job.files:
            with default_storage.open(f["path"], "rb") as stored:
                yield f["name"], stored.read()

    def progress(done):
        UploadJob.objects.filter(pk=job.pk).update(done=done)

    def work():
        # A re-run finds the files a failed run stored as "same": REPORT-MISSING is
        # brought up to date whatever it finds (the failed run may have stopped before).
        failed = LibraryEvent.objects.filter(kind="rerun_upload", data__job=job.pk)
        rerun = [e.data for e in failed]
        outcomes = collect(
            files(),
            user=user,
            collector=job.collector,
            reach_q=access.agencies_q(user, edit=True) if user else None,
            workers=parallel.WORKERS,
            progress=progress,
            batch=UPLOAD_BATCH,
            missing=not rerun,
        )
        if rerun:
            crosscheck.refresh_missing()
            outcomes = [_stored_before(o, job, rerun) for o in outcomes]
        return outcomes, {"done": len(outcomes), "total": max(job.total, len(outcomes))}

    if run_claimed(job, work):
        for f in job.files:
            default_storage.delete(f["path"])
    return job


def _stored_before(outcome, job, failed):
    """A re-run's outcome of one file: found in the library ("same") because a failed
    run of this job stored it (collected by the uploader for the same agency while that
    run ran: `failed`, the "rerun_upload" records' data), it is reported as that run
    stored it, so that the results list what became of every file of the upload."""
    import datetime as dt

    report = outcome.report
    if outcome.result != "same" or report is None:
        return outcome
    if (report.collected_by_id, report.collector_id) != (job.requested_by_id, job.collector_id):
        return outcome
    for run in failed:
        if not (run.get("started_at") and run.get("finished_at")):
            continue
        start, end = (dt.datetime.fromisoformat(run[k]) for k in ("started_at", "finished_at"))
        if start <= report.collected_at <= end:
            note = "在这次上传出错的那次运行中已收集入库，重新运行未再改动。"
            return Outcome(outcome.filename, str(report.status), report, note)
    return outcome


RERUN_REFUSED = {
    UploadJob.State.QUEUED: "这次上传正在排队等待读取，不必重新运行。",
    UploadJob.State.RUNNING: "这次上传正在读取和检查中，不能重新运行；请等它完成或出错后再看。",
    UploadJob.State.DONE: "这次上传已经完成，不能重新运行。如需再次收集，请重新上传文件"
    "（已在库中的文件不会重复入库）。",
}


def rerun_upload(job, *, by):
    """A FAILED UploadJob queued again, as a new upload is (tasks.upload_job), for its
    uploaded copies, which a failed run keeps in storage. Audited (LibraryEvent
    "rerun_upload", with the failed run's error and times); `by` is who asked, the files
    are still matched among the agencies the uploader reaches. Files a failed run
    stored already are found in the library by content and left as they are. ReviewError
    (Chinese) for a job not FAILED or whose uploaded copies are gone."""
    from django.core.files.storage import default_storage

    from .tasks import upload_job

    def still_there(job):
        gone = [f["name"] for f in job.files if not default_storage.exists(f["path"])]
        if gone:
            raise review.ReviewError(
                "上传的文件已不在服务器上，无法重新运行，请重新上传："
                + "、".join(gone[:5])
                + ("等" if len(gone) > 5 else "")
            )

    return requeue(
        job, by=by, kind="rerun_upload", task=upload_job, refused=RERUN_REFUSED,
        check=still_there, counts=("done",),
    )  # fmt: skip


def requeue(job, *, by, kind, task, refused, check=None, counts=()):
    """重新运行 of a FAILED UploadJob or CollectJob: put back in the queue on `task`, as a
    new job is, and audited (LibraryEvent `kind`, by `by`, with the failed run's error,
    times and `counts`, the job's progress fields, which start again from 0). `check(job)`
    may refuse first. ReviewError (Chinese, from `refused` by state) for
    a job not FAILED. Only a FAILED job is put back: another request may have re-run
    it meanwhile."""
    from gongkai.ops.tasks import enqueue

    model = type(job)
    State = model.State
    with transaction.atomic():
        job = model.objects.get(pk=job.pk)
        if job.state != State.FAILED:
            raise review.ReviewError(refused.get(job.state, "这项任务不能重新运行。"))
        if check:
            check(job)
        failed = {
            "job": job.pk,
            "error": job.error,
            **{f: getattr(job, f) for f in counts},
            "started_at": job.started_at.isoformat() if job.started_at else None,
            "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        }
        cleared = {"error": "", "results": [], "started_at": None, "finished_at": None}
        if not model.objects.filter(pk=job.pk, state=State.FAILED).update(
            state=State.QUEUED, **cleared, **dict.fromkeys(counts, 0)
        ):
            raise review.ReviewError(refused[State.QUEUED])
        LibraryEvent.objects.create(actor=by, kind=kind, data=failed)
        enqueue(task, job.pk)
    job.refresh_from_db()
    return job


def run_claimed(job, work):
    """Run a queued job (an UploadJob or a CollectJob) once: claimed by one worker (a
    job already started by another is left alone: False), then DONE with work()'s
    outcomes and extra fields, or FAILED with the error, re-raised. `job` is refreshed."""
    from django.utils import timezone

    from gongkai.ops.tasks import worker_id

    jobs = type(job).objects.filter(pk=job.pk)
    State = type(job).State
    claimed = jobs.filter(state=State.QUEUED).update(
        state=State.RUNNING, started_at=timezone.now(), worker=worker_id()
    )
    if not claimed:
        return False  # started by another worker
    try:
        outcomes, fields = work()
    except Exception as exc:  # noqa: BLE001 - the job's record says what went wrong
        jobs.update(state=State.FAILED, finished_at=timezone.now(), error=str(exc)[:2000])
        raise
    jobs.update(
        state=State.DONE,
        finished_at=timezone.now(),
        results=[o.as_dict() for o in outcomes],
        **fields,
    )
    job.refresh_from_db()
    return True


def recover_interrupted(now):
    """Upload and web-collecting jobs left running by a worker that died (kill -9, a
    crash): marked failed with the reason, and their queue entries too, so the page
    shows it and the office can 重新运行 (ops.tasks.recover_interrupted calls this).
    Nothing is half-written: files are stored and checked a batch per transaction, and
    a re-run recognises by content what an earlier run stored."""
    from gongkai.ops.tasks import fail_queue_entries, worker_gone

    from .models import CollectJob, UploadJob
    from .tasks import collect_job, upload_job

    again = {
        UploadJob: "可以在此重新运行",
        CollectJob: "可以在此重新运行",
    }
    for model, t in ((UploadJob, upload_job), (CollectJob, collect_job)):
        for job in model.objects.filter(state=model.State.RUNNING):
            if not worker_gone(job.worker, job.started_at, now):
                continue
            error = (
                f"运行中断：执行它的后台进程（{job.worker or '未知'}）意外终止，本次运行未完成。"
                f"已收集的报告已保存；{again[model]}，已入库的文件不会重复入库。"
            )
            with transaction.atomic():
                running = model.objects.filter(pk=job.pk, state=model.State.RUNNING)
                if running.update(state=model.State.FAILED, finished_at=now, error=error):
                    fail_queue_entries((t,), job.pk, now)
            log.error("%s %s interrupted (worker %s gone)", model.__name__, job.pk, job.worker)


def import_paths(paths, *, user=None, collector=None, workers=1, progress=None):
    """`gongkai library import`: the files at `paths` (a list of Path; the command
    expands directories) collected, matched among the whole directory (read once for
    the run), read `workers` at a time; REPORT-MISSING brought up to date once at the
    end. The list of Outcome, in the order of the files. The bench imports through
    this too."""
    outcomes = collect(
        ((str(path), Path(path)) for path in paths),
        user=user,
        collector=collector,
        pool=candidates(),
        missing=False,
        workers=workers,
        progress=progress,
    )
    crosscheck.refresh_missing()
    return outcomes


def _members(files):
    """(name, bytes, None) for every file of `files` and every member of its zips, in
    order; (name, None, Outcome) for a file refused as a whole (an unsafe zip, a path
    that cannot be read)."""
    for filename, data in files:
        if isinstance(data, Path):
            try:
                data = data.read_bytes()
            except OSError as exc:
                message = f"无法读取这个文件（{exc.strerror or exc}）。"
                yield filename, None, Outcome(filename, "refused", message=message)
                continue
        try:
            members = expand(filename, data)
        except safezip.ZipRejected as exc:
            yield filename, None, Outcome(filename, "refused", message=str(exc))
            continue
        for name, content in members:
            yield name, content, None


def _known(sha):
    """The report holding the file `sha256` (as its original or an earlier one), or None."""
    return LibraryReport.objects.filter(sha256=sha).first() or versions.holder(sha)


def _to_read(data):
    """Whether `_one` will read this file (not too big, not in the library already)."""
    return len(data) <= MAX_FILE_BYTES and _known(hashlib.sha256(data).hexdigest()) is None


def read(name, data):
    """The sandbox's reading of one file (in its own bounded child process)."""
    return sandbox.run(data, filename=PurePosixPath(name).name)


def _one(name, data, user, collector, pool, source, outcome=None):
    """Store one file, not yet checked; `outcome`: its reading if read ahead (else read
    here)."""
    if len(data) > MAX_FILE_BYTES:
        return Outcome(name, "refused", message="文件超过 50 MB，不像一份年度报告，未接收。")
    sha = hashlib.sha256(data).hexdigest()
    known = _known(sha)
    if known is not None:
        return Outcome(name, "same", known, "同一文件（SHA-256 相同）已在库中，未作改动。")
    base = PurePosixPath(name).name
    outcome = outcome or read(name, data)
    report = LibraryReport(
        sha256=sha,
        filename=base,
        size=len(data),
        collected_by=user,
        collector=collector,
        source=source or name,
    )
    parsed = outcome.report
    if parsed is not None and parsed.get("template") is None and parsed.get("year") is None:
        parsed, outcome.error = None, NOT_A_REPORT
    if parsed is None:
        report.status = Status.UNREADABLE
        report.error = outcome.error or "读取这份文件时系统出错，问题已记录。"
    else:
        found = matching.match(parsed.get("agency"), parsed.get("year"), name, pool)
        report.parsed = parsed
        report.printed_agency = (parsed.get("agency") or "")[:200]
        report.printed_year = parsed.get("year")
        report.agency_id, report.year = found.agency_id, found.year
        report.status = Status.FILED if found.agency_id and found.year else Status.QUEUED
        report.match_note = found.note[:300]
        report.suggestions = found.suggestions
        if report.status == Status.FILED and filed_report(found.agency_id, found.year):
            _hold(report)
    try:
        with transaction.atomic():
            if LibraryReport.objects.filter(sha256=sha).exists():  # imported meanwhile
                return Outcome(name, "same", LibraryReport.objects.get(sha256=sha))
            report.original.save(base, ContentFile(data), save=False)
            report.save()
            LibraryEvent.objects.create(
                report=report, actor=user, kind="collect", data={"file": name, "sha256": sha}
            )
    except IntegrityError:  # the same file stored by another import at this moment
        return Outcome(name, "same", LibraryReport.objects.filter(sha256=sha).first())
    # Checked by the caller (collect: review.refresh_all of the batch).
    result = {"filed": "filed", "queued": "queued", "unreadable": "unreadable"}[report.status]
    return Outcome(name, result, report, report.error or report.match_note)


DUPLICATE = "同一机关同一年度已有一份不同的报告"


def _filed(agency, year):
    """The filed reports of an agency-year (values or OuterRefs), the latest first."""
    return LibraryReport.objects.filter(agency=agency, year=year, status=Status.FILED).order_by(
        "-id"
    )


def filed_report(agency_id, year):
    """The filed report of `agency_id` and `year` (the latest collected), or None."""
    return _filed(agency_id, year).defer("parsed", "current").first()


def with_filed_reports(reports):
    """The reports of the queryset `reports` as a list, each with `existing`: the filed
    report of its agency and year (as filed_report), or None. Two queries however many
    reports there are (the queue page lists every possible duplicate beside its twin)."""
    from django.db.models import OuterRef, Subquery

    latest = _filed(OuterRef("agency"), OuterRef("year")).values("pk")[:1]
    out = list(reports.annotate(existing_pk=Subquery(latest)))
    wanted = {r.existing_pk for r in out if r.existing_pk is not None}
    found = LibraryReport.objects.defer("parsed", "current").in_bulk(wanted)
    for r in out:
        r.existing = found.get(r.existing_pk)
    return out


def _hold(report):
    """A second, different file for an agency-year already filed waits in the queue
    (with its agency and year: a possible duplicate) for a person to decide: the
    existing report's new version (versions.adopt; e.g. a republished corrected
    report) or another report of that year (review.assign). Filing it silently would
    leave two reports of one agency-year, one of them no longer counted."""
    report.status = Status.QUEUED
    name = report.agency.name if report.agency_id else ""
    report.match_note = (
        f"{DUPLICATE}（{name} {report.year}年度）：请核对是作为原报告的新版本，还是另一份报告"
    )[:300]
    report.suggestions = [{"id": report.agency_id, "name": name, "score": 1.0}]


def rematch_queued(user=None):
    """Match the reports waiting in the queue again (after the directory changed); the
    number filed. Each is matched among the agencies its collector reaches."""
    from .models import Status as S

    filed = 0
    pools = {}
    for report in LibraryReport.objects.filter(status=S.QUEUED, parsed__isnull=False):
        key = report.collector.path if report.collector_id else ""
        if key not in pools:
            reach = LibraryAgency.objects.filter(path__startswith=key) if key else None
            pools[key] = matching.Pool(
                matching.Candidate(a.pk, a.name, a.alias_list())
                for a in (reach if reach is not None else LibraryAgency.objects.all())
            )
        found = matching.match(
            report.parsed.get("agency"), report.parsed.get("year"), report.source, pools[key]
        )
        if not (found.agency_id and found.year):
            continue
        if filed_report(found.agency_id, found.year) is not None:
            if report.agency_id != found.agency_id or report.year != found.year:
                report.agency_id, report.year = found.agency_id, found.year
                _hold(report)
                report.save(update_fields=["agency", "year", "match_note", "suggestions"])
            continue
        with transaction.atomic():
            report.agency_id, report.year = found.agency_id, found.year
            report.status, report.match_note = S.FILED, found.note[:300]
            report.suggestions = []
            report.save()
            LibraryEvent.objects.create(
                report=report, actor=user, kind="match", data={"agency": found.agency_id}
            )
            review.refresh(report, user)
        filed += 1
    return filed
