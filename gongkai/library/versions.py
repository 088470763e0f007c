"""A corrected file as a new version of a report already in the library.

An agency answering a 整改事项 (gongkai.rectification) sends its corrected report; the
library takes it as the next version of the same report (not as a new report), so the
findings — identified by (report, rule, location) — keep their review states, and a
confirmed finding the corrected file no longer shows is marked as no longer found.

files(report): every original file the report has had, oldest first (OriginalFile:
the version it became the original at, when, who, why), for the report page's list
and the download of an earlier original.

replace(report, filename, data, reason, user): the file is read in the sandbox like
every collected file; it must be a readable report of the same agency and year. The
replaced original is kept (SupersededOriginal) with its SHA-256; audited (LibraryEvent
"revise"); the checks re-run.
"""

import hashlib
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.db import transaction

from gongkai.reports import sandbox
from gongkai.reports.views import NOT_A_REPORT

from . import matching, review
from .models import LibraryAgency, LibraryEvent, LibraryReport, Status, SupersededOriginal

MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class OriginalFile:
    """One original file of a report: `superseded` is its SupersededOriginal row (None
    for the current file); `since` the report's version it became the original at."""

    filename: str
    size: int
    sha256: str
    since: int
    at: object  # datetime
    by: object  # User or None
    reason: str
    superseded: SupersededOriginal | None

    @property
    def current(self):
        return self.superseded is None


def files(report):
    """[OriginalFile] of `report`, oldest first; the last is the current original.
    A file arrived when the one before it was replaced (the replacement's row holds
    when, who and why); the first arrived when the report was collected."""
    old = list(report.superseded.select_related("by").order_by("until_version", "id"))
    kept = [(o.filename, o.size, o.sha256, o) for o in old]
    kept.append((report.filename, report.size, report.sha256, None))
    out = []
    for n, (filename, size, sha, row) in enumerate(kept):
        if n == 0:
            since, at, by, reason = 1, report.collected_at, report.collected_by, "收集入库"
        else:
            came = old[n - 1]
            since, at, by, reason = came.until_version, came.at, came.by, came.reason
        out.append(OriginalFile(filename, size, sha, since, at, by, reason, row))
    return out


def holder(sha256):
    """The report that had the file `sha256` as an earlier original, or None."""
    old = SupersededOriginal.objects.filter(sha256=sha256).select_related("report").first()
    return old.report if old else None


def _read(report, filename, data):
    """The parsed corrected file, or ReviewError saying in Chinese why it is refused."""
    if not data:
        raise review.ReviewError("上传的文件是空的。请选择更正后的年度报告文件。")
    if len(data) > MAX_FILE_BYTES:
        raise review.ReviewError("文件超过 50 MB，不像一份年度报告，未接收。")
    sha = hashlib.sha256(data).hexdigest()
    if sha == report.sha256:
        raise review.ReviewError("上传的文件与这份报告现在的原件完全相同，不是更正后的版本。")
    if LibraryReport.objects.filter(sha256=sha).exists() or holder(sha):
        raise review.ReviewError("这份文件已在年报库中（SHA-256 相同），不是这份报告的更正版本。")
    outcome = sandbox.run(data, filename=filename)
    parsed = outcome.report
    if parsed is not None and parsed.get("template") is None and parsed.get("year") is None:
        parsed, outcome.error = None, NOT_A_REPORT
    if parsed is None:
        raise review.ReviewError(outcome.error or "读取这份文件时系统出错，问题已记录。")
    if parsed.get("year") != report.year:
        printed = f"{parsed['year']}年度" if parsed.get("year") else "未能读出年度"
        raise review.ReviewError(
            f"上传的报告为{printed}，与要更正的{report.year}年度报告不符，未接收。"
        )
    pool = [
        matching.Candidate(a.pk, a.name, a.alias_list())
        for a in LibraryAgency.objects.only("pk", "name", "aliases")
    ]
    found = matching.match(parsed.get("agency"), parsed.get("year"), filename, pool)
    if found.agency_id and found.agency_id != report.agency_id:
        raise review.ReviewError(
            f"上传的报告所载机关为“{parsed.get('agency')}”，不是{report.agency.name}，未接收。"
        )
    return sha, parsed


def replace(report, filename, data, reason, user, *, stored=None):
    """`report` with the corrected file as its new version; ReviewError if refused.
    `stored`: the name in storage of a file holding exactly `data` (adopt), which
    becomes the report's original as it is instead of a second copy of the bytes."""
    reason = (reason or "").strip()
    if not reason:
        raise review.ReviewError("请写明更换原件的理由（例如：按整改要求更正表三）。")
    if report.status != Status.FILED or report.parsed is None:
        raise review.ReviewError("只有已归档的报告可以更换为更正后的版本。")
    base = PurePosixPath(filename or "更正后的报告").name
    sha, parsed = _read(report, base, data)  # in the sandbox, outside the transaction
    with transaction.atomic():
        report = LibraryReport.objects.select_for_update().get(pk=report.pk)
        report.version += 1
        SupersededOriginal.objects.create(
            report=report,
            sha256=report.sha256,
            original=report.original.name,
            filename=report.filename,
            size=report.size,
            until_version=report.version,
            reason=reason,
            by=user,
        )
        before = report.sha256
        report.sha256, report.filename, report.size = sha, base, len(data)
        if stored:
            report.original.name = stored
        else:
            report.original.save(base, ContentFile(data), save=False)
        report.parsed = parsed
        report.printed_agency = (parsed.get("agency") or "")[:200]
        report.printed_year = parsed.get("year")
        report.save()
        LibraryEvent.objects.create(
            report=report,
            actor=user,
            kind="revise",
            data={
                "file": base,
                "sha256": sha,
                "from_sha256": before,
                "reason": reason,
                "version": report.version,
            },
        )
        return review.refresh(report, user)


def adopt(report, queued, reason, user):
    """A file waiting in the queue as a possible duplicate of `report` (collecting: a
    second, different file of the same agency and year) taken as `report`'s next
    version, like a corrected file (replace). The queued record goes; its file, who
    collected it and when are kept with the report (its original, the "revise" and
    "adopt" records). The file stays where it is stored, now the report's original (one
    copy of the bytes; the queued record that held it is gone), when it still has the
    SHA-256 it was collected with. ReviewError if refused."""
    if queued.status != Status.QUEUED or queued.parsed is None or queued.pk == report.pk:
        raise review.ReviewError("只有待指定机关的报告可以作为另一份报告的新版本。")
    if (queued.agency_id, queued.year) != (report.agency_id, report.year):
        raise review.ReviewError("这份文件与要更新的报告不是同一机关、同一年度，未作改动。")
    if queued.corrections.exists():
        raise review.ReviewError("这份文件已有单元格更正，请作为另一份报告归档。")
    with queued.original.open("rb") as f:
        data = f.read()
    intact = hashlib.sha256(data).hexdigest() == queued.sha256
    stored = queued.original.name if intact else None  # else stored again, as it reads now
    with transaction.atomic():
        collected = {
            "file": queued.filename,
            "sha256": queued.sha256,
            "collected_at": queued.collected_at.isoformat(),
            "collected_by": queued.collected_by.get_username() if queued.collected_by else "",
            "source": queued.source,
        }
        # Its records (collected when, by whom) follow the file into the report; the
        # queued row goes, so that its SHA-256 can become the report's.
        LibraryEvent.objects.filter(report=queued).update(report=report)
        queued.delete()
        report = replace(report, queued.filename, data, reason, user, stored=stored)
        LibraryEvent.objects.create(report=report, actor=user, kind="adopt", data=collected)
    return report
