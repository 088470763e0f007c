"""Two people acting at the same moment (PostgreSQL: real row locks)."""

import threading

import pytest
from django.db import connection, connections

from gongkai.publications import workflow
from gongkai.publications.models import Item, ItemEvent
from gongkai.publications.tests.factories import NOW, make_item, run_to

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="需要 PostgreSQL 的行锁"),
]


def _together(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def act(call):
        try:
            barrier.wait()
            call()
            outcomes.append("won")
        except workflow.WorkflowError as error:
            outcomes.append(str(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_simultaneous_drafts_get_distinct_index_numbers(world):
    outcomes = _together(*[lambda: make_item(world.agency, world.info_officer) for _ in range(4)])
    assert outcomes == ["won"] * 4
    serials = sorted(Item.objects.values_list("index_serial", flat=True))
    assert serials == [1, 2, 3, 4]


def test_two_simultaneous_publications_leave_one(world):
    item = run_to(make_item(world.agency, world.info_officer), world, "approved")
    outcomes = _together(
        lambda: workflow.publish(item, by=world.office, now=NOW),
        lambda: workflow.publish(item, by=world.office, now=NOW),
    )
    assert outcomes.count("won") == 1
    assert any("当前状态为“已发布”" in o for o in outcomes)
    assert ItemEvent.objects.filter(item=item, kind="publish").count() == 1
