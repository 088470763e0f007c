"""Supervision pages: my notices, 督办 on a case, department figures, subordinate figures.

Permissions: notices are the user's own. 督办 follows cases.views.case_for
(a case the user cannot reach is a 404) and needs the 政务公开办 or 工作机构负责人
role (403 otherwise). Department figures: the 政务公开办, 工作机构负责人, 分管领导 and
系统管理员 see every department of their agency, a handler only their own. The
subordinate figures need one of those four roles in an agency that has
subordinates; they show report figures only, never a subordinate's cases.
`today()` is the date the pages count from; tests replace it.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongkai import spreadsheets
from gongkai.agencies.models import Agency, Membership, Role
from gongkai.cases.models import Case
from gongkai.cases.stats import StatsError
from gongkai.cases.views import case_for
from gongkai.supervision import stats
from gongkai.supervision.forms import SuperviseForm, YearForm
from gongkai.supervision.models import Notice
from gongkai.supervision.workflow import SUPERVISORS, SupervisionError, supervise

PAGE_SIZE = 30
OVERSEERS = frozenset({Role.OFFICE, Role.OFFICE_HEAD, Role.LEADER, Role.ADMIN})
_OVERSEER_NAMES = "政务公开办、工作机构负责人、分管领导或系统管理员"


def today():
    """The date the pages count from (tests replace this function)."""
    return timezone.localdate()


def _nav(user):
    """The supervision pages this user may open, as (url name, label): a link is shown
    only to those it opens for (issue 14 part 8; the same rules as the views below)."""
    held = list(Membership.objects.filter(user=user).values_list("role", "agency_id"))
    links = [("notices", "我的通知")]
    if any(role in OVERSEERS or role == Role.HANDLER for role, _ in held):
        links.append(("departments", "部门统计"))
    overseen = {agency for role, agency in held if role in OVERSEERS}
    if overseen and Agency.objects.filter(parent_id__in=overseen).exists():
        links.append(("subordinates", "下级机关"))
    return links


def _daily_run(day):
    """(when the daily 逾期预警 run last succeeded or None, stale: not today/yesterday)."""
    from gongkai.ops.schedule import BY_NAME
    from gongkai.ops.tasks import last_successes

    label = BY_NAME["notify"].label
    at = dict(last_successes()).get(label)
    stale = at is None or timezone.localtime(at).date() < day - dt.timedelta(days=1)
    return at, stale


def _forbidden(request, title, reason):
    return render(
        request, "supervision/forbidden.html", {"title": title, "reason": reason}, status=403
    )


# ---- notices ---------------------------------------------------------------------------


@login_required
def notice_list(request):
    unread_first = models.Case(
        models.When(read_at__isnull=True, then=models.Value(0)),
        default=models.Value(1),
        output_field=models.IntegerField(),
    )
    notices = (
        Notice.objects.for_user(request.user)
        .select_related("case", "sender")
        .order_by(unread_first, "-created_on", "-id")
    )
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    # A notice links to its case only if the user can still open it (a handler moved to
    # another department keeps the notice, not the case).
    ids = [n.case_id for n in page.object_list]
    openable = set(
        Case.objects.visible_to(request.user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    for n in page.object_list:
        n.case_openable = n.case_id in openable
    last_run, stale = _daily_run(today())
    context = {
        "page": page,
        "unread": Notice.objects.for_user(request.user).unread().count(),
        "nav": _nav(request.user),
        "last_run": last_run,
        "last_run_stale": stale,
    }
    return render(request, "supervision/notices.html", context)


def _back_to_notices(request):
    page = request.POST.get("page", "")
    url = reverse("supervision:notices")
    return redirect(f"{url}?page={page}" if page.isdigit() else url)


@login_required
@require_POST
def notice_read(request, pk):
    notice = get_object_or_404(Notice.objects.for_user(request.user), pk=pk)
    if notice.read_at is None:
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=timezone.now())
    return _back_to_notices(request)


@login_required
@require_POST
def notices_read_all(request):
    n = Notice.objects.for_user(request.user).unread().update(read_at=timezone.now())
    messages.success(request, f"已将 {n} 条通知标为已读。" if n else "没有未读的通知。")
    return redirect("supervision:notices")


# ---- 督办 ------------------------------------------------------------------------------


@login_required
@require_POST
def case_supervise(request, tracking_number):
    """督办 through supervision.workflow.supervise; errors shown in Chinese on the case page."""
    case, roles = case_for(request.user, tracking_number)
    if not roles & SUPERVISORS:
        return _forbidden(
            request,
            "不能督办",
            "只有本机关的政务公开办（分办）或工作机构负责人可以督办申请。"
            "如需督办，请联系政务公开办。",
        )
    back = redirect("cases:detail", tracking_number=case.tracking_number)
    form = SuperviseForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return back
    try:
        event = supervise(case, by=request.user, on=today(), note=form.cleaned_data["note"])
    except SupervisionError as error:
        messages.error(request, str(error))
        return back
    names = event.data["recipients"]
    told = f"已通知：{'、'.join(names)}。" if names else "没有找到需要通知的承办人员。"
    messages.success(request, f"已督办申请 {case.tracking_number}。{told}")
    return back


# ---- figures ---------------------------------------------------------------------------


def _year(request):
    """(year, form): the year asked for (default this year); year None when invalid."""
    form = YearForm(request.GET or None)
    if not form.is_bound:
        return today().year, YearForm(initial={"year": today().year})
    if not form.is_valid():
        return None, form
    return form.cleaned_data["year"] or today().year, form


def _pick(request, agencies):
    """The agency chosen with ?agency=CODE among `agencies` (default: the first); 404 else."""
    code = request.GET.get("agency")
    if not code:
        return agencies[0]
    for agency in agencies:
        if agency.code == code:
            return agency
    raise Http404("没有找到这个机关，或您无权查看它的数字。")


def _department_scope(user):
    """(agencies, {agency: own departments}) whose department figures `user` may see:
    every department for an overseer, a handler's own departments otherwise."""
    memberships = list(Membership.objects.filter(user=user).select_related("agency", "department"))
    full = {m.agency for m in memberships if m.role in OVERSEERS}
    own = {}
    for m in memberships:
        if m.role == Role.HANDLER and m.agency not in full:
            own.setdefault(m.agency, []).append(m.department)
    return sorted(full | set(own), key=lambda a: a.code), own


def _department_figures(request):
    """(context, status) of the department figures asked for, or a 403 response."""
    agencies, own = _department_scope(request.user)
    if not agencies:
        return _forbidden(
            request,
            "不能查看部门统计",
            f"部门统计只向本机关的{_OVERSEER_NAMES}，以及承办部门人员（只看本部门）开放。",
        ), None
    agency = _pick(request, agencies)
    year, form = _year(request)
    context = {
        "agency": agency,
        "agencies": agencies,
        "form": form,
        "year": year,
        "nav": _nav(request.user),
    }
    if year is None:
        return context, 400
    limited = sorted(own[agency], key=lambda d: d.name) if agency in own else None
    context.update(
        table=stats.department_table(agency, year, today=today(), departments=limited),
        groups=stats.OUTCOME_GROUPS,
        limited=limited is not None,
    )
    return context, 200


@login_required
def departments(request):
    context, status = _department_figures(request)
    if status is None:
        return context
    return render(request, "supervision/departments.html", context, status=status)


@login_required
def departments_export(request, fmt):
    """The department figures on the page as CSV or XLSX (the same permission: an
    overseer every department, a handler only its own). No personal data in them."""
    if fmt not in spreadsheets.FORMATS:
        raise Http404("不支持的导出格式。")
    context, status = _department_figures(request)
    if status is None:
        return context
    if status != 200:
        messages.error(request, "年度有误，请按提示改正后再导出。")
        return redirect(f"{reverse('supervision:departments')}?{request.GET.urlencode()}")
    table = context["table"]
    rows = [*table.rows, table.total] if len(table.rows) > 1 else table.rows
    name = f"部门统计-{table.agency.name}-{table.year}年"
    return spreadsheets.response(fmt, name, "部门统计", stats.department_columns(table), rows)


@login_required
def subordinates(request):
    roles = Membership.objects.filter(user=request.user, role__in=OVERSEERS)
    mine = Agency.objects.filter(pk__in=roles.values("agency_id")).order_by("code")
    if not mine.exists():
        return _forbidden(
            request,
            "不能查看下级机关数字",
            f"下级机关的统计数字只向上级机关的{_OVERSEER_NAMES}开放。",
        )
    agencies = list(mine.filter(subordinates__isnull=False).distinct())
    if not agencies:
        names = "、".join(a.name for a in mine)
        return _forbidden(
            request,
            "不能查看下级机关数字",
            f"{names}没有下级机关，因此没有下级机关的数字可看。"
            "如下级机关尚未设置“上级机关”，请联系系统管理员。",
        )
    agency = _pick(request, agencies)
    year, form = _year(request)
    context = {
        "agency": agency,
        "agencies": agencies,
        "form": form,
        "year": year,
        "nav": _nav(request.user),
        "columns": stats.SUBORDINATE_COLUMNS,
        "today": today(),
    }
    if year is None:
        return render(request, "supervision/subordinates.html", context, status=400)
    try:
        context["rows"], context["totals"] = stats.subordinate_table(agency, year, today=today())
    except StatsError as error:
        context["error"] = str(error)
    context["reports"] = stats.subordinate_reports(agency, year, today=today())
    return render(request, "supervision/subordinates.html", context)
