"""HTML: the tables as the national format prints them, and a standalone page.

`tables_html` is a fragment (sections 二/三/四) that the web page embeds; value
cells carry data-where and, when a finding concerns them, a finding-<severity>
class and the Chinese message as a title. Everything from the report is
escaped: report text comes from untrusted uploads.
"""

from html import escape
from pathlib import Path

from .. import findings as findings_mod
from .layout import SEVERITY_NAMES, document, findings_at, worst_severity

_CSS = (Path(__file__).parent / "report.css").read_text(encoding="utf-8")
_GRID_NAMES = {"proactive": "表二", "requests": "表三", "appeals": "表四", "legacy": "主要数据"}


def _cell_html(cell, findings):
    tag = "th" if cell.head else "td"
    attrs = []
    if cell.colspan > 1:
        attrs.append(f'colspan="{cell.colspan}"')
    if cell.rowspan > 1:
        attrs.append(f'rowspan="{cell.rowspan}"')
    if cell.head and cell.colspan > 1 and cell.rowspan == 1:
        attrs.append('scope="colgroup"')
    if cell.where:
        attrs.append(f'data-where="{escape(cell.where)}"')
        concern = findings_at(cell.where, findings)
        classes = ["value"]
        if concern:
            classes.append(f"finding-{worst_severity(concern) or 'info'}")
            title = "\n".join(str(f.get("message") or "") for f in concern)
            attrs.append(f'title="{escape(title)}"')
        if not cell.text:
            classes.append("blank")
        attrs.append(f'class="{" ".join(classes)}"')
    open_tag = f"<{tag} {' '.join(attrs)}>" if attrs else f"<{tag}>"
    return f"{open_tag}{escape(cell.text)}</{tag}>"


def grid_html(grid, findings=()):
    rows = []
    for row in grid.rows:
        rows.append("<tr>" + "".join(_cell_html(c, findings) for c in row) + "</tr>")
    label = escape(grid.caption or _GRID_NAMES.get(grid.key, ""))
    return (
        f'<table class="report-table report-{grid.key}" aria-label="{label}">'
        + "".join(rows)
        + "</table>"
    )


def _section_html(section, findings, with_text):
    parts = [f"<section><h2>{escape(section.heading)}</h2>"]
    if with_text:
        parts += [f"<p>{escape(p)}</p>" for p in section.paragraphs]
    parts += [grid_html(g, findings) for g in section.grids]
    parts.append("</section>")
    return "".join(parts)


def tables_html(report):
    """Sections 二/三/四 (or a 2008 report's figures) as a fragment, no <html>."""
    doc = document(report)
    findings = report.get("findings") or []
    with_grids = [s for s in doc.sections if s.grids]
    if not with_grids:
        return '<div class="report-tables"><p>该报告没有可显示的统计表格。</p></div>'
    body = "".join(_section_html(s, findings, with_text=False) for s in with_grids)
    return f'<div class="report-tables">{body}</div>'


def _findings_html(findings):
    if not findings:
        return ""
    items = []
    for f in findings:
        if not isinstance(f, dict):
            continue
        severity = f.get("severity")
        rule = str(f.get("rule") or "")
        name = findings_mod.RULES.get(rule, rule)
        detail = []
        if f.get("expected") is not None or f.get("actual") is not None:
            detail.append(f"应为 {f.get('expected')}，实为 {f.get('actual')}")
        items.append(
            f'<li class="finding-{escape(str(severity))}">'
            f"<strong>{escape(SEVERITY_NAMES.get(severity, str(severity)))}</strong> "
            f'<span class="rule">{escape(name)}（{escape(rule)}）</span> '
            f"<code>{escape(str(f.get('where') or ''))}</code>："
            f"{escape(str(f.get('message') or ''))}"
            + (f"（{escape(detail[0])}）" if detail else "")
            + "</li>"
        )
    return f'<section class="findings"><h2>检查发现的问题</h2><ol>{"".join(items)}</ol></section>'


def render_html(report):
    doc = document(report)
    findings = report.get("findings") or []
    meta = [("机关", report.get("agency")), ("年度", report.get("year"))]
    meta.append(("发布日期", doc.published))
    if doc.template is not None:
        meta.append(("报告格式", doc.template.name))
    source = report.get("source") if isinstance(report.get("source"), dict) else {}
    meta.append(("来源文件", source.get("file")))
    meta_html = "".join(
        f"<dt>{escape(k)}</dt><dd>{escape(str(v))}</dd>" for k, v in meta if v not in (None, "")
    )
    sections = []
    for section in doc.sections:
        if section.grids and doc.template is not None and not doc.template.narrative_only:
            continue  # sections 二/三/四 come from tables_html, below
        sections.append(_section_html(section, findings, with_text=True))
    # Keep the template's order: 一, then the tables (二/三/四), then 五, 六.
    tables = tables_html(report) if doc.template and not doc.template.narrative_only else ""
    body = sections[:1] + [tables] + sections[1:] if tables else sections
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(doc.title)}</title><style>{_CSS}</style></head>"
        f'<body><main><header><h1>{escape(doc.title)}</h1><dl class="meta">{meta_html}</dl>'
        "</header>" + _findings_html(findings) + "".join(body) + "</main></body></html>\n"
    ).encode("utf-8")
