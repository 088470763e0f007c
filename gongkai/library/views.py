"""年报库 pages: the agency × year grid, a report with its findings, the queue, import."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from gongkai.reports import tables
from gongkai.reports.render import tables_html
from gongkai.reports.views import SEVERITY_NAMES, describe, narrative

from . import (
    access,
    collecting,
    crosscheck,
    crossrules,
    directory,
    matching,
    review,
    versions,
)
from .models import LibraryAgency, LibraryReport, Review, ReviewedFinding, Status, UploadJob

logger = logging.getLogger(__name__)
MAX_ROWS = 300
MAX_YEARS = 8


@login_required
def index(request):
    access.require_view(request.user)
    agencies = LibraryAgency.objects.filter(access.agencies_q(request.user))
    reports = LibraryReport.objects.filter(
        access.reports_q(request.user), status=Status.FILED, agency__in=agencies
    )
    years = sorted(set(reports.values_list("year", flat=True)), reverse=True)[:MAX_YEARS]
    years.reverse()
    cells = {}
    for r in reports.filter(year__in=years).only(
        "pk", "agency_id", "year", "error_count", "pending_count", "version"
    ):
        cells.setdefault((r.agency_id, r.year), []).append(r)
    total = agencies.count()
    rows = [
        {"agency": a, "cells": [cells.get((a.pk, y), []) for y in years]}
        for a in agencies.order_by("path")[:MAX_ROWS]
    ]
    waiting = LibraryReport.objects.filter(access.reports_q(request.user)).exclude(
        status=Status.FILED
    )
    context = {
        "years": years,
        "rows": rows,
        "total": total,
        "cut": total > MAX_ROWS,
        "queued": waiting.filter(status=Status.QUEUED).count(),
        "unreadable": waiting.filter(status=Status.UNREADABLE).count(),
        "may_edit": bool(access.collectors(request.user)),
        "report_count": reports.count(),
    }
    return render(request, "library/index.html", context)


def _finding_rows(report, template):
    rows = []
    order = {"error": 0, "warning": 1, "info": 2}
    for f in sorted(report.findings.all(), key=lambda f: (not f.present, order.get(f.severity, 3))):
        where = f.where.split("#")[0]
        described = describe({"rule": f.rule, "where": where, "severity": f.severity}, template)
        title = crossrules.RULES.get(f.rule, described["title"])
        place = crossrules.place(where) or described["place"]
        compare = f.expected if f.rule == "NARRATIVE-COPY" else None
        rows.append({"row": f, "title": title, "place": place, "compare": compare,
                     "severity_name": described["severity_name"],
                     "cell": review.split_where(f.where) is not None})  # fmt: skip
    return rows


def _cells(data):
    """Correctable cells as (where, label) for the correction form."""
    from gongkai.reports.views import where_label

    template = tables.TEMPLATES.get(data.get("template"))
    out = []
    for section in review.SECTIONS:
        for row, cols in (data.get(section) or {}).items():
            if isinstance(cols, dict):
                for col in cols:
                    where = f"{section}.{row}/{col}"
                    out.append((where, where_label(where, template) or where))
    return out


@login_required
def report_detail(request, pk):
    access.require_view(request.user)
    report = access.report_for(request.user, pk)
    data = report.current or {}
    template = tables.TEMPLATES.get(data.get("template"))
    fragment = None
    if report.current:
        shown = {**data, "findings": [f for f in data.get("findings") or []]}
        excluded = set(report.findings.filter(state=Review.EXCLUDED).values_list("rule", "where"))
        shown["findings"] = [
            f for f in shown["findings"] if (f["rule"], f.get("where") or "") not in excluded
        ]
        try:
            fragment = mark_safe(tables_html(shown))  # the renderer escapes every value
        except Exception:
            logger.exception("tables_html failed for library report %s", pk)
    may_edit = LibraryReport.objects.filter(
        access.reports_q(request.user, edit=True), pk=pk
    ).exists()
    context = {
        "report": report,
        "data": data,
        "template_name": template.name if template else "未能识别",
        "findings": _finding_rows(report, template),
        "tables": fragment,
        "narrative": narrative(data) if data else [],
        "corrections": report.corrections.select_related("by"),
        "files": versions.files(report),
        "events": report.events.order_by("-at", "-id")[:20],
        "may_edit": may_edit,
        "states": Review.choices,
        "cells": _cells(data) if may_edit and data else [],
        "severity_names": SEVERITY_NAMES,
        "selected_where": request.GET.get("where", ""),
    }
    return render(request, "library/report.html", context)


@login_required
def original(request, pk, old=None):
    """The report's original file, streamed; with `old`, an earlier original
    (SupersededOriginal) of the same report. Whoever may read the report."""
    access.require_view(request.user)
    report = access.report_for(request.user, pk)
    kept = report if old is None else get_object_or_404(report.superseded, pk=old)
    return FileResponse(kept.original.open("rb"), as_attachment=True, filename=kept.filename)


@login_required
@require_POST
def review_finding(request, pk):
    finding = get_object_or_404(ReviewedFinding, pk=pk)
    if finding.report_id is None:  # about an agency's year without a report (REPORT-MISSING)
        reached = LibraryAgency.objects.filter(access.agencies_q(request.user, edit=True))
        if not reached.filter(pk=finding.agency_id).exists():
            raise PermissionDenied("您无权核实这项检查发现：该机关不是您所在机关或其下级机关。")
        back = f"/library/due/?year={finding.year}#finding-{finding.pk}"
    else:
        access.report_for(request.user, finding.report_id, edit=True)
        back = f"/library/report/{finding.report_id}/#finding-{finding.pk}"
    try:
        review.review(finding, request.POST.get("state"), request.POST.get("reason"), request.user)
    except review.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已将该项检查发现标记为“{finding.get_state_display()}”。")
    return redirect(back)


@login_required
def narrative_compare(request, pk, other):
    """Two reports' narratives side by side, repeated sentences marked (NARRATIVE-COPY).
    The other report is shown when the user reaches it, or when a NARRATIVE-COPY finding
    of this report names it (an annual report is a published document, Art. 49–50)."""
    access.require_view(request.user)
    report = access.report_for(request.user, pk)
    theirs = get_object_or_404(LibraryReport, pk=other)
    named = report.findings.filter(rule="NARRATIVE-COPY", expected=theirs.pk).exists()
    if not named:
        access.report_for(request.user, theirs.pk)
    if not (report.current and theirs.current):
        raise Http404("这两份报告中有一份未能读取，没有可对照的正文。")
    mine, other_parts, shared = crossrules.side_by_side(
        crosscheck.doc(report), crosscheck.doc(theirs)
    )
    total = len(crossrules.sentences(report.current))
    context = {
        "report": report,
        "other": theirs,
        "mine": mine,
        "theirs": other_parts,
        "shared": shared,
        "total": total,
        "finding": report.findings.filter(rule="NARRATIVE-COPY", expected=theirs.pk).first(),
    }
    return render(request, "library/narrative_compare.html", context)


@login_required
@require_POST
def correct(request, pk):
    report = access.report_for(request.user, pk, edit=True)
    try:
        value = review.parse_value(request.POST.get("value"))
        review.correct(
            report, request.POST.get("where", ""), value, request.POST.get("reason"), request.user
        )
    except review.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已保存为新版本，并按更正后的数据重新检查。")
    return redirect("library:report", pk=pk)


@login_required
@require_POST
def recheck(request, pk):
    report = access.report_for(request.user, pk, edit=True)
    try:
        review.reparse(report, request.user)
    except review.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已重新读取原件并检查；已有的核实结论保持不变。")
    return redirect("library:report", pk=pk)


@login_required
def queue(request):
    access.require_edit(request.user)
    waiting = LibraryReport.objects.filter(access.reports_q(request.user, edit=True))
    agencies = LibraryAgency.objects.filter(access.agencies_q(request.user, edit=True))
    # A possible duplicate is shown beside the report already filed for its agency-year.
    queued = collecting.with_filed_reports(
        waiting.filter(status=Status.QUEUED).order_by("collected_at", "id")
    )
    context = {
        "queued": queued,
        "unreadable": waiting.filter(status=Status.UNREADABLE).order_by("-collected_at")[:100],
        "agencies": agencies.order_by("path"),
        "likely": matching.LIKELY,
    }
    return render(request, "library/queue.html", context)


@login_required
@require_POST
def assign(request, pk):
    report = access.report_for(request.user, pk, edit=True)
    allowed = LibraryAgency.objects.filter(access.agencies_q(request.user, edit=True))
    agency = allowed.filter(pk=request.POST.get("agency") or 0).first()
    if agency is None:
        messages.error(request, "请从列表中选择报告所属的机关（限本机关及下级机关）。")
        return redirect("library:queue")
    try:
        review.assign(report, agency, request.POST.get("year"), request.user)
    except (review.ReviewError, ValueError) as exc:
        messages.error(
            request, str(exc) if isinstance(exc, review.ReviewError) else "年度须为数字。"
        )
        return redirect("library:queue")
    messages.success(request, f"已将“{report.filename}”归档为{agency.name} {report.year}年度报告。")
    return redirect("library:queue")


@login_required
@require_POST
def adopt(request, pk):
    """A queued possible duplicate taken as the filed report's new version."""
    queued = access.report_for(request.user, pk, edit=True)
    existing = collecting.filed_report(queued.agency_id, queued.year) if queued.agency_id else None
    if existing is None:
        messages.error(request, "没有同一机关同一年度的已归档报告，请指定机关后归档。")
        return redirect("library:queue")
    existing = access.report_for(request.user, existing.pk, edit=True)
    try:
        report = versions.adopt(existing, queued, request.POST.get("reason"), request.user)
    except review.ReviewError as exc:
        messages.error(request, str(exc))
        return redirect("library:queue")
    messages.success(
        request,
        f"已将“{queued.filename}”作为{report.agency.name} {report.year}年度报告的第 "
        f"{report.version} 版，并重新检查；已有的核实结论保持不变。",
    )
    return redirect("library:report", pk=report.pk)


@login_required
def import_page(request):
    roots = access.collectors(request.user)
    if not roots and not request.user.has_perm(access.DIRECTORY):
        access.require_edit(request.user)
    if request.method == "POST":
        access.require_edit(request.user)
        uploads = request.FILES.getlist("files")
        collector = next((r for r in roots if str(r.pk) == request.POST.get("collector")), roots[0])
        if not uploads:
            messages.error(request, "请选择要上传的年报文件或 zip 压缩包。")
        else:
            job = collecting.start_upload(uploads, user=request.user, collector=collector)
            return redirect("library:upload_job", pk=job.pk)
    jobs = UploadJob.objects.filter(collector__in=roots).select_related("requested_by")[:10]
    context = {
        "roots": roots,
        "jobs": jobs if roots else [],
        "may_manage_directory": request.user.has_perm(access.DIRECTORY),
        "directory_errors": None,
    }
    return render(request, "library/import.html", context, status=200)


def _upload_job_for(user, pk):
    """The UploadJob `pk` if one of `user`'s offices uploaded it: PermissionDenied for a
    user who collects nothing, 404 for another office's upload."""
    access.require_edit(user)
    return get_object_or_404(
        UploadJob.objects.select_related("requested_by"),
        pk=pk,
        collector__in=access.collectors(user),
    )


@login_required
def upload_job(request, pk):
    """An upload's progress, then its results (the page polls ?format=json)."""
    from django.http import JsonResponse

    job = _upload_job_for(request.user, pk)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "state": job.state,
                "state_name": job.get_state_display(),
                "done": job.done,
                "total": job.total,
                "finished": job.finished,
            }  # fmt: skip
        )
    rows = [{**r, "result_name": collecting.Outcome.RESULT_NAMES.get(r["result"], r["result"])}
            for r in job.results]  # fmt: skip
    return render(request, "library/upload_job.html", {"job": job, "rows": rows})


@login_required
@require_POST
def rerun_upload_job(request, pk):
    """重新运行: a failed upload read again from its uploaded copies (collecting.rerun_upload);
    whoever may see the upload's page."""
    job = _upload_job_for(request.user, pk)
    try:
        collecting.rerun_upload(job, by=request.user)
    except review.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已重新排队，将再次读取和检查这次上传的全部文件。")
    return redirect("library:upload_job", pk=job.pk)


@login_required
@require_POST
def import_directory(request):
    if not request.user.has_perm(access.DIRECTORY):
        raise PermissionDenied("您没有维护年报库机关目录的权限。")
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择机关名录文件（CSV 或 XLSX）。")
        return redirect("library:import")
    try:
        created, updated = directory.import_file(upload, upload.name)
    except directory.DirectoryError as exc:
        context = {"roots": access.collectors(request.user), "may_manage_directory": True,
                   "directory_errors": exc.lines}  # fmt: skip
        return render(request, "library/import.html", context, status=400)
    filed = collecting.rematch_queued(request.user)
    note = f"待指定机关的报告中有 {filed} 份已按新名录归档。" if filed else ""
    messages.success(request, f"机关名录已导入：新增 {created} 个，更新 {updated} 个。{note}")
    return redirect("library:import")


@login_required
def due_list(request):
    """未报送与逾期: the reporting agencies reached, for one year (Art. 49)."""
    from django.utils import timezone

    from . import due

    access.require_view(request.user)
    today = timezone.localdate()  # Beijing (TIME_ZONE)
    try:
        year = int(request.GET.get("year") or due.default_year(today))
    except ValueError:
        year = due.default_year(today)
    agencies = LibraryAgency.objects.filter(access.agencies_q(request.user))
    reports = LibraryReport.objects.filter(access.reports_q(request.user))
    rows = due.statuses(agencies, reports, year, today)
    problems = [r for r in rows if r.state in ("missing", "late", "unknown")]
    # The REPORT-MISSING findings of these agencies' year, with their review states.
    missing = {
        f.agency_id: f
        for f in ReviewedFinding.objects.filter(
            report__isnull=True, year=year, rule="REPORT-MISSING", agency__in=agencies
        ).select_related("decided_by")
    }
    editable = set(
        LibraryAgency.objects.filter(access.agencies_q(request.user, edit=True)).values_list(
            "pk", flat=True
        )
    )
    for r in problems:
        r.finding = missing.get(r.agency.pk) if r.state == "missing" else None
        r.may_review = r.agency.pk in editable
    context = {
        "year": year,
        "years": range(today.year - 1, today.year - 9, -1),
        "problems": problems,
        "counts": {name: sum(r.state == key for r in rows) for key, name in due.Due.NAMES.items()},
        "total": len(rows),
        "may_edit": bool(access.collectors(request.user)),
        "states": Review.choices,
    }
    return render(request, "library/due.html", context)


MAX_URLS = 50


def _urls(text):
    """The web addresses of a form (one a line), or a Chinese error."""
    from urllib.parse import urlsplit

    urls = [u.strip() for u in (text or "").splitlines() if u.strip()]
    if not urls:
        return None, "请填写至少一个网址（年报列表页或报告页面），每行一个。"
    if len(urls) > MAX_URLS:
        return None, f"一次最多收集 {MAX_URLS} 个网址，请分批提交。"
    bad = [u for u in urls if urlsplit(u).scheme not in ("http", "https") or len(u) > 1000]
    if bad:
        return None, "以下网址不是 http 或 https 网址：" + "；".join(b[:100] for b in bad[:5])
    return urls, None


@login_required
def collect_web(request):
    """从网址收集: a list page or report pages, fetched as background work."""
    from . import webcollect
    from .models import CollectJob

    roots = access.collectors(request.user)
    access.require_edit(request.user)
    jobs = CollectJob.objects.filter(collector__in=roots).select_related("requested_by")
    error, text = None, ""
    if request.method == "POST":
        text = request.POST.get("urls", "")
        urls, error = _urls(text)
        if urls:
            collector = next(
                (r for r in roots if str(r.pk) == request.POST.get("collector")), roots[0]
            )
            with transaction.atomic():
                job = CollectJob.objects.create(
                    urls="\n".join(urls), requested_by=request.user, collector=collector
                )
                webcollect.enqueue(job)
            messages.success(
                request, f"已提交 {len(urls)} 个网址，后台正在抓取；完成后结果显示在下方。"
            )
            return redirect("library:collect_web")
    jobs = list(jobs[:20])
    for job in jobs:
        job.rows = [_shown(r) for r in job.results]
    context = {"roots": roots, "jobs": jobs, "error": error, "text": text}
    return render(request, "library/collect_web.html", context, status=400 if error else 200)


@login_required
@require_POST
def rerun_collect_job(request, pk):
    """重新运行: a failed web-collecting job fetched again from its addresses
    (webcollect.rerun); whoever may see it on the 从网址收集 page."""
    from . import webcollect
    from .models import CollectJob

    access.require_edit(request.user)
    job = get_object_or_404(CollectJob, pk=pk, collector__in=access.collectors(request.user))
    try:
        webcollect.rerun(job, by=request.user)
    except review.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, "已重新排队，将再次抓取这项任务的全部网址；完成后结果显示在下方。"
        )
    return redirect("library:collect_web")


def _shown(row):
    """A result row of a CollectJob as people read it: the address unquoted, the time
    in Beijing time."""
    import datetime as dt
    from urllib.parse import unquote

    from django.utils import timezone

    fetched = None
    if row.get("fetched_at"):
        try:
            fetched = timezone.localtime(dt.datetime.fromisoformat(row["fetched_at"]))
        except ValueError:
            fetched = None
    return {**row, "shown_url": unquote(row.get("url") or ""), "fetched": fetched}
