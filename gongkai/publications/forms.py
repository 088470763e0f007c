"""Forms of the 主动公开 staff pages; every message in Chinese."""

import datetime as dt

from django import forms
from django.utils import timezone

from gongkai.agencies.models import Department
from gongkai.publications.models import (
    Category,
    DisclosureAttribute,
    Gate,
    Genre,
    Item,
    PublicationChannel,
    Status,
    Topic,
)

# The body is edited in publications/static/publications/editor.js (a textarea of HTML
# without JavaScript); sanitize.clean_body decides what is kept either way.
BODY_HELP = (
    "可以直接输入，或从 Word、WPS、网页复制粘贴：段落、标题、列表、表格、加粗和链接会保留，"
    "字体、颜色、图片等其他格式在粘贴和保存时去掉。"
)

TABS = {
    "all": "全部",
    "mine": "待我处理",
    "overdue": "逾期未公开",
    "published": "已发布",
    "withdrawn": "已撤回",
}
DATE_ERROR = {"invalid": "请按“2026-03-01”的格式填写日期。"}
REQUIRED = "请填写{}。"


def _choices(enum):
    return [("", "全部"), *enum.choices]


def _date_field(label, required=False):
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),  # ISO for type=date
        error_messages={**DATE_ERROR, "required": REQUIRED.format(label)},
    )


def _chinese_choice_errors(form):
    for field in form.fields.values():
        field.error_messages.setdefault("required", REQUIRED.format(field.label))
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            field.error_messages["invalid_choice"] = f"“{field.label}”的值无效，请从列表中选择。"
        if field.required:
            field.error_messages["required"] = REQUIRED.format(field.label)


class ItemFilterForm(forms.Form):
    """GET filters of the item list; every field optional, bad values explained."""

    q = forms.CharField(label="搜索标题", required=False, max_length=100)
    tab = forms.ChoiceField(label="视图", required=False, choices=list(TABS.items()))
    status = forms.ChoiceField(label="状态", required=False, choices=_choices(Status))
    category = forms.ChoiceField(label="公开类别", required=False, choices=_choices(Category))
    genre = forms.ChoiceField(label="体裁分类", required=False, choices=_choices(Genre))
    topic = forms.ChoiceField(label="主题分类", required=False, choices=_choices(Topic))
    written_from = _date_field("成文日期自")
    written_to = _date_field("成文日期至")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _chinese_choice_errors(self)

    def clean(self):
        data = super().clean()
        start, end = data.get("written_from"), data.get("written_to")
        if start and end and start > end:
            raise forms.ValidationError(
                f"成文日期的起始日（{start}）晚于截止日（{end}），请调换或改正。"
            )
        return data


class ItemForm(forms.Form):
    """拟稿 / 修改草稿. The 解读 link is entered as the 索引号 of the interpreted document
    (a select of every item would not scale to a large catalogue)."""

    title = forms.CharField(label="标题", max_length=300)
    document_number = forms.CharField(
        label="文号",
        max_length=100,
        required=False,
        help_text="如“示公通〔2026〕3号”，没有可留空。",
    )
    department = forms.ModelChoiceField(
        label="起草部门",
        queryset=Department.objects.none(),
        required=False,
        empty_label="（本机关）",
        error_messages={"invalid_choice": "所选部门不存在或您不能为它起草，请重新选择。"},
    )
    written_on = _date_field("成文日期", required=True)
    issuer = forms.CharField(
        label="发文机关", max_length=100, required=False, help_text="留空则使用本机关名称。"
    )
    disclosure_attribute = forms.ChoiceField(
        label="公开属性",
        choices=DisclosureAttribute.choices,
        initial=DisclosureAttribute.PROACTIVE,
        help_text="公文公开属性源头认定：拟稿时即明确主动公开、依申请公开或不予公开。",
    )
    attribute_reason = forms.CharField(
        label="不予公开（或依申请公开）的理由",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="认定为不予公开时必填，写明理由与依据。",
    )
    category = forms.ChoiceField(
        label="公开类别",
        choices=[("", "请选择"), *Category.choices],
        help_text="《条例》第二十条、第二十一条规定的类别。",
    )
    genre = forms.ChoiceField(label="体裁分类", choices=[("", "请选择"), *Genre.choices])
    topic = forms.ChoiceField(label="主题分类", choices=[("", "请选择"), *Topic.choices])
    interprets_index = forms.CharField(
        label="所解读文件的索引号",
        required=False,
        max_length=80,
        help_text="本条是政策解读或图解时填写，与所解读文件同步发布（三同步）。",
    )
    summary = forms.CharField(
        label="内容概述", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    body = forms.CharField(
        label="正文",
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "data-rich-editor": ""}),
        help_text=BODY_HELP,
    )

    def __init__(self, *args, agency, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency
        self.fields["department"].queryset = departments
        _chinese_choice_errors(self)

    def clean_interprets_index(self):
        number = self.cleaned_data["interprets_index"].strip()
        if not number:
            return None
        target = Item.objects.filter(agency=self.agency, index_number=number).first()
        if target is None:
            raise forms.ValidationError(f"本机关没有索引号为“{number}”的信息，请核对后重新填写。")
        return target

    def clean(self):
        data = super().clean()
        if (
            data.get("disclosure_attribute") == DisclosureAttribute.NOT_DISCLOSED
            and not (data.get("attribute_reason") or "").strip()
        ):
            self.add_error("attribute_reason", "认定为不予公开的，请填写理由和依据。")
        return data

    def workflow_fields(self):
        """The cleaned data as keyword arguments of workflow.create / edit."""
        data = dict(self.cleaned_data)
        data["interprets"] = data.pop("interprets_index")
        return data

    @staticmethod
    def initial_from(item):
        initial = {
            name: getattr(item, name) for name in ItemForm.base_fields if hasattr(item, name)
        }
        initial["interprets_index"] = item.interprets.index_number if item.interprets_id else ""
        return initial


class DecisionForm(forms.Form):
    """初审 / 领导审批: pass (approve) or return with a comment."""

    decision = forms.ChoiceField(
        label="结论",
        choices=[("pass", "通过"), ("return", "退回修改")],
        widget=forms.RadioSelect,
        error_messages={"required": "请选择通过或退回修改。"},
    )
    comment = forms.CharField(
        label="意见", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("comment") or "").strip():
            self.add_error("comment", "退回修改时请填写意见，说明需要修改的内容。")
        return data


class SecrecyReviewForm(forms.Form):
    """The five gates of the 保密审查 as one fieldset; each gate becomes a ReviewCheck."""

    def __init__(self, *args, gates=tuple(Gate), **kwargs):
        super().__init__(*args, **kwargs)
        self.gates = list(gates)
        for gate in self.gates:
            self.fields[f"{gate.value}_passed"] = forms.ChoiceField(
                label=gate.label,
                choices=[("yes", "通过"), ("no", "不通过")],
                widget=forms.RadioSelect,
                error_messages={"required": f"请对{gate.label}作出结论。"},
            )
            self.fields[f"{gate.value}_comment"] = forms.CharField(
                label=f"{gate.label}意见",
                required=False,
                widget=forms.Textarea(attrs={"rows": 1}),
            )

    def clean(self):
        data = super().clean()
        for gate in self.gates:
            if (
                data.get(f"{gate.value}_passed") == "no"
                and not (data.get(f"{gate.value}_comment") or "").strip()
            ):
                self.add_error(f"{gate.value}_comment", f"{gate.label}不通过时请填写审查意见。")
        if not self.errors:
            data["results"] = self.results()
        return data

    def rows(self):
        return [(g, self[f"{g.value}_passed"], self[f"{g.value}_comment"]) for g in self.gates]

    def results(self):
        data = self.cleaned_data
        return {
            g.value: (data[f"{g.value}_passed"] == "yes", data.get(f"{g.value}_comment", ""))
            for g in self.gates
        }


class PublishForm(forms.Form):
    """发布: now, or at a set local time (定时发布)."""

    when = forms.ChoiceField(
        label="发布方式",
        choices=[("now", "立即发布"), ("later", "定时发布")],
        widget=forms.RadioSelect,
        initial="now",
        error_messages={"required": "请选择立即发布或定时发布。"},
    )
    at = forms.DateTimeField(
        label="发布时间",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        error_messages={"invalid": "请按“2026-03-01 09:00”的格式填写发布时间。"},
        help_text="北京时间。",
    )

    def __init__(self, *args, now, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now

    def clean(self):
        data = super().clean()
        if data.get("when") == "later":
            moment = data.get("at")
            if moment is None:
                if "at" not in self.errors:
                    self.add_error("at", "定时发布请填写发布时间。")
                return data
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            if moment <= self.now:
                self.add_error("at", "定时发布的时间应晚于现在；要马上发布请选择“立即发布”。")
            data["at"] = moment
        else:
            data["at"] = None
        return data


STALE_PAGE = "页面已过期（缺少原定发布时间），请刷新页面后重试。"


class UnscheduleForm(forms.Form):
    """取消定时发布. seen_at: the scheduled time the page showed (ISO 8601, hidden), so a
    change made meanwhile by someone else is not overridden unseen."""

    seen_at = forms.CharField(widget=forms.HiddenInput, error_messages={"required": STALE_PAGE})

    @classmethod
    def for_item(cls, item):
        return cls(initial={"seen_at": item.published_at.isoformat()})

    def clean_seen_at(self):
        try:
            moment = dt.datetime.fromisoformat(self.cleaned_data["seen_at"])
        except ValueError:
            raise forms.ValidationError(STALE_PAGE) from None
        if timezone.is_naive(moment):
            raise forms.ValidationError(STALE_PAGE)
        return moment


class RescheduleForm(UnscheduleForm):
    """调整定时发布: the new local publication time (checked by workflow.reschedule)."""

    at = forms.DateTimeField(
        label="新的发布时间",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=PublishForm.base_fields["at"].input_formats,
        error_messages={
            "required": "请填写新的发布时间。",
            "invalid": "请按“2026-03-01 09:00”的格式填写发布时间。",
        },
        help_text="北京时间；须晚于现在。",
    )

    @classmethod
    def for_item(cls, item):
        return cls(
            initial={
                "seen_at": item.published_at.isoformat(),
                "at": timezone.localtime(item.published_at),
            }
        )

    def clean_at(self):
        moment = self.cleaned_data["at"]
        return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class CorrectForm(forms.Form):
    """更正 a published item: the header fields and small body changes, with a reason."""

    reason = forms.CharField(label="更正理由", widget=forms.Textarea(attrs={"rows": 2}))
    title = forms.CharField(label="标题", max_length=300)
    document_number = forms.CharField(label="文号", max_length=100, required=False)
    written_on = _date_field("成文日期", required=True)
    issuer = forms.CharField(label="发文机关", max_length=100)
    category = forms.ChoiceField(label="公开类别", choices=Category.choices)
    genre = forms.ChoiceField(label="体裁分类", choices=Genre.choices)
    topic = forms.ChoiceField(label="主题分类", choices=Topic.choices)
    summary = forms.CharField(
        label="内容概述", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    body = forms.CharField(
        label="正文",
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "data-rich-editor": ""}),
        help_text="只能更正错字、日期、电话等少量内容；改动较大的应作为新信息重新送审。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _chinese_choice_errors(self)

    def changes(self):
        data = dict(self.cleaned_data)
        data.pop("reason")
        return data


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="撤回理由",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写撤回理由。"},
        help_text="撤回后公众看不到本信息；信息本身和办理记录保留。",
    )


class ChannelForm(forms.Form):
    """登记其他渠道发布."""

    channel = forms.ChoiceField(label="渠道", choices=[("", "请选择"), *PublicationChannel.choices])
    published_on = _date_field("发布日期", required=True)
    url = forms.CharField(label="网址", required=False, max_length=500)
    note = forms.CharField(label="说明", required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _chinese_choice_errors(self)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="附件",
        error_messages={
            "required": "请选择要上传的文件。",
            "empty": "上传的文件是空的，请检查后重新选择。",
            "invalid": "没有收到文件，请重新选择。",
        },
    )
