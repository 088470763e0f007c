"""Feeding the cross-report rules (crossrules, pure) from the library's database.

- Peers: the reports around the reports being checked (last and next year's, the
  parent's, the children's, the peers'), read once for a whole batch.
- findings_for(report, data, last, peers): the cross-report findings of one filed report
  (its year's neighbours, parent, children and peers, from `peers`), and the reports whose findings
  depend on this one (its parent's report of that year, the reports it repeats), for
  review.refresh to re-check in turn. review.refresh calls it on every import,
  assignment, correction and re-reading, so these findings keep their review states
  exactly like the single-report ones (identified by report, rule and location).
- refresh_missing(today): REPORT-MISSING for every reporting agency of the directory
  without a report for a year the library covers, once the Art. 49 deadline passed;
  such a finding has no report and is identified by (agency, year, rule, location).
- recheck_all(workers): every filed report re-checked, then the missing ones (after a
  rule change); decisions stay. In batches of whole (supervisor, year) groups
  (recheck_batches, recheck_batch → review.refresh_many), on `workers` processes.
"""

from django.db import transaction
from django.db.models import Max
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
    database: an agency-year collected many times loads one report, not all of them).
    The reports read here are other reports' neighbours: their `parsed` is not loaded."""
    filed = reports.filter(status=S.FILED, current__isnull=False)
    latest = filed.values("agency_id").annotate(last=Max("pk")).values("last")
    return {
        r.agency_id: r
        for r in LibraryReport.objects.filter(pk__in=latest)
        .select_related("agency")
        .defer("parsed")
    }


def _counts(report):
    """Whether `report` is one the checks of others read: filed, with an agency and year."""
    return bool(report.status == S.FILED and report.agency_id and report.year)


class Peers:
    """The filed reports the checks of a report read besides itself: its agency's report
    of last year (and next year's, for the cascade), its parent's, its children's and its
    peers' of the same year — each the latest collected of its agency-year.

    Read on demand and kept, so that checking many reports of one supervisor and year
    (review.refresh_many: the re-check of everything, a batch of an import) reads the
    group once, not once per report; `preload(reports)` reads what a group needs in a
    few queries. The reports being checked (`preload`) stand in for their own rows and
    count as collected even before their first check is stored (an import's batch:
    a file reads the files stored with it), each with its current data as it stands."""

    def __init__(self):
        self._under = {}  # (parent_id, year) -> {agency_id: report}
        self._one = {}  # (agency_id, year) -> report or None
        self._keep = set()  # the keys of _under that preload read
        self._mine = {}  # pk -> a report being checked

    def _merge_under(self, key, found):
        parent_id, year = key
        for r in self._mine.values():
            if _counts(r) and r.year == year and r.agency.parent_id == parent_id:
                now = found.get(r.agency_id)
                if now is None or now.pk <= r.pk:
                    found[r.agency_id] = r
        return found

    def _merge_one(self, key, report):
        agency_id, year = key
        for r in self._mine.values():
            if _counts(r) and r.agency_id == agency_id and r.year == year:
                if report is None or report.pk <= r.pk:
                    report = r
        return report

    def under(self, parent_id, year):
        """{agency_id: report} of the agencies directly under `parent_id`, of `year`."""
        key = (parent_id, year)
        if key not in self._under:
            found = _latest(LibraryReport.objects.filter(year=year, agency__parent=parent_id))
            self._under[key] = self._merge_under(key, found)
        return self._under[key]

    def one(self, agency_id, year):
        """The report of `agency_id` and `year`, or None."""
        key = (agency_id, year)
        if key not in self._one:
            found = _latest(LibraryReport.objects.filter(year=year, agency=agency_id))
            self._one[key] = self._merge_one(key, found.get(agency_id))
        return self._one[key]

    def preload(self, reports):
        """Read at once what checking `reports` (with their agency) will read: the
        reports under their parents, their parents', last and next year's. Their
        children's are read one agency at a time (`release` lets them go once used:
        100 city governments have 10,000 departments); agencies with no children in
        the directory have none to read."""
        self._mine.update({r.pk: r for r in reports})
        for key, found in self._under.items():  # read before: these stand in now
            self._merge_under(key, found)
        for key, report in self._one.items():
            self._one[key] = self._merge_one(key, report)
        reports = [r for r in reports if _counts(r)]
        under, one = {}, {}
        for r in reports:
            if r.agency.parent_id:
                under.setdefault(r.year, set()).add(r.agency.parent_id)
                one.setdefault(r.year, set()).add(r.agency.parent_id)
            one.setdefault(r.year - 1, set()).add(r.agency_id)
            one.setdefault(r.year + 1, set()).add(r.agency_id)
        self._keep |= {(p, y) for y, parents in under.items() for p in parents}
        for year, parents in under.items():
            parents -= {p for p, y in self._under if y == year}
            if not parents:
                continue
            found = _latest(LibraryReport.objects.filter(year=year, agency__parent__in=parents))
            for parent in parents:
                self._under[(parent, year)] = {}
            for agency_id, report in found.items():
                self._under[(report.agency.parent_id, year)][agency_id] = report
            for parent in parents:
                self._merge_under((parent, year), self._under[(parent, year)])
        for year, agencies in one.items():
            agencies -= {a for a, y in self._one if y == year}
            if not agencies:
                continue
            found = _latest(LibraryReport.objects.filter(year=year, agency__in=agencies))
            for agency_id in agencies:
                key = (agency_id, year)
                self._one[key] = self._merge_one(key, found.get(agency_id))
        mine = {r.agency_id for r in reports}
        parents = set(
            LibraryAgency.objects.filter(parent__in=mine).values_list("parent", flat=True)
        )
        for r in reports:
            if r.agency_id not in parents:
                self._under.setdefault((r.agency_id, r.year), {})

    def release(self, agency_id, year):
        """The reports under `agency_id` of `year` are no longer needed (unless they are
        the peers of a report being checked)."""
        if (agency_id, year) not in self._keep:
            self._under.pop((agency_id, year), None)


def findings_for(report, data, last=None, peers=None):
    """(findings, reports to re-check) for a filed `report` whose current data is `data`;
    `peers`: the Peers the reports around it are read from (default: read here)."""
    peers = peers if peers is not None else Peers()
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
    children = {a: r for a, r in peers.under(agency.pk, year).items() if a != agency.pk}
    peers_of = (
        {
            a: r
            for a, r in peers.under(agency.parent_id, year).items()
            if a != agency.pk and r.agency.level == agency.level
        }
        if agency.parent_id
        else {}
    )
    parent = peers.one(agency.parent_id, year) if agency.parent_id else None
    statement = crossrules.covers_children(me)
    child_docs = [doc(r) for r in children.values()]
    out += crossrules.parent_sum(me, child_docs, statement)
    peer_docs = [doc(r) for r in peers_of.values()]
    out += crossrules.zeros(me, peer_docs)
    group = peer_docs + child_docs + ([doc(parent)] if parent else [])
    common = crossrules.common_sentences([me, *group])
    copies = crossrules.copy_from_others(me, group, common)
    out += copies
    partners = {f["expected"] for f in copies}
    again = [r for r in [*children.values(), *peers_of.values()] if r.pk in partners]
    if parent is not None:
        again.append(parent)
    return out, again


def report_filed(agency_id, year):
    """A report of (agency, year) is in the library: its REPORT-MISSING is no longer found."""
    reports_filed([(agency_id, year)])


def reports_filed(pairs):
    """report_filed for many (agency, year) pairs, one query per year."""
    by_year = {}
    for agency_id, year in pairs:
        by_year.setdefault(year, set()).add(agency_id)
    for year, agencies in by_year.items():
        ReviewedFinding.objects.filter(
            report__isnull=True,
            agency_id__in=agencies,
            year=year,
            rule="REPORT-MISSING",
            present=True,
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


BATCH = 200  # reports re-checked in one transaction (whole groups: a supervisor's year)


def recheck_batches(ids=None, size=BATCH):
    """The filed reports (of `ids`, default all) as lists of ids to re-check together:
    whole groups of one supervisor (the agency's parent) and year, so that each group's
    reports are read once for all its members (refresh_many); oldest year first, so
    CONTINUITY mostly reads re-checked predecessors. A group larger than `size` is split."""
    rows = LibraryReport.objects.filter(status=S.FILED, parsed__isnull=False)
    found = []
    if ids is None:
        found = list(rows.values_list("year", "agency__parent_id", "pk"))
    else:
        ids = list(ids)
        for i in range(0, len(ids), 10_000):
            part = rows.filter(pk__in=ids[i : i + 10_000])
            found += part.values_list("year", "agency__parent_id", "pk")
    found.sort(key=lambda r: (r[0], r[1] or 0, r[2]))
    batches, batch, group = [], [], None
    for year, parent, pk in found:
        if (year, parent) != group and len(batch) >= size // 2 or len(batch) >= size:
            batches.append(batch)
            batch = []
        group = (year, parent)
        batch.append(pk)
    if batch:
        batches.append(batch)
    return batches


def recheck_batch(ids, actor=None):
    """Re-check the reports `ids` together (review.refresh_many); the number re-checked."""
    from . import review

    reports = list(LibraryReport.objects.filter(pk__in=ids).select_related("agency"))
    review.refresh_many(reports, actor)
    return len(reports)


def recheck_all(actor=None, today=None, *, workers=1, progress=None):
    """Re-check every filed report and then the missing ones (after a rule change);
    decisions stay. `workers` > 1: on that many processes (parallel.recheck). The number
    re-checked."""
    from . import parallel

    batches = recheck_batches()
    if workers > 1:
        count = parallel.recheck(batches, workers=workers, progress=progress)
    else:
        count = 0
        for batch in batches:
            count += recheck_batch(batch, actor)
            if progress:
                progress(count)
    refresh_missing(today)
    LibraryEvent.objects.create(actor=actor, kind="recheck_all", data={"reports": count})
    return count
