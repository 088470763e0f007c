"""Two imports of one period at the same moment (PostgreSQL: real row locks)."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from gongkai.registers import imports
from gongkai.registers.models import Decision, ImportBatch
from gongkai.registers.tests.helpers import csv_bytes, decisions

D = dt.date.fromisoformat
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="需要 PostgreSQL 的行锁"),
]


def test_simultaneous_imports_of_one_period_leave_exactly_one_current_batch(world):
    staged = [
        imports.stage(
            [csv_bytes(decisions(*[f"{tag}{i}" for i in range(300)]))], agency=world.agency,
            kind="licensing", start=D("2024-01-01"), end=D("2024-12-31"), by=world.office,
            file_name=f"{tag}.csv", today=D("2026-06-15"),
        )[0]
        for tag in ("A", "B")
    ]  # fmt: skip
    barrier = threading.Barrier(2)
    errors = []

    def confirm(pending):
        try:
            barrier.wait()
            imports.commit(pending, by=world.office)
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm, args=(p,)) for p in staged]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    current = ImportBatch.objects.current().get()
    assert ImportBatch.objects.get(replaced_by=current)  # the other one, replaced
    tags = {n[0] for n in Decision.objects.values_list("number", flat=True)}
    assert tags == {current.file_name[0]} and Decision.objects.count() == 300
