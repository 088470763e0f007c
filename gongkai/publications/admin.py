"""Admin: read-only views for administrators; every state change goes through workflow.py."""

from django.contrib import admin

from gongkai.publications.models import (
    ChannelPublication,
    Item,
    ItemEvent,
    ItemRevision,
    PublicationSettings,
    ReviewCheck,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ItemEventInline(ReadOnlyInline):
    model = ItemEvent
    fields = ["kind", "actor", "at", "data"]


class ReviewCheckInline(ReadOnlyInline):
    model = ReviewCheck
    fields = ["round", "gate", "passed", "comment", "by", "at"]


class ItemRevisionInline(ReadOnlyInline):
    model = ItemRevision
    fields = ["version", "title", "reason", "by", "at"]


class ChannelInline(ReadOnlyInline):
    model = ChannelPublication
    fields = ["channel", "published_on", "url", "note", "recorded_by"]


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["index_number", "title", "agency", "status", "written_on", "published_at"]
    list_filter = ["status", "category", "genre", "generated"]
    search_fields = ["index_number", "title"]
    show_full_result_count = False
    inlines = [ReviewCheckInline, ItemRevisionInline, ChannelInline, ItemEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PublicationSettings)
class PublicationSettingsAdmin(admin.ModelAdmin):
    list_display = ["agency", "index_prefix"]
