"""The demo (make run): last year's report published through the workflow, this
year's in draft with its findings; `gongkai annual build` exits 0 on both years and
its JSON reads back through the engine to the same tables."""

import datetime as dt
import json

import pytest
from django.core.management import call_command

from gongkai.agencies.models import Agency
from gongkai.annual import assembly
from gongkai.annual.models import AnnualReport, Status, Step
from gongkai.demo import bureau as demo
from gongkai.portal.models import PublishedReport
from gongkai.reports import engine

TODAY = dt.date(2026, 12, 3)
pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(settings):
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", today=TODAY.isoformat(), verbosity=0)
    return Agency.objects.get(code=demo.AGENCY_CODE)


def test_demo_shows_both_ends_of_a_reports_life(loaded, capsys):
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
