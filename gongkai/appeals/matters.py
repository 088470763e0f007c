"""Who sees which 复议/诉讼, and the open matters with their deadlines (for lists,
an in-tray and `gongkai notify`).

The legal office (法制审查) and the administrator record and edit; the 工作机构负责人 and
the 分管领导 see the agency's; a handler (承办部门) sees those on its department's cases;
every other role sees none.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from gongkai.agencies.models import Membership, Role
from gongkai.appeals import deadlines
from gongkai.appeals.models import Appeal, Result
from gongkai.appeals.workflow import RECORDING_ROLES
from gongkai.workdays import loading
from gongkai.workdays.calendar import ScheduleMissing

VIEWING_ROLES = frozenset({*RECORDING_ROLES, Role.OFFICE_HEAD, Role.LEADER})


def _memberships(user):
    if user is None or not user.is_authenticated:
        return []
    return list(Membership.objects.filter(user=user).values("agency_id", "department_id", "role"))


def reach(user):
    """(agency ids seen whole, department ids seen, agency ids where the user records)."""
    rows = _memberships(user)
    agencies = {m["agency_id"] for m in rows if m["role"] in VIEWING_ROLES}
    departments = {m["department_id"] for m in rows if m["role"] == Role.HANDLER}
    recording = {m["agency_id"] for m in rows if m["role"] in RECORDING_ROLES}
    return agencies, departments, recording


def may_view_any(user):
    agencies, departments, _ = reach(user)
    return bool(agencies or departments)


def may_record(user, agency_id):
    return agency_id in reach(user)[2]


def may_view_case(user, case):
    agencies, departments, _ = reach(user)
    return case.agency_id in agencies or (
        case.department_id is not None and case.department_id in departments
    )


def visible_appeals(user):
    agencies, departments, _ = reach(user)
    return Appeal.objects.filter(
        Q(case__agency_id__in=agencies) | Q(case__department_id__in=departments)
    ).select_related("case", "case__agency", "case__department", "prior")


@dataclass
class Matter:
    appeal: Appeal
    due: deadlines.Due | None  # the nearest running deadline; None: none running
    error: str = ""  # why no deadline could be computed (calendar missing)


def _calendar(agency, day, cache):
    if agency.pk not in cache:
        cache[agency.pk] = loading.get_calendar(agency.code).provisional(day.year + 1)
    return cache[agency.pk]


def matters(appeals, today):
    """Each appeal with its nearest deadline on or after `today` (overdue ones too)."""
    out, cache = [], {}
    for appeal in appeals:
        try:
            items = deadlines.due_items(appeal, _calendar(appeal.case.agency, today, cache))
        except (ScheduleMissing, LookupError, ValueError) as error:
            out.append(Matter(appeal, None, str(error).strip("'\"")))
            continue
        # an answer not submitted stays due (overdue); an appeal window ended is over.
        running = [d for d in items if d.on >= today or "答" in d.what]
        out.append(Matter(appeal, min(running, key=lambda d: d.on) if running else None))
    return out


def open_matters_for(user, today):
    """The user's open 复议/诉讼 (pending, or an appeal window still running), nearest
    deadline first; matters without a running deadline after those."""
    window = today - dt.timedelta(days=40)  # a judgment served since: window may run
    appeals = visible_appeals(user).filter(
        Q(result=Result.PENDING) | Q(served_on__gte=window, kind="litigation")
    )
    found = [m for m in matters(appeals, today) if m.appeal.is_open() or m.due]
    far = dt.date.max
    return sorted(found, key=lambda m: (m.due.on if m.due else far, m.appeal.pk))
