"""Which letters a case has, their text, generating them, and editing templates.

`generate` is the one step that hands a letter out: atomic, numbered (the same
letter for the same case keeps its 文号) and recorded as LetterIssued with the
SHA-256 of the bytes and the template version used. `save_template` appends a
new version of an agency's template after checking its placeholders. Who may do
what: anyone who may act on the case (Membership.objects.acting_on) may generate
its letters; the office (政务公开办) and the system administrator edit templates
and the letterhead.
"""

import hashlib
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.urls import reverse

from gongkai.agencies.models import Agency, Membership, Role
from gongkai.cases import workflow
from gongkai.cases.models import (
    ApplicantType,
    Case,
    CaseEvent,
    Consultation,
    EventKind,
    Outcome,
    Status,
    hash_query_code,
)
from gongkai.letters import pdf
from gongkai.letters.defaults import DEFAULTS, PLACEHOLDERS, REMEDY_NAMED
from gongkai.letters.models import (
    LetterEvent,
    Letterhead,
    LetterIssued,
    LetterTemplate,
    LetterText,
)
from gongkai.letters.models import LetterEventKind as LK
from gongkai.letters.render import Letter, build_docx, build_html
from gongkai.letters.text import (
    TemplateError,
    check,
    chinese_date,
    fill,
    money,
    placeholders,
    tidy,
)

EDIT_ROLES = {Role.OFFICE, Role.ADMIN}
# A reply letter is final only once the decision is approved; before that it is a draft.
FINAL_STATUSES = {Status.APPROVED, Status.REPLIED, Status.DELIVERED, Status.CLOSED, Status.ARCHIVED}
# The printable page: a line on screen saying how to print it, hidden on paper.
PRINT_HEAD = (
    "<style>@media screen{body{max-width:160mm;margin:2em auto;}}"
    "@media print{.screen-only{display:none}}</style>"
)
DRAFT_NOTE = "（草稿：办理结果尚未审批，不得送达申请人）"
FORMATS = {"docx", "pdf", "html"}  # html: the printable page


class LetterError(Exception):
    """A letter step that may not be taken; the message (Chinese) says why."""


@dataclass(frozen=True)
class TemplateText:
    title: str
    body: str
    version: int  # 0: the shipped default


@dataclass
class Available:
    key: str
    label: str
    consultation: Consultation | None = None
    missing: list = field(default_factory=list)  # placeholders with no recorded value
    draft: bool = False  # a reply before 审批: printed with DRAFT_NOTE


def label_of(key):
    return DEFAULTS[key]["label"]


# ---- letterhead and templates ---------------------------------------------------------


def default_letterhead(agency):
    return Letterhead(
        agency=agency,
        full_name=agency.name,
        number_prefix=agency.name + "公开〔{year}〕",
        signature=agency.name,
    )


def letterhead_for(agency):
    """The agency's letterhead, or an unsaved default built from its name."""
    try:
        return Letterhead.objects.get(agency=agency)
    except Letterhead.DoesNotExist:
        return default_letterhead(agency)


def _locked_letterhead(agency):
    """The letterhead row, created from the default if needed, locked for numbering."""
    default = default_letterhead(agency)
    Letterhead.objects.get_or_create(
        agency=agency,
        defaults={
            "full_name": default.full_name,
            "number_prefix": default.number_prefix,
            "signature": default.signature,
        },
    )
    return Letterhead.objects.select_for_update().get(agency=agency)


def current_template(agency, key):
    """The wording in use for `key`: the agency's latest version, else the shipped default."""
    row = LetterTemplate.objects.filter(agency=agency, kind=key).order_by("-version").first()
    if row is not None:
        return TemplateText(row.title, row.body, row.version)
    return TemplateText(DEFAULTS[key]["title"], DEFAULTS[key]["body"], 0)


def remedy(letterhead):
    """The 行政复议/行政诉讼 notice naming the letterhead's bodies (Art. 51); a reply is
    never issued without them (remedy_missing)."""
    return REMEDY_NAMED.replace("{复议机关}", letterhead.reconsideration_body).replace(
        "{管辖法院}", letterhead.court
    )


def remedy_missing(letterhead):
    """Why no reply may be issued with this letterhead (Chinese), or None when it may.

    A reply letter tells the applicant where to seek 行政复议 and which court hears
    the suit (Art. 51); the agency sets both once on its letterhead.
    """
    empty = [
        label
        for label, value in (
            ("行政复议机关", letterhead.reconsideration_body),
            ("管辖人民法院", letterhead.court),
        )
        if not (value or "").strip()
    ]
    if not empty:
        return None
    where = reverse("letters:letterhead", kwargs={"code": letterhead.agency.code})
    return (
        f"本机关的文书抬头尚未填写{'和'.join(empty)}，答复书无法告知申请人救济途径，"
        f"不能生成或发出答复书。请政务公开办在“文书设置 → 修改文书抬头”（{where}）中填写。"
    )


def template_errors(title, body):
    """Every problem with an edited title and body (Chinese; empty: usable)."""
    errors = []
    if not title.strip():
        errors.append("请填写标题。")
    if not body.strip():
        errors.append("请填写正文。")
    errors += [f"标题：{e}" for e in check(title, PLACEHOLDERS)]
    errors += [f"正文：{e}" for e in check(body, PLACEHOLDERS)]
    return errors


def may_edit(user, agency):
    return Membership.objects.filter(user=user, agency=agency, role__in=EDIT_ROLES).exists()


def editable_agencies(user):
    return Agency.objects.filter(
        memberships__user=user, memberships__role__in=EDIT_ROLES
    ).distinct()


@transaction.atomic
def save_template(agency, key, *, by, title, body, note=""):
    """Append the next version of `agency`'s template for `key`; returns the row.

    Raises TemplateError (every placeholder problem) or LetterError.
    """
    if key not in DEFAULTS:
        raise LetterError("没有这种文书。")
    if not may_edit(by, agency):
        raise LetterError("只有本机关的政务公开办或系统管理员可以修改文书模板。")
    title, body = title.strip(), body.strip().replace("\r\n", "\n")
    errors = template_errors(title, body)
    if errors:
        raise TemplateError(errors)
    _locked_letterhead(agency)  # serialises version numbers per agency
    current = current_template(agency, key)
    if (current.title, current.body) == (title, body):
        raise LetterError("内容与当前使用的版本相同，没有保存新版本。")
    return LetterTemplate.objects.create(
        agency=agency,
        kind=key,
        version=current.version + 1,
        title=title,
        body=body,
        note=str(note or "").strip()[:200],
        created_by=by,
    )


@transaction.atomic
def save_letterhead(agency, *, by, **fields):
    """Update (or create) the agency's letterhead from cleaned form fields."""
    if not may_edit(by, agency):
        raise LetterError("只有本机关的政务公开办或系统管理员可以修改文书抬头。")
    head = _locked_letterhead(agency)
    for name, value in fields.items():
        setattr(head, name, value)
    head.updated_by = by
    head.full_clean()
    head.save()
    return head


# ---- what a case has ------------------------------------------------------------------


def reply_key(case):
    key = f"reply.{case.outcome}" if case.outcome else None
    return key if key in DEFAULTS else None


def available(case, consultations=None):
    """The letters `case` can have now, in the order they are usually sent."""
    if consultations is None:
        consultations = list(Consultation.objects.filter(case_id=case.pk))
    out = []
    if case.received_on:
        out.append(Available("receipt", label_of("receipt")))
    if case.correction_requested_on:
        out.append(Available("correction", label_of("correction")))
    for row in consultations:
        key = f"consultation.{row.party}"
        if key in DEFAULTS:
            label = f"{label_of(key)}：{row.addressee}"
            out.append(Available(key, label, consultation=row))
    if case.extended_on:
        out.append(Available("extension", label_of("extension")))
    if case.fee_notified_on:
        out.append(Available("fee", label_of("fee")))
    key = reply_key(case)
    if key:
        out.append(Available(key, label_of(key), draft=case.status not in FINAL_STATUSES))
        if case.replied_on:  # printed to take along, or filled in after delivery
            out.append(Available("delivery_receipt", label_of("delivery_receipt")))
    return out


def find_available(case, key, consultation_id=None):
    """The Available entry for `key` (and consultation), or None."""
    for item in available(case):
        if item.key != key:
            continue
        if item.consultation is None or str(item.consultation.pk) == str(consultation_id):
            return item
    return None


def _fee_basis(case):
    event = (
        CaseEvent.objects.filter(case_id=case.pk, kind=EventKind.NOTIFY_FEE)
        .order_by("-at", "-id")
        .first()
    )
    return (event.data or {}).get("basis") if event else None


# The receipt printed at registration carries the 查询码; any later copy says this.
QUERY_CODE_ELSEWHERE = "（登记时已告知；如遗失，请向本机关政务公开办申请重新发放）"
PROVISIONAL = "（暂定：该年度法定节假日安排尚未公布，以公布后的工作日计算为准）"


def salutation(case):
    """您 for a natural person, 贵单位 for a legal person or other organisation."""
    return "您" if case.applicant_type == ApplicantType.NATURAL_PERSON else "贵单位"


def draft_event(case):
    """The latest 拟办 event of `case`, or None."""
    return (
        CaseEvent.objects.filter(case_id=case.pk, kind=EventKind.DRAFT_DECISION)
        .order_by("-at", "-id")
        .first()
    )


def _due_text(case, day):
    """A deadline as a date, never as firm while the calendar behind it is provisional."""
    text = chinese_date(day)
    return text + PROVISIONAL if text and case.due_provisional else text


def values_for(case, letterhead, *, on, consultation=None, number="", query_code=None):
    """{placeholder: text} for `case` (None where nothing is recorded yet)."""
    content = " ".join(case.content.split())
    drafted = draft_event(case) if case.outcome else None
    return {
        "申请人": case.applicant_name,
        "称谓": salutation(case),
        "查询码": query_code or QUERY_CODE_ELSEWHERE,
        "事实和理由": ((drafted.data or {}).get("reasons") or "").strip() if drafted else None,
        "受理编号": case.tracking_number,
        "收到日期": chinese_date(case.received_on),
        "申请日期": chinese_date(case.submitted_on),
        "申请内容": content,
        "获取方式": case.get_form_wanted_display() if case.form_wanted else None,
        "答复期限": _due_text(case, case.due_on),
        "原答复期限": chinese_date(case.original_due_on),
        "补正告知日期": chinese_date(case.correction_requested_on),
        "补正事项": case.correction_items.strip(),
        "补正期限": chinese_date(case.correction_due_on),
        "延期理由": case.extension_reason.strip(),
        "收费金额": money(case.fee_amount),
        "收费依据": _fee_basis(case) if case.fee_notified_on else None,
        "收费通知日期": chinese_date(case.fee_notified_on),
        "缴费期限": chinese_date(case.fee_due_on),
        "征求对象": consultation.addressee if consultation else None,
        "征求日期": chinese_date(consultation.sent_on) if consultation else None,
        "办理结果": case.get_outcome_display() if case.outcome else None,
        "法律依据": case.legal_basis.strip(),
        "救济途径": remedy(letterhead) if not remedy_missing(letterhead) else None,
        "机关名称": letterhead.full_name,
        "地址": letterhead.address,
        "邮编": letterhead.postcode,
        "联系电话": letterhead.phone,
        "文号": number,
        "发文日期": chinese_date(on),
        **_delivery_values(case),
    }


def _delivery_values(case):
    """The 送达回证's values: the reply delivered (with its 文号 once generated), the
    method without its counting note, the address or e-mail, the date, the EMS number."""
    key = reply_key(case)
    if not key or not case.replied_on:
        return {}
    first = LetterIssued.objects.filter(case_id=case.pk, kind=key).order_by("id").first()
    document = current_template(case.agency, key).title
    method = case.get_delivery_method_display().partition("（")[0] if case.delivery_method else None
    electronic = case.delivery_method == "electronic"
    return {
        "送达文书": f"{document}（{first.number}）" if first else document,
        "送达方式": method,
        "送达地址": (case.delivery_email or "办理进度查询页面")
        if electronic
        else case.applicant_address,
        "送达日期": chinese_date(case.delivered_on),
        "邮件号": case.delivery_ems_number or ("不适用" if case.delivery_method else None),
    }


def missing_values(template, values):
    """Placeholders the template uses that have no recorded value (shown as blanks)."""
    used = placeholders(template.title) + placeholders(template.body)
    return [name for name in dict.fromkeys(used) if name != "文号" and not values.get(name)]


def annotate_missing(case, items, *, on):
    """Fill each Available's `missing` (for the case page's warnings)."""
    letterhead = letterhead_for(case.agency)
    for item in items:
        template = current_template(case.agency, item.key)
        values = values_for(case, letterhead, on=on, consultation=item.consultation)
        item.missing = missing_values(template, values)
    return items


def compose(letterhead, template, values, *, draft=False):
    """A render.Letter from a template and its values (punctuation tidied)."""
    return _letter(
        letterhead, fill(template.title, values), fill(template.body, values), values, draft
    )


def _letter(letterhead, title, body, values, draft):
    return Letter(
        agency_name=letterhead.full_name,
        number=values.get("文号") or "",
        title=tidy(title),
        paragraphs=[tidy(line.strip()) for line in body.splitlines() if line.strip()],
        signature=letterhead.signature,
        date_text=values.get("发文日期") or "",
        footer=footer_lines(letterhead),
        draft_note=DRAFT_NOTE if draft else "",
    )


def footer_lines(letterhead):
    parts = [
        f"{label}：{value}"
        for label, value in (
            ("地址", letterhead.address),
            ("邮编", letterhead.postcode),
            ("联系电话", letterhead.phone),
        )
        if value
    ]
    return ["　".join(parts)] if parts else []


# ---- generating ---------------------------------------------------------------------


def may_generate(user, case):
    return Membership.objects.acting_on(user, case.agency_id, case.department_id).exists()


def generate(
    case, key, *, by, on, consultation_id=None, fmt="docx", query_code=None, applicant=None
):
    """Make the letter `key` for `case`; returns (bytes, LetterIssued).

    on: the letter's date (发文日期) and the year of a new 文号. fmt: "docx" or "pdf".
    A reply is refused while the letterhead names no 复议机关 or court; a drafted
    reply is the case's own text (ReplyText), once approved the approved version.
    query_code: the plain 查询码, only while registering (the receipt prints it;
    it is checked against the stored digest).
    applicant: the applicant's name as `by` may see it (masked, 王*); None: in full.
    """
    if fmt not in FORMATS:
        raise LetterError("文书格式只能是 DOCX、PDF 或打印页面。")
    with transaction.atomic():
        case = Case.objects.select_related("agency").get(pk=case.pk)
        if not may_generate(by, case):
            raise LetterError("您无权为这件申请生成文书。")
        item = find_available(case, key, consultation_id)
        if item is None:
            label = DEFAULTS[key]["label"] if key in DEFAULTS else "该文书"
            raise LetterError(f"申请 {case.tracking_number} 当前不能生成“{label}”。")
        if query_code is not None and (key != "receipt" or not case.check_query_code(query_code)):
            raise LetterError("查询码与这件申请不符。")
        letterhead = _locked_letterhead(case.agency)  # one numbering at a time per agency
        if key.startswith("reply."):
            missing = remedy_missing(letterhead)
            if missing:
                raise LetterError(missing)
        template = current_template(case.agency, key)
        previous = (
            LetterIssued.objects.filter(case=case, kind=key, consultation=item.consultation)
            .order_by("id")
            .first()
        )
        if previous is not None:
            year, serial = previous.year, previous.serial
        else:
            year = on.year
            last = LetterIssued.objects.filter(case__agency=case.agency, year=year).aggregate(
                last=Max("serial")
            )["last"]
            serial = (last or 0) + 1
        number = letterhead.number(year, serial)
        values = values_for(
            case,
            letterhead,
            on=on,
            consultation=item.consultation,
            number=number,
            query_code=query_code,
        )
        if applicant is not None:  # a masked role: no name, no address in full
            values["申请人"] = applicant
            if values.get("送达地址"):
                values["送达地址"] = "（已隐藏）"
        text = reply_text(case) if key == reply_key(case) else None
        if text is not None:
            title, body = text.to_send(final=not item.draft)
            letter = _letter(letterhead, title, late_fill(body, values), values, item.draft)
            version = text.template_version
        else:
            letter = compose(letterhead, template, values, draft=item.draft)
            version = template.version
        if fmt == "pdf":
            data = pdf.to_pdf(letter)
        elif fmt == "html":
            data = build_html(letter, extra_head=PRINT_HEAD).encode()
        else:
            data = build_docx(letter)
        issued = LetterIssued.objects.create(
            case=case,
            kind=key,
            consultation=item.consultation,
            number=number,
            year=year,
            serial=serial,
            template_version=version,
            format=fmt,
            sha256=hashlib.sha256(data).hexdigest(),
            by=by,
        )
    return data, issued


# ---- a case's own reply text: edited before 签发, approved, versioned ----------------------

# Filled when the letter is generated, not when its text is written: the remedy notice
# follows the letterhead, the 文号 and the date follow the issue, and the applicant's
# name is printed as the downloading user may see it (masked for masked roles, #13.3).
LATE = ("救济途径", "文号", "发文日期", "申请人")
TEXT_STATUSES = {Status.DRAFTED, Status.REVIEWED, Status.APPROVED}
TEXT_ROLES = workflow.ROLES[EventKind.DRAFT_DECISION]
REISSUE_ROLES = workflow.ROLES[EventKind.REGISTER]
TEXT_HELP = (
    "每行是一个段落；第一行以“：”结尾时作为称呼，不缩进。"
    "“{救济途径}”处在生成时写明行政复议机关和管辖人民法院，“{申请人}”处写明申请人，请保留。"
)


def late_fill(body, values):
    for name in LATE:
        body = body.replace("{" + name + "}", values.get(name) or "")
    return body


@dataclass
class ReplyText:
    """The reply letter of a drafted case: its latest text and which version is approved.

    version: 0 while nobody has saved it (the template filled with the case's facts).
    approved: the version approved with the decision or after an edit; None before.
    """

    case: Case
    key: str
    event: CaseEvent
    title: str
    body: str
    version: int
    approved: int | None
    template_version: int

    @property
    def awaiting_approval(self):
        """Edited after approval: must be approved again before it is sent."""
        return self.approved is not None and self.approved != self.version

    def to_send(self, *, final):
        """(title, body) to print: the approved version once the decision is approved."""
        if final and self.approved is not None and self.approved != self.version:
            row = LetterText.objects.get(
                case=self.case, kind=self.key, draft_event=self.event, version=self.approved
            )
            return row.title, row.body
        return self.title, self.body


def reply_text(case):
    """The ReplyText of `case`'s drafted reply, or None (no 拟办 for the current outcome)."""
    key = reply_key(case)
    event = draft_event(case) if key else None
    if event is None or (event.data or {}).get("outcome") != case.outcome:
        return None
    row = (
        LetterText.objects.filter(case=case, kind=key, draft_event=event)
        .order_by("-version")
        .first()
    )
    approval = (
        LetterEvent.objects.filter(
            case=case, kind=LK.APPROVE_TEXT, data__kind=key, data__draft_event=event.pk
        )
        .order_by("-at", "-id")
        .first()
    )
    approved = approval.data["version"] if approval else None
    template = current_template(case.agency, key)
    if row is not None:
        return ReplyText(case, key, event, row.title, row.body, row.version, approved, 0)
    values = values_for(case, letterhead_for(case.agency), on=None)
    values.update({name: "{" + name + "}" for name in LATE})
    title, body = fill(template.title, values), fill(template.body, values)
    return ReplyText(case, key, event, title, body, 0, approved, template.version)


def _new_version(text, *, by, title, body, note):
    row = LetterText.objects.create(
        case=text.case,
        kind=text.key,
        draft_event=text.event,
        version=text.version + 1,
        title=title,
        body=body,
        note=note[:200],
        created_by=by,
    )
    return row


def may_edit_text(user, case):
    return Membership.objects.holds(user, case.agency_id, case.department_id, TEXT_ROLES)


@transaction.atomic
def save_text(case, *, by, title, body, note=""):
    """Save a new version of the case's reply text; after approval it must be approved
    again before the reply is sent (LetterError: why not)."""
    case = Case.objects.select_for_update().select_related("agency").get(pk=case.pk)
    if not may_edit_text(by, case):
        raise LetterError("只有承办部门或政务公开办可以修改答复书。")
    text = reply_text(case)
    if text is None or case.status not in TEXT_STATUSES:
        raise LetterError("答复书只能在拟办之后、答复之前修改。")
    title = " ".join(str(title or "").split())
    body = "\n".join(
        line.strip() for line in str(body or "").replace("\r\n", "\n").split("\n") if line.strip()
    )
    errors = []
    if not title:
        errors.append("请填写标题。")
    elif len(title) > 100:
        errors.append("标题最多 100 个字。")
    if not body:
        errors.append("请填写正文。")
    elif "{救济途径}" not in body:
        errors.append("正文须保留“{救济途径}”：生成时在此写明行政复议机关和管辖人民法院。")
    if errors:
        raise LetterError("".join(errors))
    if (title, body) == (text.title, text.body):
        raise LetterError("内容没有变化，没有保存新版本。")
    after = case.status == Status.APPROVED
    row = _new_version(text, by=by, title=title, body=body, note=str(note or "").strip())
    LetterEvent.objects.create(
        case=case,
        kind=LK.SAVE_TEXT,
        actor=by,
        data={
            "kind": text.key,
            "version": row.version,
            "draft_event": text.event.pk,
            "after_approval": after,
        },
    )
    return row


def may_approve_text(user, case):
    """The roles that approve the decision (a denial: the 分管领导), as workflow.approve."""
    roles = (
        workflow.DENIAL_ROLES
        if Outcome.is_denial(case.outcome)
        else workflow.ROLES[EventKind.APPROVE]
    )
    return Membership.objects.holds(user, case.agency_id, case.department_id, roles)


def _approve(case, text, by):
    if text.version == 0:  # approved as drafted: the text is kept as version 1
        text.version = _new_version(
            text, by=by, title=text.title, body=text.body, note="审批时的文本"
        ).version
    LetterEvent.objects.create(
        case=case,
        kind=LK.APPROVE_TEXT,
        actor=by,
        data={"kind": text.key, "version": text.version, "draft_event": text.event.pk},
    )


@transaction.atomic
def approve_text(case, *, by):
    """Approve the reply text edited after the decision was approved."""
    case = Case.objects.select_for_update().select_related("agency").get(pk=case.pk)
    if not may_approve_text(by, case):
        if Outcome.is_denial(case.outcome):
            raise LetterError("不予公开的答复书须经分管领导审批，您没有该权限。")
        raise LetterError("您没有审批答复书的权限。")
    text = reply_text(case)
    if case.status != Status.APPROVED or text is None or not text.awaiting_approval:
        raise LetterError("这份答复书没有待审批的修改。")
    _approve(case, text, by)
    return text


def on_approve(case, user):
    """workflow hook (APPROVE): the text current now is the approved one."""
    text = reply_text(case)
    if text is not None:
        _approve(case, text, user)


def on_reply(case, user):
    """workflow hook (REPLY): no reply without the remedy bodies or with an unapproved
    edit of its text."""
    missing = remedy_missing(letterhead_for(case.agency))
    if missing:
        raise workflow.WorkflowError(missing)
    text = reply_text(case)
    if text is not None and text.awaiting_approval:
        raise workflow.WorkflowError(
            f"答复书在审批后修改过（第 {text.version} 版），须经审批后才能答复。"
        )


# ---- 查询码 re-issued by the office ------------------------------------------------------


@transaction.atomic
def reissue_query_code(case, *, by, reason):
    """A new 查询码 for an applicant who lost theirs: the old one stops working at once.

    Returns (case, plain code); the code is shown once and printed on a new receipt;
    the trail records who re-issued it and why, never the code.
    """
    case = Case.objects.select_for_update().select_related("agency").get(pk=case.pk)
    if not Membership.objects.holds(by, case.agency_id, case.department_id, REISSUE_ROLES):
        raise LetterError("只有本机关的登记人员或政务公开办可以重新发放查询码。")
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise LetterError("请填写重新发放的原因，例如：申请人遗失查询码，已核对身份证明。")
    code = workflow.new_query_code()
    case.query_code_hash = hash_query_code(code)
    case.save(update_fields=["query_code_hash"])
    LetterEvent.objects.create(
        case=case, kind=LK.REISSUE_QUERY_CODE, actor=by, data={"reason": reason[:500]}
    )
    return case, code


def preview(agency, title, body):
    """(title, paragraphs) of an edited template filled with the example values."""
    letterhead = letterhead_for(agency)
    values = {name: example for name, (_what, example) in PLACEHOLDERS.items()}
    if remedy_missing(letterhead):
        letterhead = Letterhead(
            agency=agency,
            full_name=letterhead.full_name,
            signature=letterhead.signature,
            reconsideration_body="某某市人民政府",
            court="某某区人民法院",
        )
    values.update(
        {
            "救济途径": remedy(letterhead),
            "机关名称": letterhead.full_name,
            "地址": letterhead.address or PLACEHOLDERS["地址"][1],
            "邮编": letterhead.postcode or PLACEHOLDERS["邮编"][1],
            "联系电话": letterhead.phone or PLACEHOLDERS["联系电话"][1],
        }
    )
    letter = compose(letterhead, TemplateText(title, body, 0), values)
    return letter
