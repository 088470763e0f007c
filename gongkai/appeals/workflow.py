"""Every step of a 行政复议 / 行政诉讼: one explicit, atomic, audited function each.

Each step locks the case row and the appeal row, checks the actor's role (the legal
office, 法制审查, or the administrator), validates every date before writing anything
and writes one event on the case's 办理记录 (CaseEvent). A refused step raises
AppealError with a Chinese message and changes nothing. Dates are passed in: `on` is
the day the step is taken (the caller decides what "today" is).
"""

import datetime as dt

from django.db import transaction

from gongkai.agencies.models import Membership, Role, missing_role
from gongkai.appeals import counting
from gongkai.appeals.models import (
    Appeal,
    AppealDocument,
    Decision,
    DocumentKind,
    Instance,
    Kind,
    Result,
    Ruling,
)
from gongkai.cases import workflow as case_workflow
from gongkai.cases.models import Case, CaseEvent
from gongkai.cases.models import EventKind as K

RECORDING_ROLES = frozenset({Role.LEGAL_REVIEWER, Role.ADMIN})
EARLIEST = dt.date(2008, 5, 1)  # the 2008 条例 took effect: no earlier 复议/诉讼 under it


class AppealError(Exception):
    """A step that may not be taken; the message tells the user why (Chinese)."""


def _lock_case(case, user, step):
    case = Case.objects.select_for_update().select_related("agency").get(pk=case.pk)
    if not Membership.objects.holds(user, case.agency_id, case.department_id, RECORDING_ROLES):
        raise AppealError(missing_role(K(step).label, RECORDING_ROLES))
    return case


def _lock(appeal, user, step):
    case = _lock_case(appeal.case, user, step)
    return case, Appeal.objects.select_for_update().get(pk=appeal.pk)


def _event(case, step, user, appeal, **data):
    data = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in data.items()}
    CaseEvent.objects.create(case=case, kind=step, actor=user, data={"appeal": appeal.pk, **data})


def _date(value, label, on):
    if value is None:
        return None
    if not isinstance(value, dt.date):
        raise AppealError(f"{label}不是有效的日期。")
    if value < EARLIEST:
        raise AppealError(f"{label}（{value}）早于2008年5月1日，请检查。")
    if value > on:
        raise AppealError(f"{label}（{value}）晚于今天（{on}），不能登记将来的日期。")
    return value


def _not_before(later, earlier, later_label, earlier_label):
    if later is not None and earlier is not None and later < earlier:
        raise AppealError(f"{later_label}（{later}）不能早于{earlier_label}（{earlier}）。")


def _check(case, appeal, on):
    """Every rule on the appeal's facts (before anything is written)."""
    if not appeal.filed_on:
        raise AppealError("请填写申请/起诉日期。")
    _date(appeal.filed_on, "申请/起诉日期", on)
    _date(appeal.papers_received_on, "收到答复通知书/应诉通知书日期", on)
    reply_day = case.replied_on or case.closed_on
    _not_before(appeal.filed_on, reply_day, "申请/起诉日期", "原答复日期")
    _not_before(appeal.papers_received_on, appeal.filed_on, "收到通知书日期", "申请/起诉日期")
    if appeal.kind not in Kind.values:
        raise AppealError("请选择类型：行政复议或行政诉讼。")
    if not appeal.body.strip():
        raise AppealError("请填写复议机关或法院名称。")
    if appeal.kind == Kind.RECONSIDERATION:
        if appeal.after_reconsideration or appeal.prior_id:
            raise AppealError("只有行政诉讼才能是“复议后起诉”。")
        if appeal.instance:
            raise AppealError("行政复议没有审级（一审、二审、再审只适用于行政诉讼）。")
        if appeal.co_defendant:
            raise AppealError("“复议机关为共同被告”只适用于复议后起诉的行政诉讼。")
    else:
        if appeal.instance not in Instance.values:
            raise AppealError("请选择审级：一审、二审或再审。")
        if appeal.simplified:
            raise AppealError("“简易程序”一项只适用于行政复议的书面答复期限。")
        if appeal.after_reconsideration:
            prior = appeal.prior
            if prior is None:
                raise AppealError("复议后起诉须选择它所经过的行政复议（本申请的行政复议记录）。")
            if prior.case_id != case.pk or prior.kind != Kind.RECONSIDERATION:
                raise AppealError("所选的行政复议不是本申请的行政复议记录。")
            _not_before(appeal.filed_on, prior.filed_on, "起诉日期", "行政复议申请日期")
        else:
            if appeal.prior_id:
                raise AppealError(
                    "未经复议直接起诉的，不能关联行政复议；如经过复议，请选择“复议后起诉”。"
                )
            if appeal.co_defendant:
                raise AppealError("“复议机关为共同被告”只适用于复议后起诉的行政诉讼。")


_FIELDS = (
    "kind",
    "after_reconsideration",
    "prior",
    "body",
    "reference",
    "applicant",
    "instance",
    "simplified",
    "co_defendant",
    "filed_on",
    "papers_received_on",
    "notes",
)


@transaction.atomic
def record(case, *, by, on, **fields):
    """登记: a 行政复议 or 行政诉讼 about a replied case (the case's decision under review)."""
    unknown = set(fields) - set(_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    case = _lock_case(case, by, K.APPEAL_RECORD)
    if case.closed_on is None:
        raise AppealError(
            f"申请 {case.tracking_number} 尚未答复（当前状态：{case.get_status_display()}），"
            "不能登记针对其答复的行政复议或行政诉讼。"
        )
    appeal = Appeal(case=case, **{k: v for k, v in fields.items() if v is not None})
    appeal.body = (appeal.body or "").strip()
    _check(case, appeal, on)
    appeal.save()
    _event(
        case,
        K.APPEAL_RECORD,
        by,
        appeal,
        kind=appeal.kind,
        filed_on=appeal.filed_on,
        papers_received_on=appeal.papers_received_on,
        body=appeal.body,
        prior=appeal.prior_id,
    )
    return appeal


@transaction.atomic
def edit(appeal, *, by, on, **fields):
    """修改: correct the recorded facts (not the decision); old → new in the event."""
    unknown = set(fields) - set(_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    case, appeal = _lock(appeal, by, K.APPEAL_EDIT)
    changed = {}
    for name, value in fields.items():
        old = getattr(appeal, name)
        if name == "body":
            value = (value or "").strip()
        if old != value:
            changed[name] = [_plain(old), _plain(value)]
            setattr(appeal, name, value)
    if not changed:
        raise AppealError("没有修改任何内容。")
    _check(case, appeal, on)
    if appeal.decided_on:
        _not_before(appeal.decided_on, appeal.filed_on, "审结日期", "申请/起诉日期")
    appeal.save()
    _event(case, K.APPEAL_EDIT, by, appeal, on=on, changed=changed)
    return appeal


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


@transaction.atomic
def submit_answer(appeal, *, by, on, answered_on, uploaded_file=None):
    """提交书面答复/答辩状: the day the answer with evidence went to the 复议机关/court;
    the file, if given, is kept with the case (attachments app)."""
    case, appeal = _lock(appeal, by, K.APPEAL_ANSWER)
    if appeal.answered_on is not None:
        raise AppealError(f"已于 {appeal.answered_on} 登记提交答复/答辩状。")
    _date(answered_on, "提交日期", on)
    if answered_on is None:
        raise AppealError("请填写提交答复/答辩状的日期。")
    _not_before(
        answered_on, appeal.papers_received_on or appeal.filed_on, "提交日期", "收到通知书日期"
    )
    appeal.answered_on = answered_on
    appeal.save(update_fields=["answered_on"])
    document = None
    if uploaded_file is not None:
        kind = DocumentKind.ANSWER if appeal.kind == Kind.RECONSIDERATION else DocumentKind.DEFENCE
        document = _attach(case, appeal, uploaded_file, kind, by)
    _event(
        case,
        K.APPEAL_ANSWER,
        by,
        appeal,
        answered_on=answered_on,
        document=document.attachment_id if document else None,
    )
    return appeal


@transaction.atomic
def add_document(appeal, *, by, uploaded_file, kind):
    """上传文书 (决定书、判决书、证据清单 …) to the appeal, kept with the case."""
    case, appeal = _lock(appeal, by, K.APPEAL_EDIT)
    if kind not in DocumentKind.values:
        raise AppealError("请选择文书类别。")
    document = _attach(case, appeal, uploaded_file, kind, by)
    _event(case, K.APPEAL_EDIT, by, appeal, document=document.attachment_id, document_kind=kind)
    return document


def _attach(case, appeal, uploaded_file, kind, by):
    from gongkai.attachments import services

    try:
        row = services.attach(case, uploaded_file, kind="other", by=by)
    except (services.UploadRejected, services.AttachmentError) as error:
        raise AppealError(str(error)) from error
    return AppealDocument.objects.create(appeal=appeal, attachment=row, kind=kind)


@transaction.atomic
def decide(
    appeal,
    *,
    by,
    on,
    decision,
    decided_on,
    ruling="",
    served_on=None,
    new_reply_due_on=None,
    uploaded_file=None,
):
    """登记结果: the 复议决定 / judgment; its table 四 column is counting.COLUMN. A 纠正
    that orders a new reply (new_reply_due_on, the period the decision sets) reopens the
    case for a new reply (cases.workflow.reopen)."""
    case, appeal = _lock(appeal, by, K.APPEAL_DECIDE)
    if appeal.result != Result.PENDING:
        raise AppealError(f"该{appeal.get_kind_display()}已于 {appeal.decided_on} 审结。")
    if decision not in Decision.values:
        raise AppealError("请选择决定/裁判内容。")
    if decided_on is None:
        raise AppealError("请填写审结日期。")
    _date(decided_on, "审结日期", on)
    _not_before(decided_on, appeal.filed_on, "审结日期", "申请/起诉日期")
    _date(served_on, "文书送达日期", on)
    _not_before(served_on, decided_on, "文书送达日期", "审结日期")
    if appeal.kind == Kind.LITIGATION:
        if ruling not in Ruling.values:
            raise AppealError("请选择裁判文书：判决或裁定。")
    elif ruling:
        raise AppealError("行政复议决定不区分判决、裁定。")
    if new_reply_due_on is not None:
        if decision not in counting.ORDERS_NEW_REPLY:
            raise AppealError("只有撤销、部分撤销、责令履行或责令重新作出的决定才会要求重新答复。")
        if new_reply_due_on <= decided_on:
            raise AppealError(f"重新答复期限（{new_reply_due_on}）应晚于审结日期（{decided_on}）。")
    appeal.decision = decision
    appeal.result = counting.column_of(decision)
    appeal.decided_on = decided_on
    appeal.ruling = ruling
    appeal.served_on = served_on
    appeal.new_reply_due_on = new_reply_due_on
    appeal.save(
        update_fields=[
            "decision",
            "result",
            "decided_on",
            "ruling",
            "served_on",
            "new_reply_due_on",
        ]
    )
    if uploaded_file is not None:
        kind = (
            DocumentKind.DECISION if appeal.kind == Kind.RECONSIDERATION else DocumentKind.JUDGMENT
        )
        _attach(case, appeal, uploaded_file, kind, by)
    _event(
        case,
        K.APPEAL_DECIDE,
        by,
        appeal,
        decision=decision,
        result=appeal.result,
        decided_on=decided_on,
        new_reply_due_on=new_reply_due_on,
    )
    if new_reply_due_on is not None:
        try:
            case_workflow.reopen(
                case,
                by=by,
                on=on,
                due_on=new_reply_due_on,
                reason=f"{appeal.body}{appeal.get_kind_display()}{Decision(decision).label}，"
                f"责令重新答复（{appeal.reference or '见决定书'}）",
            )
        except case_workflow.WorkflowError as error:
            raise AppealError(str(error)) from error
    return appeal
