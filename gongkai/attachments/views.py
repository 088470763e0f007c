"""Attachment pages: upload to a case, download, remove; the applicant's download.

Permission: a user who may not act on the case (Membership.objects.acting_on)
gets 404 for its attachments, whatever the reason, so their existence is not
revealed. Files are served only by services.serve, from the stored random path.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from gongkai.agencies.models import Membership
from gongkai.attachments import services
from gongkai.attachments.forms import ApplicantDownloadForm, RemoveForm, UploadForm
from gongkai.attachments.models import CaseAttachment
from gongkai.cases import privacy
from gongkai.cases.models import Case
from gongkai.intake import ratelimit
from gongkai.intake.submission import find_case
from gongkai.intake.views import limited

NOT_FOUND = "没有找到这件申请或附件，或您无权查看。"


def _case_or_404(request, tracking_number):
    case = get_object_or_404(Case, tracking_number=tracking_number)
    if not services.roles_on(request.user, case):
        raise Http404(NOT_FOUND)
    return case


def _attachment_or_404(request, pk):
    row = get_object_or_404(CaseAttachment.objects.present().select_related("case"), pk=pk)
    if not services.roles_on(request.user, row.case):
        raise Http404(NOT_FOUND)
    return row


def _back(case):
    return redirect(reverse("cases:detail", args=[case.tracking_number]) + "#attachments")


@login_required
@require_POST
def upload(request, tracking_number):
    case = _case_or_404(request, tracking_number)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(case)
    data = form.cleaned_data
    try:
        row = services.attach(
            case,
            data["file"],
            kind=data["kind"],
            by=request.user,
            visible_to_applicant=data["visible_to_applicant"],
        )
    except (services.UploadRejected, services.AttachmentError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"已上传附件“{row.original_name}”（{row.get_kind_display()}）。")
    return _back(case)


@login_required
@require_GET
def download(request, pk):
    """A staff download. An ID scan is refused to roles that see the applicant masked
    (王*); files holding the applicant's personal data, downloaded in full, are
    recorded as views of it (issue 13 #3)."""
    row = _attachment_or_404(request, pk)
    full = Membership.objects.sees_personal_data(request.user, row.case.agency_id)
    if row.kind in services.MASKED_REFUSED_KINDS and not full:
        return render(request, "attachments/withheld.html", {"row": row}, status=403)
    response = services.serve(row, by=request.user)
    if full and row.kind in services.APPLICANT_KINDS:
        privacy.record_view(row.case, request.user, privacy.ATTACHMENT, attachment=row.pk)
    return response


@login_required
@require_POST
def remove(request, pk):
    row = _attachment_or_404(request, pk)
    form = RemoveForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(row.case)
    try:
        services.remove(row, by=request.user, reason=form.cleaned_data["reason"])
    except services.AttachmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"已移除附件“{row.original_name}”，移除记录已保存。")
    return _back(row.case)


@require_POST
def applicant_download(request, pk):
    """The applicant's download: 受理编号 + 查询码 in the POST body; 404 on any mismatch."""
    form = ApplicantDownloadForm(request.POST)
    if not form.is_valid():
        raise Http404(NOT_FOUND)
    number = form.cleaned_data["tracking_number"].strip()
    code = form.cleaned_data["query_code"]
    # The same 查询 limits as the 查询 page (issue 13 #6).
    case, refused = ratelimit.check_code(request, number, lambda: find_case(number, code))
    if refused is not None:
        return limited(request, refused.verdict, refused.message)
    if case is None:
        raise Http404(NOT_FOUND)
    return services.serve(services.public_attachment(case, pk), by=None)
