"""The 申请登记簿 export at scale (`make bench`): 10,000 and 100,000 rows through the real
export view (/cases/export/xlsx/ and csv, every registered field, by period), each in a
process of its own so that its peak RSS is the export's.

The register's rows are the bench agency's cases (gongkai.bench.cases generates 1,000,000
when missing); a period of received dates is chosen holding exactly the wanted number of
cases. Goal (issue 14 part 7): memory flat in the number of rows — the peak RSS over the
process's RSS before the export about equal at 10,000 and 100,000 rows.
"""

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import zipfile

from django.contrib.auth.models import User
from django.db import connection

from gongkai.agencies.models import Membership, Role
from gongkai.bench import cases as case_bench
from gongkai.bench._measure import conditions
from gongkai.bench.data.cases import ensure_agency
from gongkai.cases.models import Case

SIZES = (10_000, 100_000)
START = dt.date(2023, 1, 1)
USERNAME = "bench-office"


def period(agency, rows):
    """(first, last) received dates from START holding `rows` cases of the agency, or
    close to it (a period ends on a whole day)."""
    received = (
        Case.objects.filter(agency=agency, received_on__gte=START)
        .order_by("received_on")
        .values_list("received_on", flat=True)
    )
    last = received[rows - 1]
    return START, last


def _xlsx_rows(path):
    """The data rows of the exported workbook's sheet (its <row> elements, header left out)."""
    count = 0
    with zipfile.ZipFile(path) as book:
        with book.open("xl/worksheets/sheet1.xml") as sheet:
            tail = b""
            while chunk := sheet.read(1 << 20):
                data = tail + chunk
                count += data.count(b"<row ")
                tail = data[-4:]
    return count - 1


def _csv_rows(path):
    with open(path, "rb") as handle:
        return sum(1 for _ in handle) - 1  # no line breaks inside cells in generated data


def export(fmt, first, last):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, f"register.{fmt}")
        child = subprocess.run(
            [
                sys.executable,
                "-m",
                "gongkai.bench._export_child",
                fmt,
                first.isoformat(),
                last.isoformat(),
                USERNAME,
                out,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode != 0:
            raise RuntimeError(f"导出子进程失败：{child.stderr[-2000:]}")
        figures = json.loads(child.stdout.strip().splitlines()[-1])
        figures["rows"] = _xlsx_rows(out) if fmt == "xlsx" else _csv_rows(out)
    return figures


def run():
    if connection.vendor != "postgresql":
        print("登记簿导出基准测试需要 PostgreSQL：请设置 DATABASE_URL=postgres://… 后再运行。")
        return
    agency = ensure_agency(case_bench.BENCH_CODE, "基准测试市公安局")
    fresh = case_bench.ensure_cases(agency)
    print(conditions(fresh=fresh), flush=True)
    user, _ = User.objects.get_or_create(username=USERNAME)
    Membership.objects.get_or_create(user=user, agency=agency, role=Role.OFFICE)
    growth = {}
    for fmt in ("xlsx", "csv"):
        for rows in SIZES:
            first, last = period(agency, rows)
            f = export(fmt, first, last)
            grown = (f["rss_peak_kib"] - f["rss_before_kib"]) / 1024
            growth[fmt, rows] = grown
            print(
                f"申请登记簿 {fmt.upper()}（收到日期 {first}～{last}）：{f['rows']} 行，"
                f"{f['bytes'] / 1e6:.1f} MB，{f['seconds']:.1f} 秒（本进程 CPU "
                f"{f['cpu_seconds']:.1f} 秒），导出前 RSS {f['rss_before_kib'] / 1024:.0f} MiB，"
                f"峰值 {f['rss_peak_kib'] / 1024:.0f} MiB（增加 {grown:.1f} MiB）",
                flush=True,
            )
    for fmt in ("xlsx", "csv"):
        small, large = growth[fmt, SIZES[0]], growth[fmt, SIZES[1]]
        flat = large - small < 20
        print(
            f"{fmt.upper()} 内存：{SIZES[0]} 行增加 {small:.1f} MiB，{SIZES[1]} 行增加 "
            f"{large:.1f} MiB（目标：不随行数增长，{'达到' if flat else '未达到'}）"
        )
