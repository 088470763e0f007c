"""Reports missing or late (regulation.md Art. 49): a 县级以上人民政府部门 publishes its
report for year Y by 31 January of Y+1, a government (the 主管部门 for it) by 31 March
(workdays.periods.annual_report_due, the one home of that rule). Regions (地区) are
groupings of the directory, not reporting agencies, and are not listed."""

import datetime as dt
from dataclasses import dataclass

from gongkai.workdays.periods import annual_report_due

from .models import Kind, LibraryAgency, LibraryReport, Status


@dataclass
class Due:
    agency: LibraryAgency
    due: dt.date
    state: str  # "missing" | "late" | "on_time" | "not_due" | "unknown"
    report: LibraryReport | None = None
    published: dt.date | None = None

    NAMES = {
        "missing": "未报送",
        "late": "逾期发布",
        "on_time": "按时发布",
        "not_due": "未到期",
        "unknown": "发布日期不详",
    }

    @property
    def state_name(self):
        return self.NAMES[self.state]

    @property
    def days_late(self):
        return (self.published - self.due).days if self.published else None


def default_year(today):
    """The latest reporting year whose departments' deadline has passed."""
    last = today.year - 1
    return last if today > annual_report_due(last) else last - 1


def _published(report):
    text = ((report.current or {}).get("published")) or ""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def statuses(agencies, reports, year, today):
    """A Due for every reporting agency of `agencies` (a queryset) for `year`."""
    filed = {}
    for r in reports.filter(status=Status.FILED, year=year).order_by("id"):
        filed.setdefault(r.agency_id, r)  # the first collected copy of the report
    out = []
    for agency in agencies.exclude(kind=Kind.REGION).order_by("path"):
        report = filed.get(agency.pk)
        published = _published(report) if report is not None else None
        out.append(classify(agency, year, today, filed=report is not None, published=published))
        out[-1].report = report
    return out


def classify(agency, year, today, *, filed, published):
    """The Due of one reporting agency for `year`: whether a report is filed, and the
    publication date it states (None: not stated)."""
    due = annual_report_due(year, government=agency.is_government)
    if not filed:
        return Due(agency, due, "missing" if today > due else "not_due")
    if published is None:
        return Due(agency, due, "unknown")
    return Due(agency, due, "late" if published > due else "on_time", published=published)
