"""Serving an item's attachment as a download (staff pages and the public portal).

The caller checks who may see the item first (staff: a membership reaching it; the
public: Item.objects.public(now)). The file is opened from its stored random name
through Django's storage (attachments.storage.open_stored refuses odd names), streamed and sent
as a download under its safe display name, with the content type found by the
upload check, nosniff and a sandboxing CSP, so a file can never run as a page.
"""

import logging

from django.http import FileResponse, Http404

from gongkai.attachments import storage

log = logging.getLogger(__name__)


def serve(attachment, *, cache_public=False):
    """FileResponse for `attachment`; 404 (Chinese) when the file is missing."""
    try:
        handle = storage.open_stored(attachment.file.name)
    except (OSError, storage.StorageError):
        log.error("publication attachment file missing: attachment=%s", attachment.pk)
        raise Http404("附件文件缺失，请联系系统管理员。") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=3600" if cache_public else "private, no-store"
    return response
