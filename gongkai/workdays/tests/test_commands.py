import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import chinese_calendar
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongkai.workdays.models import ExceptionalDay

NOTICE = str(Path(__file__).parent / "testdata" / "notice-2025.txt")
MAIN = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.django_db


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def loaded():
    run("calendar", "load")


def test_load_seeds_every_exceptional_day_of_chinesecalendar(loaded):
    national = ExceptionalDay.objects.filter(scope="")
    assert national.count() == len(chinese_calendar.holidays) + len(chinese_calendar.workdays)
    years = set(national.values_list("year", flat=True))
    assert years == set(range(2004, 2027))
    assert national.get(date=dt.date(2018, 12, 29)).year == 2019
    run("calendar", "load")  # idempotent
    assert national.count() == len(chinese_calendar.holidays) + len(chinese_calendar.workdays)


def test_import_notice_dry_run_json_prints_exactly_the_days_and_stores_nothing():
    out = run("calendar", "import-notice", NOTICE, "--year", "2025", "--dry-run", "--json")
    data = json.loads(out)
    assert list(data) == ["year", "holidays", "workdays"]
    assert data["year"] == 2025 and len(data["holidays"]) == 28
    assert data["workdays"] == [
        "2025-01-26",
        "2025-02-08",
        "2025-04-27",
        "2025-09-28",
        "2025-10-11",
    ]
    assert not ExceptionalDay.objects.exists()


def test_import_notice_replaces_the_years_days(loaded):
    ExceptionalDay.objects.filter(date=dt.date(2025, 10, 8)).delete()
    out = run("calendar", "import-notice", NOTICE, "--year", "2025")
    assert "已保存 2025 年安排：33 条" in out
    row = ExceptionalDay.objects.get(date=dt.date(2025, 10, 8), scope="")
    assert (row.kind, row.name, row.source) == (
        "holiday",
        "国庆节、中秋节",
        "国务院办公厅 国办发明电〔2024〕12号",
    )
    assert ExceptionalDay.objects.filter(year=2025, scope="").count() == 33


def test_a_self_contradicting_notice_is_refused_with_status_2(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text(Path(NOTICE).read_text(encoding="utf-8").replace("（周三）", "（周四）", 1))
    with pytest.raises(CommandError, match="通知自相矛盾") as err:
        run("calendar", "import-notice", str(bad), "--year", "2025")
    assert err.value.returncode == 2
    assert not ExceptionalDay.objects.exists()


def test_deadline_json(loaded):
    out = run(
        "deadline",
        "--received",
        "2025-09-28",
        "--consult",
        "2025-10-09..2025-10-15",
        "--today",
        "2025-10-20",
        "--json",
    )
    data = json.loads(out)
    assert data["due"] == "2025-11-07" and data["working_days_paused"] == 5
    assert data["provisional"] is False and data["state"] == "in_time"


def test_deadline_text_explains(loaded):
    out = run(
        "deadline", "--received", "2025-12-31", "--channel", "in_person", "--today", "2026-01-05"
    )
    assert "答复期限：2026-01-29" in out
    assert "收到申请 2025-12-31（当面提交，提交之日） → 第1个工作日 2026-01-04" in out


def test_deadline_provisional_beyond_the_loaded_years(loaded):
    with pytest.raises(CommandError, match="2027年的节假日安排尚未载入") as err:
        run("deadline", "--received", "2026-12-21", "--today", "2026-12-21")
    assert err.value.returncode == 2
    data = json.loads(
        run(
            "deadline",
            "--received",
            "2026-12-21",
            "--provisional",
            "--json",
            "--today",
            "2026-12-21",
        )
    )
    assert data["provisional"] is True and data["due"] == "2027-01-19"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--received", "2025-02-30"], "不是有效日期"),
        (
            ["--received", "2025-09-28", "--consult", "2025-10-15..2025-10-09"],
            "结束日期早于开始日期",
        ),
        (["--received", "2025-09-28", "--consult", "2025-10-15"], "格式不对"),
        (["--received", "2025-09-28", "--extended", "2025-11-03"], "届满前"),
    ],
)
def test_deadline_bad_input_exits_2_with_a_chinese_message(loaded, args, message):
    with pytest.raises(CommandError, match=message) as err:
        run("deadline", *args)
    assert err.value.returncode == 2


def test_the_console_exits_with_status_2_on_a_bad_date():
    proc = subprocess.run(
        [sys.executable, "-m", "gongkai.cli", "deadline", "--received", "2025-13-01"],
        cwd=MAIN,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "不是有效日期" in proc.stderr
