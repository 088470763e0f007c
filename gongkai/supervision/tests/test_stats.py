"""Department and subordinate figures on constructed cases."""

import pytest

from gongkai.agencies.tests.factories import make_agency, make_department
from gongkai.appeals.models import Appeal
from gongkai.cases import stats as case_stats
from gongkai.cases import workflow
from gongkai.cases.stats import StatsError
from gongkai.cases.tests.factories import make_case, run_to
from gongkai.supervision import stats
from gongkai.supervision.tests.conftest import D, staff

pytestmark = pytest.mark.django_db
TODAY = D("2024-06-03")


def settle(w, received, outcome, reply_on, *, department=None, consult=None):
    """A case received on `received`, decided `outcome` and replied on `reply_on`."""
    case = make_case(w.agency, w.registrar, submitted_on=D(received))
    on = case.received_on
    case = workflow.assign(case, by=w.office, department=department or w.dept, on=on)
    if consult:
        case = workflow.consult(
            case, by=w.office, party="third_party", addressee="某公司", on=D(consult[0])
        )
        case = workflow.record_consultation_answer(
            case.consultations.get(), by=w.office, on=D(consult[1])
        )
    reasons = "" if outcome == "granted" else "本案的事实和理由。"
    case = workflow.draft_decision(
        case, by=w.office, outcome=outcome, legal_basis="条例", reasons=reasons, on=on
    )
    case = workflow.review(case, by=w.legal_reviewer, kind="legal", passed=True, on=on)
    case = workflow.review(case, by=w.secrecy_reviewer, kind="secrecy", passed=True, on=on)
    case = workflow.approve(case, by=w.leader, on=on)
    return workflow.reply(case, by=w.office, on=D(reply_on))


@pytest.fixture
def year_of_cases(world):
    """2024 in one agency (working days taken in brackets)."""
    w = world
    settle(w, "2024-03-01", "granted", "2024-03-08")  # on time (5)
    settle(w, "2024-03-01", "partial", "2024-03-14")  # on time (9)
    late = settle(w, "2024-03-01", "denied.state_secret", "2024-04-08")  # late (25: 清明)
    assert late.due_on == D("2024-03-29")
    # 3 working days paused for a consultation (Art. 33 第三款): on time (10 - 3 = 7)
    settle(w, "2024-03-01", "granted", "2024-03-15", consult=("2024-03-05", "2024-03-08"))
    settle(w, "2024-04-01", "unavailable.not_held", "2024-04-08", department=w.other_dept)  # (4)
    settle(w, "2024-04-01", "not_processed.duplicate", "2024-04-02", department=w.other_dept)
    gone = make_case(w.agency, w.registrar, submitted_on=D("2024-05-06"))
    workflow.withdraw(gone, by=w.office, on=D("2024-05-07"))  # unassigned, 其他处理
    stuck = make_case(w.agency, w.registrar, submitted_on=D("2024-04-01"))
    workflow.assign(stuck, by=w.office, department=w.dept, on=D("2024-04-01"))  # overdue
    fresh = make_case(w.agency, w.registrar, submitted_on=D("2024-05-27"))
    workflow.assign(fresh, by=w.office, department=w.dept, on=D("2024-05-27"))  # open
    settle(w, "2023-03-01", "granted", "2023-03-10")  # another year
    return w


def _rows(table):
    return {row.name: row for row in table.rows}


def test_department_figures(year_of_cases):
    w = year_of_cases
    table = stats.department_table(w.agency, 2024, today=TODAY, departments=None)
    rows = _rows(table)
    assert list(rows) == ["户政支队", "治安支队", "未分办"]
    own = rows["治安支队"]
    assert own.counts == {
        "closed": 4, "replied": 4, "on_time": 3, "late_open": 1,
        "granted": 2, "partial": 1, "denied": 1, "unavailable": 0, "not_processed": 0,
        "other": 0, "open": 2, "overdue": 1,
    }  # fmt: skip
    # Issue 14 part 8: the open case past its April deadline is not on time either:
    # 3 on time of 4 replied + 1 overdue and open.
    assert own.due == 5
    assert own.on_time_percent == 60.0
    assert sorted(own.days) == [5, 7, 9, 25]
    assert own.average_days == 11.5
    other = rows["户政支队"]
    assert (other.counts["closed"], other.counts["on_time"], other.on_time_percent) == (2, 2, 100)
    assert (other.counts["unavailable"], other.counts["not_processed"]) == (1, 1)
    assert other.average_days == 2.5
    loose = rows["未分办"]
    assert (loose.counts["closed"], loose.counts["replied"], loose.counts["other"]) == (1, 0, 1)
    assert loose.on_time_percent is None and loose.average_days is None
    assert table.total.counts["closed"] == 7 and table.total.counts["on_time"] == 5
    assert table.total.average_days == 8.5
    assert table.total.group_counts == [2, 1, 1, 1, 1, 1]  # sums to closed (7)


def test_an_overdue_open_case_counts_in_the_year_of_its_deadline(year_of_cases):
    """The stuck case (due 2024-04-29, still open) lowers 2024's rate, not 2023's; a
    paused case (consultation unanswered: the clock stands still) is not overdue."""
    w = year_of_cases
    last_year = _rows(stats.department_table(w.agency, 2023, today=TODAY, departments=None))
    assert last_year["治安支队"].counts["late_open"] == 0
    assert last_year["治安支队"].on_time_percent == 100.0
    waiting = make_case(w.agency, w.registrar, submitted_on=D("2024-03-04"))
    waiting = workflow.assign(waiting, by=w.office, department=w.other_dept, on=D("2024-03-04"))
    workflow.consult(
        waiting, by=w.office, party="third_party", addressee="某公司", on=D("2024-03-05")
    )
    other = _rows(stats.department_table(w.agency, 2024, today=TODAY, departments=None))
    assert other["户政支队"].counts["late_open"] == 0
    assert other["户政支队"].counts["overdue"] == 0 and other["户政支队"].counts["open"] == 1
    assert other["户政支队"].on_time_percent == 100.0


def test_closed_matches_the_annual_report(year_of_cases):
    w = year_of_cases
    table = stats.department_table(w.agency, 2024, today=TODAY, departments=None)
    report = case_stats.annual_tables(w.agency, 2024)["requests"]
    assert table.total.counts["closed"] == report["total"]["total"]


def test_handler_sees_only_own_department(year_of_cases):
    w = year_of_cases
    table = stats.department_table(w.agency, 2024, today=TODAY, departments=[w.dept])
    assert [row.name for row in table.rows] == ["治安支队"]
    assert table.total.counts["closed"] == 4


def test_empty_department_is_listed_with_zeros(year_of_cases):
    w = year_of_cases
    make_department(w.agency, name="网安支队")
    rows = _rows(stats.department_table(w.agency, 2024, today=TODAY, departments=None))
    assert rows["网安支队"].counts["closed"] == 0 and rows["网安支队"].average_days is None


def test_missing_calendar_leaves_average_unknown(year_of_cases):
    from gongkai.workdays.models import ExceptionalDay

    ExceptionalDay.objects.all().delete()
    table = stats.department_table(year_of_cases.agency, 2024, today=TODAY, departments=None)
    assert "工作日历为空" in table.calendar_error
    assert table.total.counts["closed"] == 7 and table.total.average_days is None


# ---- subordinates ---------------------------------------------------------------------------


@pytest.fixture
def family(calendar_loaded):
    """A 市局 with two 分局; the first has a year of cases and appeals."""
    from types import SimpleNamespace

    parent = make_agency(code="city", name="测试市公安局")
    first = make_agency(code="east", name="东区分局", parent=parent)
    second = make_agency(code="west", name="西区分局", parent=parent)
    dept = make_department(first, name="治安大队")
    other = make_department(first, name="户政大队")
    w = SimpleNamespace(
        agency=first, dept=dept, other_dept=other, **staff(first, dept, other, "e-")
    )
    granted = run_to(make_case(first, w.registrar, submitted_on=D("2024-03-01")), w, "replied")
    denied = run_to(
        make_case(first, w.registrar, submitted_on=D("2024-03-01")),
        w,
        "replied",
        outcome="denied.third_party",
    )
    make_case(first, w.registrar, submitted_on=D("2023-12-01"))  # carried over, overdue
    Appeal.objects.create(case=denied, kind="reconsideration", filed_on=D("2024-05-01"))
    Appeal.objects.create(case=granted, kind="litigation", filed_on=D("2024-05-02"))
    return SimpleNamespace(parent=parent, first=first, second=second, w=w)


def test_subordinate_figures_come_from_the_annual_report(family):
    rows, totals = stats.subordinate_table(family.parent, 2024, today=TODAY)
    assert [sub.code for sub, _ in rows] == ["east", "west"]
    keys = [key for key, _label in stats.SUBORDINATE_COLUMNS]
    east = dict(zip(keys, rows[0][1], strict=True))
    assert east == {
        "new": 2, "carried_over": 1, "closed": 2, "carry_forward": 1, "granted": 1,
        "denied": 1, "overdue": 1, "reconsideration": 1, "litigation": 1,
    }  # fmt: skip
    assert rows[1][1] == [0] * len(keys)
    assert totals == rows[0][1]


def test_subordinate_figures_for_a_year_without_tables(family):
    with pytest.raises(StatsError, match="2015年适用2008年条例"):
        stats.subordinate_table(family.parent, 2015, today=TODAY)
