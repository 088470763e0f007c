"""Admin: read-only; attaching and removing go through attachments/services.py."""

from django.contrib import admin

from gongkai.attachments.models import AttachmentEvent, CaseAttachment


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseAttachment)
class CaseAttachmentAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "case", "kind", "size", "uploaded_at", "removed_at"]
    list_filter = ["kind"]
    search_fields = ["original_name", "case__tracking_number", "sha256"]


@admin.register(AttachmentEvent)
class AttachmentEventAdmin(ReadOnlyAdmin):
    list_display = ["attachment", "action", "actor", "at"]
    list_filter = ["action"]
