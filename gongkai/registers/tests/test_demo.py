"""The demo registers: plausible, passing the checker, loaded once."""

import datetime as dt

import pytest

from gongkai.agencies.models import Role
from gongkai.agencies.tests.factories import make_agency, make_user
from gongkai.demo import registers as demo
from gongkai.registers import stats
from gongkai.registers.models import Document, ImportBatch, RegisterEvent, Via
from gongkai.reports import checks

TODAY = dt.date(2026, 6, 15)
pytestmark = pytest.mark.django_db


def test_demo_registers_for_2023_to_today_pass_the_checker_and_load_once():
    agency = make_agency(name="示范演示局", code="demo-registers")
    clerk = make_user(agency, Role.OFFICE, username="demo-registers-clerk")
    documents, batches = demo.load(agency, clerk, today=TODAY)

    assert documents == Document.objects.filter(agency=agency).count() == 13
    current = ImportBatch.objects.current().filter(agency=agency)
    assert batches == current.count() == 4 * 4 + 1  # 2025 licensing in two halves
    assert set(current.values_list("via", flat=True)) == {Via.DEMO}
    assert current.filter(period_end=dt.date(2026, 5, 31)).count() == 4
    assert RegisterEvent.objects.filter(agency=agency, actor=clerk).count() > documents

    last = None
    for year in (2023, 2024, 2025, 2026):
        report = stats.annual_report(agency, year)
        assert [f for f in report["findings"] if f["severity"] == "error"] == [], year
        if last is not None:
            assert checks.check_continuity(last, report) == [], year
        last = report
        section = report["proactive"]
        assert section["rules"] == {"issued": 0, "repealed": 0, "in_force": 0}
        assert 0 < section["normative_documents"]["in_force"] < 20
        scale = 1 if year < 2026 else 151 / 365  # 2026: January to May
        assert 900 * scale < section["licensing"]["decisions"] < 1200 * scale, year
        assert 100 * scale < section["coercion"]["decisions"] < 300 * scale, year
        assert 20 * scale < section["fees"]["amount_wan"] < 80 * scale, year
        gaps = stats.coverage(agency, year)
        if year < 2026:
            assert all(not spans for spans in gaps.values()), year
        else:
            assert gaps["fees"] == [(dt.date(2026, 6, 1), dt.date(2026, 12, 31))]

    before = (Document.objects.count(), ImportBatch.objects.count(), RegisterEvent.objects.count())
    assert demo.load(agency, clerk, today=TODAY) == (0, 0)
    after = (Document.objects.count(), ImportBatch.objects.count(), RegisterEvent.objects.count())
    assert before == after
