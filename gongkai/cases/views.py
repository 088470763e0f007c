"""依申请公开 pages for staff: case list, case page with a form for every workflow
step, 登记 with duplicate detection, deadline dashboard, 年报表三、表四.

Who sees what follows Membership.objects.acting_on: a handler (承办部门) reaches
only its own department's cases, every other role the whole agency. A user with
no membership gets a 403 page that says why. Time-based views (due soon, overdue,
paused) are computed from the stored due dates against `today()`, which tests
replace; nothing here reads the clock directly.

Which step forms a user sees is derived from workflow.TRANSITIONS and
workflow.ROLES (never restated here); the workflow function stays the guard and
its WorkflowError is shown as the message.
"""

import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import Left
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gongkai import personal_data, spreadsheets
from gongkai.agencies.models import (
    PERSONAL_DATA_ROLES,
    Agency,
    Department,
    Membership,
    Role,
    reach,
)
from gongkai.cases import duplicates, exports, forms, privacy, stats, workflow
from gongkai.cases.forms import TABS, CaseFilterForm, RegisterForm, ReportForm
from gongkai.cases.models import (
    OPEN_STATUSES,
    OPINION_STEPS,
    ApplicantType,
    BusinessType,
    Case,
    CaseEvent,
    CaseQuerySet,
    EventKind,
    Outcome,
    Proposal,
    Status,
    due_soon_windows,
)
from gongkai.reports import checks, findings
from gongkai.reports import tables as report_tables
from gongkai.reports.render import FORMATS, htmlfmt, layout
from gongkai.reports.render import render as render_report

audit = logging.getLogger("gongkai.audit")

PAGE_SIZE = 50
# The list counts at most this many rows (+1 to know there are more): a COUNT(*) over
# a million cases would cost more than the page itself. Above it the list says
# "超过1000件" and offers its first 20 pages (50 a page); a clerk narrows the filters
# rather than paging further. At 1,000,000 cases, counting to 10,001 cost a text search
# ten times the heap rows of counting to 1,001 (gongkai/bench/cases.py, issue 14).
COUNT_CAP = 1_000
# A text search counts at most this many: its rows come from the trigram indexes and a
# count visits every matching row, so counting a common word to 1,001 among a million
# cases was the list's slowest request (bench); past 200 hits a clerk refines the words.
SEARCH_COUNT_CAP = 200
# Roles that see the applicant's personal data in full (the others see it masked).
FULL_VIEW_ROLES = PERSONAL_DATA_ROLES
NO_MEMBERSHIP = (
    "您的账号还没有分配到任何机关或部门，因此不能查看依申请公开的申请。"
    "请联系本机关的系统管理员，为您设置所属机关、部门和角色。"
)


NO_CASEWORK = (
    "您的角色（信息员）负责主动公开，不办理依申请公开的申请，因此不能查看申请、"
    "申请人信息、附件和文书。如工作需要，请联系本机关的系统管理员调整角色。"
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
    """The user's casework memberships (an 信息员 has none: least privilege)."""
    return Membership.objects.of(request.user)


def visible_cases(memberships, user=None):
    """The cases these memberships reach (CaseQuerySet.visible_to)."""
    return Case.objects.visible_to(user, memberships=memberships)


def visible_departments(memberships):
    agencies, departments = reach(memberships)
    return (
        Department.objects.filter(Q(agency_id__in=agencies) | Q(pk__in=departments))
        .select_related("agency")
        .order_by("agency__code", "name")
    )


def _no_access(request):
    has_other = Membership.objects.filter(user=request.user).exists()
    reason = NO_CASEWORK if has_other else NO_MEMBERSHIP
    return render(request, "cases/no_access.html", {"reason": reason}, status=403)


def case_for(user, tracking_number):
    """(case, roles) if `user` may act on the case; 404 otherwise (its existence is not
    revealed). Used by the case pages and 督办."""
    case = get_object_or_404(
        Case.objects.select_related("agency", "department"), tracking_number=tracking_number
    )
    roles = Membership.objects.roles_reaching(user, case.agency_id, case.department_id)
    if not roles:
        raise Http404("没有找到这件申请，或您无权查看。")
    return case, roles


def _case_for(request, tracking_number):
    return case_for(request.user, tracking_number)


# ---- time-based views ----------------------------------------------------------------


CALENDAR_MISSING = (
    "工作日历尚未载入，无法计算“三个工作日内到期”。"
    "请管理员运行 gongkai calendar load 载入节假日安排。"
)


def _windows(memberships, day):
    """{agency id: last day of the 三个工作日内到期 window} of the agencies these
    memberships reach (cases.models.due_soon_window: each agency's own calendar)."""
    agency_ids = {m["agency_id"] for m in memberships}
    return due_soon_windows(Agency.objects.filter(pk__in=agency_ids), day)


def _identity_q(words):
    """Exact search by a telephone number, an e-mail address or an ID number typed in the
    search box, through the indexed keys the 重复申请 check uses (duplicates.first_key,
    the ID's search digest): found whatever way it was written ("138 0013 8000",
    "Li@Example.com"). Like a name, only for roles that see applicants in full."""
    q = Q(pk__in=[])
    if phone := duplicates.first_key(words, "phone"):
        q |= Q(applicant_phone=phone)
    if email := duplicates.first_key(words, "email"):
        q |= Q(applicant_email=email)
    key = duplicates.id_key(words)
    if re.fullmatch(r"[0-9A-Z]{8,20}", key) and sum(c.isdigit() for c in key) >= 6:
        q |= Q(applicant_id_digest=personal_data.digest(words))  # an ID or passport number
    return q


def tab_filters(day, windows):
    """{tab: Q} for the quick tabs, relative to `day` (CaseQuerySet.conditions)."""
    conditions = CaseQuerySet.conditions(day, windows)
    return {tab: conditions[tab] for tab in ("due_soon", "overdue", "paused")}


# ---- list ----------------------------------------------------------------------------


class CappedPaginator(Paginator):
    """A Paginator whose count stops at `cap` + 1 rows (a LIMITed subquery);
    `capped` says there are more. Pages beyond the cap are not offered."""

    cap = COUNT_CAP

    def __init__(self, object_list, per_page, *, cap=None):
        super().__init__(object_list, per_page)
        if cap is not None:
            self.cap = cap

    @cached_property
    def count(self):
        return self.object_list.order_by()[: self.cap + 1].count()

    @property
    def capped(self):
        return self.count > self.cap

    @cached_property
    def num_pages(self):
        return max(1, math.ceil(min(self.count, self.cap) / self.per_page))


# The fields a list row shows (the rest, the encrypted ID document included, not read).
LIST_ROW_FIELDS = (
    "tracking_number",
    "applicant_type",
    "applicant_name",
    "received_on",
    "business_type",
    "department__name",
    "status",
    "due_on",
)


def page_rows(page_cases):
    """The cases of one list page, in the page's order, read in two steps: first the
    page's ids alone — on PostgreSQL an index-only scan of the index matching the
    filters and the order, which carries the filtered columns (migration 0012) — then
    those rows with only the fields a row shows."""
    ids = list(page_cases.values_list("pk", flat=True))
    found = (
        Case.objects.filter(pk__in=ids).select_related("department").only(*LIST_ROW_FIELDS)
    ).in_bulk()
    return [found[pk] for pk in ids if pk in found]


@dataclass(frozen=True)
class ListRow:
    """One row of the case list, every cell already the text it shows (the template
    only prints: at 50 rows a page, resolving methods and filters there cost more than
    the page's queries)."""

    url: str
    tracking_number: str
    name: str
    applicant_type: str
    received: str
    business: str
    department: str
    status: str
    due: str
    overdue: bool


def list_rows(cases, day):
    names = BusinessType.names()
    return [
        ListRow(
            url=reverse("cases:detail", args=[case.tracking_number]),
            tracking_number=case.tracking_number,
            name=list_name(case),
            applicant_type=case.get_applicant_type_display(),
            received=case.received_on.isoformat() if case.received_on else "",
            business=names.get(case.business_type, ""),
            department=case.department.name if case.department else "未分办",
            status=case.get_status_display(),
            due=case.due_on.isoformat() if case.due_on else "—",
            overdue=case.is_overdue(day),
        )
        for case in cases
    ]


@login_required
def case_list(request):
    memberships = _memberships(request)
    if not memberships:
        return _no_access(request)
    form, cases, tab, day = _listed(request, memberships)
    searched = form.is_valid() and bool(form.cleaned_data["q"])  # a CharField: stripped
    paginator = CappedPaginator(cases, PAGE_SIZE, cap=SEARCH_COUNT_CAP if searched else None)
    page = paginator.get_page(request.GET.get("page"))
    rows = list_rows(page_rows(page.object_list), day)
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
        "full_export": any(m["role"] in FULL_VIEW_ROLES for m in memberships),
        "today": day,
    }
    return render(request, "cases/list.html", context, status=400 if form.errors else 200)


def _listed(request, memberships):
    """(filter form, the cases it selects, tab, today) for the list and its exports."""
    form = CaseFilterForm(request.GET or None, departments=visible_departments(memberships))
    cases = visible_cases(memberships).select_related("agency", "department")
    tab = "all"
    day = today()
    if form.is_bound:
        if form.is_valid():
            tab = form.cleaned_data["tab"] or "all"
            cases = _apply_filters(request, cases, form.cleaned_data, day, memberships)
        else:  # never show an unfiltered list as if it were the answer
            cases = cases.none()
    return form, cases, tab, day


EXPORT_BATCH = 2000  # rows read at a time
FULL_EXPORT_REFUSED = (
    "您的角色只能导出隐藏了个人信息的申请登记簿。完整的登记簿（含申请人姓名、身份证件号码、"
    "联系方式）只有登记、政务公开办、工作机构负责人、分管领导和系统管理员可以导出。"
)


@login_required
def case_export(request, fmt):
    """The 申请登记簿 (every registered field) for the list's current filters, as CSV
    or XLSX; personal data masked unless ?full=1 by a role that sees it in full."""
    if fmt not in spreadsheets.FORMATS:
        raise Http404("不支持的导出格式。")
    memberships = _memberships(request)
    if not memberships:
        return _no_access(request)
    form, cases, _tab, day = _listed(request, memberships)
    if form.is_bound and not form.is_valid():
        messages.error(request, "筛选条件有误，请按提示改正后再导出。")
        return redirect(f"{reverse('cases:list')}?{request.GET.urlencode()}")
    full = request.GET.get("full") == "1"
    rows = cases.iterator(chunk_size=EXPORT_BATCH)
    if full:
        agencies = {m["agency_id"] for m in memberships if m["role"] in FULL_VIEW_ROLES}
        if not agencies:
            return render(
                request, "cases/no_access.html", {"reason": FULL_EXPORT_REFUSED}, status=403
            )
        rows = privacy.recorded(
            cases.filter(agency_id__in=agencies).iterator(chunk_size=EXPORT_BATCH),
            request.user,
            privacy.EXPORT,
            on=day,
        )
    columns = exports.columns(full=full, mask_name=mask_name, mask_middle=mask_middle)
    name = f"申请登记簿-{day.isoformat()}"
    return spreadsheets.response(fmt, name, "申请登记簿", columns, rows)


def _apply_filters(request, cases, data, day, memberships):
    for name in ("status", "business_type", "applicant_type", "channel"):
        if data[name]:
            cases = cases.filter(**{name: data[name]})
    if data["department"]:
        cases = cases.filter(department=data["department"])
    if data["received_from"]:
        cases = cases.filter(received_on__gte=data["received_from"])
    if data["received_to"]:
        cases = cases.filter(received_on__lte=data["received_to"])
    words = data["q"]  # stripped by the form's CharField
    if words:
        # A person's name is searched only where the user sees names in full: a role
        # that sees "王*" must not confirm a full name by searching it (issue 13 #3).
        full = {m["agency_id"] for m in memberships if m["role"] in FULL_VIEW_ROLES}
        name_visible = Q(agency_id__in=full) | ~Q(applicant_type=ApplicantType.NATURAL_PERSON)
        cases = cases.filter(
            Q(tracking_number__icontains=words)
            | ((Q(applicant_name__icontains=words) | _identity_q(words)) & name_visible)
            | Q(content__icontains=words)
        )
    tab = data["tab"]
    if tab and tab != "all":
        windows = _windows(memberships, day) if tab == "due_soon" else {}
        if tab == "due_soon" and len(windows) < len({m["agency_id"] for m in memberships}):
            messages.warning(request, CALENDAR_MISSING)
        cases = cases.filter(tab_filters(day, windows)[tab])
        if tab in ("due_soon", "overdue"):
            cases = cases.order_by("due_on", "id")
    return cases


# ---- the opinion trail (issue 14 part 2) -------------------------------------------------


@dataclass(frozen=True)
class Opinion:
    at: object
    step: str  # 拟办 / 法制审查 / 保密审查 / 审核 / 审批 / 退回 …
    role: str  # the role's Chinese name, or ""
    actor: str
    verdict: str  # 同意 / 退回 / the drafted outcome
    text: str  # the opinion, reason or legal basis
    returned: bool

    @property
    def remark(self):
        """The opinion beyond its verdict: "" when it is only the default 同意 (the
        printed sheet says "通过。", not "通过：同意。")."""
        return "" if self.text == workflow.AGREED else self.text


def _opinion(event):
    data = event.data or {}
    role = Role(data["role"]).label if data.get("role") in Role.values else ""
    actor = event.actor.get_full_name() or event.actor.get_username() if event.actor else "系统"
    kind, step = event.kind, EventKind(event.kind).label
    if kind == EventKind.DRAFT_DECISION:
        outcome = data.get("outcome", "")
        verdict = Outcome(outcome).label if outcome in Outcome.values else outcome
        parts = (("事实和理由", data.get("reasons", "")), ("法律依据", data.get("legal_basis", "")))
        text = "\n".join(f"{label}：{value}" for label, value in parts if value)
        return Opinion(event.at, "拟办意见", role or "承办部门", actor, verdict, text, False)
    if kind == EventKind.REVIEW:
        step = Role(workflow.REVIEW_ROLES[data.get("review", "legal")]).label
        passed = data.get("passed", False)
        return Opinion(
            event.at,
            step,
            step,
            actor,
            "通过" if passed else "退回",
            data.get("comments", ""),
            not passed,
        )
    if kind == EventKind.RETURN:
        return Opinion(event.at, "审批退回", role, actor, "退回", data.get("comments", ""), True)
    if kind in (EventKind.PROPOSE_CORRECTION, EventKind.PROPOSE_EXTENSION):
        what = "申请告知补正" if kind == EventKind.PROPOSE_CORRECTION else "申请延期答复"
        text = data.get("comments", "")
        if data.get("items"):
            text = f"{text}；拟补正事项：{data['items']}"
        return Opinion(event.at, step, role or "承办部门", actor, what, text, False)
    if kind == EventKind.HAND_BACK:
        return Opinion(
            event.at, step, role or "承办部门", actor, "退回改派", data.get("comments", ""), True
        )
    if kind == EventKind.DECLINE_PROPOSAL:
        return Opinion(event.at, step, role, actor, "不同意", data.get("comments", ""), True)
    if kind == EventKind.APPROVE_EXTENSION:
        return Opinion(
            event.at, step, "工作机构负责人", actor, "同意延期", data.get("reason", ""), False
        )
    return Opinion(event.at, step, role, actor, "同意", data.get("comments", ""), False)


# The rows of the printable 办理审批表, in signing order: (title, the opinion steps that
# fill it). The latest opinion of each row is printed; an empty row is left to sign.
SHEET_ROWS = (
    ("承办部门拟办意见", ("拟办意见",)),
    ("法制审查意见", ("法制审查",)),
    ("保密审查意见", ("保密审查",)),
    ("工作机构负责人审核意见", ("审核同意，报分管领导",)),
    ("领导审批意见", ("审批", "审批退回")),
)


@login_required
def case_sheet(request, tracking_number):
    """办理审批表: a printable page with the case's facts and its opinion trail, for
    offices that still sign on paper. The applicant appears as in the list (masked)."""
    if not Membership.objects.filter(user=request.user).exists():
        return _no_access(request)
    case, _roles = _case_for(request, tracking_number)
    trail = opinion_trail(case)
    rows = []
    for title, steps in SHEET_ROWS:
        latest = [o for o in trail if o.step in steps]
        rows.append((title, latest[-1] if latest else None))
    context = {
        "case": case,
        "applicant": list_name(case),
        "business": BusinessType.names().get(case.business_type, ""),
        "rows": rows,
        "trail": trail,
        "today": today(),
    }
    return render(request, "cases/sheet.html", context)


def _event_groups(case):
    """The 办理记录: the case's steps, and apart from them the recorded views of the
    applicant's personal data (privacy.record_view), which the page folds away (issue 14
    part 7): they stay recorded and visible, but do not bury the steps."""
    events = CaseEvent.objects.filter(case=case).select_related("actor").order_by("at", "id")
    steps, views = [], []
    for event in events:
        if event.kind == EventKind.VIEW_APPLICANT:
            what = (event.data or {}).get("what", "")
            event.what_label = privacy.WHAT_LABELS.get(what, what)
            views.append(event)
        else:
            steps.append(event)
    return {"events": steps, "view_events": views}


def opinion_trail(case):
    """Every opinion on the case's drafts, oldest first: who, in which role, when, what."""
    events = (
        CaseEvent.objects.filter(case=case, kind__in=OPINION_STEPS)
        .select_related("actor")
        .order_by("at", "id")
    )
    return [_opinion(e) for e in events]


# ---- workflow steps from the case page -------------------------------------------------

K = EventKind
STALE = "该申请已被他人处理（当前状态：{status}），请刷新后重试。"
DENIAL_NOTE = (
    "本件拟作不予公开答复：须经分管领导审批，工作机构负责人不能批准"
    "（可审核同意、报分管领导，或退回修改）。"
)


def _always(case, day):
    return True


@dataclass(frozen=True)
class Action:
    """One workflow step offered on the case page.

    key: the URL slug; step: the EventKind whose TRANSITIONS / ROLES entry decides
    who may take it from which status; run(case, user, data, day) calls the workflow
    function; roles: only for steps whose roles the workflow keys differently
    (reviews); when(case, day): facts beyond the status (e.g. no 补正 asked yet).
    """

    key: str
    step: str
    form: type
    run: Callable
    title: str = ""
    roles: frozenset = frozenset()
    when: Callable = _always
    done: Callable | None = None  # the success message for the resulting case

    @property
    def label(self):
        return self.title or K(self.step).label

    def needed_roles(self):
        return self.roles or workflow.ROLES[self.step]

    def permitted(self, case, roles):
        """The user's roles and the case's status allow the step (TRANSITIONS, ROLES)."""
        sources = workflow.TRANSITIONS[self.step][0]
        return bool(sources) and case.status in sources and bool(roles & self.needed_roles())

    def offered(self, case, roles, day):
        return self.permitted(case, roles) and self.when(case, day)

    def make_form(self, case, day, data=None, **kwargs):
        return self.form(data, case=case, today=day, action=self.key, **kwargs)


def _review(kind):
    def run(case, user, d, day):
        passed = d["decision"] == "pass"
        return workflow.review(
            case, by=user, kind=kind, passed=passed, on=day, comments=d["comments"]
        )

    return run


ACTION_LIST = [
    Action(
        "confirm",
        K.CONFIRM,
        forms.ConfirmForm,
        lambda c, u, d, day: workflow.confirm(c, by=u, on=d["on"]),
    ),
    Action(
        "request_correction",
        K.REQUEST_CORRECTION,
        forms.CorrectionRequestForm,
        lambda c, u, d, day: workflow.request_correction(
            c, by=u, on=d["on"], items=d["items"], correction_due_on=d["correction_due_on"]
        ),
        when=lambda c, day: c.may_request_correction(),
    ),
    Action(
        "record_correction",
        K.RECORD_CORRECTION,
        forms.RecordCorrectionForm,
        lambda c, u, d, day: workflow.record_correction(c, by=u, on=d["on"]),
    ),
    Action(
        "lapse_correction",
        K.LAPSE_CORRECTION,
        forms.PlainStepForm,
        lambda c, u, d, day: workflow.lapse_correction(c, by=u, on=day),
        title="逾期未补正，终结办理",
        when=lambda c, day: c.correction_lapsed(day),
    ),
    Action(
        "assign",
        K.ASSIGN,
        forms.AssignForm,
        lambda c, u, d, day: workflow.assign(c, by=u, department=d["department"], on=day),
        done=lambda c: f"已将申请 {c.tracking_number} 交由“{c.department.name}”承办。",
    ),
    Action(
        "reassign",
        K.REASSIGN,
        forms.AssignForm,
        lambda c, u, d, day: workflow.reassign(c, by=u, department=d["department"], on=day),
        done=lambda c: f"已将申请 {c.tracking_number} 改派“{c.department.name}”承办。",
    ),
    # The handling department's requests to the 工作机构负责人 (part 5); the same Case
    # predicates guard the workflow functions.
    Action(
        "propose_correction",
        K.PROPOSE_CORRECTION,
        forms.ProposeCorrectionForm,
        lambda c, u, d, day: workflow.propose_correction(
            c, by=u, on=day, items=d["items"], reason=d["reason"]
        ),
        title="申请告知补正（报工作机构负责人）",
        when=lambda c, day: c.may_propose_correction(),
    ),
    Action(
        "propose_extension",
        K.PROPOSE_EXTENSION,
        forms.ProposeExtensionForm,
        lambda c, u, d, day: workflow.propose_extension(c, by=u, on=day, reason=d["reason"]),
        title="申请延期答复（报工作机构负责人）",
        when=lambda c, day: c.may_propose_extension(day),
    ),
    Action(
        "hand_back",
        K.HAND_BACK,
        forms.HandBackForm,
        lambda c, u, d, day: workflow.hand_back(c, by=u, on=day, reason=d["reason"]),
        title="退回改派",
        when=lambda c, day: c.may_propose(),
    ),
    Action(
        "approve_correction",
        K.APPROVE_CORRECTION,
        forms.ApproveCorrectionForm,
        lambda c, u, d, day: workflow.approve_correction(
            c,
            by=u,
            on=d["on"],
            items=d["items"],
            correction_due_on=d["correction_due_on"],
            comments=d["comments"],
        ),
        when=lambda c, day: c.proposal_pending(Proposal.CORRECTION),
    ),
    Action(
        "decline_proposal",
        K.DECLINE_PROPOSAL,
        forms.DeclineForm,
        lambda c, u, d, day: workflow.decline_proposal(c, by=u, on=day, comments=d["comments"]),
        when=lambda c, day: not c.may_propose(),
    ),
    Action(
        "consult",
        K.CONSULT,
        forms.ConsultForm,
        lambda c, u, d, day: workflow.consult(
            c, by=u, party=d["party"], addressee=d["addressee"], on=d["on"]
        ),
    ),
    Action(
        "record_consultation_answer",
        K.RECORD_CONSULTATION_ANSWER,
        forms.ConsultationAnswerForm,
        lambda c, u, d, day: workflow.record_consultation_answer(
            d["consultation"], by=u, on=d["on"], answer=d["answer"]
        ),
    ),
    Action(
        "draft_decision",
        K.DRAFT_DECISION,
        forms.DraftForm,
        lambda c, u, d, day: workflow.draft_decision(
            c,
            by=u,
            outcome=d["outcome"],
            legal_basis=d["legal_basis"],
            reasons=d.get("reasons", ""),
            on=day,
        ),
        title="拟办（拟定答复意见）",
    ),
    *(
        Action(
            f"review_{kind}",
            K.REVIEW,
            forms.ReviewForm,
            _review(kind),
            title=Role(role).label,
            roles=frozenset({role}),
            when=lambda c, day, flag=workflow.REVIEW_FLAGS[kind]: c.may_review(flag),
        )
        for kind, role in workflow.REVIEW_ROLES.items()
    ),
    Action(
        "endorse",
        K.ENDORSE,
        forms.EndorseForm,
        lambda c, u, d, day: workflow.endorse(c, by=u, on=day, comments=d["comments"]),
        when=lambda c, day: Outcome.is_denial(c.outcome),
    ),
    Action(
        "approve",
        K.APPROVE,
        forms.ApproveForm,
        lambda c, u, d, day: workflow.approve(c, by=u, on=day, comments=d["comments"]),
    ),
    Action(
        "return",
        K.RETURN,
        forms.ReturnForm,
        lambda c, u, d, day: workflow.return_for_revision(c, by=u, on=day, comments=d["comments"]),
    ),
    Action(
        "approve_extension",
        K.APPROVE_EXTENSION,
        forms.ExtensionForm,
        lambda c, u, d, day: workflow.approve_extension(
            c, by=u, on=day, reason=d["reason"], notified_on=d["notified_on"]
        ),
        title="批准延期答复",
        when=lambda c, day: c.may_extend(day),
    ),
    Action(
        "notify_fee",
        K.NOTIFY_FEE,
        forms.FeeNoticeForm,
        lambda c, u, d, day: workflow.notify_fee(
            c, by=u, on=d["on"], amount=d["amount"], basis=d["basis"]
        ),
        when=lambda c, day: c.may_notify_fee(),
    ),
    Action(
        "record_fee",
        K.RECORD_FEE,
        forms.RecordFeeForm,
        lambda c, u, d, day: workflow.record_fee(c, by=u, on=d["on"]),
        when=lambda c, day: c.fee_unpaid(),
    ),
    Action(
        "lapse_fee",
        K.LAPSE_FEE,
        forms.PlainStepForm,
        lambda c, u, d, day: workflow.lapse_fee(c, by=u, on=day),
        title="逾期未缴费，终结办理",
        when=lambda c, day: c.fee_lapsed(day),
    ),
    Action(
        "reply", K.REPLY, forms.ReplyForm, lambda c, u, d, day: workflow.reply(c, by=u, on=d["on"])
    ),
    Action(
        "deliver",
        K.DELIVER,
        forms.DeliverForm,
        lambda c, u, d, day: workflow.deliver(
            c, by=u, method=d["method"], on=d["on"], ems=d["ems"], email=d["email"]
        ),
    ),
    Action(
        "record_signature",
        K.RECORD_SIGNATURE,
        forms.SignatureForm,
        lambda c, u, d, day: workflow.record_signature(c, by=u, on=day, signed_on=d["signed_on"]),
        title="登记邮寄签收",
        when=lambda c, day: c.may_record_signature(),
    ),
    Action(
        "withdraw",
        K.WITHDRAW,
        forms.WithdrawForm,
        lambda c, u, d, day: workflow.withdraw(c, by=u, on=d["on"], reason=d["reason"]),
    ),
    Action(
        "archive",
        K.ARCHIVE,
        forms.PlainStepForm,
        lambda c, u, d, day: workflow.archive(c, by=u, on=day),
    ),
]
ACTIONS = {a.key: a for a in ACTION_LIST}
# Shown next to each open consultation instead of in the list of steps.
PER_CONSULTATION = "record_consultation_answer"


def _notes(action, case, day):
    """Short Chinese explanations shown with a step's form."""
    notes = []
    if action.key == "approve" and Outcome.is_denial(case.outcome):
        notes.append(DENIAL_NOTE)
    if action.key == "approve_extension" and case.original_due_on:
        notes.append(
            f"原答复期限 {case.original_due_on}；延长不超过20个工作日，须在期限届满前批准，"
            "并告知申请人（条例第三十三条第二款）。"
        )
    if action.key == "record_correction" and case.correction_due_on:
        notes.append(f"补正期限：{case.correction_due_on}。")
    if action.key == "lapse_correction":
        notes.append(
            f"补正期限 {case.correction_due_on} 已过，申请人未补正的，视为放弃申请（条例第三十条）。"
        )
    if action.key == "lapse_fee":
        notes.append(f"缴费期限 {case.fee_due_on} 已过，申请人未缴费的，不再处理其申请。")
    if action.key == "record_fee":
        notes.append(f"收费金额 {case.fee_amount} 元，缴费期限 {case.fee_due_on}。")
    if action.key.startswith("review_") and case.outcome:
        notes.append(f"拟办结果：{case.get_outcome_display()}；法律依据：{case.legal_basis}")
    if action.key in ("approve_correction", "decline_proposal") and case.proposal:
        notes.append(f"承办部门{case.get_proposal_display()}：{case.proposal_reason}")
    if action.key == "approve_extension" and case.proposal == Proposal.EXTENSION:
        notes.append(f"承办部门申请延期，理由：{case.proposal_reason}")
    if action.key == "hand_back":
        notes.append("退回后申请回到政务公开办，由其重新分办（改派）；答复期限照常计算。")
    if action.key == "deliver":
        notes.append(
            "电子送达：已签发的答复书（PDF）和标为答复附件的材料将发布在申请人的“办理进度查询”页面，"
            "填写电子邮箱的同时发送邮件。邮寄送达：交邮之日为送达日期，签收后登记签收日期。"
        )
    if action.key == "withdraw":
        notes.append("撤回后本申请终结，年度报告计入“其他处理”。")
    return notes


@dataclass
class ShownForm:
    """A step form as the case page shows it."""

    action: Action
    form: object
    url: str
    notes: list
    anchor: str = ""
    title: str = ""

    def __post_init__(self):
        self.anchor = self.anchor or f"action-{self.action.key}"
        self.title = self.title or self.action.label

    @property
    def hidden(self):
        skip = self.form.button_field
        return [f for f in self.form.hidden_fields() if f.name != skip]

    @property
    def visible(self):
        return self.form.visible_fields()


def _action_url(case, key):
    return reverse("cases:act", args=[case.tracking_number, key])


def step_forms(case, roles, day, consultations, *, bound=None, initial=None):
    """(forms for the steps list, {consultation pk: form}) the user may take now."""
    bound = bound or {}
    shown, per_consultation = [], {}
    for action in ACTION_LIST:
        if not action.offered(case, roles, day):
            continue
        if action.key == PER_CONSULTATION:
            for c in consultations:
                if c.answered_on is None:
                    key = (action.key, c.pk)
                    form = bound.get(key) or action.make_form(
                        case, day, initial={"consultation": c.pk}
                    )
                    form.auto_id = f"id_answer{c.pk}_%s"
                    per_consultation[c.pk] = ShownForm(
                        action,
                        form,
                        _action_url(case, action.key),
                        [],
                        anchor=f"answer-{c.pk}",
                        title=f"登记{c.addressee}的意见",
                    )
            continue
        form = bound.get((action.key, None)) or action.make_form(
            case, day, initial=(initial or {}).get(action.key, {})
        )
        shown.append(
            ShownForm(action, form, _action_url(case, action.key), _notes(action, case, day))
        )
    return shown, per_consultation


# ---- duplicates -----------------------------------------------------------------------

CANDIDATE_LIMIT = 2000  # most recent cases compared (newest first)
COMPARED_CHARS = 1000  # contents are compared on their first characters


def _same_applicant_q(applicant):
    """The cases of the same applicant, by the indexed keys (duplicates.same_applicant
    decides again on the rows): the identity document's search digest, or a telephone
    number or e-mail address in common, normalised alike for every channel."""
    q = Q(pk__in=[])
    if duplicates.id_key(applicant.id_document):  # encrypted: exact search by its digest
        q |= Q(applicant_id_digest=personal_data.digest(applicant.id_document))
    for kind, key in duplicates.contact_keys(applicant.contact):
        q |= Q(**{f"applicant_{kind}": key})
    return q


def duplicate_candidates(
    cases, content, applicant, day, *, exclude=None, only_repeats=False, limit=duplicates.MAX_SHOWN
):
    """Up to `limit` duplicates.Match of other cases among `cases` (one agency's
    visible cases) received in the 12 months before or after `day` (a letter posted
    before an online request may be registered after it); the newest CANDIDATE_LIMIT
    are compared. Each match's ref is a dict of the case's columns."""
    start, end = duplicates.window_start(day), duplicates.window_end(day)
    window = Q(received_on__gte=start, received_on__lte=end) | Q(
        received_on__isnull=True, submitted_on__gte=start, submitted_on__lte=end
    )
    rows = cases.filter(window)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    if only_repeats:
        rows = rows.filter(_same_applicant_q(applicant))
    rows = (
        rows.annotate(head=Left("content", COMPARED_CHARS))
        .order_by("-received_on", "-id")
        .values(
            "pk",
            "tracking_number",
            "head",
            "applicant_name",
            "applicant_id_document",
            "applicant_contact",
            "received_on",
            "submitted_on",
            "status",
            "replied_on",
        )[:CANDIDATE_LIMIT]
    )
    candidates = (
        (
            r["head"],
            duplicates.Applicant(
                r["applicant_name"], r["applicant_id_document"], r["applicant_contact"]
            ),
            r["received_on"] or r["submitted_on"],
            {**r, "status_label": Status(r["status"]).label},
        )
        for r in rows
    )
    matches = duplicates.rank(content[:COMPARED_CHARS], applicant, day, candidates, limit=limit)
    if only_repeats:
        matches = [m for m in matches if m.kind == duplicates.REPEAT]
    return matches


def _applicant_of(case):
    return duplicates.Applicant(
        case.applicant_name, case.applicant_id_document, case.applicant_contact
    )


def _duplicate_draft(match):
    """The 不予处理：重复申请 draft offered for a repeat of an answered request (Art. 36(六))."""
    ref = match.ref
    basis = (
        f"{forms.LEGAL_BASIS[Outcome.NOT_PROCESSED_DUPLICATE]}：本机关已于{ref['replied_on']}"
        f"就申请人的同一申请（受理编号 {ref['tracking_number']}）作出答复。"
    )
    reasons = (
        f"申请人此前提出的相同申请（受理编号 {ref['tracking_number']}）本机关已于"
        f"{ref['replied_on']}作出答复，本次申请的是相同的政府信息。"
    )
    return {"outcome": Outcome.NOT_PROCESSED_DUPLICATE, "legal_basis": basis, "reasons": reasons}


# ---- detail --------------------------------------------------------------------------


@login_required
def case_detail(request, tracking_number):
    if not _memberships(request):
        return _no_access(request)
    case, roles = _case_for(request, tracking_number)
    return _render_detail(request, case, roles, offer=request.GET.get("draft"))


def _render_detail(request, case, roles, *, bound=None, offer=None, status=200):
    full = bool(roles & FULL_VIEW_ROLES)
    if full:
        # Every full view of personal data is recorded in the case's audit trail.
        privacy.record_view(case, request.user, privacy.CASE_PAGE, on=today())
    consultations = list(case.consultations.all())
    day = today()
    deadline = deadline_error = None
    if case.received_on is not None:  # 待确认: no clock runs until confirmed (Art. 31)
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
        "email": case.delivery_email if full else mask_middle(case.delivery_email),
    }
    repeats = []
    if case.is_open():
        visible = visible_cases(_memberships(request)).filter(agency=case.agency)
        repeats = duplicate_candidates(
            visible,
            case.content,
            _applicant_of(case),
            case.received_on or case.submitted_on,
            exclude=case.pk,
            only_repeats=True,
        )
    answered = [m for m in repeats if m.ref["replied_on"]]
    initial = {}
    if offer == "duplicate" and answered:
        initial["draft_decision"] = _duplicate_draft(answered[0])
    shown, answer_forms = step_forms(case, roles, day, consultations, bound=bound, initial=initial)
    by_key = {s.action.key: s for s in shown}
    assign = by_key.get("assign") or by_key.get("reassign")
    context = {
        "case": case,
        "applicant": applicant,
        "full": full,
        "deadline": deadline,
        "deadline_error": deadline_error,
        "consultations": [(c, answer_forms.get(c.pk)) for c in consultations],
        **_event_groups(case),
        "opinions": opinion_trail(case),
        "assign_form": assign.form if assign else None,
        "steps": shown,
        "repeats": repeats,
        "can_draft_duplicate": bool(answered) and "draft_decision" in by_key,
        "duplicate_drafting": bool(initial),
        "legal_basis_suggestions": {str(k): v for k, v in forms.LEGAL_BASIS.items()}
        if "draft_decision" in by_key
        else None,
        "today": day,
    }
    return render(request, "cases/detail.html", context, status=status)


class _Stale(Exception):
    def __init__(self, status):
        super().__init__(status)
        self.status = status


@login_required
@require_POST
def case_action(request, tracking_number, action):
    """Take one workflow step from the case page; errors are shown in Chinese.

    A form with bad input comes back with its errors (nothing is written). A step
    the user may not take, or on a case that moved on since the page was shown, is
    refused with a message and changes nothing.
    """
    if not _memberships(request):
        return _no_access(request)
    case, roles = _case_for(request, tracking_number)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404("没有这个办理环节。")
    seen = request.POST.get("seen_status", "")
    back = redirect("cases:detail", tracking_number=case.tracking_number)
    if seen and seen != case.status:
        messages.error(request, STALE.format(status=case.get_status_display()))
        return back
    day = today()
    form = spec.make_form(case, day, request.POST)
    if not form.is_valid():
        if spec.offered(case, roles, day):
            messages.error(request, f"“{spec.label}”未能提交，请按表单中的提示改正后重试。")
            for hidden in form.hidden_fields():  # not shown next to a field: say it here
                for error in hidden.errors:
                    messages.error(request, error)
            consultation = request.POST.get("consultation") if action == PER_CONSULTATION else None
            key = (action, int(consultation) if (consultation or "").isdigit() else None)
            return _render_detail(request, case, roles, bound={key: form}, status=400)
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}：{error}" if label else error)
        return back
    try:
        with transaction.atomic():
            # The status check and the step happen under one row lock; the workflow
            # function locks the row again and checks TRANSITIONS itself.
            current = Case.objects.select_for_update().get(pk=case.pk)
            if current.status != form.cleaned_data["seen_status"]:
                raise _Stale(current.get_status_display())
            result = spec.run(current, request.user, form.cleaned_data, day)
    except _Stale as stale:
        messages.error(request, STALE.format(status=stale.status))
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    else:
        message = spec.done(result) if spec.done else f"已完成“{spec.label}”。"
        messages.success(
            request,
            f"{message}申请 {result.tracking_number} 当前状态：{result.get_status_display()}。",
        )
    return back


@login_required
@require_POST
def case_assign(request, tracking_number):
    """分办, or 改派 when the case is already assigned (the form on the case page)."""
    if not _memberships(request):
        return _no_access(request)
    case, _roles = _case_for(request, tracking_number)
    action = "reassign" if case.status == Status.ASSIGNED else "assign"
    return case_action(request, tracking_number, action)


# ---- 登记 --------------------------------------------------------------------------------

REGISTER_ROLES = workflow.ROLES[EventKind.REGISTER]
NO_REGISTER = "登记申请需要本机关的{roles}角色，您的账号没有。如需登记，请联系本机关的系统管理员。"
SESSION_REGISTERED = "cases.registered"  # form token -> tracking number (double submits)


def _agencies_with(memberships, roles):
    ids = {m["agency_id"] for m in memberships if m["role"] in roles}
    return list(Agency.objects.filter(pk__in=ids).order_by("code"))


def _refused(request, message):
    return render(request, "cases/no_access.html", {"reason": message}, status=403)


@never_cache  # the response may carry the one-time 查询码
@login_required
def case_new(request):
    """登记: a request from any channel; duplicates are shown before saving."""
    memberships = _memberships(request)
    if not memberships:
        return _no_access(request)
    agencies = _agencies_with(memberships, REGISTER_ROLES)
    if not agencies:
        names = "或".join(r.label for r in Role if r in REGISTER_ROLES)
        return _refused(request, NO_REGISTER.format(roles=names))
    day = today()
    if request.method != "POST":
        form = RegisterForm(agencies=agencies, today=day)
        return render(request, "cases/new.html", {"form": form, "today": day})
    form = RegisterForm(request.POST, agencies=agencies, today=day)
    if not form.is_valid():
        return render(request, "cases/new.html", {"form": form, "today": day}, status=400)
    data = form.cleaned_data
    done = request.session.get(SESSION_REGISTERED, {})
    token = data["form_token"]
    if token and token in done:
        messages.info(request, f"这份申请已经登记为 {done[token]}，没有重复登记。")
        return redirect("cases:detail", tracking_number=done[token])
    agency = data["agency"]
    applicant = duplicates.Applicant(
        data["applicant_name"], data["applicant_id_document"], data["applicant_contact"]
    )
    on = data["confirmed_on"] or data["arrived_on"] or data["submitted_on"]
    visible = visible_cases(memberships).filter(agency=agency)
    matches = duplicate_candidates(visible, data["content"], applicant, on)
    if matches and not data["duplicates_checked"]:
        context = {"form": form, "today": day, "matches": matches}
        return render(request, "cases/new.html", context)
    try:
        case = workflow.register(agency, by=request.user, **form.workflow_fields())
    except workflow.WorkflowError as error:
        form.add_error(None, str(error))
        return render(request, "cases/new.html", {"form": form, "today": day}, status=400)
    if token:
        done[token] = case.tracking_number
        request.session[SESSION_REGISTERED] = dict(list(done.items())[-20:])
    # The plain 查询码 exists only in this response: the database keeps its HMAC.
    context = {"case": case, "query_code": case.query_code, "matches": matches}
    return render(request, "cases/registered.html", context)


# ---- 年报表三、表四 -------------------------------------------------------------------------

REPORT_ROLES = {Role.OFFICE, Role.OFFICE_HEAD, Role.LEADER, Role.ADMIN}
DOWNLOADS = ("json", "docx")
NO_REPORT = "年报表三、表四只对本机关的{roles}开放，您的账号没有这些角色。"
SEVERITY_NAMES = {findings.ERROR: "错误", findings.WARNING: "警告", findings.INFO: "提示"}


def _is_empty(report):
    rows = report["requests"]
    flows = ("new", "carried_over", "total")
    return all(rows[k]["total"] == 0 for k in flows) and all(
        g["total"] == 0 for g in report["appeals"].values()
    )


@login_required
def annual_report(request):
    """Sections 三 and 四 of an agency-year from the case records, checked and rendered
    with the annual-report engine; JSON and DOCX downloads."""
    memberships = _memberships(request)
    if not memberships:
        return _no_access(request)
    agencies = _agencies_with(memberships, REPORT_ROLES)
    if not agencies:
        names = "、".join(r.label for r in Role if r in REPORT_ROLES)
        return _refused(request, NO_REPORT.format(roles=names))
    day = today()
    query = request.GET.copy()
    query.setdefault("year", str(day.year))
    form = ReportForm(query, agencies=agencies, today=day)
    context = {"form": form, "agencies": agencies, "today": day}
    if not form.is_valid():
        return render(request, "cases/report.html", context, status=400)
    agency, year = form.cleaned_data["agency"], form.cleaned_data["year"]
    try:
        report = stats.annual_tables(agency, year)
    except stats.StatsError as error:
        context["error"] = str(error)
        return render(request, "cases/report.html", context, status=400)
    report["findings"] = checks.check(report)
    fmt = request.GET.get("format")
    if fmt:
        if fmt not in DOWNLOADS:
            raise Http404("没有这种下载格式。")
        content_type, extension, _name = FORMATS[fmt]
        response = HttpResponse(render_report(report, fmt), content_type=content_type)
        filename = f"{agency.code}-{year}-表三表四.{extension}"
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response
    template = report_tables.template_for_year(year)
    requests_html = htmlfmt.grid_html(layout.requests_grid(report, template), report["findings"])
    appeals_html = htmlfmt.grid_html(layout.appeals_grid(report), report["findings"])
    years = []
    if _is_empty(report):
        received = Case.objects.filter(agency=agency, received_on__isnull=False)
        years = sorted({d.year for d in received.dates("received_on", "year")}, reverse=True)
    context.update(
        agency=agency,
        year=year,
        report=report,
        template=template,
        # The engine escapes every value it renders.
        requests_html=mark_safe(requests_html),
        appeals_html=mark_safe(appeals_html),
        findings=[
            {**f, "severity_name": SEVERITY_NAMES.get(f["severity"], "")}
            for f in report["findings"]
        ],
        empty=_is_empty(report),
        years=years,
        downloads=[(fmt, FORMATS[fmt][2]) for fmt in DOWNLOADS],
    )
    return render(request, "cases/report.html", context)


# ---- dashboard -----------------------------------------------------------------------


@login_required
def dashboard(request):
    memberships = _memberships(request)
    if not memberships:
        return _no_access(request)
    day = today()
    windows = _windows(memberships, day)
    ends = set(windows.values())
    soon_until = ends.pop() if len(ends) == 1 else None
    tabs = tab_filters(day, windows)
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
    from gongkai.appeals import matters as appeal_matters  # appeals builds on cases

    context = {
        "totals": totals,
        "by_department": by_department,
        # The 复议/诉讼 deadlines (answer, 答辩, appeal windows) for those who see them.
        "appeal_matters": (
            appeal_matters.open_matters_for(request.user, day)
            if appeal_matters.may_view_any(request.user)
            else None
        ),
        "today": day,
        "due_soon_until": soon_until,
        "calendar_missing": (
            CALENDAR_MISSING if len(windows) < len({m["agency_id"] for m in memberships}) else None
        ),
    }
    return render(request, "cases/dashboard.html", context)
