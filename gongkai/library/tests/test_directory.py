"""The agencies directory: CSV/XLSX import, all or nothing, linked to the platform."""

import pytest
from openpyxl import Workbook

from gongkai.agencies.models import Agency
from gongkai.library import directory
from gongkai.library.models import LibraryAgency

from .conftest import DIRECTORY


def test_import_builds_the_hierarchy_and_links_platform_agencies(world):
    songxian = LibraryAgency.objects.get(name="嵩县公安局")
    luoyang = LibraryAgency.objects.get(name="洛阳市公安局")
    henan = LibraryAgency.objects.get(name="河南省公安厅")
    assert songxian.parent == luoyang and luoyang.parent == henan
    assert songxian.path.startswith(henan.path)
    assert songxian.level == "county"
    haining = LibraryAgency.objects.get(name="海宁市公安局")
    assert haining.platform == world.haining  # linked, not a second definition
    assert haining.parent.name == "浙江省公安厅"
    assert LibraryAgency.objects.get(name="临夏回族自治州公安局").alias_list() == ["临夏州公安局"]
    under = LibraryAgency.objects.filter(path__startswith=haining.parent.path)
    assert set(under.values_list("name", flat=True)) == {"浙江省公安厅", "海宁市公安局"}


def test_importing_the_same_file_again_changes_nothing(world):
    before = list(LibraryAgency.objects.values_list("pk", "name", "parent", "path"))
    assert directory.import_file(DIRECTORY, DIRECTORY.name) == (0, 0)
    assert list(LibraryAgency.objects.values_list("pk", "name", "parent", "path")) == before


def test_every_bad_row_is_reported_and_nothing_is_saved(db, tmp_path):
    bad = tmp_path / "名录.csv"
    bad.write_text(
        "机关名称,上级机关,层级,类型,别名,本平台机关代码\n"
        "甲省公安厅,,省级,部门,,\n"
        "乙市公安局,丙省公安厅,市级,部门,,\n"
        ",甲省公安厅,,,,\n"
        "丁县公安局,甲省公安厅,乡级,部门,,\n"
        "戊县公安局,甲省公安厅,县级,部门,,nosuch\n"
        "甲省公安厅,,省级,部门,,\n",
        encoding="utf-8",
    )
    with pytest.raises(directory.DirectoryError) as caught:
        directory.import_file(bad, bad.name)
    lines = caught.value.lines
    assert any(line.startswith("第 3 行") and "丙省公安厅" in line for line in lines)
    assert any(line.startswith("第 4 行") and "名称为空" in line for line in lines)
    assert any(line.startswith("第 5 行") and "乡级" in line for line in lines)
    assert any(line.startswith("第 6 行") and "nosuch" in line for line in lines)
    assert any(line.startswith("第 7 行") and "重复" in line for line in lines)
    assert not LibraryAgency.objects.filter(name="甲省公安厅").exists()


def test_xlsx_and_gb18030_csv_are_read(db, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["机关名称", "上级机关", "层级"])
    sheet.append(["某市人民政府", None, "市"])
    sheet.append(["某市教育局", "某市人民政府", "市"])
    path = tmp_path / "名录.xlsx"
    book.save(path)
    assert directory.import_file(path, path.name) == (2, 0)
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("机关名称,上级机关\n某县人民政府,某市人民政府\n".encode("gb18030"))
    assert directory.import_file(gbk, gbk.name) == (1, 0)
    assert LibraryAgency.objects.get(name="某县人民政府").parent.name == "某市人民政府"


def test_a_header_without_the_name_column_is_refused(db, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("名字,上级\n甲,乙\n", encoding="utf-8")
    with pytest.raises(directory.DirectoryError, match="机关名称"):
        directory.import_file(path, path.name)


def test_a_platform_agency_renamed_is_renamed_in_the_directory(world):
    Agency.objects.filter(pk=world.haining.pk).update(name="海宁市公安局（新）")
    directory.link_platform_agencies()
    assert LibraryAgency.objects.get(platform=world.haining).name == "海宁市公安局（新）"
