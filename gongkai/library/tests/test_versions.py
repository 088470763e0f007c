"""A corrected file as the next version of a report (library.versions.replace)."""

import pytest

from gongkai.library import collecting, review, versions
from gongkai.library.aggregates import ReportFigures
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


# ---- a second, different file of an agency-year already filed ----------------------------


def test_a_second_file_of_an_agency_year_waits_as_a_possible_duplicate(linxia, world):
    office = LibraryAgency.objects.get(platform=world.mps)
    [outcome] = collecting.collect([("临夏重发.txt", LINXIA.read_bytes())], user=world.office,
                                   collector=office)  # fmt: skip
    second = outcome.report
    assert outcome.result == "queued" and collecting.DUPLICATE in outcome.message
    assert (second.status, second.agency_id, second.year) == ("queued", linxia.agency_id, 2023)
    # The filed report stays the one of that year (counted, its decision untouched)…
    assert ReportFigures.objects.get(report=linxia).counted
    assert not ReportFigures.objects.filter(report=second).exists()
    # …and matching the queue again (the directory changed) does not file it.
    assert collecting.rematch_queued() == 0
    assert LibraryReport.objects.get(pk=second.pk).status == "queued"


def test_a_possible_duplicate_taken_as_the_new_version(linxia, world):
    office = LibraryAgency.objects.get(platform=world.mps)
    second = collecting.collect([("临夏重发.txt", LINXIA.read_bytes())], user=world.office,
                                collector=office)[0].report  # fmt: skip
    report = versions.adopt(linxia, second, "机关重新发布了更正后的报告", world.office)
    assert (report.pk, report.version, report.filename) == (linxia.pk, 2, "临夏重发.txt")
    assert report.error_count == 0  # the corrected figures are checked
    finding = report.findings.get(rule="T3-BALANCE")
    assert (finding.state, finding.present) == (Review.CONFIRMED, False)
    assert not LibraryReport.objects.filter(pk=second.pk).exists()
    kinds = set(report.events.values_list("kind", flat=True))
    assert {"collect", "revise", "adopt"} <= kinds
    # The file is the report's now: importing it again changes nothing.
    [again] = collecting.collect([("临夏重发.txt", LINXIA.read_bytes())], collector=office)
    assert (again.result, again.report.pk) == ("same", linxia.pk)
    assert LibraryReport.objects.count() == 1


def _stored(media):
    """Every file under the library's storage folder, as {relative name: bytes}."""
    root = media / "library"
    return {str(p.relative_to(media)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_adopting_keeps_one_copy_of_the_file(linxia, world, media):
    """The adopted file stays where it was stored when it was collected, now the
    report's original; its bytes are not stored a second time. The replaced original
    stays too, downloadable as the earlier original."""
    office = LibraryAgency.objects.get(platform=world.mps)
    second = collecting.collect([("临夏重发.txt", LINXIA.read_bytes())], user=world.office,
                                collector=office)[0].report  # fmt: skip
    first_name, second_name = linxia.original.name, second.original.name
    before = _stored(media)
    assert set(before) == {first_name, second_name}
    report = versions.adopt(linxia, second, "机关重新发布了更正后的报告", world.office)
    assert _stored(media) == before  # nothing stored, nothing lost
    assert report.original.name == second_name and report.sha256 == second.sha256
    with report.original.open("rb") as f:
        assert f.read() == LINXIA.read_bytes()
    old = SupersededOriginal.objects.get(report=report)
    assert (old.original.name, old.sha256) == (first_name, linxia.sha256)
    assert LibraryReport.objects.filter(original=second_name).count() == 1


def test_adopting_refuses_a_file_of_another_agency_year(linxia, world):
    office = LibraryAgency.objects.get(platform=world.mps)
    other = collecting.collect([("嵩县.txt", SONGXIAN.read_bytes())], user=world.office,
                               collector=office)[0].report  # fmt: skip
    with pytest.raises(review.ReviewError):
        versions.adopt(linxia, other, "理由", world.office)
    assert LibraryReport.objects.filter(pk=other.pk).exists()
