"""Stored files in S3-compatible object storage (S3_BUCKET), against a real S3 server
started by the tests (moto's, on loopback): uploads land in the bucket, downloads stay
permission-checked and are streamed through Django, removal and the sweep delete objects,
and a backup taken from the object store rebuilds a site into an empty bucket."""

import datetime as dt
import json
import subprocess
import sys
import tarfile

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from gongkai.agencies.models import CASEWORK_ROLES, PERSONAL_DATA_ROLES, Role
from gongkai.agencies.tests.factories import make_agency, make_user
from gongkai.attachments import services, storage
from gongkai.attachments.models import CaseAttachment
from gongkai.attachments.tests import files
from gongkai.cases.tests.conftest import national_calendar, world  # noqa: F401
from gongkai.cases.tests.factories import make_case, run_to
from gongkai.ops.tests.s3 import s3, s3_server  # noqa: F401
from gongkai.ops.tests.test_backup import CHECK, ROOT, _env

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def case(world):  # noqa: F811
    return run_to(
        make_case(world.agency, world.registrar, applicant_name="李四"), world, "assigned"
    )


def test_an_upload_through_the_case_page_is_stored_in_the_bucket(world, case, s3, tmp_path):  # noqa: F811
    response = client_for(world.handler).post(
        reverse("attachments:upload", args=[case.tracking_number]),
        {"file": SimpleUploadedFile("答复书.pdf", files.PDF), "kind": "reply"},
        follow=True,
    )
    assert "已上传附件“答复书.pdf”" in response.content.decode()
    row = CaseAttachment.objects.get()
    assert s3.keys(s3.bucket) == [row.stored_path]
    body = s3.client().get_object(Bucket=s3.bucket, Key=row.stored_path)["Body"].read()
    assert body == files.PDF
    # nothing was written to the local media folder
    assert not list((tmp_path / "media").rglob("*.pdf"))


def test_downloads_from_the_bucket_are_permission_checked_per_role(world, case, s3):  # noqa: F811
    scan = services.attach(
        case, SimpleUploadedFile("身份证.pdf", files.PDF), kind="identity", by=world.registrar
    )
    url = reverse("attachments:download", args=[scan.pk])
    for role in sorted(CASEWORK_ROLES):
        response = client_for(getattr(world, role)).get(url)
        if role not in PERSONAL_DATA_ROLES:
            assert response.status_code == 403, role
            continue
        assert response.status_code == 200, role
        assert b"".join(response.streaming_content) == files.PDF  # streamed through Django
        assert response["Cache-Control"] == "private, no-store"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "attachment" in response["Content-Disposition"]
    for user in (
        world.other_handler,
        User.objects.create_user("nobody"),
        make_user(make_agency(), Role.OFFICE),
    ):
        assert client_for(user).get(url).status_code == 404


def test_a_missing_object_is_a_404_page_not_a_crash(world, case, s3):  # noqa: F811
    row = services.attach(
        case, SimpleUploadedFile("答复书.pdf", files.PDF), kind="reply", by=world.office
    )
    s3.client().delete_object(Bucket=s3.bucket, Key=row.stored_path)
    response = client_for(world.office).get(reverse("attachments:download", args=[row.pk]))
    assert response.status_code == 404 and '<html lang="zh-CN">' in response.content.decode()


def test_the_sweep_deletes_orphaned_objects_and_keeps_recorded_ones(world, case, s3):  # noqa: F811
    kept = services.attach(
        case, SimpleUploadedFile("申请书.pdf", files.PDF), kind="application", by=world.office
    )
    info = services.validate_upload(SimpleUploadedFile("x.pdf", files.PDF))
    orphan = storage.store(SimpleUploadedFile("x.pdf", files.PDF), info, subdir="attachments/x")
    assert s3.keys(s3.bucket) == sorted([kept.stored_path, orphan])
    assert services.orphaned_files(older_than=dt.timedelta(hours=1)) == []  # too young
    assert services.orphaned_files(older_than=dt.timedelta(0)) == [orphan]
    call_command("attachments_sweep", "--delete", "--hours", "0", stdout=open("/dev/null", "w"))
    assert s3.keys(s3.bucket) == [kept.stored_path]
    storage.discard(kept.stored_path)
    assert s3.keys(s3.bucket) == []
    storage.discard(kept.stored_path)  # already gone: no error


def test_a_database_failure_leaves_no_object_behind(world, case, s3, monkeypatch):  # noqa: F811
    from django.db import DatabaseError

    from gongkai.attachments.models import AttachmentEvent

    def fail(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(AttachmentEvent, "save", fail)
    with pytest.raises(DatabaseError):
        services.attach(
            case, SimpleUploadedFile("a.pdf", files.PDF), kind="application", by=world.office
        )
    assert s3.keys(s3.bucket) == []


# One round: the restore always goes into a new SQLite site, and the backup of a
# PostgreSQL database is test_backup's, which runs in both rounds; what this test adds
# (the bucket's objects in the archive and back) does not depend on the database vendor.
@pytest.mark.long
@pytest.mark.one_round
def test_backup_from_the_bucket_restores_into_an_empty_bucket(  # noqa: F811
    world,  # noqa: F811
    case,
    s3,  # noqa: F811
    tmp_path,
    production_hashers,
):
    office = make_user(world.agency, Role.OFFICE, username="restored_office")
    office.set_password("pw-restore-1")
    office.save()
    services.attach(
        case, SimpleUploadedFile("申请书.pdf", files.PDF), kind="application", by=world.registrar
    )
    archive = tmp_path / "site.tar.gz"
    call_command("backup", "-o", str(archive), verbosity=0)
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert list(manifest["files"]) == s3.keys(s3.bucket)

    target = s3.new_bucket()
    env = {**_env(tmp_path / "new-site"), **s3.env(target)}
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "restore", str(archive)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert s3.keys(target) == s3.keys(s3.bucket)
    assert not (tmp_path / "new-site" / "media").exists()  # everything went to the bucket
    expected = {"tracking": case.tracking_number, "applicant": "李四", "file": files.PDF.hex()}
    checked = subprocess.run(
        [sys.executable, "-c", CHECK, json.dumps(expected)],
        env={**env, "DJANGO_SETTINGS_MODULE": "gongkai.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stderr[-3000:]
    result = json.loads(checked.stdout.strip().splitlines()[-1])
    assert result["detail"] == 200 and result["file_ok"] and result["has_applicant"]

    # the bucket is not empty any more: a second restore is refused, nothing added
    again = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "restore", str(archive)],
        env={**_env(tmp_path / "third-site"), **s3.env(target)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 2 and "不是空的" in again.stderr, again.stderr[-2000:]
    assert "Traceback" not in again.stderr


def test_readyz_checks_the_bucket(client, s3, settings):  # noqa: F811
    body = client.get("/readyz").json()
    assert body["checks"]["storage"] == {"ok": True, "backend": "s3", "bucket": s3.bucket}
    # the object store unreachable (a closed loopback port): not ready, says why
    from gongkai.ops.tests.conftest import free_port

    options = settings.STORAGES["default"]["OPTIONS"]
    unreachable = {**options, "endpoint_url": f"http://127.0.0.1:{free_port()}"}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": unreachable},
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["ok"] is False


def test_export_copies_the_agency_s_files_out_of_the_bucket(world, case, s3, tmp_path):  # noqa: F811
    row = services.attach(
        case, SimpleUploadedFile("申请书.pdf", files.PDF), kind="application", by=world.office
    )
    out = tmp_path / "export"
    call_command("export", "--agency", world.agency.code, "-o", str(out), verbosity=0)
    assert (out / "files" / row.stored_path).read_bytes() == files.PDF
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"][row.stored_path] == row.sha256


def test_a_prefix_keeps_the_site_s_objects_under_it(world, case, s3, settings):  # noqa: F811
    options = {**settings.STORAGES["default"]["OPTIONS"], "location": "site-a"}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": options},
    }
    row = services.attach(
        case, SimpleUploadedFile("申请书.pdf", files.PDF), kind="application", by=world.office
    )
    info = services.validate_upload(SimpleUploadedFile("x.pdf", files.PDF))
    orphan = storage.store(SimpleUploadedFile("x.pdf", files.PDF), info, subdir="attachments/x")
    assert s3.keys(s3.bucket) == sorted([f"site-a/{row.stored_path}", f"site-a/{orphan}"])
    assert services.orphaned_files(older_than=dt.timedelta(0)) == [orphan]
    assert storage.walk() == sorted([row.stored_path, orphan])
