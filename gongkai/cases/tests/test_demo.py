"""The demo bureau (load_demo) and the benchmark generator (generate_cases)."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from gongkai.agencies.models import Agency
from gongkai.cases.models import OPEN_STATUSES, Case, CaseEvent, Status
from gongkai.cases.models import EventKind as K
from gongkai.cases.stats import annual_tables
from gongkai.reports import checks
from gongkai.workdays import loading

TODAY = dt.date(2026, 6, 15)  # pinned: a Monday
pytestmark = pytest.mark.django_db


def test_demo_logins_lists_every_role_in_chinese():
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    for name in ("registrar", "clerk", "handler1", "legal", "secrecy", "office_head", "leader"):
        assert f"用户名 {name}，" in text
    assert "分管领导" in text and "法制审查" in text


def test_load_demo_refuses_a_malformed_date(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("load_demo", today="2026-13-01", verbosity=0)


def test_the_generator_writes_that_many_valid_cases():
    loading.load_chinesecalendar()
    out = StringIO()
    call_command(
        "generate_cases", count=257, agency="GEN", years="2023-2024", batch=100, stdout=out
    )
    cases = Case.objects.filter(agency__code="GEN")
    assert cases.count() == 257
    assert "已生成 257/257 件" in out.getvalue()
    assert CaseEvent.objects.filter(case__in=cases, kind=K.REGISTER).count() == 257
    closed = cases.filter(closed_on__isnull=False)
    assert closed.count() > 200 and not closed.filter(outcome="").exists()
    assert not closed.filter(status__in=OPEN_STATUSES).exists()
    assert not cases.filter(closed_on__isnull=True).exclude(status__in=OPEN_STATUSES).exists()
    assert not cases.filter(due_on__isnull=True).exists()
    assert len(set(cases.values_list("tracking_number", flat=True))) == 257
    agency = Agency.objects.get(code="GEN")
    last, this = annual_tables(agency, 2023), annual_tables(agency, 2024)
    assert [f for f in checks.check(this) if f["severity"] == "error"] == []
    assert checks.check_continuity(last, this) == []
    assert this["requests"]["new"]["total"] + last["requests"]["new"]["total"] == 257
    # a second run continues the numbering
    call_command("generate_cases", count=5, agency="GEN", years="2024", verbosity=0)
    assert cases.count() == 262 and cases.filter(status=Status.DELIVERED).exists()


def test_the_generator_refuses_bad_years():
    with pytest.raises(CommandError, match="年份范围"):
        call_command("generate_cases", count=1, years="2025-2019", verbosity=0)
