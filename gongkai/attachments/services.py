"""Attaching, removing and serving case files: explicit, atomic, audited functions.

Who may act follows the case pages (Membership.objects.acting_on): anyone who may
act on a case may attach a file to it and download its files; a handler reaches
only its own department's cases. The applicant (by=None) may attach only while
the case is being processed, and only application, identity and 补正 material.
Nothing is ever hard-deleted: `remove` hides an attachment and records why.
"""

import datetime as dt
import logging

from django.db import transaction
from django.http import FileResponse, Http404
from django.utils import timezone

from gongkai.agencies.models import Membership, Role
from gongkai.attachments import storage
from gongkai.attachments.models import (
    AttachmentAction,
    AttachmentEvent,
    AttachmentKind,
    CaseAttachment,
)
from gongkai.attachments.uploads import DEFAULT_ALLOWED, UploadRejected, validate_upload
from gongkai.cases.models import Case, Status

log = logging.getLogger("gongkai.audit")

REMOVE_ROLES = {Role.OFFICE, Role.ADMIN}  # besides the person who uploaded the file
APPLICANT_KINDS = {AttachmentKind.IDENTITY, AttachmentKind.APPLICATION, AttachmentKind.CORRECTION}

__all__ = [
    "AttachmentError",
    "UploadRejected",
    "attach",
    "remove",
    "public_attachments",
    "public_attachment",
    "serve",
    "roles_on",
    "may_upload",
    "orphaned_files",
    "show_to_applicant",
]


class AttachmentError(Exception):
    """An attachment step that may not be taken; the message (Chinese) says why."""


# An ID scan is refused to roles that see the applicant masked (王*); downloading any
# of APPLICANT_KINDS in full is a view of personal data (cases.privacy).
MASKED_REFUSED_KINDS = frozenset({AttachmentKind.IDENTITY})


def roles_on(user, case):
    """The roles `user` holds that reach `case` (empty: may not see it)."""
    return Membership.objects.roles_reaching(user, case.agency_id, case.department_id)


def may_upload(case, roles):
    return bool(roles) and case.status != Status.ARCHIVED


def _check_attach(case, by, kind):
    if kind not in AttachmentKind.values:
        raise AttachmentError("请选择材料类别：" + "、".join(AttachmentKind.labels) + "。")
    if by is None:
        if not case.is_open():
            raise AttachmentError(
                f"申请 {case.tracking_number} 已办结，不能再在网上提交材料。如有需要，请联系受理机关。"
            )
        if kind not in APPLICANT_KINDS:
            raise AttachmentError("申请人只能提交身份证明、申请材料或补正材料。")
        return
    if not roles_on(by, case):
        raise AttachmentError("您无权为这件申请上传附件。")
    if case.status == Status.ARCHIVED:
        raise AttachmentError(
            f"申请 {case.tracking_number} 已归档，不能再添加附件。如需补充案卷，请联系政务公开办。"
        )


def attach(case, uploaded_file, *, kind, by, visible_to_applicant=False, allowed=DEFAULT_ALLOWED):
    """Check, store and record one file for `case`; returns the CaseAttachment.

    by: the staff user, or None for the applicant. The file is written inside the
    transaction that writes the row and its audit event; if the database write
    fails, the file is removed again. Raises UploadRejected for an unacceptable
    file and AttachmentError for a step that may not be taken (nothing is kept).
    """
    info = validate_upload(uploaded_file, allowed=allowed)
    relative = None
    try:
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=case.pk)
            _check_attach(case, by, kind)
            relative = storage.store(uploaded_file, info, subdir=_subdir())
            row = CaseAttachment.objects.create(
                case=case,
                kind=kind,
                original_name=info.safe_name,
                stored_path=relative,
                size=info.size,
                sha256=info.sha256,
                content_type=info.content_type,
                uploaded_by=by,
                visible_to_applicant=visible_to_applicant,
            )
            AttachmentEvent.objects.create(
                attachment=row,
                action=AttachmentAction.UPLOAD,
                actor=by,
                data={
                    "name": info.safe_name,
                    "kind": kind,
                    "size": info.size,
                    "sha256": info.sha256,
                    "visible_to_applicant": visible_to_applicant,
                },
            )
    except BaseException:
        if relative is not None:
            storage.discard(relative)
        raise
    log.info(
        "attachment stored: case=%s attachment=%s by=%s",
        case.tracking_number,
        row.pk,
        by.get_username() if by else "applicant",
    )
    return row


def orphaned_files(*, older_than=dt.timedelta(hours=1)):
    """Stored files with no CaseAttachment row, older than `older_than` (relative paths).

    `attach` removes its file when its own transaction fails; when it ran inside a
    caller's larger transaction that rolled back later, the file stays behind. The
    `attachments_sweep` command lists these and, with --delete, removes them.
    """
    known = set(CaseAttachment.objects.values_list("stored_path", flat=True))
    cutoff = timezone.now() - older_than
    found = []
    for relative, modified in storage.walk_with_times("attachments"):
        if relative not in known and modified < cutoff:
            found.append(relative)
    return found


def _subdir():
    now = timezone.localtime()
    return f"attachments/{now:%Y}/{now:%m}"


@transaction.atomic
def remove(attachment, *, by, reason):
    """Hide an attachment from lists and downloads; the row, the file and the record stay.

    The office (政务公开办), the system administrator, or whoever uploaded it.
    """
    row = CaseAttachment.objects.select_for_update().select_related("case").get(pk=attachment.pk)
    roles = roles_on(by, row.case)
    if not roles:
        raise AttachmentError("您无权处理这件申请的附件。")
    if not (roles & REMOVE_ROLES or (row.uploaded_by_id and row.uploaded_by_id == by.pk)):
        raise AttachmentError("只有政务公开办、系统管理员或上传人可以移除附件。")
    if row.case.status == Status.ARCHIVED:
        raise AttachmentError("已归档的申请不能再移除附件。")
    if row.removed_at is not None:
        raise AttachmentError(f"附件“{row.original_name}”已于 {row.removed_at:%Y-%m-%d} 移除。")
    reason = str(reason or "").strip()
    if not reason:
        raise AttachmentError("请填写移除原因（例如：上传错了文件）。")
    row.removed_at, row.removed_by, row.removal_reason = timezone.now(), by, reason[:200]
    row.save(update_fields=["removed_at", "removed_by", "removal_reason"])
    AttachmentEvent.objects.create(
        attachment=row, action=AttachmentAction.REMOVE, actor=by, data={"reason": reason[:200]}
    )
    return row


REPLY_KINDS = (AttachmentKind.REPLY, AttachmentKind.INFORMATION)


def show_to_applicant(case, *, kinds=REPLY_KINDS):
    """Make the case's present attachments of `kinds` (the reply and the information
    provided) visible on the applicant's 查询 page (电子送达, issue 14 part 4). Call
    inside the delivering step's transaction, which records the ids it returns
    (letters.delivery: LetterEvent 电子送达)."""
    rows = list(
        CaseAttachment.objects.select_for_update()
        .present()
        .filter(case=case, kind__in=kinds, visible_to_applicant=False)
        .order_by("id")
    )
    CaseAttachment.objects.filter(pk__in=[r.pk for r in rows]).update(visible_to_applicant=True)
    return [r.pk for r in rows]


# ---- reading -------------------------------------------------------------------------


def public_attachments(case):
    """The attachments the applicant may see (for the 查询 page), oldest first."""
    return CaseAttachment.objects.for_applicant().filter(case=case).order_by("uploaded_at", "id")


def public_attachment(case, pk):
    """One attachment of `case` the applicant may download; Http404 otherwise."""
    try:
        return public_attachments(case).get(pk=pk)
    except (CaseAttachment.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到这个附件。") from None


def serve(attachment, *, by=None):
    """The file as a download response; records who downloaded it.

    Call only after checking the caller may see it (staff: roles_on; the
    applicant: the 查询码, then public_attachment). by=None records an applicant
    download. Content-Disposition: attachment with an RFC 5987 filename*, the
    content type from the checked content, nosniff, and no caching.
    """
    if attachment.removed_at is not None:
        raise Http404("没有找到这个附件。")
    try:
        handle = storage.open_stored(attachment.stored_path)
    except (OSError, storage.StorageError):
        log.error("attachment file missing: attachment=%s", attachment.pk)
        raise Http404("附件文件缺失，请联系系统管理员。") from None
    AttachmentEvent.objects.create(
        attachment=attachment,
        action=AttachmentAction.DOWNLOAD if by else AttachmentAction.APPLICANT_DOWNLOAD,
        actor=by,
        data={"on": timezone.localdate().isoformat()},
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
