import datetime as dt

import pytest

from gongkai.agencies.tests.factories import make_agency, make_department
from gongkai.cases import workflow
from gongkai.cases.models import Case, CaseEvent, Consultation, EventKind, Outcome, Status
from gongkai.cases.tests.factories import make_case, run_to
from gongkai.cases.workflow import WorkflowError

D = dt.date.fromisoformat
pytestmark = pytest.mark.django_db


# ---- register ----------------------------------------------------------------------


def test_register_numbers_the_case_and_dates_it_from_the_clock(world):
    """Received online on Friday 2024-03-01: 20 working days end on 2024-03-29."""
    case = make_case(world.agency, world.registrar)
    assert case.status == Status.REGISTERED
    assert case.tracking_number == f"{world.agency.code}-2024-00001"
    assert case.received_on == D("2024-03-01")
    assert case.due_on == D("2024-03-29")
    assert case.check_query_code(case.query_code) is True
    assert case.check_query_code("WRONGCODE1") is False
    assert case.query_code not in Case.objects.get(pk=case.pk).query_code_hash
    second = make_case(world.agency, world.registrar)
    assert second.tracking_number.endswith("-2024-00002")
    event = CaseEvent.objects.get(case=case)
    assert (event.kind, event.actor, event.data["due_on"]) == (
        "register",
        world.registrar,
        "2024-03-29",
    )


def test_register_takes_the_receipt_date_the_channel_dictates(world):
    """Art. 31: registered mail counts from the day it is signed for."""
    case = make_case(
        world.agency,
        world.registrar,
        channel="registered_mail",
        submitted_on=D("2024-02-26"),
        arrived_on=D("2024-03-01"),
    )
    assert case.received_on == D("2024-03-01")
    in_person = make_case(world.agency, world.registrar, channel="in_person")
    assert in_person.received_on == D("2024-03-01")


def test_a_letter_without_a_confirmation_date_waits_and_no_clock_runs(world):
    """Art. 31(二): an ordinary letter counts from the day it is confirmed."""
    case = make_case(world.agency, world.registrar, channel="letter", confirmed_on=None)
    assert case.status == Status.AWAITING_CONFIRMATION
    assert (case.received_on, case.due_on) == (None, None)
    assert case.tracking_number == f"{world.agency.code}-2024-00001"
    with pytest.raises(WorkflowError, match="待确认.*不能进行“分办”"):
        workflow.assign(case, by=world.office, department=world.dept, on=D("2024-03-04"))
    with pytest.raises(WorkflowError, match="确认日期（2024-02-29）不能早于提交日期"):
        workflow.confirm(case, by=world.registrar, on=D("2024-02-29"))
    case = workflow.confirm(case, by=world.registrar, on=D("2024-03-04"))
    assert case.status == Status.REGISTERED
    assert case.received_on == case.confirmed_on == D("2024-03-04")
    assert case.due_on == D("2024-04-01")  # 20 working days from Tue 5 March
    assert CaseEvent.objects.filter(case=case, kind=EventKind.CONFIRM).count() == 1


def test_registered_mail_without_its_signing_date_is_refused(world):
    with pytest.raises(WorkflowError, match="签收之日"):
        make_case(world.agency, world.registrar, channel="registered_mail", arrived_on=None)
    assert not Case.objects.exists()


def test_an_online_submission_is_the_publics_own_and_waits_for_confirmation(world):
    case = workflow.submit_online(
        world.agency,
        applicant_type="natural_person",
        applicant_name="李四",
        submitted_on=D("2024-03-01"),
        content="申请公开2023年交通事故统计",
        form_wanted="electronic",
        business_type="traffic",
    )
    assert (case.status, case.channel, case.received_on) == (
        Status.AWAITING_CONFIRMATION,
        "online",
        None,
    )
    event = CaseEvent.objects.get(case=case)
    assert (event.kind, event.actor) == (EventKind.SUBMIT, None)
    assert case.check_query_code(case.query_code)


def test_an_unconfirmed_request_that_is_withdrawn_never_enters_the_report(world):
    from gongkai.cases import stats
    from gongkai.reports import tables

    case = make_case(world.agency, world.registrar, channel="letter", confirmed_on=None)
    workflow.withdraw(case, by=world.registrar, on=D("2024-03-05"), reason="申请人电话撤回")
    rows = stats.requests_section(world.agency, 2024, tables.TEMPLATE_2021)
    assert rows["new"]["total"] == rows["total"]["total"] == 0


def test_tracking_numbers_continue_after_numbers_given_before_counters(world):
    first = make_case(world.agency, world.registrar)
    from gongkai.cases.models import TrackingCounter

    TrackingCounter.objects.all().delete()  # as after the upgrade that added counters
    second = make_case(world.agency, world.registrar)
    assert first.tracking_number.endswith("-00001") and second.tracking_number.endswith("-00002")


def test_business_types_are_configurable(world):
    from gongkai.cases.models import BusinessType

    BusinessType.objects.create(code="fire", name="消防", active=False)
    BusinessType.objects.create(code="food", name="食药环", position=5)
    with pytest.raises(WorkflowError, match="业务类别“fire”不存在或已停用"):
        make_case(world.agency, world.registrar, business_type="fire")
    case = make_case(world.agency, world.registrar, business_type="food")
    assert case.business_type_label == "食药环"
    assert ("fire", "消防") not in BusinessType.choices()
    assert ("fire", "消防") in BusinessType.choices(include="fire")
    assert BusinessType.names()["fire"] == "消防"


def test_the_leader_can_send_a_draft_back_and_the_reviews_start_again(world):
    case = run_to(make_case(world.agency, world.registrar), world, "reviewed")
    with pytest.raises(WorkflowError, match="请填写退回意见"):
        workflow.return_for_revision(case, by=world.leader, on=D("2024-03-05"), comments=" ")
    with pytest.raises(WorkflowError, match="权限"):
        workflow.return_for_revision(case, by=world.office, on=D("2024-03-05"), comments="x")
    case = workflow.return_for_revision(
        case, by=world.leader, on=D("2024-03-05"), comments="请补充法律依据"
    )
    assert case.status == Status.ASSIGNED
    assert not case.legal_review_passed and not case.secrecy_review_passed


def test_fee_notice_payment_deadline_and_lapse(world):
    """109号: pay within 20 working days from the day after the notice (national calendar)."""
    case = run_to(make_case(world.agency, world.registrar), world, "assigned")
    for amount in ("abc", "-5", "0", "NaN"):
        with pytest.raises(WorkflowError, match="收费金额"):
            workflow.notify_fee(case, by=world.office, on=D("2024-03-05"), amount=amount, basis="x")
    case = workflow.notify_fee(
        case, by=world.office, on=D("2024-03-05"), amount="200", basis="109号第三条"
    )
    # 6 March (Wed) is day 1; day 20 is Tuesday 2 April
    assert case.fee_amount == 200 and case.fee_due_on == D("2024-04-02")
    with pytest.raises(WorkflowError, match="尚未届满"):
        workflow.lapse_fee(case, by=world.office, on=D("2024-04-02"))
    case = workflow.lapse_fee(case, by=world.office, on=D("2024-04-03"))
    assert (case.status, case.outcome) == (Status.CLOSED, Outcome.OTHER_NO_FEE)


def test_a_paid_fee_cannot_lapse(world):
    case = run_to(make_case(world.agency, world.registrar), world, "assigned")
    case = workflow.notify_fee(case, by=world.office, on=D("2024-03-05"), amount="10", basis="x")
    with pytest.raises(WorkflowError, match="不能早于收费通知日期"):
        workflow.record_fee(case, by=world.registrar, on=D("2024-03-04"))
    case = workflow.record_fee(case, by=world.registrar, on=D("2024-03-06"))
    with pytest.raises(WorkflowError, match="未缴费的申请"):
        workflow.lapse_fee(case, by=world.office, on=D("2024-05-06"))
    with pytest.raises(WorkflowError, match="逾期未缴费"):
        workflow.draft_decision(
            case, by=world.handler, outcome="other.no_fee", legal_basis="x", on=D("2024-03-07")
        )


def test_register_refuses_bad_fields_in_chinese_and_saves_nothing(world):
    with pytest.raises(WorkflowError, match="登记信息有误：申请人类型"):
        make_case(world.agency, world.registrar, applicant_type="alien")
    with pytest.raises(WorkflowError, match="确认日期.*不能早于提交日期"):
        make_case(world.agency, world.registrar, confirmed_on=D("2024-02-01"))
    assert not Case.objects.exists()
    assert not CaseEvent.objects.exists()


def test_register_needs_a_clerk_of_that_agency(world):
    with pytest.raises(WorkflowError, match="没有“登记”的权限"):
        make_case(world.agency, world.handler)
    with pytest.raises(WorkflowError, match="权限"):
        make_case(make_agency(), world.registrar)


# ---- 补正 ------------------------------------------------------------------------------


MARCH_5, MARCH_20 = D("2024-03-05"), D("2024-03-20")


def _correction(case, w, on=MARCH_5, due=MARCH_20):
    return workflow.request_correction(
        case, by=w.registrar, on=on, items="请写明所需信息的名称", correction_due_on=due
    )


def test_a_correction_restarts_the_reply_period(world):
    """Art. 30: the period runs again from the day the corrected request arrives."""
    case = _correction(make_case(world.agency, world.registrar), world)
    assert case.status == Status.CORRECTION_REQUESTED
    case = workflow.record_correction(case, by=world.registrar, on=D("2024-03-11"))
    assert case.status == Status.REGISTERED
    # 20 working days after Monday 2024-03-11 (Qingming 4–5 Apr off, Sunday 7 Apr worked).
    assert case.due_on == D("2024-04-09")
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == ["register", "request_correction", "record_correction"]


def test_a_correction_can_be_requested_only_once(world):
    case = _correction(make_case(world.agency, world.registrar), world)
    case = workflow.record_correction(case, by=world.registrar, on=D("2024-03-11"))
    with pytest.raises(WorkflowError, match="一次性"):
        _correction(case, world, on=D("2024-03-12"), due=D("2024-03-25"))


def test_a_late_correction_notice_is_flagged_in_the_audit_trail(world):
    """Art. 30: within 7 working days of receipt (2024-03-12 is the 7th, 03-13 the 8th)."""
    case = _correction(make_case(world.agency, world.registrar), world, on=D("2024-03-12"))
    assert case.events.get(kind="request_correction").data["late"] is False
    case = _correction(make_case(world.agency, world.registrar), world, on=D("2024-03-13"))
    assert case.events.get(kind="request_correction").data["late"] is True


def test_a_lapse_before_the_correction_deadline_is_refused(world):
    case = _correction(make_case(world.agency, world.registrar), world)
    with pytest.raises(WorkflowError, match="尚未届满"):
        workflow.lapse_correction(case, by=world.office, on=D("2024-03-20"))
    case = workflow.lapse_correction(case, by=world.office, on=D("2024-03-21"))
    assert (case.status, case.outcome, case.closed_on) == (
        Status.CLOSED,
        Outcome.OTHER_NO_CORRECTION,
        D("2024-03-21"),
    )


def test_correction_steps_refuse_the_wrong_state_and_role(world):
    case = make_case(world.agency, world.registrar)
    with pytest.raises(WorkflowError, match="当前状态为“已登记”，不能进行“收到补正”"):
        workflow.record_correction(case, by=world.registrar, on=D("2024-03-05"))
    with pytest.raises(WorkflowError, match="没有“告知补正”的权限"):
        workflow.request_correction(
            case, by=world.handler, on=D("2024-03-05"), items="x", correction_due_on=D("2024-03-20")
        )


# ---- assign, consult, draft, review -------------------------------------------------------


def test_assign_and_reassign_move_the_case_between_departments(world):
    case = workflow.assign(
        make_case(world.agency, world.registrar),
        by=world.office,
        department=world.dept,
        on=D("2024-03-04"),
    )
    assert (case.status, case.department) == (Status.ASSIGNED, world.dept)
    with pytest.raises(WorkflowError, match="无需改派"):
        workflow.reassign(case, by=world.office, department=world.dept, on=D("2024-03-05"))
    case = workflow.reassign(case, by=world.office, department=world.other_dept, on=D("2024-03-05"))
    assert case.department == world.other_dept
    assert case.events.get(kind="reassign").data["previous"] == world.dept.pk


def test_assign_refuses_another_agencys_department_and_a_registrar(world):
    case = make_case(world.agency, world.registrar)
    foreign = make_department(make_agency())
    with pytest.raises(WorkflowError, match="不是本机关的部门"):
        workflow.assign(case, by=world.office, department=foreign, on=D("2024-03-04"))
    with pytest.raises(WorkflowError, match="没有“分办”的权限"):
        workflow.assign(case, by=world.registrar, department=world.dept, on=D("2024-03-04"))


def test_consultation_time_is_not_counted(world):
    """Art. 33 第三款: sent Mon 03-11, answered Fri 03-15: 4 working days paused."""
    case = run_to(make_case(world.agency, world.registrar), world, "assigned")
    case = workflow.consult(
        case, by=world.handler, party="third_party", addressee="某公司", on=D("2024-03-11")
    )
    row = Consultation.objects.get(case=case)
    # pending, no answer yet: the clock assumes the full 15-day answer period
    assert case.due_on > D("2024-03-29")
    case = workflow.record_consultation_answer(
        row, by=world.handler, on=D("2024-03-15"), answer="不同意"
    )
    assert case.due_on == D("2024-04-07")  # 03-29 + 4 working days (4–6 Apr off, 7 Apr worked)
    with pytest.raises(WorkflowError, match="已于 2024-03-15 记录答复"):
        workflow.record_consultation_answer(row, by=world.handler, on=D("2024-03-18"))


def test_a_department_cannot_draft_another_departments_case(world):
    case = run_to(make_case(world.agency, world.registrar), world, "assigned")
    with pytest.raises(WorkflowError, match="没有“拟办”的权限"):
        workflow.draft_decision(
            case, by=world.other_handler, outcome="granted", legal_basis="x", on=D("2024-03-05")
        )


def test_draft_decision_takes_exactly_one_report_row(world):
    case = run_to(make_case(world.agency, world.registrar), world, "assigned")
    with pytest.raises(WorkflowError, match="表三"):
        workflow.draft_decision(
            case, by=world.handler, outcome="partly", legal_basis="x", on=D("2024-03-05")
        )
    with pytest.raises(WorkflowError, match="逾期未补正"):
        workflow.draft_decision(
            case,
            by=world.handler,
            outcome="other.no_correction",
            legal_basis="x",
            on=D("2024-03-05"),
        )
    with pytest.raises(WorkflowError, match="法律依据"):
        workflow.draft_decision(
            case, by=world.handler, outcome="partial", legal_basis=" ", on=D("2024-03-05")
        )
    case = workflow.draft_decision(
        case,
        by=world.handler,
        outcome="partial",
        legal_basis="条例第三十七条",
        reasons="含第三方个人信息",
        on=D("2024-03-05"),
    )
    assert (case.status, case.outcome) == (Status.DRAFTED, Outcome.PARTIAL)


def test_review_needs_both_passes_and_a_return_goes_back_to_the_department(world):
    case = run_to(make_case(world.agency, world.registrar), world, "drafted")
    with pytest.raises(WorkflowError, match="没有“审查”的权限"):
        workflow.review(
            case, by=world.secrecy_reviewer, kind="legal", passed=True, on=D("2024-03-05")
        )
    case = workflow.review(
        case, by=world.legal_reviewer, kind="legal", passed=True, on=D("2024-03-05")
    )
    assert case.status == Status.DRAFTED
    with pytest.raises(WorkflowError, match="无需重复审查"):
        workflow.review(
            case, by=world.legal_reviewer, kind="legal", passed=True, on=D("2024-03-05")
        )
    with pytest.raises(WorkflowError, match="退回意见"):
        workflow.review(
            case, by=world.secrecy_reviewer, kind="secrecy", passed=False, on=D("2024-03-05")
        )
    case = workflow.review(
        case,
        by=world.secrecy_reviewer,
        kind="secrecy",
        passed=False,
        comments="涉及个人信息",
        on=D("2024-03-05"),
    )
    assert (case.status, case.legal_review_passed) == (Status.ASSIGNED, False)


# ---- extension and approval --------------------------------------------------------------


def test_the_office_head_extends_once_before_the_original_due_date(world):
    """Art. 33: +20 working days, approved by the 工作机构负责人 before 2024-03-29."""
    case = run_to(make_case(world.agency, world.registrar), world, "assigned")
    with pytest.raises(WorkflowError, match="没有“批准延期”的权限"):
        workflow.approve_extension(case, by=world.leader, on=D("2024-03-28"), reason="需调取档案")
    case = workflow.approve_extension(
        case,
        by=world.office_head,
        on=D("2024-03-29"),
        reason="需调取档案",
        notified_on=D("2024-03-29"),
    )
    # 20 more working days: 4–6 Apr and 1–5 May off, Sundays 7 and 28 Apr worked.
    assert (case.original_due_on, case.due_on) == (D("2024-03-29"), D("2024-04-28"))
    with pytest.raises(WorkflowError, match="只能延长一次"):
        workflow.approve_extension(case, by=world.office_head, on=D("2024-04-01"), reason="再延")


def test_an_extension_after_the_original_due_date_is_refused(world):
    case = run_to(make_case(world.agency, world.registrar), world, "assigned")
    with pytest.raises(WorkflowError, match="已过，不能再延期"):
        workflow.approve_extension(case, by=world.office_head, on=D("2024-04-01"), reason="迟了")
    assert Case.objects.get(pk=case.pk).extended_on is None
    assert not case.events.filter(kind="approve_extension").exists()


def test_a_denial_needs_the_leader_and_a_clerk_never_approves(world):
    case = run_to(
        make_case(world.agency, world.registrar), world, "reviewed", outcome="denied.third_party"
    )
    for clerk in (world.office, world.registrar, world.office_head):
        with pytest.raises(WorkflowError, match="权限"):
            workflow.approve(case, by=clerk, on=D("2024-03-06"))
    case = workflow.approve(case, by=world.leader, on=D("2024-03-06"))
    assert case.status == Status.APPROVED


def test_the_office_head_approves_a_disclosure(world):
    case = run_to(make_case(world.agency, world.registrar), world, "reviewed")
    with pytest.raises(WorkflowError, match="没有“审批”的权限"):
        workflow.approve(case, by=world.office, on=D("2024-03-06"))
    assert (
        workflow.approve(case, by=world.office_head, on=D("2024-03-06")).status == Status.APPROVED
    )


# ---- reply and after ----------------------------------------------------------------------


def test_the_full_path_is_audited_step_by_step(world):
    case = run_to(make_case(world.agency, world.registrar), world, "delivered")
    case = workflow.archive(case, by=world.office, on=D("2024-03-08"))
    assert (case.status, case.closed_on, case.archived_on) == (
        Status.ARCHIVED,
        D("2024-03-01"),
        D("2024-03-08"),
    )
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == [
        "register", "assign", "draft_decision", "review", "review",
        "approve", "reply", "deliver", "archive",
    ]  # fmt: skip
    assert case.events.get(kind="reply").data["on_time"] is True
    assert all(e.actor_id for e in case.events.all())


def test_reply_and_delivery_refuse_impossible_dates(world):
    case = run_to(make_case(world.agency, world.registrar), world, "approved", on=D("2024-03-05"))
    with pytest.raises(WorkflowError, match="答复日期（2024-03-04）不能早于审批日期"):
        workflow.reply(case, by=world.office, on=D("2024-03-04"))
    case = workflow.reply(case, by=world.office, on=D("2024-04-02"))
    assert case.events.get(kind="reply").data["on_time"] is False
    with pytest.raises(WorkflowError, match="送达方式"):
        workflow.deliver(case, by=world.office, method="pigeon", on=D("2024-04-02"))
    with pytest.raises(WorkflowError, match="不能早于答复日期"):
        workflow.deliver(case, by=world.office, method="mail", on=D("2024-04-01"))


def test_withdraw_closes_as_other_and_cannot_follow_a_reply(world):
    case = workflow.withdraw(
        make_case(world.agency, world.registrar), by=world.registrar, on=D("2024-03-04")
    )
    assert (case.status, case.outcome, case.closed_on) == (
        Status.CLOSED,
        "other.other",
        D("2024-03-04"),
    )
    assert workflow.archive(case, by=world.office, on=D("2024-03-05")).status == Status.ARCHIVED
    replied = run_to(make_case(world.agency, world.registrar), world, "replied")
    with pytest.raises(WorkflowError, match="当前状态为“已答复”，不能进行“撤回申请”"):
        workflow.withdraw(replied, by=world.registrar, on=D("2024-03-04"))


def test_archive_refuses_an_open_case(world):
    case = make_case(world.agency, world.registrar)
    with pytest.raises(WorkflowError, match="不能进行“归档”"):
        workflow.archive(case, by=world.office, on=D("2024-03-05"))


# ---- concurrency and audit ---------------------------------------------------------------


def test_two_people_acting_on_one_case_cannot_both_win(world):
    """Both hold the same stale copy; the second is refused against the locked row."""
    case = make_case(world.agency, world.registrar)
    first_view = Case.objects.get(pk=case.pk)
    second_view = Case.objects.get(pk=case.pk)
    workflow.assign(first_view, by=world.office, department=world.dept, on=D("2024-03-04"))
    with pytest.raises(WorkflowError, match="当前状态为“承办中”"):
        workflow.assign(
            second_view, by=world.office, department=world.other_dept, on=D("2024-03-04")
        )
    stored = Case.objects.get(pk=case.pk)
    assert stored.department == world.dept
    assert stored.events.filter(kind=EventKind.ASSIGN).count() == 1


def test_audit_events_cannot_be_changed_or_deleted(world):
    event = make_case(world.agency, world.registrar).events.get()
    event.data = {"forged": True}
    with pytest.raises(ValueError, match="只能新增"):
        event.save()
    with pytest.raises(ValueError, match="不能删除"):
        event.delete()
