"""Aggregates the dashboards read (issue 19 "Scale"): one row of figures per filed
report, kept up to date whenever the report's current data or its findings change
(review.refresh and review.review call `update`), so that a region's dashboard is a
few SUM/GROUP BY queries over narrow rows, never a scan of every report's JSON.

- ReportFigures: the report's figures (gongkai.library.figures.FIGURES, one column
  each) computed from its current version (corrections applied), with its agency and
  year, and `counted`: the one report of an agency-year that dashboards add up (the
  latest collected, as crosscheck.Peers takes for the checks beyond one report).
- RuleCount: the report's findings by rule (present, not 排除).
"""

from django.db import models, transaction
from django.db.models import Count, Q, Sum

from .figures import FIGURES, figures_of
from .models import LibraryAgency, LibraryReport, Review, Status


class ReportFigures(models.Model):
    report = models.OneToOneField(
        LibraryReport,
        verbose_name="报告",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="figures",
    )
    agency = models.ForeignKey(
        LibraryAgency, verbose_name="机关", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    counted = models.BooleanField("计入统计", default=False)
    template = models.CharField("格式", max_length=4, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    published = models.DateField("报告所载发布日期", null=True, blank=True)
    error_count = models.PositiveIntegerField("错误数", default=0)

    class Meta:
        verbose_name = "年报统计数字"
        verbose_name_plural = "年报统计数字"
        indexes = [
            models.Index(fields=["year", "counted", "agency"], name="library_figures_year"),
            models.Index(fields=["agency", "year"], name="library_figures_agency"),
        ]

    def __str__(self):
        return f"{self.report_id} {self.year}"


for _figure in FIGURES:  # one column per declared figure (figures.FIGURES)
    _field = models.FloatField if _figure.decimal else models.BigIntegerField
    ReportFigures.add_to_class(_figure.key, _field(_figure.label, null=True, blank=True))


class RuleCount(models.Model):
    figures = models.ForeignKey(
        ReportFigures, verbose_name="报告", on_delete=models.CASCADE, related_name="rules"
    )
    rule = models.CharField("规则", max_length=30)
    count = models.PositiveIntegerField("发现数")
    errors = models.PositiveIntegerField("其中错误", default=0)

    class Meta:
        verbose_name = "检查发现数（按规则）"
        verbose_name_plural = "检查发现数（按规则）"
        constraints = [
            models.UniqueConstraint(fields=["figures", "rule"], name="library_rulecount_rule")
        ]

    def __str__(self):
        return f"{self.rule} {self.count}"


def _published(data):
    import datetime as dt

    try:
        return dt.date.fromisoformat((data or {}).get("published") or "")
    except (TypeError, ValueError):
        return None


def _recount(pairs):
    """Mark the latest collected report of each (agency, year) of `pairs` as the one
    counted, the others of that agency-year as not counted."""
    pairs = set(pairs)
    if not pairs:
        return
    rows = ReportFigures.objects.filter(
        agency_id__in={a for a, _y in pairs}, year__in={y for _a, y in pairs}
    ).values_list("report_id", "agency_id", "year", "counted")
    rows = [r for r in rows if (r[1], r[2]) in pairs]
    latest = {}
    for report_id, agency_id, year, _counted in rows:
        latest[(agency_id, year)] = max(report_id, latest.get((agency_id, year), 0))
    on = [r[0] for r in rows if r[0] == latest[(r[1], r[2])] and not r[3]]
    off = [r[0] for r in rows if r[0] != latest[(r[1], r[2])] and r[3]]
    if on:
        ReportFigures.objects.filter(report_id__in=on).update(counted=True)
    if off:
        ReportFigures.objects.filter(report_id__in=off).update(counted=False)


def values_for(report):
    """The ReportFigures field values of a filed report (from its current data)."""
    data = report.current or {}
    return {
        "agency_id": report.agency_id,
        "year": report.year,
        "template": data.get("template") or "",
        "version": report.version,
        "published": _published(data),
        "error_count": report.error_count,
        **figures_of(data),
    }


def rule_counts(report):
    """[(rule, count, errors)] of the report's findings still made and not 排除."""
    present = report.findings.filter(present=True).exclude(state=Review.EXCLUDED)
    rows = present.values("rule").annotate(n=Count("id"), e=Count("id", filter=Q(severity="error")))
    return [(r["rule"], r["n"], r["e"]) for r in rows]


def update(report):
    """Bring the report's aggregates up to date with its current data and findings."""
    update_many([report])


VALUE_FIELDS = ("agency", "year", "template", "version", "published", "error_count",
                *(f.key for f in FIGURES))  # fmt: skip


@transaction.atomic
def update_many(reports, rules=None):
    """update() for many reports, in a few queries; `rules`: {report pk: [(rule,
    findings, errors)]} of their findings still made and not 排除, if at hand."""
    reports = list(reports)
    ids = [r.pk for r in reports]
    before = {
        pk: (agency_id, year)
        for pk, agency_id, year in ReportFigures.objects.filter(report__in=ids).values_list(
            "report_id", "agency_id", "year"
        )
    }
    pairs = set(before.values())
    keep, drop = [], []
    for report in reports:
        filed = (
            report.status == Status.FILED
            and report.current is not None
            and report.agency_id is not None
            and report.year is not None
        )
        if not filed:
            drop.append(report.pk)
            continue
        keep.append(ReportFigures(report=report, **values_for(report)))
        pairs.add((report.agency_id, report.year))
    if drop:
        ReportFigures.objects.filter(report__in=drop).delete()
    ReportFigures.objects.bulk_update(
        [f for f in keep if f.report_id in before], VALUE_FIELDS, batch_size=200
    )
    ReportFigures.objects.bulk_create([f for f in keep if f.report_id not in before])
    RuleCount.objects.filter(figures__in=[f.report_id for f in keep]).delete()
    counts = []
    for f in keep:
        found = rules[f.report_id] if rules is not None else rule_counts(f.report)
        counts += [RuleCount(figures=f, rule=r, count=n, errors=e) for r, n, e in found]
    RuleCount.objects.bulk_create(counts, batch_size=1000)
    _recount(pairs)


def rebuild(reports=None):
    """Recompute the aggregates of `reports` (default: every report); the number done."""
    done = 0
    for report in (reports or LibraryReport.objects.all()).order_by("id").iterator(chunk_size=500):
        update(report)
        done += 1
    return done


# ---- selectors the dashboards use -------------------------------------------------


def counted(region=None, year=None):
    """The counted figures under `region` (an agency, itself included), of `year`."""
    rows = ReportFigures.objects.filter(counted=True)
    if region is not None:
        rows = rows.filter(agency__path__startswith=region.path)
    if year is not None:
        rows = rows.filter(year=year)
    return rows


def totals(rows):
    """{figure key: sum} over `rows` (None where no report states the figure), with
    `reports`: how many."""
    sums = {f"sum_{f.key}": Sum(f.key) for f in FIGURES}
    out = rows.aggregate(reports=Count("report_id"), **sums)
    return {"reports": out["reports"], **{f.key: out[f"sum_{f.key}"] for f in FIGURES}}


def by_year(rows, keys):
    """[{year, reports, key: sum…}] per year, oldest first."""
    found = (
        rows.values("year")
        .annotate(reports=Count("report_id"), **{f"sum_{k}": Sum(k) for k in keys})
        .order_by("year")
    )
    return [
        {"year": y["year"], "reports": y["reports"], **{k: y[f"sum_{k}"] for k in keys}}
        for y in found
    ]


def by_rule(rows):
    """[(rule, findings, errors, reports)] over `rows`, most findings first."""
    counts = (
        RuleCount.objects.filter(figures__in=rows.values("report_id"))
        .values("rule")
        .annotate(n=Sum("count"), e=Sum("errors"), reports=Count("figures_id"))
        .order_by("-n", "rule")
    )
    return [(c["rule"], c["n"], c["e"], c["reports"]) for c in counts]
