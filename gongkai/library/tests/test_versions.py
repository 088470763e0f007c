"""A corrected file as the next version of a report (library.versions.replace)."""

import pytest

from gongkai.library import collecting, review, versions
from gongkai.library.models import LibraryAgency, LibraryReport, Review, SupersededOriginal

from .conftest import LINXIA, SONGXIAN, linxia_with_error


@pytest.fixture
def linxia(world, remembered_reads):
    office = LibraryAgency.objects.get(platform=world.mps)
    report = collecting.collect([("临夏.txt", linxia_with_error())], user=world.office,
                                collector=office)[0].report  # fmt: skip
    review.review(report.findings.get(rule="T3-BALANCE"), Review.CONFIRMED, "", world.office)
    return report


def test_replace_keeps_decisions_and_drops_readings_of_the_old_file(linxia, world):
    # A person's reading of a cell of the first file (version 2)…
    review.correct(linxia, "requests.new/commercial", 5, "原文为 5", world.office)
    report = versions.replace(
        linxia, "临夏更正.txt", LINXIA.read_bytes(), "按整改更正", world.office
    )
    assert report.version == 3 and report.filename == "临夏更正.txt"
    # …does not apply to the corrected file: its own figures stand.
    assert (
        report.current["requests"]["new"]["commercial"]
        == report.parsed["requests"]["new"]["commercial"]
    )
    assert report.error_count == 0
    finding = report.findings.get(rule="T3-BALANCE", state=Review.CONFIRMED)
    assert (finding.state, finding.present) == (Review.CONFIRMED, False)
    assert SupersededOriginal.objects.get(report=report).until_version == 3


def test_replace_refuses_another_year_or_agency_and_changes_nothing(linxia, world):
    songxian_2023 = SONGXIAN.read_bytes().replace(b"2020", b"2023")
    for data, message in [
        (SONGXIAN.read_bytes(), "2020年度"),
        (songxian_2023, "嵩县公安局"),
        (b"", "空的"),
    ]:
        with pytest.raises(review.ReviewError, match=message):
            versions.replace(linxia, "x.txt", data, "更正", world.office)
    with pytest.raises(review.ReviewError, match="理由"):
        versions.replace(linxia, "x.txt", LINXIA.read_bytes(), "", world.office)
    report = LibraryReport.objects.get(pk=linxia.pk)
    assert (report.version, report.sha256) == (linxia.version, linxia.sha256)
    assert not SupersededOriginal.objects.exists()
