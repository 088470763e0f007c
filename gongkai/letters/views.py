"""Letter pages: download a case's letter (DOCX or PDF); edit templates and letterhead.

A user who may not act on the case gets 404 for its letters. Templates and the
letterhead are edited by the agency's office (政务公开办) or system administrator;
other members of the agency get 403 with the reason, non-members 404.
"""

import base64
import functools
import hashlib
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from gongkai.agencies.models import Agency, Membership
from gongkai.cases import privacy
from gongkai.cases.models import Case, Status
from gongkai.cases.views import list_name
from gongkai.letters import services
from gongkai.letters.defaults import DEFAULTS, PLACEHOLDERS
from gongkai.letters.forms import LetterheadForm, TemplateForm
from gongkai.letters.models import LetterTemplate, LetterText
from gongkai.letters.text import TemplateError

NOT_FOUND = "没有找到这件申请或文书，或您无权查看。"
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
}
NO_EDIT = "只有本机关的政务公开办（分办）或系统管理员可以修改文书模板和文书抬头。"


def today():
    """The letters' date (tests replace this function)."""
    return timezone.localdate()


# ---- a case's letters ----------------------------------------------------------------


@login_required
@require_GET
def download(request, tracking_number, key):
    case = get_object_or_404(Case.objects.select_related("agency"), tracking_number=tracking_number)
    if key not in DEFAULTS or not services.may_generate(request.user, case):
        raise Http404(NOT_FOUND)
    consultation_id = request.GET.get("consultation")
    if services.find_available(case, key, consultation_id) is None:
        raise Http404(NOT_FOUND)
    fmt = request.GET.get("format", "docx")
    if fmt not in services.FORMATS:
        fmt = "docx"
    # A role that sees the applicant as "王*" gets the letter with the name masked; a
    # full copy is a view of personal data and recorded (issue 13 #3).
    full = Membership.objects.sees_personal_data(request.user, case.agency_id)
    try:
        data, _issued = services.generate(
            case,
            key,
            by=request.user,
            on=today(),
            consultation_id=consultation_id,
            fmt=fmt,
            applicant=None if full else list_name(case),
        )
    except services.LetterError as error:
        messages.error(request, str(error))
        return redirect("cases:detail", tracking_number=case.tracking_number)
    if full:
        privacy.record_view(case, request.user, privacy.LETTER, on=today(), letter=key)
    return _letter_response(case, key, fmt, data)


def _style_hashes(html):
    """CSP sources for the page's own inline <style> blocks (and nothing else)."""
    blocks = re.findall(r"<style>(.*?)</style>", html, flags=re.S)
    return [
        f"'sha256-{base64.b64encode(hashlib.sha256(b.encode()).digest()).decode()}'" for b in blocks
    ]


def _letter_response(case, key, fmt, data):
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    if fmt == "html":
        # The printable page carries its layout inline (the PDF is made from the same
        # HTML); the site's policy admits exactly these styles on this response.
        policy = dict(settings.SECURE_CSP)
        policy["style-src"] = [CSP.SELF, *_style_hashes(data.decode())]
        response._csp_config = policy
    name = f"{case.tracking_number}-{services.label_of(key)}.{fmt}"
    response["Content-Disposition"] = content_disposition_header(fmt != "html", name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _acting_case(request, tracking_number):
    case = get_object_or_404(Case.objects.select_related("agency"), tracking_number=tracking_number)
    if not services.may_generate(request.user, case):
        raise Http404(NOT_FOUND)
    return case


@login_required
@require_POST
@never_cache
def receipt(request, tracking_number):
    """The 受理回执 with its 查询码, printed or downloaded right after registration (or a
    re-issue): the plain code comes back from that page and is checked against the
    stored digest; it is never stored or put in a URL."""
    case = _acting_case(request, tracking_number)
    fmt = request.POST.get("format", "html")
    if fmt not in services.FORMATS:
        fmt = "html"
    try:
        data, _issued = services.generate(
            case,
            "receipt",
            by=request.user,
            on=today(),
            fmt=fmt,
            query_code=request.POST.get("query_code", "").strip().upper(),
        )
    except services.LetterError as error:
        messages.error(request, str(error))
        return redirect("cases:detail", tracking_number=case.tracking_number)
    return _letter_response(case, "receipt", fmt, data)


@login_required
@require_POST
@never_cache
def reissue_code(request, tracking_number):
    """重新发放查询码 (the registrar or the office), with the reason; shows the new code once."""
    case = _acting_case(request, tracking_number)
    try:
        case, code = services.reissue_query_code(
            case, by=request.user, reason=request.POST.get("reason", "")
        )
    except services.LetterError as error:
        messages.error(request, str(error))
        return redirect("cases:detail", tracking_number=case.tracking_number)
    return render(request, "letters/code_reissued.html", {"case": case, "query_code": code})


@login_required
def reply_text(request, tracking_number):
    """The case's reply letter as it will be sent: edit before 签发 (a new version each
    save), approve an edit made after approval; the versions are listed."""
    case = _acting_case(request, tracking_number)
    text = services.reply_text(case)
    if text is None:
        raise Http404("这件申请还没有拟办的答复书。")
    can_edit = services.may_edit_text(request.user, case) and (
        case.status in services.TEXT_STATUSES
    )
    can_approve = text.awaiting_approval and services.may_approve_text(request.user, case)
    status = 200
    form = {"title": text.title, "body": text.body, "note": ""}
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "approve":
                services.approve_text(case, by=request.user)
                messages.success(request, "修改后的答复书已审批，可以答复。")
            else:
                form = {k: request.POST.get(k, "") for k in ("title", "body", "note")}
                row = services.save_text(case, by=request.user, **form)
                if case.status == Status.APPROVED:
                    messages.warning(
                        request,
                        f"已保存为第 {row.version} 版。答复书在审批后修改，须重新审批后才能答复。",
                    )
                else:
                    messages.success(request, f"已保存为第 {row.version} 版。")
        except services.LetterError as refused:
            error = str(refused)
            status = 400
        else:
            return redirect("letters:reply_text", tracking_number=case.tracking_number)
    versions = list(
        LetterText.objects.filter(case=case, kind=text.key, draft_event=text.event)
        .select_related("created_by")
        .order_by("-version")
    )
    context = {
        "case": case,
        "text": text,
        "label": services.label_of(text.key),
        "form": form,
        "error": error,
        "can_edit": can_edit,
        "can_approve": can_approve,
        "versions": versions,
        "help": services.TEXT_HELP,
        "remedy_missing": services.remedy_missing(services.letterhead_for(case.agency)),
    }
    return render(request, "letters/reply_text.html", context, status=status)


# ---- templates and letterhead ------------------------------------------------------------


def editor_view(view):
    """Resolve `code` to the agency; 404 for non-members, 403 with the reason for others."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, code, **kwargs):
        agency = get_object_or_404(Agency, code=code)
        if not Membership.objects.filter(user=request.user, agency=agency).exists():
            raise Http404("没有找到这个机关，或您无权查看。")
        if not services.may_edit(request.user, agency):
            return render(request, "letters/no_access.html", {"reason": NO_EDIT}, status=403)
        return view(request, agency, **kwargs)

    return wrapper


@login_required
def settings_index(request):
    agencies = list(services.editable_agencies(request.user))
    if len(agencies) == 1:
        return redirect("letters:settings", code=agencies[0].code)
    if not agencies:
        return render(request, "letters/no_access.html", {"reason": NO_EDIT}, status=403)
    return render(request, "letters/settings_index.html", {"agencies": agencies})


@editor_view
def settings_page(request, agency):
    latest = {}
    for row in LetterTemplate.objects.filter(agency=agency).select_related("created_by"):
        if row.kind not in latest or row.version > latest[row.kind].version:
            latest[row.kind] = row
    rows = [(key, spec["label"], latest.get(key)) for key, spec in DEFAULTS.items()]
    context = {
        "agency": agency,
        "rows": rows,
        "letterhead": services.letterhead_for(agency),
    }
    return render(request, "letters/settings.html", context)


@editor_view
def letterhead_edit(request, agency):
    head = services.letterhead_for(agency)
    form = LetterheadForm(request.POST or None, instance=head)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        services.save_letterhead(agency, by=request.user, **fields)
        messages.success(request, "文书抬头已保存。")
        return redirect("letters:settings", code=agency.code)
    status = 400 if form.errors else 200
    return render(
        request, "letters/letterhead.html", {"agency": agency, "form": form}, status=status
    )


@editor_view
def template_edit(request, agency, key):
    if key not in DEFAULTS:
        raise Http404("没有这种文书。")
    current = services.current_template(agency, key)
    history = list(
        LetterTemplate.objects.filter(agency=agency, kind=key)
        .select_related("created_by")
        .order_by("-version")
    )
    preview = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "preview")
        data = request.POST
        if action == "default":
            data = {
                "title": DEFAULTS[key]["title"],
                "body": DEFAULTS[key]["body"],
                "note": "恢复默认文本",
            }
            action = "save"
        form = TemplateForm(data)
        if form.is_valid():
            title, body = form.cleaned_data["title"], form.cleaned_data["body"]
            if action == "save":
                try:
                    row = services.save_template(
                        agency,
                        key,
                        by=request.user,
                        title=title,
                        body=body,
                        note=form.cleaned_data["note"],
                    )
                except (services.LetterError, TemplateError) as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(
                        request, f"已保存为第 {row.version} 版，今后生成的文书使用这一版。"
                    )
                    return redirect("letters:template", code=agency.code, key=key)
            else:
                preview = services.preview(agency, title, body)
        if form.errors:
            status = 400
    else:
        initial = {"title": current.title, "body": current.body}
        wanted = request.GET.get("version")
        if wanted is not None:
            old = _version(agency, key, wanted)
            initial = {"title": old.title, "body": old.body, "note": f"恢复第 {old.version} 版"}
        form = TemplateForm(initial=initial)
    context = {
        "agency": agency,
        "key": key,
        "label": services.label_of(key),
        "form": form,
        "current": current,
        "history": history,
        "preview": preview,
        "placeholders": [(name, what) for name, (what, _example) in PLACEHOLDERS.items()],
        "default": DEFAULTS[key],
    }
    return render(request, "letters/template_edit.html", context, status=status)


def _version(agency, key, wanted):
    if str(wanted) == "0":
        return services.TemplateText(DEFAULTS[key]["title"], DEFAULTS[key]["body"], 0)
    try:
        return LetterTemplate.objects.get(agency=agency, kind=key, version=int(wanted))
    except (ValueError, LetterTemplate.DoesNotExist):
        raise Http404("没有这个版本。") from None
