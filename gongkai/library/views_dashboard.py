"""年报库 dashboards: a region's year (and its years), one agency's years, two reports
side by side, and the 体检报告 of an agency or a region as DOCX and PDF.

Who sees what is access.py's rule: the supervisors (政务公开办, 系统管理员, 工作机构
负责人, 分管领导) their agency and everything under it, researchers everything.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe

from gongkai.reports.render.layout import cells, number_text

from . import access, aggregates, charts, checkup, dashboards, due
from .models import LibraryAgency, LibraryReport, Status


def reached_agency(user, pk):
    """The directory agency `pk` if `user` reaches it (PermissionDenied otherwise)."""
    agency = LibraryAgency.objects.filter(pk=pk).first()
    if agency is None:
        raise Http404("年报库中没有这个机关。")
    if not LibraryAgency.objects.filter(access.agencies_q(user), pk=pk).exists():
        raise PermissionDenied("您无权查看这个机关的统计：它不属于您所在机关或其下级机关。")
    return agency


def _int(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def choose(request):
    """(region, year, regions) from ?region= and ?year=, within the user's reach."""
    user = request.user
    reached = LibraryAgency.objects.filter(access.agencies_q(user))
    regions = list(
        reached.filter(children__isnull=False)
        .distinct()
        .only("pk", "name", "path")
        .order_by("path")
    )
    pk = _int(request.GET.get("region"))
    if pk is not None:
        region = reached_agency(user, pk)
    else:
        region = regions[0] if regions else reached.order_by("path").first()
    if region is None:
        return None, None, []
    if region not in regions:
        regions.insert(0, region)
    year = _int(request.GET.get("year"))
    if year is None:
        latest = aggregates.counted(region).order_by("-year").values_list("year", flat=True)
        year = latest.first() or due.default_year(timezone.localdate())
    return region, year, regions


def drawn(charts_):
    """Each chart with its server-drawn SVG (shown until ECharts draws it, and without
    JavaScript)."""
    return [{"chart": c, "svg": mark_safe(charts.svg(c))} for c in charts_]  # escaped by svg()


@login_required
def dashboard(request):
    access.require_view(request.user)
    region, year, regions = choose(request)
    if region is None:
        return render(request, "library/dashboard.html", {"region": None})
    today = timezone.localdate()
    data = dashboards.region(region, year, today)
    years = sorted({y["year"] for y in data["years"]} | {year}, reverse=True)
    for ranking in data["rankings"]:
        ranking.top = [(n, dashboards.pct(r), v, pk) for n, r, v, pk in ranking.top]
        ranking.bottom = [(n, dashboards.pct(r), v, pk) for n, r, v, pk in ranking.bottom]
    context = {
        "region": region,
        "year": year,
        "regions": regions,
        "years": years,
        "d": data,
        "figures": drawn(data["charts"]),
        "rate": dashboards.pct(data["rate"]),
        "appeals": [(*row[:5], dashboards.pct(row[5])) for row in data["appeals"]],
        "missing": data["due_counts"]["未报送"],
        "late": data["due_counts"]["逾期发布"],
    }
    return render(request, "library/dashboard.html", context)


@login_required
def agency_years(request, pk):
    access.require_view(request.user)
    agency = reached_agency(request.user, pk)
    data = dashboards.agency_years(agency)
    rows = []
    for label, values, key in data["rows"]:
        percent = key == "rate"
        shown = [dashboards.pct(v) if percent else number_text(v) or "—" for v in values]
        changes = [None] + [
            None if a is None or b is None or percent else b - a
            for a, b in zip(values, values[1:], strict=False)
        ]
        rows.append({"label": label, "cells": list(zip(shown, changes, strict=True))})
    context = {
        "agency": agency,
        "years": data["years"],
        "rows": rows,
        "figures": drawn(data["charts"]),
        "reports": data["figures"],
        "pairs": list(zip(data["figures"], data["figures"][1:], strict=False)),
    }
    return render(request, "library/agency_years.html", context)


def _cell_map(report):
    data = report.current or {}
    return {(s, r, c): (value, rl, cl) for s, r, c, value, _k, rl, cl in cells(data)}


SECTION_NAMES = {"proactive": "表二", "requests": "表三", "appeals": "表四"}


@login_required
def compare(request):
    """Two reports side by side, cell by cell, with the differences marked."""
    access.require_view(request.user)
    a = access.report_for(request.user, _int(request.GET.get("a")) or 0)
    b_pk = _int(request.GET.get("b"))
    b = access.report_for(request.user, b_pk) if b_pk else None
    rows, differ = [], 0
    if b is not None:
        left, right = _cell_map(a), _cell_map(b)
        for key in list(left) + [k for k in right if k not in left]:
            lv, rl, cl = left.get(key) or (None, *right[key][1:])
            rv = right.get(key, (None,))[0]
            same = lv == rv
            differ += not same
            rows.append(
                {
                    "section": SECTION_NAMES[key[0]],
                    "label": f"{rl} · {cl}",
                    "a": number_text(lv) if key in left else "（无此格）",
                    "b": number_text(rv) if key in right else "（无此格）",
                    "diff": None
                    if same or not isinstance(lv, (int, float)) or not isinstance(rv, (int, float))
                    else number_text(rv - lv),
                    "same": same,
                }
            )
    choices = []
    if b is None:
        reached = LibraryReport.objects.filter(access.reports_q(request.user), status=Status.FILED)
        near = reached.filter(agency_id=a.agency_id) | reached.filter(year=a.year)
        choices = near.exclude(pk=a.pk).select_related("agency").order_by("agency__path", "-year")
        choices = list(choices.only("pk", "year", "agency__name", "filename")[:200])
    only = request.GET.get("only") == "diff"
    if only:
        rows = [r for r in rows if not r["same"]]
    context = {"a": a, "b": b, "rows": rows, "differ": differ, "choices": choices, "only": only}
    return render(request, "library/compare.html", context)


@login_required
def checkup_export(request, pk, fmt):
    """体检报告 of an agency (and everything under it) for a year, as DOCX or PDF."""
    access.require_view(request.user)
    agency = reached_agency(request.user, pk)
    year = _int(request.GET.get("year")) or due.default_year(timezone.localdate())
    document = checkup.build(agency, year, timezone.localdate())
    if fmt == "pdf":
        body, kind = checkup.to_pdf(document), "application/pdf"
    else:
        body = checkup.to_docx(document)
        kind = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    response = HttpResponse(body, content_type=kind)
    name = f"{agency.name}{year}年度政府信息公开体检报告.{fmt}"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
