from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm


class LockoutMessageMixin:
    """Shows the lockout message instead of 'wrong password' when the attempt was
    refused by the lockout (gongkai.accounts.backends)."""

    def get_invalid_login_error(self):
        locked = getattr(self.request, "_gongkai_locked", None)
        if locked:
            return forms.ValidationError(locked, code="locked")
        return forms.ValidationError(
            "用户名或密码不正确，请重新输入。注意区分大小写。", code="invalid_login"
        )


class LoginForm(LockoutMessageMixin, AuthenticationForm):
    pass


class AdminLoginForm(LockoutMessageMixin, AdminAuthenticationForm):
    pass


class TokenForm(forms.Form):
    token = forms.CharField(
        label="动态口令",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
        error_messages={
            "required": "请输入验证器应用显示的 6 位动态口令。",
            "min_length": "动态口令为 6 位数字。",
            "max_length": "动态口令为 6 位数字。",
        },
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError("动态口令为 6 位数字。")
        return token
