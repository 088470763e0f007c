"""Forms for editing an agency's letterhead and letter templates."""

import re

from django import forms

from gongkai.letters.models import Letterhead
from gongkai.letters.services import template_errors


class LetterheadForm(forms.ModelForm):
    class Meta:
        model = Letterhead
        fields = [
            "full_name",
            "number_prefix",
            "address",
            "postcode",
            "phone",
            "signature",
            "reconsideration_body",
            "court",
        ]
        error_messages = {
            "full_name": {"required": "请填写机关全称。"},
            "number_prefix": {"required": "请填写文号前缀，例如：某公开〔{year}〕。"},
            "signature": {"required": "请填写落款，例如：某某市公安局。"},
        }

    def clean_number_prefix(self):
        prefix = self.cleaned_data["number_prefix"].strip()
        rest = prefix.replace("{year}", "")
        if "{" in rest or "}" in rest:
            raise forms.ValidationError(
                "文号前缀中只能使用“{year}”这一个占位符（代表年份），例如：某公开〔{year}〕。"
            )
        return prefix

    def clean_postcode(self):
        code = self.cleaned_data["postcode"].strip()
        if code and not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError("邮编应为6位数字。")
        return code


class TemplateForm(forms.Form):
    title = forms.CharField(
        label="标题", max_length=100, error_messages={"required": "请填写标题。"}
    )
    body = forms.CharField(
        label="正文",
        widget=forms.Textarea(attrs={"rows": 16}),
        strip=False,
        help_text="每行是一个段落；第一行以“：”结尾时作为称呼，不缩进。"
        "占位符写在大括号里，例如 {申请人}；如需写大括号本身，请写成 {{ 或 }}。",
        error_messages={"required": "请填写正文。"},
    )
    note = forms.CharField(label="修改说明", max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if "title" in data and "body" in data:
            for error in template_errors(data["title"], data["body"]):
                self.add_error(None, error)
        return data
