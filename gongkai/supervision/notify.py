"""The daily deadline chase behind `gongkai notify`: 逾期预警 and 超期督办.

For each agency, on day D (the caller passes it; nothing here reads the clock):

- 逾期预警 (due_soon): an open case whose reply deadline lies from D up to the
  3rd working day after D (clock.DUE_SOON_WORKDAYS) on the agency's own calendar
  (national schedule plus its local days, provisional for unpublished years)
  → the handlers of its department (the 政务公开办 while it is unassigned) and the
  政务公开办. Reply period: Art. 33 第二款.
- 超期 (overdue): an open case whose deadline is before D → its handlers, the
  政务公开办 and the 工作机构负责人. Only a notice: no status is ever changed.
- Paused cases (a consultation sent and not answered: Art. 33 第三款) get no
  deadline notice; the summary lists them.
- 待补正 cases get none either: the reply period starts again on the day the
  corrected request arrives (Art. 30), so their stored deadline is not running.

- 年报期限 (annual_report; annual_report_notices, called by the command before `run`):
  from 1 January until last year's annual report is on the portal, the 政务公开办,
  工作机构负责人 and 分管领导 (Art. 49: published by 31 January; after that the
  notice says it is late). About no case: it links to the annual-report workspace.

Notices are unique per (recipient, case, kind, day), so a second run on the same
day writes and sends nothing new. Each recipient gets one e-mail summarising
their notices of the day that have not been e-mailed yet.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q

from gongkai.agencies.models import Agency, Membership, Role
from gongkai.cases.models import Case, CaseQuerySet, Status, due_soon_window
from gongkai.supervision import mail, text
from gongkai.supervision.models import Notice, NoticeKind
from gongkai.workdays.calendar import ScheduleMissing

CHASED_ROLES = (Role.HANDLER, Role.OFFICE, Role.OFFICE_HEAD)


class NotifyError(ValueError):
    """Bad input to the run (unknown agency); the message is Chinese."""


@dataclass
class Item:
    """One case the run warns about, with the notice text and who gets it."""

    case: Case
    kind: str
    message: str
    recipients: list
    days: int | None = None  # working days left (due soon) or past the deadline (overdue)


@dataclass
class AgencyScan:
    """What one agency's cases look like on the day."""

    agency: Agency
    due_soon_until: object = None  # the last day of the window; None: no calendar
    calendar_error: str = ""
    provisional_years: tuple = ()
    due_soon: list = field(default_factory=list)
    overdue: list = field(default_factory=list)
    paused: list = field(default_factory=list)
    awaiting_correction: list = field(default_factory=list)


@dataclass
class Summary:
    day: object
    dry_run: bool
    scans: list
    created: int = 0
    existing: int = 0
    mailed: mail.MailResult = field(default_factory=mail.MailResult)
    would_email: list = field(default_factory=list)  # dry run: users who would get mail

    @property
    def calendar_errors(self):
        return [s for s in self.scans if s.calendar_error]


# ---- who gets what -------------------------------------------------------------------


def staff_of(agency):
    """{(role, department_id or None): [users]} of the roles the chase writes to."""
    staff = {}
    rows = (
        Membership.objects.filter(agency=agency, role__in=CHASED_ROLES, user__is_active=True)
        .select_related("user")
        .order_by("user__username")
    )
    for m in rows:
        key = (m.role, m.department_id if m.role == Role.HANDLER else None)
        staff.setdefault(key, []).append(m.user)
    return staff


def responsible(staff, case):
    """The handlers of the case's department, or the 政务公开办 while it has none."""
    handlers = staff.get((Role.HANDLER, case.department_id), []) if case.department_id else []
    return handlers or staff.get((Role.OFFICE, None), [])


def _unique(*groups):
    seen, out = set(), []
    for user in (u for g in groups for u in g):
        if user.pk not in seen:
            seen.add(user.pk)
            out.append(user)
    return out


# ---- the scan (reads only) -----------------------------------------------------------


def _window(agency, day):
    """(the calendar, last day of the 逾期预警 window, provisional years) or a LookupError
    (cases.models.due_soon_window: the same calendar the case list uses)."""
    cal, until = due_soon_window(agency.code, day)
    years = tuple(y for y in sorted(cal.provisional_years) if day.year <= y <= until.year)
    return cal, until, years


def _candidates(agency, day, until):
    """The agency's open cases due by `until` (or overdue) or paused, each annotated with
    its state from CaseQuerySet.conditions (the definitions the case list uses)."""
    conditions = CaseQuerySet.conditions(day, {agency.pk: until} if until else None)
    flags = {
        f"is_{name}": ExpressionWrapper(conditions[name], output_field=BooleanField())
        for name in ("paused", "overdue", "due_soon")
    }
    near = Q(due_on__lte=until) if until else Q(due_on__lt=day)
    return (
        Case.objects.for_agency(agency)
        .open()
        .filter(due_on__isnull=False)
        .annotate(**flags)
        .filter(near | Q(is_paused=True))
        .select_related("agency", "department")
        .order_by("due_on", "tracking_number")
    )


def scan(agency, day):
    """The cases of `agency` to warn about on `day`, with the notice texts (no writes)."""
    result = AgencyScan(agency)
    cal = None
    try:
        cal, result.due_soon_until, result.provisional_years = _window(agency, day)
    except ScheduleMissing as error:
        result.calendar_error = (
            f"{error.year}年的节假日安排尚未载入，无法计算“三个工作日内到期”。请先导入该年的"
            f"放假通知（gongkai calendar import-notice 通知.txt --year {error.year}）。"
        )
    except (LookupError, ValueError) as error:  # an empty calendar table
        result.calendar_error = str(error).strip("'\"")
    staff = staff_of(agency)
    office, heads = staff.get((Role.OFFICE, None), []), staff.get((Role.OFFICE_HEAD, None), [])
    for case in _candidates(agency, day, result.due_soon_until):
        if case.is_paused:
            result.paused.append(case)
        elif case.status == Status.CORRECTION_REQUESTED:
            result.awaiting_correction.append(case)
        elif case.is_overdue:
            late = _workdays_between(cal, case.due_on, day)
            who = _unique(responsible(staff, case), office, heads)
            message = text.overdue_message(case, late)
            result.overdue.append(Item(case, NoticeKind.OVERDUE, message, who, late))
        elif case.is_due_soon:
            left = _workdays_between(cal, day, case.due_on)
            who = _unique(responsible(staff, case), office)
            message = text.due_soon_message(case, left)
            result.due_soon.append(Item(case, NoticeKind.DUE_SOON, message, who, left))
    return result


def _workdays_between(cal, start, end):
    if cal is None:
        return None
    try:
        return cal.workdays_between(start, end)
    except LookupError:
        return None


# ---- writing and sending -------------------------------------------------------------


def _planned(scans, day):
    """Notice rows for every item and recipient (unsaved)."""
    return [
        Notice(
            recipient=user,
            case=item.case,
            kind=item.kind,
            message=item.message,
            due_on=item.case.due_on,
            created_on=day,
        )
        for s in scans
        for item in (*s.due_soon, *s.overdue)
        for user in item.recipients
    ]


def _existing_keys(planned, day):
    cases = {n.case_id for n in planned}
    return set(
        Notice.objects.filter(created_on=day, case_id__in=cases).values_list(
            "recipient_id", "case_id", "kind"
        )
    )


@transaction.atomic
def _write(new):
    # ignore_conflicts: a run started at the same moment may have written some already.
    Notice.objects.bulk_create(new, ignore_conflicts=True)


def run(day, *, agency_code=None, dry_run=False, connection=None, send_mail=True):
    """Scan every agency (or the one with `agency_code`), write the notices, e-mail them.

    With dry_run nothing is written and nothing is sent; the summary says what would be.
    send_mail=False leaves the e-mail to the caller (`gongkai worker` queues it).
    """
    agencies = Agency.objects.order_by("code")
    if agency_code:
        agencies = agencies.filter(code=agency_code)
        if not agencies.exists():
            codes = "、".join(Agency.objects.order_by("code").values_list("code", flat=True))
            raise NotifyError(f"机关代码“{agency_code}”不存在。现有机关代码：{codes or '（无）'}。")
    scans = [scan(agency, day) for agency in agencies]
    summary = Summary(day=day, dry_run=dry_run, scans=scans)
    planned = _planned(scans, day)
    existing = _existing_keys(planned, day)
    new = [n for n in planned if (n.recipient.pk, n.case.pk, n.kind) not in existing]
    summary.created, summary.existing = len(new), len(planned) - len(new)
    if dry_run:
        summary.would_email = _unique([n.recipient for n in new])
        return summary
    _write(new)
    if not send_mail:
        return summary
    agencies = [s.agency for s in scans]
    annual_links = [f"/annual/{a.code}/{day.year - 1}/" for a in agencies]
    unsent = (
        Notice.objects.filter(created_on=day, emailed_at__isnull=True)
        .filter(
            Q(case__agency__in=agencies)
            | Q(case__isnull=True, kind=NoticeKind.ANNUAL_REPORT, link__in=annual_links)
        )
        .select_related("recipient", "case")
        .order_by("recipient_id", "id")
    )
    summary.mailed = mail.send_notices(unsent, connection=connection)
    return summary


# ---- 年报期限: the annual report by 31 January (Art. 49) -------------------------------

ANNUAL_ROLES = (Role.OFFICE, Role.OFFICE_HEAD, Role.LEADER)


def annual_report_due(year):
    """Art. 49: the report for `year` is published by 31 January of year + 1."""
    import datetime as dt

    return dt.date(year + 1, 1, 31)


def annual_report_message(agency, year, day, status_label):
    due = annual_report_due(year)
    state = f"目前{status_label}" if status_label else "目前尚未起草"
    if day > due:
        return (
            f"{agency.name}{year}年度政府信息公开工作年度报告已超过公布期限"
            f"（{text.cn_date(due)}，《条例》第四十九条），{state}，请尽快审批并发布。"
        )
    return (
        f"{agency.name}{year}年度政府信息公开工作年度报告应于{text.cn_date(due)}前公布"
        f"（《条例》第四十九条），{state}。"
    )


def annual_report_notices(day, *, agency_code=None, dry_run=False):
    """From 1 January until last year's report is published, a 年报期限 notice each day to
    the agency's 政务公开办, 工作机构负责人 and 分管领导 (one per recipient and day; the
    day's `run` e-mails it with the other notices). Returns the summary lines."""
    from gongkai.annual.models import AnnualReport
    from gongkai.portal.models import PublishedReport

    year = day.year - 1
    agencies = Agency.objects.order_by("code")
    if agency_code:
        agencies = agencies.filter(code=agency_code)
    published = set(PublishedReport.objects.filter(year=year).values_list("agency_id", flat=True))
    drafts = {
        r.agency_id: r.get_status_display()
        for r in AnnualReport.objects.filter(year=year).only("agency_id", "status")
    }
    planned = []
    for agency in agencies:
        if agency.pk in published:
            continue
        staff = (
            Membership.objects.filter(agency=agency, role__in=ANNUAL_ROLES, user__is_active=True)
            .select_related("user")
            .order_by("user__username")
        )
        users = _unique([m.user for m in staff])
        if not users:
            continue
        status = drafts.get(agency.pk)
        message = annual_report_message(agency, year, day, f"处于“{status}”环节" if status else "")
        link = f"/annual/{agency.code}/{year}/"
        planned += [
            Notice(
                recipient=user,
                kind=NoticeKind.ANNUAL_REPORT,
                message=message,
                due_on=annual_report_due(year),
                created_on=day,
                link=link,
            )
            for user in users
        ]
    existing = set(
        Notice.objects.filter(
            created_on=day, kind=NoticeKind.ANNUAL_REPORT, case__isnull=True
        ).values_list("recipient_id", "link")
    )
    new = [n for n in planned if (n.recipient.pk, n.link) not in existing]
    if not dry_run:
        _write(new)
    if not new:
        return []
    verb = "将发出" if dry_run else "已发出"
    return [f"年报期限：{verb} {len(new)} 条通知（{year}年度年度报告尚未发布）。"]
