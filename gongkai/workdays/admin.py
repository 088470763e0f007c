from django.contrib import admin

from gongkai.workdays.models import ExceptionalDay


@admin.register(ExceptionalDay)
class ExceptionalDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "year", "scope", "source"]
    list_filter = ["year", "kind", "scope"]
    search_fields = ["name", "source", "note"]
    date_hierarchy = "date"
