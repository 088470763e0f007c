"""`gongkai backup` / `gongkai restore`: the database and the stored files in one archive.

The archive (tar.gz) holds manifest.json (format, time, the migrations the data needs,
row counts, and the SHA-256 of every file), database.json (Django's dumpdata, portable
between SQLite and PostgreSQL) and media/ (every stored file, read through Django's
storage API: the local media folder or the S3-compatible object store alike).

Consistency: the database is read in one transaction (REPEATABLE READ on PostgreSQL: one
snapshot for every table), then the files are copied. A stored file is written before
the row that names it commits, and files are never changed in place (an attachment's
removal hides it, the file stays), so every file the snapshot names is stored when the
files are copied; a file uploaded meanwhile is copied too, harmlessly, without its row.

Restore wants an empty database and an empty file storage (a new site): it migrates,
checks that this version knows every migration the backup needs, unpacks and verifies
the files, loads the rows in one transaction; any failure leaves both empty again.
"""

import datetime as dt
import hashlib
import io
import json
import shutil
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from gongkai.attachments import storage

FORMAT = "gongkai-backup/1"
# Not kept: rebuilt by migrate (content types, permissions), transient (sessions, the
# task queue; the JobRun history is kept).
EXCLUDE = ["contenttypes", "auth.permission", "sessions", "django_tasks_database"]


class BackupError(Exception):
    """A Chinese message for the person running the command."""


def _copy_hashed(source, out):
    """Copy the open file `source` to the open file `out`; the SHA-256 of the bytes."""
    digest = hashlib.sha256()
    while chunk := source.read(1 << 20):
        digest.update(chunk)
        out.write(chunk)
    return digest.hexdigest()


def _kept_models():
    skipped = {e for e in EXCLUDE if "." not in e}
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label not in skipped and label not in EXCLUDE and model._meta.managed:
            yield label, model


def _dump(path):
    """dumpdata of everything kept, read in one snapshot; row counts per model."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # one snapshot for every table
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        counts = {label: model._base_manager.count() for label, model in _kept_models()}
        call_command(
            "dumpdata",
            exclude=EXCLUDE,
            natural_foreign=True,
            natural_primary=True,
            output=str(path),
            verbosity=0,
        )
    return {label: n for label, n in counts.items() if n}


def backup(out):
    """Write the archive to `out` (written beside it first, then renamed); the manifest."""
    out = Path(out)
    with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
        db_path = Path(tmp) / "database.json"
        counts = _dump(db_path)
        media = Path(tmp) / "media"  # each stored file fetched once, hashed as it comes
        files = {}
        for name in storage.walk():
            target = media / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with storage.open_stored(name) as source, open(target, "wb") as copy:
                files[name] = _copy_hashed(source, copy)
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database_vendor": connection.vendor,
            "migrations": sorted(
                f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()
            ),
            "rows": counts,
            "files": files,
        }
        partial = out.with_name(out.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(data), int(dt.datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(db_path, arcname="database.json")
            for relative in files:
                tar.add(media / relative, arcname=f"media/{relative}")
        partial.replace(out)
    return manifest


def _member(tar, name):
    try:
        return tar.extractfile(name)
    except KeyError:
        raise BackupError(f"备份文件不完整：缺少 {name}。") from None


def _safe(name):
    """The path under media/ of a tar member, or None for anything else or anything odd."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or len(path.parts) < 2 or path.parts[0] != "media":
        return None
    return PurePosixPath(*path.parts[1:])


def _check_empty():
    User = get_user_model()
    Agency = apps.get_model("agencies", "Agency")
    if User.objects.exists() or Agency.objects.exists():
        raise BackupError("目标数据库不是空的（已有用户或机关）。恢复只能在新建的空数据库上进行。")
    if storage.walk():
        where = settings.MEDIA_ROOT if storage.is_local() else f"对象存储 {settings.S3_BUCKET}"
        raise BackupError(f"文件存储（{where}）不是空的。恢复只能在空的文件存储上进行。")


def restore(archive, *, stdout=None):
    """Rebuild the site from `archive` into an empty database and MEDIA_ROOT."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"找不到备份文件 {archive}。")
    try:
        tar = tarfile.open(archive, "r:gz")
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"{archive} 不是 gongkai 备份文件（{error}）。") from None
    with tar:
        try:
            manifest = json.load(_member(tar, "manifest.json"))
        except ValueError:
            raise BackupError("备份文件的 manifest.json 已损坏。") from None
        if manifest.get("format") != FORMAT:
            raise BackupError(f"不认识的备份格式“{manifest.get('format')}”（应为 {FORMAT}）。")
        call_command("migrate", verbosity=0, interactive=False)
        known = {f"{a}.{n}" for a, n in MigrationLoader(connection).disk_migrations}
        newer = sorted(set(manifest["migrations"]) - known)
        if newer:
            raise BackupError(
                "这份备份来自更新的 gongkai 版本，本版本不认识这些数据库迁移："
                + "、".join(newer[:5])
                + "。请先升级 gongkai 再恢复。"
            )
        _check_empty()
        written = []
        try:
            _unpack_media(tar, manifest, written)
            with tempfile.TemporaryDirectory() as tmp:
                db_path = Path(tmp) / "database.json"
                with open(db_path, "wb") as f:
                    shutil.copyfileobj(_member(tar, "database.json"), f)
                with transaction.atomic():
                    call_command("loaddata", str(db_path), verbosity=0)
        except BaseException:
            for name in written:
                storage.discard(name)
            raise
    return manifest


def _unpack_media(tar, manifest, written):
    """Store every file of the archive under its own name, each checked against the
    manifest before it is stored."""
    expected = manifest["files"]
    seen = set()
    for member in tar:
        relative = _safe(member.name)
        if relative is None or member.isdir():
            continue
        if not member.isfile():
            raise BackupError(f"备份中的 {member.name} 不是普通文件，拒绝恢复。")
        key = relative.as_posix()
        if key not in expected:
            raise BackupError(f"备份中的文件 {key} 不在清单中，备份可能被改动过。")
        with tempfile.SpooledTemporaryFile(max_size=storage.SPOOL_BYTES) as spool:
            if _copy_hashed(tar.extractfile(member), spool) != expected[key]:
                raise BackupError(f"文件 {key} 的校验值与清单不符，备份已损坏。")
            spool.seek(0)
            try:
                written.append(storage.save_exactly(key, spool))
            except storage.StorageError:
                raise BackupError(f"备份中的文件名 {key} 无法按原名恢复。") from None
        seen.add(key)
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"备份不完整：清单中的 {len(missing)} 个文件缺失，例如 {missing[0]}。")
