"""`gongkai registers import`: summary, dry run, exit code 2 with a Chinese reason."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from gongkai.registers.models import Decision, FeeRecord, ImportBatch, Via
from gongkai.registers.tests.helpers import csv_bytes, decisions, write, xlsx_bytes

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("registers", "import", *args, stdout=out)
    return out.getvalue()


def base(world, path, kind="licensing"):
    return [str(path), "--agency", world.agency.code, "--kind", kind,
            "--from", "2024-01-01", "--to", "2024-12-31"]  # fmt: skip


def test_import_prints_a_summary_and_writes_a_batch(world, tmp_path):
    path = write(tmp_path, "许可.csv", csv_bytes(decisions("A1", "A2"), "gb18030"))
    out = run(*base(world, path))
    assert "可导入 2 行，被拒绝 0 行" in out and "已导入 2 行" in out
    batch = ImportBatch.objects.get()
    assert (batch.via, batch.imported_by, batch.file_name) == (Via.COMMAND, None, "许可.csv")
    out = run(*base(world, path), "--user", world.admin.username)
    assert "替换了此前的 1 次导入" in out
    assert ImportBatch.objects.current().get().imported_by == world.admin


def test_dry_run_writes_nothing(world, tmp_path):
    path = write(tmp_path, "收费.xlsx", xlsx_bytes([("收费日期", "收费项目", "金额（元）"),
                                                 (dt.date(2024, 1, 2), "工本费", 20)]))  # fmt: skip
    out = run(*base(world, path, "fees"), "--dry-run")
    assert "可导入金额合计 20.00 元" in out and "试运行" in out
    assert not FeeRecord.objects.exists() and not ImportBatch.objects.exists()


def test_rejected_rows_stop_the_import_unless_allowed(world, tmp_path):
    path = write(tmp_path, "f.csv", csv_bytes(decisions("A1") + [("2024-02-30", "A2", "x")]))
    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("registers", "import", *base(world, path), stdout=out)
    assert error.value.returncode == 2 and "有 1 行未通过校验" in str(error.value)
    assert "第 3 行：决定日期：“2024-02-30”不是存在的日期" in out.getvalue()
    assert not Decision.objects.exists()
    run(*base(world, path), "--allow-rejected")
    assert Decision.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--kind": "bribes"}, "--kind“bribes”无效"),
        ({"--agency": "nope"}, "找不到机关代码为“nope”"),
        ({"--from": "2024/01/01"}, "--from“2024/01/01”格式不对"),
        ({"--to": "2025-01-31"}, "跨了年度"),
        ({"--user": "ghost"}, "找不到用户“ghost”"),
        ({"file": "/nonexistent/x.csv"}, "无法读取文件"),
        ({"file": "BAD_HEADER"}, "缺少必需的列"),
    ],
)
def test_bad_input_exits_with_code_2_and_a_chinese_message(world, tmp_path, change, message):
    path = write(tmp_path, "f.csv", csv_bytes(decisions("A1")))
    if change.get("file") == "BAD_HEADER":
        change = {"file": str(write(tmp_path, "g.csv", csv_bytes([("日期",)])))}
    args = base(world, path)
    if "file" in change:
        args[0] = change.pop("file")
    for flag, value in change.items():
        if flag in args:
            args[args.index(flag) + 1] = value
        else:
            args += [flag, value]
    with pytest.raises(CommandError) as error:
        run(*args)
    assert error.value.returncode == 2
    assert message in str(error.value)
    assert not ImportBatch.objects.exists()


def test_a_viewer_named_with_user_may_not_import(world, tmp_path):
    path = write(tmp_path, "f.csv", csv_bytes(decisions("A1")))
    with pytest.raises(CommandError, match="导入业务数据"):
        run(*base(world, path), "--user", world.leader.username)
