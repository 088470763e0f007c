"""The checks beyond one report in the library: fed from the database at import and
re-check, kept as reviewable findings whose decisions survive; their pages per role."""

import datetime as dt

import pytest
from django.urls import reverse

from gongkai.library import collecting, crosscheck, review
from gongkai.library.models import LibraryAgency, LibraryReport, Review, ReviewedFinding
from gongkai.reports import engine
from gongkai.reports.render import render

from .conftest import LINXIA, TESTDATA

SHIZUISHAN, SONGXIAN = TESTDATA[2], TESTDATA[4]
ROLES = ["office", "leader", "handler", "registrar", "county", "researcher", "keeper", "outsider"]


@pytest.fixture(autouse=True)
def _fast(remembered_reads):
    pass


def shizuishan_2021():
    """石嘴山市公安局's 2020 narrative carried into a 2021 report with this year's dates."""
    report = engine.analyse_file(SHIZUISHAN)
    report["year"] = 2021
    report["narrative"] = {k: v.replace("2020", "2021") for k, v in report["narrative"].items()}
    return render(report, "txt")


def luoyang_2020(new_total):
    """洛阳市公安局 2020, saying its figures include its counties', with `new_total`
    applications; its narrative is 嵩县公安局's with the name changed."""
    report = engine.analyse_file(SONGXIAN)
    report["agency"] = "洛阳市公安局"
    report["narrative"] = {k: v.replace("嵩县", "洛阳市") for k, v in report["narrative"].items()}
    report["narrative"]["overview"] = (
        "本报告数据包括局机关及所属各县（市、区）公安局。\n" + report["narrative"]["overview"]
    )
    report["requests"]["new"]["natural_person"] = report["requests"]["new"]["total"] = new_total
    return render(report, "txt")


def songxian_2020(new_total):
    report = engine.analyse_file(SONGXIAN)
    for row in ("new", "total", "granted"):
        report["requests"][row]["natural_person"] = report["requests"][row]["total"] = new_total
    return render(report, "txt")


def collect(world, *files):
    office = LibraryAgency.objects.get(platform=world.mps)
    return collecting.collect(list(files), user=world.office, collector=office)


def found(report, rule):
    return {f.where: f for f in report.findings.filter(rule=rule, present=True)}


def test_a_narrative_copied_from_last_year(world, client):
    collect(world, ("石嘴山2020.txt", SHIZUISHAN.read_bytes()))
    [outcome] = collect(world, ("石嘴山2021.txt", shizuishan_2021()))
    this = outcome.report
    last = LibraryReport.objects.get(agency=this.agency, year=2020)
    copy = found(this, "NARRATIVE-COPY")["narrative.last_year"]
    assert copy.severity == "warning" and copy.expected == last.pk
    assert "与2020年度报告相同" in copy.message
    # The 2021 report in the 2019 format: TEMPLATE-YEAR on the year it is filed under.
    assert "template" in found(this, "TEMPLATE-YEAR")
    # A decision survives re-checking everything (e.g. after a rule change).
    review.review(copy, Review.CONFIRMED, "正文与上年一致，已通知整改", world.office)
    assert crosscheck.recheck_all(world.office) == 2
    copy.refresh_from_db()
    assert (copy.state, copy.present) == (Review.CONFIRMED, True)
    # The report page links the two narratives side by side.
    client.force_login(world.office)
    page = client.get(reverse("library:report", args=[this.pk])).content.decode()
    assert "正文与上年或其他机关的报告雷同" in page and "报告正文 · 与上年报告比较" in page
    url = reverse("library:narrative_compare", args=[this.pk, last.pk])
    assert url in page
    text = client.get(url).content.decode()
    assert text.count("<mark>") >= copy.actual * 10 and "石嘴山市公安局 2020" in text


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_compare_page_per_role(client, world, role):
    collect(world, ("石嘴山2020.txt", SHIZUISHAN.read_bytes()))
    [outcome] = collect(world, ("石嘴山2021.txt", shizuishan_2021()))
    last = LibraryReport.objects.get(agency=outcome.report.agency, year=2020)
    if role != "anonymous":
        client.force_login(getattr(world, role))
    response = client.get(reverse("library:narrative_compare", args=[outcome.report.pk, last.pk]))
    if role == "anonymous":
        assert response.status_code == 302
        return
    # 石嘴山 is under 公安部, not under 海宁 (county).
    allowed = role in {"office", "leader", "researcher"}
    assert response.status_code == (200 if allowed else 403)


def test_parent_covering_children_and_copying_a_childs_narrative(world):
    [child] = collect(world, ("嵩县2020.txt", songxian_2020(9)))
    [parent] = collect(world, ("洛阳2020.txt", luoyang_2020(4)))
    parent, child = parent.report, child.report
    assert parent.agency.name == "洛阳市公安局" and child.agency.name == "嵩县公安局"
    sums = found(parent, "PARENT-SUM")
    assert set(sums) >= {"children.requests.new/total"}
    f = sums["children.requests.new/total"]
    assert (f.severity, f.expected, f.actual) == ("error", 9, 4)
    assert "本报告数据包括局机关及所属各县（市、区）公安局。" in f.message
    # The parent repeats the child's narrative; the child, re-checked in turn, learns too.
    assert f"narrative.agency/{child.agency_id}" in found(parent, "NARRATIVE-COPY")
    child.refresh_from_db()
    assert f"narrative.agency/{parent.agency_id}" in found(child, "NARRATIVE-COPY")
    # The child's figure corrected (a misread cell): the parent's finding is gone.
    review.correct(child, "requests.new/natural_person", 3, "原文为3", world.office)
    review.correct(child, "requests.new/total", 3, "原文为3", world.office)
    parent.refresh_from_db()
    assert "children.requests.new/total" not in found(parent, "PARENT-SUM")


def _findings():
    return sorted(
        ReviewedFinding.objects.filter(report__isnull=False).values_list(
            "report_id", "rule", "where", "severity", "present", "state", "expected", "actual"
        )
    )


def test_files_checked_together_find_what_files_imported_one_by_one_find(world):
    """An import stores and checks its files in batches (the files of a batch read each
    other, a parent before its child, a year before the last): the findings are those
    of importing the same files one call at a time; re-checking everything in batches
    changes nothing."""
    files = [
        ("洛阳2020.txt", luoyang_2020(4)),
        ("石嘴山2021.txt", shizuishan_2021()),
        ("嵩县2020.txt", songxian_2020(9)),
        ("石嘴山2020.txt", SHIZUISHAN.read_bytes()),
    ]
    for f in files:
        collect(world, f)
    one_by_one = _findings()
    assert {r[1] for r in one_by_one} >= {"PARENT-SUM", "NARRATIVE-COPY", "CONTINUITY"}
    LibraryReport.objects.all().delete()
    collect(world, *files)  # one batch
    together = _findings()
    ids = {r.pk: (r.agency_id, r.year) for r in LibraryReport.objects.all()}

    def by_agency(rows):  # report ids differ between the two imports
        return sorted((ids.get(r[0]), *r[1:6]) for r in rows)

    assert len(together) == len(one_by_one)
    assert [r[1:6] for r in sorted(together, key=lambda r: r[1:3])] == [
        r[1:6] for r in sorted(one_by_one, key=lambda r: r[1:3])
    ]
    crosscheck.recheck_all()
    assert by_agency(_findings()) == by_agency(together)


def test_a_missing_report_is_a_finding_until_it_arrives(world, client):
    [linxia] = collect(world, ("临夏.txt", LINXIA.read_bytes()))  # 2023
    missing = ReviewedFinding.objects.filter(rule="REPORT-MISSING", report__isnull=True)
    assert missing.filter(present=True).exists()  # collecting checked them (today: long due)
    crosscheck.refresh_missing(dt.date(2024, 1, 31))  # on the day of the deadline: not yet
    assert not missing.filter(present=True).exists()
    assert crosscheck.refresh_missing(dt.date(2024, 2, 1)) == 0  # the same findings again
    assert missing.filter(present=True).count() == missing.count() > 0
    names = set(missing.values_list("agency__name", flat=True))
    assert "嵩县公安局" in names and "临夏回族自治州公安局" not in names
    assert set(missing.values_list("year", flat=True)) == {2023}
    songxian = missing.get(agency__name="嵩县公安局")
    assert songxian.state == Review.PENDING and "应于2024年1月31日前发布" in songxian.message
    # Refreshed again, nothing is added (identity: agency, year, rule, location).
    assert crosscheck.refresh_missing(dt.date(2024, 2, 1)) == 0
    # The county office may not decide on 嵩县 (not under 海宁); the 公安部 office may.
    client.force_login(world.county)
    url = reverse("library:review", args=[songxian.pk])
    assert client.post(url, {"state": "excluded", "reason": "x"}).status_code == 403
    client.force_login(world.office)
    response = client.post(url, {"state": "confirmed", "reason": ""})
    assert response.status_code == 302 and "/library/due/?year=2023" in response["Location"]
    songxian.refresh_from_db()
    assert songxian.state == Review.CONFIRMED
    # The report arrives: the finding is no longer found, its decision kept.
    report = engine.analyse_file(LINXIA)
    report["agency"] = "嵩县公安局"
    collect(world, ("嵩县2023.txt", render(report, "txt")))
    songxian.refresh_from_db()
    assert (songxian.present, songxian.state) == (False, Review.CONFIRMED)


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_due_page_shows_missing_findings_per_role(client, world, role, settings):
    collect(world, ("临夏.txt", LINXIA.read_bytes()))
    crosscheck.refresh_missing(dt.date(2024, 2, 1))
    if role != "anonymous":
        client.force_login(getattr(world, role))
    response = client.get(reverse("library:due") + "?year=2023")
    if role == "anonymous":
        assert response.status_code == 302
        return
    viewers = {"office", "leader", "county", "researcher"}
    assert response.status_code == (200 if role in viewers else 403)
    if response.status_code == 200:
        text = response.content.decode()
        assert "待核实" in text
        # Review forms for those who may decide on the agency's finding.
        assert ("核实理由" in text) == (role in {"office", "county"})


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_reviewing_a_missing_report_per_role(client, world, role):
    collect(world, ("临夏.txt", LINXIA.read_bytes()))
    crosscheck.refresh_missing(dt.date(2024, 2, 1))
    haining = ReviewedFinding.objects.get(rule="REPORT-MISSING", agency__name="海宁市公安局")
    if role != "anonymous":
        client.force_login(getattr(world, role))
    response = client.post(
        reverse("library:review", args=[haining.pk]), {"state": "excluded", "reason": "已撤销"}
    )
    haining.refresh_from_db()
    if role == "anonymous":
        assert response.status_code == 302 and haining.state == Review.PENDING
        return
    # 海宁 is under 公安部 (office) and is the county office's own agency.
    allowed = role in {"office", "county"}
    assert response.status_code == (302 if allowed else 403)
    assert haining.state == (Review.EXCLUDED if allowed else Review.PENDING)
    if allowed:
        assert haining.decided_by == getattr(world, role) and haining.reason == "已撤销"
