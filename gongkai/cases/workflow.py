"""Every step of a 依申请公开 case: one explicit, atomic, audited function each.

Each step locks the case row (select_for_update), checks the case's current
status against TRANSITIONS and the actor's role against ROLES, saves only the
fields it changes, recomputes the reply deadline from the statutory clock and
writes one CaseEvent. An illegal step raises WorkflowError with a Chinese message
and changes nothing. Dates are always passed in (`on=`): the caller decides what
"today" is. A step returns the fresh, locked copy of the case; the object passed
in may be stale.

Articles: Art. 30 补正, Art. 31 receipt date, Arts. 32–34 consultation and the
reply period, Art. 36 reply types, Art. 45 登记、审核、办理、答复、归档.
"""

import decimal
import re
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from gongkai.agencies.models import Membership, Role, missing_role
from gongkai.cases import deadlines
from gongkai.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    Consultation,
    DeliveryMethod,
    Outcome,
    Party,
    Proposal,
    TrackingCounter,
    hash_query_code,
)
from gongkai.cases.models import EventKind as K
from gongkai.cases.models import Status as S
from gongkai.workdays import clock, loading, periods
from gongkai.workdays.calendar import ScheduleMissing


class WorkflowError(Exception):
    """A step that may not be taken; the message tells the user why (Chinese)."""


_RUNNING = frozenset({S.REGISTERED, S.ASSIGNED, S.DRAFTED, S.REVIEWED, S.APPROVED})

# step: (statuses it may start from, statuses it may lead to). None: no source (new case).
TRANSITIONS = {
    K.SUBMIT: (None, {S.AWAITING_CONFIRMATION}),
    K.REGISTER: (None, {S.REGISTERED, S.AWAITING_CONFIRMATION}),
    K.CONFIRM: ({S.AWAITING_CONFIRMATION}, {S.REGISTERED}),
    K.REQUEST_CORRECTION: ({S.REGISTERED}, {S.CORRECTION_REQUESTED}),
    K.RECORD_CORRECTION: ({S.CORRECTION_REQUESTED}, {S.REGISTERED}),
    K.LAPSE_CORRECTION: ({S.CORRECTION_REQUESTED}, {S.CLOSED}),
    K.ASSIGN: ({S.REGISTERED}, {S.ASSIGNED}),
    K.REASSIGN: ({S.ASSIGNED}, {S.ASSIGNED}),
    K.CONSULT: ({S.REGISTERED, S.ASSIGNED, S.DRAFTED}, {S.REGISTERED, S.ASSIGNED, S.DRAFTED}),
    K.RECORD_CONSULTATION_ANSWER: (_RUNNING, _RUNNING),
    K.DRAFT_DECISION: ({S.ASSIGNED}, {S.DRAFTED}),
    K.REVIEW: ({S.DRAFTED}, {S.DRAFTED, S.REVIEWED, S.ASSIGNED}),
    K.APPROVE_EXTENSION: (_RUNNING, _RUNNING),
    K.ENDORSE: ({S.REVIEWED}, {S.REVIEWED}),
    K.APPROVE: ({S.REVIEWED}, {S.APPROVED}),
    K.RETURN: ({S.REVIEWED}, {S.ASSIGNED}),
    K.NOTIFY_FEE: (_RUNNING, _RUNNING),
    K.RECORD_FEE: (_RUNNING, _RUNNING),
    K.LAPSE_FEE: (_RUNNING, {S.CLOSED}),
    K.REPLY: ({S.APPROVED}, {S.REPLIED}),
    K.DELIVER: ({S.REPLIED}, {S.DELIVERED}),
    K.WITHDRAW: (set(OPEN_STATUSES), {S.CLOSED}),
    K.ARCHIVE: ({S.DELIVERED, S.CLOSED}, {S.ARCHIVED}),
    K.REOPEN: ({S.REPLIED, S.DELIVERED, S.ARCHIVED}, {S.ASSIGNED}),
    K.RECORD_SIGNATURE: ({S.DELIVERED, S.ARCHIVED}, {S.DELIVERED, S.ARCHIVED}),
    # The applicant's own 补正 on the 查询 page (no staff role: the 查询码 is the check).
    K.SUBMIT_CORRECTION: ({S.CORRECTION_REQUESTED}, {S.REGISTERED}),
    # The handling department's requests and the 工作机构负责人's answers (part 5).
    K.PROPOSE_CORRECTION: ({S.ASSIGNED}, {S.ASSIGNED}),
    K.PROPOSE_EXTENSION: ({S.ASSIGNED}, {S.ASSIGNED}),
    K.APPROVE_CORRECTION: ({S.ASSIGNED}, {S.CORRECTION_REQUESTED}),
    K.DECLINE_PROPOSAL: ({S.ASSIGNED}, {S.ASSIGNED}),
    K.HAND_BACK: ({S.ASSIGNED}, {S.REGISTERED}),
}

_CLERKS = {Role.REGISTRAR, Role.OFFICE}
ROLES = {
    K.REGISTER: _CLERKS,
    K.CONFIRM: _CLERKS,
    K.REQUEST_CORRECTION: _CLERKS,
    K.RECORD_CORRECTION: _CLERKS,
    K.LAPSE_CORRECTION: {Role.OFFICE},
    K.ASSIGN: {Role.OFFICE},
    K.REASSIGN: {Role.OFFICE},
    K.CONSULT: {Role.OFFICE, Role.HANDLER},
    K.RECORD_CONSULTATION_ANSWER: {Role.OFFICE, Role.HANDLER},
    K.DRAFT_DECISION: {Role.OFFICE, Role.HANDLER},
    K.APPROVE_EXTENSION: {Role.OFFICE_HEAD},  # Art. 33: 工作机构负责人同意
    K.ENDORSE: {Role.OFFICE_HEAD},
    K.APPROVE: {Role.OFFICE_HEAD, Role.LEADER},
    K.RETURN: {Role.OFFICE_HEAD, Role.LEADER},
    K.NOTIFY_FEE: {Role.OFFICE},
    K.RECORD_FEE: _CLERKS,
    K.LAPSE_FEE: {Role.OFFICE},
    K.REPLY: _CLERKS,
    K.DELIVER: _CLERKS,
    K.WITHDRAW: _CLERKS,
    K.ARCHIVE: {Role.OFFICE},
    K.REOPEN: {Role.LEGAL_REVIEWER, Role.ADMIN},  # called by gongkai/appeals/workflow.py
    K.RECORD_SIGNATURE: _CLERKS,
    K.SUBMIT_CORRECTION: set(),  # the applicant (by=None), checked by the 查询码
    K.PROPOSE_CORRECTION: {Role.HANDLER},
    K.PROPOSE_EXTENSION: {Role.HANDLER},
    K.APPROVE_CORRECTION: {Role.OFFICE_HEAD},  # as the extension: 工作机构负责人
    K.DECLINE_PROPOSAL: {Role.OFFICE_HEAD},
    K.HAND_BACK: {Role.HANDLER},
}
REVIEW_ROLES = {"legal": Role.LEGAL_REVIEWER, "secrecy": Role.SECRECY_REVIEWER}
REVIEW_FLAGS = {"legal": "legal_review_passed", "secrecy": "secrecy_review_passed"}
DENIAL_ROLES = {Role.LEADER}  # a 不予公开 decision needs the 分管领导
AGREED = "同意。"  # the opinion recorded when a reviewer or approver writes none

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone
_CODE_LENGTH = 10  # 50 bits

# Other apps' checks and follow-ups of a step: step -> [hook(case, user)], run inside the
# step's transaction after its event is written; a hook raising WorkflowError refuses the
# step and nothing is saved (letters: the reply letter's approved text and letterhead).
STEP_HOOKS = {}


def new_query_code():
    """A fresh plain 查询码; only hash_query_code(code) is ever stored."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))


# ---- helpers -------------------------------------------------------------------


def _require_role(user, agency_id, department_id, step, roles):
    if not Membership.objects.holds(user, agency_id, department_id, roles):
        raise WorkflowError(missing_role(step.label, roles))


def _begin(case, step, user, roles=None):
    """Lock the case row and check that `user` may take `step` from its current status."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    sources, _ = TRANSITIONS[step]
    if case.status not in sources:
        raise WorkflowError(
            f"申请 {case.tracking_number} 当前状态为“{case.get_status_display()}”，"
            f"不能进行“{step.label}”。"
        )
    _require_role(user, case.agency_id, case.department_id, step, roles or ROLES[step])
    return case


def _finish(case, step, user, fields, status=None, **data):
    """Move to `status` (checked against TRANSITIONS), refresh the due date, save, audit."""
    if status is not None:
        if status not in TRANSITIONS[step][1]:
            raise AssertionError(f"{step} cannot lead to {status}")
        case.status = status
        fields = [*fields, "status"]
    _refresh_due(case)
    case.save(update_fields=[*fields, "due_on", "original_due_on", "due_provisional"])
    data = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in data.items()}
    data.update(status=case.status, due_on=case.due_on.isoformat() if case.due_on else None)
    CaseEvent.objects.create(case=case, kind=step, actor=user, data=data)
    for hook in STEP_HOOKS.get(step, ()):
        hook(case, user)
    return case


def _not_before(on, earlier, what, label="日期"):
    if earlier is not None and on < earlier:
        raise WorkflowError(f"{label}（{on}）不能早于{what}（{earlier}）。")


def _required(value, what):
    if not str(value or "").strip():
        raise WorkflowError(f"请填写{what}。")
    return str(value).strip()


def deadline_of(case, *, today=None, consultations=None):
    """The clock's Deadline for `case` (due date, state relative to `today`, explanation).

    Years without a loaded holiday schedule are filled provisionally and flagged
    (Deadline.provisional). Raises WorkflowError for contradictory dates and for a
    case still awaiting confirmation (no receipt date, no clock).
    """
    if case.received_on is None:
        raise WorkflowError("尚未与申请人确认收到申请，暂不计算答复期限（条例第三十一条）。")
    if consultations is None:
        consultations = list(Consultation.objects.filter(case_id=case.pk))
    events = deadlines.clock_events(case, consultations)
    try:
        cal = loading.get_calendar(case.agency.code)
        return clock.compute(
            cal,
            events,
            today=today,
            provisional=True,
            count_receipt_day=loading.count_receipt_day(),
        )
    except (clock.ClockError, ScheduleMissing, LookupError) as error:
        raise WorkflowError(str(error).strip("'\"")) from error


def _refresh_due(case):
    if case.reopened_due_on is not None:  # the period a 复议决定/判决 set (see reopen)
        case.due_on = case.original_due_on = case.reopened_due_on
        case.due_provisional = False
        return
    if case.received_on is None:  # awaiting confirmation: no clock runs yet (Art. 31)
        case.due_on = case.original_due_on = None
        case.due_provisional = False
        return
    result = deadline_of(case)
    case.due_on, case.original_due_on = result.due, result.original_due
    case.due_provisional = result.provisional


# ---- registration and 补正 (Arts. 29–31) ------------------------------------------


_REGISTER_FIELDS = (
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


def _tracking_number(agency, year):
    """The next number of the agency's year, e.g. SFGAJ-2026-00042. The counter row is
    locked until the registering transaction ends, which serialises numbering."""
    last = TrackingCounter.take(agency.pk, year)
    if last == 1:  # first use: continue after numbers given out before counters
        before = Case.objects.filter(tracking_number__startswith=f"{agency.code}-{year}-").count()
        if before:
            last = before + 1
            TrackingCounter.set_last(agency.pk, year, last)
    return f"{agency.code}-{year}-{last:05d}"


@transaction.atomic
def register(agency, *, by, **fields):
    """登记: record a request; the receipt date follows the channel (Art. 31).

    A letter, online or fax request whose confirmation date is not known yet is
    registered as 待确认: no clock runs until `confirm`. Returns the new case; its
    one-time plain 查询码 is in `case.query_code` (only a keyed digest is stored).
    """
    _require_role(by, agency.pk, None, K.REGISTER, ROLES[K.REGISTER])
    return _create(agency, K.REGISTER, by, fields)


@transaction.atomic(savepoint=False)  # the caller's transaction fails as a whole
def submit_online(agency, **fields):
    """网上提交: the applicant's own request from the portal, 待确认 until the office
    confirms it with the applicant (Art. 31(三): 以双方确认之日为收到申请之日)."""
    fields.update(channel="online", confirmed_on=None, arrived_on=None)
    return _create(agency, K.SUBMIT, None, fields)


def _create(agency, step, by, fields):
    unknown = set(fields) - set(_REGISTER_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    case = Case(agency=agency, **fields)
    if not case.submitted_on:
        raise WorkflowError("请填写提交日期。")
    try:
        case.received_on = deadlines.receipt_date(
            case.channel,
            submitted_on=case.submitted_on,
            arrived_on=case.arrived_on,
            confirmed_on=case.confirmed_on,
        )
    except ValueError as error:
        if not _confirmable(case):
            raise WorkflowError(str(error)) from error
        case.received_on = None
        case.status = S.AWAITING_CONFIRMATION
    for name, label in (("arrived_on", "到达/签收日期"), ("confirmed_on", "确认日期")):
        _not_before(getattr(case, name) or case.submitted_on, case.submitted_on, "提交日期", label)
    code = new_query_code()
    case.query_code_hash = hash_query_code(code)
    case.tracking_number = _tracking_number(agency, (case.received_on or case.submitted_on).year)
    # The table's check constraints concern dates a new case does not have yet (and the
    # database enforces them anyway): skipping them saves three round trips.
    try:
        # The agency is an instance the caller holds (its key is enforced by the database).
        case.full_clean(
            exclude=["agency", "due_on", "original_due_on", "tracking_number"],
            validate_constraints=False,
        )
    except ValidationError as error:
        raise WorkflowError(_validation_message(error)) from error
    _refresh_due(case)
    case.save()
    CaseEvent.objects.create(
        case=case,
        kind=step,
        actor=by,
        data={
            "status": case.status,
            "received_on": case.received_on.isoformat() if case.received_on else None,
            "due_on": case.due_on.isoformat() if case.due_on else None,
        },
    )
    case.query_code = code
    return case


def _confirmable(case):
    """Channels whose receipt date is the day both sides confirm (Art. 31)."""
    return case.channel in ("letter", "online", "fax", "other")


@transaction.atomic
def confirm(case, *, by, on):
    """确认收到: the office has confirmed the request with the applicant; that day is
    收到申请之日 (Art. 31(二)(三)) and the reply clock starts."""
    case = _begin(case, K.CONFIRM, by)
    _not_before(on, case.submitted_on, "提交日期", "确认日期")
    case.confirmed_on = case.received_on = on
    fields = ["confirmed_on", "received_on"]
    return _finish(case, K.CONFIRM, by, fields, S.REGISTERED, on=on)


def _validation_message(error):
    parts = []
    for name, messages in error.message_dict.items():
        label = Case._meta.get_field(name).verbose_name if name != "__all__" else ""
        parts.append(f"{label}：{'；'.join(messages)}" if label else "；".join(messages))
    return "登记信息有误：" + "；".join(parts)


def _ask_correction(case, on, items, correction_due_on):
    """Set the one-time 补正 notice (Art. 30) on the locked `case`; returns (fields,
    late): late when it is given after the 7 working days of Art. 30."""
    if not case.may_request_correction():
        raise WorkflowError("补正告知只能一次性作出（条例第三十条），本申请已告知过补正。")
    _not_before(on, case.received_on, "收到申请日期", "补正告知日期")
    if correction_due_on is None:
        raise WorkflowError("请填写补正期限。")
    if correction_due_on <= on:
        raise WorkflowError(f"补正期限（{correction_due_on}）应晚于告知日期（{on}）。")
    cal = loading.get_calendar(case.agency.code).provisional(on.year + 1)
    notice_due = periods.correction_notice_due(
        cal, case.received_on, count_receipt_day=loading.count_receipt_day()
    )
    case.correction_requested_on = on
    case.correction_items = _required(items, "需要补正的事项")
    case.correction_due_on = correction_due_on
    fields = ["correction_requested_on", "correction_items", "correction_due_on"]
    return fields, on > notice_due


@transaction.atomic
def request_correction(case, *, by, on, items, correction_due_on):
    """告知补正: one notice listing every defect, within 7 working days (Art. 30)."""
    case = _begin(case, K.REQUEST_CORRECTION, by)
    fields, late = _ask_correction(case, on, items, correction_due_on)
    return _finish(case, K.REQUEST_CORRECTION, by, fields, S.CORRECTION_REQUESTED, on=on, late=late)


@transaction.atomic
def record_correction(case, *, by, on):
    """收到补正: the reply period starts again from this day (Art. 30)."""
    case = _begin(case, K.RECORD_CORRECTION, by)
    _not_before(on, case.correction_requested_on, "补正告知日期", "收到补正日期")
    case.corrected_on = on
    return _finish(case, K.RECORD_CORRECTION, by, ["corrected_on"], S.REGISTERED, on=on)


CORRECTION_TEXT_MAX = 10000


@transaction.atomic(savepoint=False)  # the caller's transaction (with the files) fails as a whole
def submit_correction(case, *, on, text, files=0):
    """网上提交补正: the applicant answers the 补正 notice on the 查询 page (the caller has
    checked the 查询码). 答复期限自行政机关收到补正的申请之日起计算 (Art. 30): the
    system receives it on `on`, so the reply period counts afresh from that day and
    the case goes back to the office's in-tray (已登记 → 分办). `files`: how many
    files the caller attaches with it (a 补正 may be files alone)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status not in TRANSITIONS[K.SUBMIT_CORRECTION][0]:
        raise WorkflowError("这件申请当前不需要补正，或补正已经提交。")
    if not case.may_submit_correction(on):
        raise WorkflowError(
            f"补正期限（{case.correction_due_on}）已过，不能再在网上提交补正"
            "（条例第三十条：逾期不补正的，视为放弃申请）。如有正当理由，请联系受理机关。"
        )
    text = str(text or "").strip()
    if not text and not files:
        raise WorkflowError("请填写补正内容，或上传补正材料。")
    if len(text) > CORRECTION_TEXT_MAX:
        raise WorkflowError(f"补正内容最多 {CORRECTION_TEXT_MAX} 个字，请精简或作为附件上传。")
    _not_before(on, case.correction_requested_on, "补正告知日期", "补正日期")
    case.corrected_on = on
    case.correction_reply = text
    fields = ["corrected_on", "correction_reply"]
    return _finish(case, K.SUBMIT_CORRECTION, None, fields, S.REGISTERED, on=on, files=files)


@transaction.atomic
def lapse_correction(case, *, by, on):
    """逾期未补正: 视为放弃申请 (Art. 30); report row 其他处理 1 (2021 format)."""
    case = _begin(case, K.LAPSE_CORRECTION, by)
    if not case.correction_lapsed(on):
        raise WorkflowError(f"补正期限（{case.correction_due_on}）尚未届满，不能按逾期未补正办结。")
    case.outcome = Outcome.OTHER_NO_CORRECTION
    case.legal_basis = "《政府信息公开条例》第三十条"
    case.closed_on = on
    fields = ["outcome", "legal_basis", "closed_on"]
    return _finish(case, K.LAPSE_CORRECTION, by, fields, S.CLOSED, on=on)


# ---- handling ------------------------------------------------------------------------


def _department_of(case, department):
    if department.agency_id != case.agency_id:
        raise WorkflowError(f"“{department.name}”不是本机关的部门，不能分办给它。")
    return department


@transaction.atomic
def assign(case, *, by, department, on):
    """分办: hand the case to a handling department."""
    case = _begin(case, K.ASSIGN, by)
    _not_before(on, case.received_on, "收到申请日期", "分办日期")
    case.department = _department_of(case, department)
    return _finish(case, K.ASSIGN, by, ["department"], S.ASSIGNED, on=on, department=department.pk)


@transaction.atomic
def reassign(case, *, by, department, on):
    """改派: move the case to another department (e.g. when the first declines it)."""
    case = _begin(case, K.REASSIGN, by)
    if department.pk == case.department_id:
        raise WorkflowError(f"申请已由“{department.name}”承办，无需改派。")
    previous = case.department_id
    case.department = _department_of(case, department)
    fields = ["department"]
    return _finish(
        case, K.REASSIGN, by, fields, S.ASSIGNED, on=on, department=department.pk, previous=previous
    )


@transaction.atomic
def consult(case, *, by, party, addressee, on):
    """征求意见 from a third party (Art. 32) or another agency (Art. 34); pauses the clock."""
    case = _begin(case, K.CONSULT, by)
    _not_before(on, case.received_on, "收到申请日期", "征求意见发出日期")
    if party not in Party.values:
        raise WorkflowError("征求意见对象类型只能是第三方或其他机关。")
    row = Consultation.objects.create(
        case=case, party=party, addressee=_required(addressee, "征求意见对象"), sent_on=on
    )
    return _finish(case, K.CONSULT, by, [], case.status, on=on, consultation=row.pk, party=party)


@transaction.atomic
def record_consultation_answer(consultation, *, by, on, answer=""):
    """收到意见: the pause ends on the day the answer arrives (Art. 33 第三款)."""
    case = _begin(consultation.case, K.RECORD_CONSULTATION_ANSWER, by)
    row = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if row.answered_on is not None:
        raise WorkflowError(f"该征求意见已于 {row.answered_on} 记录答复。")
    _not_before(on, row.sent_on, "征求意见发出日期", "意见答复日期")
    row.answered_on, row.answer = on, answer
    row.save(update_fields=["answered_on", "answer"])
    return _finish(
        case, K.RECORD_CONSULTATION_ANSWER, by, [], case.status, on=on, consultation=row.pk
    )


def needs_reasons(outcome):
    """Every outcome but 予以公开 refuses something and must give the case's reasons:
    Art. 36(三) 不予公开并说明理由, 36(五) 说明理由, Art. 37 the withheld part,
    Arts. 36(四)(六)(七), 38, 39 and 35 tell the applicant why nothing is provided."""
    return bool(outcome) and outcome != Outcome.GRANTED


@transaction.atomic
def draft_decision(case, *, by, outcome, legal_basis, on, reasons=""):
    """拟办: the handling department proposes one outcome row, its legal basis and the
    case's facts and reasons (事实和理由, required for every refusal: `needs_reasons`).

    Partial disclosure (Art. 37) is only `partial` (表三: 区分处理的，只计这一情形).
    The reasons are kept in the step's event (data["reasons"]); the reply letter
    quotes them.
    """
    case = _begin(case, K.DRAFT_DECISION, by)
    if outcome not in Outcome.values:
        raise WorkflowError("请选择年度报告表三中的一项办理结果。")
    if outcome == Outcome.OTHER_NO_CORRECTION:
        raise WorkflowError("逾期未补正请使用“逾期未补正”环节办结，不能作为拟办结果。")
    if outcome == Outcome.OTHER_NO_FEE:
        raise WorkflowError("逾期未缴费请使用“逾期未缴费”环节办结，不能作为拟办结果。")
    legal_basis = _required(legal_basis, "法律依据")
    reasons = str(reasons or "").strip()
    if needs_reasons(outcome) and not reasons:
        raise WorkflowError(
            f"“{Outcome(outcome).label}”须说明理由（条例第三十六条）：请填写事实和理由，"
            "答复书将写明。"
        )
    case.outcome = outcome
    case.legal_basis = legal_basis
    case.legal_review_passed = case.secrecy_review_passed = False
    fields = ["outcome", "legal_basis", "legal_review_passed", "secrecy_review_passed"]
    return _finish(
        case,
        K.DRAFT_DECISION,
        by,
        fields,
        S.DRAFTED,
        on=on,
        outcome=outcome,
        reasons=reasons,
        legal_basis=case.legal_basis,
        role=_acting_role(by, case, ROLES[K.DRAFT_DECISION]) or Role.HANDLER,
    )


@transaction.atomic
def review(case, *, by, kind, passed, on, comments=""):
    """法制审查 / 保密审查 (Art. 17): pass, or return to the department with comments.

    The case goes on to approval when both reviews have passed.
    """
    if kind not in REVIEW_ROLES:
        raise WorkflowError("审查类型只能是法制审查（legal）或保密审查（secrecy）。")
    case = _begin(case, K.REVIEW, by, {REVIEW_ROLES[kind]})
    flag = REVIEW_FLAGS[kind]
    if passed:
        if not case.may_review(flag):
            raise WorkflowError(f"本申请已通过{Role(REVIEW_ROLES[kind]).label}，无需重复审查。")
        setattr(case, flag, True)
        both = case.legal_review_passed and case.secrecy_review_passed
        status = S.REVIEWED if both else S.DRAFTED
    else:
        _required(comments, "退回意见")
        case.legal_review_passed = case.secrecy_review_passed = False
        status = S.ASSIGNED
    fields = ["legal_review_passed", "secrecy_review_passed"]
    comments = str(comments or "").strip() or (AGREED if passed else comments)
    return _finish(
        case,
        K.REVIEW,
        by,
        fields,
        status,
        on=on,
        review=kind,
        passed=passed,
        comments=comments,
        role=REVIEW_ROLES[kind],
    )


@transaction.atomic
def approve_extension(case, *, by, on, reason, notified_on=None):
    """延期答复: at most 20 more working days, approved by the 工作机构负责人 before the
    original deadline ends, and told to the applicant (Art. 33 第二款)."""
    case = _begin(case, K.APPROVE_EXTENSION, by)
    if case.extended_on is not None:
        raise WorkflowError(f"本申请已于 {case.extended_on} 延期，答复期限只能延长一次。")
    _not_before(on, case.corrected_on or case.received_on, "答复期限起算日", "延期批准日期")
    if not case.may_extend(on):
        raise WorkflowError(
            f"原答复期限 {case.original_due_on} 已过，不能再延期（条例第三十三条：须在期限届满前批准）。"
        )
    if notified_on is not None:
        _not_before(notified_on, on, "延期批准日期", "延期告知日期")
    if case.proposal_pending(Proposal.EXTENSION) and not str(reason or "").strip():
        reason = case.proposal_reason  # the department's reason, approved as it stands
    case.extended_on = on
    case.extension_reason = _required(reason, "延期理由")
    case.extension_notified_on = notified_on
    fields = ["extended_on", "extension_reason", "extension_notified_on"]
    if case.proposal_pending(Proposal.EXTENSION):
        fields += _clear_proposal(case)
    return _finish(
        case, K.APPROVE_EXTENSION, by, fields, case.status, on=on, reason=case.extension_reason
    )


def _acting_role(by, case, roles):
    """The role (its value) in which `by` takes a step open to `roles`: the first of
    them the user holds on this case, in ROLE_SENIORITY order. Recorded with opinions."""
    held = Membership.objects.roles_reaching(by, case.agency_id, case.department_id)
    for role in ROLE_SENIORITY:
        if role in held and role in roles:
            return role
    return ""


# When a user holds several roles a step accepts, the opinion is recorded as the most
# senior one's (a 分管领导 who is also 工作机构负责人 signs as 分管领导).
ROLE_SENIORITY = (
    Role.LEADER,
    Role.OFFICE_HEAD,
    Role.LEGAL_REVIEWER,
    Role.SECRECY_REVIEWER,
    Role.OFFICE,
    Role.HANDLER,
)


@transaction.atomic
def endorse(case, *, by, on, comments=""):
    """审核同意、报分管领导: the 工作机构负责人 agrees with a denial and passes it to the
    分管领导, who alone may approve it (科长审核 → 领导签发). Once per draft."""
    case = _begin(case, K.ENDORSE, by)
    if not Outcome.is_denial(case.outcome):
        raise WorkflowError("只有拟不予公开的答复需要报分管领导审批；本件可由您直接批准。")
    drafted = case.events.filter(kind=K.DRAFT_DECISION).order_by("-at", "-id").first()
    since = case.events.filter(kind=K.ENDORSE)
    if drafted is not None:
        since = since.filter(id__gt=drafted.id)
    if since.exists():
        raise WorkflowError("本次拟办意见已审核同意并报分管领导，无需重复审核。")
    _not_before(on, case.received_on, "收到申请日期", "审核日期")
    comments = str(comments or "").strip() or "同意，报分管领导审批。"
    return _finish(
        case, K.ENDORSE, by, [], case.status, on=on, comments=comments, role=Role.OFFICE_HEAD
    )


@transaction.atomic
def approve(case, *, by, on, comments=""):
    """审批: the office head or leader signs off, with an opinion (同意 when none is
    written); a denial needs the 分管领导."""
    case = _begin(case, K.APPROVE, by)
    if Outcome.is_denial(case.outcome):
        try:
            _require_role(by, case.agency_id, case.department_id, K.APPROVE, DENIAL_ROLES)
        except WorkflowError:
            raise WorkflowError("不予公开的答复须经分管领导审批，您没有该权限。") from None
    _not_before(on, case.received_on, "收到申请日期", "审批日期")
    case.approved_on = on
    return _finish(
        case,
        K.APPROVE,
        by,
        ["approved_on"],
        S.APPROVED,
        on=on,
        outcome=case.outcome,
        comments=str(comments or "").strip() or AGREED,
        role=_acting_role(by, case, ROLES[K.APPROVE]),
    )


@transaction.atomic
def return_for_revision(case, *, by, on, comments):
    """审批退回: the office head or leader sends the draft back to the department; the
    reviews must be passed again."""
    case = _begin(case, K.RETURN, by)
    comments = _required(comments, "退回意见")
    case.legal_review_passed = case.secrecy_review_passed = False
    fields = ["legal_review_passed", "secrecy_review_passed"]
    return _finish(
        case,
        K.RETURN,
        by,
        fields,
        S.ASSIGNED,
        on=on,
        comments=comments,
        role=_acting_role(by, case, ROLES[K.RETURN]),
    )


# ---- the handling department's requests (issue 14 part 5) ------------------------------


def _proposal_reason(reason):
    return _required(reason, "请示理由")


@transaction.atomic
def propose_correction(case, *, by, on, items, reason):
    """申请告知补正: the handling department finds the request unclear and asks the
    工作机构负责人 to approve a 补正 notice (Art. 30), listing every item at once."""
    case = _begin(case, K.PROPOSE_CORRECTION, by)
    if not case.may_propose():
        raise WorkflowError(
            f"本申请已有待审批的请示（{case.get_proposal_display()}），请等待审批。"
        )
    if not case.may_propose_correction():
        raise WorkflowError("补正告知只能一次性作出（条例第三十条），本申请已告知过补正。")
    case.proposal = Proposal.CORRECTION
    case.proposal_items = _required(items, "需要补正的事项")
    case.proposal_reason = _proposal_reason(reason)
    fields = ["proposal", "proposal_items", "proposal_reason"]
    return _finish(
        case,
        K.PROPOSE_CORRECTION,
        by,
        fields,
        case.status,
        on=on,
        items=case.proposal_items,
        comments=case.proposal_reason,
        role=Role.HANDLER,
    )


@transaction.atomic
def propose_extension(case, *, by, on, reason):
    """申请延期答复: the department cannot answer in time and asks the 工作机构负责人 to
    extend the period (Art. 33 第二款: approved before it ends, at most 20 working days)."""
    case = _begin(case, K.PROPOSE_EXTENSION, by)
    if not case.may_propose():
        raise WorkflowError(
            f"本申请已有待审批的请示（{case.get_proposal_display()}），请等待审批。"
        )
    if not case.may_propose_extension(on):
        if case.extended_on is not None:
            raise WorkflowError(f"本申请已于 {case.extended_on} 延期，答复期限只能延长一次。")
        raise WorkflowError(
            f"原答复期限 {case.original_due_on} 已过，不能再申请延期（条例第三十三条第二款）。"
        )
    case.proposal = Proposal.EXTENSION
    case.proposal_reason = _proposal_reason(reason)
    case.proposal_items = ""
    fields = ["proposal", "proposal_reason", "proposal_items"]
    return _finish(
        case,
        K.PROPOSE_EXTENSION,
        by,
        fields,
        case.status,
        on=on,
        comments=case.proposal_reason,
        role=Role.HANDLER,
    )


def _clear_proposal(case):
    case.proposal, case.proposal_reason, case.proposal_items = "", "", ""
    return ["proposal", "proposal_reason", "proposal_items"]


@transaction.atomic
def approve_correction(case, *, by, on, correction_due_on, items=None, comments=""):
    """批准告知补正: the 工作机构负责人 approves the department's request; the notice is
    given on `on` (Art. 30: once, within 7 working days of receipt, with a reasonable
    period) and the case waits for the applicant's 补正."""
    case = _begin(case, K.APPROVE_CORRECTION, by)
    if not case.proposal_pending(Proposal.CORRECTION):
        raise WorkflowError("承办部门没有待审批的补正请示。")
    items = items if str(items or "").strip() else case.proposal_items
    fields, late = _ask_correction(case, on, items, correction_due_on)
    fields += _clear_proposal(case)
    comments = str(comments or "").strip() or "同意告知补正。"
    return _finish(
        case,
        K.APPROVE_CORRECTION,
        by,
        fields,
        S.CORRECTION_REQUESTED,
        on=on,
        late=late,
        comments=comments,
        role=Role.OFFICE_HEAD,
    )


@transaction.atomic
def decline_proposal(case, *, by, on, comments):
    """不同意: the 工作机构负责人 refuses the department's request, with the reason; the
    department goes on handling the case."""
    case = _begin(case, K.DECLINE_PROPOSAL, by)
    if case.may_propose():
        raise WorkflowError("承办部门没有待审批的请示。")
    comments = _required(comments, "不同意的理由")
    proposal = case.proposal
    fields = _clear_proposal(case)
    return _finish(
        case,
        K.DECLINE_PROPOSAL,
        by,
        fields,
        case.status,
        on=on,
        proposal=proposal,
        comments=comments,
        role=Role.OFFICE_HEAD,
    )


@transaction.atomic
def hand_back(case, *, by, on, reason):
    """退回改派: the handling department says the case is not its business and hands it
    back, with the reason; it returns to the office (已登记) to be assigned again."""
    case = _begin(case, K.HAND_BACK, by)
    if not case.may_propose():
        raise WorkflowError(
            f"本申请有待审批的请示（{case.get_proposal_display()}），审批后才能退回改派。"
        )
    reason = _required(reason, "退回理由")
    previous = case.department_id
    case.department = None
    return _finish(
        case,
        K.HAND_BACK,
        by,
        ["department"],
        S.REGISTERED,
        on=on,
        previous=previous,
        comments=reason,
        role=Role.HANDLER,
    )


# ---- 信息处理费 (Art. 42; 国办函〔2020〕109号) ------------------------------------------
# The applicant pays within the period of workdays.periods.fee_payment_due (regulation.md
# §1.9, S4 ◐). Whether the reply clock pauses meanwhile is not verified (109号 Art. 6
# onward), so the clock is NOT paused here.


@transaction.atomic
def notify_fee(case, *, by, on, amount, basis):
    """收费通知: the amount and its basis; the payment deadline is computed."""
    case = _begin(case, K.NOTIFY_FEE, by)
    if not case.may_notify_fee():
        raise WorkflowError(f"本申请已于 {case.fee_notified_on} 发出收费通知。")
    _not_before(on, case.received_on, "收到申请日期", "收费通知日期")
    try:
        amount = decimal.Decimal(str(amount))
    except (decimal.InvalidOperation, ValueError):
        raise WorkflowError("收费金额应为数字，例如 100 或 100.50（单位：元）。") from None
    if not amount.is_finite() or amount <= 0 or amount >= 10**8:
        raise WorkflowError("收费金额应大于0元且小于1亿元。")
    basis = _required(basis, "收费依据")
    cal = loading.get_calendar(case.agency.code).provisional(on.year + 1)
    case.fee_amount = amount.quantize(decimal.Decimal("0.01"))
    case.fee_notified_on = on
    case.fee_due_on = periods.fee_payment_due(cal, on)
    fields = ["fee_amount", "fee_notified_on", "fee_due_on"]
    return _finish(
        case, K.NOTIFY_FEE, by, fields, case.status, on=on, amount=str(amount), basis=basis
    )


@transaction.atomic
def record_fee(case, *, by, on):
    """收到缴费."""
    case = _begin(case, K.RECORD_FEE, by)
    if not case.fee_unpaid():
        if case.fee_notified_on is None:
            raise WorkflowError("本申请没有发出收费通知，无需登记缴费。")
        raise WorkflowError(f"本申请已于 {case.fee_paid_on} 登记缴费。")
    _not_before(on, case.fee_notified_on, "收费通知日期", "缴费日期")
    case.fee_paid_on = on
    return _finish(case, K.RECORD_FEE, by, ["fee_paid_on"], case.status, on=on)


@transaction.atomic
def lapse_fee(case, *, by, on):
    """逾期未缴费: the agency no longer processes the request; report row 其他处理 2."""
    case = _begin(case, K.LAPSE_FEE, by)
    if not case.fee_unpaid():
        raise WorkflowError("只有已发出收费通知且未缴费的申请才能按逾期未缴费办结。")
    if not case.fee_lapsed(on):
        raise WorkflowError(f"缴费期限（{case.fee_due_on}）尚未届满，不能按逾期未缴费办结。")
    case.outcome = Outcome.OTHER_NO_FEE
    case.legal_basis = "《政府信息公开条例》第四十二条；《政府信息公开信息处理费管理办法》"
    case.closed_on = on
    fields = ["outcome", "legal_basis", "closed_on"]
    return _finish(case, K.LAPSE_FEE, by, fields, S.CLOSED, on=on)


# ---- reply and after -----------------------------------------------------------------


@transaction.atomic
def reply(case, *, by, on):
    """答复 (Art. 36): the day the case counts as concluded in the annual report."""
    case = _begin(case, K.REPLY, by)
    _not_before(on, case.approved_on, "审批日期", "答复日期")
    case.replied_on = on
    # A reopened case (reopen) stays concluded on the day of its first reply.
    case.closed_on = case.closed_on or on
    on_time = case.due_on is None or on <= case.due_on
    return _finish(
        case, K.REPLY, by, ["replied_on", "closed_on"], S.REPLIED, on=on, on_time=on_time
    )


_EMS = re.compile(r"[A-Z]{2}[0-9]{9}[A-Z]{2}|[0-9]{10,20}")


def ems_number(value):
    """An EMS 邮件号 as recorded: no spaces, upper case; WorkflowError when it is not one
    (13 characters such as EA123456789CN, or the 10–20 digits of a domestic slip)."""
    number = "".join(str(value or "").split()).upper()
    if not number:
        raise WorkflowError("邮寄送达请填写 EMS 邮件号（交邮时的详情单号）。")
    if not _EMS.fullmatch(number):
        raise WorkflowError(
            f"EMS 邮件号“{number}”格式不对：应为 13 位，例如 EA123456789CN，或详情单上的 10–20 位数字。"
        )
    return number


def _email(value):
    address = str(value or "").strip()
    if not address:
        return ""
    try:
        validate_email(address)
    except ValidationError:
        raise WorkflowError(f"电子邮箱“{address}”格式不对，应类似 name@example.com。") from None
    return address


@transaction.atomic
def deliver(case, *, by, method, on, ems="", email=""):
    """送达: direct or entrusted on the day signed for, by post on 交邮之日 (235号), with
    the EMS number (the 签收 is recorded when the return comes back: record_signature);
    电子送达 publishes the reply on the applicant's 查询 page and e-mails it to `email`
    when given (letters.delivery, a STEP_HOOKS follow-up)."""
    case = _begin(case, K.DELIVER, by)
    if method not in DeliveryMethod.values:
        raise WorkflowError("请选择送达方式：直接送达、邮寄送达、电子送达或委托送达。")
    _not_before(on, case.replied_on, "答复日期", "送达日期")
    case.delivery_method, case.delivered_on = method, on
    case.delivery_ems_number = ems_number(ems) if method == DeliveryMethod.MAIL else ""
    case.delivery_email = _email(email) if method == DeliveryMethod.ELECTRONIC else ""
    # Direct and entrusted delivery count from the day the applicant signs for it.
    signed = method in (DeliveryMethod.DIRECT, DeliveryMethod.ENTRUSTED)
    case.delivery_signed_on = on if signed else None
    fields = [
        "delivery_method",
        "delivered_on",
        "delivery_ems_number",
        "delivery_email",
        "delivery_signed_on",
    ]
    return _finish(
        case,
        K.DELIVER,
        by,
        fields,
        S.DELIVERED,
        on=on,
        method=method,
        ems=case.delivery_ems_number,
        email=bool(case.delivery_email),
    )


@transaction.atomic
def record_signature(case, *, by, on, signed_on):
    """登记签收: the EMS return (回执) shows the day the applicant signed for the reply.
    It cannot precede the posting day nor lie after `on` (today, Beijing time)."""
    case = _begin(case, K.RECORD_SIGNATURE, by)
    if not case.may_record_signature():
        if case.delivery_method != DeliveryMethod.MAIL:
            raise WorkflowError("只有邮寄送达需要登记签收日期。")
        raise WorkflowError(f"本申请已登记签收日期（{case.delivery_signed_on}）。")
    if signed_on is None:
        raise WorkflowError("请填写签收日期。")
    _not_before(signed_on, case.delivered_on, "交邮日期", "签收日期")
    if signed_on > on:
        raise WorkflowError(f"签收日期（{signed_on}）晚于今天（{on}），不能登记尚未发生的签收。")
    case.delivery_signed_on = signed_on
    return _finish(
        case,
        K.RECORD_SIGNATURE,
        by,
        ["delivery_signed_on"],
        case.status,
        on=on,
        signed_on=signed_on,
    )


@transaction.atomic
def withdraw(case, *, by, on, reason=""):
    """撤回申请: the applicant withdraws; report row 其他处理 3.其他 (2021 format)."""
    case = _begin(case, K.WITHDRAW, by)
    _not_before(on, case.received_on or case.submitted_on, "收到申请日期", "撤回日期")
    case.outcome = Outcome.OTHER_OTHER
    case.legal_basis = _required(reason, "撤回说明") if reason else "申请人撤回申请"
    case.closed_on = on
    fields = ["outcome", "legal_basis", "closed_on"]
    return _finish(case, K.WITHDRAW, by, fields, S.CLOSED, on=on)


@transaction.atomic
def archive(case, *, by, on):
    """归档 (Art. 45)."""
    case = _begin(case, K.ARCHIVE, by)
    _not_before(on, case.delivered_on or case.closed_on, "送达/办结日期", "归档日期")
    case.archived_on = on
    return _finish(case, K.ARCHIVE, by, ["archived_on"], S.ARCHIVED, on=on)


@transaction.atomic
def reopen(case, *, by, on, due_on, reason):
    """纠正后重新答复: a 复议决定 or judgment set the reply aside and ordered a new one
    by `due_on` (the period the decision sets). The case goes back to its department
    for draft → review → approve → reply → deliver. The first reply stays in this
    step's record; closed_on is kept, so table 三 counts the request once, concluded
    in the year of its first reply (docs/appeals.md)."""
    case = _begin(case, K.REOPEN, by)
    _not_before(on, case.replied_on, "原答复日期", "重新办理日期")
    if due_on <= on:
        raise WorkflowError(f"重新答复期限（{due_on}）应晚于重新办理日期（{on}）。")
    before = {
        "previous_outcome": case.outcome,
        "previous_replied_on": case.replied_on,
        "previous_delivered_on": case.delivered_on,
        "previous_archived_on": case.archived_on,
    }
    case.reopened_due_on = due_on
    case.approved_on = case.replied_on = case.delivered_on = case.archived_on = None
    case.delivery_method = ""
    case.legal_review_passed = case.secrecy_review_passed = False
    fields = [
        "reopened_due_on",
        "approved_on",
        "replied_on",
        "delivered_on",
        "archived_on",
        "delivery_method",
        "legal_review_passed",
        "secrecy_review_passed",
    ]
    reason = _required(reason, "重新办理的理由")
    return _finish(case, K.REOPEN, by, fields, S.ASSIGNED, on=on, reason=reason, **before)
