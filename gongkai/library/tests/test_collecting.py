"""Collecting reports (CLI, zip), idempotence, review states and corrections."""

import hashlib
import io
import json
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from gongkai.library import collecting, review
from gongkai.library.models import (
    Correction,
    LibraryAgency,
    LibraryEvent,
    LibraryReport,
    Review,
    ReviewedFinding,
    Status,
)

from .conftest import LINXIA, SEEDS, TESTDATA, linxia_2022, linxia_with_error, songxian_misprinted


def cli_import(*paths):
    out = io.StringIO()
    call_command("library", "import", *map(str, paths), "--json", stdout=out)
    return json.loads(out.getvalue())


def test_cli_imports_the_seeds_and_files_each_under_its_agency(world, tmp_path):
    folder = tmp_path / "年报" / "2024"
    folder.mkdir(parents=True)
    for seed in SEEDS:
        (folder / seed.name).write_bytes(seed.read_bytes())
    rows = cli_import(tmp_path / "年报")  # a directory, walked
    assert [r["result"] for r in rows] == ["filed"] * 5
    filed = {(r["agency"], r["year"]) for r in rows}
    assert filed == {
        ("海宁市公安局", 2021),
        ("广东省公安厅", 2017),
        ("石嘴山市公安局", 2020),
        ("临夏回族自治州公安局", 2023),  # printed as 临夏州公安局: the directory's alias
        ("嵩县公安局", 2020),
    }
    report = LibraryReport.objects.get(agency__name="海宁市公安局")
    data = SEEDS[0].read_bytes()
    with default_storage.open(report.original.name, "rb") as kept:
        assert kept.read() == data  # the original, byte for byte
    assert len(report.sha256) == 64 and report.size == len(data)
    # The engine's findings became reviewable findings, all 待核实.
    assert report.findings.count() == len(report.current["findings"]) > 0
    assert set(report.findings.values_list("state", flat=True)) == {Review.PENDING}


def test_reimporting_changes_nothing(world):
    cli_import(*TESTDATA)
    before = list(LibraryReport.objects.values_list("pk", "sha256", "original", "version"))
    events = LibraryEvent.objects.count()
    rows = cli_import(*TESTDATA)
    assert [r["result"] for r in rows] == ["same"] * 5
    assert list(LibraryReport.objects.values_list("pk", "sha256", "original", "version")) == before
    assert LibraryEvent.objects.count() == events


def test_cli_reports_unreadable_files_with_exit_status_1(world, tmp_path):
    (tmp_path / "说明.txt").write_text("这不是年度报告。", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        cli_import(tmp_path)
    assert caught.value.returncode == 1
    kept = LibraryReport.objects.get()
    assert kept.status == Status.UNREADABLE and "未能识别" in kept.error
    assert kept.original  # the original is kept all the same


def test_cli_refuses_a_missing_path_with_status_2(world):
    with pytest.raises(CommandError) as caught:
        cli_import("/nonexistent/年报")
    assert caught.value.returncode == 2


def test_cli_imports_the_directory(db, tmp_path):
    path = tmp_path / "名录.csv"
    path.write_text("机关名称,上级机关\n某省公安厅,\n某市公安局,某省公安厅\n", encoding="utf-8")
    out = io.StringIO()
    call_command("library", "agencies", str(path), stdout=out)
    assert "新增 2 个" in out.getvalue()
    assert LibraryAgency.objects.get(name="某市公安局").parent.name == "某省公安厅"


def _zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_is_expanded_and_a_misprinted_agency_waits_with_suggestions(world):
    data = _zip({"年报/临夏.txt": linxia_with_error(), "年报/嵩县.txt": songxian_misprinted()})
    outcomes = collecting.collect([("2024年报.zip", data)])
    results = {o.filename: o.result for o in outcomes}
    assert results == {
        "2024年报.zip/年报/临夏.txt": "filed",
        "2024年报.zip/年报/嵩县.txt": "queued",
    }
    waiting = LibraryReport.objects.get(status=Status.QUEUED)
    assert waiting.printed_agency == "嵩县公按局"
    assert waiting.suggestions[0]["name"] == "嵩县公安局"
    assert "目录中没有" in waiting.match_note
    songxian = LibraryAgency.objects.get(name="嵩县公安局")
    review.assign(waiting, songxian, 2020, world.office)
    waiting.refresh_from_db()
    assert (waiting.status, waiting.agency, waiting.year) == (Status.FILED, songxian, 2020)
    assert LibraryEvent.objects.filter(report=waiting, kind="assign", actor=world.office).exists()


def test_a_bomb_zip_is_refused_in_chinese(world):
    outcomes = collecting.collect([("坏.zip", b"PK\x03\x04" + b"\0" * 100)])
    assert outcomes[0].result == "refused" and "损坏" in outcomes[0].message
    assert not LibraryReport.objects.exists()


def _linxia(world):
    (outcome,) = collecting.collect([("临夏州公安局2023.txt", linxia_with_error())])
    return outcome.report


def test_a_review_decision_survives_rechecking_and_reparsing(world):
    report = _linxia(world)
    balance = report.findings.get(rule="T3-BALANCE")
    assert report.error_count == 2
    review.review(balance, Review.CONFIRMED, "与原文核对，确有错误", world.office)
    row = report.findings.get(rule="T3-ROW-TOTAL")
    review.review(row, Review.EXCLUDED, "原文即如此", world.office)
    review.refresh(report)
    review.reparse(report, world.office)
    balance.refresh_from_db()
    row.refresh_from_db()
    assert (balance.state, balance.decided_by, balance.present) == (
        Review.CONFIRMED,
        world.office,
        True,
    )
    assert (row.state, row.reason) == (Review.EXCLUDED, "原文即如此")
    assert ReviewedFinding.objects.filter(report=report).count() == 2
    report.refresh_from_db()
    assert report.error_count == 1  # the excluded one no longer counts


def test_excluding_needs_a_reason(world):
    report = _linxia(world)
    with pytest.raises(review.ReviewError, match="理由"):
        review.review(report.findings.first(), Review.EXCLUDED, " ", world.office)


def test_a_correction_is_a_new_version_and_the_checks_rerun(world):
    report = _linxia(world)
    parsed_before = report.parsed["requests"]["new"]["natural_person"]
    assert parsed_before == 2
    review.correct(report, "requests.new/natural_person", 1, "原文第 3 页为 1", world.office)
    report.refresh_from_db()
    assert report.version == 2
    assert report.parsed["requests"]["new"]["natural_person"] == 2  # never overwritten
    assert report.current["requests"]["new"]["natural_person"] == 1
    correction = Correction.objects.get(report=report)
    assert (correction.old_value, correction.value, correction.by) == (2, 1, world.office)
    # Re-checked on the corrected data: both errors are gone (kept, marked not present).
    assert report.error_count == 0
    assert not report.findings.filter(present=True, severity="error").exists()
    assert report.findings.filter(present=False).count() == 2
    with pytest.raises(ValueError):
        correction.save()  # append-only


def test_corrections_are_refused_in_chinese_when_wrong(world):
    report = _linxia(world)
    with pytest.raises(review.ReviewError, match="没有单元格"):
        review.correct(report, "requests.nosuch/total", 1, "理由", world.office)
    with pytest.raises(review.ReviewError, match="理由"):
        review.correct(report, "requests.new/natural_person", 1, "", world.office)
    with pytest.raises(review.ReviewError, match="不是数字"):
        review.parse_value("十二")
    assert review.parse_value("1,024") == 1024 and review.parse_value("") is None
    assert not Correction.objects.exists()


def test_continuity_across_years_for_every_pair_in_the_library(world):
    """CONTINUITY and the table 二 rule between two years of one agency, whichever is
    collected first; the pair is one agency although the two print different names."""
    (this,) = collecting.collect([("临夏2023.txt", LINXIA.read_bytes())])
    assert not this.report.findings.filter(rule="CONTINUITY").exists()
    (last,) = collecting.collect([("临夏2022.txt", linxia_2022())])
    assert (last.report.agency, last.report.year) == (this.report.agency, 2022)
    this.report.refresh_from_db()
    found = {f.where: f for f in this.report.findings.filter(rule="CONTINUITY")}
    assert set(found) == {"requests.carried_over/natural_person", "requests.carried_over/total",
                          "proactive.normative_documents/in_force"}  # fmt: skip
    assert found["requests.carried_over/natural_person"].severity == "error"
    in_force = found["proactive.normative_documents/in_force"]
    assert (in_force.severity, in_force.expected, in_force.actual) == ("warning", 6, 1)
    assert this.report.error_count == 2
    # A decision on a CONTINUITY finding survives; correcting last year re-checks this year.
    review.review(in_force, Review.EXCLUDED, "2023 年集中清理规范性文件", world.office)
    review.correct(
        last.report, "requests.carry_forward/natural_person", 0, "原文为 0", world.office
    )
    review.correct(last.report, "requests.carry_forward/total", 0, "原文为 0", world.office)
    this.report.refresh_from_db()
    assert not this.report.findings.filter(rule="CONTINUITY", severity="error", present=True)
    in_force.refresh_from_db()
    assert (in_force.state, in_force.present) == (Review.EXCLUDED, True)


def test_queued_reports_are_matched_again_when_the_directory_grows(world, tmp_path):
    (outcome,) = collecting.collect([("年报.txt", songxian_misprinted())])
    assert outcome.result == "queued"
    path = tmp_path / "补充.csv"
    path.write_text(
        "机关名称,上级机关,别名\n嵩县公安局,洛阳市公安局,嵩县公按局\n", encoding="utf-8"
    )
    out = io.StringIO()
    call_command("library", "agencies", str(path), stdout=out)
    assert "1 份已按新名录归档" in out.getvalue()
    outcome.report.refresh_from_db()
    assert (outcome.report.status, outcome.report.agency.name) == (Status.FILED, "嵩县公安局")


def test_reports_collected_for_no_one_wait_for_the_top_of_the_directory(world, client):
    from django.urls import reverse

    collecting.collect([("年报.txt", songxian_misprinted())])  # the CLI without --collector
    client.force_login(world.office)  # 公安部: the top
    assert "嵩县公按局" in client.get(reverse("library:queue")).content.decode()
    client.force_login(world.county)
    assert "嵩县公按局" not in client.get(reverse("library:queue")).content.decode()


def _library_state():
    """Everything an import stored, keyed by content (ids and times aside: a copied
    narrative's finding names the other report by id, here by its SHA-256)."""
    from django.forms.models import model_to_dict

    from gongkai.library.aggregates import ReportFigures

    shas = dict(LibraryReport.objects.values_list("pk", "sha256"))

    def partner(rule, expected):
        return shas.get(expected, expected) if rule == "NARRATIVE-COPY" else expected

    def finding(f):
        expected = partner(f.rule, f.expected)
        return (f.rule, f.where, f.severity, f.message, expected, f.actual, f.present, f.state)

    def current(data):
        if not data:
            return data
        found = [{**f, "expected": partner(f["rule"], f.get("expected"))} for f in data["findings"]]
        return {**data, "findings": found}

    reports = {}
    for r in LibraryReport.objects.select_related("agency"):
        figures = ReportFigures.objects.filter(report=r).first()
        reports[r.sha256] = {
            "file": (r.filename, r.size, r.source, r.status, r.version),
            "agency": (r.agency.name if r.agency_id else None, r.year, r.match_note),
            "data": (r.parsed, current(r.current), r.error, r.suggestions),
            "counts": (r.error_count, r.pending_count),
            "findings": sorted(finding(f) for f in r.findings.all()),
            "figures": {k: v for k, v in model_to_dict(figures).items() if k != "report"}
            if figures
            else None,
        }
    missing = sorted(
        (f.agency.name, f.year, *finding(f))
        for f in ReviewedFinding.objects.filter(report__isnull=True).select_related("agency")
    )
    return reports, missing


def _import_folder(tmp_path):
    """Ten files: the seeds, 临夏 2022 (CONTINUITY with 2023), a misprinted 嵩县 (queued),
    a copy of a seed (same), a text that is no report (unreadable), a zip of two."""
    folder = tmp_path / "年报"
    folder.mkdir()
    for seed in SEEDS:
        (folder / seed.name).write_bytes(seed.read_bytes())
    (folder / "临夏州公安局2022年报.txt").write_bytes(linxia_2022())
    (folder / "嵩县2020.txt").write_bytes(songxian_misprinted())
    (folder / "副本.txt").write_bytes(SEEDS[0].read_bytes())
    (folder / "说明.txt").write_bytes("这不是年度报告，只是一份说明。".encode())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a/临夏错.txt", linxia_with_error())
        archive.writestr("a/海宁副本.txt", SEEDS[0].read_bytes())
    (folder / "包.zip").write_bytes(buffer.getvalue())
    return folder


def test_reading_on_two_workers_stores_what_one_worker_stores(world, tmp_path):
    """`gongkai library import --workers 2` (files read two at a time, in the sandbox's
    children) and `--workers 1` leave the same reports, findings and figures."""
    from gongkai.library.models import LibraryEvent as Event

    folder = _import_folder(tmp_path)
    results = {}
    for workers in (1, 2):
        out, err = io.StringIO(), io.StringIO()
        with pytest.raises(CommandError):  # 说明.txt is unreadable: exit status 1
            call_command("library", "import", str(folder), "--json",
                         f"--workers={workers}", stdout=out, stderr=err)  # fmt: skip
        rows = [{k: v for k, v in r.items() if k != "id"} for r in json.loads(out.getvalue())]
        results[workers] = (rows, _library_state())
        assert "已读取并检查" in err.getvalue()  # progress, on stderr
        LibraryReport.objects.all().delete()
        ReviewedFinding.objects.all().delete()
        Event.objects.all().delete()
    one, two = results[1], results[2]
    # 临夏错.txt is a second file of 临夏 2023: it waits as a possible duplicate.
    assert [r["result"] for r in one[0]].count("filed") == 6
    queued = sorted(r["file"].rsplit("/", 1)[-1] for r in one[0] if r["result"] == "queued")
    assert queued == ["临夏错.txt", "嵩县2020.txt"]
    assert {r["result"] for r in one[0]} == {"filed", "queued", "same", "unreadable"}
    assert one[0] == two[0]
    assert one[1] == two[1]
    continuity = one[1][0][hashlib.sha256(LINXIA.read_bytes()).hexdigest()]["findings"]
    assert any(f[0] == "CONTINUITY" for f in continuity)  # read 2022, stored before it


def test_more_than_a_handful_of_files_are_read_ahead_on_the_workers(world, monkeypatch):
    """With 2 workers, the files beyond a handful are read in reader threads, two at a
    time at most, and stored in their order; a handful is read as it is stored."""
    import threading
    import time

    from gongkai.library import parallel

    real = collecting.sandbox.run
    seen, running, peak = [], [0], [0]
    lock = threading.Lock()

    def run(data, **kwargs):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
            seen.append(threading.current_thread().name)
        try:
            time.sleep(0.05)  # long enough for the other reader to start
            return real(data, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(collecting.sandbox, "run", run)
    files = [(f"{n}-{s.name}", s.read_bytes() + b"\n" * n) for n, s in enumerate(SEEDS * 2)]
    outcomes = collecting.collect(files, user=world.office, workers=2)
    assert [o.filename for o in outcomes] == [name for name, _ in files]
    assert len(seen) == 10 and all(t.startswith("library-read") for t in seen)
    assert peak[0] == 2
    seen.clear()
    few = [(f"少-{s.name}", s.read_bytes() + b"  ") for s in SEEDS[: parallel.HANDFUL]]
    collecting.collect(few, user=world.office, workers=2)
    assert seen == [threading.current_thread().name] * parallel.HANDFUL


def test_the_upload_page_reads_many_files_on_the_workers(client, world, monkeypatch):
    """A zip of more than a handful of reports uploaded in the browser is read (by the
    upload's background job) on the reader threads (parallel.WORKERS at a time) and
    stored in its order."""
    import threading

    from django.urls import reverse

    from gongkai.library import parallel
    from gongkai.library.models import UploadJob

    monkeypatch.setattr(parallel, "WORKERS", 2)
    real, seen = collecting.sandbox.run, []

    def run(data, **kwargs):
        seen.append(threading.current_thread().name)
        return real(data, **kwargs)

    monkeypatch.setattr(collecting.sandbox, "run", run)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for seed in SEEDS:
            archive.writestr(seed.name, seed.read_bytes())
        archive.writestr("临夏2022.txt", linxia_2022())
    upload = SimpleUploadedFile("年报.zip", buffer.getvalue())
    client.force_login(world.office)
    response = client.post(reverse("library:import"), {"files": [upload]})
    collecting.run_upload(UploadJob.objects.get())  # what the worker does
    page = client.get(response.url).content.decode()
    assert page.count("已归档") >= 6
    assert len(seen) == 6 and all(name.startswith("library-read") for name in seen)
    names = [f"年报.zip/{s.name}" for s in SEEDS] + ["年报.zip/临夏2022.txt"]
    assert [page.index(n) for n in names] == sorted(page.index(n) for n in names)


def test_a_background_job_runs_once_and_a_failure_is_recorded(world):
    """collecting.run_claimed, shared by the upload and the web-collecting jobs."""
    from gongkai.library.models import UploadJob

    job = UploadJob.objects.create(requested_by=world.office)
    calls = []

    def work():
        calls.append(1)
        return [], {"done": 0}

    assert collecting.run_claimed(job, work) is True and job.state == UploadJob.State.DONE
    assert collecting.run_claimed(job, work) is False  # already run: not again
    assert len(calls) == 1

    broken = UploadJob.objects.create(requested_by=world.office)

    def fails():
        raise OSError("存储不可用")

    with pytest.raises(OSError):
        collecting.run_claimed(broken, fails)
    broken.refresh_from_db()
    assert broken.state == UploadJob.State.FAILED and broken.error == "存储不可用"
    assert broken.finished_at is not None
