from django.contrib import admin

from gongkai.appeals.models import Appeal


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    """Read only: every change goes through gongkai/appeals/workflow.py (audited)."""

    list_display = ["case", "kind", "after_reconsideration", "filed_on", "result", "decided_on"]
    list_filter = ["kind", "result"]
    search_fields = ["case__tracking_number", "reference"]
    list_select_related = ["case"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
