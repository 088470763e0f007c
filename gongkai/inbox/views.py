"""我的待办: the staff member's own in-tray, the page they land on after login."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from gongkai.appeals import matters as appeal_matters
from gongkai.appeals.workflow import RECORDING_ROLES
from gongkai.cases import views as case_views
from gongkai.inbox import queues
from gongkai.rectification import inbox as rectification_inbox
from gongkai.workdays import loading

ROWS_SHOWN = 20  # per queue; the rest through the lists' own filters
# The case fields a row shows (the rest, the encrypted ID document included, not read).
CASE_ROW_FIELDS = (
    "tracking_number",
    "applicant_type",
    "applicant_name",
    "content",
    "status",
    "submitted_on",
    "due_on",
    "correction_due_on",
)


@dataclass
class Row:
    url: str
    number: str  # 受理编号 or 索引号
    title: str  # the applicant (masked) and request, or the item's title
    status: str
    due_on: object  # a date or None
    left: str  # "剩 3 个工作日", "已超期 2 个工作日", "今日到期", ""
    overdue: bool
    warning: str = ""


def _calendar(day):
    try:
        return loading.get_calendar().provisional(day.year + 1)
    except LookupError:  # no calendar loaded at all
        return None


def _left(cal, day, due):
    """How far `due` lies from `day`, in working days, as the in-tray prints it."""
    if due is None:
        return "", False
    if due < day:
        late = cal.workdays_between(due, day) if cal else (day - due).days
        return f"已超期 {late} 个工作日" if cal else f"已超期 {late} 天", True
    if due == day:
        return "今日到期", False
    if cal is None:
        return f"剩 {(due - day).days} 天", False
    return f"剩 {cal.workdays_between(day, due)} 个工作日", False


def _case_row(queue, case, cal, day):
    if queue.key == "confirm":
        waited = cal.workdays_between(case.submitted_on, day) if cal else 0
        limit = queues.confirm_warning_workdays()
        warning = (
            f"已等待 {waited} 个工作日未确认。确认前答复期限不起算（条例第三十一条），请尽快确认。"
            if waited > limit
            else ""
        )
        return Row(
            reverse("cases:detail", args=[case.tracking_number]),
            case.tracking_number,
            f"{case_views.list_name(case)}：{case.content[:40]}",
            case.get_status_display(),
            case.submitted_on,
            f"已等待 {waited} 个工作日",
            bool(warning),
            warning,
        )
    due = case.correction_due_on if queue.key == "correction" else case.due_on
    left, overdue = _left(cal, day, due)
    return Row(
        reverse("cases:detail", args=[case.tracking_number]),
        case.tracking_number,
        f"{case_views.list_name(case)}：{case.content[:40]}",
        case.get_status_display(),
        due,
        left,
        overdue,
    )


def _item_row(item, cal, day):
    left, overdue = _left(cal, day, item.publication_due_on)
    return Row(
        reverse("publications:detail", args=[item.pk]),
        item.index_number or "（未编号）",
        item.title,
        item.get_status_display(),
        item.publication_due_on,
        left,
        overdue,
    )


@dataclass(frozen=True)
class _AppealsQueue:
    key: str = "appeals"
    title: str = "行政复议、行政诉讼（答复、答辩与上诉期限）"


APPEALS_QUEUE = _AppealsQueue()


def _appeal_row(matter, cal, day):
    appeal = matter.appeal
    if matter.due is not None:
        left, overdue = _left(cal, day, matter.due.on)
        status = f"{matter.due.what}（{matter.due.basis}）"
    else:
        left, overdue, status = matter.error or "", False, appeal.get_result_display()
    return Row(
        reverse("appeals:detail", args=[appeal.pk]),
        appeal.case.tracking_number,
        f"{appeal.get_kind_display()}（{appeal.body}）"
        if appeal.body
        else appeal.get_kind_display(),
        status,
        matter.due.on if matter.due else None,
        left,
        overdue,
    )


@login_required
def index(request):
    day = case_views.today()
    cal = _calendar(day)
    memberships = queues.memberships_of(request.user)
    counts = dict(queues.request_counts(request, day, memberships))  # added to below
    sections = []
    for queue in queues.QUEUES:
        qs = queues.records(queue, request.user, memberships)
        if qs is None:
            continue
        if not counts.get(queue.key):
            rows = []  # nothing waits: the section is not shown, no query needed
        elif queue.kind == queues.CASE:
            rows = [_case_row(queue, c, cal, day) for c in qs.only(*CASE_ROW_FIELDS)[:ROWS_SHOWN]]
        else:
            rows = [_item_row(i, cal, day) for i in qs[:ROWS_SHOWN]]
        sections.append(
            {"queue": queue, "rows": rows, "count": counts.get(queue.key, 0), "kind": queue.kind}
        )
    if any(m["role"] in RECORDING_ROLES for m in memberships):
        # The legal office's 复议/诉讼, nearest deadline first (gongkai.appeals).
        found = appeal_matters.open_matters_for(request.user, day)
        rows = [_appeal_row(m, cal, day) for m in found[:ROWS_SHOWN]]
        sections.append(
            {"queue": APPEALS_QUEUE, "rows": rows, "count": len(found), "kind": "appeal"}
        )
    for queue, rows, count in rectification_inbox.sections(memberships, day, ROWS_SHOWN):
        rows = [Row(**r) for r in rows]  # 整改事项 (gongkai.rectification)
        sections.append({"queue": queue, "rows": rows, "count": count, "kind": "rectification"})
        counts[queue.key] = count
    return render(
        request,
        "inbox/index.html",
        {
            "sections": sections,
            "total": sum(counts.values()),
            "has_roles": bool(memberships),
            "today": day,
            "rows_shown": ROWS_SHOWN,
        },
    )
