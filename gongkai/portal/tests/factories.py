"""Tiny explicit factories for portal tests: items straight into the table.

Items are created the way `generate_items` creates benchmark data (rows already
published), so the portal's tests do not depend on the publications workflow;
test_visibility drives the real workflow for withdrawal.
"""

import datetime as dt
import itertools
import zoneinfo

from gongkai.publications.models import Category, Genre, Item, Status, Topic

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
_serial = itertools.count(1)


def at(text):
    """An aware datetime in Beijing time from "2026-02-10 09:30" (or a date)."""
    if len(text) == 10:
        text += " 09:00"
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


NOW = at("2026-02-10 09:00")


def make_item(agency, **kw):
    """A published item of `agency` (override any field, e.g. status=Status.DRAFT)."""
    serial = next(_serial)
    published_at = kw.pop("published_at", NOW - dt.timedelta(days=serial % 300, minutes=serial))
    kw.setdefault("title", f"关于加强户籍管理工作的通知（{serial}）")
    kw.setdefault("body", "<p>为进一步规范户籍管理，现将有关事项通知如下。</p>")
    moment = published_at or NOW
    kw.setdefault("written_on", moment.date() - dt.timedelta(days=3))
    kw.setdefault("issuer", "示范市公安局")
    kw.setdefault("genre", Genre.NOTICE)
    kw.setdefault("topic", Topic.HOUSEHOLD)
    kw.setdefault("category", Category.PUBLIC_ORDER)
    kw.setdefault("status", Status.PUBLISHED)
    return Item.objects.create(
        agency=agency,
        index_number=f"{agency.code}/{moment.year}-{serial:05d}",
        index_year=moment.year,
        index_serial=serial,
        published_at=published_at,
        **kw,
    )
