"""`gongkai backup` / `gongkai restore`: a working site rebuilt from a backup in an empty
database and an empty file directory; damaged or misplaced restores refused."""

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from gongkai.agencies.models import Role
from gongkai.agencies.tests.factories import make_user
from gongkai.attachments.services import attach
from gongkai.attachments.tests import files
from gongkai.cases.tests.conftest import national_calendar, world  # noqa: F401
from gongkai.cases.tests.factories import make_case, run_to

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]

CHECK = """
import json, sys
import django
django.setup()
from django.test import Client
from gongkai.cases.models import Case
from gongkai.attachments.models import CaseAttachment
expected = json.loads(sys.argv[1])
c = Client()
assert c.login(username="restored_office", password="pw-restore-1"), "login"
case = Case.objects.get(tracking_number=expected["tracking"])
events = case.events.count()  # before the page: viewing a case may be recorded too
page = c.get(f"/cases/{case.tracking_number}/")
row = CaseAttachment.objects.get(case=case)
body = b"".join(c.get(f"/attachments/{row.pk}/").streaming_content)
print(json.dumps({
    "detail": page.status_code,
    "has_applicant": expected["applicant"] in page.text,
    "file_ok": body == bytes.fromhex(expected["file"]),
    "events": events,
}))
"""


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def site(world, media, production_hashers):  # noqa: F811
    office = make_user(world.agency, Role.OFFICE, username="restored_office")
    office.set_password("pw-restore-1")
    office.save()
    case = run_to(
        make_case(world.agency, world.registrar, applicant_name="李四"), world, "assigned"
    )
    pdf = SimpleUploadedFile("申请书.pdf", files.PDF, content_type="application/pdf")
    attach(case, pdf, kind="application", by=world.registrar)
    return case


def _env(var):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GONGKAI_VAR": str(var)}
    env.pop("DATABASE_URL", None)  # the new site: a new, empty SQLite database
    env.pop("REDIS_URL", None)
    return env


@pytest.mark.long
def test_backup_restores_a_working_site_into_an_empty_database_and_directory(site, tmp_path):
    archive = tmp_path / "site.tar.gz"
    call_command("backup", "-o", str(archive), verbosity=0)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert names[:2] == ["manifest.json", "database.json"]
    assert len(manifest["files"]) == 1 and f"media/{next(iter(manifest['files']))}" in names
    assert manifest["rows"]["cases.case"] == 1 and manifest["rows"]["auth.user"] >= 2

    new_site = tmp_path / "new-site"
    env = _env(new_site)
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "restore", str(archive)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "已恢复" in done.stdout and "文件 1 个" in done.stdout
    expected = {"tracking": site.tracking_number, "applicant": "李四", "file": files.PDF.hex()}
    checked = subprocess.run(
        [sys.executable, "-c", CHECK, json.dumps(expected)],
        env={**env, "DJANGO_SETTINGS_MODULE": "gongkai.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stderr[-3000:]
    result = json.loads(checked.stdout.strip().splitlines()[-1])
    assert result == {
        "detail": 200,
        "has_applicant": True,
        "file_ok": True,
        "events": site.events.count(),
    }

    # a second restore over the restored site is refused: it is not empty any more
    again = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "restore", str(archive)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 2 and "目标数据库不是空的" in again.stderr
    assert "Traceback" not in again.stderr


def test_restore_refuses_a_non_empty_database(site, tmp_path):
    archive = tmp_path / "site.tar.gz"
    call_command("backup", "-o", str(archive), verbosity=0)
    with pytest.raises(CommandError, match="目标数据库不是空的"):
        call_command("restore", str(archive))


@pytest.mark.long
def test_restore_refuses_a_tampered_archive_and_leaves_nothing(site, tmp_path, settings):
    archive = tmp_path / "site.tar.gz"
    call_command("backup", "-o", str(archive), verbosity=0)
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    stored = next((unpacked / "media").rglob("*.pdf"))
    stored.write_bytes(stored.read_bytes() + b"x")  # one byte changed after the backup
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(tampered, "w:gz") as tar:
        for name in ("manifest.json", "database.json", "media"):
            tar.add(unpacked / name, arcname=name)

    new_site = tmp_path / "new-site"
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "restore", str(tampered)],
        env=_env(new_site),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2 and "校验值与清单不符" in done.stderr
    assert not [p for p in (new_site / "media").rglob("*") if p.is_file()]


def test_restore_explains_a_missing_or_foreign_file(tmp_path):
    with pytest.raises(CommandError, match="找不到备份文件"):
        call_command("restore", str(tmp_path / "nope.tar.gz"))
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a backup")
    with pytest.raises(CommandError, match="不是 gongkai 备份文件"):
        call_command("restore", str(junk))
