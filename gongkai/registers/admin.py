"""Admin: read-only views; every change goes through documents.py and imports.py."""

from django.contrib import admin

from .models import Document, ImportBatch, RegisterEvent


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(ReadOnly):
    list_display = ["title", "number", "kind", "agency", "made_on", "repealed_on"]
    list_filter = ["kind", "agency"]
    search_fields = ["title", "number"]


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnly):
    list_display = ["kind", "agency", "period_start", "period_end", "file_name", "accepted"]
    list_filter = ["kind", "agency"]


@admin.register(RegisterEvent)
class RegisterEventAdmin(ReadOnly):
    list_display = ["at", "agency", "kind", "actor"]
    list_filter = ["kind"]
