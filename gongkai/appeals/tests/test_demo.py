"""The demo bureau's 复议/诉讼: recorded through the workflow; table 四 equals a hand count."""

import datetime as dt

import pytest
from django.core.management import call_command

from gongkai.agencies.models import Agency
from gongkai.appeals import matters
from gongkai.appeals.models import Appeal
from gongkai.cases.models import CaseEvent
from gongkai.cases.stats import annual_tables
from gongkai.reports import checks

TODAY = dt.date(2026, 6, 15)  # pinned, as the cases demo test
pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(settings):
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", today=TODAY.isoformat(), verbosity=0)
    return Agency.objects.get(code="SFGAJ")


def _hand_count(year):
    """Table 四 for `year` by the stated rule, counted over the rows in Python."""
    out = {}
    for a in Appeal.objects.all():
        if a.instance in ("second", "retrial") or a.filed_on.year > year:
            continue
        if a.decided_on is not None and a.decided_on.year < year:
            continue
        column = a.result if a.decided_on and a.decided_on.year == year else "pending"
        cells = out.setdefault(
            a.group(), dict.fromkeys(["upheld", "corrected", "other", "pending", "total"], 0)
        )
        cells[column] += 1
        cells["total"] += 1
    return out


def test_demo_appeals_are_recorded_through_the_workflow(loaded):
    appeals = list(Appeal.objects.all())
    assert len(appeals) >= 8
    for a in appeals:  # each has its 登记 event on the case's 办理记录
        assert CaseEvent.objects.filter(
            case=a.case, kind="appeal_record", data__appeal=a.pk
        ).exists()
    assert {a.result for a in appeals} == {"upheld", "corrected", "other", "pending"}
    suit = Appeal.objects.get(after_reconsideration=True)
    assert suit.prior.kind == "reconsideration" and suit.co_defendant
    # the 纠正 reopened its request, which was replied and delivered again
    corrected = Appeal.objects.get(result="corrected")
    reopen = CaseEvent.objects.get(kind="reopen", case=corrected.case)
    case = corrected.case
    assert case.status == "delivered" and case.replied_on > corrected.decided_on
    assert reopen.data["previous_replied_on"] < case.replied_on.isoformat()
    # a matter spans the turn of a year
    assert any(a.decided_on and a.decided_on.year > a.filed_on.year for a in appeals)
    # open matters now, with deadlines, for the legal office
    from django.contrib.auth.models import User

    open_now = matters.open_matters_for(User.objects.get(username="legal"), TODAY)
    assert len(open_now) >= 2 and all(m.due for m in open_now[:2])


def test_table_four_equals_a_hand_count_every_demo_year(loaded):
    last = None
    for year in range(TODAY.year - 3, TODAY.year + 1):
        report = annual_tables(loaded, year)
        hand = _hand_count(year)
        for group, cells in report["appeals"].items():
            assert cells == hand.get(group, dict.fromkeys(cells, 0)), (year, group)
        assert [f for f in checks.check(report) if f["severity"] == "error"] == [], year
        if last is not None:  # last year's 尚未审结 appear again this year
            carried = sum(
                1 for a in Appeal.objects.all()
                if a.filed_on.year <= year - 1 and (a.decided_on is None or a.decided_on.year >= year)
                and a.instance not in ("second", "retrial")
            )  # fmt: skip
            pending_last = sum(c["pending"] for c in last["appeals"].values())
            assert carried == pending_last
        last = report
