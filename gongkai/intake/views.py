"""Public pages, no login: 依申请公开 online (/xxgk/apply/) and 查询 (/xxgk/track/).

Apply: GET shows the form with a fresh challenge and one-time form token; POST
is rate-limited per client address, checks the challenge, the honeypot and the
form, then submission.submit creates the case and the receipt goes into the
session (POST → 303 → receipt page). A repeated POST of the same form shows the
same receipt.

Track: POST with 受理编号 + 查询码, limited per address and (failed attempts) per
tracking number; an unknown number and a wrong code get the same message. A
successful 查询 puts a short-lived grant in the session; document downloads go
through signed links that are checked against that grant.
"""

import logging
import secrets
import time

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongkai.agencies.models import Agency
from gongkai.attachments import services as attachments
from gongkai.attachments.models import AttachmentKind
from gongkai.attachments.uploads import validate_upload
from gongkai.cases import workflow
from gongkai.cases.models import Case
from gongkai.intake import challenge, public, ratelimit, submission
from gongkai.intake.forms import UPLOAD_TYPES, ApplicationForm, TrackForm, upload_max_bytes

log = logging.getLogger("gongkai.audit")

RECEIPT_KEY = "intake_receipt"
GRANT_KEY = "intake_track"
# The receipt holds the plain 查询码 and the applicant's details: it stays in the session
# only for the minutes the applicant needs to save it, stamped with its end, and is
# dropped from the session on the first request after that (issue 13 #5).
RECEIPT_SECONDS = 10 * 60
GRANT_SECONDS = 15 * 60
AGENCY_CACHE_SECONDS = 60  # document links work this long after a successful 查询
DOWNLOAD_SALT = "gongkai.intake.download"
WRONG = (
    "受理编号或查询码不正确。请对照回执检查后重新输入：查询码为10位字母和数字，"
    "不区分大小写。如果遗失了查询码，请联系受理机关。"
)


def today():
    """The date applications are submitted on (tests replace this function)."""
    return timezone.localdate()


# ---- shared --------------------------------------------------------------------------


def resolve_agency(code=None):
    """The agency: ?agency=CODE, else setting PORTAL_AGENCY_CODE, else the first agency.

    Looked up once a minute per process and code (every GET and POST needs it), in the
    process's memory: (id, name, code) is all the form needs, and asking a shared cache
    for it cost a round trip per request."""
    default = getattr(settings, "PORTAL_AGENCY_CODE", "") or ""
    key = (code or "", default)
    found = _agencies.get(key)
    if found is None or found[0] < time.monotonic():
        agency = _find_agency(code, default)
        row = (agency.pk, agency.name, agency.code)
        _agencies[key] = (time.monotonic() + AGENCY_CACHE_SECONDS, row)
        return agency
    row = found[1]
    return Agency(id=row[0], name=row[1], code=row[2])


_agencies = {}  # (code asked for, default code) -> (until, (id, name, code))


def forget_agencies(**_signal):
    """Signal receiver (apps.py): an agency was saved or deleted."""
    _agencies.clear()
    _blank.clear()  # the blank form's page names the agency


def _find_agency(code, default):
    agencies = Agency.objects.only("id", "name", "code")
    if code:
        agency = agencies.filter(code=code).first()
        if agency is None:
            raise Http404(f"没有代码为“{code}”的机关，请从机关的政府信息公开网页进入申请页面。")
        return agency
    agency = agencies.filter(code=default).first() if default else None
    agency = agency or agencies.order_by("pk").first()
    if agency is None:
        raise Http404("本系统还没有设置受理机关，暂时不能在网上提交申请。")
    return agency


def _see_other(url):
    """303: the browser GETs the next page; reloading it does not POST again."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def limited(request, verdict, message):
    """The 429 page: `message` and when to try again."""
    minutes = max(1, round(verdict.retry_after / 60))
    response = render(
        request,
        "intake/limited.html",
        {"message": message, "minutes": minutes, "limit": verdict.limit},
        status=429,
    )
    response["Retry-After"] = str(verdict.retry_after)
    return response


# ---- apply ---------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def apply(request):
    if request.method != "POST":
        _session_receipt(request)  # drops a receipt whose time is up
        agency = resolve_agency(request.GET.get("agency"))
        if request.user.is_authenticated or len(messages.get_messages(request)):
            return _form_page(request, agency, ApplicationForm())
        return _blank_page(request, agency)

    verdict = ratelimit.hit("apply", ratelimit.client_address(request), "INTAKE_RATE_LIMIT")
    if not verdict.allowed:
        log.warning("online application refused by rate limit")
        return limited(
            request,
            verdict,
            f"同一网络地址在{verdict.limit.period_text()}内最多提交 {verdict.limit.count} 次申请，"
            "您已达到上限。",
        )

    token_error, payload, nonce = None, None, None
    try:
        payload = challenge.read(request.POST.get("challenge_token"))
        nonce = payload["n"]
    except challenge.ChallengeFailed as error:
        token_error = error
        nonce = error.payload["n"] if error.payload else None
    agency = resolve_agency(payload["g"] if payload else request.POST.get("agency") or None)

    form = ApplicationForm(request.POST, request.FILES, challenge_payload=payload)
    valid = form.is_valid()
    if token_error is not None:
        form.add_error(token_error.field, str(token_error))
        valid = False
    if form.honeypot_filled:
        log.warning("online application refused: honeypot field filled")
        return render(request, "intake/refused.html", status=400)
    if not valid:
        # The same form again after it went through (now expired, say): the same receipt.
        # A valid repeat is recognised by submission.submit itself (one query less).
        repeated = submission.already_submitted(nonce) if nonce else None
        if repeated is not None:
            return _to_receipt(request, repeated)
        return _form_page(request, agency, form, status=400)
    try:
        receipt = submission.submit(
            agency,
            nonce=payload["n"],
            fields=form.case_fields(),
            submitted_on=today(),
            upload=form.cleaned_data.get("identity_file"),
            allowed=UPLOAD_TYPES,
            labels={"business_type": form.business_type_label()},
        )
    except (attachments.UploadRejected, attachments.AttachmentError) as error:
        form.add_error("identity_file", str(error))
        return _form_page(request, agency, form, status=400)
    except workflow.WorkflowError as error:
        form.add_error(None, str(error))
        return _form_page(request, agency, form, status=400)
    return _to_receipt(request, receipt)


def _form_page(request, agency, form, status=200, **given):
    """The form page; `given` replaces context entries (_blank_page's stand-ins)."""
    context = {
        "agency": agency,
        "form": form,
        "challenge": given.pop("challenge", None) or challenge.issue(agency.code),
        "errors": form.error_list() if form.is_bound else [],
        "file_lost": form.is_bound and bool(request.FILES),
        "max_mb": upload_max_bytes() // (1024 * 1024),
        **given,
    }
    return render(request, "intake/apply.html", context, status=status)


BLANK_PAGE_SECONDS = 60
_blank = {}  # (agency code, upload limit) -> (until, the blank form's page with slots)
# Stand-ins for what differs between two visitors' blank forms: the CSRF token and the
# challenge (its signed token and its question). Letters and digits: escaping keeps them.
_SLOTS = {name: f"gongkaislot{name}{secrets.token_hex(8)}" for name in ("csrf", "token", "q")}


def _blank_page(request, agency):
    """The blank form as an anonymous visitor without messages sees it: the page is
    rendered once a minute per process and agency with stand-ins for the CSRF token and
    the challenge, which each request fills in (the same HTML as _form_page gives,
    without rendering the template and building the form on every GET; the business
    types it lists may take that minute to show a change)."""
    key = (agency.code, upload_max_bytes())
    found = _blank.get(key)
    if found is None or found[0] < time.monotonic():
        stand_in = challenge.Challenge(_SLOTS["token"], "", _SLOTS["q"], agency.code)
        page = _form_page(
            request, agency, ApplicationForm(), challenge=stand_in, csrf_token=_SLOTS["csrf"]
        )
        found = (time.monotonic() + BLANK_PAGE_SECONDS, page.content.decode())
        _blank[key] = found
    shown = challenge.issue(agency.code)
    html = (
        found[1]
        .replace(_SLOTS["csrf"], get_token(request))
        .replace(_SLOTS["token"], shown.token)
        .replace(_SLOTS["q"], str(escape(shown.question)))
    )
    return HttpResponse(html)


def _to_receipt(request, receipt):
    data = receipt.as_dict()
    data["until"] = time.time() + RECEIPT_SECONDS
    request.session[RECEIPT_KEY] = data
    _keep_briefly(request, RECEIPT_SECONDS)
    return _see_other(reverse("intake:receipt"))


def _keep_briefly(request, seconds):
    """An applicant's (anonymous) session ends `seconds` from now, on the server too, so
    nothing it holds outlives what it is for; a signed-in user's session is left as is
    (its receipt is dropped by _session_receipt)."""
    if not request.user.is_authenticated:
        request.session.set_expiry(seconds)


def _session_receipt(request):
    """The receipt while it is needed; after its time it is removed from the session."""
    data = request.session.get(RECEIPT_KEY)
    if not data or data.get("until", 0) < time.time():
        if RECEIPT_KEY in request.session:
            request.session.pop(RECEIPT_KEY)
        return None
    return data


@never_cache
@require_GET
def receipt(request):
    data = _session_receipt(request)
    if data is None:
        return render(request, "intake/receipt_gone.html", status=404)
    return render(request, "intake/receipt.html", {"r": data})


@never_cache
@require_GET
def receipt_download(request):
    data = _session_receipt(request)
    if data is None:
        return render(request, "intake/receipt_gone.html", status=404)
    text = _receipt_text(data)
    response = HttpResponse(
        ("\ufeff" + text).encode("utf-8"), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"回执-{data['tracking_number']}.txt"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _receipt_text(r):
    lines = [
        f"政府信息公开申请回执（{r['agency_name']}）",
        "",
        f"受理编号：{r['tracking_number']}",
        f"查询码：{r['query_code']}",
        f"提交日期：{r['submitted_on']}（网上提交）",
        "",
        "请妥善保存查询码：它只显示这一次，工作人员也无法查到。",
        "凭受理编号和查询码，可在本网站“办理进度查询”页面（/xxgk/track/）查看办理情况和答复文书。",
        "我们将与您确认后开始计算答复期限：双方确认之日为收到申请之日（《政府信息公开条例》第三十一条）。",
        "",
        f"申请人类型：{r['applicant_type']}",
        f"申请人：{r['applicant_name']}",
        f"业务类别：{r['business_type']}",
        f"获取方式：{r['form_wanted']}",
        f"身份证明材料：{'、'.join(r['attachments']) or '未上传'}",
        "申请内容：",
        r["content"],
        "",
    ]
    return "\r\n".join(lines)


@require_POST
def receipt_done(request):
    """“我已保存”: remove the receipt (and its 查询码) from this browser's session."""
    request.session.pop(RECEIPT_KEY, None)
    return _see_other(reverse("intake:track"))


# ---- track ---------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def track(request):
    _session_receipt(request)  # drops a receipt whose time is up
    if request.method != "POST":
        return render(request, "intake/track.html", {"form": TrackForm(), "errors": []})
    form = TrackForm(request.POST)
    if not form.is_valid():
        return _track_page(request, form, status=400)
    number = form.cleaned_data["tracking_number"]
    case, refused = ratelimit.check_code(
        request, number, lambda: submission.find_case(number, form.cleaned_data["query_code"])
    )
    if refused is not None:
        return limited(request, refused.verdict, refused.message)
    if case is None:
        form.add_error(None, WRONG)
        return _track_page(request, form, status=400)
    grant = {
        "case": case.pk,
        "nonce": secrets.token_urlsafe(12),
        "until": time.time() + GRANT_SECONDS,
    }
    request.session[GRANT_KEY] = grant
    if RECEIPT_KEY not in request.session:  # a receipt keeps its own (shorter) end
        _keep_briefly(request, GRANT_SECONDS)
    return render(request, "intake/track.html", _result(case, grant))


def _result(case, grant, **extra):
    """The 查询 page's context for `case`, found by this browser's code check (`grant`)."""
    documents = [
        {
            "name": row.original_name,
            "kind": row.get_kind_display(),
            "size": row.size,
            "url": reverse(
                "intake:track_download",
                args=[
                    signing.dumps(
                        {"a": row.pk, "c": case.pk, "s": grant["nonce"]},
                        salt=DOWNLOAD_SALT,
                        compress=False,
                    )
                ],
            ),
        }
        for row in attachments.public_attachments(case)
    ]
    day = today()
    return {
        "form": TrackForm(),
        "errors": [],
        "view": public.view_of(case),
        "documents": documents,
        "grant_minutes": GRANT_SECONDS // 60,
        # Art. 30: the 补正 may be submitted here until its period ends.
        "correction_open": case.may_submit_correction(day),
        "correction_lapsed": case.status == "correction_requested"
        and not case.may_submit_correction(day),
        "correction_max": CORRECTION_FILES,
        "case_ref": case.tracking_number,
        "accepted": ", ".join(sorted(UPLOAD_TYPES)),
        "max_mb": upload_max_bytes() // (1024 * 1024),
        **extra,
    }


def _granted_case(request):
    """The case this browser's last successful 查询 found, while its grant lasts; None
    otherwise."""
    grant = request.session.get(GRANT_KEY) or {}
    if not isinstance(grant, dict) or grant.get("until", 0) < time.time():
        return None, None
    case = Case.objects.select_related("agency").filter(pk=grant.get("case")).first()
    return case, grant


def _track_page(request, form, status):
    return render(
        request, "intake/track.html", {"form": form, "errors": form.error_list()}, status=status
    )


@never_cache
@require_GET
def track_download(request, token):
    """A document of the case found by this browser's last 查询, through a signed link."""
    expired = render(request, "intake/download_expired.html", status=403)
    try:
        data = signing.loads(token, salt=DOWNLOAD_SALT, max_age=GRANT_SECONDS)
    except signing.BadSignature:
        return expired
    grant = request.session.get(GRANT_KEY) or {}
    if (
        not isinstance(data, dict)
        or grant.get("until", 0) < time.time()
        or grant.get("case") != data.get("c")
        or grant.get("nonce") != data.get("s")
    ):
        return expired
    case = Case.objects.filter(pk=data["c"]).first()
    if case is None:
        return expired
    row = attachments.public_attachment(case, data.get("a"))
    return attachments.serve(row, by=None)


# ---- 补正 (Art. 30) on the 查询 page --------------------------------------------------------

CORRECTION_FILES = 5  # files per 补正
CORRECTION_EXPIRED = (
    "查询已过期（{minutes} 分钟内有效），补正未提交。请重新输入受理编号和查询码查询后再提交。"
)


@never_cache
@require_POST
def track_correction(request):
    """提交补正: the applicant answers the 补正 notice (text and files) for the case found
    by this browser's last 查询 (the 查询码 checked under ratelimit.check_code); every
    file passes the attachments checks; all or nothing (workflow.submit_correction,
    attachments.attach in one transaction). The reply period counts afresh (Art. 30)."""
    case, grant = _granted_case(request)
    # The form names the case it was shown for: a tab left open from an earlier 查询 of
    # another case submits nothing.
    if case is None or request.POST.get("case") != case.tracking_number:
        message = CORRECTION_EXPIRED.format(minutes=GRANT_SECONDS // 60)
        context = {"form": TrackForm(), "errors": [("", "", message)]}
        return render(request, "intake/track.html", context, status=403)
    verdict = ratelimit.hit("correction", ratelimit.client_address(request), "INTAKE_RATE_LIMIT")
    if not verdict.allowed:
        return limited(
            request,
            verdict,
            f"同一网络地址在{verdict.limit.period_text()}内最多提交 {verdict.limit.count} 次，"
            "您已达到上限。",
        )
    text = request.POST.get("correction_text", "")
    files = [f for f in request.FILES.getlist("correction_files") if f.name]
    errors = []
    if len(files) > CORRECTION_FILES:
        errors.append(f"一次最多上传 {CORRECTION_FILES} 个文件，请合并后再上传。")
    else:
        for upload in files:  # every file checked before anything is written
            try:
                validate_upload(upload, allowed=UPLOAD_TYPES, max_bytes=upload_max_bytes())
            except attachments.UploadRejected as error:
                errors.append(str(error))
    if not errors:
        try:
            with transaction.atomic():
                workflow.submit_correction(case, on=today(), text=text, files=len(files))
                for upload in files:
                    attachments.attach(
                        case,
                        upload,
                        kind=AttachmentKind.CORRECTION,
                        by=None,
                        allowed=UPLOAD_TYPES,
                    )
        except (workflow.WorkflowError, attachments.AttachmentError) as error:
            errors.append(str(error))
        except attachments.UploadRejected as error:
            errors.append(str(error))
    case.refresh_from_db()
    if errors:
        context = _result(case, grant, correction_errors=errors, correction_text=text)
        return render(request, "intake/track.html", context, status=400)
    log.info("correction submitted online: case=%s files=%s", case.tracking_number, len(files))
    return _see_other(reverse("intake:track_corrected"))


@never_cache
@require_GET
def track_corrected(request):
    """After a 补正: the case as it stands now (the reply period counts afresh)."""
    case, grant = _granted_case(request)
    if case is None:
        return _track_page(request, TrackForm(), status=200)
    return render(request, "intake/track.html", _result(case, grant, corrected=True))
