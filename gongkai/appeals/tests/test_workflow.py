import datetime as dt

import pytest

from gongkai.appeals import counting, matters, workflow
from gongkai.appeals.models import Appeal
from gongkai.cases import stats
from gongkai.cases import workflow as case_workflow
from gongkai.cases.models import CaseEvent, Status
from gongkai.cases.tests.factories import make_case, run_to
from gongkai.reports import checks

D = dt.date.fromisoformat
pytestmark = pytest.mark.django_db
TODAY = D("2024-12-20")


@pytest.fixture
def replied(world):
    case = make_case(world.agency, world.registrar, submitted_on=D("2024-03-01"))
    return run_to(case, world, "delivered", outcome="denied.state_secret", on=D("2024-03-11"))


def _reconsideration(world, case, **kw):
    fields = {
        "kind": "reconsideration",
        "body": "示范市人民政府",
        "applicant": "张三",
        "filed_on": D("2024-04-01"),
        "papers_received_on": D("2024-04-08"),
    }
    fields.update(kw)
    return workflow.record(case, by=world.legal_reviewer, on=TODAY, **fields)


def _snapshot(case):
    return (Appeal.objects.count(), CaseEvent.objects.filter(case=case).count())


def test_record_writes_the_appeal_and_an_event_on_the_case(world, replied):
    appeal = _reconsideration(world, replied)
    event = CaseEvent.objects.filter(case=replied).latest("id")
    assert (event.kind, event.actor, event.data["appeal"]) == (
        "appeal_record",
        world.legal_reviewer,
        appeal.pk,
    )
    assert event.data["filed_on"] == "2024-04-01"
    # the answer is due 10 working days after 8 Apr 2024 (清明 4–6 Apr is before it)
    [matter] = matters.open_matters_for(world.legal_reviewer, D("2024-04-10"))
    assert (matter.appeal, matter.due.on) == (appeal, D("2024-04-22"))
    assert matter.due.basis == "行政复议法第四十八条"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"filed_on": D("2024-03-01")}, "申请/起诉日期（2024-03-01）不能早于原答复日期"),
        ({"filed_on": D("2025-01-05")}, "晚于今天"),
        ({"papers_received_on": D("2024-03-30")}, "收到通知书日期（2024-03-30）不能早于"),
        ({"filed_on": D("1999-01-01")}, "早于2008年5月1日"),
        ({"body": "  "}, "请填写复议机关或法院名称"),
        ({"instance": "first"}, "行政复议没有审级"),
        (
            {"kind": "litigation", "instance": "first", "after_reconsideration": True},
            "复议后起诉须",
        ),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(world, replied, fields, message):
    before = _snapshot(replied)
    with pytest.raises(workflow.AppealError, match=message):
        _reconsideration(world, replied, **fields)
    assert _snapshot(replied) == before


def test_a_suit_after_reconsideration_must_name_this_case_reconsideration(world, replied):
    other = run_to(
        make_case(world.agency, world.registrar, submitted_on=D("2024-03-04")),
        world,
        "replied",
        on=D("2024-03-12"),
    )
    foreign = _reconsideration(world, other)
    before = _snapshot(replied)
    with pytest.raises(workflow.AppealError, match="不是本申请的行政复议"):
        workflow.record(
            replied,
            by=world.legal_reviewer,
            on=TODAY,
            kind="litigation",
            instance="first",
            after_reconsideration=True,
            prior=foreign,
            body="示范市城关区人民法院",
            filed_on=D("2024-06-01"),
        )
    assert _snapshot(replied) == before


def test_a_case_not_yet_replied_cannot_be_appealed(world):
    case = make_case(world.agency, world.registrar, submitted_on=D("2024-03-01"))
    with pytest.raises(workflow.AppealError, match="尚未答复"):
        _reconsideration(world, case)
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("role", ["handler", "office", "registrar", "office_head", "leader"])
def test_only_the_legal_office_and_admin_record(world, replied, role):
    with pytest.raises(workflow.AppealError, match="权限"):
        workflow.record(
            replied,
            by=getattr(world, role),
            on=TODAY,
            kind="reconsideration",
            body="示范市人民政府",
            filed_on=D("2024-04-01"),
        )
    assert not Appeal.objects.exists()
    workflow.record(
        replied,
        by=world.admin,
        on=TODAY,
        kind="reconsideration",
        body="市政府",
        filed_on=D("2024-04-01"),
    )


def test_a_decision_before_filing_or_in_the_future_is_refused(world, replied):
    appeal = _reconsideration(world, replied)
    before = _snapshot(replied)
    for decided_on, message in (
        (D("2024-03-20"), "不能早于申请/起诉日期"),
        (D("2025-02-01"), "晚于今天"),
    ):
        with pytest.raises(workflow.AppealError, match=message):
            workflow.decide(
                appeal, by=world.legal_reviewer, on=TODAY, decision="uphold", decided_on=decided_on
            )
    appeal.refresh_from_db()
    assert (appeal.result, appeal.decided_on, _snapshot(replied)) == ("pending", None, before)


def test_a_corrected_reply_reopens_the_case_and_goes_out_again(world, replied):
    appeal = _reconsideration(world, replied)
    workflow.submit_answer(appeal, by=world.legal_reviewer, on=TODAY, answered_on=D("2024-04-15"))
    before = stats.annual_tables(world.agency, 2024)
    workflow.decide(
        appeal,
        by=world.legal_reviewer,
        on=D("2024-06-03"),
        decision="order_redo",
        decided_on=D("2024-05-30"),
        new_reply_due_on=D("2024-06-28"),
    )
    case = type(replied).objects.get(pk=replied.pk)
    assert (case.status, case.due_on, case.closed_on) == (
        "assigned",
        D("2024-06-28"),
        D("2024-03-11"),
    )
    reopen = CaseEvent.objects.filter(case=case, kind="reopen").get()
    assert reopen.data["previous_outcome"] == "denied.state_secret"
    assert reopen.data["previous_replied_on"] == "2024-03-11"
    # the handler drafts again; review, approval, reply and delivery as usual
    case = case_workflow.draft_decision(
        case,
        by=world.handler,
        outcome="granted",
        legal_basis="条例第三十六条第（二）项",
        on=D("2024-06-10"),
    )
    case = case_workflow.review(
        case, by=world.legal_reviewer, kind="legal", passed=True, on=D("2024-06-11")
    )
    case = case_workflow.review(
        case, by=world.secrecy_reviewer, kind="secrecy", passed=True, on=D("2024-06-11")
    )
    case = case_workflow.approve(case, by=world.leader, on=D("2024-06-12"))
    case = case_workflow.reply(case, by=world.office, on=D("2024-06-13"))
    assert (case.status, case.replied_on, case.closed_on) == (
        Status.REPLIED,
        D("2024-06-13"),
        D("2024-03-11"),
    )
    after = stats.annual_tables(world.agency, 2024)
    assert before["appeals"]["reconsideration"]["pending"] == 1
    assert after["appeals"]["reconsideration"] == {
        "upheld": 0, "corrected": 1, "other": 0, "pending": 0, "total": 1,
    }  # fmt: skip
    # table 三 counts the request once: concluded in 2024, now with the new outcome
    assert after["requests"]["total"]["total"] == before["requests"]["total"]["total"] == 1
    assert after["requests"]["granted"]["total"] == 1
    assert [f for f in checks.check(after) if f["severity"] == "error"] == []


def test_a_new_reply_only_for_a_decision_that_orders_one(world, replied):
    appeal = _reconsideration(world, replied)
    with pytest.raises(workflow.AppealError, match="才会要求重新答复"):
        workflow.decide(
            appeal, by=world.legal_reviewer, on=TODAY, decision="uphold",
            decided_on=D("2024-05-30"), new_reply_due_on=D("2024-06-28"),
        )  # fmt: skip
    assert Appeal.objects.get().result == "pending"
    assert type(replied).objects.get(pk=replied.pk).status == "delivered"


def test_the_column_mapping_is_stated_once(world):
    assert {d: counting.column_of(d) for d in counting.COLUMN} == counting.COLUMN
    assert set(counting.COLUMN.values()) == {"upheld", "corrected", "other"}
    assert counting.ORDERS_NEW_REPLY <= {d for d, r in counting.COLUMN.items() if r == "corrected"}
