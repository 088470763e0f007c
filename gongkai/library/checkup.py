"""The 体检报告 of an agency or a region for one year, as PDF and DOCX (issue 19):
the dashboard's figures, tables and charts in a document a supervisor can send.

`build` gathers a Document (headings, paragraphs, tables, charts) from the same
dashboards functions as the web page; `to_pdf` lays it out as HTML with the charts
as SVG, through WeasyPrint (letters.pdf, fonts-noto-cjk); `to_docx` writes it with
python-docx, the charts as PNG (charts.png: the same layout, painted by Pillow).
"""

from dataclasses import dataclass, field
from html import escape

from . import dashboards
from .charts import Chart, png, svg
from .dashboards import pct


@dataclass
class Document:
    title: str
    subtitle: str
    blocks: list = field(
        default_factory=list
    )  # ("h", text) ("p", text) ("table", head, rows) ("chart", Chart)


def _n(value):
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}"


def _chart_table(chart):
    head = ["项目", *[name for name, _ in chart.series]]
    return ("table", head, [[c, *[t for _, t in values]] for c, values in chart.rows()])


def build(agency, year, today):
    data = dashboards.region(agency, year, today, with_rankings=agency.children.exists())
    values = data["values"]
    doc = Document(
        f"{agency.name}{year}年度政府信息公开工作体检报告",
        f"依据年报库中 {values['reports']} 份年度报告（含人工更正）生成，生成日期 {today:%Y年%m月%d日}。",
    )
    add = doc.blocks.append
    add(("h", "一、总体情况"))
    add(
        (
            "table",
            ["指标", "数值"],
            [
                ["计入统计的年度报告", _n(values["reports"])],
                ["本年新收申请", _n(values["received"])],
                ["上年结转申请", _n(values["carried_over"])],
                ["办理结果总计", _n(values["handled"])],
                ["实质公开率（予以公开＋部分公开）÷办理结果总计", pct(data["rate"])],
                ["结转下年度继续办理", _n(values["carry_forward"])],
            ],
        )
    )
    headings = {
        "results": "二、办理结果",
        "denied": None,
        "unavailable": None,
        "appeals": "三、行政复议和行政诉讼",
        "proactive": "四、主动公开",
        "rules": "五、年报检查发现",
        "trend": "六、历年变化",
        "trend-rate": None,
    }
    for chart in data["charts"]:
        if headings.get(chart.key):
            add(("h", headings[chart.key]))
        if chart.key == "appeals":
            add(
                (
                    "table",
                    ["类别", "总计", "结果纠正", "尚未审结", "已审结", "纠错率"],
                    [[r[0], *[_n(v) for v in r[1:5]], pct(r[5])] for r in data["appeals"]],
                )
            )
            add(("p", "纠错率＝结果纠正÷已审结（总计−尚未审结）。"))
        add(("chart", chart))
        add(_chart_table(chart))
    add(("h", "七、未报送与逾期"))
    counts = "，".join(f"{name} {n} 个" for name, n in data["due_counts"].items() if n)
    add(("p", f"{year}年度报告（《条例》第四十九条）：{counts or '目录中没有需要报送的机关'}。"))
    if data["due_problems"]:
        add(
            (
                "table",
                ["机关", "情况", "应发布日期", "报告所载发布日期"],
                [
                    [
                        d.agency.name,
                        d.state_name,
                        f"{d.due:%Y-%m-%d}",
                        f"{d.published:%Y-%m-%d}" if d.published else "—",
                    ]
                    for d in data["due_problems"][:200]
                ],
            )
        )
    for ranking in data["rankings"]:
        add(("h", ranking.title))
        add(("p", ranking.note + f"参与排名 {ranking.ranked} 个，未参与 {ranking.left_out} 个。"))
        if ranking.top:
            add(
                (
                    "table",
                    ["机关", "比率", "件数"],
                    [[n, pct(r), _n(v)] for n, r, v, _ in ranking.top],
                )
            )
    return doc


_CSS = """
@page { size: A4; margin: 18mm 16mm; }
body { font-family: "Noto Sans CJK SC", sans-serif; font-size: 10.5pt; color: #222; }
h1 { font-size: 17pt; text-align: center; margin: 0 0 4mm; }
p.sub { text-align: center; color: #555; }
h2 { font-size: 13pt; margin: 7mm 0 2mm; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; }
th, td { border: 1px solid #999; padding: 1.2mm 2mm; }
td.n { text-align: right; }
svg { width: 100%; height: auto; }
"""


def _html_table(head, rows):
    out = [
        "<table><thead><tr>",
        *[f"<th>{escape(str(h))}</th>" for h in head],
        "</tr></thead><tbody>",
    ]
    for row in rows:
        out.append("<tr>" + f"<td>{escape(str(row[0]))}</td>")
        out += [f'<td class="n">{escape(str(c))}</td>' for c in row[1:]]
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def to_html(doc):
    parts = [
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(doc.title)}</title>',
        f"<style>{_CSS}</style></head><body><h1>{escape(doc.title)}</h1>",
        f'<p class="sub">{escape(doc.subtitle)}</p>',
    ]
    for block in doc.blocks:
        if block[0] == "h":
            parts.append(f"<h2>{escape(block[1])}</h2>")
        elif block[0] == "p":
            parts.append(f"<p>{escape(block[1])}</p>")
        elif block[0] == "table":
            parts.append(_html_table(block[1], block[2]))
        elif isinstance(block[1], Chart) and not block[1].empty:
            parts.append(f"<h3>{escape(block[1].title)}</h3>{svg(block[1])}")
    parts.append("</body></html>")
    return "".join(parts)


def to_pdf(doc):
    from gongkai.letters.pdf import html_to_pdf

    return html_to_pdf(to_html(doc))


def to_docx(doc):
    import io

    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    out = Docx()
    title = out.add_heading(doc.title, level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    out.add_paragraph(doc.subtitle).alignment = WD_ALIGN_PARAGRAPH.CENTER
    for block in doc.blocks:
        if block[0] == "h":
            out.add_heading(block[1], level=1)
        elif block[0] == "p":
            out.add_paragraph(block[1])
        elif block[0] == "table":
            head, rows = block[1], block[2]
            table = out.add_table(rows=1, cols=len(head))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, head, strict=True):
                cell.text = str(text)
            for row in rows:
                for cell, text in zip(table.add_row().cells, row, strict=True):
                    cell.text = str(text)
        elif not block[1].empty:
            out.add_heading(block[1].title, level=2)
            out.add_picture(io.BytesIO(png(block[1])), width=Cm(16))
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()
