"""Importing business-system data: stage → preview → confirm → one atomic replacement.

stage()        copies the upload (size-capped, hashed) to the stored file
               registers/pending/<token> (Django's storage: the local media folder or
               the object store, so any app server can confirm it), validates every row (rows.scan_file) and records a PendingImport.
commit()       re-reads the staged file (same SHA-256) and calls write_batch().
write_batch()  in one transaction: locks the agency, refuses a period that cuts
               through an earlier import, writes the new batch's rows in chunks
               as they stream from the file, deletes the rows of the batches it
               replaces and marks them replaced, writes one RegisterEvent. Any
               failure part-way rolls everything back: the previous batch stays.
import_file()  the command-line path: validate and write, no pending step.

A period lies within one calendar year and never after `today`: table 二 counts
a year (Art. 20, regulation.md §2.4), and a period not yet over has no data.
"""

import contextlib
import hashlib
import os
import re
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gongkai.agencies.models import Agency
from gongkai.attachments import storage

from . import rows
from .access import RegisterError, require_edit
from .models import (
    Decision,
    EventKind,
    FeeRecord,
    ImportBatch,
    PendingImport,
    RegisterEvent,
    Via,
)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
CHUNK_ROWS = 2000
PENDING_TTL = timedelta(days=1)
_TOKEN_RE = re.compile(r"[0-9a-f]{32}")


def max_bytes():
    return int(getattr(settings, "REGISTERS_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _mb(n):
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n} 字节"


def pending_name(token):
    """The stored name of a token's staged file; the token is server-made hex, checked
    again here."""
    if not _TOKEN_RE.fullmatch(token or ""):
        raise RegisterError("导入凭据无效，请重新上传文件。")
    return f"registers/pending/{token}"


@contextlib.contextmanager
def staged_copy(token, missing="暂存的文件已不存在（可能已过期被清理），请重新上传。"):
    """A local temporary copy of the staged file (the readers want a path); RegisterError
    (`missing`) when it is gone."""
    name = pending_name(token)
    try:
        source = storage.open_stored(name)
    except OSError:
        raise RegisterError(missing) from None
    fd, local = tempfile.mkstemp(prefix="gongkai-import-")
    try:
        with source, open(fd, "wb") as out:
            while chunk := source.read(1 << 16):
                out.write(chunk)
        yield Path(local)
    finally:
        os.unlink(local)


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 16):
            digest.update(chunk)
    return digest.hexdigest()


# ---- periods and what an import replaces ---------------------------------------------


def check_period(start, end, today):
    """RegisterError (Chinese) unless start..end is a valid import period."""
    if start is None or end is None:
        raise RegisterError("请填写导入期间的起始日和截止日。")
    if start > end:
        raise RegisterError(f"导入期间的起始日（{start}）晚于截止日（{end}），请调换或改正。")
    if start.year != end.year:
        raise RegisterError(
            f"导入期间（{start} 至 {end}）跨了年度。年报按年度统计，请按年度分成两个文件分别导入。"
        )
    if end > today:
        raise RegisterError(
            f"导入期间的截止日（{end}）晚于今天（{today}）：尚未结束的日子还没有数据，"
            f"请把截止日改为 {today} 或更早。"
        )


def _describe_batch(batch):
    return (
        f"{batch.period_start} 至 {batch.period_end}（文件“{batch.file_name}”，"
        f"{batch.accepted} 行）"
    )


def replaced_by_period(agency, kind, start, end):
    """The current batches an import for start..end would replace; RegisterError if one
    only partly overlaps the period (replacing it would drop data outside the period)."""
    overlapping = list(
        ImportBatch.objects.current()
        .filter(agency=agency, kind=kind)
        .overlapping(start, end)
        .order_by("period_start", "id")
    )
    partial = [b for b in overlapping if b.period_start < start or b.period_end > end]
    if partial:
        listed = "；".join(_describe_batch(b) for b in partial)
        lo = min([start] + [b.period_start for b in partial])
        hi = max([end] + [b.period_end for b in partial])
        raise RegisterError(
            f"已有导入与本次期间（{start} 至 {end}）部分重叠：{listed}。"
            "替换它会丢失本次期间以外的数据。请导入覆盖整个期间的文件"
            f"（期间选 {lo} 至 {hi}），或另选不重叠的期间。"
        )
    return overlapping


# ---- writing ---------------------------------------------------------------------------


def _record(kind, agency_id, values):
    if kind == rows.FEES:
        return FeeRecord(
            agency_id=agency_id,
            charged_on=values["charged_on"],
            item=values["item"],
            amount=values["amount"],
            receipt=values.get("receipt") or "",
        )
    return Decision(
        agency_id=agency_id,
        kind=kind,
        decided_on=values["decided_on"],
        number=values["number"],
        matter=values["matter"],
        note=values.get("note") or "",
    )


def _write_rows(batch, results):
    """bulk_create accepted rows in chunks as they stream by; returns the counts."""
    model = FeeRecord if batch.kind == rows.FEES else Decision
    accepted = rejected = 0
    amount = 0
    chunk = []
    for result in results:
        if isinstance(result, rows.Rejected):
            rejected += 1
            continue
        record = _record(batch.kind, batch.agency_id, result.values)
        record.batch = batch
        if batch.kind == rows.FEES:
            amount += record.amount
        chunk.append(record)
        accepted += 1
        if len(chunk) >= CHUNK_ROWS:
            model.objects.bulk_create(chunk)
            chunk = []
    if chunk:
        model.objects.bulk_create(chunk)
    return accepted, rejected, amount


@transaction.atomic
def write_batch(
    *, agency, kind, start, end, results, by, file_name, sha256, via=Via.WEB, expected=None
):
    """Replace the agency's `kind` data for start..end with `results`, atomically.

    `results`: Accepted/Rejected rows (rows.results); only Accepted rows are
    written. `expected`: the accepted count the user confirmed; a different
    count aborts. Returns the new ImportBatch.
    """
    agency = Agency.objects.select_for_update().get(pk=agency.pk)  # one import at a time
    if via == Via.WEB or by is not None:
        require_edit(by, agency, EventKind.IMPORTED.label)
    replaced = replaced_by_period(agency, kind, start, end)
    batch = ImportBatch.objects.create(
        agency=agency,
        kind=kind,
        period_start=start,
        period_end=end,
        file_name=file_name[:255],
        sha256=sha256,
        imported_by=by,
        via=via,
    )
    try:
        accepted, rejected, amount = _write_rows(batch, results)
    except rows.FileError as error:
        raise RegisterError(str(error)) from None
    if expected is not None and accepted != expected:
        raise RegisterError(
            f"文件重新读取后可导入 {accepted} 行，与预览时的 {expected} 行不一致，未导入任何数据。"
            "请重新上传文件。"
        )
    batch.accepted, batch.rejected = accepted, rejected
    batch.amount = amount if kind == rows.FEES else None
    batch.save(update_fields=["accepted", "rejected", "amount"])
    old = [b.pk for b in replaced]
    Decision.objects.filter(batch_id__in=old).delete()
    FeeRecord.objects.filter(batch_id__in=old).delete()
    ImportBatch.objects.filter(pk__in=old).update(replaced_by=batch)
    RegisterEvent.objects.create(
        agency=agency,
        kind=EventKind.IMPORTED,
        actor=by,
        batch=batch,
        data={
            "kind": kind,
            "period": [start.isoformat(), end.isoformat()],
            "file_name": batch.file_name,
            "sha256": sha256,
            "via": via,
            "accepted": accepted,
            "rejected": rejected,
            "amount": str(batch.amount) if batch.amount is not None else None,
            "replaced": [
                {"id": b.pk, "file_name": b.file_name, "accepted": b.accepted} for b in replaced
            ],
        },
    )
    return batch


# ---- the web flow: stage, preview, confirm ----------------------------------------------


def _copy(chunks, path, limit):
    digest, size = hashlib.sha256(), 0
    try:
        with open(path, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    break
                digest.update(chunk)
                out.write(chunk)
    except BaseException:  # a broken upload stream or a full disk: keep nothing
        path.unlink(missing_ok=True)
        raise
    if size > limit:
        path.unlink(missing_ok=True)
        raise RegisterError(
            f"文件大小超过上限（{_mb(limit)}），未导入。请按月份或季度拆分成几个文件，"
            "分别选择对应的导入期间后导入。"
        )
    return digest.hexdigest(), size


def discard_stale(now=None):
    """Remove pending imports (and their files) older than PENDING_TTL."""
    cutoff = (now or timezone.now()) - PENDING_TTL
    for token in PendingImport.objects.filter(uploaded_at__lt=cutoff).values_list(
        "token", flat=True
    ):
        discard(token)


def discard(token):
    """Forget a pending import and delete its file (no error if already gone)."""
    PendingImport.objects.filter(token=token).delete()
    storage.discard(pending_name(token))


def stage(chunks, *, agency, kind, start, end, by, file_name, today):
    """Store and validate an upload; returns (PendingImport, rows.Scan).

    RegisterError (Chinese) when the period, the file or the user is not acceptable;
    nothing is kept then.
    """
    require_edit(by, agency, EventKind.IMPORTED.label)
    if kind not in rows.KINDS:
        raise RegisterError("请选择导入类别。")
    check_period(start, end, today)
    replaced_by_period(agency, kind, start, end)
    discard_stale()
    token = secrets.token_hex(16)
    name = pending_name(token)
    fd, local = tempfile.mkstemp(prefix="gongkai-import-")
    os.close(fd)
    path, saved = Path(local), False
    try:
        sha256, size = _copy(chunks, path, max_bytes())
        scan = rows.scan_file(path, file_name, kind, start, end)
        with open(path, "rb") as handle:
            storage.save_exactly(name, handle)
        saved = True
        pending = _record_pending(
            token, agency, kind, start, end, by, file_name, sha256, size, scan
        )
    except rows.FileError as error:
        raise RegisterError(str(error)) from None
    except BaseException:
        if saved:
            storage.discard(name)
        raise
    finally:
        path.unlink(missing_ok=True)
    return pending, scan


def _record_pending(token, agency, kind, start, end, by, file_name, sha256, size, scan):
    return PendingImport.objects.create(
        token=token,
        agency=agency,
        kind=kind,
        period_start=start,
        period_end=end,
        file_name=file_name[:255],
        sha256=sha256,
        size=size,
        uploaded_by=by,
        accepted=scan.accepted,
        rejected=len(scan.rejected),
        amount=scan.amount if kind == rows.FEES else None,
    )


def rescan(pending):
    """Validate the staged file again (for the preview page); RegisterError if it is gone."""
    try:
        with staged_copy(pending.token) as path:
            return rows.scan_file(
                path, pending.file_name, pending.kind, pending.period_start, pending.period_end
            )
    except rows.FileError as error:
        raise RegisterError(str(error)) from None


def commit(pending, *, by, allow_rejected=False):
    """确认导入: write the staged file's accepted rows, replacing the period's old batch."""
    with transaction.atomic():
        pending = (
            PendingImport.objects.select_for_update()
            .select_related("agency")
            .filter(pk=pending.pk, uploaded_by=by)
            .first()
        )
        if pending is None:
            raise RegisterError("这次上传的预览已失效（已导入或已取消），请重新上传文件。")
        gone = "暂存的文件已不存在或已变化，未导入任何数据。请重新上传。"
        with staged_copy(pending.token, missing=gone) as path:
            if sha256_of(path) != pending.sha256:
                raise RegisterError(gone)
            if pending.rejected and not allow_rejected:
                raise RegisterError(
                    f"有 {pending.rejected} 行未通过校验。请改正文件后重新上传；"
                    "或勾选“只导入通过校验的行”后再确认。"
                )
            batch = _write_pending(pending, path, by)
        token = pending.token
        pending.delete()
        transaction.on_commit(lambda: storage.discard(pending_name(token)))
    return batch


def _write_pending(pending, path, by):
    return write_batch(
        agency=pending.agency,
        kind=pending.kind,
        start=pending.period_start,
        end=pending.period_end,
        results=rows.results(
            path, pending.file_name, pending.kind, pending.period_start, pending.period_end
        ),
        by=by,
        file_name=pending.file_name,
        sha256=pending.sha256,
        expected=pending.accepted,
    )


# ---- the command-line path -------------------------------------------------------------


def import_file(
    path, *, agency, kind, start, end, today, by=None, dry_run=False, allow_rejected=False,
    via=Via.COMMAND,
):  # fmt: skip
    """Validate a file and (unless dry_run) import it; returns (rows.Scan, batch or None).

    Rejected rows stop the import unless allow_rejected. RegisterError (Chinese)
    for anything unacceptable; nothing is written then.
    """
    path = Path(path)
    if kind not in rows.KINDS:
        raise RegisterError(f"未知的导入类别“{kind}”。可选：{'、'.join(rows.KINDS)}。")
    check_period(start, end, today)
    replaced_by_period(agency, kind, start, end)
    try:
        if path.stat().st_size > max_bytes():
            raise RegisterError(f"文件大小超过上限（{_mb(max_bytes())}），请拆分后分别导入。")
        scan = rows.scan_file(path, path.name, kind, start, end)
    except rows.FileError as error:
        raise RegisterError(str(error)) from None
    except OSError as error:
        raise RegisterError(f"无法读取文件“{path}”：{error.strerror or error}。") from None
    if dry_run:
        return scan, None
    if scan.rejected and not allow_rejected:
        raise RegisterError(
            f"有 {len(scan.rejected)} 行未通过校验，未导入任何数据。"
            "请改正后重试，或加 --allow-rejected 只导入通过校验的行。"
        )
    batch = write_batch(
        agency=agency,
        kind=kind,
        start=start,
        end=end,
        results=rows.results(path, path.name, kind, start, end),
        by=by,
        file_name=path.name,
        sha256=sha256_of(path),
        via=via,
        expected=scan.accepted,
    )
    return scan, batch
