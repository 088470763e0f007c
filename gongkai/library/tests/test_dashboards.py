"""年报库 dashboards, open data and the 体检报告: the aggregates follow corrections and
reviews, rankings leave out small agencies and say so, and every new page and download
has a test per role."""

import csv
import io
import json

import pytest
from django.urls import reverse

from gongkai.library import aggregates, charts, collecting, dashboards, review
from gongkai.library.aggregates import ReportFigures, RuleCount
from gongkai.library.figures import figures_of
from gongkai.library.models import LibraryAgency, LibraryReport, Review
from gongkai.reports import engine
from gongkai.reports.render import render

from .conftest import LINXIA, SEEDS, linxia_with_error

ROLES = ["office", "leader", "handler", "registrar", "county", "researcher", "keeper", "outsider"]
VIEWERS = {"office", "leader", "county", "researcher"}


@pytest.fixture(autouse=True)
def _fast(remembered_reads):
    pass


def luoyang_2023():
    """洛阳市公安局 2023 (the 临夏 report's layout): 60 applications, all decided."""
    report = engine.analyse_file(LINXIA)
    report["agency"] = "洛阳市公安局"
    requests = report["requests"]
    for row in requests.values():
        for col in row:
            row[col] = 0 if row[col] is not None else None
    figures = {"new": 60, "granted": 30, "partial": 10, "denied.third_party": 5,
               "unavailable.not_held": 15, "total": 60}  # fmt: skip
    for key, n in figures.items():
        requests[key]["natural_person"] = requests[key]["total"] = n
    report["appeals"]["reconsideration"].update(corrected=1, upheld=4, total=5, pending=0)
    return render(report, "txt")


@pytest.fixture
def stocked(world):
    office = LibraryAgency.objects.get(platform=world.mps)
    files = [(p.name, p.read_bytes()) for p in SEEDS[:3]]
    files += [("临夏.txt", linxia_with_error()), ("洛阳2023.txt", luoyang_2023())]
    collecting.collect(files, user=world.office, collector=office)
    world.linxia = LibraryReport.objects.get(agency__name="临夏回族自治州公安局")
    world.luoyang = LibraryReport.objects.get(agency__name="洛阳市公安局")
    world.haining_report = LibraryReport.objects.get(agency__name="海宁市公安局")
    world.root = office
    return world


def as_user(client, world, name):
    if name != "anonymous":
        client.force_login(getattr(world, name))
    return client


def test_figures_of_the_three_formats():
    data = engine.analyse_file(LINXIA)
    f = figures_of(data)
    assert (f["received"], f["handled"], f["granted"], f["fees_wan"]) == (1, 1, 1, 18.15)
    assert f["partial"] == 0 and f["normative_in_force"] == 1
    legacy = figures_of({"template": "2008", "legacy": {"received": 258, "reconsideration": 11}})
    assert (legacy["received"], legacy["reconsideration_total"], legacy["granted"]) == (
        258,
        11,
        None,
    )
    assert (
        figures_of(
            {
                "template": "2019",
                "proactive": {"normative_documents": {"published": 3, "public_total": 9}},
            }
        )["normative_in_force"]
        == 9
    )


def test_aggregates_follow_corrections_and_reviews(stocked):
    """A corrected cell changes the figures; an excluded finding leaves findings by rule."""
    linxia = stocked.linxia
    row = ReportFigures.objects.get(report=linxia)
    assert row.counted and row.year == 2023 and row.received == 1
    assert RuleCount.objects.filter(figures=row, rule="T3-BALANCE").exists()
    review.correct(linxia, "requests.new/total", 2, "原文为 2", stocked.office)
    row.refresh_from_db()
    assert (row.received, row.version) == (2, 2)
    finding = linxia.findings.filter(present=True).first()
    review.review(finding, Review.EXCLUDED, "原文如此", stocked.office)
    rules = dict(RuleCount.objects.filter(figures=row).values_list("rule", "count"))
    assert (
        rules.get(finding.rule, 0)
        == linxia.findings.filter(rule=finding.rule, present=True)
        .exclude(state=Review.EXCLUDED)
        .count()
    )


def test_only_the_latest_report_of_an_agency_year_is_counted(stocked):
    again = collecting.collect(
        [("临夏又一份.txt", linxia_with_error() + b"\n")],
        user=stocked.office,
        collector=stocked.root,
    )[0].report
    # A second file of an agency-year waits for a person (collecting._hold), who files
    # it as another report of that year.
    assert not ReportFigures.objects.filter(report=again).exists()
    review.assign(again, again.agency, 2023, stocked.office)
    rows = ReportFigures.objects.filter(agency=again.agency, year=2023)
    assert dict(rows.values_list("report_id", "counted")) == {
        stocked.linxia.pk: False,
        again.pk: True,
    }
    again.delete()
    aggregates.update(stocked.linxia)
    assert ReportFigures.objects.get(report=stocked.linxia).counted


def test_region_dashboard_figures_and_rankings(stocked, monkeypatch):
    import datetime as dt

    data = dashboards.region(stocked.root, 2023, dt.date(2024, 3, 1))
    assert data["values"]["reports"] == 2
    assert data["values"]["handled"] == 61 and data["values"]["granted"] == 31
    assert data["rate"] == pytest.approx((31 + 10) / 61)
    ranking = data["rankings"][0]
    # 洛阳 (60 decided) is ranked; 临夏 (1 decided) is below the minimum and left out.
    assert [name for name, *_ in ranking.top] == ["洛阳市公安局"]
    assert ranking.left_out == 1 and "不少于 20 件" in ranking.note
    reconsideration = data["appeals"][0]
    assert reconsideration[1:3] == (5, 1) and reconsideration[5] == pytest.approx(0.2)
    missing = {d.agency.name for d in data["due_problems"]}
    assert "嵩县公安局" in missing and "洛阳市公安局" not in missing


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_dashboard_per_role(client, stocked, role):
    response = as_user(client, stocked, role).get(
        reverse("library:dashboard"), {"region": stocked.root.pk, "year": 2023}
    )
    if role == "anonymous":
        assert response.status_code == 302
        return
    # The county office reaches 海宁 only: 公安部's region is not theirs.
    expected = 200 if role in VIEWERS - {"county"} else 403
    assert response.status_code == expected
    if expected == 200:
        text = response.content.decode()
        assert "实质公开率" in text and "因件数不足未排名" in text and "洛阳市公安局" in text
        assert 'class="case-table chart-data"' in text and "<svg" in text


def test_county_office_sees_its_own_dashboard(client, stocked):
    client.force_login(stocked.county)
    text = client.get(reverse("library:dashboard")).content.decode()
    assert "海宁市公安局" in text and "洛阳市公安局" not in text


@pytest.mark.parametrize(
    "role", ["office", "leader", "county", "researcher", "handler", "outsider"]
)
def test_agency_years_per_role(client, stocked, role):
    agency = stocked.linxia.agency
    response = as_user(client, stocked, role).get(reverse("library:agency", args=[agency.pk]))
    assert response.status_code == (200 if role in VIEWERS - {"county"} else 403)
    if response.status_code == 200:
        assert "2023年度" in response.content.decode()


@pytest.mark.parametrize("role", ["office", "leader", "county", "researcher", "outsider"])
def test_compare_per_role(client, stocked, role):
    url = reverse("library:compare")
    response = as_user(client, stocked, role).get(
        url, {"a": stocked.linxia.pk, "b": stocked.luoyang.pk}
    )
    assert response.status_code == (200 if role in VIEWERS - {"county"} else 403)
    if response.status_code == 200:
        text = response.content.decode()
        assert "个单元格不同" in text and "本年新收" in text


def test_compare_marks_the_differing_cells(client, stocked):
    client.force_login(stocked.office)
    text = client.get(
        reverse("library:compare"), {"a": stocked.linxia.pk, "b": stocked.luoyang.pk}
    ).content.decode()
    assert 'class="differs"' in text
    picker = client.get(reverse("library:compare"), {"a": stocked.linxia.pk}).content.decode()
    assert "洛阳市公安局 2023年度" in picker


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
@pytest.mark.parametrize("role", ["office", "researcher", "county", "outsider"])
def test_checkup_export_per_role(client, stocked, role, fmt):
    url = reverse("library:checkup", args=[stocked.root.pk, fmt])
    response = as_user(client, stocked, role).get(url, {"year": 2023})
    assert response.status_code == (200 if role in {"office", "researcher"} else 403)
    if response.status_code == 200:
        body = response.content
        assert body.startswith(b"%PDF" if fmt == "pdf" else b"PK")


def test_checkup_documents_carry_figures_and_charts(stocked):
    import datetime as dt

    from docx import Document

    from gongkai.library import checkup

    doc = checkup.build(stocked.root, 2023, dt.date(2024, 3, 1))
    html = checkup.to_html(doc)
    assert "<svg" in html and "实质公开率" in html and "67.2%" in html
    docx = Document(io.BytesIO(checkup.to_docx(doc)))
    assert docx.inline_shapes and "体检报告" in docx.paragraphs[0].text
    text = "\n".join(c.text for t in docx.tables for r in t.rows for c in r.cells)
    assert "67.2%" in text and "洛阳市公安局" in text


@pytest.mark.parametrize(
    "role", ["office", "county", "researcher", "leader", "handler", "outsider"]
)
def test_open_data_csv_per_role(client, stocked, role):
    response = as_user(client, stocked, role).get(reverse("library:data-csv"), {"year": 2023})
    assert response.status_code == (200 if role in VIEWERS else 403)
    if response.status_code != 200:
        return
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    agencies = {r["agency"] for r in rows}
    # A supervisor reads their region only: the county office its own (no 2023 report).
    assert agencies == (set() if role == "county" else {"临夏回族自治州公安局", "洛阳市公安局"})
    if rows:
        cell = next(r for r in rows if r["agency"] == "洛阳市公安局" and r["row"] == "granted"
                    and r["column"] == "total")  # fmt: skip
        assert cell["value"] == "30" and cell["report_id"] == str(stocked.luoyang.pk)


def test_open_data_csv_has_corrected_values(client, stocked):
    review.correct(stocked.linxia, "requests.new/natural_person", 1, "原文为 1", stocked.office)
    client.force_login(stocked.researcher)
    response = client.get(reverse("library:data-csv"), {"region": stocked.linxia.agency_id})
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    cell = next(r for r in rows if r["row"] == "new" and r["column"] == "natural_person")
    assert (cell["value"], cell["version"]) == ("1", "2")


@pytest.mark.parametrize("role", ["office", "researcher", "county", "outsider"])
def test_open_data_xlsx_per_role(client, stocked, role):
    from openpyxl import load_workbook

    response = as_user(client, stocked, role).get(
        reverse("library:data-xlsx"), {"region": stocked.root.pk, "year": 2023}
    )
    if role in {"county", "outsider"}:
        assert response.status_code == 403  # the county office does not reach 公安部
        return
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 3  # header + one row per report
    header = rows[0]
    luoyang = next(r for r in rows if r[1] == "洛阳市公安局")
    assert luoyang[header.index("三、本年度办理结果/（一）予以公开/总计")] == 30


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_api_per_role(client, stocked, role):
    c = as_user(client, stocked, role)
    listing = c.get(reverse("library:api-reports"))
    one = c.get(reverse("library:api-report", args=[stocked.linxia.pk]))
    figures = c.get(reverse("library:api-figures"), {"region": stocked.root.pk, "year": 2023})
    if role == "anonymous":
        assert {listing.status_code, one.status_code, figures.status_code} == {401}
        return
    if role not in VIEWERS:
        assert {listing.status_code, one.status_code, figures.status_code} == {403}
        assert "error" in json.loads(listing.content)
        return
    names = {r["agency"]["name"] for r in json.loads(listing.content)["results"]}
    if role == "county":
        assert names == {"海宁市公安局"}
        assert (one.status_code, figures.status_code) == (403, 403)
        return
    assert "临夏回族自治州公安局" in names
    data = json.loads(one.content)
    assert data["data"]["requests"]["new"]["total"] == 1 and data["reviews"]
    totals = json.loads(figures.content)
    assert totals["totals"]["handled"] == 61 and len(totals["agencies"]) == 2


def test_api_is_read_only(client, stocked):
    client.force_login(stocked.office)
    assert client.post(reverse("library:api-reports")).status_code == 405


def test_charts_svg_escapes_and_png_draws():
    chart = charts.Chart("x", "<b>标题</b>", "bar", ["甲<script>", "乙"], [("件数", [3, None])])
    drawn = charts.svg(chart)
    assert "<script>" not in drawn and "&lt;script&gt;" in drawn
    assert charts.png(chart).startswith(b"\x89PNG")
    line = charts.Chart("y", "历年", "line", ["2022", "2023"], [("率", [0.5, 0.7])], percent=True)
    assert "<polyline" in charts.svg(line)


@pytest.mark.parametrize("year", [2020, 2023])
def test_due_summary_agrees_with_the_due_page(stocked, year):
    """The dashboard counts in the database what due.statuses lists one by one."""
    import datetime as dt

    from gongkai.library import due

    today = dt.date(2024, 3, 1)
    counts, problems = dashboards.due_summary(stocked.root, year, today)
    agencies = LibraryAgency.objects.filter(path__startswith=stocked.root.path)
    rows = due.statuses(agencies, LibraryReport.objects.all(), year, today)
    assert counts == {name: sum(r.state == k for r in rows) for k, name in due.Due.NAMES.items()}
    assert [d.agency.name for d in problems] == [
        r.agency.name for r in rows if r.state in ("missing", "late")
    ]
