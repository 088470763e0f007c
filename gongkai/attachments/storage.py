"""Where accepted files live: <subdir>/<random>.<ext> in Django's default storage.

Every stored file (case attachments and identity proofs, published items' files, report
originals, staged register imports) goes through Django's storage API
(settings.STORAGES["default"]): a local directory (MEDIA_ROOT, PrivateFileSystemStorage
below) by default, S3-compatible object storage (django-storages) when S3_BUCKET is set,
so several app servers and the worker see the same files (issue 17).

The stored name is 32 random hex digits plus the extension that
uploads.validate_upload checked; `subdir` is a fixed, code-chosen folder such as
"attachments/2026". Names read back from the database are checked again (no absolute
paths, no "..") before the storage is asked for them.

Private files are never given a public URL: downloads are streamed through Django
after the caller's permission check (attachments.services.serve,
publications.files.serve), so every download is checked, recorded and sent with our
headers (nosniff, a sandboxing CSP, no caching); the object store need not be reachable
from the Internet, and no link outlives the check.
"""

import hashlib
import os
import re
import secrets
import tempfile
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.utils._os import safe_makedirs

_SUBDIR = re.compile(r"[a-z0-9_-]+(/[a-z0-9_-]+)*")
_EXTENSION = re.compile(r"[a-z0-9]{1,10}")
SPOOL_BYTES = 1024 * 1024  # the verified copy stays in memory up to this size


class StorageError(Exception):
    """A refused stored name or a file that changed while it was written."""


class PrivateFileSystemStorage(FileSystemStorage):
    """The local default: files created exclusively with FILE_UPLOAD_PERMISSIONS (0600)
    from the first byte (not chmod-ed afterwards), folders with
    FILE_UPLOAD_DIRECTORY_PERMISSIONS (0700), and synced to disk before the row that
    names them commits. The files include applicants' ID scans (issue 13 #13)."""

    def _save(self, name, content):
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        safe_makedirs(directory, directory_mode(), exist_ok=True)
        while True:
            try:
                descriptor = os.open(full_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, file_mode())
            except FileExistsError:
                name = self.get_available_name(name)
                full_path = self.path(name)
                continue
            break
        try:
            os.fchmod(descriptor, file_mode())  # whatever the umask
            with open(descriptor, "wb") as out:
                for chunk in content.chunks():
                    out.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            os.unlink(full_path)
            raise
        return os.path.relpath(full_path, self.location).replace("\\", "/")


def files():
    """The storage every stored file goes through (settings.STORAGES["default"])."""
    return default_storage


def is_local():
    return isinstance(default_storage, FileSystemStorage)


def check_name(relative):
    """`relative` as a clean POSIX name, refusing absolute paths and '..'."""
    path = PurePosixPath(str(relative))
    if path.is_absolute() or ".." in path.parts or not path.parts or "\\" in str(relative):
        raise StorageError(f"refused stored path {str(relative)!r}")
    return path.as_posix()


def store(uploaded_file, info, *, subdir):
    """Write the checked file under subdir with a random name; returns the stored name.

    The bytes are hashed again while copied into a spool, and only a copy matching
    info.sha256 (what validate_upload checked) is saved: a file that changed since the
    check is refused and nothing is stored.
    """
    if not _SUBDIR.fullmatch(subdir):
        raise StorageError(f"refused subdir {subdir!r}")
    if not _EXTENSION.fullmatch(info.extension):
        raise StorageError(f"refused extension {info.extension!r}")
    relative = f"{subdir}/{secrets.token_hex(16)}.{info.extension}"
    digest = hashlib.sha256()
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        for chunk in _chunks(uploaded_file):
            digest.update(chunk)
            spool.write(chunk)
        if digest.hexdigest() != info.sha256:
            raise StorageError("file changed between check and storage")
        spool.seek(0)
        return save_exactly(relative, spool)


def save_exactly(relative, handle):
    """Save `handle` under exactly `relative` (new, random names: never taken)."""
    relative = check_name(relative)
    saved = default_storage.save(relative, File(handle, name=relative.rsplit("/", 1)[-1]))
    if saved != relative:
        discard(saved)
        raise StorageError(f"stored name {relative!r} was taken")
    return saved


def open_stored(relative):
    """The stored file opened for reading. FileNotFoundError when it is not stored (the
    S3 backend raises it for a missing key too), StorageError for a refused name; an
    unreachable object store raises its own error (a 500, logged)."""
    return default_storage.open(check_name(relative), "rb")


def exists(relative):
    return default_storage.exists(check_name(relative))


def discard(relative):
    """Remove a stored file (used when the database write that goes with it failed)."""
    try:
        default_storage.delete(check_name(relative))
    except (StorageError, OSError):
        pass


def walk(prefix=""):
    """Every stored file's name under `prefix` (all when empty), sorted."""
    found = []
    pending = [prefix.strip("/")]
    while pending:
        folder = pending.pop()
        try:
            directories, names = default_storage.listdir(folder)
        except (FileNotFoundError, NotADirectoryError):
            continue
        base = f"{folder}/" if folder else ""
        found += [base + n for n in names]
        pending += [base + d for d in directories]
    if is_local():  # a symlink in the media folder is never ours to copy
        found = [n for n in found if not os.path.islink(default_storage.path(n))]
    return sorted(found)


def walk_with_times(prefix):
    """(name, last modified) of every stored file under `prefix`, sorted: for the object
    store one paged listing (no request per object), locally the files' mtimes."""
    if is_local():
        return [(name, modified_time(name)) for name in walk(prefix)]
    location = (getattr(default_storage, "location", "") or "").strip("/")
    base = f"{location}/" if location else ""
    objects = default_storage.bucket.objects.filter(Prefix=f"{base}{prefix.strip('/')}/")
    return sorted((o.key[len(base) :], o.last_modified) for o in objects)


def modified_time(relative):
    return default_storage.get_modified_time(check_name(relative))


def file_mode():
    return getattr(settings, "FILE_UPLOAD_PERMISSIONS", None) or 0o600


def directory_mode():
    return getattr(settings, "FILE_UPLOAD_DIRECTORY_PERMISSIONS", None) or 0o700


def _chunks(uploaded_file):
    if hasattr(uploaded_file, "chunks"):
        yield from uploaded_file.chunks()
        return
    uploaded_file.seek(0)
    while chunk := uploaded_file.read(64 * 1024):
        yield chunk
