import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from gongkai.bench.data import items as generate
from gongkai.publications.models import EventKind, Item, ItemEvent, Status
from gongkai.publications.sanitize import clean_body
from gongkai.publications.tests.factories import NOW, make_item

pytestmark = pytest.mark.django_db


def test_generated_items_are_consistent(world):
    make_item(world.agency, world.info_officer)  # serial 2026-00001 is taken
    written = generate.generate(world.agency, 120, years=(2025, 2026), seed=3, batch=50, now=NOW)
    assert written == 120
    items = Item.objects.filter(agency=world.agency, generated=True)
    assert items.count() == 120
    assert items.public(NOW).count() == 120
    assert not items.exclude(status=Status.PUBLISHED).exists()
    numbers = list(items.values_list("index_number", flat=True))
    assert len(set(numbers)) == 120
    assert f"{world.agency.code}/2026-00001" not in numbers
    for item in items[:30]:
        assert item.index_number == f"{world.agency.code}/{item.index_year}-{item.index_serial:05d}"
        assert item.written_on.year == item.index_year
        assert item.written_on <= item.published_at.date() <= NOW.date()
        assert item.publication_due_on > item.written_on
        assert clean_body(item.body) == item.body
        assert item.title
    events = ItemEvent.objects.filter(kind=EventKind.GENERATE)
    assert events.count() == 1
    assert events.get().data["count"] == 120
    assert ItemEvent.objects.filter(item__generated=True).count() == 1


def test_items_are_written_in_date_order_over_the_whole_span(world):
    generate.generate(world.agency, 200, years=(2020, 2025), seed=4, batch=30, now=NOW)
    dates = list(Item.objects.order_by("id").values_list("written_on", flat=True))
    assert dates == sorted(dates)
    assert dates[0].year == 2020 and dates[-1].year == 2025
    assert {d.year for d in dates} == set(range(2020, 2026))


def test_generation_is_deterministic(world):
    generate.generate(world.agency, 20, years=(2024, 2024), seed=9, now=NOW)
    first = list(Item.objects.order_by("id").values_list("title", "written_on"))
    from gongkai.agencies.tests.factories import make_agency

    other = make_agency()
    generate.generate(other, 20, years=(2024, 2024), seed=9, now=NOW)
    second = list(
        Item.objects.filter(agency=other).order_by("id").values_list("title", "written_on")
    )
    assert first == second


def test_command(world, capsys):
    call_command("generate_items", "--count", "30", "--agency", "GEN1", "--years", "2025")
    out = capsys.readouterr().out
    assert "完成：为“基准测试机关GEN1”生成 30 条" in out
    assert Item.objects.filter(agency__code="GEN1").count() == 30
    with pytest.raises(CommandError, match="年份范围"):
        call_command("generate_items", "--count", "3", "--years", "2026-2020")
    with pytest.raises(CommandError, match="不能为负数"):
        call_command("generate_items", "--count", "-1")


def test_future_years_refused(world):
    with pytest.raises(generate.GenerateError, match="晚于当前日期"):
        generate.generate(world.agency, 1, years=(2027, 2027), now=NOW)
    assert not Item.objects.exists()


def test_without_calendar_no_due_date(world):
    from gongkai.workdays.models import ExceptionalDay

    ExceptionalDay.objects.all().delete()
    generate.generate(world.agency, 3, years=(2025, 2025), now=NOW)
    assert not Item.objects.filter(publication_due_on__isnull=False).exists()
    assert dt.date(2025, 1, 1) <= Item.objects.first().written_on
