"""Stage → preview → confirm, and the atomic replacement of a period's data."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from gongkai.attachments import storage
from gongkai.registers import imports, rows
from gongkai.registers.access import RegisterError
from gongkai.registers.models import (
    Decision,
    EventKind,
    FeeRecord,
    ImportBatch,
    PendingImport,
    RegisterEvent,
)
from gongkai.registers.tests.helpers import csv_bytes, decisions, xlsx_bytes

D = dt.date.fromisoformat
TODAY = D("2026-06-15")
YEAR = (D("2024-01-01"), D("2024-12-31"))
pytestmark = pytest.mark.django_db


def stage(world, data, name="许可.csv", kind="licensing", period=YEAR, by=None):
    return imports.stage(
        [data], agency=world.agency, kind=kind, start=period[0], end=period[1],
        by=by or world.office, file_name=name, today=TODAY,
    )  # fmt: skip


def numbers(world):
    return set(Decision.objects.filter(agency=world.agency).values_list("number", flat=True))


def test_stage_keeps_the_file_under_a_random_name_and_counts_rows(world, media):
    data = csv_bytes(decisions("A1", "A2") + [("2025-01-01", "A3", "x")])
    pending, scan = stage(world, data, name="../../etc/passwd")
    path = media / imports.pending_name(pending.token)
    assert path.parent == media / "registers" / "pending"
    assert path.read_bytes() == data and len(pending.token) == 32
    assert (pending.accepted, pending.rejected, scan.accepted) == (2, 1, 2)
    assert pending.file_name == "../../etc/passwd"  # only a label, never a path
    assert not Decision.objects.exists()


def test_commit_writes_the_rows_records_the_batch_and_removes_the_staged_file(
    world, django_capture_on_commit_callbacks
):
    pending, _ = stage(world, csv_bytes(decisions("A1", "A2")))
    with django_capture_on_commit_callbacks(execute=True):
        batch = imports.commit(pending, by=world.office)
    assert numbers(world) == {"A1", "A2"}
    assert (batch.accepted, batch.rejected, batch.imported_by, batch.file_name) == (
        2, 0, world.office, "许可.csv",
    )  # fmt: skip
    assert len(batch.sha256) == 64
    assert not PendingImport.objects.exists()
    assert not storage.exists(imports.pending_name(pending.token))
    event = RegisterEvent.objects.get(kind=EventKind.IMPORTED)
    assert (event.batch, event.data["accepted"], event.data["replaced"]) == (batch, 2, [])


def test_a_new_import_for_the_same_period_replaces_the_old_one(world):
    first = imports.commit(stage(world, csv_bytes(decisions("A1", "A2")))[0], by=world.office)
    second = imports.commit(
        stage(world, csv_bytes(decisions("B1")), by=world.admin)[0], by=world.admin
    )
    assert numbers(world) == {"B1"}
    first.refresh_from_db()
    assert first.replaced_by == second
    assert list(ImportBatch.objects.current()) == [second]
    event = RegisterEvent.objects.filter(kind=EventKind.IMPORTED).last()
    assert event.data["replaced"] == [{"id": first.pk, "file_name": "许可.csv", "accepted": 2}]


def test_a_wider_period_replaces_every_batch_inside_it(world):
    for period, number in (((D("2024-01-01"), D("2024-06-30")), "H1"),
                           ((D("2024-07-01"), D("2024-12-31")), "H2")):  # fmt: skip
        day = period[0].isoformat()
        imports.commit(stage(world, csv_bytes(decisions(number, day=day)), period=period)[0],
                       by=world.office)  # fmt: skip
    imports.commit(stage(world, csv_bytes(decisions("Y1")))[0], by=world.office)
    assert numbers(world) == {"Y1"}
    assert ImportBatch.objects.current().count() == 1


def test_a_period_cutting_through_an_earlier_import_is_refused(world):
    imports.commit(stage(world, csv_bytes(decisions("Y1")))[0], by=world.office)
    with pytest.raises(RegisterError, match="部分重叠.*期间选 2024-01-01 至 2024-12-31"):
        stage(world, csv_bytes(decisions("Q1")), period=(D("2024-01-01"), D("2024-03-31")))
    assert numbers(world) == {"Y1"} and not PendingImport.objects.exists()


def test_other_kinds_and_agencies_are_untouched(world):
    imports.commit(stage(world, csv_bytes(decisions("L1")))[0], by=world.office)
    imports.commit(stage(world, csv_bytes(decisions("P1")), kind="penalties")[0], by=world.office)
    imports.commit(stage(world, csv_bytes(decisions("L2")))[0], by=world.office)
    assert numbers(world) == {"L2", "P1"}


def test_an_import_failing_midway_leaves_the_previous_batch_intact(world):
    old = imports.commit(stage(world, csv_bytes(decisions("A1", "A2")))[0], by=world.office)
    accepted = [rows.Accepted(n, {"decided_on": D("2024-05-01"), "number": f"N{n}",
                                  "matter": "x", "note": ""}) for n in range(5000)]  # fmt: skip

    def broken():
        yield from accepted  # past two bulk_create chunks
        raise OSError("disk read error")

    with pytest.raises(OSError):
        imports.write_batch(
            agency=world.agency, kind="licensing", start=YEAR[0], end=YEAR[1], results=broken(),
            by=world.office, file_name="new.csv", sha256="0" * 64,
        )  # fmt: skip
    assert numbers(world) == {"A1", "A2"}
    assert list(ImportBatch.objects.all()) == [old] and old.replaced_by is None
    assert RegisterEvent.objects.filter(kind=EventKind.IMPORTED).count() == 1


def test_a_changed_count_on_confirm_aborts_without_writing(world):
    old = imports.commit(stage(world, csv_bytes(decisions("A1")))[0], by=world.office)
    pending, _ = stage(world, csv_bytes(decisions("B1", "B2")))
    path = Path(settings.MEDIA_ROOT) / imports.pending_name(pending.token)
    data = csv_bytes(decisions("C1"))
    path.write_bytes(data)
    with pytest.raises(RegisterError, match="已变化"):
        imports.commit(pending, by=world.office)
    with pytest.raises(RegisterError, match="与预览时的 2 行不一致"):
        imports.write_batch(
            agency=world.agency, kind="licensing", start=YEAR[0], end=YEAR[1],
            results=rows.results(path, "f.csv", "licensing", *YEAR), by=world.office,
            file_name="f.csv", sha256="0" * 64, expected=2,
        )  # fmt: skip
    assert numbers(world) == {"A1"} and ImportBatch.objects.get() == old


def test_rejected_rows_need_an_explicit_choice(world):
    data = csv_bytes(decisions("A1") + [("2024-02-30", "A2", "x")])
    pending, _ = stage(world, data)
    with pytest.raises(RegisterError, match="有 1 行未通过校验"):
        imports.commit(pending, by=world.office)
    batch = imports.commit(pending, by=world.office, allow_rejected=True)
    assert (batch.accepted, batch.rejected, numbers(world)) == (1, 1, {"A1"})


def test_only_the_uploader_may_confirm(world):
    pending, _ = stage(world, csv_bytes(decisions("A1")))
    with pytest.raises(RegisterError, match="预览已失效"):
        imports.commit(pending, by=world.admin)
    imports.commit(pending, by=world.office)
    with pytest.raises(RegisterError, match="预览已失效"):
        imports.commit(pending, by=world.office)  # twice: nothing more happens
    assert Decision.objects.count() == 1


@pytest.mark.parametrize("role", ["registrar", "handler", "office_head", "leader"])
def test_roles_that_may_not_import(world, role):
    with pytest.raises(RegisterError, match="导入业务数据"):
        stage(world, csv_bytes(decisions("A1")), by=getattr(world, role))
    with pytest.raises(RegisterError):
        stage(world, csv_bytes(decisions("A1")), by=world.outsider)


@pytest.mark.parametrize(
    ("period", "message"),
    [
        (("2024-05-01", "2024-04-30"), "起始日（2024-05-01）晚于截止日"),
        (("2024-07-01", "2025-06-30"), "跨了年度"),
        (("2026-01-01", "2026-12-31"), "晚于今天（2026-06-15）"),
    ],
)
def test_bad_periods_are_refused(world, period, message):
    with pytest.raises(RegisterError, match=message):
        stage(world, csv_bytes(decisions()), period=tuple(map(D, period)))


def test_files_over_the_size_cap_are_refused_and_not_kept(world, settings, media):
    settings.REGISTERS_IMPORT_MAX_BYTES = 100
    with pytest.raises(RegisterError, match="文件大小超过上限（100 字节）"):
        stage(world, csv_bytes(decisions(*[f"A{i}" for i in range(20)])))
    assert storage.walk("registers/pending") == []


def test_an_unreadable_file_is_refused_and_not_kept(world, media):
    with pytest.raises(RegisterError, match="缺少必需的列"):
        stage(world, csv_bytes([("日期", "名称")]))
    assert storage.walk("registers/pending") == []


def test_tokens_are_never_paths():
    for token in ("../x", "a" * 31, "A" * 32, "", None):
        with pytest.raises(RegisterError):
            imports.pending_name(token)


def test_stale_pending_imports_are_cleaned(world):
    from django.utils import timezone

    pending, _ = stage(world, csv_bytes(decisions("A1")))
    imports.discard_stale(now=timezone.now() + imports.PENDING_TTL * 2)
    assert not PendingImport.objects.exists()
    assert not storage.exists(imports.pending_name(pending.token))


def test_xlsx_fees_import(world):
    data = xlsx_bytes(
        [
            ("收费日期", "收费项目", "金额（元）"),
            (dt.datetime(2024, 3, 1), "护照", 120),
            ("2024-03-02", "护照", 120.5),
        ]
    )
    batch = imports.commit(stage(world, data, name="收费.xlsx", kind="fees")[0], by=world.office)
    assert str(batch.amount) == "240.50"
    assert FeeRecord.objects.filter(batch=batch).count() == 2
