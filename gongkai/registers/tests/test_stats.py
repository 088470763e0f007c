"""Table 二 from the registers, and the whole report passing the engine's checker."""

import datetime as dt
from decimal import Decimal

import pytest

from gongkai.cases import workflow
from gongkai.cases.tests.factories import make_case
from gongkai.registers import documents, imports, stats
from gongkai.registers.models import Document
from gongkai.registers.tests.helpers import csv_bytes, decisions, write
from gongkai.reports import checks, engine, tables, validation
from gongkai.workdays.tests.factories import store_national_calendar

D = dt.date.fromisoformat
TODAY = D("2026-06-15")
pytestmark = pytest.mark.django_db


def doc(world, made, repealed=None, kind="normative_documents"):
    document = documents.add_document(
        world.agency, by=world.office, kind=kind, title=f"文件{made}", number="", made_on=D(made),
        note="",
    )  # fmt: skip
    if repealed:
        documents.repeal_document(document, by=world.office, repealed_on=D(repealed))
    return document


def load(world, tmp_path, kind, rows, start, end, name="f.csv"):
    path = write(tmp_path, name, csv_bytes(rows))
    _scan, batch = imports.import_file(
        path, agency=world.agency, kind=kind, start=D(start), end=D(end), today=TODAY,
        by=world.office,
    )  # fmt: skip
    return batch


@pytest.fixture
def registered(world):
    """Normative documents and one 规章 around the 2023/2024 year ends (see each line)."""
    doc(world, "2020-05-01")  # in force throughout
    doc(world, "2023-06-01", "2024-12-31")  # repealed on the last day of 2024
    doc(world, "2023-12-31")  # made on the last day of 2023
    doc(world, "2024-01-01", "2025-01-01")  # repealed the first day of 2025
    doc(world, "2024-02-01", "2024-08-01")  # made and repealed within 2024
    doc(world, "2022-01-01", "2023-01-01")  # repealed in 2023
    doc(world, "2024-07-01", kind="rules")
    return world


def test_document_counts_per_year(registered):
    counts = {y: stats.document_counts(registered.agency, y) for y in (2023, 2024, 2025)}
    n = {y: c["normative_documents"] for y, c in counts.items()}
    assert n[2023] == {"issued": 2, "repealed": 1, "in_force": 3}
    assert n[2024] == {"issued": 2, "repealed": 2, "in_force": 3}
    assert n[2025] == {"issued": 0, "repealed": 1, "in_force": 2}
    assert counts[2024]["rules"] == {"issued": 1, "repealed": 0, "in_force": 1}
    assert counts[2023]["rules"] == {"issued": 0, "repealed": 0, "in_force": 0}


def test_in_force_at_year_end_follows_last_years_figure_plus_issued_minus_repealed(registered):
    for year in (2022, 2023, 2024, 2025, 2026):
        last, this = (stats.document_counts(registered.agency, y) for y in (year - 1, year))
        for kind in ("rules", "normative_documents"):
            now = this[kind]
            assert now["in_force"] == last[kind]["in_force"] + now["issued"] - now["repealed"]


def test_queryset_and_model_agree_on_in_force(registered):
    for day in (D("2023-12-31"), D("2024-12-31"), D("2025-01-01")):
        listed = set(Document.objects.in_force_on(day))
        assert listed == {d for d in Document.objects.all() if d.is_in_force(day)}


def test_decisions_are_counted_by_their_date_within_the_year(world, tmp_path):
    load(
        world,
        tmp_path,
        "licensing",
        decisions("A1", "A2", day="2024-01-01"),
        "2024-01-01",
        "2024-06-30",
    )
    load(
        world, tmp_path, "licensing", decisions("B1", day="2024-12-31"), "2024-07-01", "2024-12-31"
    )
    load(
        world, tmp_path, "penalties", decisions("C1", day="2023-12-31"), "2023-01-01", "2023-12-31"
    )
    load(world, tmp_path, "coercion", decisions(), "2024-01-01", "2024-12-31")  # header only
    section = stats.proactive_section(world.agency, 2024)
    assert section["licensing"] == {"decisions": 3}
    assert section["coercion"] == {"decisions": 0}  # imported, none: 0
    assert section["penalties"] == {"decisions": None}  # nothing imported for 2024: blank
    assert section["fees"] == {"amount_wan": None}
    assert stats.proactive_section(world.agency, 2023)["penalties"] == {"decisions": 1}


def test_coverage_lists_the_days_without_an_import(world, tmp_path):
    load(world, tmp_path, "licensing", decisions(), "2024-03-01", "2024-05-31")
    load(world, tmp_path, "licensing", decisions(), "2024-06-01", "2024-06-30")
    gaps = stats.coverage(world.agency, 2024)
    assert gaps["licensing"] == [
        (D("2024-01-01"), D("2024-02-29")),
        (D("2024-07-01"), D("2024-12-31")),
    ]
    assert gaps["fees"] == [(D("2024-01-01"), D("2024-12-31"))]


@pytest.mark.parametrize(
    ("amounts", "wan"),
    [
        (["181500"], 18.15),
        (["0.49"], 0),  # less than half a 元 in the fourth decimal: 0.000049万 → 0
        (["0.50"], 0.0001),  # half-up
        (["12345.67", "0.33"], 1.2346),
        (["20000"], 2),
    ],
)
def test_fees_are_summed_in_yuan_and_shown_in_wan(world, tmp_path, amounts, wan):
    rows = [("收费日期", "收费项目", "金额（元）")] + [("2024-05-01", "工本费", a) for a in amounts]
    load(world, tmp_path, "fees", rows, "2024-01-01", "2024-12-31")
    value = stats.proactive_section(world.agency, 2024)["fees"]["amount_wan"]
    assert value == wan and type(value) is type(wan)


def test_proactive_section_has_exactly_the_2021_shape(registered):
    section = stats.proactive_section(registered.agency, 2024)
    expected = tables.empty_proactive(tables.TEMPLATE_2021)
    assert {k: set(v) for k, v in section.items()} == {k: set(v) for k, v in expected.items()}
    assert section["normative_documents"] == {"issued": 2, "repealed": 2, "in_force": 3}


def test_years_before_the_2021_format_are_refused_in_chinese(world):
    with pytest.raises(stats.StatsError, match="2021年格式"):
        stats.proactive_section(world.agency, 2020)
    with pytest.raises(stats.StatsError, match="2021年格式"):
        stats.annual_report(world.agency, 2019)


@pytest.fixture
def with_cases(registered, tmp_path):
    """A few cases (tables 三/四) and every kind imported for 2024."""
    w = registered
    store_national_calendar()
    case = make_case(w.agency, w.registrar, submitted_on=D("2024-03-01"))
    workflow.withdraw(case, by=w.registrar, on=D("2024-03-05"))
    make_case(w.agency, w.registrar, submitted_on=D("2024-12-20"))  # carried forward
    for kind in ("licensing", "penalties", "coercion"):
        load(w, tmp_path, kind, decisions("X1", "X2"), "2024-01-01", "2024-12-31", f"{kind}.csv")
    fees = [("收费日期", "收费项目", "金额（元）"), ("2024-02-01", "工本费", "1234.5")]
    load(w, tmp_path, "fees", fees, "2024-01-01", "2024-12-31", "fees.csv")
    return w


def test_annual_report_passes_the_checker_and_the_schema(with_cases):
    report = stats.annual_report(with_cases.agency, 2024)
    assert (report["format"], report["template"], report["year"]) == (
        tables.FORMAT_ID,
        "2021",
        2024,
    )
    assert report["agency"] == with_cases.agency.name
    assert report["proactive"]["fees"] == {"amount_wan": 0.1235}
    assert report["requests"]["new"]["total"] == 2
    assert validation.schema_errors(report) == []
    assert report["findings"] == checks.check(report)
    assert [f for f in report["findings"] if f["severity"] == "error"] == []
    # and the engine reads its own JSON back with no error either
    data = engine.analyse_bytes(
        __import__("json").dumps(report, ensure_ascii=False).encode(), filename="r.json"
    )
    assert [f for f in data["findings"] if f["severity"] == "error"] == []
    assert data["proactive"] == report["proactive"]


def test_consecutive_reports_join_up(with_cases):
    last = stats.annual_report(with_cases.agency, 2023)
    this = stats.annual_report(with_cases.agency, 2024)
    assert checks.check_continuity(last, this) == []


def test_the_checker_would_catch_a_broken_in_force_figure(with_cases):
    """Guards the test above: one changed cell makes CONTINUITY speak."""
    last = stats.annual_report(with_cases.agency, 2023)
    this = stats.annual_report(with_cases.agency, 2024)
    this["proactive"]["normative_documents"]["in_force"] += 1
    assert {f["rule"] for f in checks.check_continuity(last, this)} == {"CONTINUITY"}


def test_fee_amounts_are_decimal_exact(world, tmp_path):
    rows = [("收费日期", "收费项目", "金额（元）")] + [("2024-05-01", "工本费", "0.10")] * 3
    batch = load(world, tmp_path, "fees", rows, "2024-01-01", "2024-12-31")
    assert batch.amount == Decimal("0.30")
