"""Forms of the register pages; they check input, the functions in documents.py and
imports.py make the changes."""

from django import forms

from . import rows
from .models import DocumentKind, ImportKind

DATE_ERRORS = {"invalid": "请按“2024-03-01”的格式填写日期。"}


def _date_field(label, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={**DATE_ERRORS, "required": f"请填写{label}。"},
    )


class DocumentFilterForm(forms.Form):
    STATES = [("", "全部"), ("in_force", "现行有效"), ("repealed", "已废止")]

    q = forms.CharField(label="搜索", required=False, max_length=100, help_text="文件名称或文号")
    kind = forms.ChoiceField(
        label="类别", required=False, choices=[("", "全部"), *DocumentKind.choices]
    )
    state = forms.ChoiceField(label="效力", required=False, choices=STATES)
    year = forms.IntegerField(
        label="制发年度",
        required=False,
        min_value=1949,
        max_value=2999,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "例如 2024"}),
        error_messages={
            "invalid": "制发年度请填写四位数字，例如 2024。",
            "min_value": "制发年度不能早于 1949 年。",
            "max_value": "制发年度请填写四位数字，例如 2024。",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("kind", "state"):
            self.fields[name].error_messages["invalid_choice"] = (
                f"“{self.fields[name].label}”的值无效，请从列表中选择。"
            )


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(
        label="类别",
        choices=DocumentKind.choices,
        error_messages={
            "required": "请选择类别。",
            "invalid_choice": "请选择规章或行政规范性文件。",
        },
    )
    title = forms.CharField(
        label="文件名称", max_length=200, error_messages={"required": "请填写文件名称。"}
    )
    number = forms.CharField(
        label="文号",
        max_length=100,
        required=False,
        help_text="例如 示公规〔2024〕1号；没有文号的留空",
    )
    made_on = _date_field(
        "制发日期", help_text="成文（印发）日期；本年制发件数和现行有效件数都按此日期统计"
    )
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_made_on(self):
        day = self.cleaned_data["made_on"]
        if day > self.today:
            raise forms.ValidationError(f"制发日期（{day}）不能晚于今天（{self.today}）。")
        return day


class RepealForm(forms.Form):
    repealed_on = _date_field(
        "废止日期",
        help_text="自该日起不再有效；废止日期在12月31日及以前的，不计入当年年底的现行有效件数",
    )
    reason = forms.CharField(
        label="废止依据或说明", required=False, max_length=200, help_text="例如 废止决定的文号"
    )


class CancelRepealForm(forms.Form):
    reason = forms.CharField(
        label="撤销原因", max_length=200, error_messages={"required": "请说明为什么撤销废止标记。"}
    )


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="数据类别",
        choices=ImportKind.choices,
        error_messages={
            "required": "请选择数据类别。",
            "invalid_choice": "请从列表中选择数据类别。",
        },
    )
    period_start = _date_field("期间起")
    period_end = _date_field("期间止")
    file = forms.FileField(
        label="文件",
        help_text="CSV（UTF-8 或 GB18030 编码）或 Excel 工作簿（.xlsx，读取第一个工作表）",
        error_messages={"required": "请选择要上传的文件。", "empty": "上传的文件是空的。"},
    )


class ConfirmForm(forms.Form):
    allow_rejected = forms.BooleanField(
        label="只导入通过校验的行（被拒绝的行不会导入，年报数字中不含这些行）", required=False
    )


LAYOUT_ROWS = [(kind, ImportKind(kind).label, rows.LAYOUTS[kind]) for kind in rows.KINDS]
