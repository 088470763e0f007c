"""督办: the 政务公开办 or the 工作机构负责人 presses the department on one case.

One explicit, atomic, audited function, like gongkai/cases/workflow.py: it locks
the case, checks the actor's role and the case's status, writes a CaseEvent
(kind 督办) and a notice to each person responsible, and e-mails them after the
commit. Only internal supervision of the agency's own cases: a supervising agency
(Agency.parent) sees figures, never a subordinate's cases. (Art. 47's 督促整改 by
the 主管部门 is outside this function; its text is not quoted in regulation.md.)
"""

from django.db import transaction

from gongkai.agencies.models import Membership, Role, missing_role
from gongkai.cases.models import OPEN_STATUSES, Case, CaseEvent, EventKind
from gongkai.supervision import mail, text
from gongkai.supervision.models import Notice, NoticeKind
from gongkai.supervision.notify import responsible, staff_of

SUPERVISORS = frozenset({Role.OFFICE, Role.OFFICE_HEAD})
NOTE_MAX = 1000


class SupervisionError(Exception):
    """A 督办 that may not be made; the message tells the user why (Chinese)."""


def may_supervise(user, case):
    """True when `user` holds a supervising role that reaches `case` (open or not)."""
    return Membership.objects.holds(user, case.agency_id, case.department_id, SUPERVISORS)


def _check(case, by, on, note):
    if not may_supervise(by, case):
        raise SupervisionError(missing_role("督办", SUPERVISORS))
    if case.status not in OPEN_STATUSES:
        raise SupervisionError(
            f"申请 {case.tracking_number} 当前状态为“{case.get_status_display()}”，"
            "已办结的申请无需督办。"
        )
    if case.received_on and on < case.received_on:
        raise SupervisionError(f"督办日期（{on}）不能早于收到申请日期（{case.received_on}）。")
    note = str(note or "").strip()
    if not note:
        raise SupervisionError("请填写督办意见，例如：请于本周内拟办并报审。")
    if len(note) > NOTE_MAX:
        raise SupervisionError(f"督办意见不能超过{NOTE_MAX}字（现有{len(note)}字）。")
    return note


def _notify(case, by, on, message, recipients):
    """One 督办 notice per recipient and day; a second 督办 the same day is appended."""
    existing = {
        n.recipient_id: n
        for n in Notice.objects.select_for_update().filter(
            case=case, kind=NoticeKind.SUPERVISE, created_on=on, recipient__in=recipients
        )
    }
    notices = []
    for user in recipients:
        notice = existing.get(user.pk)
        if notice is None:
            notice = Notice.objects.create(
                recipient=user,
                case=case,
                kind=NoticeKind.SUPERVISE,
                message=message,
                due_on=case.due_on,
                created_on=on,
                sender=by,
            )
        else:
            notice.message = f"{notice.message}\n{message}"
            notice.read_at = notice.emailed_at = None
            notice.sender = by
            notice.save(update_fields=["message", "read_at", "emailed_at", "sender"])
        notices.append(notice)
    return notices


@transaction.atomic
def supervise(case, *, by, on, note):
    """督办 `case` on day `on`: audit it and notify the handlers responsible.

    Recipients: the handlers of the case's department, or the 政务公开办 while it is
    unassigned (or its department has no handler), never the actor. Returns the
    CaseEvent; raises SupervisionError (Chinese) and changes nothing when refused.
    """
    locked = Case.objects.select_for_update(of=("self",)).select_related("agency", "department")
    case = locked.get(pk=case.pk)
    note = _check(case, by, on, note)
    recipients = [u for u in responsible(staff_of(case.agency), case) if u.pk != by.pk]
    message = text.supervise_message(case, by, on, note)
    notices = _notify(case, by, on, message, recipients)
    event = CaseEvent.objects.create(
        case=case,
        kind=EventKind.SUPERVISE,
        actor=by,
        data={
            "on": on.isoformat(),
            "note": note,
            "recipients": [u.get_username() for u in recipients],
            "status": case.status,
            "due_on": case.due_on.isoformat() if case.due_on else None,
        },
    )
    ids = [n.pk for n in notices]
    transaction.on_commit(lambda: mail.send_notices(_unsent(ids)), robust=True)
    return event


def _unsent(ids):
    return Notice.objects.filter(pk__in=ids, emailed_at__isnull=True).select_related(
        "recipient", "case"
    )
