"""Forms of the 复议/诉讼 pages. They check shapes (dates, choices); the facts' rules live
in gongkai/appeals/workflow.py, whose AppealError is shown as the form's error."""

from django import forms

from gongkai.appeals.models import Appeal, Decision, DocumentKind, Instance, Kind, Result, Ruling
from gongkai.cases.forms import date_field

GROUPS = (
    ("", "全部"),
    ("reconsideration", "行政复议"),
    ("litigation_direct", "行政诉讼（未经复议直接起诉）"),
    ("litigation_after", "行政诉讼（复议后起诉）"),
)


class FileField(forms.FileField):
    def __init__(self, label, **kw):
        kw.setdefault("required", False)
        kw.setdefault(
            "error_messages",
            {"invalid": "上传的不是有效的文件，请重新选择。", "empty": "上传的文件是空的。"},
        )
        super().__init__(label=label, **kw)


class FilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, max_length=100)
    kind = forms.ChoiceField(
        label="类型",
        choices=GROUPS,
        required=False,
        error_messages={"invalid_choice": "请从列表中选择类型。"},
    )
    result = forms.ChoiceField(
        label="结果",
        choices=[("", "全部"), *Result.choices],
        required=False,
        error_messages={"invalid_choice": "请从列表中选择结果。"},
    )
    # The annual report's table 四 links here for one agency's cell (not shown as a field).
    agency = forms.SlugField(required=False, widget=forms.HiddenInput)
    year = forms.IntegerField(
        label="年度（表四口径）",
        required=False,
        min_value=2008,
        max_value=2100,
        error_messages={
            "invalid": "年度请填写四位数字，例如 2024。",
            "min_value": "年度不能早于2008年。",
            "max_value": "年度不能晚于2100年。",
        },
    )


class RecordForm(forms.Form):
    kind = forms.ChoiceField(
        label="类型",
        choices=[
            ("reconsideration", "行政复议"),
            ("litigation", "行政诉讼（未经复议直接起诉）"),
            ("litigation_after", "行政诉讼（复议后起诉）"),
        ],
        error_messages={"required": "请选择类型。", "invalid_choice": "请从列表中选择类型。"},
    )
    prior = forms.ModelChoiceField(
        label="经过的行政复议（复议后起诉时必选）",
        queryset=Appeal.objects.none(),
        required=False,
        error_messages={"invalid_choice": "所选的行政复议不存在，请重新选择。"},
    )
    body = forms.CharField(
        label="复议机关/法院",
        max_length=200,
        error_messages={"required": "请填写复议机关或法院名称。"},
    )
    reference = forms.CharField(label="案号", max_length=100, required=False)
    applicant = forms.CharField(label="申请人/原告", max_length=200, required=False)
    instance = forms.ChoiceField(
        label="审级（行政诉讼）",
        choices=[("", "—"), *Instance.choices],
        required=False,
        error_messages={"invalid_choice": "请从列表中选择审级。"},
    )
    simplified = forms.BooleanField(label="行政复议适用简易程序（答复期限五日）", required=False)
    co_defendant = forms.BooleanField(label="复议机关为共同被告", required=False)
    filed_on = date_field("申请/起诉日期")
    papers_received_on = date_field(
        "收到答复通知书/应诉通知书日期",
        required=False,
        help_text="行政复议：收到申请书副本之日；行政诉讼：收到起诉状副本之日。答复期限从这一天起算。",
    )
    notes = forms.CharField(label="备注", max_length=2000, required=False, widget=forms.Textarea)

    def __init__(self, *args, case, **kw):
        super().__init__(*args, **kw)
        self.fields["prior"].queryset = Appeal.objects.filter(case=case, kind=Kind.RECONSIDERATION)
        self.fields["prior"].label_from_instance = lambda a: (
            f"{a.body} {a.reference or ''}（{a.filed_on:%Y-%m-%d} 申请）"
        )

    def workflow_fields(self):
        d = dict(self.cleaned_data)
        choice = d.pop("kind")
        d["kind"] = Kind.RECONSIDERATION if choice == "reconsideration" else Kind.LITIGATION
        d["after_reconsideration"] = choice == "litigation_after"
        for name in ("reference", "applicant", "notes"):
            d[name] = d[name].strip()
        return d

    @classmethod
    def initial_of(cls, appeal):
        if appeal.kind == Kind.RECONSIDERATION:
            kind = "reconsideration"
        else:
            kind = "litigation_after" if appeal.after_reconsideration else "litigation"
        names = [n for n in cls.base_fields if n != "kind"]
        return {"kind": kind, **{n: getattr(appeal, n) for n in names}}


class AnswerForm(forms.Form):
    answered_on = date_field("提交日期")
    file = FileField("答复书/答辩状")


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="决定/裁判内容",
        choices=[("", "请选择"), *Decision.choices],
        error_messages={"required": "请选择决定/裁判内容。", "invalid_choice": "请从列表中选择。"},
    )
    decided_on = date_field("审结日期")
    ruling = forms.ChoiceField(
        label="裁判文书（行政诉讼）",
        choices=[("", "—"), *Ruling.choices],
        required=False,
        error_messages={"invalid_choice": "请从列表中选择判决或裁定。"},
    )
    served_on = date_field("文书送达日期", required=False, help_text="上诉期限从送达之日起算。")
    new_reply_due_on = date_field(
        "重新答复期限",
        required=False,
        help_text="决定书/判决书责令重新答复的，填写其规定的期限；申请将退回承办部门重新办理。",
    )
    file = FileField("决定书/判决书/裁定书")


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(
        label="文书类别",
        choices=DocumentKind.choices,
        error_messages={"required": "请选择文书类别。", "invalid_choice": "请从列表中选择。"},
    )
    file = FileField("文件", required=True)

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.fields["file"].error_messages["required"] = "请选择要上传的文件。"
