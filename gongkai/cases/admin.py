"""Admin: read-mostly views for administrators; every state change goes through workflow.py."""

from django.contrib import admin

from gongkai.cases.models import BusinessType, Case, CaseEvent, Consultation


class ConsultationInline(admin.TabularInline):
    model = Consultation
    extra = 0
    can_delete = False
    readonly_fields = ["party", "addressee", "sent_on", "answered_on", "answer"]

    def has_add_permission(self, request, obj=None):
        return False


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "actor", "at", "data"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["tracking_number", "agency", "department", "status", "received_on", "due_on"]
    list_filter = ["agency", "status", "channel", "business_type", "outcome"]
    search_fields = ["tracking_number"]
    date_hierarchy = "received_on"
    list_select_related = ["agency", "department"]
    inlines = [ConsultationInline, CaseEventInline]

    def get_readonly_fields(self, request, obj=None):
        # State and dates change only through the audited workflow functions.
        return [f.name for f in Case._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(CaseEvent)
class CaseEventAdmin(admin.ModelAdmin):
    list_display = ["case", "kind", "actor", "at"]
    list_filter = ["kind"]
    list_select_related = ["case", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BusinessType)
class BusinessTypeAdmin(admin.ModelAdmin):
    """Rename, retire (取消“启用”) or add business types; defaults need no row."""

    list_display = ["code", "name", "position", "active"]
    list_editable = ["name", "position", "active"]
