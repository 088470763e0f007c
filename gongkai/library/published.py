"""Reports published by agencies on this platform arrive in the library by themselves.

When a PublishedReport is saved (gongkai.portal.publishing: an uploaded report or one
written and approved in gongkai.annual), a task is queued once the publication commits
(django.tasks, `gongkai worker`); it keeps the published data as a JSON original (the
engine reads our own JSON, with the real publication date) and files it under the
agency's directory entry, for the year published. A corrected version is a new
PublishedReport, and so a new library report of that agency and year.
"""

from django.db import transaction

from gongkai.reports.render import render

from . import collecting, directory, matching, review
from .models import LibraryAgency


def on_published(sender, instance, created, **kwargs):
    """post_save of portal.PublishedReport: queue its collection after the commit."""
    if not created or kwargs.get("raw"):
        return
    from .tasks import collect_published

    transaction.on_commit(lambda: collect_published.enqueue(instance.pk))


def collect_published(published_id):
    """Collect one PublishedReport into the library; the collecting.Outcome (or None)."""
    from gongkai.portal.models import PublishedReport

    row = PublishedReport.objects.select_related("agency", "published_by").filter(pk=published_id)
    row = row.first()
    if row is None:
        return None
    directory.link_platform_agencies()
    entry = LibraryAgency.objects.get(platform=row.agency)
    data = {**row.data, "published": row.published_on.isoformat()}
    filename = f"{row.agency.code}-{row.year}-{row.pk}.json"
    [outcome] = collecting.collect(
        [(filename, render(data, "json"))],
        user=row.published_by,
        collector=entry.parent or entry,
        source=f"本平台发布：{row.agency.name} {row.year}年度（发布记录 {row.pk}）",
        pool=[matching.Candidate(entry.pk, entry.name, entry.alias_list())],
    )
    report = outcome.report
    if report is not None and outcome.result == "queued":
        # The platform knows whose report it is, whatever name the text prints.
        review.assign(report, entry, row.year, row.published_by)
        report.refresh_from_db()
    return outcome
