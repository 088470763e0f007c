from django.contrib import admin

from gongkai.appeals.models import Appeal


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    list_display = ["case", "kind", "after_reconsideration", "filed_on", "result", "decided_on"]
    list_filter = ["kind", "result"]
    search_fields = ["case__tracking_number", "reference"]
    raw_id_fields = ["case"]
    list_select_related = ["case"]
