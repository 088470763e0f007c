"""我的待办: what waits for each staff member's step, declared once as data.

A queue is one workflow step of casework (依申请公开) or of 主动公开: the statuses a
record waits in come from that app's TRANSITIONS (the step's source statuses) and the
roles that act come from its ROLES, so the in-tray never restates a workflow rule.
Where the in-tray deliberately narrows a step's roles (the 政务公开办 may draft, but
drafting is the 承办部门's work), the queue says so.

Whose records: a user's memberships holding one of the queue's roles, reduced to
(agencies, departments) by agencies.models.reach — a handler sees its own
department's cases, every other role its whole agency.
"""

import functools
import operator
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, F, Q
from django.utils import timezone

from gongkai.agencies.models import Membership, Role, reach
from gongkai.appeals import matters as appeal_matters
from gongkai.appeals.workflow import RECORDING_ROLES
from gongkai.cases import workflow as case_workflow
from gongkai.cases.models import Case, Proposal
from gongkai.cases.models import EventKind as CaseStep
from gongkai.publications import workflow as item_workflow
from gongkai.publications.models import Item
from gongkai.publications.workflow import K as ItemStep

CASE = "case"
ITEM = "item"


@dataclass(frozen=True)
class Queue:
    key: str
    title: str  # what the user does, as the in-tray heads it
    kind: str  # CASE or ITEM
    step: str  # the workflow step whose source statuses and roles define the queue
    roles: frozenset = field(default=frozenset())  # empty: the step's own roles
    extra: Q = field(default_factory=Q)  # a further condition within those statuses
    order: tuple = ("due_on", "id")

    @property
    def model(self):
        return Case if self.kind == CASE else Item

    @property
    def statuses(self):
        transitions = case_workflow.TRANSITIONS if self.kind == CASE else item_workflow.TRANSITIONS
        return sorted(transitions[self.step][0])

    @property
    def acting_roles(self):
        if self.roles:
            return self.roles
        roles = case_workflow.ROLES if self.kind == CASE else item_workflow.ROLES
        return frozenset(roles[self.step])

    def condition(self):
        return Q(status__in=self.statuses) & self.extra


_ONLY_HANDLER = frozenset({Role.HANDLER})  # the 政务公开办 may draft too; it is not its queue

QUEUES = (
    # Online applications wait for the 双方确认 of Art. 31(三); no clock runs meanwhile,
    # so the in-tray is where a forgotten one is noticed (oldest first).
    Queue("confirm", "确认网上申请", CASE, CaseStep.CONFIRM, order=("submitted_on", "id")),
    Queue("assign", "分办", CASE, CaseStep.ASSIGN),
    Queue(
        "correction",
        "等待补正（到期未补正的可作逾期处理）",
        CASE,
        CaseStep.RECORD_CORRECTION,
        order=("correction_due_on", "id"),
    ),
    # A case whose department asked for a 补正 or a 延期 waits for that answer first.
    Queue(
        "draft",
        "拟办答复意见",
        CASE,
        CaseStep.DRAFT_DECISION,
        roles=_ONLY_HANDLER,
        extra=Q(proposal=""),
    ),
    Queue(
        "approve_correction",
        "审批承办部门的补正请示",
        CASE,
        CaseStep.APPROVE_CORRECTION,
        extra=Case.proposal_q(Proposal.CORRECTION),
    ),
    Queue(
        "approve_extension",
        "审批承办部门的延期请示",
        CASE,
        CaseStep.APPROVE_EXTENSION,
        extra=Case.proposal_q(Proposal.EXTENSION),
    ),
    Queue(
        "legal_review",
        "法制审查",
        CASE,
        CaseStep.REVIEW,
        roles=frozenset({case_workflow.REVIEW_ROLES["legal"]}),
        extra=Q(**{case_workflow.REVIEW_FLAGS["legal"]: False}),
    ),
    Queue(
        "secrecy_review",
        "保密审查",
        CASE,
        CaseStep.REVIEW,
        roles=frozenset({case_workflow.REVIEW_ROLES["secrecy"]}),
        extra=Q(**{case_workflow.REVIEW_FLAGS["secrecy"]: False}),
    ),
    Queue("approve", "审批", CASE, CaseStep.APPROVE),
    Queue("reply", "出具答复", CASE, CaseStep.REPLY),
    Queue("deliver", "送达并登记", CASE, CaseStep.DELIVER),
    Queue(
        "record_signature",
        "登记邮寄签收（EMS 回执）",
        CASE,
        CaseStep.RECORD_SIGNATURE,
        extra=Case.signature_pending_q(),
        order=("delivered_on", "id"),
    ),
    # 主动公开: the five checks of issue 5, then publication; ordered by the Art. 26 due date.
    Queue(
        "item_revise",
        "修改退回或未提交的主动公开草稿",
        ITEM,
        ItemStep.SUBMIT,
        order=("publication_due_on", "id"),
    ),
    Queue(
        "item_first_review",
        "主动公开初审",
        ITEM,
        ItemStep.FIRST_REVIEW,
        order=("publication_due_on", "id"),
    ),
    Queue(
        "item_secrecy_review",
        "主动公开保密审查",
        ITEM,
        ItemStep.SECRECY_REVIEW,
        order=("publication_due_on", "id"),
    ),
    Queue(
        "item_approve", "主动公开审批", ITEM, ItemStep.APPROVE, order=("publication_due_on", "id")
    ),
    Queue(
        "item_publish",
        "发布主动公开信息",
        ITEM,
        ItemStep.PUBLISH,
        order=("publication_due_on", "id"),
    ),
)
QUEUE_BY_KEY = {q.key: q for q in QUEUES}


def confirm_warning_workdays():
    """Working days a 待确认 online application may wait before the in-tray warns."""
    return settings.GONGKAI_CONFIRM_WARNING_WORKDAYS


def memberships_of(user):
    if user is None or not user.is_authenticated:
        return []
    return list(Membership.objects.filter(user=user).values("agency_id", "department_id", "role"))


def _whose(queue, user, memberships):
    """The Q selecting `queue`'s records for this user; None when the user holds none
    of the queue's roles."""
    acting = [m for m in memberships if m["role"] in queue.acting_roles]
    if not acting:
        return None
    if queue.kind == ITEM and queue.step == ItemStep.SUBMIT:
        # A draft is its author's work: each drafter sees their own, returned ones included.
        return queue.condition() & Q(
            agency_id__in={m["agency_id"] for m in acting}, created_by_id=user.pk
        )
    agencies, departments = reach(acting)
    return queue.condition() & (Q(agency_id__in=agencies) | Q(department_id__in=departments))


def records(queue, user, memberships=None):
    """The records waiting in `queue` for `user`, deadline first; None when the user
    holds none of its roles."""
    memberships = memberships_of(user) if memberships is None else memberships
    where = _whose(queue, user, memberships)
    if where is None:
        return None
    first, *rest = queue.order
    return queue.model.objects.filter(where).order_by(F(first).asc(nulls_last=True), *rest)


def request_counts(request, day, memberships=None):
    """counts() for the request's user, computed once per request: the in-tray page and
    the navigation's count (context_processors) share it."""
    found = getattr(request, "_inbox_counts", None)
    if found is None or found[0] != day:
        found = (day, counts(request.user, memberships, day))
        request._inbox_counts = found
    return found[1]


def counts(user, memberships=None, day=None):
    """{queue key: count} for every queue the user acts in: one aggregate query per
    model, whatever the number of queues."""
    memberships = memberships_of(user) if memberships is None else memberships
    result = {}
    for model in (Case, Item):
        wheres = {
            q.key: w
            for q in QUEUES
            if q.model is model and (w := _whose(q, user, memberships)) is not None
        }
        if wheres:
            union = functools.reduce(operator.or_, wheres.values())
            result.update(
                model.objects.filter(union).aggregate(
                    **{key: Count("pk", filter=w) for key, w in wheres.items()}
                )
            )
    if any(m["role"] in RECORDING_ROLES for m in memberships):
        # The legal office's open 复议/诉讼 as the in-tray lists them (pending, or an appeal
        # window still running): gongkai.appeals.matters is their one definition.
        today = timezone.localdate() if day is None else day
        result["appeals"] = len(appeal_matters.open_matters_for(user, today))
    return result
