"""Admin: read-only; templates and the letterhead are edited on the 文书设置 pages."""

from django.contrib import admin

from gongkai.letters.models import Letterhead, LetterIssued, LetterTemplate


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Letterhead)
class LetterheadAdmin(ReadOnlyAdmin):
    list_display = ["full_name", "agency", "number_prefix", "updated_at"]


@admin.register(LetterTemplate)
class LetterTemplateAdmin(ReadOnlyAdmin):
    list_display = ["agency", "kind", "version", "created_by", "created_at"]
    list_filter = ["kind"]


@admin.register(LetterIssued)
class LetterIssuedAdmin(ReadOnlyAdmin):
    list_display = ["number", "case", "kind", "format", "by", "at"]
    search_fields = ["number", "case__tracking_number"]
