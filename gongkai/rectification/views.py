"""整改事项 pages: the list (问题清单) with its XLSX/DOCX export, handing out, an item
with the agency's answer and the supervisor's verification."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongkai.library import access as library_access
from gongkai.library.models import LibraryAgency

from . import access, exports, workflow
from .models import EventKind, Rectification, RectificationEvent, State

MAX_UPLOAD = 50 * 1024 * 1024


def today():
    """The day (Beijing) every 整改 page counts from; tests pin it."""
    return timezone.localdate()


def _date(text):
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def filtered(request):
    """(the items chosen, the filters as chosen, the agencies the user reads, all the
    items the user reads). Filters: agency (and everything under it), report year,
    state, overdue."""
    agencies = LibraryAgency.objects.filter(library_access.agencies_q(request.user))
    items = Rectification.objects.filter(agency__in=agencies.values("pk"))  # access.items_q
    base = items
    chosen = {"agency": None, "year": None, "state": "", "overdue": False}
    agency = agencies.filter(pk=request.GET.get("agency") or 0).first()
    if agency is not None:
        items = items.filter(agency__path__startswith=agency.path)
        chosen["agency"] = agency
    year = request.GET.get("year", "")
    if year.isdigit():
        items = items.filter(report__year=int(year))
        chosen["year"] = int(year)
    day = today()
    if request.GET.get("state") in State.values:
        items = items.filter(state=request.GET["state"])
        chosen["state"] = request.GET["state"]
    if request.GET.get("overdue"):
        items = items.overdue(day)
        chosen["overdue"] = True
    withdrawals = RectificationEvent.objects.filter(kind=EventKind.WITHDRAW)
    items = items.select_related("agency", "supervisor", "report").prefetch_related(
        "findings", Prefetch("events", queryset=withdrawals, to_attr="withdrawals")
    )
    return items.order_by("due_on", "id"), chosen, agencies, base


def rows(items, today):
    return [
        {"item": i, "overdue": i.days_overdue(today), "withdrawn": i.withdrawn_reason()}
        for i in items
    ]


@login_required
def index(request):
    library_access.require_view(request.user)
    items, chosen, agencies, readable = filtered(request)
    day = today()
    query = request.GET.urlencode()
    context = {
        "rows": rows(items[:500], day),
        "total": items.count(),
        "chosen": chosen,
        "agencies": agencies.order_by("path")[:300],
        "states": State.choices,
        "today": day,
        "query": query,
        "may_edit": bool(library_access.collectors(request.user)),
        "overdue_count": readable.overdue(day).count(),
    }
    return render(request, "rectification/index.html", context)


@login_required
def export(request, fmt):
    library_access.require_view(request.user)
    items, chosen, _, _ = filtered(request)
    return exports.response(fmt, list(items.prefetch_related("answers")), chosen, today())


@login_required
def new(request, report_pk):
    report = library_access.report_for(request.user, report_pk, edit=True)
    if report.agency is None or access.supervising_root(request.user, report.agency) is None:
        raise PermissionDenied("只有上级机关的政务公开办可以交办整改（不能向本机关交办）。")
    candidates = list(workflow.candidates(report))
    day = today()
    form = {"due_on": (day + dt.timedelta(days=15)).isoformat(), "requirement": "",
            "chosen": {str(f.pk) for f in candidates}}  # fmt: skip
    status = 200
    if request.method == "POST":
        chosen = request.POST.getlist("finding")
        form = {"due_on": request.POST.get("due_on", ""), "chosen": set(chosen),
                "requirement": request.POST.get("requirement", "")}  # fmt: skip
        findings = [f for f in candidates if str(f.pk) in chosen]
        due_on = _date(form["due_on"])
        try:
            item = workflow.create(findings, due_on, form["requirement"], request.user, today=day)
        except workflow.RectificationError as exc:
            messages.error(request, str(exc))
            status = 400
        else:
            messages.success(
                request, f"已交办{item.agency.name}整改，期限 {item.due_on:%Y年%-m月%-d日}。"
            )
            return redirect("rectification:detail", pk=item.pk)
    context = {"report": report, "candidates": candidates, "form": form}
    return render(request, "rectification/new.html", context, status=status)


@login_required
def detail(request, pk):
    library_access.require_view(request.user)
    item = access.item_for(request.user, pk)
    day = today()
    findings = list(item.findings.all())
    events = list(item.events.order_by("at", "id"))
    last = events[-1] if events else None
    context = {
        "sent_back": last if last and last.kind == EventKind.SEND_BACK else None,
        "item": item,
        "findings": findings,
        "remaining": [f for f in findings if f.present],
        "answers": item.answers.select_related("by"),
        "events": events,
        "may_answer": workflow.may(item, EventKind.ANSWER)
        and access.may_answer(request.user, item),
        "may_verify": workflow.may(item, EventKind.CLOSE)
        and access.may_supervise(request.user, item),
        "may_withdraw": workflow.may(item, EventKind.WITHDRAW)
        and access.may_supervise(request.user, item),
        "withdrawn": last if last and last.kind == EventKind.WITHDRAW else None,
        "on_behalf": item.agency.platform_id is None,
        "may_edit": bool(library_access.collectors(request.user)),
        "overdue": item.days_overdue(day),
        "today": day,
    }
    return render(request, "rectification/detail.html", context)


@login_required
@require_POST
def answer(request, pk):
    item = access.item_for(request.user, pk)
    access.require_answer(request.user, item)
    upload = request.FILES.get("file")
    file = None
    if upload is not None:
        if upload.size > MAX_UPLOAD:
            messages.error(request, "文件超过 50 MB，不像一份年度报告，未接收。")
            return redirect("rectification:detail", pk=pk)
        file = (upload.name, upload.read())
    try:
        workflow.answer(item, request.POST.get("explanation"), request.user, file, today=today())
    except workflow.RectificationError as exc:
        messages.error(request, str(exc))
    else:
        done = "更正后的报告已作为新版本入库并重新检查，" if file else ""
        messages.success(request, f"已答复：{done}等待交办机关核验。")
    return redirect("rectification:detail", pk=pk)


@login_required
@require_POST
def verify(request, pk):
    item = access.item_for(request.user, pk)
    access.require_supervise(request.user, item)
    decision = request.POST.get("decision")
    note = request.POST.get("note")
    try:
        if decision == "close":
            workflow.close(item, note, request.user)
            messages.success(request, "已核验销号。")
        elif decision == "send_back":
            due_on = _date(request.POST.get("due_on"))
            workflow.send_back(item, note, request.user, due_on, today=today())
            messages.success(request, "已退回机关重新整改。")
        else:
            messages.error(request, "请选择“核验销号”或“退回重新整改”。")
    except workflow.RectificationError as exc:
        messages.error(request, str(exc))
    return redirect("rectification:detail", pk=pk)


@login_required
@require_POST
def withdraw(request, pk):
    item = access.item_for(request.user, pk)
    access.require_supervise(request.user, item)
    try:
        workflow.withdraw(item, request.POST.get("reason"), request.user)
    except workflow.RectificationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已撤销这项整改事项；机关不再需要答复。")
    return redirect("rectification:detail", pk=pk)


def for_report(user, report):
    """The items of `report` the user reads (the library report page lists them)."""
    return Rectification.objects.filter(access.items_q(user), report=report).order_by("-id")
