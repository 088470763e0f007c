"""Aggregates the dashboards read (issue 19 "Scale"): one row of figures per filed
report, kept up to date whenever the report's current data or its findings change
(review.refresh and review.review call `update`), so that a region's dashboard is a
few SUM/GROUP BY queries over narrow rows, never a scan of every report's JSON.

- ReportFigures: the report's figures (gongkai.library.figures.FIGURES, one column
  each) computed from its current version (corrections applied), with its agency and
  year, and `counted`: the one report of an agency-year that dashboards add up (the
  latest collected, as review.neighbour takes for CONTINUITY).
- RuleCount: the report's findings by rule (present, not 排除).
"""

from django.db import models, transaction
from django.db.models import Count, Max, Q, Sum

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


def _recount(agency_id, year):
    """Mark the latest collected report of an agency-year as the one counted."""
    rows = ReportFigures.objects.filter(agency_id=agency_id, year=year)
    latest = rows.aggregate(m=Max("report_id"))["m"]
    rows.exclude(report_id=latest).filter(counted=True).update(counted=False)
    if latest is not None:
        rows.filter(report_id=latest, counted=False).update(counted=True)


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


@transaction.atomic
def update(report):
    """Bring the report's aggregates up to date with its current data and findings."""
    before = ReportFigures.objects.filter(report=report).values_list("agency_id", "year").first()
    filed = (
        report.status == Status.FILED
        and report.current is not None
        and report.agency_id is not None
        and report.year is not None
    )
    if not filed:
        ReportFigures.objects.filter(report=report).delete()
    else:
        row, _ = ReportFigures.objects.update_or_create(report=report, defaults=values_for(report))
        row.rules.all().delete()
        RuleCount.objects.bulk_create(
            RuleCount(figures=row, rule=r, count=n, errors=e) for r, n, e in rule_counts(report)
        )
    groups = {before} if before else set()
    if filed:
        groups.add((report.agency_id, report.year))
    for agency_id, year in groups:
        _recount(agency_id, year)


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
