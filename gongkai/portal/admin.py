"""Admin: read-only views for administrators; every change goes through publishing.py."""

from django.contrib import admin

from gongkai.portal.models import PageVersion, PortalPage, PublishedReport


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PageVersionInline(admin.TabularInline):
    model = PageVersion
    extra = 0
    fields = ["number", "published_at", "editor", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PortalPage)
class PortalPageAdmin(ReadOnly):
    list_display = ["agency", "slug"]
    list_filter = ["slug"]
    inlines = [PageVersionInline]


@admin.register(PublishedReport)
class PublishedReportAdmin(ReadOnly):
    list_display = ["agency", "year", "published_on", "origin", "published_by", "created_at"]
    list_filter = ["origin", "year"]
    exclude = ["data"]
