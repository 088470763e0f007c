"""The whole demo bureau (`load_demo`, as `make run` shows it), loaded once for this
module (see conftest.py): its cases, 复议/诉讼 and reports are consistent, and loading
again changes nothing."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from gongkai.agencies.models import Agency, Membership, Role
from gongkai.annual import assembly
from gongkai.annual.models import AnnualReport, Status, Step
from gongkai.appeals import matters
from gongkai.appeals.models import Appeal
from gongkai.cases.models import OPEN_STATUSES, Case, CaseEvent, Consultation
from gongkai.cases.models import EventKind as K
from gongkai.cases.stats import annual_tables
from gongkai.demo import bureau as demo
from gongkai.demo.tests.conftest import TODAY
from gongkai.portal.models import PublishedReport
from gongkai.reports import checks, engine
from gongkai.workdays import loading

# Marked long, the module's tests come first and together (gongkai/conftest.py): the
# first batch xdist hands one worker holds them all, so the demo loads once a round.
pytestmark = [pytest.mark.django_db, pytest.mark.long]


def _snapshot():
    agency = Agency.objects.get(code=demo.AGENCY_CODE)
    return (
        Case.objects.filter(agency=agency).count(),
        CaseEvent.objects.count(),
        Membership.objects.count(),
        agency.departments.count(),
        Appeal.objects.count(),
    )


def _load_demo_creates_the_bureau_its_roles_and_cases():
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
    assert CaseEvent.objects.filter(kind=K.REGISTER, case__agency=agency).count() == cases.count()
    kinds = set(CaseEvent.objects.values_list("kind", flat=True))
    assert {K.REQUEST_CORRECTION, K.CONSULT, K.APPROVE_EXTENSION, K.WITHDRAW} <= kinds
    assert {K.REPLY, K.DELIVER, K.ARCHIVE} <= kinds
    assert Consultation.objects.exists() and Appeal.objects.exists()
    denials = cases.filter(outcome__startswith="denied.", closed_on__isnull=False)
    assert denials.exists()
    approvals = CaseEvent.objects.filter(kind=K.APPROVE, case__in=denials)
    assert not approvals.exclude(actor__username="leader").exists()


def _open_cases_include_due_soon_and_exactly_one_overdue():
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


def _the_demo_reports_pass_the_checker_and_join_up():
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


def _running_load_demo_again_changes_nothing():
    before = _snapshot()
    out = StringIO()
    call_command("load_demo", today=TODAY.isoformat(), stdout=out)
    assert _snapshot() == before
    assert "本次新建 0 个" in out.getvalue() and "本次新建 0 件" in out.getvalue()


def test_load_demo_builds_a_consistent_bureau_once(demo_bureau):
    """One load (it drives ~200 cases through the workflow), several checks."""
    _load_demo_creates_the_bureau_its_roles_and_cases()
    _open_cases_include_due_soon_and_exactly_one_overdue()
    _the_demo_reports_pass_the_checker_and_join_up()
    _running_load_demo_again_changes_nothing()


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


def test_demo_appeals_are_recorded_through_the_workflow(demo_bureau):
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


def test_table_four_equals_a_hand_count_every_demo_year(demo_bureau):
    last = None
    for year in range(TODAY.year - 3, TODAY.year + 1):
        report = annual_tables(demo_bureau, year)
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


def test_the_subordinate_county_fills_the_supervising_view(demo_bureau, client, monkeypatch):
    """Issue 14 part 8: the city's 下级机关 page shows the county's figures (with its one
    overdue case); the city's staff hold no role there and never see its cases."""
    from django.contrib.auth.models import User

    from gongkai.demo import county
    from gongkai.publications.models import Item
    from gongkai.supervision import views as supervision_views

    sub = Agency.objects.get(code=county.AGENCY_CODE)
    assert sub.parent == demo_bureau
    cases = Case.objects.filter(agency=sub)
    assert cases.filter(received_on__year=TODAY.year - 1).count() >= 5
    assert cases.open().count() == 2 and cases.overdue(TODAY).count() == 1
    assert Item.objects.filter(agency=sub, published_at__isnull=False).count() >= 2
    city_staff = Membership.objects.filter(agency=demo_bureau).values("user_id")
    assert not Membership.objects.filter(agency=sub, user_id__in=city_staff).exists()

    monkeypatch.setattr(supervision_views, "today", lambda: TODAY)
    client.force_login(User.objects.get(username="office_head"))
    page = client.get("/supervision/subordinates/", {"year": TODAY.year - 1})
    assert page.status_code == 200
    ((row_agency, figures),) = page.context["rows"]
    assert row_agency == sub
    by_column = dict(zip([k for k, _ in page.context["columns"]], figures, strict=True))
    assert by_column["new"] == cases.filter(received_on__year=TODAY.year - 1).count()
    this_year = client.get("/supervision/subordinates/", {"year": TODAY.year})
    assert (
        dict(
            zip(
                [k for k, _ in this_year.context["columns"]],
                this_year.context["rows"][0][1],
                strict=True,
            )
        )["overdue"]
        == 1
    )
    listed = client.get("/cases/", {"tab": "all"}).content.decode()
    assert county.AGENCY_CODE not in listed


def test_demo_shows_both_ends_of_a_reports_life(demo_bureau, capsys):
    """Last year's report published through the workflow, this year's in draft with its
    findings; `gongkai annual build` exits 0 on both years and its JSON reads back
    through the engine to the same tables."""
    loaded = demo_bureau
    done = AnnualReport.objects.get(agency=loaded, year=2025)
    assert done.status == Status.PUBLISHED
    assert [o.step for o in done.opinions.all()][-4:] == [
        Step.SUBMIT,
        Step.REVIEW,
        Step.APPROVE,
        Step.PUBLISH,
    ]
    row = PublishedReport.objects.get(agency=loaded, year=2025)
    assert row.published_on == dt.date(2026, 1, 20) and row.data["narrative"]["overview"]
    assert "【待补充】" not in json.dumps(row.data, ensure_ascii=False)
    draft = AnnualReport.objects.get(agency=loaded, year=2026)
    assert draft.status == Status.DRAFT
    found = assembly.assemble(draft)["findings"]
    assert [f["rule"] for f in found] == ["NARRATIVE-MATCH"], found
    for year in (2025, 2026):
        call_command("annual", "build", "--agency", loaded.code, "--year", str(year))
        out = capsys.readouterr().out
        report = json.loads(out)
        again = engine.analyse_bytes(out.encode("utf-8"), filename=f"{year}.json")
        for key in ("proactive", "requests", "appeals", "narrative"):
            assert again[key] == report[key], (year, key)
