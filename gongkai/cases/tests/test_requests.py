"""The handling department's requests (issue 14 part 5): 申请告知补正 and 申请延期答复 for
the 工作机构负责人 to approve or refuse, and 退回改派 — each an audited step with a reason,
in the right in-tray and in the opinion trail. Refusals are in Chinese and save nothing."""

import datetime as dt

import pytest

from gongkai.cases import views, workflow
from gongkai.cases.models import Case, CaseEvent, EventKind, Status
from gongkai.cases.tests.factories import make_case, run_to
from gongkai.inbox import queues

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
ON = D("2024-03-04")  # received Fri 1 March 2024


def assigned(w):
    return run_to(make_case(w.agency, w.registrar), w, "assigned", on=D("2024-03-01"))


def waiting_in(queue, user):
    rows = queues.records(queues.QUEUE_BY_KEY[queue], user)
    return set() if rows is None else set(rows.values_list("pk", flat=True))


def snapshot(case):
    row = Case.objects.get(pk=case.pk)
    return (
        row.status,
        row.department_id,
        row.proposal,
        row.proposal_reason,
        row.correction_requested_on,
        row.extended_on,
        CaseEvent.objects.filter(case=case).count(),
    )


def test_a_correction_request_goes_to_the_office_head_and_becomes_the_notice(world):
    w = world
    case = workflow.propose_correction(
        assigned(w), by=w.handler, on=ON, items="请写明所需统计的年份", reason="申请内容未写明年份"
    )
    assert (case.status, case.proposal) == (Status.ASSIGNED, "correction")
    assert case.pk in waiting_in("approve_correction", w.office_head)
    assert case.pk not in waiting_in("draft", w.handler)  # waits for the answer first
    case = workflow.approve_correction(
        case, by=w.office_head, on=ON, correction_due_on=D("2024-03-20"), items=""
    )
    assert (case.status, case.proposal, case.correction_items) == (
        Status.CORRECTION_REQUESTED,
        "",
        "请写明所需统计的年份",
    )
    assert case.correction_requested_on == ON and case.correction_due_on == D("2024-03-20")
    assert case.pk not in waiting_in("approve_correction", w.office_head)
    assert case.pk in waiting_in("correction", w.registrar)
    event = CaseEvent.objects.get(case=case, kind=EventKind.APPROVE_CORRECTION)
    assert event.data["late"] is False and event.actor == w.office_head
    trail = [(o.step, o.role, o.verdict) for o in views.opinion_trail(case)]
    assert trail[-2:] == [
        ("承办部门申请告知补正", "承办部门", "申请告知补正"),
        ("批准告知补正", "工作机构负责人", "同意"),
    ]


def test_a_correction_approved_after_seven_working_days_is_marked_late(world):
    w = world
    case = workflow.propose_correction(
        assigned(w), by=w.handler, on=ON, items="请写明年份", reason="不明确"
    )
    # Art. 30: within 7 working days of receipt (Fri 1 March → Tue 12 March 2024).
    case = workflow.approve_correction(
        case, by=w.office_head, on=D("2024-03-13"), correction_due_on=D("2024-03-27")
    )
    assert CaseEvent.objects.get(case=case, kind=EventKind.APPROVE_CORRECTION).data["late"]


def test_requests_need_their_reasons_and_wait_one_at_a_time(world):
    w = world
    case = assigned(w)
    before = snapshot(case)
    for kwargs, message in (
        ({"items": "", "reason": "不明确"}, "请填写需要补正的事项"),
        ({"items": "请写明年份", "reason": " "}, "请填写请示理由"),
    ):
        with pytest.raises(workflow.WorkflowError, match=message):
            workflow.propose_correction(case, by=w.handler, on=ON, **kwargs)
        assert snapshot(case) == before
    with pytest.raises(workflow.WorkflowError, match="请填写请示理由"):
        workflow.propose_extension(case, by=w.handler, on=ON, reason="")
    with pytest.raises(workflow.WorkflowError, match="承办部门"):
        workflow.propose_extension(case, by=w.office, on=ON, reason="需调档")  # not its step
    assert snapshot(case) == before
    case = workflow.propose_extension(case, by=w.handler, on=ON, reason="需要调取档案")
    pending = snapshot(case)
    with pytest.raises(workflow.WorkflowError, match="已有待审批的请示（申请延期答复）"):
        workflow.propose_correction(case, by=w.handler, on=ON, items="年份", reason="不明确")
    with pytest.raises(workflow.WorkflowError, match="待审批的请示.*审批后才能退回改派"):
        workflow.hand_back(case, by=w.handler, on=ON, reason="不属于本部门")
    with pytest.raises(workflow.WorkflowError, match="没有待审批的补正请示"):
        workflow.approve_correction(
            case, by=w.office_head, on=ON, correction_due_on=D("2024-03-20")
        )
    assert snapshot(case) == pending


def test_an_extension_request_is_approved_with_the_departments_reason(world):
    w = world
    case = workflow.propose_extension(assigned(w), by=w.handler, on=ON, reason="需要调取档案")
    assert case.pk in waiting_in("approve_extension", w.office_head)
    case = workflow.approve_extension(case, by=w.office_head, on=ON, reason="")
    assert (case.extended_on, case.extension_reason, case.proposal) == (ON, "需要调取档案", "")
    assert case.due_on > case.original_due_on  # Art. 33 第二款: up to 20 more working days
    assert case.pk not in waiting_in("approve_extension", w.office_head)
    with pytest.raises(workflow.WorkflowError, match="只能延长一次"):
        workflow.propose_extension(case, by=w.handler, on=ON, reason="再延")


def test_an_extension_cannot_be_asked_for_after_the_original_deadline(world):
    w = world
    case = assigned(w)
    with pytest.raises(workflow.WorkflowError, match="原答复期限 2024-03-29 已过"):
        workflow.propose_extension(case, by=w.handler, on=D("2024-04-01"), reason="需调档")


def test_the_office_head_may_refuse_with_a_reason_the_handler_reads(world, client):
    w = world
    case = workflow.propose_correction(
        assigned(w), by=w.handler, on=ON, items="年份", reason="不明确"
    )
    before = snapshot(case)
    with pytest.raises(workflow.WorkflowError, match="请填写不同意的理由"):
        workflow.decline_proposal(case, by=w.office_head, on=ON, comments="")
    with pytest.raises(workflow.WorkflowError, match="工作机构负责人"):
        workflow.decline_proposal(case, by=w.leader, on=ON, comments="不同意")
    assert snapshot(case) == before
    case = workflow.decline_proposal(
        case, by=w.office_head, on=ON, comments="申请内容已写明“2023年”，可以办理。"
    )
    assert (case.status, case.proposal) == (Status.ASSIGNED, "")
    assert case.pk in waiting_in("draft", w.handler)
    client.force_login(w.handler)
    page = client.get(f"/cases/{case.tracking_number}/").content.decode()
    assert "申请内容已写明“2023年”，可以办理。" in page and "不同意" in page
    with pytest.raises(workflow.WorkflowError, match="没有待审批的请示"):
        workflow.decline_proposal(case, by=w.office_head, on=ON, comments="again")


def test_a_hand_back_returns_the_case_to_the_office_for_reassignment(world, client):
    w = world
    case = assigned(w)
    before = snapshot(case)
    with pytest.raises(workflow.WorkflowError, match="请填写退回理由"):
        workflow.hand_back(case, by=w.handler, on=ON, reason="")
    with pytest.raises(workflow.WorkflowError):
        workflow.hand_back(case, by=w.other_handler, on=ON, reason="不是我们的")
    assert snapshot(case) == before
    case = workflow.hand_back(case, by=w.handler, on=ON, reason="属于户政业务，建议户政支队承办")
    assert (case.status, case.department_id) == (Status.REGISTERED, None)
    event = CaseEvent.objects.get(case=case, kind=EventKind.HAND_BACK)
    assert event.data["previous"] == w.dept.pk and event.actor == w.handler
    assert case.pk in waiting_in("assign", w.office)
    assert not Case.objects.visible_to(w.handler).filter(pk=case.pk).exists()
    client.force_login(w.office)
    page = client.get(f"/cases/{case.tracking_number}/").content.decode()
    assert "属于户政业务，建议户政支队承办" in page and "退回改派" in page
    case = workflow.assign(case, by=w.office, department=w.other_dept, on=ON)
    assert case.pk in waiting_in("draft", w.other_handler)
    assert case.due_on == D("2024-03-29")  # the reply period runs on (Art. 33)
