"""Figures for supervision: per department of one agency, and per subordinate agency.

Department figures for year Y, on day D:
- 办结 (closed): cases concluded in Y (closed_on in Y: replies, withdrawals, lapses);
- 答复 (replied) and 按期答复 (on_time: replied_on ≤ due_on, Art. 33) among them;
- 逾期未办 (late_open): open cases whose deadline fell in Y and has passed on D
  (CaseQuerySet.conditions "overdue"): they are not on time either, so 按期率 is
  on_time ÷ (replied + late_open) — an office cannot raise its rate by not replying;
- 平均用时: mean working days from the clock start to the reply (timing.days_taken:
  agency calendar, consultation pauses left out) over the replied cases;
- counts by outcome group of table 三;
- 在办 / 已超期: open cases now, and those past their due date on D (not year-bound).
One aggregate query grouped by department, plus one query of (start, reply) dates
and one of consultations for the average.

Subordinate figures are the annual report's own (gongkai.cases.stats.annual_tables)
plus the subordinate's overdue count now; no case of a subordinate is exposed.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Q

from gongkai.cases import stats as case_stats
from gongkai.cases.models import OPEN_STATUSES, Case, CaseQuerySet, Consultation
from gongkai.supervision import timing
from gongkai.workdays import clock, loading

# (key, label, outcome prefix) in table 三 order.
OUTCOME_GROUPS = (
    ("granted", "予以公开", "granted"),
    ("partial", "部分公开", "partial"),
    ("denied", "不予公开", "denied."),
    ("unavailable", "无法提供", "unavailable."),
    ("not_processed", "不予处理", "not_processed."),
    ("other", "其他处理", "other."),
)
COUNTS = (
    "closed",
    "replied",
    "on_time",
    "late_open",
    *(g[0] for g in OUTCOME_GROUPS),
    "open",
    "overdue",
)


@dataclass
class Row:
    """One department's figures (department None: cases never assigned)."""

    department: object
    counts: dict
    days: list = field(default_factory=list)  # working days taken, per replied case
    unknown_days: int = 0  # replied cases whose dates the calendar does not cover

    @property
    def name(self):
        return self.department.name if self.department else "未分办"

    @property
    def due(self):
        """The cases that had to be answered: replied in the year, or overdue and open."""
        return self.counts["replied"] + self.counts["late_open"]

    @property
    def on_time_percent(self):
        due = self.due
        return round(100 * self.counts["on_time"] / due, 1) if due else None

    @property
    def group_counts(self):
        """Counts by outcome group, in OUTCOME_GROUPS order."""
        return [self.counts[key] for key, _label, _prefix in OUTCOME_GROUPS]

    @property
    def average_days(self):
        return round(sum(self.days) / len(self.days), 1) if self.days else None


@dataclass
class DepartmentTable:
    agency: object
    year: int
    today: dt.date
    rows: list
    total: Row
    calendar_error: str = ""


def _aggregates(cases, start, end, today):
    closed = Q(closed_on__gte=start, closed_on__lte=end)
    replied = closed & Q(replied_on__isnull=False)
    running = Q(status__in=OPEN_STATUSES)
    overdue = CaseQuerySet.conditions(today)["overdue"]  # the case list's own definition
    counts = {
        "closed": Count("id", filter=closed),
        "replied": Count("id", filter=replied),
        "on_time": Count("id", filter=replied & Q(replied_on__lte=F("due_on"))),
        "late_open": Count("id", filter=overdue & Q(due_on__gte=start, due_on__lte=end)),
        "open": Count("id", filter=running),
        "overdue": Count("id", filter=overdue),
    }
    for key, _label, prefix in OUTCOME_GROUPS:
        counts[key] = Count("id", filter=closed & Q(outcome__startswith=prefix))
    rows = cases.filter(closed | running).values("department_id").annotate(**counts).order_by()
    return {r.pop("department_id"): r for r in rows}


def _durations(cal, cases, start, end):
    """{department_id: {"days": [working days], "unknown": n}} over the year's replies."""
    replied = cases.filter(closed_on__gte=start, closed_on__lte=end, replied_on__isnull=False)
    pauses = {}
    for case_id, party, sent, answered in Consultation.objects.filter(
        case__in=replied.values("pk")
    ).values_list("case_id", "party", "sent_on", "answered_on"):
        pauses.setdefault(case_id, []).append(
            clock.Consultation(sent, answered, clock.Party(party))
        )
    out = {}
    rows = replied.values_list("pk", "department_id", "received_on", "corrected_on", "replied_on")
    receipt_day = loading.count_receipt_day()
    for pk, department_id, received, corrected, replied_on in rows:
        bucket = out.setdefault(department_id, {"days": [], "unknown": 0})
        try:
            bucket["days"].append(
                timing.days_taken(
                    cal,
                    received,
                    replied_on,
                    corrected=corrected,
                    consultations=pauses.get(pk, ()),
                    count_receipt_day=receipt_day,
                )
            )
        except (LookupError, clock.ClockError):
            bucket["unknown"] += 1
    return out


def department_table(agency, year, *, today, departments):
    """Figures for `departments` of `agency` (and 未分办 when it has any), with a total."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    cases = Case.objects.filter(agency=agency)
    limited = departments is not None
    if limited:
        cases = cases.filter(department__in=departments)
    else:
        departments = agency.departments.order_by("name")
    figures = _aggregates(cases, start, end, today)
    calendar_error, durations = "", {}
    try:
        cal = loading.get_calendar(agency.code).provisional(max(year, today.year) + 1)
        durations = _durations(cal, cases, start, end)
    except LookupError as error:
        calendar_error = str(error).strip("'\"")
    empty = dict.fromkeys(COUNTS, 0)
    keys = [d.pk for d in departments] + ([] if limited or None not in figures else [None])
    by_pk = {d.pk: d for d in departments}
    rows = []
    for key in keys:
        spent = durations.get(key, {"days": [], "unknown": 0})
        rows.append(Row(by_pk.get(key), figures.get(key, empty), spent["days"], spent["unknown"]))
    total = Row(
        None,
        {c: sum(r.counts[c] for r in rows) for c in COUNTS},
        [d for r in rows for d in r.days],
        sum(r.unknown_days for r in rows),
    )
    return DepartmentTable(agency, year, today, rows, total, calendar_error)


def department_columns(table):
    """The department table as spreadsheet columns (the page's, figures as numbers);
    a row without a department is 未分办, the total row (table.total) 合计."""
    from gongkai.spreadsheets import Column

    def name(row):
        if row is table.total:
            return "合计"
        return row.name

    def count(key):
        return lambda row: row.counts[key]

    return [
        Column("承办部门", name, 18),
        Column(f"{table.year}年办结", count("closed")),
        Column("作出答复", count("replied")),
        Column("按期答复", count("on_time")),
        Column("逾期未办", count("late_open")),
        Column("按期率（%）", lambda row: row.on_time_percent),
        Column("平均用时（工作日）", lambda row: row.average_days, 18),
        *(Column(label, count(key)) for key, label, _prefix in OUTCOME_GROUPS),
        Column(f"在办（截至{table.today:%Y-%m-%d}）", count("open"), 20),
        Column(f"超期（截至{table.today:%Y-%m-%d}）", count("overdue"), 20),
    ]


# ---- supervising agency -----------------------------------------------------------------


SUBORDINATE_COLUMNS = (
    ("new", "本年新收"),
    ("carried_over", "上年结转"),
    ("closed", "本年办结"),
    ("carry_forward", "结转下年度"),
    ("granted", "予以公开"),
    ("denied", "不予公开"),
    ("overdue", "目前超期"),
    ("reconsideration", "行政复议"),
    ("litigation", "行政诉讼"),
)


def _report_figures(report):
    req, appeals = report["requests"], report["appeals"]
    return {
        "new": req["new"]["total"],
        "carried_over": req["carried_over"]["total"],
        "closed": req["total"]["total"],
        "carry_forward": req["carry_forward"]["total"],
        "granted": req["granted"]["total"],
        "denied": sum(cells["total"] for key, cells in req.items() if key.startswith("denied.")),
        "reconsideration": appeals["reconsideration"]["total"],
        "litigation": appeals["litigation_direct"]["total"] + appeals["litigation_after"]["total"],
    }


def subordinate_table(agency, year, *, today):
    """([(subordinate, [figures in SUBORDINATE_COLUMNS order])], [totals]) for the direct
    subordinates of `agency`.

    Raises cases.stats.StatsError (Chinese) for a year without the statutory tables.
    """
    subordinates = list(agency.subordinates.order_by("code"))
    overdue = dict(
        Case.objects.filter(agency__in=subordinates)
        .overdue(today)
        .values("agency_id")
        .annotate(n=Count("id"))
        .values_list("agency_id", "n")
        .order_by()
    )
    rows = []
    for sub in subordinates:
        figures = _report_figures(case_stats.annual_tables(sub, year))
        figures["overdue"] = overdue.get(sub.pk, 0)
        rows.append((sub, [figures[key] for key, _label in SUBORDINATE_COLUMNS]))
    totals = [sum(column) for column in zip(*(cells for _, cells in rows), strict=True)]
    return rows, totals


def subordinate_reports(agency, year, *, today):
    """The annual reports of `agency`'s direct subordinates for `year`, as the
    supervising agency sees them: [{"agency", "published" (the newest PublishedReport
    or None), "late" (published after 31 January, or unpublished past it: Art. 49),
    "status" (the report's 环节 in the system, "" if not started), "due"}]."""
    from gongkai.annual.models import AnnualReport
    from gongkai.portal import scope
    from gongkai.portal.models import PublishedReport
    from gongkai.supervision.notify import annual_report_due

    subordinates = list(agency.subordinates.order_by("code"))
    due = annual_report_due(year)
    newest = {}
    rows = PublishedReport.objects.filter(agency__in=subordinates, year=year).order_by("id")
    for row in rows.only("id", "agency_id", "year", "published_on", "origin"):
        newest[row.agency_id] = row  # ascending ids: the last one is the newest
    first = {}
    for row in rows.only("id", "agency_id", "published_on").order_by("-id"):
        first[row.agency_id] = row.published_on  # the first publication decides lateness
    statuses = {
        r.agency_id: r.get_status_display()
        for r in AnnualReport.objects.filter(agency__in=subordinates, year=year)
    }
    out = []
    for sub in subordinates:
        published = newest.get(sub.pk)
        if published is not None:
            late = first[sub.pk] > due
        else:
            late = today > due
        out.append(
            {
                "agency": sub,
                "published": published,
                "first_published_on": first.get(sub.pk),
                "late": late,
                "status": statuses.get(sub.pk, ""),
                "due": due,
                "url": scope.url("report", sub, year) if published is not None else None,
            }
        )
    return out
