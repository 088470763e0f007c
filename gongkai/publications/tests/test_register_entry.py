"""Issue 14 part 9: a published 行政规范性文件 is entered in the 规章和行政规范性文件登记簿,
so table 二 counts what the portal shows (registers.documents.enter_published_item)."""

import datetime as dt

import pytest

from gongkai.publications import workflow
from gongkai.publications.models import Category, Genre, Item
from gongkai.publications.tests.factories import NOW, make_item, run_to
from gongkai.registers import documents, stats
from gongkai.registers.models import Document, EventKind, RegisterEvent

pytestmark = pytest.mark.django_db


def _issued(agency, year=2026):
    return stats.annual_report(agency, year)["proactive"]["normative_documents"]


def _normative(w, **kw):
    kw.setdefault("title", "示范市养犬登记管理办法")
    kw.setdefault("document_number", "示公规〔2026〕1号")
    kw.setdefault("category", Category.NORMATIVE_DOCUMENTS)
    kw.setdefault("genre", Genre.MEASURES)
    return make_item(w.agency, w.info_officer, **kw)


def test_publishing_a_normative_document_moves_table_two(world):
    before = _issued(world.agency)
    item = run_to(_normative(world), world, "approved")
    assert _issued(world.agency) == before  # approved is not yet published
    item = workflow.publish(item, by=world.office, now=NOW)
    after = _issued(world.agency)
    assert after["issued"] == before["issued"] + 1
    assert after["in_force"] == before["in_force"] + 1
    document = Document.objects.get(source_item=item)
    assert (document.title, document.number, document.made_on) == (
        "示范市养犬登记管理办法",
        "示公规〔2026〕1号",
        dt.date(2026, 2, 2),
    )
    event = RegisterEvent.objects.get(document=document)
    assert event.kind == EventKind.DOCUMENT_ADDED and event.actor == world.office
    assert event.data["source_item"] == item.index_number
    # what the portal shows this year = what table 二 counts
    public = Item.objects.public(NOW).filter(
        category=Category.NORMATIVE_DOCUMENTS, written_on__year=2026, interprets__isnull=True
    )
    assert public.count() == after["issued"]


def test_entering_again_changes_nothing(world):
    item = run_to(_normative(world), world, "published")
    events = RegisterEvent.objects.count()
    again = documents.enter_published_item(item, by=world.office)
    assert again == Document.objects.get() and RegisterEvent.objects.count() == events


def test_a_document_registered_by_hand_is_linked_not_entered_twice(world):
    by_hand = documents.add_document(
        world.agency,
        by=world.office,
        kind="normative_documents",
        title="养犬登记管理办法",
        number="示公规〔2026〕1号",
        made_on=dt.date(2026, 2, 2),
    )
    item = run_to(_normative(world), world, "published")
    assert Document.objects.get() == by_hand
    by_hand.refresh_from_db()
    assert by_hand.source_item == item and by_hand.title == "养犬登记管理办法"
    assert _issued(world.agency)["issued"] == 1


def test_other_items_and_interpretations_are_not_entered(world):
    run_to(make_item(world.agency, world.info_officer), world, "published")  # a 通告
    document = run_to(_normative(world), world, "approved")
    reading = make_item(
        world.agency,
        world.info_officer,
        title="《示范市养犬登记管理办法》政策解读",
        category=Category.NORMATIVE_DOCUMENTS,
        genre=Genre.INTERPRETATION,
        interprets=document,
    )
    reading = run_to(reading, world, "approved")
    workflow.publish(document, by=world.office, now=NOW)  # publishes its reading with it (三同步)
    reading.refresh_from_db()
    assert reading.published_at is not None
    assert list(Document.objects.values_list("source_item", flat=True)) == [document.pk]
    assert documents.enter_published_item(reading, by=world.office) is None
