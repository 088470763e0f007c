"""Open data of the report library (issue 19): every cell of every filed report, in
its current version (corrections applied), by region and year.

- CSV, long: the engine's CSV (reports.render.csvfmt: agency, year, section, row,
  column, value, row_label, column_label), one line per cell of every report, with
  two more columns: the report's id and version in the library. The agency and year
  are the library's (the directory's name), not as printed.
- XLSX, wide: one row per report, one column per cell of either national format.
- The read-only JSON API: the reports (cursor pages), one report's current data, and
  a region's figures (the dashboards' aggregates).
Streamed: 100,000 reports cost no more memory than one chunk.
"""

import csv

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from gongkai import spreadsheets
from gongkai.reports import tables
from gongkai.reports.render.csvfmt import HEADER
from gongkai.reports.render.layout import cells, number_text

from . import access, aggregates, dashboards, views_dashboard
from .figures import FIGURES
from .models import LibraryReport, Status

API_VERSION = "gongkai.library-api/1"
CHUNK = 500
PAGE = 100


def _filter(request):
    """(region, year, reports) from ?region= and ?year=, within the user's reach."""
    region_pk, year = request.GET.get("region"), request.GET.get("year")
    reports = LibraryReport.objects.filter(
        access.reports_q(request.user), status=Status.FILED, current__isnull=False
    )
    region = None
    if region_pk:
        region = views_dashboard.reached_agency(request.user, views_dashboard._int(region_pk) or 0)
        reports = reports.filter(agency__path__startswith=region.path)
    if year:
        year = views_dashboard._int(year)
        reports = reports.filter(year=year)
    return region, year, reports


def _name(region, year, ext):
    who = region.name if region else "年报库"
    return f"{who}{f'{year}年度' if year else ''}年度报告数据.{ext}"


def _guard(text):
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value):
        return value


def _rows(reports):
    return (
        reports.select_related("agency")
        .only("pk", "version", "year", "current", "agency__name")
        .order_by("agency__path", "year", "pk")
        .iterator(chunk_size=CHUNK)
    )


@login_required
@require_safe
def data_csv(request):
    access.require_view(request.user)
    region, year, reports = _filter(request)
    writer = csv.writer(_Echo(), lineterminator="\r\n")

    def lines():
        yield "\ufeff" + writer.writerow((*HEADER, "report_id", "version"))
        for report in _rows(reports):
            agency = _guard(report.agency.name)
            for section, row, column, value, _k, rl, cl in cells(report.current):
                yield writer.writerow(
                    (agency, report.year, section, row, column, number_text(value), rl, cl,
                     report.pk, report.version)
                )  # fmt: skip

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, _name(region, year, "csv"))
    return response


def wide_columns():
    """Every cell of the 2021 and the 2019 formats, once: (section, row, column, header)."""
    out, seen = [], set()
    for template in (tables.TEMPLATE_2021, tables.TEMPLATE_2019):
        report = tables.empty_report(template.key)
        for section, row, column, _v, _k, rl, cl in cells(report):
            if (section, row, column) not in seen:
                seen.add((section, row, column))
                out.append((section, row, column, f"{rl}/{cl}"))
    return out


def _cell_value(data, section, row, column):
    value = (data.get(section) or {}).get(row) or {}
    return value.get(column) if isinstance(value, dict) else None


@login_required
@require_safe
def data_xlsx(request):
    access.require_view(request.user)
    region, year, reports = _filter(request)
    columns = [
        spreadsheets.Column("报告编号", lambda r: r.pk, 10),
        spreadsheets.Column("机关", lambda r: r.agency.name, 24),
        spreadsheets.Column("年度", lambda r: r.year, 8),
        spreadsheets.Column("版本", lambda r: r.version, 6),
        spreadsheets.Column("格式", lambda r: (r.current or {}).get("template") or "", 6),
    ]
    columns += [
        spreadsheets.Column(header, lambda r, s=s, w=w, c=c: _cell_value(r.current, s, w, c), 12)
        for s, w, c, header in wide_columns()
    ]
    return spreadsheets.xlsx_response(
        _name(region, year, "xlsx").removesuffix(".xlsx"), "年度报告", columns, _rows(reports)
    )


# ---- the JSON API ------------------------------------------------------------------


def _json(data, status=200):
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def api_view(view):
    """Login by session; errors as {"error": 中文} with 401/403/404 (no redirects)."""
    from functools import wraps

    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    @wraps(view)
    @require_safe
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return _json({"error": "请先登录。"}, 401)
        try:
            access.require_view(request.user)
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return _json({"error": str(exc) or "您没有权限。"}, 403)
        except Http404 as exc:
            return _json({"error": str(exc) or "没有找到。"}, 404)

    return wrapped


def _summary(request, report):
    return {
        "id": report.pk,
        "agency": {"id": report.agency_id, "name": report.agency.name},
        "year": report.year,
        "version": report.version,
        "errors": report.error_count,
        "pending": report.pending_count,
        "url": request.build_absolute_uri(reverse("library:report", args=[report.pk])),
        "api_url": request.build_absolute_uri(reverse("library:api-report", args=[report.pk])),
    }


@api_view
def api_reports(request):
    """Filed reports in id order, PAGE at a time; `next` is the following page."""
    _region, _year, reports = _filter(request)
    after = views_dashboard._int(request.GET.get("after")) or 0
    page = list(
        reports.filter(pk__gt=after)
        .select_related("agency")
        .defer("parsed", "current")
        .order_by("pk")[: PAGE + 1]
    )
    more = len(page) > PAGE
    page = page[:PAGE]
    next_url = None
    if more:
        query = request.GET.copy()
        query["after"] = page[-1].pk
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return _json(
        {"api": API_VERSION, "results": [_summary(request, r) for r in page], "next": next_url}
    )


@api_view
def api_report(request, pk):
    """One report's current data (interchange format) with its findings' review states."""
    report = access.report_for(request.user, pk)
    if report.status != Status.FILED or report.current is None:
        return _json({"error": "这份报告尚未归档（待指定机关或无法读取）。"}, 404)
    reviews = [
        {"rule": f.rule, "where": f.where, "severity": f.severity, "state": f.state,
         "present": f.present, "reason": f.reason}
        for f in report.findings.all()
    ]  # fmt: skip
    return _json(
        {
            "api": API_VERSION,
            **_summary(request, report),
            "data": report.current,
            "reviews": reviews,
        }
    )


@api_view
def api_figures(request):
    """A region's figures for a year: totals, rates and one row per agency."""
    region, year, _regions = views_dashboard.choose(request)
    if region is None:
        return _json({"error": "年报库中还没有您可以查看的机关。"}, 404)
    rows = aggregates.counted(region, year).select_related("agency").order_by("agency__path")
    values = aggregates.totals(rows)
    keys = [f.key for f in FIGURES]
    return _json(
        {
            "api": API_VERSION,
            "region": {"id": region.pk, "name": region.name},
            "year": year,
            "reports": values["reports"],
            "totals": {k: values[k] for k in keys},
            "disclosure_rate": dashboards.disclosure_rate(values),
            "labels": {f.key: f.label for f in FIGURES},
            "agencies": [
                {"id": r.agency_id, "name": r.agency.name, "report": r.report_id,
                 **{k: getattr(r, k) for k in keys}}
                for r in rows[:5000]
            ],
        }
    )  # fmt: skip
