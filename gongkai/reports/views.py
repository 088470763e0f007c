"""年报体检: paste or upload an annual report, see its tables and findings, download it."""

import logging
import re

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from gongkai.intake import ratelimit

from . import engine, findings, samples, sandbox, tables
from .forms import CheckupForm, SampleForm
from .render import FORMATS, tables_html
from .render import render as render_report

logger = logging.getLogger(__name__)

SESSION_KEY = "reports.checkup"
SEVERITY_NAMES = {findings.ERROR: "错误", findings.WARNING: "警告", findings.INFO: "提示"}
NOT_A_REPORT = (
    "未能识别为政府信息公开工作年度报告：没有找到报告年度，也没有找到国家规定的年报格式"
    "（2019年或2021年格式的统计表，或2008年条例时期的叙述式报告）。"
    "请确认提交的是年报全文：标题一般为“××××年政府信息公开工作年度报告”，"
    "正文含“一、总体情况”等部分和统计表。"
)
NARRATIVE_HEADINGS = {
    "overview": tables.SECTIONS[0],
    "problems": tables.SECTIONS[4],
    "other": tables.SECTIONS[5],
}
NARRATIVE_HEADINGS_2008 = {
    "overview": tables.SECTIONS_2008[0],
    "problems": tables.SECTIONS_2008[5],
    "other": tables.SECTIONS_2008[6],
}
# Findings about the whole report rather than a cell.
PLACES = {
    "template": "报告格式",
    "year": "报告年度",
    "agency": "机关名称",
    "published": "发布日期",
    "source": "报告原文",
}
INTERNAL_ERROR = (
    "读取这份报告时系统出错，问题已记录，我们会尽快处理。"
    "请检查文件是否完整；也可以把报告正文复制后粘贴到文本框再试。"
)


def checkup(request):
    if request.method != "POST":
        return page(request, CheckupForm())
    # The page is public: submissions per client address are limited with the online
    # application's limiter (REPORT_CHECKUP_RATE_LIMIT), before anything is read.
    verdict = ratelimit.hit(
        "report-checkup", ratelimit.client_address(request), "REPORT_CHECKUP_RATE_LIMIT"
    )
    if not verdict.allowed:
        form = CheckupForm()
        form.cleaned_data = {}  # an unbound form that carries only the refusal
        form.add_error(None, too_often(verdict))
        response = page(request, form, status=429)
        response["Retry-After"] = str(verdict.retry_after)
        return response
    form = CheckupForm(request.POST, request.FILES)
    report = None
    if form.is_valid():
        upload, text = form.cleaned_data["file"], form.cleaned_data["text"]
        # Read in a child process with a memory and a time limit (sandbox): a crafted
        # file can cost at most that, and a breach is a Chinese message.
        if upload:
            report = analyse_bounded(form, upload.read(), filename=upload.name)
        else:
            report = analyse_bounded(form, text, text=True)
    return page(request, form, report)


def too_often(verdict):
    minutes = max(1, -(-verdict.retry_after // 60))
    return (
        f"提交过于频繁：同一网络地址每{verdict.limit.period_text()}最多提交"
        f" {verdict.limit.count} 次年报体检。请 {minutes} 分钟后再试。"
    )


def analyse_bounded(form, data, *, filename=None, text=False):
    """Like `analyse`, with the engine run in a bounded child process (sandbox.run)."""
    outcome = sandbox.run(data, filename=filename, text=text)
    if outcome.traceback is not None:
        logger.error("analysing %s failed:\n%s", filename or "pasted text", outcome.traceback)
        form.add_error(None, INTERNAL_ERROR)
        return None
    if outcome.error is not None:
        if outcome.breach:
            logger.warning(
                "analysing %s stopped (%s, %.1f s)",
                filename or "pasted text",
                outcome.breach,
                outcome.seconds,
            )
        form.add_error(None, outcome.error)
        return None
    return recognised(form, outcome.report)


@require_POST
def sample(request):
    """Analyse one of the bundled sample reports (the "用示例报告试一试" button)."""
    chosen = SampleForm(request.POST)
    if not chosen.is_valid():
        messages.error(request, "请从列表中选择一份示例报告。")
        return redirect("reports:checkup")
    name, text = samples.read(chosen.cleaned_data["sample"])
    form = CheckupForm()
    return page(request, form, analyse(form, engine.analyse_text, text, filename=name))


def download(request, fmt):
    if fmt not in FORMATS:
        raise Http404("没有这种下载格式。")
    report = request.session.get(SESSION_KEY)
    if report is None:
        messages.info(request, "请先提交一份年报进行体检，然后再下载。")
        return redirect("reports:checkup")
    content_type, extension, name = FORMATS[fmt]
    try:
        data = render_report(report, fmt)
    except Exception:
        logger.exception("rendering %s failed", fmt)
        messages.error(request, f"生成{name}时出错，问题已记录。请换一种格式下载，或稍后再试。")
        return redirect("reports:checkup")
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        True, download_name(report, extension)
    )
    return response


def analyse(form, analyser, data, **kwargs):
    """Run the engine; on failure add a Chinese error to `form` and return None."""
    try:
        report = analyser(data, **kwargs)
    except engine.UnsupportedInput as exc:
        form.add_error(None, str(exc))
        return None
    except Exception:
        logger.exception("analysing %s failed", kwargs.get("filename") or "pasted text")
        form.add_error(None, INTERNAL_ERROR)
        return None
    return recognised(form, report)


def recognised(form, report):
    if report.get("template") is None and report.get("year") is None:
        form.add_error(None, NOT_A_REPORT)
        return None
    return report


def page(request, form, report=None, status=None):
    context = {"form": form, "sample_form": SampleForm(), "rules": findings.RULES}
    if report is not None:
        request.session[SESSION_KEY] = report
        # A fresh form below the result, so the next report starts clean.
        context.update(result_context(report), form=CheckupForm())
    if status is None:
        status = 400 if form.errors else 200
    return render(request, "reports/checkup.html", context, status=status)


def result_context(report):
    template = tables.TEMPLATES.get(report.get("template"))
    listed = sorted(
        report.get("findings") or [],
        key=lambda f: findings.SEVERITIES.index(f.get("severity", findings.INFO)),
    )
    try:
        table_fragment = mark_safe(tables_html(report))  # the renderer escapes every value
    except Exception:
        logger.exception("tables_html failed")
        table_fragment = None
    return {
        "report": report,
        "template_name": template.name if template else "未能识别",
        "summary": [
            (sev, name, sum(f.get("severity") == sev for f in listed))
            for sev, name in SEVERITY_NAMES.items()
        ],
        "findings": [describe(f, template) for f in listed],
        "tables": table_fragment,
        "narrative": narrative(report),
        "downloads": [(fmt, name, ext.lstrip(".")) for fmt, (_ct, ext, name) in FORMATS.items()],
    }


def describe(item, template):
    return {
        **item,
        "title": findings.RULES.get(item.get("rule"), item.get("rule")),
        "severity_name": SEVERITY_NAMES.get(item.get("severity"), item.get("severity")),
        "place": where_label(item.get("where") or "", template),
    }


def narrative(report):
    text = report.get("narrative") or {}
    headings = NARRATIVE_HEADINGS_2008 if report.get("template") == "2008" else NARRATIVE_HEADINGS
    return [(heading, text[k]) for k, heading in headings.items() if text.get(k)]


def where_label(where, template):
    """A finding's location in words, e.g. "表三 （七）总计 · 自然人"; None if unknown."""
    section, _, rest = where.partition(".")
    row_key, _, col_key = rest.partition("/")
    if section == "requests":
        rows = {r.key: r.label for r in tables.REQUEST_ROWS_2021 + tables.REQUEST_ROWS_2019}
        cols = {c.key: c.label for c in tables.REQUEST_COLUMNS}
        prefix = "表三（收到和处理政府信息公开申请情况）"
    elif section == "appeals":
        rows = {g.key: g.label for g in tables.APPEAL_GROUPS}
        cols = {c.key: c.label for c in tables.APPEAL_COLUMNS}
        prefix = "表四（行政复议、行政诉讼情况）"
    elif section == "proactive":
        blocks = template.proactive if template else tables.PROACTIVE_2021 + tables.PROACTIVE_2019
        rows = {r.key: r.label for b in blocks for r in b.rows}
        cols = {c.key: c.label for b in blocks for c in b.columns}
        prefix = "表二（主动公开政府信息情况）"
    elif section == "narrative":
        return "报告正文 · " + NARRATIVE_HEADINGS.get(row_key, row_key)
    else:
        return PLACES.get(where)
    parts = [prefix, rows.get(row_key, row_key), cols.get(col_key, col_key)]
    return " · ".join(p for p in parts if p)


def download_name(report, extension):
    agency = re.sub(r'[\\/:*?"<>|\s]+', "", report.get("agency") or "") or "年度报告"
    year = report.get("year") or "年度不详"
    return f"{agency}-{year}-年报.{extension.lstrip('.')}"
