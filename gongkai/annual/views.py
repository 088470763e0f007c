"""The annual-report workspace (issue 18): one page per agency and year where the
政务公开办 drafts and edits, the checker's findings gate submission, the 工作机构负责人
and the 分管领导 give their opinions, and the approved report is published.

Who sees what: the agency's 政务公开办, 工作机构负责人 and 分管领导 (workflow.VIEW_ROLES)
see the workspace; each button is for one role (workflow.ACTION_ROLES). Anyone else
signed in gets a 403 page that says why; an anonymous visitor goes to the login page.
Every change goes through workflow.py; a refusal is shown in Chinese and saves nothing.
"""

import datetime as dt
import re
from html import escape
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from gongkai.agencies.models import Agency, Membership, missing_role
from gongkai.cases import stats as case_stats
from gongkai.portal import scope
from gongkai.portal.views import report_due
from gongkai.reports import checks, tables
from gongkai.reports import findings as findings_mod
from gongkai.reports.render import layout
from gongkai.reports.render.htmlfmt import grid_html

from . import assembly, drafting, figures, workflow
from .models import SECTION_TITLES, SECTIONS, AnnualReport, Decision, Status

SEVERITY_NAMES = {
    findings_mod.ERROR: "错误",
    findings_mod.WARNING: "警告",
    findings_mod.INFO: "提示",
}
SECTION_LABELS = {"proactive": "表二", "requests": "表三", "appeals": "表四"}


def now():
    """The moment the pages count from (tests replace this function)."""
    return timezone.now()


def today():
    return timezone.localdate(now())


def _forbidden(request, reason):
    return render(request, "annual/forbidden.html", {"reason": reason}, status=403)


def _view_agencies(user):
    ids = Membership.objects.filter(user=user, role__in=workflow.VIEW_ROLES).values("agency_id")
    return Agency.objects.filter(pk__in=ids).order_by("code")


NO_ROLE = missing_role("查看年度报告", workflow.VIEW_ROLES)


@login_required
def index(request):
    agencies = list(_view_agencies(request.user))
    if not agencies:
        return _forbidden(request, NO_ROLE)
    day = today()
    reports = {}
    rows = (
        AnnualReport.objects.filter(agency__in=agencies)
        .select_related("published")
        .defer("sections", "snapshot", "published__data")
    )
    for row in rows.order_by("-year"):
        reports.setdefault(row.agency_id, []).append(row)
    rows = [
        {
            "agency": agency,
            "reports": reports.get(agency.pk, []),
            "may_start": workflow.may(request.user, agency, "start"),
        }
        for agency in agencies
    ]
    return render(
        request,
        "annual/index.html",
        {"rows": rows, "today": day, "default_year": day.year - 1 if day.month == 1 else day.year},
    )


@login_required
@require_POST
def start(request):
    agencies = {a.code: a for a in _view_agencies(request.user)}
    agency = agencies.get(request.POST.get("agency", ""))
    if agency is None or not workflow.may(request.user, agency, "start"):
        role, label = workflow.ACTION_ROLES["start"]
        return _forbidden(request, missing_role(label, {role}))
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        messages.error(request, "请填写四位数字的报告年度，例如 2025。")
        return redirect("annual:index")
    try:
        annual = workflow.start(agency, year, by=request.user, today=today())
    except workflow.AnnualError as error:
        messages.error(request, str(error))
        return redirect("annual:index")
    messages.success(request, f"已根据本机关记录起草{annual.title}，请核对后修改。")
    return redirect("annual:workspace", code=agency.code, year=year)


def _agency_for(request, code):
    """(agency, roles) or (agency, None) when the user may not see its reports."""
    agency = get_object_or_404(Agency, code=code)
    roles = workflow.roles_of(request.user, agency)
    return agency, (roles or None)


def _annual(agency, year):
    return AnnualReport.objects.filter(agency=agency, year=year).select_related("agency").first()


def _tables_html(report, found):
    template = tables.template_for_year(report["year"])
    return [
        ("二、主动公开政府信息情况", layout.proactive_grid(report, template)),
        ("三、收到和处理政府信息公开申请情况", layout.requests_grid(report, template)),
        ("四、政府信息公开行政复议、行政诉讼情况", layout.appeals_grid(report)),
    ], found


def _sources(agency, year):
    """Where the records behind each table are listed (the cells' sources)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return [
        (
            "表二 规章和规范性文件（现行有效）",
            reverse("registers:documents", args=[agency.code]) + "?state=in_force",
        ),
        ("表二 处理决定、收费的导入批次", reverse("registers:imports", args=[agency.code])),
        (
            "表三 本年新收的申请",
            reverse("cases:list") + f"?received_from={start}&received_to={end}",
        ),
        (
            "表四 行政复议、行政诉讼",
            reverse("appeals:list") + "?" + urlencode({"year": year, "agency": agency.code}),
        ),
    ]


_CELL = re.compile(r'(<td data-where="([a-z_.]+)/([a-z_]+)"[^>]*>)([^<]+)(</td>)')


def _cell_url(agency, year, section, row, col):
    """Where the records one cell counts are listed, or None (no list for it)."""
    if section == "requests":
        return reverse("annual:cell", args=[agency.code, year]) + f"?row={row}&col={col}"
    if section == "proactive":
        documents = reverse("registers:documents", args=[agency.code])
        if row in ("rules", "normative_documents"):
            kind = row  # DocumentKind values are table 二's row keys
            state = {"in_force": "&state=in_force", "repealed": "&state=repealed"}
            if col == "issued":
                return f"{documents}?kind={kind}&year={year}"
            return f"{documents}?kind={kind}{state.get(col, '')}"
        return reverse("registers:imports", args=[agency.code])
    if section == "appeals":
        # the appeals list filtered to the cell: group, table 四 column, year, agency
        query = {"kind": row, "year": year, "agency": agency.code}
        if col != "total":
            query["result"] = col
        return reverse("appeals:list") + "?" + urlencode(query)
    return None


def _linked(html, agency, year, live):
    """The grid with each counted value linked to its records (live tables only: a
    frozen snapshot's cells no longer match the records)."""
    if not live:
        return html

    def link(m):
        section, _, row = m[2].partition(".")
        url = _cell_url(agency, year, section, row, m[3])
        if url is None or not m[4].strip():
            return m[0]
        return f'{m[1]}<a href="{escape(url)}">{m[4]}</a>{m[5]}'

    return _CELL.sub(link, html)


def _sections_context(annual, live_figures):
    out = []
    for key in SECTIONS:
        sentences = (annual.sections or {}).get(key) or []
        stale = set(drafting.stale(sentences, live_figures)) if live_figures is not None else set()
        out.append(
            {
                "key": key,
                "title": SECTION_TITLES[key],
                "sentences": [
                    {
                        **s,
                        "index": i,
                        "stale": i in stale,
                        "placeholder": drafting.PLACEHOLDER in s["text"],
                        "heading": len(s["text"]) < 30 and not s["text"].endswith("。"),
                        "shown_figures": [
                            (figures.label(name), value)
                            for name, value in (s.get("figures") or {}).items()
                            if not name.startswith("last_year.")  # the text beside it
                        ],
                    }
                    for i, s in enumerate(sentences)
                ],
                "stale_count": len(stale),
                "text": drafting.section_text(sentences),
            }
        )
    return out


def _drift_rows(annual):
    rows = []
    for section, row, col, frozen, live in assembly.drift(annual):
        rows.append(
            {
                "table": SECTION_LABELS[section],
                "where": checks.cell_label(section, row, col),
                "key": f"{section}.{row}/{col}",
                "frozen": "空白" if frozen is None else frozen,
                "live": "空白" if live is None else live,
            }
        )
    return rows


@login_required
def workspace(request, code, year):
    agency, roles = _agency_for(request, code)
    if roles is None:
        return _forbidden(request, NO_ROLE)
    annual = _annual(agency, year)
    context = {
        "agency": agency,
        "year": year,
        "annual": annual,
        "due": report_due(year),
        "today": today(),
        "may": {a: workflow.may(request.user, agency, a) for a in workflow.ACTION_ROLES},
        "year_problem": workflow.check_year(year, today()),
    }
    if annual is None:
        return render(request, "annual/workspace.html", context)
    try:
        report = assembly.assemble(annual)
        live_figures = None if annual.locked else figures.gather(agency, year)
    except assembly.StatsError as error:
        context["error"] = str(error)
        return render(request, "annual/workspace.html", context, status=400)
    found = report.get("findings") or []
    explanations = annual.explanations or {}
    grids, _ = _tables_html(report, found)
    context.update(
        report=report,
        # grid_html escapes every value; _linked adds only links built here.
        grids=[
            (title, mark_safe(_linked(grid_html(grid, found), agency, year, not annual.locked)))
            for title, grid in grids
        ],
        sections=_sections_context(annual, live_figures),
        findings=[
            {
                **f,
                "key": assembly.finding_key(f),
                "title": findings_mod.RULES.get(f["rule"], f["rule"]),
                "severity_name": SEVERITY_NAMES.get(f["severity"], ""),
                "explanation": explanations.get(assembly.finding_key(f), ""),
            }
            for f in found
        ],
        errors=sum(f["severity"] == findings_mod.ERROR for f in found),
        opinions=annual.opinions.select_related("actor").order_by("at", "id"),
        drift=_drift_rows(annual),
        sources=_sources(agency, year),
        portal_url=scope.url("report", agency, year) if annual.published_id else None,
        late=bool(annual.published_id) and annual.published.published_on > report_due(year),
        editable=annual.status == Status.DRAFT and workflow.may(request.user, agency, "edit"),
        decisions=Decision.choices,
        Status=Status,
    )
    return render(request, "annual/workspace.html", context)


def _done(request, agency, year):
    return redirect(reverse("annual:workspace", args=[agency.code, year]))


def _act(request, code, year, step):
    agency, roles = _agency_for(request, code)
    if roles is None or not workflow.may(request.user, agency, step):
        role, label = workflow.ACTION_ROLES[step]
        return _forbidden(request, missing_role(label, {role}))
    annual = _annual(agency, year)
    if annual is None:
        messages.error(request, f"{agency.name}{year}年度还没有起草年度报告。")
        return _done(request, agency, year)
    return agency, annual


def _edit(request, annual):
    texts = {k: request.POST.getlist(f"s{k}") for k in SECTIONS if f"s{k}" in request.POST}
    explanations = {
        key[len("explain:") :]: value
        for key, value in request.POST.items()
        if key.startswith("explain:")
    }
    workflow.edit(annual, texts=texts, explanations=explanations, by=request.user)
    return "正文已保存。"


def _submit(request, annual):
    workflow.submit(annual, by=request.user, today=today(), text=request.POST.get("text", ""))
    return "已提交工作机构负责人审核。"


def _decision(function, agreed, **kwargs):
    def decide(request, annual):
        decision = request.POST.get("decision", "")
        extra = {key: make() for key, make in kwargs.items()}
        text = request.POST.get("text", "")
        function(annual, by=request.user, decision=decision, text=text, **extra)
        return agreed if decision == Decision.AGREE else "已退回起草人修改。"

    return decide


def _publish(request, annual):
    row = workflow.publish(annual, by=request.user, at=now())
    return f"{row.title}已在门户“年度报告”栏目发布。"


def _correct(request, annual):
    workflow.correct(annual, by=request.user, note=request.POST.get("note", ""))
    return "已重新打开报告：修改后再经审核、审批，发布为更正版本（原版本仍保留）。"


# The workflow steps the workspace posts to: each runs one audited workflow function and
# returns the message shown on success (workflow.ACTION_ROLES says who may).
STEPS = {
    "edit": _edit,
    "submit": _submit,
    "review": _decision(workflow.review, "审核同意，已送分管领导审批。"),
    "approve": _decision(workflow.approve, "审批同意：报告已锁定，可以发布。", at=lambda: now()),
    "publish": _publish,
    "correct": _correct,
}


@login_required
@require_POST
def step(request, code, year, step):
    got = _act(request, code, year, step)
    if isinstance(got, HttpResponse):
        return got
    agency, annual = got
    try:
        messages.success(request, STEPS[step](request, annual))
    except workflow.AnnualError as error:
        messages.error(request, str(error))
    return _done(request, agency, year)


@login_required
def cell(request, code, year):
    """The cases counted in one cell of table 三 (tracking number, dates, type, outcome;
    no applicant's name: nothing personal is shown)."""
    agency, roles = _agency_for(request, code)
    if roles is None:
        return _forbidden(request, NO_ROLE)
    row, col = request.GET.get("row", ""), request.GET.get("col", "")
    cases = case_stats.cell_cases(agency, year, row, col)
    if cases is None:
        raise Http404("表三没有这个单元格。")
    label = checks.cell_label("requests", row, col)
    cases = cases.order_by("received_on", "tracking_number").only(
        "tracking_number", "received_on", "closed_on", "applicant_type", "outcome", "status"
    )
    return render(
        request,
        "annual/cell.html",
        {
            "agency": agency,
            "year": year,
            "label": label,
            "cases": cases[:500],
            "count": cases.count(),
        },
    )
