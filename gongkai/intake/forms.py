"""The online application form (条例第二十九条) and the 查询 form.

Article 29 says what an application contains: (一) the applicant's name, identity
document and contact details; (二) a description of the information wanted, by
name, document number or other features that help find it; (三) the form in
which it is wanted, including how to obtain it. The form asks for exactly these,
in that order, and says in plain Chinese what is missing or wrong next to each
field. Format checks are in checks.py.

Identity proof upload: optional for a natural person, whose 证件号码 is required
and checked when the office confirms the request with the applicant (Art. 31);
asking everyone for a scan of their ID card would keep data we do not need and
stop people without a scanner. Required for a 法人或其他组织: only a document
(营业执照、登记证书) shows that the organisation exists and who acts for it.
"""

from django import forms
from django.conf import settings

from gongkai.attachments.uploads import UploadRejected, accepted_text, validate_upload
from gongkai.cases.models import ApplicantType, BusinessType, FormWanted
from gongkai.intake import challenge, checks

UPLOAD_TYPES = frozenset({"pdf", "jpg", "jpeg", "png"})
ORG_TYPES = [c for c in ApplicantType.values if c != ApplicantType.NATURAL_PERSON]

APPLICANT_TYPE_LABELS = {
    ApplicantType.NATURAL_PERSON: "自然人（以个人名义申请）",
    ApplicantType.COMMERCIAL: "法人或其他组织：商业企业",
    ApplicantType.RESEARCH: "法人或其他组织：科研机构",
    ApplicantType.SOCIAL_WELFARE: "法人或其他组织：社会公益组织",
    ApplicantType.LEGAL_SERVICE: "法人或其他组织：法律服务机构（如律师事务所）",
    ApplicantType.OTHER_ORG: "法人或其他组织：其他组织",
}
FORM_WANTED_LABELS = {
    FormWanted.PAPER: "纸质（打印件、复印件）",
    FormWanted.ELECTRONIC: "电子（电子文件，可在本网站“查询”页面下载）",
    FormWanted.MAIL: "邮寄（寄到您填写的通信地址）",
    FormWanted.PICKUP: "自行领取（到本机关领取）",
}


# Short names for the error summary (the full labels are questions or sentences).
SUMMARY_LABELS = {
    "applicant_type": "申请人类型",
    "content": "所需信息",
    "form_wanted": "获取方式",
    "business_type": "业务类别",
    "declaration": "承诺",
    "challenge_answer": "验证题",
}


def upload_max_bytes():
    return int(getattr(settings, "INTAKE_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def _required(what):
    return {"required": f"请填写{what}。", "max_length": f"{what}最多 %(limit_value)d 个字。"}


class ApplicationForm(forms.Form):
    applicant_type = forms.ChoiceField(
        label="您以什么身份申请？",
        choices=[(k, APPLICANT_TYPE_LABELS[k]) for k in ApplicantType.values],
        widget=forms.RadioSelect,
        help_text="以单位名义申请的，请选择单位的类别。",
        error_messages={
            "required": "请选择申请人类型：自然人，或法人或其他组织的类别。",
            "invalid_choice": "请从列出的申请人类型中选择一项。",
        },
    )
    # 自然人
    person_name = forms.CharField(
        label="姓名", max_length=50, required=False, error_messages=_required("姓名")
    )
    id_type = forms.ChoiceField(
        label="身份证件类型",
        choices=[("", "请选择")] + [(t, t) for t in checks.ID_DOCUMENT_TYPES],
        required=False,
        error_messages={"invalid_choice": "请从列表中选择身份证件类型。"},
    )
    id_number = forms.CharField(
        label="证件号码",
        max_length=40,
        required=False,
        help_text="居民身份证请填写18位号码，最后一位可以是X。",
        error_messages=_required("证件号码"),
    )
    # 法人或其他组织
    org_name = forms.CharField(
        label="单位名称", max_length=100, required=False, error_messages=_required("单位名称")
    )
    org_code = forms.CharField(
        label="统一社会信用代码",
        max_length=30,
        required=False,
        help_text="营业执照或登记证书上的18位代码；没有的，请填写登记证号。",
        error_messages=_required("统一社会信用代码"),
    )
    org_representative = forms.CharField(
        label="法定代表人或负责人（选填）",
        max_length=30,
        required=False,
        error_messages=_required("法定代表人或负责人"),
    )
    org_agent = forms.CharField(
        label="联系人姓名",
        max_length=30,
        required=False,
        help_text="负责这件申请、我们可以联系的人。",
        error_messages=_required("联系人姓名"),
    )
    # 联系方式
    phone = forms.CharField(
        label="联系电话",
        max_length=30,
        required=False,
        help_text="手机或固定电话（请加区号）。我们会通过电话与您确认申请。",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        error_messages=_required("联系电话"),
    )
    email = forms.EmailField(
        label="电子邮箱",
        max_length=60,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "invalid": "电子邮箱格式不对，应类似 name@example.com，请检查。",
            "max_length": "电子邮箱最多 %(limit_value)d 个字符。",
        },
    )
    address = forms.CharField(
        label="通信地址",
        max_length=200,
        required=False,
        help_text="选择“邮寄”时必填，请写明省、市、区县、街道门牌和邮政编码。",
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
        error_messages=_required("通信地址"),
    )
    # 所需信息
    content = forms.CharField(
        label="您需要哪些政府信息？",
        max_length=5000,
        help_text=(
            "请写明信息的名称、文号或者便于查询的其他特征性描述，例如文件标题、发文时间、"
            "涉及的事项或地点。描述越具体，我们越快找到。"
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "请描述您需要的政府信息：名称、文号或者便于查询的其他特征性描述。",
            "max_length": "申请内容最多 %(limit_value)d 个字；内容较多的，请分成几件申请。",
        },
    )
    form_wanted = forms.ChoiceField(
        label="您希望以什么方式获取信息？",
        choices=[(k, FORM_WANTED_LABELS[k]) for k in FormWanted.values],
        widget=forms.RadioSelect,
        error_messages={
            "required": "请选择获取信息的方式。",
            "invalid_choice": "请从列出的获取方式中选择一项。",
        },
    )
    business_type = forms.ChoiceField(
        label="信息涉及的业务",
        help_text="不确定的，请选择“其他”，我们会帮您确定。",
        error_messages={
            "required": "请选择信息涉及的业务；不确定的，请选择“其他”。",
            "invalid_choice": "请从列表中选择业务类别；不确定的，请选择“其他”。",
        },
    )
    identity_file = forms.FileField(
        label="身份证明材料",
        required=False,
        help_text="",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
        error_messages={
            "invalid": "没有收到文件，请重新选择后上传。",
            "empty": "上传的文件是空的（0 字节），请检查后重新上传。",
        },
    )
    declaration = forms.BooleanField(
        label="我承诺以上填写的内容真实，并同意受理机关为办理本申请使用这些信息。",
        error_messages={"required": "请阅读并勾选承诺，才能提交申请。"},
    )
    challenge_token = forms.CharField(widget=forms.HiddenInput, required=False)
    challenge_answer = forms.CharField(
        label="验证题",
        max_length=10,
        help_text="用于防止自动程序大量提交。请用数字填写答案。",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": "请回答验证题，用数字填写答案。"},
    )
    # Honeypot: hidden from people by CSS; scripts that fill every field fill it.
    website = forms.CharField(
        label="请勿填写此项",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, challenge=None, challenge_payload=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.challenge_payload = challenge_payload
        # A callable: read from the database only when rendered or validated (the
        # blank form's fields come from the template cache on most GETs).
        self._business_types = None
        self.fields["business_type"].choices = self._business_type_choices
        self.fields["identity_file"].help_text = (
            f"营业执照、登记证书或身份证件的扫描件或照片，不超过 "
            f"{upload_max_bytes() // (1024 * 1024)} MB。"
            + accepted_text(UPLOAD_TYPES)
            + "法人或其他组织必须上传；自然人可以不上传，我们与您确认申请时会核对证件。"
        )
        self.honeypot_filled = False
        self.upload_info = None

    def _business_type_choices(self):
        if self._business_types is None:
            self._business_types = [("", "请选择")] + BusinessType.choices()
        return self._business_types

    @property
    def is_person(self):
        return self.cleaned_data.get("applicant_type") == ApplicantType.NATURAL_PERSON

    def clean_website(self):
        value = self.cleaned_data.get("website", "")
        self.honeypot_filled = bool(value.strip())
        return value

    def clean_phone(self):
        try:
            return checks.phone(self.cleaned_data.get("phone"))
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_challenge_answer(self):
        return checks.parse_answer(self.cleaned_data.get("challenge_answer"))

    def clean_identity_file(self):
        upload = self.cleaned_data.get("identity_file")
        if not upload:
            return None
        try:
            self.upload_info = validate_upload(
                upload, allowed=UPLOAD_TYPES, max_bytes=upload_max_bytes()
            )
        except UploadRejected as error:
            raise forms.ValidationError(str(error)) from None
        return upload

    def clean(self):
        data = super().clean()
        kind = data.get("applicant_type")
        if kind == ApplicantType.NATURAL_PERSON:
            self._clean_person(data)
        elif kind:
            self._clean_org(data)
        if not data.get("phone") and not data.get("email") and "phone" not in self.errors:
            self.add_error(
                "phone",
                "请至少填写联系电话或电子邮箱中的一项，以便我们与您确认申请（条例第三十一条）。",
            )
        if data.get("form_wanted") == FormWanted.MAIL and not data.get("address"):
            if "address" not in self.errors:
                self.add_error(
                    "address", "您选择了“邮寄”，请填写通信地址，写明收件地址和邮政编码。"
                )
        self._check_challenge(data)
        return data

    def _clean_person(self, data):
        if not data.get("person_name") and "person_name" not in self.errors:
            self.add_error("person_name", "请填写您的姓名（与身份证件一致）。")
        id_type = data.get("id_type")
        if not id_type and "id_type" not in self.errors:
            self.add_error("id_type", "请选择身份证件类型。")
        number = data.get("id_number", "")
        if "id_number" in self.errors:
            return
        if not number:
            self.add_error("id_number", "请填写证件号码（条例第二十九条：申请人的身份证明）。")
            return
        try:
            if id_type == checks.RESIDENT_ID:
                data["id_number"] = checks.resident_id(number)
            else:
                data["id_number"] = checks.other_document(number)
        except ValueError as error:
            self.add_error("id_number", str(error))

    def _clean_org(self, data):
        if not data.get("org_name") and "org_name" not in self.errors:
            self.add_error("org_name", "请填写单位名称（与营业执照或登记证书一致）。")
        if "org_code" not in self.errors:
            try:
                data["org_code"] = checks.org_code(data.get("org_code"))
            except ValueError as error:
                self.add_error("org_code", str(error))
        if not data.get("org_agent") and "org_agent" not in self.errors:
            self.add_error("org_agent", "请填写联系人姓名，我们将与其确认申请。")
        if not data.get("identity_file") and "identity_file" not in self.errors:
            self.add_error(
                "identity_file",
                "法人或其他组织请上传营业执照、登记证书等身份证明材料（PDF 或图片）。",
            )

    def _check_challenge(self, data):
        if self.challenge_payload is None or "challenge_answer" in self.errors:
            return
        try:
            challenge.verify(self.challenge_payload, data.get("challenge_answer"))
        except challenge.ChallengeFailed as error:
            self.add_error(error.field, str(error))

    def business_type_label(self):
        code = self.cleaned_data.get("business_type")
        return dict(self._business_type_choices()).get(code, code)

    def case_fields(self):
        """The keyword arguments of cases.workflow.submit_online (without dates)."""
        data = self.cleaned_data
        parts = []
        if self.is_person:
            name = data["person_name"]
            document = f"{data['id_type']}：{data['id_number']}"
        else:
            name = data["org_name"]
            document = f"统一社会信用代码：{data['org_code']}"
            if data.get("org_representative"):
                parts.append(f"法定代表人或负责人：{data['org_representative']}")
            parts.append(f"联系人：{data['org_agent']}")
        if data.get("phone"):
            parts.append(f"电话：{data['phone']}")
        if data.get("email"):
            parts.append(f"电子邮箱：{data['email']}")
        return {
            "applicant_type": data["applicant_type"],
            "applicant_name": name,
            "applicant_id_document": document,
            "applicant_contact": "；".join(parts),
            "applicant_address": data.get("address", ""),
            "content": data["content"],
            "form_wanted": data["form_wanted"],
            "business_type": data["business_type"],
        }

    def error_list(self):
        """[(field id, label, message)] in the order of the form, for the error summary."""
        out = []
        for name in self.fields:
            for message in self.errors.get(name, []):
                bound = self[name]
                anchor = bound.auto_id
                if isinstance(bound.field.widget, forms.RadioSelect):
                    anchor = f"{bound.auto_id}_0"
                out.append((anchor, SUMMARY_LABELS.get(name, bound.label), message))
        for message in self.non_field_errors():
            out.append(("", "", message))
        return out


class TrackForm(forms.Form):
    tracking_number = forms.CharField(
        label="受理编号",
        max_length=40,
        help_text="回执上的受理编号，例如 SFGAJ-2026-00042。",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": "请填写受理编号。", "max_length": "受理编号最多 40 个字符。"},
    )
    query_code = forms.CharField(
        label="查询码",
        max_length=40,
        help_text="回执上的10位查询码，不区分大小写。",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": "请填写查询码。", "max_length": "查询码最多 40 个字符。"},
    )

    def clean_tracking_number(self):
        return checks.normalise(self.cleaned_data["tracking_number"]).replace(" ", "")

    def clean_query_code(self):
        return checks.normalise(self.cleaned_data["query_code"]).replace(" ", "").upper()

    def error_list(self):
        out = [
            (self[name].auto_id, self[name].label, message)
            for name in self.fields
            for message in self.errors.get(name, [])
        ]
        return out + [("", "", message) for message in self.non_field_errors()]
