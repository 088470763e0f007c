"""整改事项 state changes: each one atomic, guarded by TRANSITIONS, audited.

create(findings, due_on, requirement, user): confirmed findings of one report handed to
    its agency (the supervising office's step) → 待整改.
answer(item, explanation, user, file=None): the agency's answer; a corrected report
    (filename, bytes) becomes the report's next version in the library, re-read and
    re-checked (gongkai.library.versions) → 待核验.
close(item, note, user): verified → 已销号. A finding the checks still make needs a note.
send_back(item, reason, user, due_on=None): not rectified → 待整改 again, with reason.
withdraw(item, reason, user): the supervising office takes back an item still in
    progress (待整改 or 待核验), with a reason → 已撤销; its findings may be handed out
    again, the agency can no longer answer it.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from gongkai.library import versions
from gongkai.library.models import LibraryReport, Review, Status
from gongkai.library.review import ReviewError

from . import access
from .models import ACTIVE, Answer, EventKind, Rectification, RectificationEvent, State

TRANSITIONS = {
    EventKind.ANSWER: ({State.OPEN}, State.ANSWERED),
    EventKind.CLOSE: ({State.ANSWERED}, State.CLOSED),
    EventKind.SEND_BACK: ({State.ANSWERED}, State.OPEN),
    EventKind.WITHDRAW: ({State.OPEN, State.ANSWERED}, State.WITHDRAWN),
}
MAX_TEXT = 2000


class RectificationError(ValueError):
    """A step refused; the message is Chinese."""


def _lock(item, step):
    item = Rectification.objects.select_for_update().get(pk=item.pk)
    sources, target = TRANSITIONS[step]
    if item.state not in sources:
        raise RectificationError(
            f"这项整改事项现为“{item.get_state_display()}”，不能{EventKind(step).label}。"
            "页面可能已过时，请刷新后再试。"
        )
    return item, target


def _text(value, what, *, required=True):
    value = (value or "").strip()
    if required and not value:
        raise RectificationError(f"请填写{what}。")
    if len(value) > MAX_TEXT:
        raise RectificationError(f"{what}不能超过 {MAX_TEXT} 字。")
    return value


def _log(item, kind, user, **data):
    RectificationEvent.objects.create(item=item, kind=kind, actor=user, data=data)


def may(item, step):
    """Whether `item`'s state allows `step` (TRANSITIONS; who may is access's question)."""
    return item.state in TRANSITIONS[step][0]


def candidates(report):
    """The report's confirmed findings not in an item still in progress: what may be
    handed out."""
    return report.findings.filter(state=Review.CONFIRMED).exclude(rectifications__state__in=ACTIVE)


def default_requirement(findings):
    lines = [f"{n}. {f.message}" for n, f in enumerate(findings, start=1)]
    return "请核实并更正年度报告中的以下问题，更正后重新报送：\n" + "\n".join(lines)


@transaction.atomic
def create(findings, due_on, requirement, user, *, today=None):
    """A new item for `findings` (ReviewedFinding rows of one report, all 确认)."""
    findings = list(findings)
    if not findings:
        raise RectificationError("请至少选择一项已确认的问题。")
    # The report locked: two offices handing out the same finding at once wait in turn.
    report = LibraryReport.objects.select_for_update().get(pk=findings[0].report_id)
    if any(f.report_id != report.pk for f in findings):
        raise RectificationError("一项整改事项只针对一份报告，请分别交办。")
    if report.status != Status.FILED or report.agency_id is None:
        raise RectificationError("只有已归档到机关的报告可以交办整改。")
    if any(f.state != Review.CONFIRMED for f in findings):
        raise RectificationError("只有核实为“确认”的问题可以交办整改。")
    taken = [f for f in findings if f.rectifications.filter(state__in=ACTIVE).exists()]
    if taken:
        raise RectificationError(f"问题（{taken[0].message[:40]}）已在未销号的整改事项中。")
    supervisor = access.supervising_root(user, report.agency)
    if supervisor is None:
        raise RectificationError("只有上级机关的政务公开办可以交办整改（不能向本机关交办）。")
    today = today or timezone.localdate()
    if not isinstance(due_on, dt.date):
        raise RectificationError("请填写整改期限（日期）。")
    if due_on <= today:
        raise RectificationError("整改期限须晚于今天。")
    item = Rectification.objects.create(
        report=report,
        agency=report.agency,
        supervisor=supervisor,
        requirement=_text(requirement, "整改要求", required=False) or default_requirement(findings),
        due_on=due_on,
        created_by=user,
    )
    item.findings.set(findings)
    _log(
        item,
        EventKind.CREATE,
        user,
        findings=[[f.rule, f.where] for f in findings],
        due_on=due_on.isoformat(),
    )
    return item


def answer(item, explanation, user, file=None, *, today=None):
    """The agency's answer; `file`: (filename, bytes) of a corrected report, or None.
    A refused file leaves everything as it was (one transaction)."""
    access.require_answer(user, item)
    explanation = _text(explanation, "整改说明")
    if not may(item, EventKind.ANSWER):
        _lock(item, EventKind.ANSWER)  # raises with the message
    version, filename = None, ""
    with transaction.atomic():
        if file is not None:
            try:
                report = versions.replace(item.report, file[0], file[1], explanation, user)
            except ReviewError as exc:
                raise RectificationError(str(exc)) from None
            version, filename = report.version, report.filename
        return _answered(item, explanation, user, filename, version, today)


def _answered(item, explanation, user, filename, version, today):
    item, target = _lock(item, EventKind.ANSWER)
    Answer.objects.create(
        item=item, explanation=explanation, filename=filename, report_version=version, by=user
    )
    item.state, item.answered_on = target, today or timezone.localdate()
    item.save(update_fields=["state", "answered_on"])
    _log(item, EventKind.ANSWER, user, explanation=explanation, file=filename, version=version)
    return item


def still_found(item):
    """The item's findings the checks still make on the report's current data."""
    return [f for f in item.findings.all() if f.present]


@transaction.atomic
def close(item, note, user):
    access.require_supervise(user, item)
    item, target = _lock(item, EventKind.CLOSE)
    note = _text(note, "核验意见", required=False)
    remaining = still_found(item)
    if remaining and not note:
        raise RectificationError(
            f"按当前数据仍发现 {len(remaining)} 项问题。如认可机关的说明，请写明核验意见后再销号。"
        )
    item.state, item.closed_at = target, timezone.now()
    item.save(update_fields=["state", "closed_at"])
    _log(item, EventKind.CLOSE, user, note=note, still_found=len(remaining))
    return item


@transaction.atomic
def send_back(item, reason, user, due_on=None, *, today=None):
    access.require_supervise(user, item)
    item, target = _lock(item, EventKind.SEND_BACK)
    reason = _text(reason, "退回理由")
    today = today or timezone.localdate()
    if due_on is not None and due_on <= today:
        raise RectificationError("新的整改期限须晚于今天。")
    before = item.due_on
    item.state = target
    item.due_on = due_on or item.due_on
    item.save(update_fields=["state", "due_on"])
    _log(item, EventKind.SEND_BACK, user, reason=reason, due_on=item.due_on.isoformat(),
         due_before=before.isoformat())  # fmt: skip
    return item


@transaction.atomic
def withdraw(item, reason, user):
    access.require_supervise(user, item)
    item, target = _lock(item, EventKind.WITHDRAW)
    reason = _text(reason, "撤销理由")
    before = item.state
    item.state = target
    item.save(update_fields=["state"])
    _log(item, EventKind.WITHDRAW, user, reason=reason, state_before=before)
    return item
