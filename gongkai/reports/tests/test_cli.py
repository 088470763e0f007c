"""`gongkai report parse|check|render|compare`: output, files written and exit status."""

import csv
import io
import json
import os
import pty
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from gongkai.reports import batch
from gongkai.reports.render import FORMATS
from gongkai.reports.validation import schema_errors

from .test_batch import make_report, write_json

SEEDS = sorted((Path(__file__).parent / "testdata").glob("*.txt"))
HAINING = SEEDS[0]  # 海宁市公安局 2021
GONGKAI = Path(sys.executable).with_name("gongkai")


def report(*args):
    """call_command: (stdout, stderr, exit status from CommandError or 0)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("report", *map(str, args), stdout=out, stderr=err)
    except CommandError as exc:
        err.write(str(exc))
        return out.getvalue(), err.getvalue(), exc.returncode
    return out.getvalue(), err.getvalue(), 0


def gongkai(*args, **kw):
    """The real console script in a child process."""
    return subprocess.run(
        [str(GONGKAI), "report", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        **kw,
    )


@pytest.fixture
def balanced(tmp_path):
    return write_json(tmp_path / "balanced.json", make_report())


@pytest.fixture
def unbalanced(tmp_path):
    r = make_report()
    r["requests"]["total"]["natural_person"] = 2  # 一+二 = 3, 三（七）+四 = 2
    return write_json(tmp_path / "unbalanced.json", r)


# ---- parse --------------------------------------------------------------------------------


def test_parse_a_seed_prints_one_json_object_that_validates():
    out, _, status = report("parse", HAINING)
    parsed = json.loads(out)
    assert status == 0
    assert parsed["agency"] == "海宁市公安局" and parsed["year"] == 2021
    assert schema_errors(parsed) == []


def test_parse_several_files_prints_an_array_or_json_lines(balanced):
    out, err, status = report("parse", HAINING, balanced)
    assert status == 0
    assert [r["year"] for r in json.loads(out)] == [2021, 2021]
    assert "共 2 个文件：成功读取 2 个，失败 0 个" in err
    out, _, _ = report("parse", "--jsonl", HAINING, balanced)
    assert [json.loads(line)["agency"] for line in out.splitlines()] == [
        "海宁市公安局",
        "示例县公安局",
    ]


def test_parse_csv_prints_one_line_per_cell(balanced):
    out, _, status = report("parse", "--csv", balanced)
    rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
    assert status == 0
    assert {"agency", "year", "section", "row", "column", "value"} <= set(rows[0])
    [new_total] = [
        r for r in rows if (r["section"], r["row"], r["column"]) == ("requests", "new", "total")
    ]
    assert (new_total["agency"], new_total["year"], new_total["value"]) == (
        "示例县公安局",
        "2021",
        "3",
    )


def test_parse_to_a_file_writes_it_whole(tmp_path, balanced):
    target = tmp_path / "out" / "all.json"
    target.parent.mkdir()
    _, _, status = report("parse", "--validate", "-o", target, HAINING, balanced)
    assert status == 0
    assert len(json.loads(target.read_text(encoding="utf-8"))) == 2
    assert os.listdir(target.parent) == ["all.json"]  # no temporary file left behind


def test_parse_to_a_missing_directory_is_a_usage_error(tmp_path):
    _, err, status = report("parse", "-o", tmp_path / "nope" / "x.json", HAINING)
    assert status == 2 and "不存在" in err


# ---- check -----------------------------------------------------------------------------


def test_check_exit_status_is_0_without_errors_and_1_with(balanced, unbalanced):
    ok = gongkai("check", balanced)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines()[:2] == [f"【{balanced}】", "未发现问题。"]
    bad = gongkai("check", unbalanced)
    assert bad.returncode == 1
    assert "错误" in bad.stdout and "T3-BALANCE" in bad.stdout
    assert "发现" in bad.stderr and "处错误" in bad.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "/no/such/report.txt"], "找不到文件或目录“/no/such/report.txt”"),
        ([], "缺少参数：子命令"),
        (["check"], "缺少参数：文件或目录"),
        (["check", "--bogus", "x"], "无法识别的参数：--bogus"),
        (["frobnicate"], "参数有误"),
        (["render", str(HAINING), "--to", "pdf"], "不支持的输出格式“pdf”"),
        (["compare", str(HAINING)], "缺少参数：本年报告"),
        (["render", str(SEEDS[0].parent), "--to", "md"], "是目录"),
    ],
)
def test_bad_arguments_exit_2_with_a_chinese_message(args, message):
    result = gongkai(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Error" not in result.stderr and "usage:" not in result.stderr


def test_check_table_columns_line_up(unbalanced):
    out, _, status = report("check", unbalanced)
    assert status == 1
    lines = out.splitlines()
    start = lines.index(f"【{unbalanced}】") + 1
    table = lines[start : lines.index("", start)]
    header = table[0]
    assert header.split() == list(batch.FINDING_HEADERS)
    where_column = batch.display_width(header[: header.index("位置")])
    for line in table[2:]:
        severity, rule, where = line.split()[:3]
        assert batch.display_width(line[: line.index(where, len(severity) + len(rule))]) == (
            where_column
        )


# ---- a directory ---------------------------------------------------------------------------


@pytest.fixture
def mixed_dir(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(HAINING, folder / "a.txt")
    (folder / "b.exe").write_bytes(b"MZ\x90\x00")
    (folder / "c.pdf").write_bytes(b"\x00\x01garbage, not a PDF")
    return folder


def test_a_directory_run_goes_on_past_failures_and_names_them(mixed_dir):
    result = gongkai("check", "--workers", "2", mixed_dir)
    assert result.returncode == 1
    for name in ("a.txt", "b.exe", "c.pdf"):
        assert f"【{mixed_dir / name}】" in result.stdout
    assert "共 3 个文件：成功读取 1 个，失败 2 个" in result.stderr
    assert f"{mixed_dir / 'b.exe'}：不支持的文件类型“.exe”" in result.stderr
    assert f"{mixed_dir / 'c.pdf'}：" in result.stderr
    assert "发现的问题（按规则）" in result.stderr or "未发现问题" in result.stderr

    parsed = gongkai("parse", mixed_dir)
    assert parsed.returncode == 1
    [only] = json.loads(parsed.stdout)
    assert only["agency"] == "海宁市公安局"


def test_progress_bar_only_when_asked_or_on_a_terminal(mixed_dir):
    assert "处理年报" not in gongkai("check", mixed_dir).stderr
    assert "处理年报" in gongkai("check", "--progress", mixed_dir).stderr


def test_the_console_script_checks_reports_without_setting_django_up(mixed_dir):
    """Start-up is part of what a user waits for (issue 16): `gongkai report` imports
    neither Django nor the renderers' python-docx."""
    script = (
        "import sys\n"
        "from gongkai import cli\n"
        "try:\n"
        f"    cli.main(['report', 'check', '--workers', '2', {str(mixed_dir)!r}])\n"
        "except SystemExit as exc:\n"
        "    print('exit', exc.code, sorted({m.split('.')[0] for m in sys.modules}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    last = result.stdout.splitlines()[-1]
    assert last.startswith("exit 1 ")
    assert "'django'" not in last and "'docx'" not in last and "'jsonschema'" not in last
    assert f"【{mixed_dir / 'a.txt'}】" in result.stdout


def test_check_prints_the_same_from_the_console_script_as_from_the_command(mixed_dir):
    """The console script's workers hand back the printed text UTF-8 encoded (written to
    standard output as bytes); the management command writes text: the same output."""
    for seed in SEEDS[1:]:
        shutil.copy(seed, mixed_dir / seed.name)  # enough files for a pool of workers
    expected, _, status = report("check", "--workers", "1", mixed_dir)
    assert status == 1 and expected.count("【") == 3 + len(SEEDS) - 1
    for workers in ("1", "2"):
        assert gongkai("check", "--workers", workers, mixed_dir).stdout == expected


def test_the_command_lists_the_renderers_formats():
    from gongkai.reports import command

    assert command.FORMATS == tuple(FORMATS)


# ---- render ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_render_each_format_to_a_file(tmp_path, fmt):
    target = tmp_path / f"report.{fmt}"
    _, err, status = report("render", HAINING, "--to", fmt, "-o", target)
    assert status == 0 and f"已写入 {target}" in err
    data = target.read_bytes()
    if fmt == "docx":
        assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    else:
        assert "海宁市公安局" in data.decode("utf-8")
    if fmt == "json":
        assert json.loads(data)["requests"] == json.loads(report("parse", HAINING)[0])["requests"]


def test_render_text_goes_to_standard_output():
    out, _, status = report("render", HAINING, "--to", "md")
    assert status == 0
    assert out.startswith("#") and "海宁市公安局" in out


def test_render_docx_to_a_pipe_is_binary_and_to_a_terminal_is_refused():
    piped = subprocess.run(
        [str(GONGKAI), "report", "render", str(HAINING), "--to", "docx"],
        capture_output=True,
        timeout=120,
    )
    assert piped.returncode == 0
    assert zipfile.ZipFile(io.BytesIO(piped.stdout)).namelist()

    controller, terminal = pty.openpty()
    try:
        refused = subprocess.run(
            [str(GONGKAI), "report", "render", str(HAINING), "--to", "docx"],
            stdout=terminal,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(terminal)
        os.close(controller)
    assert refused.returncode == 2
    assert "请用 -o 指定输出文件" in refused.stderr


# ---- compare ------------------------------------------------------------------------------------


def test_compare_reports_continuity_and_key_figures(tmp_path):
    last = write_json(tmp_path / "2021.json", make_report(2021, carry_forward=1))
    this = write_json(tmp_path / "2022.json", make_report(2022, new=5, carried_over=0))
    out, err, status = report("compare", last, this)
    assert status == 1 and "不衔接" in err
    assert "CONTINUITY" in out and "requests.carried_over/natural_person" in out
    [carry_forward] = [line for line in out.splitlines() if line.startswith("四、结转下年度")]
    assert carry_forward.split()[1:] == ["1", "0"]

    fixed = write_json(tmp_path / "2022b.json", make_report(2022, new=5, carried_over=1))
    out, _, status = report("compare", last, fixed)
    assert status == 0
    assert "requests.carried_over" not in out


def test_compare_needs_two_readable_files(tmp_path):
    (tmp_path / "x.exe").write_bytes(b"MZ")
    _, err, status = report("compare", HAINING, tmp_path / "x.exe")
    assert status == 1 and "不支持的文件类型" in err
    _, err, status = report("compare", HAINING, tmp_path / "missing.txt")
    assert status == 2 and "找不到文件" in err
