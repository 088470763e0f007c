"""Forms of the portal: the catalogue filters (public) and the staff forms."""

import functools

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

from gongkai.portal import search
from gongkai.portal.catalogue import Filters
from gongkai.portal.publishing import MAX_NOTE
from gongkai.publications.models import Category, Genre, Topic

DATE_ERROR = {"invalid": "请按“2024-03-01”的格式填写日期。"}


def _choices(enum):
    return [("", "全部"), *enum.choices]


# The catalogue's widgets are written out by format_html instead of Django's widget
# templates: on the busiest page of the portal those templates cost more than the rest
# of the page. Same markup as Django's (input.html, select.html, attrs.html).


class PlainInput:
    """Mixin for an Input widget: rendered without the template engine."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else format_html(' value="{}"', widget["value"])
        return format_html(
            '<input type="{}" name="{}"{}{}>', widget["type"], name, shown, flatatt(widget["attrs"])
        )


class PlainTextInput(PlainInput, forms.TextInput):
    pass


class PlainDateInput(PlainInput, forms.DateInput):
    pass


class PlainSelect(forms.Select):
    """A single select (flat choices) rendered without the template engine."""

    def render(self, name, value, attrs=None, renderer=None):
        options = _options(tuple(self.choices), tuple(self.format_value(value)))
        attrs = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html('<select name="{}"{}>{}</select>', name, attrs, options)


@functools.lru_cache(maxsize=1024)
def _options(choices, current):
    """The <option> list of a PlainSelect (the same few lists over and over)."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((key, " selected" if str(key) in current else "", label) for key, label in choices),
    )


class FixedChoiceField(forms.ChoiceField):
    """A ChoiceField whose choices are the same for every form and never changed by
    one: a form shares them instead of deep-copying them (Django copies each field per
    form; the choices were most of a 目录 filter form's making)."""

    def __deepcopy__(self, memo):
        return forms.Field.__deepcopy__(self, memo)  # the widget and messages still copied


class CatalogueForm(forms.Form):
    """GET filters of the 目录; every field optional, bad values explained in Chinese."""

    q = forms.CharField(
        label="关键词",
        required=False,
        max_length=200,
        help_text=f"在标题和正文中查找，例如“户籍”“交通管理”（最多 {search.MAX_QUERY} 个字）。",
        widget=PlainTextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    topic = FixedChoiceField(
        label="主题分类", required=False, choices=_choices(Topic), widget=PlainSelect
    )
    genre = FixedChoiceField(
        label="体裁分类", required=False, choices=_choices(Genre), widget=PlainSelect
    )
    category = FixedChoiceField(
        label="公开类别", required=False, choices=_choices(Category), widget=PlainSelect
    )
    issuer = forms.CharField(
        label="发文机关",
        required=False,
        max_length=100,
        widget=PlainTextInput(attrs={"list": "issuer-list", "autocomplete": "off"}),
    )
    date_from = forms.DateField(
        label="发布日期自",
        required=False,
        widget=PlainDateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=DATE_ERROR,
    )
    date_to = forms.DateField(
        label="发布日期至",
        required=False,
        widget=PlainDateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=DATE_ERROR,
    )

    def __init__(self, *args, issuers=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("topic", "genre", "category"):
            self.fields[name].error_messages["invalid_choice"] = (
                f"“{self.fields[name].label}”的值无效，请从列表中选择。"
            )
        self.issuers = issuers

    def clean_q(self):
        return search.normalise(self.cleaned_data["q"])

    def clean_issuer(self):
        return " ".join(self.cleaned_data["issuer"].split())

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(
                f"发布日期的起始日（{start}）晚于截止日（{end}），请调换或改正。"
            )
        return data

    def filters(self):
        """The validated Filters (call after is_valid())."""
        data = self.cleaned_data
        return Filters(
            **{
                name: data.get(name) or Filters.__dataclass_fields__[name].default
                for name in Filters.__dataclass_fields__
            }
        )


class PageForm(forms.Form):
    """A new version of the 指南 or 制度."""

    body = forms.CharField(
        label="正文（HTML）",
        widget=forms.Textarea(attrs={"rows": 24}),
        help_text="可用段落、标题（h2–h4）、列表、表格、加粗和链接；脚本、样式和图片会被去掉。",
        error_messages={"required": "请填写正文。"},
    )
    note = forms.CharField(
        label="修改说明",
        max_length=MAX_NOTE,
        help_text="例如“更新受理地点和办公时间”；会显示在历史版本列表中。",
        error_messages={
            "required": "请填写修改说明，方便公众和同事了解这次改了什么。",
            "max_length": f"修改说明最多 {MAX_NOTE} 个字。",
        },
    )


class ReportUploadForm(forms.Form):
    """Upload an annual report to publish (any format the engine reads)."""

    file = forms.FileField(
        label="年度报告文件",
        help_text="支持 .txt、.html、.docx、.pdf，以及 gongkai 导出的 .json、.csv。",
        error_messages={"required": "请选择要发布的年度报告文件。"},
    )
    published_on = forms.DateField(
        label="发布日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={**DATE_ERROR, "required": "请填写发布日期。"},
    )
    note = forms.CharField(label="发布说明", max_length=MAX_NOTE, required=False)


class ReportRecordsForm(forms.Form):
    """Build the report of a year from the case records (registers.stats). No date to
    type: a report generated now is published now (issue 18: a typed date let a late
    report show as published by 31 January, Art. 49)."""

    year = forms.IntegerField(
        label="报告年度",
        min_value=2008,
        error_messages={"required": "请填写报告年度。", "invalid": "报告年度应为四位数字年份。"},
    )
    note = forms.CharField(label="发布说明", max_length=MAX_NOTE, required=False)


class ConfirmForm(forms.Form):
    """The second step of publishing a report: the staff member has read the findings."""

    token = forms.CharField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label="我已阅读上述检查结果，确认按此发布",
        error_messages={"required": "请勾选确认后再发布。"},
    )
