"""Renderers: layout as the national format prints it, escaping, and round trips."""

import copy
import csv
import io
import json
from html.parser import HTMLParser

import docx
import pytest
from docx.oxml.ns import qn

from gongkai.reports import extract, parsing, tables
from gongkai.reports.render import FORMATS, read_csv, render, tables_html

AMOUNT_EXTRAS = ("amount_as_printed", "unit_as_printed")


def _value(kind, i):
    if i % 5 == 3:
        return None  # a blank cell
    if kind == tables.SIGNED:
        return (22, -61, 0, 3)[i % 4]
    if kind == tables.YUAN:
        return 35222378.65
    if kind == tables.WAN:
        return 18.15
    return (i * 7) % 23


def sample(template_key):
    """A filled report: varied numbers, blanks, negative changes, 2021 other = sum of parts."""
    report = tables.empty_report(template_key)
    report.update(agency="海宁市公安局", year=2021 if template_key == "2021" else 2020)
    report["published"] = "2022-01-15"
    report["narrative"] = {
        "overview": "2021年，共收到依申请公开3件。",
        "problems": "问题。",
        "other": "",
    }
    i = 0
    template = tables.TEMPLATES[template_key]
    for block, row in template.proactive_rows():
        for col in block.columns:
            i += 1
            report["proactive"][row.key][col.key] = _value(col.kind, i)
    for key, row in report["requests"].items():
        if key == "other" and template_key == "2021":
            continue
        for col in row:
            i += 1
            row[col] = None if key == "carried_over" else _value(tables.COUNT, i)
    if template_key == "2021":
        for col in tables.REQUEST_COLUMNS:
            for part in tables.OTHER_PARTS:  # the parser sums printed parts into `other`
                if report["requests"][part][col.key] is None:
                    report["requests"][part][col.key] = 1
            parts = [report["requests"][p][col.key] for p in tables.OTHER_PARTS]
            report["requests"]["other"][col.key] = sum(parts)
    for group in report["appeals"].values():
        for col in group:
            i += 1
            group[col] = (i * 3) % 7
    return report


def comparable(report, *, published=True):
    proactive = {
        key: {c: v for c, v in row.items() if c not in AMOUNT_EXTRAS}
        for key, row in (report.get("proactive") or {}).items()
    }
    out = {
        "agency": report.get("agency"),
        "year": report.get("year"),
        "template": report.get("template"),
        "proactive": proactive,
        "requests": report.get("requests"),
        "appeals": report.get("appeals"),
    }
    if published:
        out["published"] = report.get("published")
    return out


def cell_count(template_key):
    report = tables.empty_report(template_key)
    proactive = sum(
        len([c for c in row if c not in AMOUNT_EXTRAS]) for row in report["proactive"].values()
    )
    return proactive + 7 * len(report["requests"]) + 15


def pipe_cells(line):
    assert line.startswith("|") and line.endswith("|"), line
    return [c.strip() for c in line[1:-1].split("|")]


def table_blocks(text):
    """Runs of consecutive pipe lines."""
    blocks, current = [], []
    for line in text.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


# ---- round trips ---------------------------------------------------------------------

TEMPLATE_KEYS = ("2019", "2021")


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_json_round_trip(key):
    report = sample(key)
    data = render(report, "json")
    assert "海宁市公安局" in data.decode("utf-8")  # ensure_ascii=False
    assert json.loads(data) == report


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_csv_round_trip(key):
    report = sample(key)
    back = read_csv(render(report, "csv").decode("utf-8-sig"))
    assert comparable(back, published=False) == comparable(report, published=False)


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
@pytest.mark.parametrize(
    "fmt",
    [
        "txt",
        "md",
    ],
)
def test_text_round_trip_through_parser(key, fmt):
    report = sample(key)
    text = render(report, fmt).decode("utf-8")
    back = parsing.parse_text(text, filename=f"report.{fmt}")
    assert comparable(back) == comparable(report)


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
@pytest.mark.parametrize("fmt", ["html", "docx"])
def test_file_round_trip_through_extractor_and_parser(key, fmt):
    report = sample(key)
    filename = f"report.{fmt}"
    text = extract.to_text(render(report, fmt), filename=filename)
    back = parsing.parse_text(text, filename=filename)
    assert comparable(back) == comparable(report)


# ---- the API -----------------------------------------------------------------------------


def test_formats_and_unknown_format():
    assert set(FORMATS) == {"json", "csv", "txt", "md", "html", "docx"}
    for fmt, (content_type, ext, name) in FORMATS.items():
        assert ext == fmt and "/" in content_type and name
        assert isinstance(render(sample("2021"), fmt), bytes)
    with pytest.raises(ValueError, match="不支持的输出格式“pdf”"):
        render(sample("2021"), "pdf")
    with pytest.raises(ValueError, match="字典"):
        render(["not", "a", "report"], "txt")


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_renders_a_sparse_or_partial_report(fmt):
    report = {"agency": None, "year": None, "requests": {"new": {"total": 3}}}
    assert render(report, fmt)
    assert render(tables.empty_report(None), fmt)


# ---- text and Markdown -------------------------------------------------------------------


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_txt_has_title_date_sections_and_every_label(key):
    report = sample(key)
    text = render(report, "txt").decode("utf-8")
    lines = text.splitlines()
    year = report["year"]
    assert lines[0] == f"海宁市公安局{year}年政府信息公开工作年度报告"
    assert lines[1] == "发布日期：2022-01-15"
    positions = [lines.index(h) for h in tables.SECTIONS]
    assert positions == sorted(positions)
    assert lines[positions[0] + 1] == "2021年，共收到依申请公开3件。"
    assert lines[positions[4] + 1] == "问题。"
    template = tables.TEMPLATES[key]
    labels = [tables.BALANCE_NOTE, tables.APPLICANT_HEADER, tables.ORG_HEADER]
    labels += [c.label for c in tables.REQUEST_COLUMNS + tables.APPEAL_COLUMNS]
    labels += [g.label for g in tables.APPEAL_GROUPS] + [tables.LITIGATION_HEADER]
    for block in template.proactive:
        labels += [block.heading] + [c.label for c in block.columns]
        labels += [r.label for r in block.rows]
    for row in template.request_rows:
        labels += [row.label, *row.groups]
    # Every label fills a cell of its own, except table 三's label area, which is
    # one cell in text (its parts separated by spaces).
    cells = {c for line in lines if line.startswith("|") for c in pipe_cells(line)}
    parts = {p for c in cells for p in c.split(" ")} | cells
    assert set(labels) <= parts


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_txt_tables_place_every_cell_by_position(key):
    report = sample(key)
    text = render(report, "txt").decode("utf-8")
    proactive, requests, appeals = table_blocks(text)
    # Table 三's three label columns are one cell in text (see render/text.py).
    for block, width in ((proactive, 4), (requests, 8), (appeals, 15)):
        assert {len(pipe_cells(line)) for line in block} == {width}

    template = tables.TEMPLATES[key]
    data_rows = [pipe_cells(line) for line in requests[3:]]
    assert len(data_rows) == len(template.request_rows)
    for row, cells in zip(template.request_rows, data_rows, strict=True):
        assert cells[0] == " ".join([*row.groups, row.label])
        expected = report["requests"][row.key]
        assert cells[1:] == [
            "" if expected[c.key] is None else str(expected[c.key]) for c in tables.REQUEST_COLUMNS
        ]

    numbers = pipe_cells(appeals[-1])
    flat = [str(v) for g in tables.APPEAL_GROUPS for v in report["appeals"][g.key].values()]
    assert numbers == flat


def test_txt_prints_signed_changes_and_money_as_the_format_does():
    report = sample("2019")
    report["proactive"]["licensing"].update(prev_items=159, change=-61, decisions=79034)
    report["proactive"]["other_services"].update(prev_items=54, change=22, decisions=None)
    report["proactive"]["fees"].update(prev_items=51, change=0)
    report["proactive"]["procurement"].update(items=99, amount_yuan=35222378.65)
    lines = render(report, "txt").decode("utf-8").splitlines()
    assert "| 第二十条第（一）项 | | | |" in lines
    assert "| 信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |" in lines
    assert "| 行政许可 | 159 | 减61 | 79034 |" in lines
    assert "| 其他对外管理服务事项 | 54 | 增22 | |" in lines
    assert "| 行政事业性收费 | 51 | 0 | |" in lines
    assert "| 政府集中采购 | 99 | 35222378.65元 | |" in lines

    report = sample("2021")
    report["proactive"]["fees"]["amount_wan"] = 18.15
    lines = render(report, "txt").decode("utf-8").splitlines()
    assert "| 信息内容 | 本年收费金额（单位：万元） | | |" in lines
    assert "| 行政事业性收费 | 18.15 | | |" in lines


def test_txt_request_rows_match_the_brief_examples():
    report = tables.empty_report("2019")
    report["requests"]["new"].update(natural_person=2, total=3)
    report["requests"]["denied.state_secret"] = {c.key: 0 for c in tables.REQUEST_COLUMNS}
    lines = render(report, "txt").decode("utf-8").splitlines()
    assert "| 一、本年新收政府信息公开申请数量 | 2 | | | | | | 3 |" in lines
    assert (
        "| 三、本年度办理结果 （三）不予公开 1.属于国家秘密 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |" in lines
    )


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_md_headings_and_separator_after_each_tables_first_row(key):
    text = render(sample(key), "md").decode("utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("# 海宁市公安局")
    for heading in tables.SECTIONS:
        assert f"## {heading}" in lines
    blocks = table_blocks(text)
    assert len(blocks) == 3
    for block in blocks:
        width = len(pipe_cells(block[0]))
        assert block[1] == "|" + "---|" * width
        assert all(not set(line) <= set("|-") for line in block[2:])
        assert {len(pipe_cells(line)) for line in block} == {width}
    # A table must follow a blank line to be a Markdown table.
    for i, line in enumerate(lines):
        if line.startswith("|") and not lines[i - 1].startswith("|"):
            assert lines[i - 1] == ""


def test_narrative_lines_cannot_forge_table_rows():
    report = sample("2021")
    report["narrative"]["overview"] = "| 一、本年新收政府信息公开申请数量 | 999 |\n# 标题"
    text = render(report, "txt").decode("utf-8")
    assert "| 一、本年新收政府信息公开申请数量 | 999 |" not in text.splitlines()
    assert "｜ 一、本年新收政府信息公开申请数量 | 999 |" in text.splitlines()
    md = render(report, "md").decode("utf-8").splitlines()
    assert "\\# 标题" in md


def test_2008_report_prints_narrative_and_legacy_figures():
    report = tables.empty_report("2008")
    report.update(agency="广东省公安厅", year=2017)
    report["narrative"] = {
        "overview": "概述正文。",
        "problems": "问题正文。",
        "other": "其他正文。",
    }
    report["legacy"].update(received=258, reconsideration=11, litigation=4, proactive_items=23000)
    report["legacy"]["by_channel"].update(online=203, letter=55)
    report["legacy"]["replies"] = [{"label": "同意公开", "count": 41}]
    for fmt in ("txt", "md"):
        text = render(report, fmt).decode("utf-8")
        for heading in tables.SECTIONS_2008:
            assert heading in text
        lines = text.splitlines()
        assert lines.index("概述正文。") > max(i for i, x in enumerate(lines) if "一、概述" in x)
        assert "| 收到政府信息公开申请（件） | 258 |" in lines
        assert "| 网上申请（件） | 203 |" in lines
        assert "| 同意公开 | 41 |" in lines
        assert "| 主动公开政府信息（条） | 23000 |" in lines
        assert "| 行政诉讼（件） | 4 |" in lines
        assert text.index("其他正文。") > text.index(tables.SECTIONS_2008[-1])
    assert "| 258 |" not in render(tables.empty_report("2008"), "txt").decode("utf-8")


# ---- HTML ------------------------------------------------------------------------------------


class _Cells(HTMLParser):
    """Rebuild every table's grid from the HTML, honouring rowspan and colspan."""

    def __init__(self):
        super().__init__()
        self.tables, self.scripts, self.where = [], 0, []
        self._row = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts += 1
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._row = []
            self.tables[-1].append(self._row)
        elif tag in ("td", "th"):
            span = (int(attrs.get("rowspan", 1)), int(attrs.get("colspan", 1)))
            self._row.append(span)
            if "data-where" in attrs:
                self.where.append((attrs["data-where"], attrs.get("class"), attrs.get("title")))


def _widths(rows):
    """Row widths after rowspans, as a browser lays the table out."""
    carried, widths = {}, []
    for r, row in enumerate(rows):
        widths.append(sum(cs for _, cs in row) + carried.pop(r, 0))
        for rs, cs in row:
            for later in range(r + 1, r + rs):
                carried[later] = carried.get(later, 0) + cs
    return widths


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_tables_html_is_the_national_layout_with_addresses(key):
    report = sample(key)
    fragment = tables_html(report)
    assert "<html" not in fragment
    cells = _Cells()
    cells.feed(fragment)
    assert len(cells.tables) == 3
    proactive, requests, appeals = cells.tables
    assert set(_widths(proactive)) == {4}
    assert set(_widths(requests)) == {10}
    assert set(_widths(appeals)) == {15}
    assert requests[0] == [(3, 3), (1, 7)]  # 勾稽 note over the label area, 申请人情况
    assert requests[1] == [(2, 1), (1, 5), (2, 1)]  # 自然人, 法人或其他组织, 总计
    results = tables.TEMPLATES[key].request_rows[2:-1]
    assert requests[5][0] == (len(results), 1)  # 三、本年度办理结果
    assert requests[7][:2] == [(8, 1), (1, 1)]  # （三）不予公开 over its eight rows
    assert appeals[0] == [(1, 5), (1, 10)] and len(appeals[3]) == 15
    wheres = [w for w, _, _ in cells.where]
    assert len(wheres) == cell_count(key) - (7 if key == "2021" else 0)  # 2021 `other` unprinted
    assert "requests.denied.state_secret/natural_person" in wheres
    assert "appeals.litigation_after/total" in wheres


def test_findings_mark_cells_rows_and_groups():
    report = sample("2021")
    report["findings"] = [
        {"rule": "T3-BALANCE", "severity": "warning", "where": "requests.new/total",
         "message": "勾稽关系不平衡", "expected": 3, "actual": 2},
        {"rule": "T3-ROW-TOTAL", "severity": "error", "where": "requests.new/total",
         "message": "行合计不符", "expected": 3, "actual": 2},
        {"rule": "SHAPE", "severity": "info", "where": "appeals.reconsideration",
         "message": "多出一个数字", "expected": 15, "actual": 16},
        {"rule": "T3-OTHER-SUM", "severity": "warning", "where": "requests.other/total",
         "message": "其他处理分项之和不符", "expected": 3, "actual": 4},
    ]  # fmt: skip
    cells = _Cells()
    cells.feed(tables_html(report))
    marks = {w: (cls, title) for w, cls, title in cells.where}
    assert marks["requests.new/total"] == ("value finding-error", "勾稽关系不平衡\n行合计不符")
    assert "finding" not in marks["requests.new/natural_person"][0]
    assert marks["appeals.reconsideration/upheld"][0] == "value finding-info"
    assert "finding" not in marks["appeals.litigation_direct/upheld"][0]
    for part in tables.OTHER_PARTS:
        assert marks[f"requests.{part}/total"][0] == "value finding-warning"
    assert "finding" not in marks["requests.other.other/natural_person"][0]


def test_html_escapes_untrusted_text():
    report = sample("2021")
    report["agency"] = '<script>alert("x")</script>公安局'
    report["narrative"]["overview"] = "<script>alert(1)</script><img src=x onerror=alert(1)>"
    report["source"]["file"] = '"><script>.docx'
    report["findings"] = [
        {"rule": "PARSE", "severity": "error", "where": 'requests.new/total"><script>',
         "message": "<script>alert(2)</script>", "expected": None, "actual": None},
        {"rule": "SHAPE", "severity": "error", "where": "requests.new/total",
         "message": '" onmouseover="alert(3)', "expected": None, "actual": None},
    ]  # fmt: skip
    for html in (render(report, "html").decode("utf-8"), tables_html(report)):
        assert "<script" not in html and "<img" not in html
        assert 'onmouseover="' not in html
        cells = _Cells()
        cells.feed(html)
        assert cells.scripts == 0
    page = render(report, "html").decode("utf-8")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;公安局" in page


def test_html_page_is_standalone_and_lists_findings():
    report = sample("2019")
    report["findings"] = [
        {"rule": "T4-GROUP-SUM", "severity": "error", "where": "appeals.reconsideration/total",
         "message": "行政复议总计不等于各项之和", "expected": 5, "actual": 4},
    ]  # fmt: skip
    page = render(report, "html").decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in page
    assert "<style>" in page and "http://" not in page and "https://" not in page
    assert "<title>海宁市公安局2020年政府信息公开工作年度报告</title>" in page
    assert "行政复议总计不等于各项之和" in page and "表四各组合计" in page
    order = [page.index(h) for h in tables.SECTIONS]
    assert order == sorted(order)
    assert page.index("2021年，共收到依申请公开3件。") < page.index(tables.SECTIONS[1])
    assert page.count('<table class="report-table') == 3


# ---- DOCX --------------------------------------------------------------------------------------


def _docx(report):
    return docx.Document(io.BytesIO(render(report, "docx")))


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_docx_tables_are_the_national_layout(key):
    report = sample(key)
    document = _docx(report)
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == list(
        tables.SECTIONS
    )
    proactive, requests, appeals = document.tables
    template = tables.TEMPLATES[key]
    assert (len(requests.rows), len(requests.columns)) == (3 + len(template.request_rows), 10)
    assert (len(appeals.rows), len(appeals.columns)) == (4, 15)
    # Merged header and group cells are one cell each.
    assert requests.cell(0, 0)._tc is requests.cell(2, 2)._tc
    assert requests.cell(0, 0).text == tables.BALANCE_NOTE
    assert requests.cell(0, 3)._tc is requests.cell(0, 9)._tc
    assert requests.cell(1, 4).text == tables.ORG_HEADER
    assert requests.cell(1, 4)._tc is requests.cell(1, 8)._tc
    assert requests.cell(5, 0)._tc is requests.cell(len(requests.rows) - 2, 0)._tc
    assert requests.cell(7, 1).text == "（三）不予公开"
    assert requests.cell(7, 1)._tc is requests.cell(14, 1)._tc
    assert requests.cell(7, 1)._tc is not requests.cell(15, 1)._tc
    assert appeals.cell(0, 5).text == tables.LITIGATION_HEADER
    assert appeals.cell(0, 5)._tc is appeals.cell(0, 14)._tc
    assert appeals.cell(1, 0)._tc is appeals.cell(2, 0)._tc
    # One value per cell, in order, read row by row.
    for row, word_row in zip(template.request_rows, requests.rows[3:], strict=True):
        values = [c.text for c in word_row.cells[3:]]
        expected = report["requests"][row.key]
        assert values == ["" if v is None else str(v) for v in expected.values()]
    flat = [str(v) for g in report["appeals"].values() for v in g.values()]
    assert [c.text for c in appeals.rows[3].cells] == flat
    heading_rows = [r for r in proactive.rows if r.cells[0].text.startswith("第二十条")]
    assert len(heading_rows) == len(template.proactive)


def test_docx_uses_a_cjk_font_and_prints_narrative():
    report = sample("2021")
    document = _docx(report)
    fonts = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "宋体"
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "海宁市公安局2021年政府信息公开工作年度报告"
    assert "发布日期：2022-01-15" in texts
    assert texts.index("2021年，共收到依申请公开3件。") == texts.index(tables.SECTIONS[0]) + 1


# ---- CSV --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "count"), [("2019", 198), ("2021", 207)])
def test_csv_has_one_line_per_cell(key, count):
    data = render(sample(key), "csv")
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == [
        "agency", "year", "section", "row", "column", "value", "row_label", "column_label",
    ]  # fmt: skip
    assert len(rows) - 1 == count == cell_count(key)
    assert {r[2] for r in rows[1:]} == {"proactive", "requests", "appeals"}
    by_cell = {(r[2], r[3], r[4]): r for r in rows[1:]}
    assert len(by_cell) == count
    secret = by_cell[("requests", "denied.state_secret", "natural_person")]
    assert secret[6] == "三、本年度办理结果/（三）不予公开/1.属于国家秘密" and secret[7] == "自然人"
    assert by_cell[("requests", "carried_over", "total")][5] == ""  # blank stays blank


def test_csv_numbers_are_plain_and_agency_cannot_be_a_formula():
    report = sample("2019")
    report["agency"] = '=HYPERLINK("http://x")'
    report["proactive"]["licensing"]["change"] = -61
    data = render(report, "csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))
    assert all(r[0] == '\'=HYPERLINK("http://x")' for r in rows[1:])
    change = next(r for r in rows if r[3] == "licensing" and r[4] == "change")
    assert change[5] == "-61"
    assert read_csv(data)["agency"] == report["agency"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "第一行应为"),
        ("a,b,c\n1,2,3\n", "第一行应为"),
        ("agency,year,section,row,column,value\n甲,2021,requests,new,nobody,1\n", "第 2 行"),
        ("agency,year,section,row,column,value\n甲,2021,requests,new,total,三\n", "不是数字"),
        ("agency,year,section,row,column,value\n甲,20x1,requests,new,total,3\n", "不是年份"),
        (
            "agency,year,section,row,column,value\n甲,2021,requests,new,total,3\n"
            "乙,2021,requests,new,total,3\n",
            "只能包含一份报告",
        ),
        (
            "agency,year,section,row,column,value\n甲,2021,requests,other.other,total,3\n"
            "甲,2021,proactive,procurement,items,3\n",
            "不能混用两种格式",
        ),
    ],
)
def test_read_csv_rejects_what_it_cannot_read(text, message):
    with pytest.raises(ValueError, match=message):
        read_csv(text)


def test_read_csv_does_not_share_state_between_calls():
    report = sample("2021")
    data = render(report, "csv").decode("utf-8-sig")
    first = read_csv(data)
    first["requests"]["new"]["total"] = 999
    assert read_csv(data)["requests"]["new"]["total"] == report["requests"]["new"]["total"]
    assert copy.deepcopy(first) == first


def test_json_refuses_nan_with_a_chinese_message():
    report = sample("2021")
    report["requests"]["new"]["total"] = float("nan")
    with pytest.raises(ValueError, match="NaN"):
        render(report, "json")
