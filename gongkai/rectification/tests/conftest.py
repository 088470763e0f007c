"""The 整改 test world: the library's world (公安部 over the seeds' agencies, with its
users) plus the demo's two agencies on the platform — 示范市公安局 under 公安部 and
示范县公安局 under it — and 示范县's own 政务公开办 user `xian`. Their reports are
rendered from the demo's records (testdata/, made by `load_demo --today 2026-06-15`
and registers.stats.annual_report, rendered as text)."""

import datetime as dt
from pathlib import Path

import pytest

from gongkai.agencies.models import Agency, Membership, Role
from gongkai.library import collecting, review
from gongkai.library.models import LibraryAgency, Review
from gongkai.library.tests.conftest import media, remembered_reads, world  # noqa: F401
from gongkai.reports import engine
from gongkai.reports.render import render

from .. import workflow

HERE = Path(__file__).parent / "testdata"
COUNTY_2025 = HERE / "示范县公安局2025年度报告.txt"
CITY = sorted(HERE.glob("示范市公安局*.txt"))
TODAY = dt.date(2026, 6, 15)


def county_with_error():
    """示范县 2025 as sent with one wrong cell (表三 本年新收 自然人 one too many): the
    checker's T3-BALANCE error. The demo's own rendering is the corrected report."""
    report = engine.analyse_file(COUNTY_2025)
    report["requests"]["new"]["natural_person"] += 1
    return render(report, "txt")


@pytest.fixture
def rect_world(world, django_user_model):  # noqa: F811
    city = Agency.objects.create(name="示范市公安局", code="SFGAJ", parent=world.mps)
    county = Agency.objects.create(name="示范县公安局", code="SFXGAJ", parent=city)
    for name, role in [("xian", Role.OFFICE), ("xian_leader", Role.LEADER),
                       ("xian_handler", Role.HANDLER)]:  # fmt: skip
        user = django_user_model.objects.create_user(name)
        dept = None
        if role == Role.HANDLER:
            dept = county.departments.create(name="治安大队")
        Membership.objects.create(user=user, agency=county, role=role, department=dept)
        setattr(world, name, user)
    from gongkai.library.directory import link_platform_agencies

    link_platform_agencies()
    world.city, world.county_agency = city, county
    return world


@pytest.fixture
def item(rect_world, remembered_reads):  # noqa: F811
    """A 整改事项 handed by the 公安部 office to 示范县 for its 2025 report's confirmed
    T3-BALANCE error, due 30 June 2026."""
    w = rect_world
    office = LibraryAgency.objects.get(platform=w.mps)
    outcome = collecting.collect(
        [("示范县2025.txt", county_with_error())], user=w.office, collector=office
    )[0]
    report = outcome.report
    finding = report.findings.get(rule="T3-BALANCE")
    review.review(finding, Review.CONFIRMED, "与原文核对无误", w.office)
    w.report, w.finding = report, finding
    w.item = workflow.create([finding], dt.date(2026, 6, 30), "", w.office, today=TODAY)
    return w.item
