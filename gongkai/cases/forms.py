"""Forms of the 依申请公开 pages: the case-list filter and the 分办 action."""

from django import forms

from gongkai.agencies.models import Department
from gongkai.cases.models import ApplicantType, BusinessType, Channel, Status

TABS = {
    "all": "全部",
    "due_soon": "三个工作日内到期",
    "overdue": "已超期",
    "paused": "暂停计时",
}


def _choices(enum):
    return [("", "全部"), *enum.choices]


class CaseFilterForm(forms.Form):
    """GET filters of the case list; every field optional, bad values explained."""

    q = forms.CharField(
        label="搜索",
        required=False,
        max_length=100,
        help_text="受理编号、申请人名称或申请内容中的文字",
    )
    tab = forms.ChoiceField(label="视图", required=False, choices=list(TABS.items()))
    status = forms.ChoiceField(label="状态", required=False, choices=_choices(Status))
    department = forms.ModelChoiceField(
        label="承办部门",
        required=False,
        queryset=Department.objects.none(),
        empty_label="全部",
        error_messages={"invalid_choice": "所选承办部门不存在或您无权查看，请重新选择。"},
    )
    business_type = forms.ChoiceField(
        label="业务类别",
        required=False,
        choices=lambda: [("", "全部"), *BusinessType.names().items()],
    )
    applicant_type = forms.ChoiceField(
        label="申请人类型", required=False, choices=_choices(ApplicantType)
    )
    channel = forms.ChoiceField(label="申请渠道", required=False, choices=_choices(Channel))
    received_from = forms.DateField(
        label="收到日期自",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "请按“2024-03-01”的格式填写日期。"},
    )
    received_to = forms.DateField(
        label="收到日期至",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "请按“2024-03-01”的格式填写日期。"},
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        for name in ("tab", "status", "business_type", "applicant_type", "channel"):
            self.fields[name].error_messages["invalid_choice"] = (
                f"“{self.fields[name].label}”的值无效，请从列表中选择。"
            )

    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            raise forms.ValidationError(
                f"收到日期的起始日（{start}）晚于截止日（{end}），请调换或改正。"
            )
        return data


class AssignForm(forms.Form):
    """分办 / 改派: the department that will handle the case."""

    department = forms.ModelChoiceField(
        label="承办部门",
        queryset=Department.objects.none(),
        empty_label="请选择",
        error_messages={
            "required": "请选择承办部门。",
            "invalid_choice": "所选部门不是本机关的部门，请重新选择。",
        },
    )

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(agency=agency)
