from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from gongkai.accounts.models import LoginRecord


@admin.register(LoginRecord)
class LoginRecordAdmin(admin.ModelAdmin):
    """Read only: login records are appended by the system and changed by nobody."""

    list_display = ["at", "username", "address", "result"]
    list_filter = ["result"]
    search_fields = ["username", "address"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _login(request, extra_context=None):
    """The admin signs in through the site's login (lockout, second factor, records)."""
    return redirect_to_login(request.GET.get("next", reverse("admin:index")), reverse("login"))


admin.site.login = _login
