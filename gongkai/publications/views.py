"""主动公开 pages for staff: item list, 拟稿/修改, item page with its review panels,
定时发布 changes, 更正, 撤回, channel records and attachments.

Who sees what follows Membership.objects.acting_on, as in casework: a 承办部门 user
reaches only its own department's items, every other role the whole agency. A user
with no membership gets a 403 page that says why; an item the user may not see is a
404 (its existence is not revealed); a step the user's roles do not allow is a 403
with the reason. Every change goes through publications/workflow.py; the steps posted
from the item page are declared once in ACTIONS and handled by take_action. Time
comes from `now()`, which tests replace; nothing here reads the clock otherwise.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from gongkai import spreadsheets
from gongkai.agencies.models import (
    PUBLISHING_ROLES,
    Agency,
    Department,
    Membership,
    Role,
    missing_role,
)
from gongkai.publications import files, workflow
from gongkai.publications.forms import (
    TABS,
    AttachmentForm,
    ChannelForm,
    CorrectForm,
    DecisionForm,
    ItemFilterForm,
    ItemForm,
    PublishForm,
    RescheduleForm,
    SecrecyReviewForm,
    UnscheduleForm,
    WithdrawForm,
)
from gongkai.publications.models import EventKind as K
from gongkai.publications.models import (
    Gate,
    Item,
    ItemAttachment,
    ItemEvent,
    PublicationChannel,
    ReviewCheck,
)
from gongkai.publications.models import Status as S

PAGE_SIZE = 50
NO_MEMBERSHIP = (
    "您的账号还没有分配到任何机关或部门，因此不能查看主动公开信息。"
    "请联系本机关的系统管理员，为您设置所属机关、部门和角色。"
)
NOT_FOUND = "没有找到这条信息，或您无权查看。"


def now():
    """The moment the pages act at (tests replace this function)."""
    return timezone.now()


def today():
    return timezone.localdate(now())


# ---- who sees what -------------------------------------------------------------------


def _memberships(user):
    return Membership.objects.of(user, roles=PUBLISHING_ROLES)


def visible_items(memberships):
    """The items these memberships reach (ItemQuerySet.visible_to)."""
    return Item.objects.visible_to(None, memberships=memberships)


def my_turn(memberships, user):
    """Q of the items waiting for this user: own drafts (also returned ones), and the
    review step each role takes (初审, 保密审查, 领导审批, 发布)."""
    q = Q(pk__in=[])
    for m in memberships:
        role, agency = m["role"], m["agency_id"]
        if role in workflow.DRAFTERS:
            where = (
                Q(department_id=m["department_id"]) if role == Role.HANDLER else Q(agency_id=agency)
            )
            q |= where & Q(status=S.DRAFT, created_by=user)
        if role == Role.OFFICE:
            q |= Q(agency_id=agency, status__in=[S.SUBMITTED, S.APPROVED])
        if role == Role.SECRECY_REVIEWER:
            q |= Q(agency_id=agency, status=S.SECRECY_REVIEW)
        if role in (Role.LEADER, Role.OFFICE_HEAD):
            q |= Q(agency_id=agency, status=S.APPROVAL)
    return q


def _no_access(request, reason=NO_MEMBERSHIP, title="无权查看主动公开信息"):
    return render(
        request, "publications/no_access.html", {"reason": reason, "title": title}, status=403
    )


def _item_for(request, pk):
    """(item, roles) if the user reaches the item; 404 otherwise."""
    item = get_object_or_404(
        Item.objects.select_related("agency", "department", "interprets"), pk=pk
    )
    roles = workflow.roles_of(request.user, item)
    if not roles:
        raise Http404(NOT_FOUND)
    return item, roles


def _forbidden(request, step):
    return _no_access(
        request, missing_role(step.label, workflow.ROLES[step]), title=f"不能进行“{step.label}”"
    )


def _form_errors(request, form):
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _back(item, anchor=""):
    response = redirect("publications:detail", pk=item.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


# ---- list ----------------------------------------------------------------------------


@login_required
@require_GET
def item_list(request):
    memberships = _memberships(request.user)
    if not memberships:
        return _no_access(request)
    form, items, tab, day = _listed(request, memberships)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    moment = now()
    rows = [(item, item.is_overdue(day), item.status_label(moment)) for item in page.object_list]
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
        "filtered": form.is_bound and any(form.data.get(k) for k in form.fields if k != "tab"),
        "today": day,
        "can_draft": any(m["role"] in workflow.DRAFTERS for m in memberships),
    }
    return render(request, "publications/list.html", context, status=400 if form.errors else 200)


def _listed(request, memberships):
    """(filter form, the items it selects, tab, today) for the list and its exports."""
    form = ItemFilterForm(request.GET or None)
    items = visible_items(memberships).select_related("agency", "department")
    tab, day = "all", today()
    if form.is_bound:
        if form.is_valid():
            tab = form.cleaned_data["tab"] or "all"
            items = _apply_filters(items, form.cleaned_data, memberships, request.user, day)
        else:  # never show an unfiltered list as if it were the answer
            items = items.none()
    else:
        items = items.order_by("-id")
    return form, items, tab, day


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


# The 主动公开 list as a table (declared once; headers from the model).
EXPORT_FIELDS = (
    "index_number",
    "title",
    "document_number",
    "issuer",
    "written_on",
    "category",
    "genre",
    "topic",
    "department",
    "status",
    "publication_due_on",
    "published_at",
)


def _export_value(name):
    field = Item._meta.get_field(name)
    if field.choices:
        return lambda item: getattr(item, f"get_{name}_display")()
    if field.is_relation:
        return lambda item: getattr(item, name).name if getattr(item, f"{name}_id") else ""
    if field.get_internal_type() == "DateTimeField":
        return lambda item: _local(getattr(item, name))
    return lambda item: getattr(item, name)


@login_required
def item_export(request, fmt):
    """The 主动公开 list with its current filters, as CSV or XLSX (streamed)."""
    if fmt not in spreadsheets.FORMATS:
        raise Http404("不支持的导出格式。")
    memberships = _memberships(request.user)
    if not memberships:
        return _no_access(request)
    form, items, _tab, day = _listed(request, memberships)
    if form.is_bound and not form.is_valid():
        messages.error(request, "筛选条件有误，请按提示改正后再导出。")
        return redirect(f"{reverse('publications:list')}?{request.GET.urlencode()}")
    columns = [
        spreadsheets.Column(
            str(Item._meta.get_field(name).verbose_name),
            _export_value(name),
            40 if name == "title" else 16,
        )
        for name in EXPORT_FIELDS
    ]
    rows = items.iterator(chunk_size=2000)
    return spreadsheets.response(
        fmt, f"主动公开信息-{day.isoformat()}", "主动公开信息", columns, rows
    )


def _apply_filters(items, data, memberships, user, day):
    for name in ("status", "category", "genre", "topic"):
        if data[name]:
            items = items.filter(**{name: data[name]})
    if data["written_from"]:
        items = items.filter(written_on__gte=data["written_from"])
    if data["written_to"]:
        items = items.filter(written_on__lte=data["written_to"])
    words = data["q"].strip()
    if words:
        items = items.filter(Q(title__icontains=words) | Q(index_number__icontains=words))
    tab = data["tab"] or "all"
    if tab == "mine":
        return items.filter(my_turn(memberships, user)).order_by("updated_at", "id")
    if tab == "overdue":
        return items.overdue(day).order_by("publication_due_on", "id")
    if tab == "published":
        return items.filter(status=S.PUBLISHED).order_by("-published_at", "-id")
    if tab == "withdrawn":
        return items.filter(status=S.WITHDRAWN).order_by("-withdrawn_at", "-id")
    return items.order_by("-id")  # newest entered first: a key-order scan, fast at any size


# ---- create / edit -------------------------------------------------------------------


def _drafting_scope(user, agency=None):
    """(agency, departments the user may draft for, may draft agency-wide) or None."""
    rows = Membership.objects.filter(user=user, role__in=workflow.DRAFTERS)
    if agency is not None:
        rows = rows.filter(agency=agency)
    rows = list(rows.select_related("agency"))
    if not rows:
        return None
    agency = agency or rows[0].agency
    rows = [r for r in rows if r.agency_id == agency.pk]
    wide = any(r.role != Role.HANDLER for r in rows)
    if wide:
        departments = Department.objects.filter(agency=agency)
    else:
        departments = Department.objects.filter(
            pk__in=[r.department_id for r in rows if r.department_id]
        )
    return agency, departments, wide


@login_required
def item_create(request):
    if not Membership.objects.filter(user=request.user).exists():
        return _no_access(request)
    agency = None
    if request.GET.get("agency"):
        agency = Agency.objects.filter(pk=request.GET["agency"]).first()
        if agency is None:
            raise Http404("没有找到该机关。")
    scope = _drafting_scope(request.user, agency)
    if scope is None:
        return _forbidden(request, K.CREATE)
    agency, departments, wide = scope
    form = ItemForm(request.POST or None, agency=agency, departments=departments)
    if not wide:
        form.fields["department"].required = True
        form.fields["department"].empty_label = "请选择"
        form.fields["department"].error_messages["required"] = "请选择起草部门。"
    if request.method == "POST" and form.is_valid():
        try:
            item = workflow.create(agency, by=request.user, now=now(), **form.workflow_fields())
        except workflow.WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"已保存草稿，索引号 {item.index_number}。")
            return _back(item)
    context = {"form": form, "agency": agency, "item": None}
    return render(request, "publications/form.html", context)


@login_required
def item_edit(request, pk):
    if not Membership.objects.filter(user=request.user).exists():
        return _no_access(request)
    item, roles = _item_for(request, pk)
    if not roles & workflow.ROLES[K.EDIT]:
        return _forbidden(request, K.EDIT)
    if item.status != S.DRAFT:
        messages.error(request, f"信息当前状态为“{item.get_status_display()}”，只有草稿可以修改。")
        return _back(item)
    _, departments, wide = _drafting_scope(request.user, item.agency)
    form = ItemForm(
        request.POST or None,
        initial=ItemForm.initial_from(item),
        agency=item.agency,
        departments=departments,
    )
    if not wide:
        form.fields["department"].required = True
    if request.method == "POST" and form.is_valid():
        try:
            workflow.edit(item, by=request.user, now=now(), **form.workflow_fields())
        except workflow.WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "已保存修改。")
            return _back(item)
    return render(
        request, "publications/form.html", {"form": form, "agency": item.agency, "item": item}
    )


# ---- item page -----------------------------------------------------------------------


@login_required
@require_GET
def item_detail(request, pk):
    if not Membership.objects.filter(user=request.user).exists():
        return _no_access(request)
    item, roles = _item_for(request, pk)
    moment, day = now(), today()
    pending = _pending_gates(item)
    status = item.status

    def may(step):
        return bool(roles & workflow.ROLES[step]) and status in workflow.TRANSITIONS[step][0]

    def scheduled(step):
        return may(step) and item.is_scheduled(moment)

    context = {
        "item": item,
        "roles": roles,
        "now": moment,
        "today": day,
        "status_label": item.status_label(moment),
        "overdue": item.is_overdue(day),
        "is_public": item.is_public(moment),
        "attachments": list(item.attachments.all()),
        "interpretations": list(item.interpretations.all().order_by("id")),
        "events": [
            (e, describe_event(e), _moment_of(e))
            for e in ItemEvent.objects.filter(item=item)
            .select_related("actor")
            .order_by("at", "id")
        ],
        "revisions": [
            (r, _revision_fields(r))
            for r in item.revisions.select_related("by").order_by("-version")
        ],
        "on_time": item.published_on_time(),
        "rounds": _rounds(item),
        "channels": list(item.channel_publications.select_related("recorded_by")),
        "can_edit": may(K.EDIT),
        "first_review_form": DecisionForm() if may(K.FIRST_REVIEW) else None,
        "secrecy_form": SecrecyReviewForm(gates=pending) if may(K.SECRECY_CHECK) else None,
        "approve_form": DecisionForm() if may(K.APPROVE) else None,
        "publish_form": PublishForm(now=moment) if may(K.PUBLISH) else None,
        "reschedule_form": RescheduleForm.for_item(item) if scheduled(K.RESCHEDULE) else None,
        "unschedule_form": UnscheduleForm.for_item(item) if scheduled(K.UNSCHEDULE) else None,
        "can_correct": may(K.CORRECT),
        "can_withdraw": may(K.WITHDRAW),
        "channel_form": ChannelForm(initial={"published_on": day})
        if may(K.RECORD_CHANNEL)
        else None,
        "attachment_form": AttachmentForm() if may(K.ATTACH) else None,
    }
    return render(request, "publications/detail.html", context)


_CHOICE_LABELS = {
    "gate": dict(Gate.choices),
    "channel": dict(PublicationChannel.choices),
}


def describe_event(event):
    """A short Chinese line of an event's facts (labels, not stored values)."""
    data, parts = event.data or {}, []
    if data.get("gate"):
        parts.append(_CHOICE_LABELS["gate"].get(data["gate"], data["gate"]))
    if data.get("passed") is False or data.get("approved") is False:
        parts.append("未通过，退回修改")
    elif data.get("passed") is True or data.get("approved") is True:
        parts.append("通过")
    if data.get("channel"):
        parts.append(_CHOICE_LABELS["channel"].get(data["channel"], data["channel"]))
    if data.get("published_at"):
        parts.append("发布时间 " + data["published_at"][:16].replace("T", " "))
    if data.get("previous_at"):
        parts.append("原定 " + data["previous_at"][:16].replace("T", " "))
    if data.get("scheduled"):
        parts.append("定时发布")
    if data.get("on_time") is False:
        parts.append("超过第二十六条时限")
    if data.get("together_with"):
        verb = "同步发布" if event.kind == K.PUBLISH else "一并调整"
        parts.append(f"随 {data['together_with']} {verb}")
    if data.get("changed"):
        parts.append("修改：" + "、".join(_field_label(n) for n in data["changed"]))
    for key, label in (("comment", "意见"), ("reason", "理由"), ("name", "文件")):
        if data.get(key):
            parts.append(f"{label}：{data[key]}")
    return " · ".join(parts)


def _moment_of(event):
    """When the step was taken (the workflow's `now`, kept in data["at"]); the time the
    row was written (event.at) when that is missing."""
    try:
        return dt.datetime.fromisoformat(event.data["at"])
    except (KeyError, TypeError, ValueError):
        return event.at


def _field_label(name):
    try:
        return str(Item._meta.get_field(name).verbose_name)
    except LookupError:
        return name


def _revision_fields(revision):
    """[(label, value)] of a revision's kept metadata, with choice labels."""
    rows = []
    for name, value in (revision.metadata or {}).items():
        field = Item._meta.get_field(name)
        if field.choices and value:
            value = dict(field.choices).get(value, value)
        rows.append((str(field.verbose_name), value))
    return rows


def _pending_gates(item):
    done = set(
        ReviewCheck.objects.filter(item=item, round=item.review_round).values_list(
            "gate", flat=True
        )
    )
    return [g for g in Gate if g.value not in done]


def _rounds(item):
    """[(round, [ReviewCheck…])], latest round first."""
    rounds = {}
    for row in ReviewCheck.objects.filter(item=item).select_related("by").order_by("round", "id"):
        rounds.setdefault(row.round, []).append(row)
    return sorted(rounds.items(), reverse=True)


# ---- steps posted from the item page -------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One step posted from the item page (a form there, a URL of its own).

    step: the EventKind whose workflow.ROLES entry decides who may try it (others get
        a 403 that names the roles). form(request, item, now): the bound form, None
        for a step without one; an invalid form sends its errors back as messages.
    target(item, **url_kwargs): more facts from the URL (e.g. the attachment row).
    run(item, user, now, data): the workflow call; data = form.cleaned_data + target.
    done: the success message, or done(data) giving it. anchor / form_anchor: where
        the item page opens after the step / after a form error.
    """

    step: K
    run: Callable
    done: str | Callable
    form: Callable | None = None
    target: Callable | None = None
    anchor: str = ""
    form_anchor: str = ""


def _passed(data):
    return data["decision"] == "pass"


def _all_gates_passed(data):
    return all(ok for ok, _comment in data["results"].values())


def _local(moment):
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


ACTIONS = {
    "submit": Action(
        K.SUBMIT,
        run=lambda item, by, at, data: workflow.submit(item, by=by, now=at),
        done="已提交初审。",
    ),
    "first_review": Action(
        K.FIRST_REVIEW,
        form=lambda request, item, at: DecisionForm(request.POST),
        run=lambda item, by, at, data: workflow.first_review(
            item, by=by, now=at, passed=_passed(data), comment=data["comment"]
        ),
        done=lambda data: "初审通过，已送保密审查。" if _passed(data) else "已退回修改。",
        form_anchor="review",
    ),
    "secrecy_review": Action(
        K.SECRECY_CHECK,
        form=lambda request, item, at: SecrecyReviewForm(request.POST, gates=_pending_gates(item)),
        run=lambda item, by, at, data: workflow.secrecy_review(
            item, by=by, now=at, results=data["results"]
        ),
        done=lambda data: (
            "保密审查五项均通过，已送领导审批。"
            if _all_gates_passed(data)
            else "保密审查未通过，已退回修改。"
        ),
        form_anchor="review",
    ),
    "approve": Action(
        K.APPROVE,
        form=lambda request, item, at: DecisionForm(request.POST),
        run=lambda item, by, at, data: workflow.approve(
            item, by=by, now=at, approved=_passed(data), comment=data["comment"]
        ),
        done=lambda data: "已批准发布。" if _passed(data) else "已退回修改。",
        form_anchor="review",
    ),
    "publish": Action(
        K.PUBLISH,
        form=lambda request, item, at: PublishForm(request.POST, now=at),
        run=lambda item, by, at, data: workflow.publish(item, by=by, now=at, at=data["at"]),
        done=lambda data: (
            "已发布，公众现在可以看到本信息。"
            if data["at"] is None
            else f"已定时发布，将于 {_local(data['at'])} 对公众可见。"
        ),
        form_anchor="publish",
    ),
    "reschedule": Action(
        K.RESCHEDULE,
        form=lambda request, item, at: RescheduleForm(request.POST),
        run=lambda item, by, at, data: workflow.reschedule(
            item, by=by, now=at, at=data["at"], seen_at=data["seen_at"]
        ),
        done=lambda data: f"已调整定时发布，将于 {_local(data['at'])} 对公众可见。",
        anchor="schedule",
        form_anchor="schedule",
    ),
    "unschedule": Action(
        K.UNSCHEDULE,
        form=lambda request, item, at: UnscheduleForm(request.POST),
        run=lambda item, by, at, data: workflow.unschedule(
            item, by=by, now=at, seen_at=data["seen_at"]
        ),
        done="已取消定时发布，信息回到“待发布”，可以重新发布。",
        anchor="publish",
        form_anchor="schedule",
    ),
    "channel": Action(
        K.RECORD_CHANNEL,
        form=lambda request, item, at: ChannelForm(request.POST),
        run=lambda item, by, at, data: workflow.record_channel(item, by=by, now=at, **data),
        done="已登记其他渠道发布情况。",
        anchor="channels",
        form_anchor="channels",
    ),
    "attachment_upload": Action(
        K.ATTACH,
        form=lambda request, item, at: AttachmentForm(request.POST, request.FILES),
        run=lambda item, by, at, data: workflow.attach(item, by=by, now=at, file=data["file"]),
        done="已添加附件。",
        anchor="attachments",
        form_anchor="attachments",
    ),
    "attachment_delete": Action(
        K.DETACH,
        target=lambda item, attachment_pk: {
            "row": get_object_or_404(ItemAttachment, pk=attachment_pk, item=item)
        },
        run=lambda item, by, at, data: workflow.detach(data["row"], by=by, now=at),
        done=lambda data: f"已删除附件“{data['row'].name}”。",
        anchor="attachments",
    ),
}


def _step(request, pk, step):
    """(item, None) if the user may try `step` on the item, else (None, response)."""
    if not Membership.objects.filter(user=request.user).exists():
        return None, _no_access(request)
    item, roles = _item_for(request, pk)
    if not roles & workflow.ROLES[step]:
        return None, _forbidden(request, step)
    return item, None


def take_action(request, pk, action, **url_kwargs):
    """Any step of ACTIONS: who may, the form, the workflow call, the message."""
    spec = ACTIONS[action]
    item, refused = _step(request, pk, spec.step)
    if refused:
        return refused
    moment, data = now(), {}
    if spec.target:
        data.update(spec.target(item, **url_kwargs))
    if spec.form:
        form = spec.form(request, item, moment)
        if not form.is_valid():
            _form_errors(request, form)
            return _back(item, spec.form_anchor)
        data.update(form.cleaned_data)
    try:
        spec.run(item, request.user, moment, data)
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, spec.done(data) if callable(spec.done) else spec.done)
    return _back(item, spec.anchor)


def action_view(action):
    """The POST-only view of one of ACTIONS (for urls.py)."""

    @login_required
    @require_POST
    def view(request, pk, **url_kwargs):
        return take_action(request, pk, action, **url_kwargs)

    view.__name__ = view.__qualname__ = f"item_{action}"
    return view


# ---- pages of their own: 更正, 撤回 ---------------------------------------------------------


@login_required
def item_correct(request, pk):
    item, refused = _step(request, pk, K.CORRECT)
    if refused:
        return refused
    if item.status != S.PUBLISHED:
        messages.error(
            request, f"信息当前状态为“{item.get_status_display()}”，只有已发布的信息可以更正。"
        )
        return _back(item)
    initial = {name: getattr(item, name) for name in workflow.CORRECTABLE_FIELDS}
    form = CorrectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.correct(
                item,
                by=request.user,
                now=now(),
                reason=form.cleaned_data["reason"],
                **form.changes(),
            )
        except workflow.WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "已更正，原版本已保存在更正记录中。")
            return _back(item, "history")
    return render(request, "publications/correct.html", {"form": form, "item": item})


@login_required
def item_withdraw(request, pk):
    item, refused = _step(request, pk, K.WITHDRAW)
    if refused:
        return refused
    if item.status != S.PUBLISHED:
        messages.error(request, f"信息当前状态为“{item.get_status_display()}”，不能撤回。")
        return _back(item)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.withdraw(item, by=request.user, now=now(), reason=form.cleaned_data["reason"])
        except workflow.WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "已撤回，公众不再能看到本信息；记录已保留。")
            return _back(item)
    return render(request, "publications/withdraw.html", {"form": form, "item": item})


# ---- attachments ---------------------------------------------------------------------


@login_required
@require_GET
def attachment_download(request, pk, attachment_pk):
    if not Membership.objects.filter(user=request.user).exists():
        return _no_access(request)
    item, _roles = _item_for(request, pk)
    row = get_object_or_404(ItemAttachment, pk=attachment_pk, item=item)
    return files.serve(row)
