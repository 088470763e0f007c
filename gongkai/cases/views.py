"""依申请公开 pages for staff: case list, case detail, deadline dashboard, 分办.

Who sees what follows Membership.objects.acting_on: a handler (承办部门) reaches
only its own department's cases, every other role the whole agency. A user with
no membership gets a 403 page that says why. Time-based views (due soon, overdue,
paused) are computed from the stored due dates against `today()`, which tests
replace; nothing here reads the clock directly.
"""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongkai.agencies.models import Department, Membership, Role
from gongkai.cases import workflow
from gongkai.cases.forms import TABS, AssignForm, CaseFilterForm
from gongkai.cases.models import (
    OPEN_STATUSES,
    ApplicantType,
    BusinessType,
    Case,
    CaseEvent,
    Consultation,
    EventKind,
    Status,
)
from gongkai.workdays import clock, loading

audit = logging.getLogger("gongkai.audit")

PAGE_SIZE = 50
# Roles that see the applicant's personal data in full (the others see it masked).
FULL_VIEW_ROLES = {Role.REGISTRAR, Role.OFFICE, Role.ADMIN, Role.OFFICE_HEAD, Role.LEADER}
NO_MEMBERSHIP = (
    "您的账号还没有分配到任何机关或部门，因此不能查看依申请公开的申请。"
    "请联系本机关的系统管理员，为您设置所属机关、部门和角色。"
)


def today():
    """The date the pages count from (tests replace this function)."""
    return timezone.localdate()


# ---- masking (pure) ------------------------------------------------------------------


def mask_name(name):
    """张三丰 → 张**: keep the first character, hide the rest."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_middle(text, keep_start=3, keep_end=2):
    """13800000000 → 138******00; short values are hidden entirely."""
    text = (text or "").strip()
    if len(text) <= keep_start + keep_end:
        return "*" * len(text)
    return text[:keep_start] + "*" * (len(text) - keep_start - keep_end) + text[-keep_end:]


def list_name(case):
    """The applicant as the list shows it: natural persons masked, organisations in full."""
    if case.applicant_type == ApplicantType.NATURAL_PERSON:
        return mask_name(case.applicant_name)
    return case.applicant_name


# ---- who sees what -------------------------------------------------------------------


def _memberships(request):
    return list(
        Membership.objects.filter(user=request.user).values("agency_id", "department_id", "role")
    )


def visible_cases(memberships):
    """The cases these memberships reach (the set form of Membership.acting_on)."""
    agencies = {m["agency_id"] for m in memberships if m["role"] != Role.HANDLER}
    departments = {m["department_id"] for m in memberships if m["role"] == Role.HANDLER}
    return Case.objects.filter(Q(agency_id__in=agencies) | Q(department_id__in=departments))


def visible_departments(memberships):
    agencies = {m["agency_id"] for m in memberships if m["role"] != Role.HANDLER}
    departments = {m["department_id"] for m in memberships if m["role"] == Role.HANDLER}
    return (
        Department.objects.filter(Q(agency_id__in=agencies) | Q(pk__in=departments))
        .select_related("agency")
        .order_by("agency__code", "name")
    )


def _no_access(request):
    return render(request, "cases/no_access.html", {"reason": NO_MEMBERSHIP}, status=403)


def _case_for(request, tracking_number):
    """The case if the user may act on it; 404 otherwise (its existence is not revealed)."""
    case = get_object_or_404(
        Case.objects.select_related("agency", "department"), tracking_number=tracking_number
    )
    roles = set(
        Membership.objects.acting_on(request.user, case.agency_id, case.department_id).values_list(
            "role", flat=True
        )
    )
    if not roles:
        raise Http404("没有找到这件申请，或您无权查看。")
    return case, roles


# ---- time-based views ----------------------------------------------------------------


CALENDAR_MISSING = (
    "工作日历尚未载入，无法计算“三个工作日内到期”。"
    "请管理员运行 gongkai calendar load 载入节假日安排。"
)


def due_soon_limit(day):
    """The last day of the 三个工作日内到期 window: the 3rd working day after `day`.

    The national calendar (agency-local days are not applied here); None when no
    calendar is loaded.
    """
    try:
        cal = loading.get_calendar().provisional(day.year + 1)
        return cal.nth_workday_after(day, clock.DUE_SOON_WORKDAYS)
    except LookupError:  # includes ScheduleMissing
        return None


def _paused_q(day):
    """Open cases with a consultation sent and not yet answered (Art. 33 第三款)."""
    waiting = Consultation.objects.filter(
        case=OuterRef("pk"), sent_on__lte=day, answered_on__isnull=True
    )
    return Q(Exists(waiting))


def tab_filters(day, soon_until=None):
    """{tab: Q} for the quick tabs, relative to `day`."""
    running = Q(status__in=OPEN_STATUSES)
    soon_until = soon_until or due_soon_limit(day)
    soon = Q(due_on__gte=day, due_on__lte=soon_until) if soon_until else Q(pk__in=[])
    return {
        "due_soon": running & soon,
        "overdue": running & Q(due_on__lt=day),
        "paused": running & _paused_q(day),
    }


# ---- list ----------------------------------------------------------------------------


@login_required
def case_list(request):
    memberships = _memberships(request)
    if not memberships:
        return _no_access(request)
    form = CaseFilterForm(request.GET or None, departments=visible_departments(memberships))
    cases = visible_cases(memberships).select_related("agency", "department")
    tab = "all"
    day = today()
    if form.is_bound:
        if form.is_valid():
            tab = form.cleaned_data["tab"] or "all"
            cases = _apply_filters(request, cases, form.cleaned_data, day)
        else:  # never show an unfiltered list as if it were the answer
            cases = cases.none()
    paginator = Paginator(cases, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    names = BusinessType.names()
    rows = [
        (case, list_name(case), case.is_overdue(day), names.get(case.business_type, ""))
        for case in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    tab_query = request.GET.copy()
    for key in ("page", "tab"):
        tab_query.pop(key, None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "tab": tab,
        "tabs": list(TABS.items()),
        "query": query.urlencode(),
        "tab_query": tab_query.urlencode(),
        "filtered": form.is_bound and any(form.data.get(k) for k in form.fields),
        "today": day,
    }
    return render(request, "cases/list.html", context, status=400 if form.errors else 200)


def _apply_filters(request, cases, data, day):
    for name in ("status", "business_type", "applicant_type", "channel"):
        if data[name]:
            cases = cases.filter(**{name: data[name]})
    if data["department"]:
        cases = cases.filter(department=data["department"])
    if data["received_from"]:
        cases = cases.filter(received_on__gte=data["received_from"])
    if data["received_to"]:
        cases = cases.filter(received_on__lte=data["received_to"])
    words = data["q"].strip()
    if words:
        cases = cases.filter(
            Q(tracking_number__icontains=words)
            | Q(applicant_name__icontains=words)
            | Q(content__icontains=words)
        )
    tab = data["tab"]
    if tab and tab != "all":
        if tab == "due_soon" and due_soon_limit(day) is None:
            messages.warning(request, CALENDAR_MISSING)
        cases = cases.filter(tab_filters(day)[tab])
        if tab in ("due_soon", "overdue"):
            cases = cases.order_by("due_on", "id")
    return cases


# ---- detail --------------------------------------------------------------------------


@login_required
def case_detail(request, tracking_number):
    if not Membership.objects.filter(user=request.user).exists():
        return _no_access(request)
    case, roles = _case_for(request, tracking_number)
    full = bool(roles & FULL_VIEW_ROLES)
    if full:
        # Every full view of personal data is recorded in the case's audit trail.
        CaseEvent.objects.create(
            case=case,
            kind=EventKind.VIEW_APPLICANT,
            actor=request.user,
            data={"on": today().isoformat()},
        )
        audit.info(
            "applicant data viewed in full: case=%s user=%s",
            case.tracking_number,
            request.user.get_username(),
        )
    consultations = list(case.consultations.all())
    day = today()
    deadline = deadline_error = None
    try:
        deadline = workflow.deadline_of(case, today=day, consultations=consultations)
    except workflow.WorkflowError as error:
        deadline_error = str(error)
    applicant = {
        "name": case.applicant_name if full else mask_name(case.applicant_name),
        "id_document": case.applicant_id_document
        if full
        else mask_middle(case.applicant_id_document),
        "contact": case.applicant_contact if full else mask_middle(case.applicant_contact),
        "address": case.applicant_address
        if full
        else ("（已隐藏）" if case.applicant_address else ""),
    }
    can_assign = Role.OFFICE in roles and case.status in (Status.REGISTERED, Status.ASSIGNED)
    context = {
        "case": case,
        "applicant": applicant,
        "full": full,
        "deadline": deadline,
        "deadline_error": deadline_error,
        "consultations": consultations,
        "events": CaseEvent.objects.filter(case=case).select_related("actor").order_by("at", "id"),
        "assign_form": AssignForm(agency=case.agency) if can_assign else None,
        "today": day,
    }
    return render(request, "cases/detail.html", context)


@login_required
@require_POST
def case_assign(request, tracking_number):
    """分办 (or 改派 when already assigned) through the workflow; errors shown in Chinese."""
    if not Membership.objects.filter(user=request.user).exists():
        return _no_access(request)
    case, _roles = _case_for(request, tracking_number)
    form = AssignForm(request.POST, agency=case.agency)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("cases:detail", tracking_number=case.tracking_number)
    department = form.cleaned_data["department"]
    step = workflow.reassign if case.status == Status.ASSIGNED else workflow.assign
    try:
        step(case, by=request.user, department=department, on=today())
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"已将申请 {case.tracking_number} 交由“{department.name}”承办。")
    return redirect("cases:detail", tracking_number=case.tracking_number)


# ---- dashboard -----------------------------------------------------------------------


@login_required
def dashboard(request):
    memberships = _memberships(request)
    if not memberships:
        return _no_access(request)
    day = today()
    soon_until = due_soon_limit(day)
    tabs = tab_filters(day, soon_until)
    counts = {
        "open": Count("id", filter=Q(status__in=OPEN_STATUSES)),
        **{name: Count("id", filter=q) for name, q in tabs.items()},
    }
    cases = visible_cases(memberships)
    totals = cases.aggregate(**counts)
    by_department = list(
        cases.filter(status__in=OPEN_STATUSES)
        .values("department_id", "department__name", "agency__name")
        .annotate(**counts)
        .order_by("agency__name", "department__name")
    )
    context = {
        "totals": totals,
        "by_department": by_department,
        "today": day,
        "due_soon_until": soon_until,
        "calendar_missing": CALENDAR_MISSING if soon_until is None else None,
    }
    return render(request, "cases/dashboard.html", context)
