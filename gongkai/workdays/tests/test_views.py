import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from gongkai.workdays.context_processors import missing_year, schedule_warning
from gongkai.workdays.models import CalendarChange, ExceptionalDay

pytestmark = pytest.mark.django_db
NOTICE = (Path(__file__).parent / "testdata" / "notice-2025.txt").read_text(encoding="utf-8")
URL = "/workdays/import-notice/"


def _staff(name, *permissions):
    user = get_user_model().objects.create_user(name, password="x", is_staff=True)
    for codename in permissions:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


@pytest.fixture
def staff(client):
    """A staff account granted the calendar permissions (the page's requirement)."""
    user = _staff("clerk", "add_exceptionalday", "delete_exceptionalday")
    client.force_login(user)
    return user


def test_a_plain_staff_account_may_not_replace_the_calendar(client):
    """Issue 13 #4: any staff account could replace the national holiday calendar."""
    client.force_login(_staff("plain"))
    assert client.get(URL).status_code == 403
    response = client.post(URL, {"text": NOTICE, "year": "2025", "store": "1"})
    assert response.status_code == 403
    assert not ExceptionalDay.objects.exists() and not CalendarChange.objects.exists()
    client.force_login(_staff("adder", "add_exceptionalday"))  # adding alone is not enough
    assert client.get(URL).status_code == 403


def test_every_calendar_change_is_recorded_with_who_before_and_after(client, staff):
    ExceptionalDay.objects.create(
        date=dt.date(2025, 5, 5), kind="holiday", year=2025, name="旧记录", source="x"
    )
    client.post(URL, {"text": NOTICE, "year": "2025", "store": "1"})
    change = CalendarChange.objects.get()
    assert (change.actor, change.actor_name, change.how) == (staff, "clerk", "网页导入通知")
    assert change.data["years"] == [2025]
    assert change.data["before"] == [["2025-05-05", "holiday", "旧记录", ""]]
    assert ["2025-10-11", "workday", "国庆节、中秋节", ""] in change.data["after"]
    assert len(change.data["after"]) == ExceptionalDay.objects.count()
    with pytest.raises(ValueError):
        change.delete()


def test_non_staff_are_sent_to_the_login_page(client):
    assert reverse("workdays:import_notice") == URL
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_preview_shows_the_days_and_stores_nothing(client, staff):
    response = client.post(URL, {"text": NOTICE, "preview": "1"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "放假 28 天" in body and "2025-10-11" in body and "确认无误，保存" in body
    assert not ExceptionalDay.objects.exists()


def test_store_saves_the_year(client, staff):
    response = client.post(URL, {"text": NOTICE, "year": "2025", "store": "1"})
    assert response.status_code == 302
    assert ExceptionalDay.objects.filter(year=2025, kind="workday").count() == 5


def test_a_contradicting_notice_shows_the_reason(client, staff):
    response = client.post(URL, {"text": NOTICE.replace("（周五）", "（周六）"), "store": "1"})
    assert "通知自相矛盾" in response.content.decode()
    assert not ExceptionalDay.objects.exists()


def test_the_missing_year_appears_from_1_november():
    assert missing_year(dt.date(2025, 10, 31), {2025}) is None
    assert missing_year(dt.date(2025, 11, 1), {2025, 2026}) is None
    assert missing_year(dt.date(2025, 11, 1), {2025}) == 2026
    assert missing_year(dt.date(2027, 1, 2), {2026}) == 2027


def test_only_staff_get_the_warning(staff):
    request = RequestFactory().get("/")
    request.user = staff
    year = timezone.localdate().year  # nothing loaded: this year is missing whatever the date
    assert schedule_warning(request)["workdays_schedule_warning"].startswith(f"{year}年")
    staff.is_staff = False
    assert schedule_warning(request) == {}
