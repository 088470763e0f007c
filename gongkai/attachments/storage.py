"""Where accepted files live: MEDIA_ROOT/<subdir>/<random>.<ext>, never a user's path.

The stored name is 32 random hex digits plus the extension that
uploads.validate_upload checked; `subdir` is a fixed, code-chosen folder such as
"attachments/2026". Every path is resolved and must stay inside MEDIA_ROOT, so a
stored path read back from the database cannot point anywhere else either.
"""

import hashlib
import os
import re
import secrets
from pathlib import Path, PurePosixPath

from django.conf import settings

_SUBDIR = re.compile(r"[a-z0-9_-]+(/[a-z0-9_-]+)*")
_EXTENSION = re.compile(r"[a-z0-9]{1,10}")


class StorageError(Exception):
    """A path outside MEDIA_ROOT or a file that changed while it was written."""


def media_root():
    return Path(settings.MEDIA_ROOT).resolve()


def absolute_path(relative):
    """MEDIA_ROOT / relative, refusing anything that resolves outside MEDIA_ROOT."""
    relative = PurePosixPath(str(relative))
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise StorageError(f"refused stored path {str(relative)!r}")
    root = media_root()
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or path == root:
        raise StorageError(f"refused stored path {str(relative)!r}")
    return path


def store(uploaded_file, info, *, subdir):
    """Write the checked file under MEDIA_ROOT/subdir with a random name.

    Returns the path relative to MEDIA_ROOT (POSIX form). The bytes are hashed
    again while written; a file that changed since validate_upload is removed and
    refused.
    """
    if not _SUBDIR.fullmatch(subdir):
        raise StorageError(f"refused subdir {subdir!r}")
    if not _EXTENSION.fullmatch(info.extension):
        raise StorageError(f"refused extension {info.extension!r}")
    relative = f"{subdir}/{secrets.token_hex(16)}.{info.extension}"
    path = absolute_path(relative)
    _make_private_dirs(path.parent)
    digest = hashlib.sha256()
    try:
        # Exclusive (never overwrite) and readable by the server's account only: the
        # files include applicants' ID scans (issue 13 #13).
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, file_mode())
        os.fchmod(descriptor, file_mode())  # whatever the umask
        with open(descriptor, "wb") as out:
            for chunk in _chunks(uploaded_file):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != info.sha256:
            raise StorageError("file changed between check and storage")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return relative


def file_mode():
    return getattr(settings, "FILE_UPLOAD_PERMISSIONS", None) or 0o600


def directory_mode():
    return getattr(settings, "FILE_UPLOAD_DIRECTORY_PERMISSIONS", None) or 0o700


def _make_private_dirs(directory):
    """Create `directory` and its missing parents inside MEDIA_ROOT with directory_mode()."""
    root = media_root()
    missing = []
    while not directory.exists() and directory != root and directory.is_relative_to(root):
        missing.append(directory)
        directory = directory.parent
    if not root.exists():
        missing.append(root)
    for folder in reversed(missing):
        folder.mkdir(mode=directory_mode(), parents=True, exist_ok=True)
        os.chmod(folder, directory_mode())


def discard(relative):
    """Remove a stored file (used when the database write that goes with it failed)."""
    try:
        absolute_path(relative).unlink(missing_ok=True)
    except StorageError:
        pass


def _chunks(uploaded_file):
    if hasattr(uploaded_file, "chunks"):
        yield from uploaded_file.chunks()
        return
    uploaded_file.seek(0)
    while chunk := uploaded_file.read(64 * 1024):
        yield chunk
