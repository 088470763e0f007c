"""Table 四 from the records: the cross-year rule, the co-defendant rule, instances."""

import datetime as dt

import pytest

from gongkai.appeals import counting, workflow
from gongkai.cases import stats
from gongkai.cases.tests.factories import make_case, run_to
from gongkai.reports import checks

D = dt.date.fromisoformat
pytestmark = pytest.mark.django_db
TODAY = D("2025-12-31")


@pytest.fixture
def spanning(world):
    """A 复议 brought in 2023 and decided (纠正) in 2024; a suit after it brought in 2024
    with the 复议机关 as co-defendant, its 一审 and 二审; a direct suit still pending."""
    case = make_case(world.agency, world.registrar, submitted_on=D("2023-10-09"))
    case = run_to(case, world, "delivered", outcome="denied.state_secret", on=D("2023-10-16"))
    by = world.legal_reviewer
    rec = workflow.record(
        case, by=by, on=TODAY, kind="reconsideration", body="市政府", filed_on=D("2023-11-20")
    )
    workflow.decide(rec, by=by, on=TODAY, decision="revoke", decided_on=D("2024-01-15"))
    suit = workflow.record(
        case, by=by, on=TODAY, kind="litigation", instance="first", after_reconsideration=True,
        prior=rec, co_defendant=True, body="区法院", filed_on=D("2024-02-01"),
    )  # fmt: skip
    workflow.decide(
        suit, by=by, on=TODAY, decision="uphold", decided_on=D("2024-06-01"), ruling="judgment"
    )
    workflow.record(
        case, by=by, on=TODAY, kind="litigation", instance="second", after_reconsideration=True,
        prior=rec, co_defendant=True, body="市中级法院", filed_on=D("2024-06-20"),
    )  # fmt: skip
    workflow.record(
        case, by=by, on=TODAY, kind="litigation", instance="first", body="区法院",
        filed_on=D("2024-11-01"),
    )  # fmt: skip
    return world


def test_carry_rule_counts_last_years_pending_again_with_its_result(spanning):
    a23 = counting.appeals_section(spanning.agency, 2023, "carry")
    a24 = counting.appeals_section(spanning.agency, 2024, "carry")
    a25 = counting.appeals_section(spanning.agency, 2025, "carry")
    assert a23["reconsideration"] == {
        "upheld": 0,
        "corrected": 0,
        "other": 0,
        "pending": 1,
        "total": 1,
    }
    assert a24["reconsideration"] == {
        "upheld": 0,
        "corrected": 1,
        "other": 0,
        "pending": 0,
        "total": 1,
    }
    # the co-defendant suit counts once (its 一审 record; the 二审 is not a new matter)
    assert a24["litigation_after"] == {
        "upheld": 1,
        "corrected": 0,
        "other": 0,
        "pending": 0,
        "total": 1,
    }
    assert a24["litigation_direct"]["pending"] == 1
    assert a25["reconsideration"]["total"] == 0 and a25["litigation_after"]["total"] == 0
    assert a25["litigation_direct"] == {
        "upheld": 0,
        "corrected": 0,
        "other": 0,
        "pending": 1,
        "total": 1,
    }


def test_filed_rule_counts_each_matter_only_in_its_year(spanning):
    a23 = counting.appeals_section(spanning.agency, 2023, "filed")
    a24 = counting.appeals_section(spanning.agency, 2024, "filed")
    assert a23["reconsideration"]["pending"] == 1
    assert a24["reconsideration"]["total"] == 0
    assert (
        counting.appeals_section(spanning.agency, 2025, "filed")["litigation_direct"]["total"] == 0
    )


def test_the_setting_chooses_the_rule_for_the_report(spanning, settings):
    settings.APPEALS_CROSS_YEAR_RULE = "filed"
    assert stats.annual_tables(spanning.agency, 2024)["appeals"]["reconsideration"]["total"] == 0
    settings.APPEALS_CROSS_YEAR_RULE = "carry"
    report = stats.annual_tables(spanning.agency, 2024)
    assert report["appeals"]["reconsideration"]["corrected"] == 1
    assert [f for f in checks.check(report) if f["severity"] == "error"] == []
    settings.APPEALS_CROSS_YEAR_RULE = "both"
    with pytest.raises(ValueError, match="carry 或 filed"):
        counting.cross_year_rule()


@pytest.mark.parametrize("rule", ["carry", "filed"])
def test_each_cell_of_table_four_links_to_the_appeals_it_counts(spanning, settings, rule):
    """The annual report's table 四 cell links to the appeals list filtered by group,
    column, year and agency: the list holds exactly the cell's count of matters (a 复议
    decided in 2024 is 尚未审结 in 2023's list too)."""
    import re

    from django.test import Client

    from gongkai.annual.views import _cell_url
    from gongkai.reports import tables

    settings.APPEALS_CROSS_YEAR_RULE = rule
    client = Client()
    client.force_login(spanning.legal_reviewer)
    for year in (2023, 2024, 2025):
        section = counting.appeals_section(spanning.agency, year, rule)
        for group in tables.APPEAL_GROUPS:
            for column in tables.APPEAL_COLUMNS:
                url = _cell_url(spanning.agency, year, "appeals", group.key, column.key)
                page = client.get(url).content.decode()
                listed = len(re.findall(r'href="/appeals/\d+/"', page))
                assert listed == section[group.key][column.key], (year, group.key, column.key)
