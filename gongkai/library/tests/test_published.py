"""Reports published on this platform arrive in the library by themselves."""

import datetime as dt

from gongkai.library import published
from gongkai.library.models import LibraryReport, Status
from gongkai.portal import publishing
from gongkai.portal.models import ReportOrigin
from gongkai.reports import engine

from .conftest import SEEDS


def test_a_report_published_on_the_platform_is_collected(world, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    report = engine.analyse_file(SEEDS[0])  # 海宁市公安局 2021
    with django_capture_on_commit_callbacks(execute=True):
        row = publishing.publish_report(
            world.haining,
            report,
            by=world.county,
            on=dt.date(2022, 2, 8),
            origin=ReportOrigin.UPLOAD,
            source_name=SEEDS[0].name,
            today=dt.date(2022, 2, 8),
        )
    assert DBTaskResult.objects.filter(args_kwargs__args=[row.pk]).exists()  # queued
    outcome = published.collect_published(row.pk)  # what the worker does
    kept = outcome.report
    assert (kept.agency.platform, kept.year, kept.status) == (world.haining, 2021, Status.FILED)
    assert kept.source.startswith("本平台发布：海宁市公安局 2021年度")
    assert kept.current["published"] == "2022-02-08"  # the platform's date: 8 days late
    late = kept.findings.get(rule="REPORT-LATE")
    assert "逾期 8 天" in late.message
    # Run again (a retried task): nothing changes.
    assert published.collect_published(row.pk).result == "same"
    assert LibraryReport.objects.count() == 1
