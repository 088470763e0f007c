"""整改事项 in 我的待办 (gongkai.inbox): the agency's items waiting for its answer, and
the supervising office's answered items waiting for verification. Both are for the
政务公开办/系统管理员 (access.ACT_ROLES) of the agency concerned; an agency not on
this platform has its answers recorded by the supervising office."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse

from .access import ACT_ROLES
from .models import Rectification, State


@dataclass(frozen=True)
class Queue:
    key: str
    title: str


ANSWER = Queue("rectification_answer", "答复整改事项（年度报告问题）")
VERIFY = Queue("rectification_verify", "核验整改答复")


def _wheres(memberships):
    agencies = {m["agency_id"] for m in memberships if m["role"] in ACT_ROLES}
    if not agencies:
        return {}
    supervised = Q(supervisor__platform_id__in=agencies)
    return {
        ANSWER: Q(state=State.OPEN)
        & (Q(agency__platform_id__in=agencies) | Q(agency__platform__isnull=True) & supervised),
        VERIFY: Q(state=State.ANSWERED) & supervised,
    }


def counts(memberships):
    """{queue key: count}: one aggregate query; {} for a user without ACT_ROLES."""
    wheres = _wheres(memberships)
    if not wheres:
        return {}
    return Rectification.objects.filter(wheres[ANSWER] | wheres[VERIFY]).aggregate(
        **{q.key: Count("pk", filter=w) for q, w in wheres.items()}
    )


def _left(item, day):
    """What the agency has left of its time (overdue is the model's rule)."""
    late = item.days_overdue(day)
    if late:
        return f"已逾期 {late} 天", True
    if item.due_on == day:
        return "今日到期", False
    return f"剩 {(item.due_on - day).days} 天", False


def sections(memberships, day, limit):
    """[(queue, rows, count)] with rows as dicts of gongkai.inbox.views.Row's fields."""
    out = []
    for queue, where in _wheres(memberships).items():
        items = Rectification.objects.filter(where).select_related("agency", "report")
        count = items.count()
        if not count:
            continue
        rows = []
        for item in items.order_by("due_on", "id")[:limit]:
            left, overdue = _left(item, day) if queue is ANSWER else ("", False)
            rows.append(
                {
                    "url": reverse("rectification:detail", args=[item.pk]),
                    "number": item.number,
                    "title": f"{item.agency.name} {item.report.year}年度报告",
                    "status": item.get_state_display(),
                    "due_on": item.due_on,
                    "left": left,
                    "overdue": overdue,
                }
            )
        out.append((queue, rows, count))
    return out
