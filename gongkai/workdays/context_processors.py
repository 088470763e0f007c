"""Warn staff from 1 November until next year's holiday schedule is loaded (issue 3)."""

from django.utils import timezone

from gongkai.workdays.models import ExceptionalDay


def missing_year(today, loaded_years):
    """The year whose schedule staff must load now: this year, or from 1 November the next."""
    needed = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    return next((year for year in needed if year not in loaded_years), None)


def warning_text(year):
    return (
        f"{year}年的节假日安排尚未载入：涉及{year}年的答复期限无法计算或只能暂定。"
        "国务院办公厅公布通知后，请在“导入放假通知”页面粘贴通知全文导入。"
    )


def schedule_warning(request):
    """{'workdays_schedule_warning': text} for staff while a needed year is missing."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated and user.is_staff):
        return {}
    today = timezone.localdate()
    loaded = set(
        ExceptionalDay.objects.filter(scope="", year__in=[today.year, today.year + 1])
        .values_list("year", flat=True)
        .distinct()
    )
    year = missing_year(today, loaded)
    return {"workdays_schedule_warning": warning_text(year)} if year else {}
