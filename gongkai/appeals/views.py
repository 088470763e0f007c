"""复议/诉讼 pages: the legal office's list (filters, XLSX export), the record form from
a case, the appeal page with its answer, decision and document forms.

Permissions (gongkai/appeals/matters.py): the legal office and the administrator
record and edit; the office head and the leader view; handlers view those on their
department's cases; every other user gets 403. Nothing here reads the clock: `today()`
(tests replace it).
"""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from gongkai.agencies.models import Agency
from gongkai.appeals import counting, matters, workflow
from gongkai.appeals.forms import AnswerForm, DecideForm, DocumentForm, FilterForm, RecordForm
from gongkai.appeals.models import Appeal, Kind
from gongkai.cases.models import Case

NO_VIEW = (
    "您的角色不能查看行政复议、行政诉讼。法制审查人员和系统管理员可以登记和修改；"
    "工作机构负责人、分管领导可以查看；承办部门可以查看本部门申请的复议、诉讼。"
)
NO_RECORD = "只有法制审查人员和系统管理员可以登记或修改行政复议、行政诉讼。"


def today():
    """The date the pages count from (tests replace this function)."""
    return timezone.localdate()


def _refused(request, reason):
    return render(request, "appeals/no_access.html", {"reason": reason}, status=403)


def _filtered(request, form):
    appeals = matters.visible_appeals(request.user)
    if not form.is_valid():
        return appeals.none()
    d = form.cleaned_data
    if d["kind"]:
        kind = Kind.RECONSIDERATION if d["kind"] == "reconsideration" else Kind.LITIGATION
        appeals = appeals.filter(kind=kind)
        if kind == Kind.LITIGATION:
            appeals = appeals.filter(after_reconsideration=d["kind"] == "litigation_after")
    if d["agency"]:
        appeals = appeals.filter(case__agency__code=d["agency"])
    if d["year"]:
        appeals = counting.counted(appeals, d["year"])
    if d["result"] and d["year"]:
        # the year's table 四 column: decided after the year ended is still 尚未审结 there
        appeals = counting.in_column(appeals, d["year"], d["result"])
    elif d["result"]:
        appeals = appeals.filter(result=d["result"])
    words = (d["q"] or "").strip()
    if words:
        appeals = appeals.filter(
            Q(case__tracking_number__icontains=words)
            | Q(reference__icontains=words)
            | Q(body__icontains=words)
            | Q(applicant__icontains=words)
        )
    return appeals


def _rows(appeals, day):
    """Open matters first, by nearest deadline; then the decided, latest first."""
    found = matters.matters(appeals, day)
    far = "9999-12-31"
    open_ = sorted(
        (m for m in found if m.appeal.is_open()),
        key=lambda m: (m.due.on.isoformat() if m.due else far, m.appeal.pk),
    )
    done = sorted(
        (m for m in found if not m.appeal.is_open()),
        key=lambda m: (m.appeal.decided_on, m.appeal.pk),
        reverse=True,
    )
    return open_ + done


@login_required
def appeal_list(request):
    if not matters.may_view_any(request.user):
        return _refused(request, NO_VIEW)
    form = FilterForm(request.GET or None)
    appeals = _filtered(request, form) if form.is_bound else matters.visible_appeals(request.user)
    day = today()
    rows = _rows(appeals, day)
    if request.GET.get("format") == "xlsx" and not form.errors:
        return _xlsx(rows, day)
    query = request.GET.copy()
    query.pop("format", None)
    code = form.cleaned_data.get("agency") if form.is_bound and form.is_valid() else None
    context = {
        "form": form,
        "rows": rows,
        "today": day,
        "query": query.urlencode(),
        "only_agency": Agency.objects.filter(code=code).first() if code else None,
    }
    return render(request, "appeals/list.html", context, status=400 if form.errors else 200)


XLSX_COLUMNS = (
    "受理编号",
    "类型",
    "审级",
    "复议机关/法院",
    "案号",
    "申请人/原告",
    "申请/起诉日期",
    "收到通知书日期",
    "提交答复/答辩状日期",
    "下一期限",
    "期限事项",
    "决定/裁判内容",
    "表四结果",
    "审结日期",
    "重新答复期限",
)


def _xlsx(rows, day):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "行政复议诉讼"
    sheet.append(XLSX_COLUMNS)
    for m in rows:
        a = m.appeal
        sheet.append(
            [
                a.case.tracking_number,
                a.kind_label,
                a.get_instance_display(),
                a.body,
                a.reference,
                a.applicant,
                a.filed_on,
                a.papers_received_on,
                a.answered_on,
                m.due.on if m.due else None,
                m.due.what if m.due else "",
                a.get_decision_display(),
                a.get_result_display(),
                a.decided_on,
                a.new_reply_due_on,
            ]
        )
    for column in "GHIJNO":
        for cell in sheet[column][1:]:
            cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"行政复议诉讼-{day:%Y%m%d}.xlsx"
    )
    return response


@login_required
def appeal_new(request, tracking_number):
    case = get_object_or_404(Case, tracking_number=tracking_number)
    if not matters.may_record(request.user, case.agency_id):
        return _refused(request, NO_RECORD)
    form = RecordForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            appeal = workflow.record(case, by=request.user, on=today(), **form.workflow_fields())
        except workflow.AppealError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"已登记{appeal.kind_label}。")
            return redirect("appeals:detail", appeal.pk)
    status = 400 if form.errors else 200
    return render(request, "appeals/form.html", {"form": form, "case": case}, status=status)


def _appeal_for(request, pk):
    appeal = get_object_or_404(
        Appeal.objects.select_related("case", "case__agency", "case__department", "prior"), pk=pk
    )
    return appeal


@login_required
def appeal_detail(request, pk, *, forms=None, status=200):
    appeal = _appeal_for(request, pk)
    if not matters.may_view_case(request.user, appeal.case):
        return _refused(request, NO_VIEW)
    day = today()
    [matter] = matters.matters([appeal], day)
    recorder = matters.may_record(request.user, appeal.case.agency_id)
    forms = forms or {}
    context = {
        "appeal": appeal,
        "case": appeal.case,
        "matter": matter,
        "today": day,
        "recorder": recorder,
        "documents": appeal.documents.select_related("attachment").filter(
            attachment__removed_at__isnull=True
        ),
        "suits": appeal.suits.all(),
    }
    if recorder:
        context.update(
            edit_form=forms.get("edit")
            or RecordForm(initial=RecordForm.initial_of(appeal), case=appeal.case),
            answer_form=forms.get("answer") or AnswerForm(),
            decide_form=forms.get("decide") or DecideForm(),
            document_form=forms.get("document") or DocumentForm(),
        )
    return render(request, "appeals/detail.html", context, status=status)


def _step(request, pk, name, form_class, run, done):
    appeal = _appeal_for(request, pk)
    if not matters.may_record(request.user, appeal.case.agency_id):
        return _refused(request, NO_RECORD)
    kwargs = {"case": appeal.case} if form_class is RecordForm else {}
    form = form_class(request.POST, request.FILES, **kwargs)
    if form.is_valid():
        try:
            run(appeal, form)
        except workflow.AppealError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done)
            return redirect(reverse("appeals:detail", args=[appeal.pk]))
    return appeal_detail(request, pk, forms={name: form}, status=400)


@login_required
@require_POST
def appeal_edit(request, pk):
    def run(appeal, form):
        workflow.edit(appeal, by=request.user, on=today(), **form.workflow_fields())

    return _step(request, pk, "edit", RecordForm, run, "已保存修改。")


@login_required
@require_POST
def appeal_answer(request, pk):
    def run(appeal, form):
        d = form.cleaned_data
        workflow.submit_answer(
            appeal, by=request.user, on=today(), answered_on=d["answered_on"],
            uploaded_file=d["file"],
        )  # fmt: skip

    return _step(request, pk, "answer", AnswerForm, run, "已登记提交答复/答辩状。")


@login_required
@require_POST
def appeal_decide(request, pk):
    def run(appeal, form):
        d = form.cleaned_data
        workflow.decide(
            appeal,
            by=request.user,
            on=today(),
            decision=d["decision"],
            decided_on=d["decided_on"],
            ruling=d["ruling"],
            served_on=d["served_on"],
            new_reply_due_on=d["new_reply_due_on"],
            uploaded_file=d["file"],
        )

    return _step(request, pk, "decide", DecideForm, run, "已登记审结结果。")


@login_required
@require_POST
def appeal_document(request, pk):
    def run(appeal, form):
        d = form.cleaned_data
        workflow.add_document(appeal, by=request.user, uploaded_file=d["file"], kind=d["kind"])

    return _step(request, pk, "document", DocumentForm, run, "已上传文书。")
