"""Forms of the supervision pages: the 督办 note and the year of the figures."""

from django import forms

from gongkai.supervision.workflow import NOTE_MAX


class SuperviseForm(forms.Form):
    note = forms.CharField(
        label="督办意见",
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="写明要求，例如：请于本周内拟办并报审。承办人员会收到站内通知和邮件。",
        error_messages={
            "required": "请填写督办意见。",
            "max_length": f"督办意见不能超过{NOTE_MAX}字。",
        },
    )


class YearForm(forms.Form):
    year = forms.IntegerField(
        label="年度",
        required=False,
        min_value=2008,
        max_value=2100,
        error_messages={
            "invalid": "年度应为四位数字，例如 2024。",
            "min_value": "年度不能早于2008年。",
            "max_value": "年度不能晚于2100年。",
        },
    )
