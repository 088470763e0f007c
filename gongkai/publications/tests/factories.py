"""make_item / run_to: items through the workflow with pinned moments."""

import datetime as dt
import zoneinfo

from gongkai.publications import workflow
from gongkai.publications.models import Category, Gate, Genre, Topic

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(text):
    """An aware datetime in Beijing time from "2026-02-10 09:30" (or a date)."""
    if len(text) == 10:
        text += " 09:00"
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


NOW = at("2026-02-10 09:00")


def make_item(agency, by, *, now=NOW, **kw):
    kw.setdefault("title", "关于2026年春节期间烟花爆竹燃放管理的通告")
    kw.setdefault("written_on", dt.date(2026, 2, 2))
    kw.setdefault("genre", Genre.CIRCULAR)
    kw.setdefault("topic", Topic.PUBLIC_ORDER)
    kw.setdefault("category", Category.PUBLIC_ORDER)
    kw.setdefault("body", "<p>为保障春节期间公共安全，现就烟花爆竹燃放管理通告如下。</p>")
    return workflow.create(agency, by=by, now=now, **kw)


def run_to(item, w, status, *, now=NOW, at_time=None):
    """Drive `item` along the usual path up to `status`."""
    steps = [
        ("submitted", lambda i: workflow.submit(i, by=w.info_officer, now=now)),
        ("secrecy_review", lambda i: workflow.first_review(i, by=w.office, now=now, passed=True)),
        (
            "approval",
            lambda i: workflow.secrecy_review(
                i, by=w.secrecy_reviewer, now=now, results={g: (True, "") for g in Gate.values}
            ),
        ),
        ("approved", lambda i: workflow.approve(i, by=w.leader, now=now)),
        ("published", lambda i: workflow.publish(i, by=w.office, now=now, at=at_time)),
    ]
    for name, step in steps:
        item = step(item)
        if name == status:
            return item
    raise ValueError(status)
