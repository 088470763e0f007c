"""Staff pages of the registers: documents, imports and table 二 of the annual report.

Access (access.py): 政务公开办 and 系统管理员 change the registers; the
工作机构负责人 and 分管领导 may look. A user with no membership at all gets a 403
that says why; an agency the user holds no role in is a 404 (not revealed); a
role that may not do this gets a 403 naming the roles that may. Dates are
measured from `today()`, which tests replace.
"""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from gongkai.agencies.models import Agency, Membership, role_names
from gongkai.reports import findings as findings_mod
from gongkai.reports import tables
from gongkai.reports.render import FORMATS
from gongkai.reports.render import render as render_report
from gongkai.reports.render.htmlfmt import grid_html
from gongkai.reports.render.layout import proactive_grid

from . import access, documents, imports, rows, stats
from .access import EDIT_ROLES, VIEW_ROLES, RegisterError
from .forms import (
    LAYOUT_ROWS,
    CancelRepealForm,
    ConfirmForm,
    DocumentFilterForm,
    DocumentForm,
    RepealForm,
    UploadForm,
)
from .models import Document, EventKind, ImportBatch, PendingImport, RegisterEvent

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
REJECTED_PAGE_SIZE = 100
FIRST_YEAR = 2021  # the registers produce the 2021 format (stats._require_2021)
NO_MEMBERSHIP = (
    "您的账号还没有分配到任何机关，因此不能查看主动公开登记簿。"
    "请联系本机关的系统管理员，为您设置所属机关和角色。"
)


def today():
    """The date the pages count from (tests replace this function)."""
    return timezone.localdate()


def _denied(request, reason):
    return render(request, "registers/denied.html", {"reason": reason}, status=403)


def agency_view(*, edit):
    """Resolve <code> to an agency the user may see (view roles) or change (edit roles)."""
    return access.agency_view(
        edit=edit,
        template="registers/denied.html",
        view_action="查看主动公开登记簿",
        edit_action="修改登记簿或导入数据",
        no_membership=NO_MEMBERSHIP,
    )


def _context(request, agency, **extra):
    return {"agency": agency, "can_edit": request.can_edit, "today": today(), **extra}


# ---- index ------------------------------------------------------------------------------


@login_required
def index(request):
    held = Membership.objects.filter(user=request.user)
    if not held.exists():
        return _denied(request, NO_MEMBERSHIP)
    agencies = Agency.objects.filter(
        memberships__user=request.user, memberships__role__in=VIEW_ROLES
    ).distinct()
    if not agencies:
        return _denied(
            request,
            f"您的角色不能查看主动公开登记簿：需要{role_names(VIEW_ROLES)}角色。"
            "如需开通，请联系本机关的系统管理员。",
        )
    if len(agencies) == 1:
        return redirect("registers:documents", code=agencies[0].code)
    return render(request, "registers/index.html", {"agencies": agencies})


# ---- documents -----------------------------------------------------------------------------


def _filter_documents(queryset, data, day):
    if data["kind"]:
        queryset = queryset.filter(kind=data["kind"])
    if data["state"] == "in_force":
        queryset = queryset.in_force_on(day)
    elif data["state"] == "repealed":
        queryset = queryset.filter(repealed_on__lte=day)
    if data["year"]:
        queryset = queryset.issued_in(data["year"])
    words = data["q"].strip()
    if words:
        queryset = queryset.filter(Q(title__icontains=words) | Q(number__icontains=words))
    return queryset


@agency_view(edit=False)
def document_list(request, agency):
    form = DocumentFilterForm(request.GET or None)
    queryset = Document.objects.filter(agency=agency)
    day = today()
    if form.is_bound:
        queryset = (
            _filter_documents(queryset, form.cleaned_data, day)
            if form.is_valid()
            else (queryset.none())
        )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = _context(
        request,
        agency,
        form=form,
        page=page,
        rows=[(d, d.is_in_force(day)) for d in page.object_list],
        query=query.urlencode(),
        filtered=form.is_bound and any(form.data.get(k) for k in form.fields),
        counts=stats.document_counts(agency, day.year),
    )
    return render(request, "registers/documents.html", context, status=400 if form.errors else 200)


@agency_view(edit=True)
def document_add(request, agency):
    form = DocumentForm(request.POST or None, today=today())
    if request.method == "POST" and form.is_valid():
        try:
            document = documents.add_document(agency, by=request.user, **form.cleaned_data)
        except RegisterError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"已登记“{document.title}”。")
            return redirect("registers:documents", code=agency.code)
    status = 400 if form.errors else 200
    context = _context(request, agency, form=form, document=None)
    return render(request, "registers/document_form.html", context, status=status)


def _changed_labels(event):
    """修改了哪些项 for a document_changed event, e.g. "文件名称、制发日期"."""
    if event.kind != EventKind.DOCUMENT_CHANGED:
        return ""
    return "、".join(str(Document._meta.get_field(k).verbose_name) for k in event.data)


def _document(agency, pk):
    return get_object_or_404(Document, agency=agency, pk=pk)


@agency_view(edit=True)
def document_edit(request, agency, pk):
    document = _document(agency, pk)
    initial = {f: getattr(document, f) for f in documents.FIELDS}
    form = DocumentForm(request.POST or None, initial=initial, today=today())
    if request.method == "POST" and form.is_valid():
        try:
            documents.change_document(document, by=request.user, **form.cleaned_data)
        except RegisterError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"已保存对“{form.cleaned_data['title']}”的修改。")
            return redirect("registers:documents", code=agency.code)
    context = _context(
        request,
        agency,
        form=form,
        document=document,
        repeal_form=RepealForm(initial={"repealed_on": today()}),
        cancel_form=CancelRepealForm(),
        events=[
            (event, _changed_labels(event))
            for event in RegisterEvent.objects.filter(document=document).select_related("actor")
        ],
    )
    return render(
        request, "registers/document_form.html", context, status=400 if form.errors else 200
    )


@require_POST
@agency_view(edit=True)
def document_repeal(request, agency, pk):
    document = _document(agency, pk)
    form = RepealForm(request.POST)
    if form.is_valid():
        try:
            documents.repeal_document(document, by=request.user, **form.cleaned_data)
        except RegisterError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"已将“{document.title}”标记为自 {form.cleaned_data['repealed_on']} 起废止。",
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("registers:document_edit", code=agency.code, pk=document.pk)


@require_POST
@agency_view(edit=True)
def document_cancel_repeal(request, agency, pk):
    document = _document(agency, pk)
    form = CancelRepealForm(request.POST)
    if form.is_valid():
        try:
            documents.cancel_repeal(document, by=request.user, **form.cleaned_data)
        except RegisterError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"已撤销“{document.title}”的废止标记。")
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("registers:document_edit", code=agency.code, pk=document.pk)


# ---- imports --------------------------------------------------------------------------------


def _upload_initial():
    day = today()
    return {"period_start": day.replace(year=day.year - 1, month=1, day=1),
            "period_end": day.replace(year=day.year - 1, month=12, day=31)}  # fmt: skip


@agency_view(edit=False)
def import_list(request, agency):
    form = None
    if request.can_edit:
        form = UploadForm(request.POST or None, request.FILES or None, initial=_upload_initial())
    if request.method == "POST":
        if form is None:
            return _denied(request, f"您的角色不能导入数据：需要{role_names(EDIT_ROLES)}角色。")
        if form.is_valid():
            data, upload = form.cleaned_data, form.cleaned_data["file"]
            try:
                pending, _scan = imports.stage(
                    upload.chunks(),
                    agency=agency,
                    kind=data["kind"],
                    start=data["period_start"],
                    end=data["period_end"],
                    by=request.user,
                    file_name=upload.name,
                    today=today(),
                )
            except RegisterError as error:
                form.add_error(None, str(error))
            else:
                return redirect("registers:import_preview", code=agency.code, token=pending.token)
    batches = ImportBatch.objects.filter(agency=agency).select_related("imported_by", "replaced_by")
    page = Paginator(batches, PAGE_SIZE).get_page(request.GET.get("page"))
    context = _context(request, agency, form=form, page=page, layouts=LAYOUT_ROWS)
    status = 400 if form is not None and form.errors else 200
    return render(request, "registers/imports.html", context, status=status)


@agency_view(edit=False)
def import_template(request, agency, kind):
    """A header-only CSV (UTF-8 with BOM, so Excel reads it) for one kind of data."""
    if kind not in rows.LAYOUTS:
        raise Http404("没有这种数据类别。")
    header = ",".join(c.header for c in rows.LAYOUTS[kind]) + "\r\n"
    response = HttpResponse("\ufeff" + header, content_type="text/csv; charset=utf-8")
    name = f"{rows.KINDS[kind]}导入模板.csv"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _pending(request, agency, token):
    """The user's own pending import for this agency; 404 for anyone else's."""
    return get_object_or_404(PendingImport, agency=agency, token=token, uploaded_by=request.user)


@agency_view(edit=True)
def import_preview(request, agency, token):
    pending = _pending(request, agency, token)
    try:
        scan = imports.rescan(pending)
        replaced = imports.replaced_by_period(
            agency, pending.kind, pending.period_start, pending.period_end
        )
    except RegisterError as error:
        messages.error(request, str(error))
        imports.discard(pending.token)
        return redirect("registers:imports", code=agency.code)
    page = Paginator(scan.rejected, REJECTED_PAGE_SIZE).get_page(request.GET.get("page"))
    context = _context(
        request,
        agency,
        pending=pending,
        scan=scan,
        replaced=replaced,
        page=page,
        confirm_form=ConfirmForm(),
        layout=rows.layout_text(pending.kind),
    )
    return render(request, "registers/preview.html", context)


@require_POST
@agency_view(edit=True)
def import_confirm(request, agency, token):
    pending = _pending(request, agency, token)
    form = ConfirmForm(request.POST)
    allow = form.is_valid() and form.cleaned_data["allow_rejected"]
    try:
        batch = imports.commit(pending, by=request.user, allow_rejected=allow)
    except RegisterError as error:
        messages.error(request, str(error))
        if PendingImport.objects.filter(pk=pending.pk).exists():
            return redirect("registers:import_preview", code=agency.code, token=token)
        return redirect("registers:imports", code=agency.code)
    replaced = batch.replaced.count()
    messages.success(
        request,
        f"已导入{batch.get_kind_display()} {batch.accepted} 行"
        f"（{batch.period_start} 至 {batch.period_end}）"
        + (f"，替换了此前的 {replaced} 次导入" if replaced else "")
        + "。",
    )
    return redirect("registers:imports", code=agency.code)


@require_POST
@agency_view(edit=True)
def import_cancel(request, agency, token):
    pending = _pending(request, agency, token)
    imports.discard(pending.token)
    messages.info(request, f"已取消导入“{pending.file_name}”，没有写入任何数据。")
    return redirect("registers:imports", code=agency.code)


# ---- table 二 of the annual report -------------------------------------------------------


def _years():
    return list(range(today().year, FIRST_YEAR - 1, -1))


@agency_view(edit=False)
def report_default(request, agency):
    return redirect("registers:report", code=agency.code, year=max(today().year - 1, FIRST_YEAR))


def _report_or_error(request, agency, year):
    if year not in _years():
        raise Http404("没有这个年度的报告。")
    try:
        return stats.annual_report(agency, year)
    except stats.StatsError as error:
        messages.error(request, str(error))
        return None


@agency_view(edit=False)
def report_section(request, agency, year):
    report = _report_or_error(request, agency, year)
    if report is None:
        return redirect("registers:documents", code=agency.code)
    grid = grid_html(proactive_grid(report, tables.TEMPLATE_2021), report["findings"])
    whole = [stats.year_span(year)]
    gaps = [
        (rows.KINDS[kind], spans, spans == whole)
        for kind, spans in stats.coverage(agency, year).items()
        if spans
    ]
    context = _context(
        request,
        agency,
        year=year,
        years=_years(),
        table=mark_safe(grid),  # the engine's renderer escapes every value
        gaps=gaps,
        problems=[f for f in report["findings"] if f["severity"] != findings_mod.INFO],
        downloads=[(fmt, name) for fmt, (_ct, _ext, name) in FORMATS.items()],
    )
    return render(request, "registers/report.html", context)


@agency_view(edit=False)
def report_download(request, agency, year, fmt):
    if fmt not in FORMATS:
        raise Http404("没有这种下载格式。")
    report = _report_or_error(request, agency, year)
    if report is None:
        return redirect("registers:documents", code=agency.code)
    content_type, extension, name = FORMATS[fmt]
    try:
        data = render_report(report, fmt)
    except Exception:
        logger.exception("rendering %s for %s %s failed", fmt, agency.code, year)
        messages.error(request, f"生成{name}时出错，问题已记录。请换一种格式下载，或稍后再试。")
        return redirect(reverse("registers:report", args=[agency.code, year]))
    response = HttpResponse(data, content_type=content_type)
    filename = f"{agency.name}{year}年政府信息公开工作年度报告.{extension}"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
