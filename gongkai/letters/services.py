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

from gongkai.agencies.models import Agency, Membership, Role
from gongkai.cases.models import Case, CaseEvent, Consultation, EventKind, Status
from gongkai.letters import pdf
from gongkai.letters.defaults import DEFAULTS, PLACEHOLDERS, REMEDY_GENERIC, REMEDY_NAMED
from gongkai.letters.models import Letterhead, LetterIssued, LetterTemplate
from gongkai.letters.render import Letter, build_docx
from gongkai.letters.text import TemplateError, check, chinese_date, fill, money, placeholders

EDIT_ROLES = {Role.OFFICE, Role.ADMIN}
# A reply letter is final only once the decision is approved; before that it is a draft.
FINAL_STATUSES = {Status.APPROVED, Status.REPLIED, Status.DELIVERED, Status.CLOSED, Status.ARCHIVED}
DRAFT_NOTE = "（草稿：办理结果尚未审批，不得送达申请人）"
FORMATS = {"docx", "pdf"}


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
    """The 行政复议/行政诉讼 notice, naming the bodies when the letterhead has them."""
    if letterhead.reconsideration_body and letterhead.court:
        return REMEDY_NAMED.replace("{复议机关}", letterhead.reconsideration_body).replace(
            "{管辖法院}", letterhead.court
        )
    return REMEDY_GENERIC


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


def values_for(case, letterhead, *, on, consultation=None, number=""):
    """{placeholder: text} for `case` (None where nothing is recorded yet)."""
    content = " ".join(case.content.split())
    return {
        "申请人": case.applicant_name,
        "受理编号": case.tracking_number,
        "收到日期": chinese_date(case.received_on),
        "申请日期": chinese_date(case.submitted_on),
        "申请内容": content,
        "获取方式": case.get_form_wanted_display() if case.form_wanted else None,
        "答复期限": chinese_date(case.due_on),
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
        "救济途径": remedy(letterhead),
        "机关名称": letterhead.full_name,
        "地址": letterhead.address,
        "邮编": letterhead.postcode,
        "联系电话": letterhead.phone,
        "文号": number,
        "发文日期": chinese_date(on),
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
    """A render.Letter from a template and its values."""
    body = fill(template.body, values)
    return Letter(
        agency_name=letterhead.full_name,
        number=values.get("文号") or "",
        title=fill(template.title, values),
        paragraphs=[line.strip() for line in body.splitlines() if line.strip()],
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


def generate(case, key, *, by, on, consultation_id=None, fmt="docx", applicant=None):
    """Make the letter `key` for `case`; returns (bytes, LetterIssued).

    on: the letter's date (发文日期) and the year of a new 文号. fmt: "docx" or
    "pdf" (pdf.PdfError when LibreOffice is missing or fails: nothing recorded).
    applicant: the applicant's name as `by` may see it (masked, 王*); None: in full.
    """
    if fmt not in FORMATS:
        raise LetterError("文书格式只能是 DOCX 或 PDF。")
    with transaction.atomic():
        case = Case.objects.select_related("agency").get(pk=case.pk)
        if not may_generate(by, case):
            raise LetterError("您无权为这件申请生成文书。")
        item = find_available(case, key, consultation_id)
        if item is None:
            label = DEFAULTS[key]["label"] if key in DEFAULTS else "该文书"
            raise LetterError(f"申请 {case.tracking_number} 当前不能生成“{label}”。")
        letterhead = _locked_letterhead(case.agency)  # one numbering at a time per agency
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
        values = values_for(case, letterhead, on=on, consultation=item.consultation, number=number)
        if applicant is not None:
            values["申请人"] = applicant
        data = build_docx(compose(letterhead, template, values, draft=item.draft))
        if fmt == "pdf":
            data = pdf.to_pdf(data)
        issued = LetterIssued.objects.create(
            case=case,
            kind=key,
            consultation=item.consultation,
            number=number,
            year=year,
            serial=serial,
            template_version=template.version,
            format=fmt,
            sha256=hashlib.sha256(data).hexdigest(),
            by=by,
        )
    return data, issued


def preview(agency, title, body):
    """(title, paragraphs) of an edited template filled with the example values."""
    letterhead = letterhead_for(agency)
    values = {name: example for name, (_what, example) in PLACEHOLDERS.items()}
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
