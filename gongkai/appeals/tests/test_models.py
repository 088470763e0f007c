import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from gongkai.agencies.models import Role
from gongkai.agencies.tests.factories import make_agency, make_user
from gongkai.appeals.models import Appeal
from gongkai.cases.tests.factories import make_case
from gongkai.workdays.tests.factories import store_national_calendar

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


@pytest.fixture
def case():
    store_national_calendar()
    agency = make_agency()
    return make_case(agency, make_user(agency, Role.REGISTRAR))


def test_each_appeal_falls_in_one_table_four_group(case):
    kinds = [
        Appeal(case=case, kind="reconsideration", filed_on=D("2024-04-01")),
        Appeal(case=case, kind="litigation", filed_on=D("2024-04-01")),
        Appeal(case=case, kind="litigation", after_reconsideration=True, filed_on=D("2024-04-01")),
    ]
    assert [a.group() for a in kinds] == [
        "reconsideration",
        "litigation_direct",
        "litigation_after",
    ]


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "reconsideration", "after_reconsideration": True},  # only a suit follows a 复议
        {"kind": "litigation", "result": "upheld"},  # decided needs a date
        {"kind": "litigation", "decided_on": D("2024-05-01")},  # pending has no date
        {"kind": "litigation", "result": "upheld", "decided_on": D("2024-03-01")},  # before filed
    ],
)
def test_the_database_refuses_inconsistent_appeals(case, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Appeal.objects.create(case=case, filed_on=D("2024-04-01"), **fields)
