"""Two people acting on one case at the same moment (PostgreSQL: real row locks)."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from gongkai.cases import workflow
from gongkai.cases.models import Case, CaseEvent
from gongkai.cases.tests.factories import make_case

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="需要 PostgreSQL 的行锁"),
]


def test_two_simultaneous_assignments_leave_one_winner(world):
    case = make_case(world.agency, world.registrar)
    barrier = threading.Barrier(2)
    outcomes = []

    def act(department):
        try:
            barrier.wait()
            workflow.assign(case, by=world.office, department=department, on=dt.date(2024, 3, 4))
            outcomes.append("won")
        except workflow.WorkflowError as error:
            outcomes.append(str(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(d,)) for d in (world.dept, world.other_dept)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 2 and outcomes.count("won") == 1
    assert any("当前状态为“承办中”" in o for o in outcomes)
    assert CaseEvent.objects.filter(case=case, kind="assign").count() == 1
    assert Case.objects.get(pk=case.pk).status == "assigned"
