"""Login with lockout and a second factor, TOTP enrolment, password change, and the
login records page (docs/security.md)."""

import time

import segno
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views import View
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongkai.accounts import security
from gongkai.accounts.forms import LoginForm, TokenForm
from gongkai.accounts.models import LoginRecord

# A password step is good for this long before its second factor must follow.
PENDING_SECONDS = 5 * 60


class LoginView(auth_views.LoginView):
    form_class = LoginForm

    def form_valid(self, form):
        user = form.get_user()
        if security.needs_second_factor(user):
            # The user is not logged in until the code is checked: only the pending
            # step is kept in the (anonymous) session.
            self.request.session.cycle_key()
            self.request.session[security.PENDING] = {
                "user": user.pk,
                "backend": user.backend,
                "at": time.time(),
                "next": self.get_success_url(),
            }
            return redirect("second_factor")
        return super().form_valid(form)


def _pending_user(request):
    pending = request.session.get(security.PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None, None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    return user, pending


def _enrolment_device(user):
    """The user's unconfirmed TOTP device (created once, shown until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="验证器应用", confirmed=False)
    return device


def _qr_context(device):
    qr = segno.make(device.config_url, micro=False)
    return {
        "qr_svg": qr.svg_data_uri(scale=5, border=2),
        "secret": _spaced_secret(device),
    }


def _spaced_secret(device):
    from base64 import b32encode

    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


class SecondFactorView(View):
    """At login (after the password): the code from the user's TOTP device, or, for a
    user without one who must use one, enrolment (QR code, then the first code).

    Logged-in users without a device come here to enrol by choice."""

    template_name = "accounts/second_factor.html"

    def _state(self, request):
        if request.user.is_authenticated:
            return request.user, None
        user, pending = _pending_user(request)
        if user is None:
            messages.error(request, "登录已过期，请重新输入用户名和密码。")
            return None, None
        return user, pending

    def _render(self, request, user, form, pending):
        device = security.confirmed_device(user)
        context = {"form": form, "enrolling": device is None, "at_login": pending is not None}
        if device is None:
            context.update(_qr_context(_enrolment_device(user)))
        elif pending is None:
            context["already"] = True
        return render(request, self.template_name, context)

    def get(self, request):
        user, pending = self._state(request)
        if user is None:
            return redirect("login")
        return self._render(request, user, TokenForm(), pending)

    def post(self, request):
        user, pending = self._state(request)
        if user is None:
            return redirect("login")
        form = TokenForm(request.POST)
        locked = security.lockout_message(request, user.get_username())
        if locked:
            security.record(request, user.get_username(), LoginRecord.Result.LOCKED)
            form.is_valid()
            form.add_error(None, locked)
            return self._render(request, user, form, pending)
        if not form.is_valid():
            return self._render(request, user, form, pending)
        device = security.confirmed_device(user)
        enrolling = device is None
        if enrolling:
            device = _enrolment_device(user)
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            # django-otp's throttle after a wrong code: 1, 2, 4 … seconds
            form.add_error("token", "输入过于频繁，请稍等几秒后再输入当前显示的口令。")
            return self._render(request, user, form, pending)
        if not device.verify_token(form.cleaned_data["token"]):
            security.record(request, user.get_username(), LoginRecord.Result.SECOND_FACTOR_FAILURE)
            form.add_error("token", "动态口令不正确或已过期，请输入验证器应用中当前显示的口令。")
            return self._render(request, user, form, pending)
        with transaction.atomic():
            if enrolling:
                device.confirmed = True
                device.save()
                TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            if pending is not None:
                del request.session[security.PENDING]
                login(request, user, backend=pending["backend"])
            otp_login(request, device)
        if enrolling:
            messages.success(request, "已启用动态口令：今后登录时需输入验证器应用中的口令。")
        if pending is not None:
            return redirect(pending["next"])
        return redirect("/")


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = "/"

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "密码已修改。")
        return response


@login_required
def account(request):
    """The user's own account security: password, second factor, recent logins."""
    user = request.user
    return render(
        request,
        "accounts/account.html",
        {
            "password_changed_at": security.password_changed_at(user),
            "expiry_days": security.setting("PASSWORD_EXPIRY_DAYS", 0),
            "device": security.confirmed_device(user),
            "required": security.second_factor_required(user),
            "recent": LoginRecord.objects.filter(username__iexact=user.get_username())[:10],
            "can_read_records": user.is_staff and user.has_perm("accounts.view_loginrecord"),
        },
    )


RECORDS_PER_PAGE = 50


def records(request):
    """Login, logout and failed-login records, newest first: staff admins only
    (permission accounts.view_loginrecord; superusers have it)."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    if not (request.user.is_staff and request.user.has_perm("accounts.view_loginrecord")):
        raise PermissionDenied
    rows = LoginRecord.objects.all()
    username = request.GET.get("username", "").strip()[:150]
    address = request.GET.get("address", "").strip()[:64]
    result = request.GET.get("result", "")
    if username:
        rows = rows.filter(username__iexact=username)
    if address:
        rows = rows.filter(address=address)
    if result in LoginRecord.Result.values:
        rows = rows.filter(result=result)
    else:
        result = ""
    page = Paginator(rows, RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    query = urlencode(
        {k: v for k, v in (("username", username), ("address", address), ("result", result)) if v}
    )
    return render(
        request,
        "accounts/records.html",
        {
            "page": page,
            "query": query,
            "username": username,
            "address": address,
            "result": result,
            "results": LoginRecord.Result.choices,
        },
    )
