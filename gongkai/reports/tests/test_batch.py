"""Batch orchestration: finding files, reading them in parallel, summaries and tables."""

import json
import multiprocessing
import shutil
import sys
from functools import partial
from pathlib import Path

import pytest

from gongkai.reports import batch, tables
from gongkai.reports.validation import schema_errors

SEEDS = sorted((Path(__file__).parent / "testdata").glob("*.txt"))


def make_report(year=2021, *, new=3, carried_over=0, carry_forward=0, agency="示例县公安局"):
    """A 2021-format report whose table 三 balances: every cell 0 except the natural_person
    and total columns of new, carried_over, granted, total and carry_forward."""
    report = tables.empty_report("2021")
    report.update(agency=agency, year=year)
    for row in report["requests"].values():
        row.update(dict.fromkeys(row, 0))
    granted = new + carried_over - carry_forward
    for key, n in [
        ("new", new),
        ("carried_over", carried_over),
        ("granted", granted),
        ("total", granted),
        ("carry_forward", carry_forward),
    ]:
        report["requests"][key].update(natural_person=n, total=n)
    for group in report["appeals"].values():
        group.update(dict.fromkeys(group, 0))
    return report


def write_json(path, report):
    path.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def mixed_dir(tmp_path):
    """A seed, a report saved as JSON, an .exe and a garbage .pdf, one of them in a subfolder."""
    shutil.copy(SEEDS[0], tmp_path / "a.txt")
    (tmp_path / "sub").mkdir()
    write_json(tmp_path / "sub" / "b.json", make_report())
    (tmp_path / "c.exe").write_bytes(b"MZ\x90\x00\x03")
    (tmp_path / "d.pdf").write_bytes(b"\xff\xfe\x00garbage\x80\x81")
    (tmp_path / ".hidden.txt").write_text("ignored", encoding="utf-8")
    return tmp_path


# ---- collect ------------------------------------------------------------------------


def test_collect_walks_directories_skips_hidden_files_and_keeps_explicit_files(mixed_dir):
    names = [p.relative_to(mixed_dir).as_posix() for p in batch.collect([mixed_dir])]
    assert names == ["a.txt", "c.exe", "d.pdf", "sub/b.json"]
    assert batch.collect([SEEDS[1], SEEDS[0]]) == [SEEDS[1], SEEDS[0]]


def test_collect_rejects_missing_paths_and_empty_directories(tmp_path):
    with pytest.raises(batch.UsageError, match="找不到文件或目录“.*nope”"):
        batch.collect([tmp_path / "nope"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(batch.UsageError, match="中没有文件"):
        batch.collect([tmp_path / "empty"])


# ---- one file -------------------------------------------------------------------------


def test_a_seed_is_read_checked_and_valid():
    outcome = batch.analyse_path(SEEDS[0])
    assert outcome.error is None
    assert outcome.file == str(SEEDS[0])
    assert outcome.report["format"] == tables.FORMAT_ID
    assert outcome.report["source"]["file"] == SEEDS[0].name
    assert outcome.findings is outcome.report["findings"]
    assert schema_errors(outcome.report) == []


def test_unsupported_and_unreadable_files_fail_with_a_chinese_reason(mixed_dir):
    exe = batch.analyse_path(mixed_dir / "c.exe")
    assert exe.report is None and "不支持的文件类型“.exe”" in exe.error
    pdf = batch.analyse_path(mixed_dir / "d.pdf")
    assert pdf.report is None and pdf.error
    gone = batch.analyse_path(mixed_dir / "gone.txt")
    assert gone.error == "无法读取文件：文件不存在（可能已被移动或删除）"
    (mixed_dir / "folder.txt").mkdir()
    assert "目录" in batch.analyse_path(mixed_dir / "folder.txt").error


def test_keep_report_false_still_returns_the_findings():
    full = batch.analyse_path(SEEDS[0])
    slim = batch.analyse_path(SEEDS[0], keep_report=False)
    assert slim.report is None
    assert slim.findings == full.findings


def test_json_report_is_read_back_and_checked_again(tmp_path):
    report = make_report()
    report["requests"]["total"]["natural_person"] = 2  # 3 + 0 != 2 + 0: T3-BALANCE and more
    report["findings"].append(tables_finding := _shape_finding())
    outcome = batch.analyse_path(write_json(tmp_path / "r.json", report))
    assert outcome.error is None
    rules = [f["rule"] for f in outcome.findings]
    assert rules[0] == "SHAPE" and outcome.findings[0] == tables_finding
    assert "T3-BALANCE" in rules
    # Reading the result again adds nothing: findings already recorded are not repeated.
    again = batch.analyse_path(write_json(tmp_path / "again.json", outcome.report))
    assert again.findings == outcome.findings


def _shape_finding():
    from gongkai.reports.findings import finding

    return finding("SHAPE", "warning", "appeals", "多印了一个数", 15, 16)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{not json", "第 1 行第 2 列有语法错误"),
        (b"\xff\xfe{}", "不是 UTF-8 编码"),
        (b"[1, 2]", "不是年度报告交换格式"),
        (b'{"format": "other"}', "不是年度报告交换格式"),
    ],
)
def test_bad_json_files_fail_with_a_reason(tmp_path, content, reason):
    (tmp_path / "x.json").write_bytes(content)
    outcome = batch.analyse_path(tmp_path / "x.json")
    assert outcome.report is None
    assert reason in outcome.error


def test_json_that_breaks_the_schema_names_the_place(tmp_path):
    report = make_report()
    report["requests"]["new"]["total"] = "三"
    outcome = batch.analyse_path(write_json(tmp_path / "x.json", report))
    assert "requests/new/total" in outcome.error


# ---- many files -----------------------------------------------------------------------


def test_run_keeps_order_and_goes_on_past_failures(mixed_dir):
    files = batch.collect([mixed_dir])
    outcomes = list(batch.run(files, workers=2))
    assert [o.file for o in outcomes] == [str(f) for f in files]
    assert [o.error is None for o in outcomes] == [True, False, False, True]


def test_parallel_and_serial_runs_agree():
    files = SEEDS * 3
    serial = list(batch.run(files, workers=1))
    parallel = list(batch.run(files, workers=2))
    assert [o.report for o in parallel] == [o.report for o in serial]


def _count_read(outcome, *, log):
    with open(log, "a", encoding="utf-8") as out:
        out.write("x\n")
    return outcome


def test_a_run_stopped_early_reads_no_more_files(tmp_path):
    """`gongkai report check DIR | head`: the reader goes away, the workers stop."""
    log = tmp_path / "read.log"
    files = SEEDS * 80
    count = partial(_count_read, log=log)
    outcomes = batch.run(files, workers=2, keep_reports=False, describe=count)
    assert next(outcomes).error is None
    outcomes.close()
    assert len(log.read_text(encoding="utf-8").splitlines()) < len(files)


def test_chunks_are_bounded():
    assert batch.chunksize(1, 2) == 1
    assert batch.chunksize(160, 2) == 2
    assert batch.chunksize(2000, 2) == 16
    assert batch.chunksize(1_000_000, 2) == 16


def test_check_text_is_laid_out_in_the_workers_and_tallies_the_findings(mixed_dir):
    files = batch.collect([mixed_dir]) + SEEDS
    full = list(batch.run(files, workers=1))
    described = list(batch.run(files, workers=2, keep_reports=False, describe=batch.check_text))
    assert [o.file for o in described] == [o.file for o in full]
    for whole, slim in zip(full, described, strict=True):
        assert slim.report is None and slim.findings == []
        assert slim.tally == [(f["rule"], f["severity"]) for f in whole.findings]
        body = batch.findings_table(whole.findings) or ["未发现问题。"]
        if whole.error is not None:
            body = [f"无法处理：{whole.error}"]
        assert slim.text == "\n".join([f"【{whole.file}】", *body, "", ""])
    counted, tallied = batch.Summary(), batch.Summary()
    for whole, slim in zip(full, described, strict=True):
        counted.add(whole)
        tallied.add(slim)
    assert (tallied.by_rule, tallied.errors_by_rule, tallied.failed) == (
        counted.by_rule,
        counted.errors_by_rule,
        counted.failed,
    )


def test_summary_counts_files_failures_and_findings_by_rule(mixed_dir):
    summary = batch.Summary()
    outcomes = list(batch.run(batch.collect([mixed_dir]), workers=1))
    for outcome in outcomes:
        summary.add(outcome)
    assert summary.read == 2
    assert [name for name, _ in summary.failed] == [
        str(mixed_dir / "c.exe"),
        str(mixed_dir / "d.pdf"),
    ]
    expected = {}
    for outcome in outcomes:
        for f in outcome.findings:
            expected[f["rule"]] = expected.get(f["rule"], 0) + 1
    assert dict(summary.by_rule) == expected
    text = "\n".join(summary.lines())
    assert "共 4 个文件：成功读取 2 个，失败 2 个" in text
    assert "c.exe：不支持的文件类型" in text


def test_summary_counts_error_findings():
    report = make_report()
    report["requests"]["total"]["natural_person"] = 2
    from gongkai.reports import checks

    found = checks.check(report)
    summary = batch.Summary()
    summary.add(batch.Outcome("x.json", report, found))
    assert summary.error_findings == sum(f["severity"] == "error" for f in found) > 0


# ---- text output --------------------------------------------------------------------


def test_display_width_counts_chinese_as_two_columns():
    assert batch.display_width("abc") == 3
    assert batch.display_width("自然人") == 6
    assert batch.display_width("（一）") == 6  # full-width brackets
    assert batch.display_width("e\u0301x 自") == 5  # a combining accent takes none
    assert batch.display_width("") == 0


def test_table_columns_line_up_in_display_width():
    rows = [("错误", "T3-BALANCE", "x"), ("提示", "UNIT", "自然人")]
    lines = batch.table(rows, ("级别", "规则", "说明"))
    assert len(lines) == 4
    starts = {batch.display_width(line.split("  ")[0] + "  ") for line in lines}
    assert starts == {6}  # "级别" and "错误" are 4 columns wide, then two spaces
    third = [batch.display_width(line[: line.rindex(line.split()[-1])]) for line in lines]
    assert len(set(third)) == 1


def test_findings_table_shows_chinese_severity_and_values():
    found = [_shape_finding()]
    header, rule, row = batch.findings_table(found)
    assert header.split() == list(batch.FINDING_HEADERS)
    assert set(rule) <= {"-", " "}
    assert row.split() == ["警告", "SHAPE", "appeals", "15", "16", "多印了一个数"]


# ---- writers ------------------------------------------------------------------------------


def written(fmt, reports, many):
    parts = []
    writer = batch.ReportWriter(parts.append, fmt, many=many)
    for report in reports:
        writer.add(report)
    writer.close()
    return "".join(parts)


def test_json_writer_writes_one_object_or_an_array():
    reports = [make_report(2021), make_report(2022)]
    assert json.loads(written("json", reports[:1], many=False)) == reports[0]
    assert json.loads(written("json", reports, many=True)) == reports
    assert json.loads(written("json", [], many=True)) == []


def test_jsonl_writer_writes_one_report_a_line():
    reports = [make_report(2021), make_report(2022)]
    lines = written("jsonl", reports, many=True).splitlines()
    assert [json.loads(line) for line in lines] == reports


def test_csv_writer_keeps_one_header():
    reports = [make_report(2021), make_report(2022)]
    one = written("csv", reports[:1], many=False).splitlines()
    both = written("csv", reports, many=True).splitlines()
    assert both[0] == one[0] and both.count(one[0]) == 1
    assert len(both) == 2 * len(one) - 1
    assert {line.split(",")[1] for line in both[1:]} == {"2021", "2022"}


def test_key_figures_side_by_side():
    rows = batch.key_figures(make_report(2021, carry_forward=1), make_report(2022, new=5))
    labels = [r[0] for r in rows]
    assert labels[0] == "一、本年新收政府信息公开申请数量（总计）"
    assert labels[4] == "行政复议（总计）"
    assert rows[0][1:] == ("3", "5")
    assert rows[3][1:] == ("1", "0")
    assert len(rows) == 7


@pytest.mark.parametrize("value", [None, "三", 0, 12, -3, True, False, 1.5, [1, "二"], {"a": 1}])
def test_a_finding_value_is_shown_as_json_writes_it(value):
    expected = "—" if value is None else value if isinstance(value, str) else None
    expected = expected or json.dumps(value, ensure_ascii=False)
    assert batch.value_text(value) == expected


# ---- scans in a run -------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract 未安装（make ocr）")
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_scans_pages_are_read_on_every_core_of_the_run_with_progress(
    tmp_path, monkeypatch, capfd
):
    """Also inside a worker process (issue 16: OCR runs on all cores and shows progress)."""
    from PIL import Image, ImageDraw

    from gongkai.reports import ocr

    pages = []
    for n in (1, 2):
        page = Image.new("L", (800, 400), 255)
        ImageDraw.Draw(page).rectangle((100 * n, 100, 100 * n + 300, 140), fill=0)
        pages.append(page)
    pages[0].save(
        tmp_path / "scan.pdf", "PDF", resolution=100, save_all=True, append_images=pages[1:]
    )
    for i, seed in enumerate(SEEDS[:3]):
        shutil.copy(seed, tmp_path / f"r{i}.txt")
    real = ocr.read_images

    def read_images(images, *, workers=1, progress=None):
        print(f"read_images workers={workers}", file=sys.stderr, flush=True)
        return real(images, workers=workers, progress=progress)

    monkeypatch.setattr(ocr, "read_images", read_images)
    # Forked workers inherit the patch (the suite may have threads, when run() would use a
    # fork server).
    monkeypatch.setattr(batch, "_context", lambda: multiprocessing.get_context("fork"))
    files = batch.collect([tmp_path])
    outcomes = list(batch.run(files, workers=2))
    assert [o.file for o in outcomes] == [str(f) for f in files]
    assert all(o.error is None for o in outcomes if o.file.endswith(".txt"))
    err = capfd.readouterr().err
    assert "read_images workers=2" in err
    assert err.index("文字识别 scan.pdf：第 1/2 页") < err.index("文字识别 scan.pdf：第 2/2 页")
