"""attach / remove / public_attachments: storage, audit, atomicity, who may act."""

import datetime as dt
import io
import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError

from gongkai.agencies.models import Role
from gongkai.agencies.tests.factories import make_user
from gongkai.attachments import services, storage
from gongkai.attachments.models import AttachmentAction, AttachmentEvent, CaseAttachment
from gongkai.attachments.services import AttachmentError, UploadRejected, attach
from gongkai.attachments.tests import files
from gongkai.cases import workflow
from gongkai.cases.tests.conftest import national_calendar  # noqa: F401 (autouse, DB tests)
from gongkai.cases.tests.factories import make_case, run_to

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


def pdf(name="申请书.pdf"):
    return SimpleUploadedFile(name, files.PDF, content_type="application/pdf")


def stored_files(media):
    return sorted(p for p in Path(media).rglob("*") if p.is_file())


@pytest.fixture
def case(world):
    return run_to(make_case(world.agency, world.registrar), world, "assigned")


def later(world, status):
    return run_to(make_case(world.agency, world.registrar), world, status)


def test_attach_stores_the_file_under_a_random_name_and_records_it(world, case, media):
    row = attach(case, pdf("../../申请书.pdf"), kind="application", by=world.registrar)
    path = Path(media) / row.stored_path
    assert path.read_bytes() == files.PDF
    assert path.resolve().is_relative_to(Path(media).resolve())
    assert "申请书" not in row.stored_path and ".." not in row.stored_path
    assert row.stored_path.startswith("attachments/") and row.stored_path.endswith(".pdf")
    assert (row.original_name, row.size, row.content_type) == (
        "申请书.pdf",
        len(files.PDF),
        "application/pdf",
    )
    assert row.uploaded_by == world.registrar and not row.visible_to_applicant
    event = AttachmentEvent.objects.get(attachment=row)
    assert event.action == AttachmentAction.UPLOAD and event.actor == world.registrar
    assert event.data["sha256"] == row.sha256


def test_two_uploads_of_the_same_name_do_not_collide(world, case, media):
    a = attach(case, pdf(), kind="application", by=world.office)
    b = attach(case, pdf(), kind="application", by=world.office)
    assert a.stored_path != b.stored_path
    assert len(stored_files(media)) == 2


def test_a_database_failure_removes_the_stored_file(world, case, media, monkeypatch):
    """Fault injection: the audit insert fails after the file and the row were written."""

    def fail(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(AttachmentEvent, "save", fail)
    with pytest.raises(DatabaseError):
        attach(case, pdf(), kind="application", by=world.office)
    assert stored_files(media) == []
    assert not CaseAttachment.objects.exists()


def test_a_refused_file_leaves_nothing_behind(world, case, media):
    with pytest.raises(UploadRejected):
        attach(case, SimpleUploadedFile("a.pdf", files.EXE), kind="application", by=world.office)
    assert stored_files(media) == [] and not CaseAttachment.objects.exists()


def test_a_step_that_may_not_be_taken_leaves_nothing_behind(world, case, media):
    with pytest.raises(AttachmentError, match="材料类别"):
        attach(case, pdf(), kind="nonsense", by=world.office)
    with pytest.raises(AttachmentError, match="无权"):
        attach(case, pdf(), kind="application", by=world.other_handler)
    assert stored_files(media) == [] and not CaseAttachment.objects.exists()


def test_the_storage_refuses_paths_outside_media_root(media):
    for bad in ("../x.pdf", "/etc/passwd", "attachments/../../x", ""):
        with pytest.raises(storage.StorageError):
            storage.check_name(bad)
    info = services.validate_upload(pdf(), max_bytes=1000)
    with pytest.raises(storage.StorageError):
        storage.store(pdf(), info, subdir="../outside")


def test_archived_cases_take_no_more_files(world):
    case = later(world, "delivered")
    case = workflow.archive(case, by=world.office, on=case.delivered_on)
    with pytest.raises(AttachmentError, match="已归档"):
        attach(case, pdf(), kind="reply", by=world.office)


def test_replied_cases_still_take_files(world):
    case = later(world, "replied")
    assert attach(case, pdf("送达回证.pdf"), kind="reply", by=world.office).pk


def test_the_applicant_may_attach_only_while_the_case_is_open_and_only_own_material(world, case):
    row = attach(case, pdf(), kind="correction", by=None, visible_to_applicant=True)
    assert row.uploaded_by is None
    assert AttachmentEvent.objects.get(attachment=row).actor is None
    with pytest.raises(AttachmentError, match="只能提交"):
        attach(case, pdf(), kind="reply", by=None)
    case = later(world, "replied")
    with pytest.raises(AttachmentError, match="已办结"):
        attach(case, pdf(), kind="correction", by=None)


def test_remove_hides_the_attachment_but_keeps_row_file_and_record(world, case, media):
    row = attach(case, pdf(), kind="application", by=world.handler, visible_to_applicant=True)
    with pytest.raises(AttachmentError, match="原因"):
        services.remove(row, by=world.office, reason="  ")
    services.remove(row, by=world.office, reason="上传错了文件")
    row.refresh_from_db()
    assert row.removed_by == world.office and row.removal_reason == "上传错了文件"
    assert (Path(media) / row.stored_path).exists()
    assert not CaseAttachment.objects.present().exists()
    assert list(services.public_attachments(case)) == []
    actions = list(AttachmentEvent.objects.filter(attachment=row).values_list("action", flat=True))
    assert actions == ["upload", "remove"]
    with pytest.raises(AttachmentError, match="已于"):
        services.remove(row, by=world.office, reason="again")


def test_who_may_remove(world, case):
    mine = attach(case, pdf(), kind="application", by=world.handler)
    theirs = attach(case, pdf(), kind="application", by=world.registrar)
    with pytest.raises(AttachmentError, match="只有政务公开办"):
        services.remove(theirs, by=world.handler, reason="x")
    with pytest.raises(AttachmentError, match="无权"):
        services.remove(mine, by=world.other_handler, reason="x")
    services.remove(mine, by=world.handler, reason="重复上传")
    services.remove(theirs, by=world.admin, reason="重复上传")


def test_public_attachments_are_the_visible_present_ones(world, case):
    visible = attach(
        case, pdf("答复书.pdf"), kind="reply", by=world.office, visible_to_applicant=True
    )
    attach(case, pdf("内部.pdf"), kind="other", by=world.office)
    other_case = make_case(world.agency, world.registrar)
    attach(other_case, pdf(), kind="reply", by=world.office, visible_to_applicant=True)
    assert list(services.public_attachments(case)) == [visible]
    assert services.public_attachment(case, visible.pk) == visible
    from django.http import Http404

    for pk in (visible.pk + 1, visible.pk + 2, "x"):
        with pytest.raises(Http404):
            services.public_attachment(case, pk)


def test_roles_on_follows_acting_on(world, case):
    outsider = make_user(world.agency)
    assert services.roles_on(outsider, case) == set()
    assert services.roles_on(world.other_handler, case) == set()
    assert services.roles_on(world.handler, case) == {Role.HANDLER}


def test_files_left_by_an_outer_rollback_are_found_and_swept(world, case, media):
    from django.core.management import call_command
    from django.db import transaction

    kept = attach(case, pdf("保留.pdf"), kind="application", by=world.office)
    with pytest.raises(RuntimeError), transaction.atomic():
        attach(case, pdf("回滚.pdf"), kind="application", by=world.office)
        raise RuntimeError("the caller's transaction fails after attach returned")
    assert CaseAttachment.objects.get() == kept
    assert len(stored_files(media)) == 2  # the rolled-back row's file is still there
    [orphan] = services.orphaned_files(older_than=dt.timedelta(0))
    assert orphan != kept.stored_path
    assert services.orphaned_files() == []  # too recent for the default hour
    out = io.StringIO()
    call_command("attachments_sweep", "--delete", "--hours", "0", stdout=out)
    assert f"已删除 {orphan}" in out.getvalue()
    assert stored_files(media) == [Path(media) / kept.stored_path]


def test_stored_files_and_their_folders_are_private_to_the_server_account(world, case, media):
    """Issue 13 #13: ID scans were written 0644 (world-readable) under var/media."""
    old = os.umask(0o022)
    try:
        row = attach(case, pdf(), kind="identity", by=world.registrar)
    finally:
        os.umask(old)
    path = Path(media) / row.stored_path
    assert path.stat().st_mode & 0o777 == 0o600
    folder = path.parent
    while folder != Path(media).parent:
        assert folder.stat().st_mode & 0o777 == 0o700, folder
        folder = folder.parent


def test_orphaned_files_are_the_stored_files_without_a_row_old_enough(world, case, media):
    kept = attach(case, pdf(), kind="application", by=world.office)
    info = services.validate_upload(pdf())
    orphan = storage.store(pdf(), info, subdir="attachments/2020/01")
    assert services.orphaned_files(older_than=dt.timedelta(hours=1)) == []  # too young
    old = (dt.datetime.now() - dt.timedelta(hours=2)).timestamp()
    os.utime(Path(media) / orphan, (old, old))
    os.utime(Path(media) / kept.stored_path, (old, old))
    assert services.orphaned_files(older_than=dt.timedelta(hours=1)) == [orphan]
    mode = (Path(media) / orphan).stat().st_mode & 0o777
    assert mode == 0o600 and (Path(media) / "attachments").stat().st_mode & 0o777 == 0o700
