import datetime as dt

import pytest

from gongkai.agencies.models import Role
from gongkai.agencies.tests.factories import make_agency, make_user
from gongkai.demo import publications as demo
from gongkai.publications import stats, workflow
from gongkai.publications.models import (
    ChannelPublication,
    Item,
    ItemEvent,
    ItemRevision,
    ReviewCheck,
    Status,
)
from gongkai.publications.tests.factories import NOW, at, make_item, run_to

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 2, 10)


@pytest.fixture
def bureau(db):
    """The real demo bureau and demo users (gongkai.demo), as `make run` loads them."""
    from django.contrib.auth.models import User

    from gongkai.demo.bureau import ensure_bureau
    from gongkai.demo.users import DEMO_USERS, load_users

    load_users()
    agency = ensure_bureau()
    names = [d.username for d in DEMO_USERS]
    return agency, {u.username: u for u in User.objects.filter(username__in=names)}


def test_demo_goes_through_the_workflow(bureau):
    agency, users = bureau
    created = demo.load(agency, users, today=TODAY)
    items = Item.objects.filter(agency=agency)
    assert created == items.count()
    assert 130 <= created <= 180
    now = at("2026-02-10 12:00")
    public = items.public(now)
    years = {i.published_at.year for i in public}
    assert years == {2023, 2024, 2025, 2026}
    assert items.filter(status=Status.WITHDRAWN).count() >= 2
    assert public.filter(interprets__isnull=False).count() >= 3
    for reading in public.filter(interprets__isnull=False):
        assert reading.published_at >= reading.interprets.published_at
    for status in ("draft", "submitted", "secrecy_review", "approval", "approved"):
        assert items.filter(status=status).exists(), status
    assert items.scheduled(now).count() == 1
    overdue = list(items.overdue(TODAY))
    assert [i.title for i in overdue] == ["关于规范电动自行车停放充电管理的通告"]
    assert ItemRevision.objects.filter(item__agency=agency).exists()
    assert ChannelPublication.objects.filter(item__agency=agency).exists()
    assert items.first().index_number.startswith(demo.INDEX_PREFIX + "/")
    # every published item has its full trail: create … publish, five checks
    sample = public.filter(interprets__isnull=True).first()
    kinds = list(ItemEvent.objects.filter(item=sample).values_list("kind", flat=True))
    assert kinds[0] == "create" and "publish" in kinds
    assert ReviewCheck.objects.filter(item=sample, passed=True).count() == 5
    assert demo.load(agency, users, today=TODAY) == 0  # idempotent


def test_year_figures(world):
    def publish(title, category, when):
        item = make_item(world.agency, world.info_officer, title=title, category=category)
        return run_to(item, world, "published", now=NOW, at_time=at(when))

    a = publish("一", "normative_documents", "2026-02-10 10:00")
    publish("二", "traffic", "2026-02-11 10:00")
    publish("三", "traffic", "2026-03-20 10:00")  # late: due 2026-03-06
    old = make_item(world.agency, world.info_officer, written_on=dt.date(2025, 12, 1))
    run_to(old, world, "published", now=at("2025-12-31 23:30"))
    workflow.record_channel(
        a, by=world.office, now=NOW, channel="wechat", published_on=dt.date(2026, 2, 10)
    )
    workflow.record_channel(
        a, by=world.office, now=NOW, channel="weibo", published_on=dt.date(2026, 2, 10)
    )
    workflow.record_channel(
        a, by=world.office, now=NOW, channel="gazette", published_on=dt.date(2026, 2, 10)
    )
    workflow.withdraw(a, by=world.office, now=at("2026-04-01 09:00"), reason="废止")
    figures = stats.year_figures(world.agency, 2026)
    assert figures["published"] == 3  # the withdrawn one was published in 2026 too
    assert figures["by_category"]["traffic"] == 2
    assert figures["by_category"]["normative_documents"] == 1
    assert figures["withdrawn"] == 1
    assert figures["new_media"] == 2
    assert figures["channels"]["gazette"] == 1
    assert (figures["published_on_time"], figures["published_late"]) == (2, 1)
    assert "通过政务新媒体公开政府信息2条（微信公众号1条、微博1条）。" in figures["sentences"]
    assert figures["sentences"][0].startswith(
        "2026年，通过政府网站主动公开政府信息3条，其中交通管理2条"
    )
    assert stats.year_figures(world.agency, 2025)["published"] == 1
    assert stats.year_figures(world.agency, 2024)["published"] == 0


def test_year_end_overdue(world):
    make_item(world.agency, world.info_officer, written_on=dt.date(2025, 11, 3))
    assert stats.year_figures(world.agency, 2025)["overdue_at_year_end"] == 1


def test_other_agency_not_counted(world):
    other = make_agency()
    clerk = make_user(other, Role.OFFICE)
    make_item(other, clerk)
    assert stats.year_figures(world.agency, 2026)["published"] == 0
