from django.contrib import admin
from django.db import transaction

from gongkai.workdays.loading import day_facts, record_change
from gongkai.workdays.models import CalendarChange, ExceptionalDay


@admin.register(ExceptionalDay)
class ExceptionalDayAdmin(admin.ModelAdmin):
    """Every change made here is recorded as a CalendarChange (issue 13 #4)."""

    list_display = ["date", "kind", "name", "year", "scope", "source"]
    list_filter = ["year", "kind", "scope"]
    search_fields = ["name", "source", "note"]
    date_hierarchy = "date"

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        before = day_facts(ExceptionalDay.objects.filter(pk=obj.pk)) if change else []
        super().save_model(request, obj, form, change)
        how = "后台修改" if change else "后台新增"
        record_change(how, before, day_facts([obj]), by=request.user, years=[obj.year])

    @transaction.atomic
    def delete_model(self, request, obj):
        before = day_facts([obj])
        super().delete_model(request, obj)
        record_change("后台删除", before, [], by=request.user, years=[obj.year])

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        rows = list(queryset.order_by("date"))
        super().delete_queryset(request, queryset)
        years = {r.year for r in rows}
        record_change("后台删除", day_facts(rows), [], by=request.user, years=years)


@admin.register(CalendarChange)
class CalendarChangeAdmin(admin.ModelAdmin):
    """Read-only: the records can be read, never edited or removed."""

    list_display = ["at", "how", "actor_name", "actor_roles"]
    list_filter = ["how"]
    readonly_fields = ["at", "how", "actor", "actor_name", "actor_roles", "data"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
