"""Staff pages of the portal: edit the 指南/制度, publish annual reports.

Only the agency's 政务公开办 (Role.OFFICE) and 系统管理员 (Role.ADMIN) get in; anyone
else signed in gets a 403 page that says why, and an anonymous visitor is sent to
the login page. Every change goes through publishing.py.

Publishing a report takes two steps: the file (or the case records) is read and
checked by the report engine, the staff member sees the findings and the tables,
and only an explicit confirmation publishes it. The checked report waits in the
session (and the original file in storage/portal/staging) between the two steps.
"""

import datetime as dt
import importlib
import logging
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe

from gongkai.agencies.models import Membership, Role
from gongkai.portal import defaults, publishing, reportview, scope, views
from gongkai.portal.forms import ConfirmForm, PageForm, ReportRecordsForm, ReportUploadForm
from gongkai.portal.models import PageSlug, PortalPage, PublishedReport, ReportOrigin
from gongkai.reports import engine, findings

logger = logging.getLogger(__name__)

STAGED = "portal.staged-report"
SEVERITY_NAMES = {findings.ERROR: "错误", findings.WARNING: "警告", findings.INFO: "提示"}
READ_FAILED = (
    "读取这份报告时系统出错，问题已记录。请检查文件是否完整，或换一种格式（如 .txt）再试。"
)


def _forbidden(request, agency):
    names = "、".join(Role(r).label for r in sorted(publishing.EDITOR_ROLES))
    reason = (
        f"您没有维护{agency.name}政府信息公开门户的权限：需要本机关的{names}角色。"
        "如需开通，请联系本机关的系统管理员。"
    )
    approves = Membership.objects.filter(
        user=request.user, agency=agency, role__in=(Role.OFFICE_HEAD, Role.LEADER)
    ).exists()
    return render(
        request,
        "portal/manage/forbidden.html",
        views.context(
            agency,
            "manage",
            reason=reason,
            # The 工作机构负责人 and 分管领导 审核/审批 the annual report (issue 18);
            # the 政务公开办 publishes it once approved.
            annual_url=reverse("annual:index") if approves else None,
        ),
        status=403,
    )


def _editor_view(view):
    """login_required + the agency resolved + the editor role checked."""

    @login_required
    def wrapper(request, *args, agency=None, **kwargs):
        agency = scope.resolve(agency)
        if not publishing.may_edit(request.user, agency):
            return _forbidden(request, agency)
        return view(request, agency, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@_editor_view
def index(request, agency):
    pages = {p.slug: p for p in PortalPage.objects.filter(agency=agency)}
    rows = [
        (
            label,
            pages[slug].latest() if slug in pages else None,
            scope.url("manage-page", agency, slug),
        )
        for slug, label in PageSlug.choices
    ]
    return render(
        request,
        "portal/manage/index.html",
        views.context(
            agency,
            "manage",
            pages=rows,
            reports_url=scope.url("manage-reports", agency),
        ),
    )


@_editor_view
def edit_page(request, agency, slug):
    if slug not in PageSlug.values:
        return redirect(scope.url("manage", agency))
    page = PortalPage.objects.filter(agency=agency, slug=slug).first()
    versions = list(page.versions.order_by("-number")) if page else []
    preview = None
    if request.method == "POST":
        form = PageForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            if request.POST.get("action") == "publish":
                try:
                    version = publishing.publish_page(
                        agency,
                        slug,
                        body=data["body"],
                        note=data["note"],
                        by=request.user,
                        at=views.now(),
                    )
                except publishing.PortalError as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(
                        request, f"{PageSlug(slug).label}第 {version.number} 版已发布。"
                    )
                    return redirect(scope.url(slug, agency))
            else:
                try:
                    preview = mark_safe(publishing.clean_page_body(data["body"]))  # cleaned
                except publishing.PortalError as exc:
                    form.add_error("body", str(exc))
    else:
        body = versions[0].body if versions else defaults.page_body(agency, slug)
        form = PageForm(initial={"body": body})
    return render(
        request,
        "portal/manage/page.html",
        views.context(
            agency,
            "manage",
            form=form,
            slug=slug,
            title=PageSlug(slug).label,
            preview=preview,
            versions=versions,
            is_default_text=not versions,
        ),
        status=400 if form.errors else 200,
    )


def annual_report_builder():
    """gongkai.registers.stats.annual_report when that app is installed, else None."""
    try:
        module = importlib.import_module("gongkai.registers.stats")
    except ImportError:
        return None
    return getattr(module, "annual_report", None)


def _stage(request, agency, report, *, origin, source_name="", source_bytes=None):
    token = secrets.token_urlsafe(16)
    path = None
    if source_bytes is not None:
        path = default_storage.save(f"portal/staging/{token}", ContentFile(source_bytes))
    request.session[STAGED] = {
        "token": token,
        "agency": agency.pk,
        "report": report,
        "origin": origin,
        "source_name": source_name,
        "path": path,
    }
    return token


@_editor_view
def manage_reports(request, agency):
    builder = annual_report_builder()
    upload_form = ReportUploadForm(initial={"published_on": views.today()}, prefix="upload")
    records_form = ReportRecordsForm(initial={"year": views.today().year - 1}, prefix="records")
    if request.method == "POST" and request.POST.get("action") == "upload":
        upload_form = ReportUploadForm(request.POST, request.FILES, prefix="upload")
        if upload_form.is_valid():
            upload = upload_form.cleaned_data["file"]
            data = upload.read()
            try:
                report = engine.analyse_bytes(data, filename=upload.name)
            except engine.UnsupportedInput as exc:
                upload_form.add_error("file", str(exc))
            except Exception:
                logger.exception("reading %s failed", upload.name)
                upload_form.add_error("file", READ_FAILED)
            else:
                _stage(
                    request,
                    agency,
                    report,
                    origin=ReportOrigin.UPLOAD,
                    source_name=upload.name,
                    source_bytes=data,
                )
                request.session[STAGED].update(
                    published_on=upload_form.cleaned_data["published_on"].isoformat(),
                    note=upload_form.cleaned_data["note"],
                )
                return redirect(scope.url("manage-report-confirm", agency))
    elif request.method == "POST" and request.POST.get("action") == "records" and builder:
        records_form = ReportRecordsForm(request.POST, prefix="records")
        if records_form.is_valid():
            year = records_form.cleaned_data["year"]
            try:
                report = builder(agency, year)
            except ValueError as exc:  # registers' StatsError: a Chinese reason
                records_form.add_error("year", str(exc))
            else:
                report.setdefault("agency", agency.name)
                _stage(request, agency, report, origin=ReportOrigin.RECORDS)
                request.session[STAGED].update(
                    published_on=views.today().isoformat(),  # the real day, never typed
                    note=records_form.cleaned_data["note"],
                )
                return redirect(scope.url("manage-report-confirm", agency))
    published = (
        PublishedReport.objects.filter(agency=agency)
        .defer("data")
        .select_related("published_by")
        .order_by("-year", "-id")
    )
    bad = upload_form.errors or records_form.errors
    return render(
        request,
        "portal/manage/reports.html",
        views.context(
            agency,
            "manage",
            upload_form=upload_form,
            records_form=records_form if builder else None,
            published=published,
        ),
        status=400 if bad else 200,
    )


def _describe(finding):
    return {
        **finding,
        "severity_name": SEVERITY_NAMES.get(finding.get("severity"), finding.get("severity")),
        "title": findings.RULES.get(finding.get("rule"), finding.get("rule")),
    }


def _drop_staged(request):
    staged = request.session.pop(STAGED, None)
    if staged and staged.get("path"):
        default_storage.delete(staged["path"])


@_editor_view
def confirm_report(request, agency):
    staged = request.session.get(STAGED)
    if not staged or staged.get("agency") != agency.pk:
        messages.info(request, "没有待发布的年度报告：请先上传报告文件或由办件记录生成。")
        return redirect(scope.url("manage-reports", agency))
    report = staged["report"]
    published_on = dt.date.fromisoformat(staged["published_on"])
    blockers = publishing.check_report(agency, report, today=views.today())
    listed = sorted(
        report.get("findings") or [],
        key=lambda f: findings.SEVERITIES.index(f.get("severity", findings.INFO)),
    )
    errors = sum(f.get("severity") == findings.ERROR for f in listed)
    form = ConfirmForm(initial={"token": staged["token"]})
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            _drop_staged(request)
            messages.info(request, "已取消，这份报告没有发布。")
            return redirect(scope.url("manage-reports", agency))
        form = ConfirmForm(request.POST)
        if form.is_valid() and form.cleaned_data["token"] != staged["token"]:
            form.add_error(None, "这份确认页面已过期（期间又提交了另一份报告），请重新上传。")
        if form.is_valid() and not blockers:
            source_bytes = None
            if staged.get("path") and default_storage.exists(staged["path"]):
                with default_storage.open(staged["path"], "rb") as handle:
                    source_bytes = handle.read()
            try:
                row = publishing.publish_report(
                    agency,
                    report,
                    by=request.user,
                    on=published_on,
                    origin=staged["origin"],
                    source_name=staged.get("source_name") or "",
                    source_bytes=source_bytes,
                    note=staged.get("note") or "",
                    today=views.today(),
                )
            except publishing.PortalError as exc:
                form.add_error(None, str(exc))
            else:
                _drop_staged(request)
                messages.success(request, f"{row.title}已发布。")
                return redirect(scope.url("report", agency, row.year))
    return render(
        request,
        "portal/manage/confirm.html",
        views.context(
            agency,
            "manage",
            report=report,
            staged=staged,
            published_on=published_on,
            blockers=blockers,
            mismatch=publishing.name_mismatch(agency, report),
            findings=[_describe(f) for f in listed],
            error_count=errors,
            form=form,
            **reportview.public_context(report),
        ),
        status=400 if form.errors else 200,
    )
