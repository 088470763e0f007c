"""问题清单 as XLSX (gongkai.spreadsheets) and DOCX (python-docx): one row per problem
(a finding of a 整改事项), its agency, year, requirement, due date and state.
The columns are declared once (COLUMNS) and serve both formats."""

import io

from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header

from gongkai import spreadsheets
from gongkai.reports import findings
from gongkai.reports.views import SEVERITY_NAMES
from gongkai.spreadsheets import Column

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def problem_rows(items, today):
    """One dict per (item, finding), in the items' order."""
    for n, item in enumerate(items, start=1):
        answers = list(item.answers.all())
        last = answers[-1] if answers else None
        for found in item.findings.all():
            yield {
                "n": n,
                "number": item.number,
                "agency": item.agency.name,
                "year": item.report.year,
                "severity": SEVERITY_NAMES.get(found.severity, found.severity),
                "rule": findings.RULES.get(found.rule, found.rule),
                "problem": found.message,
                "requirement": item.requirement,
                "due_on": item.due_on,
                "state": item.get_state_display(),
                "overdue": f"逾期 {item.days_overdue(today)} 天" if item.is_overdue(today) else "",
                "found": "仍发现" if found.present else "已不再发现",
                "answer": last.explanation if last else "",
                "withdrawn": item.withdrawn_reason(),
                "supervisor": item.supervisor.name,
            }


COLUMNS = [
    Column("序号", lambda r: r["n"], 6),
    Column("整改编号", lambda r: r["number"], 16),
    Column("机关", lambda r: r["agency"], 22),
    Column("报告年度", lambda r: r["year"], 9),
    Column("严重程度", lambda r: r["severity"], 9),
    Column("规则", lambda r: r["rule"], 14),
    Column("问题", lambda r: r["problem"], 50),
    Column("整改要求", lambda r: r["requirement"], 40),
    Column("整改期限", lambda r: r["due_on"], 12),
    Column("状态", lambda r: r["state"], 9),
    Column("逾期", lambda r: r["overdue"], 10),
    Column("按当前数据", lambda r: r["found"], 11),
    Column("机关答复", lambda r: r["answer"], 40),
    Column("撤销理由", lambda r: r["withdrawn"], 30),
    Column("交办机关", lambda r: r["supervisor"], 18),
]
DOCX_COLUMNS = ["序号", "机关", "报告年度", "规则", "问题", "整改期限", "状态", "按当前数据"]


def title(chosen):
    scope = chosen["agency"].name if chosen["agency"] else "全部机关"
    year = f"{chosen['year']}年度报告" if chosen["year"] else "年度报告"
    return f"{scope}{year}问题清单"


def docx_bytes(items, chosen, today):
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.core_properties.title = title(chosen)
    doc.add_heading(title(chosen), level=1)
    doc.add_paragraph(f"导出日期：{today:%Y年%-m月%-d日}。共 {len(items)} 项整改事项。")
    by_name = {c.header: c for c in COLUMNS}
    table = doc.add_table(rows=1, cols=len(DOCX_COLUMNS))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, DOCX_COLUMNS, strict=True):
        cell.text = header
        cell.paragraphs[0].runs[0].font.bold = True
    for row in problem_rows(items, today):
        cells = table.add_row().cells
        for cell, header in zip(cells, DOCX_COLUMNS, strict=True):
            value = by_name[header].value(row)
            if header == "状态" and (row["overdue"] or row["withdrawn"]):
                value = f"{value}（{row['overdue'] or row['withdrawn']}）"
            cell.text = value.strftime("%Y-%m-%d") if hasattr(value, "strftime") else str(value)
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(10)
    if not items:
        doc.add_paragraph("没有符合条件的整改事项。")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def response(fmt, items, chosen, today):
    name = title(chosen)
    if fmt == "xlsx":
        return spreadsheets.xlsx_response(name, "问题清单", COLUMNS, problem_rows(items, today))
    if fmt == "docx":
        response = HttpResponse(docx_bytes(items, chosen, today), content_type=DOCX_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, f"{name}.docx")
        return response
    raise Http404("没有这种导出格式。")
