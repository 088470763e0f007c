"""`gongkai annual build`: the interchange JSON (narrative included), exit 1 on a
checker error, and the JSON reads back through the engine to the same tables."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongkai.annual import workflow
from gongkai.reports import engine

from .conftest import PINNED, fill_placeholders

TABLES = ("proactive", "requests", "appeals")


def build(code, year, capsys):
    call_command("annual", "build", "--agency", code, "--year", str(year))
    return capsys.readouterr().out


def test_build_of_a_checked_report_exits_0_and_rereads_to_the_same_tables(world, capsys):
    annual = fill_placeholders(
        workflow.start(world.agency, 2025, by=world.office, today=PINNED), world.office
    )
    out = build("gaj", 2025, capsys)
    report = json.loads(out)
    assert report["narrative"]["overview"].startswith("2025年，示范市公安局")
    assert report["narrative"] == {
        "overview": report["narrative"]["overview"],
        "problems": report["narrative"]["problems"],
        "other": report["narrative"]["other"],
    }
    again = engine.analyse_bytes(out.encode("utf-8"), filename="gaj-2025.json")
    assert {k: again[k] for k in TABLES} == {k: report[k] for k in TABLES}
    assert again["narrative"] == report["narrative"]
    assert annual.pk  # the command saved nothing new
    assert not [f for f in report["findings"] if f["severity"] == "error"]


def test_build_exits_1_when_the_checker_finds_an_error(world, capsys):
    annual = workflow.start(world.agency, 2025, by=world.office, today=PINNED)
    workflow.edit(annual, texts={"六": [""] * len(annual.sections["六"])}, by=world.office)
    with pytest.raises(CommandError) as raised:
        build("gaj", 2025, capsys)
    assert raised.value.returncode == 1
    out = capsys.readouterr()
    report = json.loads(out.out)
    assert any(f["rule"] == "NARRATIVE-EMPTY" for f in report["findings"])


def test_build_without_a_report_drafts_without_saving(world, capsys):
    from gongkai.annual.models import AnnualReport

    with pytest.raises(CommandError):  # the unsaved draft still asks for 【待补充】 text
        build("gaj", 2025, capsys)
    assert json.loads(capsys.readouterr().out)["year"] == 2025
    assert not AnnualReport.objects.exists()


def test_bad_arguments_are_explained(world):
    with pytest.raises(CommandError, match="机关代码“nope”不存在") as raised:
        call_command("annual", "build", "--agency", "nope", "--year", "2025")
    assert raised.value.returncode == 2
    with pytest.raises(CommandError, match="还没有开始"):
        call_command("annual", "build", "--agency", "gaj", "--year", "2999")
