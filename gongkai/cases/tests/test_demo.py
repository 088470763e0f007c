"""The demo bureau (load_demo) and the benchmark generator (generate_cases)."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from gongkai.agencies.models import Agency, Membership, Role
from gongkai.appeals.models import Appeal
from gongkai.cases.models import OPEN_STATUSES, Case, CaseEvent, Consultation, Status
from gongkai.cases.models import EventKind as K
from gongkai.cases.stats import annual_tables
from gongkai.demo import bureau as demo
from gongkai.reports import checks
from gongkai.workdays import loading

TODAY = dt.date(2026, 6, 15)  # pinned: a Monday
pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(settings):
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", today=TODAY.isoformat(), verbosity=0)


def _snapshot():
    agency = Agency.objects.get(code=demo.AGENCY_CODE)
    return (
        Case.objects.filter(agency=agency).count(),
        CaseEvent.objects.count(),
        Membership.objects.count(),
        agency.departments.count(),
        Appeal.objects.count(),
    )


def _load_demo_creates_the_bureau_its_roles_and_cases(loaded):
    agency = Agency.objects.get(code=demo.AGENCY_CODE)
    assert agency.name == "示范市公安局"
    assert set(agency.departments.values_list("name", flat=True)) == set(demo.DEPARTMENTS)
    held = set(Membership.objects.filter(agency=agency).values_list("role", flat=True))
    assert held == set(Role.values)
    cases = Case.objects.filter(agency=agency)
    for year in (2023, 2024, 2025):
        n = cases.filter(received_on__year=year).count()
        assert 3 <= n <= 258, (year, n)
    # every case has its audit trail, starting with 登记
    assert not cases.filter(events__isnull=True).exists()
    assert CaseEvent.objects.filter(kind=K.REGISTER).count() == cases.count()
    kinds = set(CaseEvent.objects.values_list("kind", flat=True))
    assert {K.REQUEST_CORRECTION, K.CONSULT, K.APPROVE_EXTENSION, K.WITHDRAW} <= kinds
    assert {K.REPLY, K.DELIVER, K.ARCHIVE} <= kinds
    assert Consultation.objects.exists() and Appeal.objects.exists()
    denials = cases.filter(outcome__startswith="denied.", closed_on__isnull=False)
    assert denials.exists()
    approvals = CaseEvent.objects.filter(kind=K.APPROVE, case__in=denials)
    assert not approvals.exclude(actor__username="leader").exists()


def _open_cases_include_due_soon_and_exactly_one_overdue(loaded):
    cases = Case.objects.filter(agency__code=demo.AGENCY_CODE)
    assert cases.open().filter(received_on__year=2026).count() >= 4
    assert cases.overdue(TODAY).count() == 1
    cal = loading.get_calendar(demo.AGENCY_CODE)
    soon = [
        c for c in cases.open() if c.due_on >= TODAY and cal.workdays_between(TODAY, c.due_on) <= 3
    ]
    assert len(soon) >= 2
    assert not cases.filter(status__in=OPEN_STATUSES, received_on__gt=TODAY).exists()
    assert not CaseEvent.objects.filter(data__on__gt=TODAY.isoformat()).exists()


def _the_demo_reports_pass_the_checker_and_join_up(loaded):
    agency = Agency.objects.get(code=demo.AGENCY_CODE)
    reports = {y: annual_tables(agency, y) for y in (2023, 2024, 2025, 2026)}
    for year, report in reports.items():
        errors = [f for f in checks.check(report) if f["severity"] == "error"]
        assert errors == [], year
        assert report["requests"]["new"]["total"] > 0
    for year in (2024, 2025, 2026):
        assert checks.check_continuity(reports[year - 1], reports[year]) == []
    open_now = Case.objects.filter(agency=agency).open().count()
    assert reports[2026]["requests"]["carry_forward"]["total"] == open_now >= 4


def _running_load_demo_again_changes_nothing(loaded):
    before = _snapshot()
    out = StringIO()
    call_command("load_demo", today=TODAY.isoformat(), stdout=out)
    assert _snapshot() == before
    assert "本次新建 0 个" in out.getvalue() and "本次新建 0 件" in out.getvalue()


def test_load_demo_builds_a_consistent_bureau_once(loaded):
    """One load (it drives ~200 cases through the workflow), several checks."""
    _load_demo_creates_the_bureau_its_roles_and_cases(loaded)
    _open_cases_include_due_soon_and_exactly_one_overdue(loaded)
    _the_demo_reports_pass_the_checker_and_join_up(loaded)
    _running_load_demo_again_changes_nothing(loaded)


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
