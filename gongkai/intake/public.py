"""What the applicant sees of a case on the 查询 page, in plain words.

Only facts addressed to the applicant: the status as the applicant would put it,
the dates the 条例 gives them (received, reply deadline, 补正 deadline), and once
replied the outcome, reply date and the documents marked for them. Never the
department, staff, reviews, internal comments, consultations or other cases:
the internal steps (分办、拟办、审查、审批) all read as 办理中.
"""

from dataclasses import dataclass

from gongkai.cases.models import Outcome, Status

RUNNING = {Status.REGISTERED, Status.ASSIGNED, Status.DRAFTED, Status.REVIEWED, Status.APPROVED}
ANSWERED = {Status.REPLIED, Status.DELIVERED, Status.CLOSED, Status.ARCHIVED}

_STATUS = {
    Status.AWAITING_CONFIRMATION: (
        "待确认",
        "我们已收到您的网上申请。工作人员将通过您留下的电话或电子邮箱与您确认；"
        "双方确认之日为收到申请之日，答复期限从这一天起计算（条例第三十一条）。",
    ),
    Status.CORRECTION_REQUESTED: (
        "待补正",
        "您的申请内容需要补正。请按补正告知的要求，在补正期限内补正；"
        "我们收到补正后，答复期限重新计算。逾期不补正的，视为放弃申请（条例第三十条）。",
    ),
    Status.REPLIED: ("已答复", "我们已作出答复。答复结果和可以下载的文书见下方。"),
    Status.DELIVERED: ("已答复", "我们已作出答复并送达。答复结果和可以下载的文书见下方。"),
    Status.ARCHIVED: ("已办结", "本申请已办结。"),
}
_RUNNING_TEXT = (
    "办理中",
    "我们已确认收到您的申请，正在办理，将在答复期限内答复您（条例第三十三条）。",
)
_CLOSED_TEXT = {
    Outcome.OTHER_NO_CORRECTION: "因未在补正期限内补正，视为放弃申请（条例第三十条）。",
    Outcome.OTHER_NO_FEE: "因未在缴费期限内缴纳信息处理费，本申请不再处理。",
}


@dataclass(frozen=True)
class PublicView:
    tracking_number: str
    agency_name: str
    status: str  # plain words: 待确认, 办理中, 待补正, 已答复, 已办结
    explanation: str
    submitted_on: object
    received_on: object  # None while 待确认
    due_on: object  # only while the reply clock runs
    extended: bool
    correction_items: str
    correction_due_on: object
    outcome: str  # Chinese label, once answered
    replied_on: object
    closed_on: object
    answered: bool
    delivery: str = ""  # 送达方式 and its date, once delivered (the remedy periods run from it)


def view_of(case):
    if case.status in RUNNING:
        status, explanation = _RUNNING_TEXT
    elif case.status == Status.CLOSED:
        status = "已办结"
        explanation = _CLOSED_TEXT.get(case.outcome, "本申请已办结。")
    else:
        status, explanation = _STATUS[Status(case.status)]
    answered = case.status in ANSWERED
    correcting = case.status == Status.CORRECTION_REQUESTED
    return PublicView(
        tracking_number=case.tracking_number,
        agency_name=case.agency.name,
        status=status,
        explanation=explanation,
        submitted_on=case.submitted_on,
        received_on=case.received_on,
        due_on=case.due_on if case.status in RUNNING else None,
        extended=case.extended_on is not None and case.status in RUNNING,
        correction_items=case.correction_items if correcting else "",
        correction_due_on=case.correction_due_on if correcting else None,
        outcome=case.get_outcome_display() if answered and case.outcome else "",
        replied_on=case.replied_on if answered else None,
        closed_on=case.closed_on if answered else None,
        answered=answered,
        delivery=_delivery(case) if answered else "",
    )


def _delivery(case):
    if not case.delivered_on:
        return ""
    method = case.get_delivery_method_display().partition("（")[0]
    when = f"{case.delivered_on.year}年{case.delivered_on.month}月{case.delivered_on.day}日"
    if case.delivery_ems_number:
        return f"{method}，{when}交邮（EMS 邮件号 {case.delivery_ems_number}）"
    return f"{method}，{when}"
