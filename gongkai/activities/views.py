"""Staff pages of the activity registers: a year's six registers, add/edit/delete a row,
import a file, download an import template.

Access is the registers' (registers/access.py): 政务公开办 and 系统管理员 change;
工作机构负责人 and 分管领导 read; other roles get a 403 naming the roles that may;
an agency the user holds no role in is a 404. Dates count from `today()`.
"""

import tempfile
from functools import wraps
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from gongkai import spreadsheets
from gongkai.agencies.models import Agency, Membership, role_names
from gongkai.annual import figures
from gongkai.registers import access

from . import registers
from .models import ActivityEvent

NO_MEMBERSHIP = (
    "您的账号还没有分配到任何机关，因此不能查看年报工作登记。"
    "请联系本机关的系统管理员，为您设置所属机关和角色。"
)
MAX_UPLOAD = 5 * 1024 * 1024


def today():
    """The date the pages count from (tests replace this function)."""
    return timezone.localdate()


def _denied(request, reason):
    return render(request, "activities/denied.html", {"reason": reason}, status=403)


def agency_view(*, edit):
    """The registers' access rule (registers.access.agency_view), then the year in the
    URL must be one the registers keep."""

    def decorate(view):
        @access.agency_view(
            edit=edit,
            template="activities/denied.html",
            view_action="查看年报工作登记",
            edit_action="修改年报工作登记",
            no_membership=NO_MEMBERSHIP,
        )
        @wraps(view)
        def checked(request, agency, *args, **kwargs):
            year = kwargs.get("year")
            if year is not None and not registers.FIRST_YEAR <= year <= today().year:
                raise Http404("没有这个年度。")
            return view(request, agency, *args, **kwargs)

        return checked

    return decorate


def _register(key):
    if key not in registers.REGISTERS:
        raise Http404("没有这个登记簿。")
    return registers.REGISTERS[key]


def _years():
    return list(range(today().year, today().year - 6, -1))


@login_required
def index(request):
    held = Membership.objects.filter(user=request.user)
    if not held.exists():
        return _denied(request, NO_MEMBERSHIP)
    agencies = Agency.objects.filter(
        memberships__user=request.user, memberships__role__in=access.VIEW_ROLES
    ).distinct()
    if not agencies:
        return _denied(
            request,
            f"您的角色不能查看年报工作登记：需要{role_names(access.VIEW_ROLES)}角色。"
            "如需开通，请联系本机关的系统管理员。",
        )
    year = today().year - 1
    if len(agencies) == 1:
        return redirect("activities:year", code=agencies[0].code, year=year)
    return render(request, "activities/index.html", {"agencies": agencies, "year": year})


@agency_view(edit=False)
def year_view(request, agency, year):
    sections = []
    for reg in registers.REGISTERS.values():
        rows = list(reg.rows(agency, year).select_related("updated_by"))
        cells = [
            (row, [row._meta.get_field(f).value_to_string(row) if not row._meta.get_field(f).choices
                   else getattr(row, f"get_{f}_display")() for f in reg.fields])
            for row in rows
        ]  # fmt: skip
        summary = summary_of(reg.key, figures.activity_figures(agency, year, reg.key))
        sections.append({"reg": reg, "headers": reg.headers(), "rows": cells, "summary": summary})
    events = ActivityEvent.objects.filter(agency=agency).order_by("-at", "-id")[:10]
    context = {
        "agency": agency,
        "year": year,
        "years": _years(),
        "sections": sections,
        "can_edit": request.can_edit,
        "events": events,
        "labels": {k: r.label for k, r in registers.REGISTERS.items()},
    }
    return render(request, "activities/year.html", context)


def summary_of(key, f):
    """What the year's annual report draft will state from this register, in words."""
    if not f:
        return ""
    if key == "enquiries":
        return f"合计 {f['enquiries.total']} 人次"
    if key == "proposals":
        return f"合计 {f['proposals.total']} 件，按时办结 {f['proposals.on_time']} 件"
    if key == "briefings":
        return "，".join(
            text
            for name, text in (("interpretations.total", "政策解读 {} 次"),
                               ("press.conferences", "新闻发布会 {} 场"))
            if name in f
            for text in [text.format(f[name])]
        )  # fmt: skip
    if key == "trainings":
        return f"{f['training.sessions']} 次，参训 {f['training.attendees']} 人次"
    if key == "assessments":
        return f"{f['assessments.total']} 项"
    return f"{f['newmedia.accounts']} 个账号，本年发布 {f['newmedia.posts']} 条"


def row_form(reg, year, data=None, instance=None):
    form_class = forms.modelform_factory(reg.model, fields=reg.fields)
    form = form_class(data, instance=instance)
    for name in reg.fields:
        field = form.fields[name]
        if reg.dated == name:
            field.widget = forms.DateInput(attrs={"type": "date"})
            field.help_text = f"{year}年内的日期"
        if isinstance(field, forms.IntegerField):  # styled as the other text boxes
            field.widget = forms.TextInput(attrs={"inputmode": "numeric"})
    return form


def _save_form(request, agency, reg, year, row):
    """(saved, form): the posted form saved through registers.add / change."""
    form = row_form(reg, year, request.POST or None, instance=row)
    if request.method != "POST" or not form.is_valid():
        return False, form
    values = {f: form.cleaned_data[f] for f in reg.fields}
    try:
        if row is None:
            registers.add(agency, reg.key, by=request.user, year=year, **values)
        else:
            registers.change(row, by=request.user, **values)
    except registers.ActivityError as error:
        form.add_error(None, str(error))
        return False, form
    messages.success(request, f"已保存{reg.label}登记。")
    return True, form


def _form_page(request, agency, year, reg, row):
    saved, form = _save_form(request, agency, reg, year, row)
    if saved:
        return redirect("activities:year", code=agency.code, year=year)
    context = {"agency": agency, "year": year, "reg": reg, "form": form, "row": row}
    return render(request, "activities/row_form.html", context, status=400 if form.errors else 200)


@agency_view(edit=True)
def row_add(request, agency, year, key):
    return _form_page(request, agency, year, _register(key), None)


@agency_view(edit=True)
def row_edit(request, agency, year, key, pk):
    reg = _register(key)
    row = get_object_or_404(reg.model, agency=agency, year=year, pk=pk)
    return _form_page(request, agency, year, reg, row)


@require_POST
@agency_view(edit=True)
def row_delete(request, agency, year, key, pk):
    reg = _register(key)
    row = get_object_or_404(reg.model, agency=agency, year=year, pk=pk)
    registers.delete(row, by=request.user)
    messages.success(request, f"已删除一条{reg.label}登记。")
    return redirect("activities:year", code=agency.code, year=year)


class UploadForm(forms.Form):
    file = forms.FileField(label="文件（CSV 或 XLSX）")


@agency_view(edit=True)
def import_view(request, agency, year, key):
    reg = _register(key)
    form = UploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            form.add_error("file", "文件大于 5 MB，不像一个年度的登记，请检查。")
        else:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "upload"
                with open(path, "wb") as out:
                    for chunk in upload.chunks():
                        out.write(chunk)
                try:
                    n = registers.import_file(
                        agency, key, year, path, upload.name, by=request.user, today=today()
                    )
                except registers.ImportRefused as error:
                    form.add_error(None, str(error))
                    errors = error.errors
                except registers.ActivityError as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(
                        request, f"已导入{year}年{reg.label} {n} 行，替换了此前的登记。"
                    )
                    return redirect("activities:year", code=agency.code, year=year)
    context = {
        "agency": agency, "year": year, "reg": reg, "form": form, "errors": errors,
        "headers": reg.headers(),
    }  # fmt: skip
    return render(request, "activities/import.html", context, status=400 if form.errors else 200)


def columns(reg):
    """The register's import columns as spreadsheets.Column: an export reads back in."""

    def value(name):
        field = reg.field(name)
        if field.choices:
            return lambda row: getattr(row, f"get_{name}_display")()
        return lambda row: getattr(row, name)

    return [
        spreadsheets.Column(h, value(f), 16) for h, f in zip(reg.headers(), reg.fields, strict=True)
    ]


@agency_view(edit=False)
def export(request, agency, year, key, fmt):
    """The year's rows of one register as CSV or XLSX, in the import layout."""
    reg = _register(key)
    if fmt not in spreadsheets.FORMATS:
        raise Http404("没有这种下载格式。")
    name = f"{agency.name}{year}年{reg.label}"
    return spreadsheets.response(fmt, name, reg.label, columns(reg), reg.rows(agency, year))


@agency_view(edit=False)
def template(request, agency, key):
    reg = _register(key)
    response = HttpResponse(registers.template_csv(key), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"{reg.label}导入模板.csv")
    return response
