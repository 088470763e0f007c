"""Feeding the cross-report rules (crossrules, pure) from the library's database.

- findings_for(report, data): the cross-report findings of one filed report (its year's
  neighbours, parent, children and peers read here), and the reports whose findings
  depend on this one (its parent's report of that year, the reports it repeats), for
  review.refresh to re-check in turn. review.refresh calls it on every import,
  assignment, correction and re-reading, so these findings keep their review states
  exactly like the single-report ones (identified by report, rule and location).
- refresh_missing(today): REPORT-MISSING for every reporting agency of the directory
  without a report for a year the library covers, once the Art. 49 deadline passed;
  such a finding has no report and is identified by (agency, year, rule, location).
- recheck_all(): every filed report re-checked, then the missing ones (after a rule
  change); decisions stay.
"""

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from . import crossrules
from .models import Kind, LibraryAgency, LibraryEvent, LibraryReport, Review, ReviewedFinding
from .models import Status as S


def doc(report, data=None):
    """The pure rules' view of a filed report: its current data under the directory's
    name and the library's year."""
    data = data if data is not None else report.current or {}
    return {
        **data,
        "year": report.year,
        "agency": report.agency.name if report.agency_id else data.get("agency"),
        "agency_id": report.agency_id,
        "id": report.pk,
    }


def _latest(reports):
    """{agency_id: the latest collected report} of filed reports with data (chosen in the
    database: an agency-year collected many times loads one report, not all of them)."""
    filed = reports.filter(status=S.FILED, current__isnull=False)
    latest = filed.values("agency_id").annotate(last=Max("pk")).values("last")
    return {
        r.agency_id: r for r in LibraryReport.objects.filter(pk__in=latest).select_related("agency")
    }


def _year_reports(agency_q, year, exclude_agency):
    agencies = LibraryAgency.objects.filter(agency_q).exclude(pk=exclude_agency)
    return _latest(LibraryReport.objects.filter(year=year, agency__in=agencies))


def findings_for(report, data, last=None):
    """(findings, reports to re-check) for a filed `report` whose current data is `data`."""
    agency = report.agency
    me = doc(report, data)
    out = crossrules.template_year(me)
    if agency.kind != Kind.REGION:
        out += crossrules.late(me, government=agency.is_government)
    if last is not None:
        last_doc = doc(last)
        out += crossrules.copy_from_last_year(me, last_doc)
        out += crossrules.jumps(me, last_doc)
    year = report.year
    children = _year_reports(Q(parent=agency.pk), year, agency.pk)
    peers = (
        _year_reports(Q(parent=agency.parent_id, level=agency.level), year, agency.pk)
        if agency.parent_id
        else {}
    )
    parent = (
        _year_reports(Q(pk=agency.parent_id), year, agency.pk).get(agency.parent_id)
        if agency.parent_id
        else None
    )
    statement = crossrules.covers_children(me)
    child_docs = [doc(r) for r in children.values()]
    out += crossrules.parent_sum(me, child_docs, statement)
    peer_docs = [doc(r) for r in peers.values()]
    out += crossrules.zeros(me, [p for p in peer_docs if p.get("agency_id") != agency.pk])
    group = peer_docs + child_docs + ([doc(parent)] if parent else [])
    common = crossrules.common_sentences([me, *group])
    copies = crossrules.copy_from_others(me, group, common)
    out += copies
    partners = {f["expected"] for f in copies}
    again = [r for r in [*children.values(), *peers.values()] if r.pk in partners]
    if parent is not None:
        again.append(parent)
    return out, again


def report_filed(agency_id, year):
    """A report of (agency, year) is in the library: its REPORT-MISSING is no longer found."""
    ReviewedFinding.objects.filter(
        report__isnull=True, agency_id=agency_id, year=year, rule="REPORT-MISSING", present=True
    ).update(present=False)


@transaction.atomic
def refresh_missing(today=None):
    """REPORT-MISSING for every reporting agency and every year the library covers (a
    year with at least one filed report), up to the latest whose deadline passed; the
    number of new findings. The existing findings are read once and only the changed
    ones written (a directory of thousands of agencies over ten years)."""
    today = today or timezone.localdate()
    filed = set(
        LibraryReport.objects.filter(status=S.FILED, year__isnull=False).values_list(
            "agency_id", "year"
        )
    )
    years = sorted({y for _a, y in filed if y < today.year})
    existing = {
        (f.agency_id, f.year): f
        for f in ReviewedFinding.objects.filter(report__isnull=True, rule="REPORT-MISSING")
    }
    new, changed, gone = [], [], []
    for agency in LibraryAgency.objects.exclude(kind=Kind.REGION).only("pk", "name", "kind"):
        for year in years:
            row = existing.get((agency.pk, year))
            found = (
                []
                if (agency.pk, year) in filed
                else crossrules.missing(
                    agency.name, year, government=agency.is_government, today=today
                )
            )
            if not found:
                if row is not None and row.present:
                    gone.append(row.pk)
                continue
            f = found[0]
            values = {"severity": f["severity"], "message": f["message"],
                      "expected": f["expected"], "actual": f["actual"], "present": True}  # fmt: skip
            if row is None:
                new.append(ReviewedFinding(agency=agency, year=year, rule=f["rule"],
                                           where=f["where"], state=Review.PENDING, **values))  # fmt: skip
            elif any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                changed.append(row)
    ReviewedFinding.objects.bulk_create(new, batch_size=500)
    ReviewedFinding.objects.bulk_update(
        changed, ["severity", "message", "expected", "actual", "present"], batch_size=500
    )
    ReviewedFinding.objects.filter(pk__in=gone).update(present=False)
    return len(new)


def recheck_all(actor=None, today=None):
    """Re-check every filed report (oldest year first, so CONTINUITY reads checked
    predecessors) and the missing ones; the number re-checked."""
    from . import review

    count = 0
    ids = (
        LibraryReport.objects.filter(status=S.FILED, parsed__isnull=False)
        .order_by("year", "id")
        .values_list("pk", flat=True)
    )
    for pk in ids.iterator():
        review.refresh(LibraryReport.objects.select_related("agency").get(pk=pk), actor,
                       cascade=False)  # fmt: skip
        count += 1
    refresh_missing(today)
    LibraryEvent.objects.create(actor=actor, kind="recheck_all", data={"reports": count})
    return count
