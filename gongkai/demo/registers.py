"""Demo registers for the demo bureau (示范市公安局): documents and imports 2023–today.

A city 公安局 makes no 规章 (only provincial and State Council bodies do), so the
register holds 行政规范性文件 only: a few a year since 2019, some repealed. The
business data is written as real CSV (UTF-8 and GB18030) and XLSX files and goes
through the same validator and import function as an upload, so each batch has
its file name, hash and audit row. Volumes follow the seed reports (行政许可
thousands, 处罚 hundreds, 强制 a few hundred, 收费 tens of 万元 a year).
Deterministic (seeded); running it again changes nothing.
"""

import csv
import datetime as dt
import io
import random
import tempfile
from pathlib import Path

from django.db import transaction

from gongkai.registers import documents, imports, rows
from gongkai.registers.models import Document, DocumentKind, ImportBatch, Via

SEED = 20260102
FIRST_IMPORT_YEAR = 2023

# (made, title, number, repealed or None)
DOCUMENTS = (
    ("2019-03-12", "示范市公安局关于加强城区犬只管理的通告", "示公通〔2019〕2号", "2024-03-31"),
    ("2019-09-20", "示范市公安局大型群众性活动安全许可办理规定", "示公规〔2019〕1号", "2023-06-30"),
    ("2020-05-08", "示范市公安局关于规范电动自行车登记上牌的通告", "示公通〔2020〕3号", None),
    ("2021-04-15", "示范市公安局户口迁移审批工作规范", "示公规〔2021〕1号", None),
    ("2021-11-02", "示范市公安局关于禁止燃放烟花爆竹区域的通告", "示公通〔2021〕6号", "2025-12-31"),
    ("2022-06-18", "示范市公安局特种行业许可证核发办法", "示公规〔2022〕1号", None),
    ("2023-02-27", "示范市公安局关于城区部分道路限行的通告", "示公通〔2023〕1号", None),
    ("2023-07-10", "示范市公安局大型群众性活动安全管理办法", "示公规〔2023〕2号", None),
    ("2024-01-22", "示范市公安局养犬登记管理规定", "示公规〔2024〕1号", None),
    ("2024-08-05", "示范市公安局关于规范网约车驾驶员背景核查的通知", "示公规〔2024〕3号", None),
    ("2025-03-14", "示范市公安局居住证办理实施细则", "示公规〔2025〕1号", None),
    ("2025-10-09", "示范市公安局关于春节期间烟花爆竹燃放管理的通告", "示公通〔2025〕4号", None),
    ("2026-03-02", "示范市公安局关于进一步规范非机动车停放秩序的通告", "示公通〔2026〕1号", None),
)

DECISIONS = {
    rows.LICENSING: (
        1050,
        "示公（{dept}）许字〔{y}〕第{n:05d}号",
        ("户", "治", "交", "出"),
        (
            "户口迁移审批",
            "旅馆业特种行业许可",
            "大型群众性活动安全许可",
            "烟花爆竹道路运输许可",
            "剧毒化学品购买许可",
            "保安服务公司设立许可",
            "机动车驾驶证核发",
        ),
    ),
    rows.PENALTIES: (
        620,
        "示公（{dept}）行罚决字〔{y}〕{n:05d}号",
        ("治", "交", "网"),
        (
            "殴打他人",
            "无证驾驶机动车",
            "扰乱公共秩序",
            "非法携带管制器具",
            "违反网络安全等级保护制度",
        ),
    ),
    rows.COERCION: (
        210,
        "示公（{dept}）强制字〔{y}〕{n:04d}号",
        ("治", "刑"),
        ("扣押物品", "查封场所", "扣留机动车", "强制传唤"),
    ),
}
# item: (unit price in 元, monthly count range)
FEES = {
    "居民身份证工本费": (20, (800, 1400)),
    "机动车号牌工本费": (100, (120, 260)),
    "出入境证件费（普通护照）": (120, (60, 180)),
}


def _periods(today):
    """(start, end) per import: whole years 2023–2025 (2025 licensing in halves), then this
    year up to the end of the last full month."""
    out = []
    for year in range(FIRST_IMPORT_YEAR, today.year):
        out.append((dt.date(year, 1, 1), dt.date(year, 12, 31)))
    last = today.replace(day=1) - dt.timedelta(days=1)
    if last.year == today.year:
        out.append((dt.date(today.year, 1, 1), last))
    return out


def _days(rng, start, end, count):
    span = (end - start).days
    return sorted(start + dt.timedelta(rng.randrange(span + 1)) for _ in range(count))


def _decision_rows(rng, kind, start, end):
    per_year, number, depts, matters = DECISIONS[kind]
    count = per_year * ((end - start).days + 1) // 365 + rng.randrange(-20, 21)
    out = [("决定日期", "决定文号", "事项名称", "备注")]
    for n, day in enumerate(_days(rng, start, max(start, end), max(count, 0)), start=1):
        dept = rng.choice(depts)
        out.append(
            (day.isoformat(), number.format(dept=dept, y=day.year, n=n), rng.choice(matters), "")
        )
    return out


def _fee_rows(rng, start, end):
    out = [("收费日期", "收费项目", "金额（元）")]
    month = start.replace(day=1)
    while month <= end:
        day = min(end, (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1))
        for item, (price, (low, high)) in FEES.items():
            out.append((day, item, price * rng.randrange(low, high)))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return out


def _write_csv(path, table, encoding):
    text = io.StringIO()
    csv.writer(text).writerows(table)
    path.write_bytes(text.getvalue().encode(encoding))


def _write_xlsx(path, table):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "收费明细"
    for row in table:
        sheet.append(list(row))
    book.save(path)


def _files(rng, start, end, folder):
    """(kind, path) of this period's export files."""
    label = f"{start:%Y%m%d}-{end:%Y%m%d}"
    out = []
    for kind in rows.DECISION_KINDS:
        if kind == rows.LICENSING and start.year == 2025 and end.month == 12:
            half = dt.date(2025, 6, 30)
            for first, last in ((start, half), (half + dt.timedelta(days=1), end)):
                path = folder / f"行政许可决定_{first:%Y%m%d}-{last:%Y%m%d}.csv"
                _write_csv(path, _decision_rows(rng, kind, first, last), "utf-8-sig")
                out.append((kind, path, first, last))
            continue
        path = folder / f"{rows.KINDS[kind]}决定_{label}.csv"
        encoding = "gb18030" if kind == rows.PENALTIES else "utf-8-sig"
        _write_csv(path, _decision_rows(rng, kind, start, end), encoding)
        out.append((kind, path, start, end))
    path = folder / f"行政事业性收费_{label}.xlsx"
    _write_xlsx(path, _fee_rows(rng, start, end))
    out.append((rows.FEES, path, start, end))
    return out


@transaction.atomic
def load(agency, by_user, today=None):
    """The demo registers of `agency`, kept by `by_user` (an office clerk); once only.

    Returns (documents created, import batches created).
    """
    today = today or dt.date.today()
    if (
        Document.objects.filter(agency=agency).exists()
        or ImportBatch.objects.filter(agency=agency).exists()
    ):
        return 0, 0
    made = 0
    for made_on, title, number, repealed in DOCUMENTS:
        made_on = dt.date.fromisoformat(made_on)
        if made_on > today:
            continue
        document = documents.add_document(
            agency,
            by=by_user,
            kind=DocumentKind.NORMATIVE_DOCUMENTS,
            title=title,
            number=number,
            made_on=made_on,
            note="",
        )
        made += 1
        if repealed and dt.date.fromisoformat(repealed) <= today:
            documents.repeal_document(
                document,
                by=by_user,
                repealed_on=dt.date.fromisoformat(repealed),
                reason="有效期届满" if repealed.endswith("12-31") else "被新文件替代",
            )
    rng = random.Random(SEED)
    batches = 0
    with tempfile.TemporaryDirectory(prefix="gongkai-demo-") as folder:
        for start, end in _periods(today):
            for kind, path, first, last in _files(rng, start, end, Path(folder)):
                imports.import_file(
                    path, agency=agency, kind=kind, start=first, end=last, today=today,
                    by=by_user, via=Via.DEMO,
                )  # fmt: skip
                batches += 1
    return made, batches
