import datetime as dt

import pytest

from gongkai.appeals.models import Appeal
from gongkai.cases import stats, workflow
from gongkai.cases.tests.factories import make_case, run_to
from gongkai.reports import checks, tables

D = dt.date.fromisoformat
pytestmark = pytest.mark.django_db


def _case(w, received, applicant_type="natural_person"):
    return make_case(w.agency, w.registrar, submitted_on=D(received), applicant_type=applicant_type)


@pytest.fixture
def two_years(world):
    """Six cases and three appeals over 2023–2024 (see each line)."""
    w = world
    a = run_to(_case(w, "2023-03-01"), w, "replied", on=D("2023-03-10"))  # 2023 granted
    b = run_to(_case(w, "2023-12-20", "commercial"), w, "approved", outcome="denied.state_secret")
    workflow.reply(b, by=w.office, on=D("2024-01-10"))  # carried into 2024, denied there
    _case(w, "2023-12-25", "research")  # still open at the end of 2024
    d = _case(w, "2023-05-05")
    d = workflow.request_correction(
        d,
        by=w.office,
        on=D("2023-05-08"),
        items="请写明信息名称",
        correction_due_on=D("2023-05-20"),
    )
    workflow.lapse_correction(d, by=w.office, on=D("2023-06-01"))  # 2023 other.no_correction
    e = _case(w, "2024-02-01", "legal_service")
    workflow.withdraw(e, by=w.registrar, on=D("2024-02-05"))  # 2024 other.other
    f = run_to(_case(w, "2024-03-01"), w, "replied", outcome="partial", on=D("2024-03-05"))
    Appeal.objects.create(
        case=a, kind="reconsideration", filed_on=D("2023-04-01"), result="upheld",
        decided_on=D("2023-06-01"),
    )  # fmt: skip
    Appeal.objects.create(
        case=a, kind="litigation", after_reconsideration=True, filed_on=D("2023-07-01"),
        result="corrected", decided_on=D("2024-02-01"),
    )  # fmt: skip
    Appeal.objects.create(case=f, kind="litigation", filed_on=D("2024-04-01"))
    return w


def _errors(findings):
    return [f for f in findings if f["severity"] == "error"]


def test_section_three_counts_each_case_once_in_the_right_row(two_years):
    r23 = stats.annual_tables(two_years.agency, 2023)["requests"]
    assert r23["new"] == {
        "natural_person": 2, "commercial": 1, "research": 1, "social_welfare": 0,
        "legal_service": 0, "other_org": 0, "total": 4,
    }  # fmt: skip
    assert r23["carried_over"]["total"] == 0
    assert (r23["granted"]["natural_person"], r23["other.no_correction"]["natural_person"]) == (
        1,
        1,
    )
    assert (r23["other"]["total"], r23["total"]["total"]) == (1, 2)
    assert (r23["carry_forward"]["commercial"], r23["carry_forward"]["research"]) == (1, 1)
    r24 = stats.annual_tables(two_years.agency, 2024)["requests"]
    assert r24["new"]["total"] == 2 and r24["carried_over"]["total"] == 2
    assert r24["denied.state_secret"]["commercial"] == 1
    assert r24["partial"]["natural_person"] == 1
    assert r24["other.other"]["legal_service"] == 1
    assert r24["total"]["total"] == 3
    assert r24["carry_forward"] == {**dict.fromkeys(r24["new"], 0), "research": 1, "total": 1}


def test_section_four_reports_results_as_known_at_year_end(two_years):
    a23 = stats.annual_tables(two_years.agency, 2023)["appeals"]
    assert a23["reconsideration"] == {
        "upheld": 1,
        "corrected": 0,
        "other": 0,
        "pending": 0,
        "total": 1,
    }
    assert a23["litigation_after"] == {
        "upheld": 0,
        "corrected": 0,
        "other": 0,
        "pending": 1,
        "total": 1,
    }
    a24 = stats.annual_tables(two_years.agency, 2024)["appeals"]
    assert a24["litigation_direct"]["pending"] == 1
    # 2023's 尚未审结 suit counts again in 2024, with its result (appeals/counting.py rule 4)
    assert a24["litigation_after"] == {
        **dict.fromkeys(a24["litigation_after"], 0),
        "corrected": 1,
        "total": 1,
    }


def test_the_report_passes_the_checker_and_the_years_join_up(two_years):
    last = stats.annual_tables(two_years.agency, 2023)
    this = stats.annual_tables(two_years.agency, 2024)
    assert (last["format"], last["template"], last["year"]) == (tables.FORMAT_ID, "2021", 2023)
    assert last["agency"] == two_years.agency.name
    assert _errors(checks.check(last)) == []
    assert _errors(checks.check(this)) == []
    assert checks.check_continuity(last, this) == []
    assert this["requests"]["carried_over"] == last["requests"]["carry_forward"]


def test_the_checker_would_catch_a_broken_table(two_years):
    """Guards the test above: the same report with one cell changed fails T3-BALANCE."""
    report = stats.annual_tables(two_years.agency, 2024)
    report["requests"]["new"]["research"] += 1
    report["requests"]["new"]["total"] += 1
    assert {f["rule"] for f in _errors(checks.check(report))} == {"T3-BALANCE"}


def test_a_2020_report_uses_the_2019_format_with_one_other_row(world):
    case = _case(world, "2020-06-01")
    workflow.withdraw(case, by=world.registrar, on=D("2020-06-02"))
    report = stats.annual_tables(world.agency, 2020)
    assert report["template"] == "2019"
    assert report["requests"]["other"]["natural_person"] == 1
    assert "other.other" not in report["requests"]
    assert _errors(checks.check(report)) == []


def test_years_before_the_2019_formats_are_refused_in_chinese(world):
    with pytest.raises(stats.StatsError, match="2008年条例"):
        stats.annual_tables(world.agency, 2018)


def test_another_agencys_cases_are_not_counted(two_years):
    from gongkai.agencies.tests.factories import make_agency

    report = stats.annual_tables(make_agency(), 2023)
    assert report["requests"]["new"]["total"] == 0
    assert report["appeals"]["reconsideration"]["total"] == 0
