"""Staff page: paste a 国务院办公厅 notice, check the parsed days, then store them."""

from django import forms
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render

from gongkai.workdays import loading
from gongkai.workdays.notice import NoticeError, parse_notice

WEEKDAYS = "一二三四五六日"


class NoticeForm(forms.Form):
    text = forms.CharField(label="通知全文", widget=forms.Textarea(attrs={"rows": 16, "cols": 90}))
    year = forms.IntegerField(
        label="年度",
        required=False,
        min_value=2004,
        max_value=2100,
        help_text="可不填：从通知标题读取",
    )


def _rows(days):
    return [(d, "周" + WEEKDAYS[d.weekday()], name) for d, name in days]


# Replacing a year's schedule deletes and adds calendar rows, and moves every deadline
# counted on it: staff status alone is not enough (issue 13 #4).
IMPORT_PERMISSIONS = ("workdays.add_exceptionalday", "workdays.delete_exceptionalday")


@staff_member_required
@permission_required(IMPORT_PERMISSIONS, raise_exception=True)
def import_notice(request):
    """GET: the form. POST 'preview': parse and show. POST 'store': parse again and save."""
    form = NoticeForm(request.POST or None)
    parsed = None
    if request.method == "POST" and form.is_valid():
        try:
            parsed = parse_notice(form.cleaned_data["text"], form.cleaned_data["year"])
        except NoticeError as exc:
            form.add_error(None, str(exc))
        else:
            if "store" in request.POST:
                removed, added = loading.store_notice(
                    parsed,
                    note=f"由 {request.user} 在网页导入",
                    by=request.user,
                    how="网页导入通知",
                )
                messages.success(
                    request,
                    f"已保存{parsed.year}年节假日安排：{added} 条（替换旧记录 {removed} 条）。",
                )
                return redirect("admin:workdays_exceptionalday_changelist")
    context = {
        "form": form,
        "parsed": parsed,
        "holidays": _rows(parsed.holidays) if parsed else [],
        "workdays": _rows(parsed.workdays) if parsed else [],
        "title": "导入国务院办公厅放假通知",
    }
    return render(request, "workdays/import_notice.html", context)
