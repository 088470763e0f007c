"""我的待办: each role sees the records waiting for its own step, and only those."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from gongkai.agencies.models import Role
from gongkai.cases import workflow
from gongkai.cases.tests.factories import make_case, run_to
from gongkai.inbox import queues
from gongkai.publications.tests.factories import make_item
from gongkai.publications.tests.factories import run_to as item_run_to

D = dt.date.fromisoformat


@pytest.fixture
def desk(world):
    """One case waiting at every step, and one item at each 主动公开 step."""
    w = world
    cases = {
        "confirm": make_case(
            w.agency, w.registrar, confirmed_on=None, submitted_on=D("2024-03-01")
        ),
        "assign": make_case(w.agency, w.registrar),
        "draft": run_to(make_case(w.agency, w.registrar), w, "assigned"),
        "reviewed": run_to(make_case(w.agency, w.registrar), w, "reviewed"),
        "approved": run_to(make_case(w.agency, w.registrar), w, "approved"),
        "replied": run_to(make_case(w.agency, w.registrar), w, "replied"),
    }
    drafted = run_to(make_case(w.agency, w.registrar), w, "drafted")
    cases["legal_review"] = drafted
    other = make_case(w.agency, w.registrar)
    cases["other_dept"] = workflow.assign(
        other, by=w.office, department=w.other_dept, on=other.received_on
    )
    items = {
        "draft": make_item(w.agency, w.info_officer),
        "submitted": item_run_to(make_item(w.agency, w.info_officer), w, "submitted"),
        "approval": item_run_to(make_item(w.agency, w.info_officer), w, "approval"),
    }
    return w, cases, items


def waiting(user, key):
    qs = queues.records(queues.QUEUE_BY_KEY[key], user)
    return None if qs is None else set(qs.values_list("pk", flat=True))


def test_each_role_sees_its_own_step(desk):
    w, cases, items = desk
    pk = {k: c.pk for k, c in cases.items()}
    # 登记: online applications to confirm, replies to issue and deliver; nothing to assign.
    assert waiting(w.registrar, "confirm") == {pk["confirm"]}
    assert waiting(w.registrar, "reply") == {pk["approved"]}
    assert waiting(w.registrar, "deliver") == {pk["replied"]}
    assert waiting(w.registrar, "assign") is None
    # 政务公开办: also assigns; and 初审 of 主动公开 items.
    assert waiting(w.office, "assign") == {pk["assign"]}
    assert waiting(w.office, "item_first_review") == {items["submitted"].pk}
    # 承办部门: only its own department's cases to draft.
    assert waiting(w.handler, "draft") == {pk["draft"]}
    assert waiting(w.other_handler, "draft") == {pk["other_dept"]}
    assert waiting(w.office, "draft") is None  # drafting is the department's queue
    # 法制 and 保密 each see the drafted case until their own review is done.
    assert waiting(w.legal_reviewer, "legal_review") == {pk["legal_review"]}
    assert waiting(w.secrecy_reviewer, "secrecy_review") == {pk["legal_review"]}
    # Approvals for the 工作机构负责人 and the 分管领导.
    assert waiting(w.office_head, "approve") == {pk["reviewed"]}
    assert waiting(w.leader, "approve") == {pk["reviewed"]}
    assert waiting(w.leader, "item_approve") == {items["approval"].pk}
    # 信息员: own drafts only, and no casework at all.
    assert waiting(w.info_officer, "item_revise") == {items["draft"].pk}
    assert all(
        waiting(w.info_officer, q.key) is None for q in queues.QUEUES if q.kind == queues.CASE
    )
    # Another agency's staff see none of it.
    assert waiting(w.outsider, "assign") == set()


def test_a_review_done_leaves_the_reviewers_queue_only(desk):
    w, cases, _ = desk
    case = cases["legal_review"]
    workflow.review(case, by=w.legal_reviewer, kind="legal", passed=True, on=case.received_on)
    assert waiting(w.legal_reviewer, "legal_review") == set()
    assert waiting(w.secrecy_reviewer, "secrecy_review") == {case.pk}


def test_counts_agree_with_the_queues(desk, django_assert_max_num_queries):
    w, _, _ = desk
    for user in (w.registrar, w.office, w.handler, w.leader, w.info_officer):
        with django_assert_max_num_queries(3):  # memberships + one aggregate per model
            counted = queues.counts(user)
        listed = {q.key: len(s) for q in queues.QUEUES if (s := waiting(user, q.key)) is not None}
        assert counted == listed


def test_a_user_without_roles_has_no_queues(db):
    user = get_user_model().objects.create_user("nobody", password="x")
    assert queues.counts(user) == {}
    assert all(queues.records(q, user) is None for q in queues.QUEUES)


def test_queue_statuses_come_from_the_workflow():
    assert queues.QUEUE_BY_KEY["assign"].statuses == sorted(
        workflow.TRANSITIONS[workflow.K.ASSIGN][0]
    )
    assert queues.QUEUE_BY_KEY["approve"].acting_roles == frozenset({Role.OFFICE_HEAD, Role.LEADER})
