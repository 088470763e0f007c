"""Admin: notices are read-only here; they are written by `notify` and by 督办."""

from django.contrib import admin

from gongkai.supervision.models import Notice


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["created_on", "kind", "case", "recipient", "read_at", "emailed_at"]
    list_filter = ["kind", "created_on"]
    search_fields = ["case__tracking_number", "recipient__username"]
    readonly_fields = [f.name for f in Notice._meta.fields]

    def has_add_permission(self, request):
        return False
