"""Reading real documents: HTML as government sites print it, DOCX with merged
cells, PDF with ruled tables, legacy encodings; and refusing what is not a report."""

import io

import docx
import pytest
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from gongkai.reports import extract
from gongkai.reports.engine import UnsupportedInput, analyse_bytes
from gongkai.reports.parsing import parse_text
from gongkai.reports.tests.conftest import seed_text

LINXIA = "linxia_2023"


def table_blocks(text):
    """The seed's lines, grouped: ("p", text) or ("table", [[cells], ...])."""
    blocks = []
    for line in text.split("\n"):
        if "|" in line:
            cells = [c.strip() for c in line.strip().rstrip("|").split("|")]
            if blocks and blocks[-1][0] == "table":
                blocks[-1][1].append(cells)
            else:
                blocks.append(("table", [cells]))
        elif line.strip():
            blocks.append(("p", line.strip()))
    return blocks


def seed_as_html(name, encoding="utf-8"):
    parts = [
        f'<html><head><meta charset="{encoding}"><title>年报</title>'
        "<script>var x = '| 1 | 2 |';</script></head><body><div class='content'>"
    ]
    for kind, body in table_blocks(seed_text(name)):
        if kind == "p":
            parts.append(f"<p>{body}</p>")
        else:
            parts.append('<table border="1">')
            for cells in body:
                parts.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
            parts.append("</table>")
    parts.append("</div></body></html>")
    return "\n".join(parts).encode(encoding)


def seed_as_docx(name):
    document = docx.Document()
    for kind, body in table_blocks(seed_text(name)):
        if kind == "p":
            document.add_paragraph(body)
            continue
        width = max(len(cells) for cells in body)
        table = document.add_table(rows=len(body), cols=width)
        for r, cells in enumerate(body):
            for c, value in enumerate(cells):
                table.cell(r, c).text = value
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def seed_as_pdf(name):
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("cn", fontName="STSong-Light", fontSize=9, leading=12)
    flow = []
    for kind, body in table_blocks(seed_text(name)):
        if kind == "p":
            flow.append(Paragraph(body, style))
        else:
            width = max(len(cells) for cells in body)
            rows = [cells + [""] * (width - len(cells)) for cells in body]
            rows = [[Paragraph(c, style) if len(c) > 8 else c for c in row] for row in rows]
            flow.append(
                Table(
                    rows,
                    style=TableStyle(
                        [
                            ("FONTNAME", (0, 0), (-1, -1), "STSong-Light"),
                            ("FONTSIZE", (0, 0), (-1, -1), 7),
                            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                        ]
                    ),
                )
            )
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4).build(flow)
    return buf.getvalue()


def same_data(a, b):
    keys = ("agency", "year", "template", "proactive", "requests", "appeals")
    return {k: a[k] for k in keys} == {k: b[k] for k in keys}


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_html_report_reads_like_the_text(encoding):
    report = analyse_bytes(seed_as_html(LINXIA, encoding), filename="report.html")
    assert same_data(report, parse_text(seed_text(LINXIA)))


def test_html_official_layout_with_rowspan_and_colspan():
    """The official table: 一、 spans three label columns, 三、 spans the result rows."""
    html = """<html><body><p>某县公安局2022年政府信息公开工作年度报告</p>
    <p>三、收到和处理政府信息公开申请情况</p><table>
    <tr><td colspan="3" rowspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>
        <td colspan="7">申请人情况</td></tr>
    <tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>
    <tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>
    <tr><td colspan="3">一、本年新收政府信息公开申请数量</td>
        <td>5</td><td>1</td><td></td><td></td><td>2</td><td></td><td>8</td></tr>
    <tr><td rowspan="22">三、本年度办理结果</td><td colspan="2">（一）予以公开</td>
        <td>3</td><td></td><td></td><td></td><td>1</td><td></td><td>4</td></tr>
    <tr><td rowspan="8">（三）不予公开</td><td>1.属于国家秘密</td>
        <td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>1</td></tr>
    </table></body></html>""".encode()
    report = analyse_bytes(html, filename="r.htm")
    assert report["agency"] == "某县公安局" and report["year"] == 2022
    assert report["requests"]["new"] == {
        "natural_person": 5,
        "commercial": 1,
        "research": None,
        "social_welfare": None,
        "legal_service": 2,
        "other_org": None,
        "total": 8,
    }
    assert report["requests"]["granted"]["legal_service"] == 1
    assert report["requests"]["denied.state_secret"]["total"] == 1
    assert not [f for f in report["findings"] if f["rule"] == "SHAPE"]


def test_html_figures_split_across_word_runs():
    """Pasted from Word, a cell's figure may be split across inline runs
    (<span>13</span><span>612</span>, <font>1</font>2): the browser shows 13612 and
    so must we; a line break inside a label cell still reads as a space."""

    def cell(n):
        return (
            '<td><p class="MsoNormal" align="center"><span lang="EN-US">'
            f'{n[0]}</span><span lang="EN-US">{n[1:]}</span><o:p></o:p></p></td>'
        )

    new = [13612, 252, 0, 45, 128, 32, 14069]
    granted = [5345, 129, 0, 41, 19, 14, 5548]
    html = f"""<html><body><p>某市人民政府2025年政府信息公开工作年度报告</p>
    <p>三、收到和处理政府信息公开申请情况</p><table>
    <tr><td colspan="3" rowspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>
        <td colspan="7">申请人情况</td></tr>
    <tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>
    <tr><td>商业<br>企业</td><td>科研<br/>机构</td><td>社会公益组织</td><td>法律服务机构</td>
        <td>其他</td></tr>
    <tr><td colspan="3"><span>一、本年新收政府信息</span><span>公开申请数量</span></td>
        {"".join(cell(str(n)) for n in new)}</tr>
    <tr><td rowspan="22">三、本年度办理结果</td><td colspan="2">（一）予以公开</td>
        {"".join(f"<td><font>{str(n)[0]}</font>{str(n)[1:]}</td>" for n in granted)}</tr>
    </table></body></html>""".encode()
    report = analyse_bytes(html, filename="r.html")
    assert list(report["requests"]["new"].values()) == new
    assert list(report["requests"]["granted"].values()) == granted


def test_html_site_menus_are_not_the_report():
    """A column's list of the agency's other reports above this year's (and the site's
    menus) is not the report: its first title must not give the agency and year."""
    html = """<html><head><title>政府信息公开年报</title></head><body>
    <select><option>市政府部门网站</option><option>某区人民政府</option></select>
    <nav><a href="/">首页</a><a href="/zwgk/">政务公开</a></nav>
    <div class="left"><h3>政府信息公开年报</h3><ul>
      <li><a href="/a">某局2018年度政府信息公开工作年度报告</a></li>
      <li><span>·</span> <a href="/b">某局2017年度政府信息公开工作年度报告</a></li></ul></div>
    <div class="main"><p>某县公安局2022年政府信息公开工作年度报告</p>
    <p>三、收到和处理政府信息公开申请情况</p><table>
    <tr><td colspan="3">一、本年新收政府信息公开申请数量</td>
        <td>5</td><td>1</td><td></td><td></td><td>2</td><td></td><td>8</td></tr>
    </table>
    <ul><li>附件：<a href="a.pdf">2022年年报.pdf</a></li></ul></div></body></html>""".encode()
    report = analyse_bytes(html, filename="r.html")
    assert (report["agency"], report["year"]) == ("某县公安局", 2022)
    assert report["requests"]["new"]["total"] == 8
    text = extract.html_to_text(html)
    assert "2018" not in text and "某区人民政府" not in text and "附件" in text


def test_html_table_with_a_small_table_in_a_header_cell():
    """Word sometimes nests a table in a header cell: the outer table is still the
    report's table, read row by row (before, its rows ran together: these rows read
    blank, and in the whole 2019 table three 总计 cells were read as 0). A page laid out
    in a table is still read as text around its tables."""
    rows = [
        ("一、本年新收政府信息公开申请数量", [821, 35, None, None, 2, 1, 859]),
        ("二、上年结转政府信息公开申请数量", [18, None, None, None, None, None, 18]),
        ("（七）总计", [767, 35, None, None, 2, 1, 805]),
        ("四、结转下年度继续办理", [72, None, None, None, None, None, 72]),
    ]
    body = "".join(
        f'<tr><td colspan="3">{label}</td>'
        + "".join(f"<td>{'&nbsp;' if v is None else v}</td>" for v in values)
        + "</tr>"
        for label, values in rows
    )
    report_html = f"""<p>某市人民政府办公厅2019年政府信息公开工作年度报告</p>
    <p>三、收到和处理政府信息公开申请情况</p><table>
    <tr><td colspan="3" rowspan="3"><table><tr><td>（本列数据的勾稽关系为：第一项加第二项之和，
        等于第三项加第四项之和）</td></tr></table></td><td colspan="7">申请人情况</td></tr>
    <tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>
    <tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>
    {body}</table>"""
    page = f"""<html><body><table><tr><td>首页</td><td>{report_html}</td><td>右栏</td></tr>
    </table></body></html>"""
    for html in (report_html, page):
        report = analyse_bytes(html.encode(), filename="r.html")
        assert list(report["requests"]["new"].values()) == rows[0][1]
        assert list(report["requests"]["carry_forward"].values()) == rows[3][1]


def test_html_page_with_two_reports_reads_the_first():
    """A page publishing two reports, one after the other (here a 2019-format one, then
    a 2021-format one without its title): the second's rows are not the first's (before,
    its 2021 rows made the first read in the 2021 format). The first is read, with a
    finding that the rest was not."""

    def report(title, rows):
        body = "".join(
            f'<tr><td colspan="3">{label}</td>'
            + "".join(f"<td>{v}</td>" for v in values + [sum(values)])
            + "</tr>"
            for label, values in rows
        )
        return f"""<p>{title}</p><p>一、总体情况</p><p>本年度依法公开。</p>
        <p>三、收到和处理政府信息公开申请情况</p><table>{body}</table>
        <p>四、政府信息公开行政复议、行政诉讼情况</p><p>六、其他需要报告的事项</p><p>无。</p>"""

    ones, zeros = [2, 1, 0, 0, 0, 0], [0] * 6
    first = report(
        "某县人民政府2019年政府信息公开工作年度报告",
        [
            ("一、本年新收政府信息公开申请数量", ones),
            ("二、上年结转政府信息公开申请数量", zeros),
            ("（一）予以公开", ones),
            ("（六）其他处理", zeros),
            ("（七）总计", ones),
            ("四、结转下年度继续办理", zeros),
        ],
    )
    other = "行政机关不再处理其政府信息公开申请"
    second = report(
        "",
        [
            ("一、本年新收政府信息公开申请数量", [9, 0, 0, 0, 0, 3]),
            ("二、上年结转政府信息公开申请数量", zeros),
            (f"1.申请人无正当理由逾期不补正、{other}", [5, 0, 0, 0, 0, 0]),
            (f"2.申请人逾期未按收费通知要求缴纳费用、{other}", [4, 0, 0, 0, 0, 0]),
            ("3.其他", [0, 0, 0, 0, 0, 3]),
            ("（七）总计", [9, 0, 0, 0, 0, 3]),
            ("四、结转下年度继续办理", zeros),
        ],
    )
    html = f"<html><body>{first}<div>{second}</div></body></html>".encode()
    got = analyse_bytes(html, filename="r.html")
    assert (got["agency"], got["year"], got["template"]) == ("某县人民政府", 2019, "2019")
    assert list(got["requests"]["new"].values()) == [2, 1, 0, 0, 0, 0, 3]
    assert list(got["requests"]["other"].values()) == [0] * 7
    assert any("不止一份年度报告" in f["message"] for f in got["findings"])


def test_docx_report_with_word_tables():
    report = analyse_bytes(seed_as_docx(LINXIA), filename="年报.docx")
    assert same_data(report, parse_text(seed_text(LINXIA)))


def test_docx_merged_header_cells_are_read_once():
    document = docx.Document()
    document.add_paragraph("某市公安局2021年政府信息公开工作年度报告")
    table = document.add_table(rows=2, cols=4)
    table.cell(0, 0).merge(table.cell(0, 3)).text = "第二十条第（一）项"
    for c, value in enumerate(["规章", "2", "1", "9"]):
        table.cell(1, c).text = value
    buf = io.BytesIO()
    document.save(buf)
    text = extract.to_text(buf.getvalue(), filename="x.docx")
    assert "| 第二十条第(一)项 |" in text or "| 第二十条第（一）项 |" in text
    assert "| 规章 | 2 | 1 | 9 |" in text


def test_pdf_report_with_ruled_tables():
    report = analyse_bytes(seed_as_pdf(LINXIA), filename="年报.pdf")
    assert same_data(report, parse_text(seed_text(LINXIA)))


def test_gb18030_text_file():
    data = seed_text(LINXIA).encode("gb18030")
    assert same_data(analyse_bytes(data, filename="年报.txt"), parse_text(seed_text(LINXIA)))


@pytest.mark.parametrize(
    ("data", "filename", "says"),
    [
        (b"MZ\x90\x00\x03", "virus.exe", "不支持的文件类型"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old.doc", "旧版 Word"),
        (b"hello, not a pdf", "fake.pdf", "内容不是 PDF"),
        (b"%PDF-1.4\n garbage garbage", "broken.pdf", "PDF"),
        (b"plain text pretending", "fake.docx", "不是 Word 文档"),
        (b"\x00\x01\x02\x03binary" * 20, "blob.txt", "二进制"),
        (b"", "empty.txt", "文件是空的"),
        (b'{"format": "something-else"}', "x.json", "不是年度报告交换格式"),
    ],
)
def test_unreadable_input_is_refused_in_chinese(data, filename, says):
    with pytest.raises(UnsupportedInput) as excinfo:
        analyse_bytes(data, filename=filename)
    assert says in str(excinfo.value)


def test_zip_that_is_not_a_word_document():
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("a.txt", "x")
    with pytest.raises(UnsupportedInput, match="压缩包"):
        analyse_bytes(buf.getvalue(), filename="reports.zip".replace(".zip", ".docx"))
