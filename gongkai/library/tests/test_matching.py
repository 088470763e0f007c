"""Matching a report to its agency and year (pure: no database)."""

from gongkai.library.matching import Candidate, match, suggest, year_from

DIRECTORY = [
    Candidate(1, "海宁市公安局"),
    Candidate(2, "嵩县公安局"),
    Candidate(3, "临夏回族自治州公安局", ["临夏州公安局"]),
    Candidate(4, "洛阳市公安局"),
    Candidate(5, "海宁市人民政府"),
    Candidate(6, "石嘴山市公安局"),
    Candidate(7, "嵩县公安局交警大队", ["嵩县人民政府"]),
]


def test_printed_name_matches_exactly_and_by_alias():
    assert match("海宁市公安局", 2021, "x.txt", DIRECTORY).agency_id == 1
    found = match("临夏州公安局", 2023, "x.txt", DIRECTORY)
    assert (found.agency_id, found.year) == (3, 2023)
    assert "临夏州公安局" in found.note


def test_spaces_and_brackets_do_not_matter():
    assert match("海宁市 公安局", 2021, "x.txt", DIRECTORY).agency_id == 1


def test_a_one_character_misprint_waits_with_the_right_suggestion_first():
    found = match("嵩县公按局", 2020, "report.txt", DIRECTORY)
    assert found.agency_id is None
    assert found.suggestions[0]["id"] == 2
    assert "目录中没有" in found.note


def test_a_misprint_in_a_long_name_is_suggested_too():
    assert suggest("石咀山市公安局", DIRECTORY)[0]["id"] == 6


def test_unrelated_names_are_not_suggested():
    assert suggest("北京市海淀区教育委员会", DIRECTORY) == []


def test_filename_names_the_agency_when_the_text_does_not():
    found = match(None, None, "年报/洛阳市公安局2019年政府信息公开工作年度报告.pdf", DIRECTORY)
    assert (found.agency_id, found.year) == (4, 2019)


def test_the_longest_name_in_the_filename_wins():
    found = match(None, 2022, "嵩县公安局交警大队2022年报.docx", DIRECTORY)
    assert found.agency_id == 7


def test_two_agencies_sharing_an_alias_are_ambiguous():
    pool = [*DIRECTORY, Candidate(8, "临夏州公安局分局", ["临夏州公安局"])]
    found = match("临夏州公安局", 2023, "x.txt", pool)
    assert found.agency_id is None
    assert "多个机关" in found.note


def test_without_a_year_a_matched_report_waits_with_its_agency_suggested():
    found = match("海宁市公安局", None, "海宁.txt", DIRECTORY)
    assert found.agency_id is None and found.year is None
    assert found.suggestions[0]["id"] == 1


def test_year_from_filename_only_when_unambiguous():
    assert year_from(None, "2020年报.txt") == 2020
    assert year_from(None, "2020-2021年报.txt") is None
    assert year_from(2019, "2020年报.txt") == 2019
