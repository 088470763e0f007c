"""Forms of the 依申请公开 pages: the case-list filter, 登记, and one form per workflow step.

Every step form carries the status the user saw (`seen_status`, hidden): the view
refuses the step when the case has moved on meanwhile. Dates of real-world events
(确认、收到补正、意见答复、送达 …) are entered by the user and checked here: a
real calendar day, not in the future, not before the 2008 条例 took effect and not
before the request arrived. The workflow then checks the order of the steps.
"""

import datetime as dt
import decimal
import secrets

from django import forms

from gongkai.agencies.models import Department
from gongkai.cases.models import (
    ApplicantType,
    BusinessType,
    Channel,
    DeliveryMethod,
    FormWanted,
    Outcome,
    Party,
    Proposal,
    Status,
)
from gongkai.cases.workflow import needs_reasons
from gongkai.reports import tables

TABS = {
    "all": "全部",
    "due_soon": "三个工作日内到期",
    "overdue": "已超期",
    "paused": "暂停计时",
}

# The 2008 条例 took effect on 1 May 2008: an earlier date is a typing mistake.
EARLIEST = dt.date(2008, 5, 1)
DATE_FORMAT_ERROR = "日期无效：请按“2024-03-01”的格式填写一个真实存在的日期。"
LAW = "《中华人民共和国政府信息公开条例》"

# A suggested 法律依据 per outcome (regulation.md §1.8; the clerk edits it). Empty where
# the 条例 names no article: the clerk writes the basis.
LEGAL_BASIS = {
    Outcome.GRANTED: f"{LAW}第三十六条第（二）项",
    Outcome.PARTIAL: f"{LAW}第三十七条",
    Outcome.DENIED_STATE_SECRET: f"{LAW}第十四条（依法确定为国家秘密的政府信息）",
    Outcome.DENIED_PROHIBITED_BY_LAW: f"{LAW}第十四条（法律、行政法规禁止公开的政府信息）",
    Outcome.DENIED_SECURITY_STABILITY: (
        f"{LAW}第十四条（公开后可能危及国家安全、公共安全、经济安全、社会稳定的政府信息）"
    ),
    Outcome.DENIED_THIRD_PARTY: f"{LAW}第十五条",
    Outcome.DENIED_INTERNAL_AFFAIRS: f"{LAW}第十六条第一款",
    Outcome.DENIED_PROCESS_INFO: f"{LAW}第十六条第二款（过程性信息）",
    Outcome.DENIED_ENFORCEMENT_FILE: f"{LAW}第十六条第二款（行政执法案卷信息）",
    Outcome.DENIED_QUERY_MATTER: f"{LAW}第三十六条第（七）项",
    Outcome.UNAVAILABLE_NOT_HELD: f"{LAW}第三十六条第（四）项",
    Outcome.UNAVAILABLE_NEEDS_CREATION: f"{LAW}第三十八条",
    Outcome.UNAVAILABLE_UNCLEAR: f"{LAW}第三十条",
    Outcome.NOT_PROCESSED_PETITION: f"{LAW}第三十九条第一款",
    Outcome.NOT_PROCESSED_DUPLICATE: f"{LAW}第三十六条第（六）项",
    Outcome.NOT_PROCESSED_PUBLICATION: f"{LAW}第三十九条第二款",
    Outcome.NOT_PROCESSED_MASS_REPEAT: f"{LAW}第三十五条",
    Outcome.NOT_PROCESSED_CONFIRM_OR_REISSUE: "",
    Outcome.OTHER_OTHER: "",
}
# Closed by their own steps (逾期未补正, 逾期未缴费), never drafted: workflow.draft_decision
# refuses them.
NOT_DRAFTABLE = {Outcome.OTHER_NO_CORRECTION, Outcome.OTHER_NO_FEE}


def _choices(enum):
    return [("", "全部"), *enum.choices]


def date_field(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": DATE_FORMAT_ERROR, "required": f"请填写{label}。"},
    )


def _text(label, *, required=True, max_length=2000, textarea=False, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}) if textarea else forms.TextInput(),
        error_messages={
            "required": f"请填写{label}。",
            "max_length": f"{label}最多 %(limit_value)d 个字（现有 %(show_value)d 个字），请精简。",
        },
    )


def _choice(label, choices, *, required=True):
    return forms.ChoiceField(
        label=label,
        required=required,
        choices=choices,
        error_messages={
            "required": f"请选择{label}。",
            "invalid_choice": f"“{label}”的值无效，请从列表中选择。",
        },
    )


def check_day(day, today, *, earliest=None, earliest_what="收到申请日期"):
    """A Chinese reason why `day` is impossible for an event that has happened, or None."""
    if day > today:
        return f"日期（{day}）晚于今天（{today}），不能登记尚未发生的事项，请检查。"
    if day < EARLIEST:
        return f"日期（{day}）早于《政府信息公开条例》施行日（2008-05-01），请检查年份。"
    if earliest is not None and day < earliest:
        return f"日期（{day}）不能早于{earliest_what}（{earliest}）。"
    return None


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
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "请按“2024-03-01”的格式填写日期。"},
    )
    received_to = forms.DateField(
        label="收到日期至",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
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


# ---- 登记 ------------------------------------------------------------------------------

CHANNEL_HELP = (
    "收到申请之日按条例第三十一条确定：当面提交以提交日期为准；挂号信/EMS 以签收日期为准；"
    "平常信函、网络、传真和其他渠道以与申请人确认之日为准。"
    "平常信函、网络、传真或其他渠道的申请如果还没有与申请人确认，确认日期留空："
    "申请登记为“待确认”，不计算答复期限，确认后再从申请页面登记确认日期。"
)


REGISTER_FIELDS = (
    "applicant_type",
    "applicant_name",
    "applicant_id_document",
    "applicant_contact",
    "applicant_address",
    "channel",
    "submitted_on",
    "arrived_on",
    "confirmed_on",
    "content",
    "form_wanted",
    "business_type",
)


class RegisterForm(forms.Form):
    """登记 a request received through any channel (Arts. 29–31)."""

    agency = forms.ChoiceField(label="登记机关", required=False)
    applicant_type = _choice("申请人类型", ApplicantType.choices)
    applicant_name = _text("申请人姓名或名称", max_length=200)
    applicant_id_document = _text(
        "身份证明",
        required=False,
        max_length=100,
        help_text="身份证件号码，或组织的统一社会信用代码",
    )
    applicant_contact = _text(
        "联系方式",
        required=False,
        max_length=200,
        help_text="电话或电子邮箱；平常信函、网络、传真的申请需要据此与申请人确认",
    )
    applicant_address = _text("通信地址", required=False, max_length=300)
    channel = _choice("申请渠道", Channel.choices)
    submitted_on = date_field("提交日期", help_text="申请人提交（寄出、发送）申请的日期")
    arrived_on = date_field(
        "到达/签收日期", required=False, help_text="挂号信/EMS 必填：本机关签收之日"
    )
    confirmed_on = date_field(
        "确认日期",
        required=False,
        help_text="平常信函、网络、传真、其他：与申请人确认之日；尚未确认请留空",
    )
    content = _text(
        "申请内容",
        max_length=10000,
        textarea=True,
        help_text="所需政府信息的名称、文号或便于查询的其他特征性描述（条例第二十九条）",
    )
    form_wanted = _choice("获取方式", FormWanted.choices)
    business_type = _choice("业务类别", [])
    form_token = forms.CharField(widget=forms.HiddenInput, required=False)
    duplicates_checked = forms.BooleanField(
        label="我已核对上述相似申请，仍要登记为新申请", required=False
    )

    def __init__(self, *args, agencies, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.agencies = {str(a.pk): a for a in agencies}
        self.fields["agency"].choices = [(str(a.pk), a.name) for a in agencies]
        self.fields["agency"].error_messages["invalid_choice"] = (
            "所选机关不是您可以登记申请的机关，请重新选择。"
        )
        self.fields["business_type"].choices = [("", "请选择"), *BusinessType.choices()]
        for name in ("applicant_type", "channel", "form_wanted"):
            self.fields[name].choices = [("", "请选择"), *self.fields[name].choices]
        self.fields["channel"].help_text = CHANNEL_HELP
        if not self.is_bound:
            self.fields["form_token"].initial = secrets.token_urlsafe(16)
            self.fields["submitted_on"].initial = today

    def clean_agency(self):
        value = self.cleaned_data.get("agency")
        if len(self.agencies) == 1:
            return next(iter(self.agencies.values()))
        if not value:
            raise forms.ValidationError("请选择登记机关。")
        return self.agencies[value]

    def clean(self):
        data = super().clean()
        submitted = data.get("submitted_on")
        for name in ("submitted_on", "arrived_on", "confirmed_on"):
            day = data.get(name)
            if day is None:
                continue
            earliest = None if name == "submitted_on" else submitted
            problem = check_day(day, self.today, earliest=earliest, earliest_what="提交日期")
            if problem:
                self.add_error(name, problem)
        channel = data.get("channel")
        arrived, confirmed = data.get("arrived_on"), data.get("confirmed_on")
        if channel == Channel.REGISTERED_MAIL and arrived is None and "arrived_on" in data:
            self.add_error(
                "arrived_on",
                "挂号信/EMS 以本机关签收之日为收到申请之日（条例第三十一条），请填写签收日期。",
            )
        if channel == Channel.IN_PERSON and submitted:
            if any(d is not None and d != submitted for d in (arrived, confirmed)):
                self.add_error(
                    "confirmed_on" if confirmed else "arrived_on",
                    "当面提交的申请以提交之日为收到申请之日，到达日期和确认日期请留空。",
                )
        if arrived and confirmed and confirmed < arrived and "confirmed_on" in data:
            self.add_error(
                "confirmed_on", f"确认日期（{confirmed}）不能早于到达/签收日期（{arrived}）。"
            )
        return data

    def workflow_fields(self):
        """The keyword arguments of workflow.register."""
        data = self.cleaned_data
        fields = {name: data[name] for name in REGISTER_FIELDS}
        if data["channel"] == Channel.IN_PERSON:  # the submission date is the receipt date
            fields.update(arrived_on=None, confirmed_on=None)
        return fields


# ---- workflow steps ------------------------------------------------------------------


class StepForm(forms.Form):
    """A workflow step from the case page.

    date_fields: names of dates of events that have happened (checked against today
    and the receipt date). `submit` is the button text.
    """

    seen_status = forms.CharField(
        widget=forms.HiddenInput,
        error_messages={"required": "页面已过期（缺少办理状态），请刷新页面后重试。"},
    )
    date_fields = ()
    submit = "提交"
    # A choice made by the button pressed (name=button_field, one button per value).
    button_field = None
    buttons = ()

    def __init__(self, *args, case, today, action="", **kwargs):
        kwargs.setdefault("auto_id", f"id_{action or 'step'}_%s")
        super().__init__(*args, **kwargs)
        self.case, self.today, self.action = case, today, action
        self.fields["seen_status"].initial = case.status
        for name in self.date_fields:
            self.fields[name].initial = today

    def clean(self):
        data = super().clean()
        earliest = self.case.received_on or self.case.submitted_on
        what = "收到申请日期" if self.case.received_on else "提交日期"
        for name in self.date_fields:
            day = data.get(name)
            if day is not None:
                problem = check_day(day, self.today, earliest=earliest, earliest_what=what)
                if problem:
                    self.add_error(name, problem)
        return data


class PlainStepForm(StepForm):
    """A step with nothing to enter (归档, 逾期未补正 …): dated today."""


class DatedStepForm(StepForm):
    on = date_field("日期")
    date_fields = ("on",)

    def __init__(self, *args, date_label="日期", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].label = date_label
        self.fields["on"].error_messages["required"] = f"请填写{date_label}。"


class ConfirmForm(StepForm):
    on = date_field(
        "确认日期", help_text="与申请人确认收到申请之日，即收到申请之日（条例第三十一条）"
    )
    date_fields = ("on",)
    submit = "确认收到申请"


class CorrectionRequestForm(StepForm):
    on = date_field("补正告知日期", help_text="应在收到申请之日起7个工作日内一次性告知")
    items = _text("需要补正的事项", textarea=True, help_text="一次性写明全部需要补正的事项")
    correction_due_on = date_field("补正期限", help_text="申请人应在此日期前提交补正")
    date_fields = ("on",)
    submit = "告知补正"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["correction_due_on"].initial = _workdays_after(self.today, 15)

    def clean(self):
        data = super().clean()
        on, due = data.get("on"), data.get("correction_due_on")
        if on and due and due <= on:
            self.add_error("correction_due_on", f"补正期限（{due}）应晚于告知日期（{on}）。")
        if due and due > self.today + dt.timedelta(days=366):
            self.add_error("correction_due_on", f"补正期限（{due}）超过一年，请检查年份。")
        return data


def _workdays_after(day, n):
    from gongkai.workdays import loading

    try:
        return loading.get_calendar().provisional(day.year + 1).nth_workday_after(day, n)
    except LookupError:
        return None


class RecordCorrectionForm(StepForm):
    on = date_field("收到补正日期", help_text="答复期限自收到补正之日起重新计算（条例第三十条）")
    date_fields = ("on",)
    submit = "登记收到补正"


class AssignForm(StepForm):
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
    submit = "分办"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(agency=self.case.agency)
        self.fields["department"].label_from_instance = lambda department: department.name


class ConsultForm(StepForm):
    party = _choice("征求对象类型", Party.choices)
    addressee = _text("征求对象", max_length=200, help_text="第三方或其他机关的名称")
    on = date_field("征求意见发出日期", help_text="征求意见期间不计入答复期限（条例第三十三条）")
    date_fields = ("on",)
    submit = "发出征求意见"


class ConsultationAnswerForm(StepForm):
    consultation = forms.IntegerField(widget=forms.HiddenInput)
    on = date_field("意见答复日期", help_text="收到第三方或其他机关意见之日")
    answer = _text("意见", required=False, max_length=5000, textarea=True)
    date_fields = ("on",)
    submit = "登记收到意见"

    def clean_consultation(self):
        pk = self.cleaned_data["consultation"]
        row = self.case.consultations.filter(pk=pk).first()
        if row is None:
            raise forms.ValidationError("该征求意见不属于本申请，请刷新页面后重试。")
        return row

    def clean(self):
        data = super().clean()
        row, on = data.get("consultation"), data.get("on")
        if row is not None and on is not None and on < row.sent_on:
            self.add_error("on", f"意见答复日期（{on}）不能早于征求意见发出日期（{row.sent_on}）。")
        return data


def outcome_choices():
    """The draftable outcomes grouped as table 三 prints them (2021 format)."""
    out, groups = [("", "请选择")], {}
    for value, _label in Outcome.choices:
        if value in NOT_DRAFTABLE:
            continue
        row = tables.TEMPLATE_2021.request_row(value)
        if len(row.groups) < 2:
            out.append((value, row.label))
        else:
            group = groups.get(row.groups[1])
            if group is None:
                group = groups[row.groups[1]] = []
                out.append((row.groups[1], group))
            group.append((value, row.label))
    return out


class DraftForm(StepForm):
    outcome = _choice("办理结果", [])
    legal_basis = _text(
        "法律依据", textarea=True, help_text="已按所选结果填入建议条文，请核对并补充具体理由"
    )
    reasons = _text(
        "事实和理由",
        required=False,
        max_length=5000,
        textarea=True,
        help_text="本案的事实和不予提供（或部分不予提供）的具体理由，答复书将原文写明；"
        "除“予以公开”外必须填写（条例第三十六条）。",
    )
    submit = "提交拟办意见"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = outcome_choices()
        self.fields[
            "outcome"
        ].help_text = (
            "按年度报告表三选择一项；部分公开只计“部分公开”。不予公开的答复须经分管领导审批。"
        )
        if not self.is_bound:
            outcome = self.initial.get("outcome", Outcome.GRANTED)
            self.fields["outcome"].initial = outcome
            self.fields["legal_basis"].initial = self.initial.get(
                "legal_basis", LEGAL_BASIS.get(outcome, "")
            )

    def clean(self):
        data = super().clean()
        outcome, basis = data.get("outcome"), (data.get("legal_basis") or "").strip()
        if outcome and basis:
            others = {o for o, text in LEGAL_BASIS.items() if text == basis and o != outcome}
            if others and LEGAL_BASIS.get(outcome) != basis:
                label = Outcome(next(iter(others))).label
                self.add_error(
                    "legal_basis",
                    f"法律依据仍是“{label}”的建议条文，与所选办理结果不符，请改正。",
                )
        if outcome and needs_reasons(outcome) and not (data.get("reasons") or "").strip():
            self.add_error(
                "reasons",
                f"“{Outcome(outcome).label}”须说明理由（条例第三十六条）：请填写事实和理由。",
            )
        return data


class ReviewForm(StepForm):
    decision = forms.ChoiceField(
        choices=[("pass", "审查通过"), ("return", "退回承办部门")],
        widget=forms.HiddenInput,
        error_messages={
            "required": "请选择“审查通过”或“退回承办部门”。",
            "invalid_choice": "请选择“审查通过”或“退回承办部门”。",
        },
    )
    comments = _text(
        "审查意见",
        required=False,
        max_length=5000,
        textarea=True,
        help_text="通过时可不填（记为“同意”）；退回时必须写明需要修改的地方。",
    )
    button_field = "decision"
    buttons = [("pass", "审查通过"), ("return", "退回承办部门")]

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("comments") or "").strip():
            self.add_error("comments", "退回承办部门时请填写退回意见，说明需要修改的地方。")
        return data


class ApproveForm(StepForm):
    comments = _text(
        "审批意见",
        required=False,
        max_length=5000,
        textarea=True,
        help_text="可不填（记为“同意”）。",
    )
    submit = "批准"


class EndorseForm(StepForm):
    comments = _text(
        "审核意见",
        required=False,
        max_length=5000,
        textarea=True,
        help_text="可不填（记为“同意，报分管领导审批”）。",
    )
    submit = "审核同意，报分管领导"


class ReturnForm(StepForm):
    comments = _text("退回意见", max_length=5000, textarea=True)
    submit = "退回修改"


class ExtensionForm(StepForm):
    reason = _text("延期理由", textarea=True, max_length=2000)
    notified_on = date_field(
        "延期告知日期",
        required=False,
        help_text="告知申请人延期之日；尚未告知可留空",
    )
    date_fields = ("notified_on",)
    submit = "批准延期"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notified_on"].initial = None
        if self.case.proposal == Proposal.EXTENSION:  # the department's reason, to approve
            self.fields["reason"].initial = self.case.proposal_reason


class FeeNoticeForm(StepForm):
    on = date_field("收费通知日期")
    amount = forms.DecimalField(
        label="收费金额（元）",
        max_digits=10,
        decimal_places=2,
        min_value=decimal.Decimal("0.01"),
        max_value=decimal.Decimal("99999999.99"),
        error_messages={
            "required": "请填写收费金额。",
            "invalid": "收费金额应为数字，例如 100 或 100.50（单位：元）。",
            "min_value": "收费金额应大于0元。",
            "max_value": "收费金额应小于1亿元。",
            "max_digits": "收费金额应小于1亿元，最多两位小数。",
            "max_decimal_places": "收费金额最多保留两位小数（分）。",
            "max_whole_digits": "收费金额应小于1亿元。",
        },
    )
    basis = _text(
        "收费依据",
        textarea=True,
        help_text="依据、标准和数额（国办函〔2020〕109号：按件或按量计收）",
    )
    date_fields = ("on",)
    submit = "发出收费通知"


class RecordFeeForm(StepForm):
    on = date_field("缴费日期")
    date_fields = ("on",)
    submit = "登记收到缴费"


class ReplyForm(StepForm):
    on = date_field("答复日期", help_text="作出答复之日，即年度报告中的办结日期")
    date_fields = ("on",)
    submit = "答复"


class DeliverForm(StepForm):
    method = _choice("送达方式", [("", "请选择"), *DeliveryMethod.choices])
    on = date_field(
        "送达日期",
        help_text="直接或委托送达为签收之日，邮寄送达为交邮之日，电子送达为发送之日",
    )
    ems = _text(
        "EMS 邮件号",
        required=False,
        max_length=40,
        help_text="邮寄送达必填：详情单上的邮件号，例如 EA123456789CN",
    )
    email = _text(
        "电子邮箱",
        required=False,
        max_length=254,
        help_text="电子送达：答复书 PDF 同时发往此邮箱（申请人留有邮箱时已自动填入）；"
        "答复书和附件总会发布在申请人的“办理进度查询”页面",
    )
    date_fields = ("on",)
    submit = "登记送达"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].initial = self.case.applicant_email

    def clean(self):
        data = super().clean()
        if data.get("method") == DeliveryMethod.MAIL and not data.get("ems", "").strip():
            self.add_error("ems", "邮寄送达请填写 EMS 邮件号（交邮时的详情单号）。")
        return data


class SignatureForm(StepForm):
    signed_on = date_field("签收日期", help_text="EMS 回执或查询结果上申请人签收之日")
    submit = "登记签收"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signed_on"].initial = None

    def clean(self):
        data = super().clean()
        day = data.get("signed_on")
        if day is not None:
            problem = check_day(
                day, self.today, earliest=self.case.delivered_on, earliest_what="交邮日期"
            )
            if problem:
                self.add_error("signed_on", problem)
        return data


class ProposeCorrectionForm(StepForm):
    items = _text(
        "需要补正的事项", textarea=True, help_text="一次性写明全部需要补正的事项（条例第三十条）"
    )
    reason = _text(
        "请示理由", textarea=True, help_text="为什么申请内容不明确，报工作机构负责人审批"
    )
    submit = "报请告知补正"


class ProposeExtensionForm(StepForm):
    reason = _text(
        "延期理由", textarea=True, help_text="报工作机构负责人审批（条例第三十三条第二款）"
    )
    submit = "报请延期答复"


class ApproveCorrectionForm(CorrectionRequestForm):
    comments = _text("审批意见", required=False, max_length=2000, textarea=True)
    submit = "同意，告知补正"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].initial = self.case.proposal_items
        self.fields["items"].help_text = "承办部门拟定的事项，可修改；一次性写明全部事项"


class DeclineForm(StepForm):
    comments = _text("不同意的理由", max_length=2000, textarea=True)
    submit = "不同意，退回承办部门"


class HandBackForm(StepForm):
    reason = _text(
        "退回理由",
        max_length=2000,
        textarea=True,
        help_text="例如：不属于本部门职责，建议由某部门承办",
    )
    submit = "退回政务公开办改派"


class WithdrawForm(StepForm):
    on = date_field("撤回日期")
    reason = _text("撤回说明", required=False, max_length=2000, textarea=True)
    date_fields = ("on",)
    submit = "登记撤回申请"


# ---- 年报表三、表四 ---------------------------------------------------------------------


class ReportForm(forms.Form):
    year = forms.IntegerField(
        label="年度",
        min_value=2019,
        max_value=9999,
        error_messages={
            "required": "请填写年度。",
            "invalid": "年度应为四位数字，例如 2024。",
            "min_value": "2019年以前适用2008年条例，年度报告没有统一的表三、表四。",
            "max_value": "年度应为四位数字，例如 2024。",
        },
    )
    agency = forms.ChoiceField(label="机关", required=False)

    def __init__(self, *args, agencies, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.agencies = {a.code: a for a in agencies}
        self.fields["agency"].choices = [(a.code, a.name) for a in agencies]
        self.fields["agency"].error_messages["invalid_choice"] = (
            "所选机关不存在或您无权查看它的年报数据，请重新选择。"
        )

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > self.today.year:
            raise forms.ValidationError(
                f"{year}年尚未开始，请选择 {self.today.year} 年或以前的年度。"
            )
        return year

    def clean_agency(self):
        code = self.cleaned_data.get("agency")
        if not code:
            return next(iter(self.agencies.values()))
        return self.agencies[code]
