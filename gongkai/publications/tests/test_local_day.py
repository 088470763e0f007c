"""Publishing rules speak of Beijing's day, not UTC's (issue 13, finding 12).

Between 00:00 and 08:00 Beijing time the UTC date is still yesterday. The server's
clock (timezone.now()) is in UTC, so every moment here is given in UTC, as the views
pass it: 02:00 Beijing time = 18:00 UTC the day before.
"""

import datetime as dt

import pytest

from gongkai.publications import workflow
from gongkai.publications.models import EventKind, ItemEvent, PublicationChannel
from gongkai.publications.tests.factories import make_item, run_to

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def two_in_the_morning(day):
    """02:00 Beijing time on `day`, as the aware UTC moment timezone.now() returns."""
    return dt.datetime.combine(day - dt.timedelta(days=1), dt.time(18, 0), tzinfo=UTC)


def test_an_item_written_today_is_published_at_two_in_the_morning(world):
    today = dt.date(2026, 3, 10)
    now = two_in_the_morning(today)
    item = make_item(world.agency, world.info_officer, now=now, written_on=today)
    item = run_to(item, world, "published", now=now)
    assert item.published_at == now
    assert item.published_on_time() is True


def test_a_channel_record_dated_today_is_accepted_at_two_in_the_morning(world):
    today = dt.date(2026, 3, 10)
    now = two_in_the_morning(today)
    item = make_item(world.agency, world.info_officer, now=now, written_on=dt.date(2026, 3, 9))
    item = run_to(item, world, "published", now=now)
    workflow.record_channel(
        item, by=world.office, now=now, channel=PublicationChannel.WECHAT, published_on=today
    )
    assert item.channel_publications.get().published_on == today
    with pytest.raises(workflow.WorkflowError, match="不能晚于今天"):
        workflow.record_channel(
            item,
            by=world.office,
            now=now,
            channel=PublicationChannel.WEIBO,
            published_on=today + dt.timedelta(days=1),
        )


def test_the_on_time_flag_counts_the_beijing_day_of_publication(world):
    written = dt.date(2026, 3, 2)
    item = make_item(world.agency, world.info_officer, written_on=written)
    due = item.publication_due_on
    late = two_in_the_morning(due + dt.timedelta(days=1))  # UTC: still the due day
    item = run_to(item, world, "published", now=late)
    assert item.published_on_time() is False
    event = ItemEvent.objects.get(item=item, kind=EventKind.PUBLISH)
    assert event.data["on_time"] is False
    in_time = make_item(world.agency, world.info_officer, written_on=written)
    in_time = run_to(in_time, world, "published", now=two_in_the_morning(due))
    assert in_time.published_on_time() is True
    assert ItemEvent.objects.get(item=in_time, kind=EventKind.PUBLISH).data["on_time"] is True
