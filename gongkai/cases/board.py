"""The 期限看板 as a table to download (issue 14 part 7): every open case the user
reaches, one row each, with its deadline and where it stands on the day.

The states are CaseQuerySet.conditions' (the board's counts and the case list's tabs
use the same), the rows those of visible_cases (a handler only its departments', an
信息员 none: 403 as on the board). The applicant appears as in the case list
(views.list_name: a natural person masked for every role), so the export shows no
personal data in full and records no view. Streamed through gongkai.spreadsheets.
"""

from django.contrib.auth.decorators import login_required
from django.db.models import BooleanField, ExpressionWrapper, F
from django.http import Http404

from gongkai import spreadsheets
from gongkai.cases import views
from gongkai.cases.models import BusinessType, CaseQuerySet, Status
from gongkai.spreadsheets import Column

TABS = ("due_soon", "overdue", "paused")


def deadline_state(case):
    """Where the open case stands on the day (the annotations of `rows`)."""
    if case.is_paused:
        return "暂停计时（征求意见中）"
    if case.status == Status.CORRECTION_REQUESTED:
        return "待补正（收到补正后重新计算期限）"
    if case.status == Status.AWAITING_CONFIRMATION:
        return "待确认（期限尚未起算）"
    if case.is_overdue:
        return "已超期"
    if case.is_due_soon:
        return "三个工作日内到期"
    return "按期办理中"


def columns():
    names = BusinessType.names()
    return [
        Column("受理编号", lambda c: c.tracking_number, 18),
        Column("机关", lambda c: c.agency.name, 16),
        Column("承办部门", lambda c: c.department.name if c.department_id else "未分办", 14),
        Column("申请人", views.list_name, 16),
        Column("业务类别", lambda c: names.get(c.business_type, c.business_type)),
        Column("办理状态", lambda c: c.get_status_display()),
        Column("收到申请日期", lambda c: c.received_on),
        Column("答复期限", lambda c: c.due_on),
        Column("期限为暂定", lambda c: "是" if c.due_on and c.due_provisional else ""),
        Column("期限情况", deadline_state, 24),
    ]


def rows(memberships, user, day, windows, tab=None):
    """The open cases these memberships reach, with their deadline state on `day`,
    the earliest deadline first (those without one last)."""
    conditions = CaseQuerySet.conditions(day, windows)
    flags = {
        f"is_{name}": ExpressionWrapper(conditions[name], output_field=BooleanField())
        for name in TABS
    }
    cases = views.visible_cases(memberships, user).open()
    if tab:
        cases = cases.filter(conditions[tab])
    return (
        cases.annotate(**flags)
        .select_related("agency", "department")
        .order_by(F("due_on").asc(nulls_last=True), "tracking_number")
    )


@login_required
def export(request, fmt):
    """The board's open cases as CSV or XLSX (?tab=due_soon|overdue|paused: one of
    the board's counts)."""
    if fmt not in spreadsheets.FORMATS:
        raise Http404("不支持的导出格式。")
    tab = request.GET.get("tab") or None
    if tab is not None and tab not in TABS:
        raise Http404("没有这一类期限。")
    memberships = views._memberships(request)
    if not memberships:
        return views._no_access(request)
    day = views.today()
    windows = views._windows(memberships, day)
    queryset = rows(memberships, request.user, day, windows, tab)
    name = f"期限看板-{day.isoformat()}"
    return spreadsheets.response(
        fmt, name, "期限看板", columns(), queryset.iterator(chunk_size=views.EXPORT_BATCH)
    )
