"""督办: who may, what it writes, who is told."""

import pytest
from django.core import mail

from gongkai.agencies.models import Role
from gongkai.agencies.tests.factories import make_agency, make_user
from gongkai.cases import workflow
from gongkai.cases.models import CaseEvent, EventKind
from gongkai.cases.tests.factories import make_case
from gongkai.supervision.models import Notice, NoticeKind
from gongkai.supervision.tests.conftest import D
from gongkai.supervision.workflow import SupervisionError, supervise

pytestmark = pytest.mark.django_db
ON = D("2024-03-20")


@pytest.fixture
def assigned(world):
    case = make_case(world.agency, world.registrar, submitted_on=D("2024-03-01"))
    return workflow.assign(case, by=world.office, department=world.dept, on=D("2024-03-01"))


@pytest.fixture
def loose(world):
    return make_case(world.agency, world.registrar, submitted_on=D("2024-03-01"))


def _recipients(case):
    return sorted(Notice.objects.filter(case=case).values_list("recipient__username", flat=True))


def test_supervise_writes_event_and_notifies_the_department_handlers(world, assigned):
    event = supervise(assigned, by=world.office, on=ON, note=" 请本周内拟办 ")
    assert event.kind == EventKind.SUPERVISE == "supervise"
    assert event.actor == world.office
    assert event.data["note"] == "请本周内拟办"
    assert event.data["on"] == "2024-03-20"
    assert event.data["recipients"] == ["handler", "handler2"]
    assert _recipients(assigned) == ["handler", "handler2"]
    notice = Notice.objects.get(case=assigned, recipient=world.handler)
    assert notice.kind == NoticeKind.SUPERVISE and notice.sender == world.office
    assert notice.created_on == ON and notice.due_on == assigned.due_on
    assert "督办意见：请本周内拟办" in notice.message


def test_unassigned_case_notifies_the_office(world, loose):
    supervise(loose, by=world.office_head, on=ON, note="请尽快分办")
    assert _recipients(loose) == ["office"]


def test_the_actor_is_not_notified(world, loose):
    event = supervise(loose, by=world.office, on=ON, note="请尽快分办")
    assert event.data["recipients"] == []
    assert not Notice.objects.exists()


@pytest.mark.parametrize("role", [r for r in Role.values if r not in ("office", "office_head")])
def test_other_roles_may_not_supervise(world, assigned, role):
    with pytest.raises(SupervisionError, match="没有“督办”的权限"):
        supervise(assigned, by=getattr(world, role), on=ON, note="催办")
    assert not CaseEvent.objects.filter(kind=EventKind.SUPERVISE).exists()
    assert not Notice.objects.exists()


def test_office_of_another_agency_may_not_supervise(world, assigned):
    stranger = make_user(make_agency(), Role.OFFICE)
    with pytest.raises(SupervisionError):
        supervise(assigned, by=stranger, on=ON, note="催办")


def test_concluded_case_cannot_be_supervised(world, assigned):
    workflow.withdraw(assigned, by=world.office, on=D("2024-03-05"))
    with pytest.raises(SupervisionError, match="已办结的申请无需督办"):
        supervise(assigned, by=world.office, on=ON, note="催办")


@pytest.mark.parametrize(
    ("note", "on", "message"),
    [
        ("  ", ON, "请填写督办意见"),
        ("催" * 1001, ON, "不能超过1000字"),
        ("催办", D("2024-02-01"), "不能早于收到申请日期"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(world, assigned, note, on, message):
    with pytest.raises(SupervisionError, match=message):
        supervise(assigned, by=world.office, on=on, note=note)
    assert not CaseEvent.objects.filter(kind=EventKind.SUPERVISE).exists()
    assert not Notice.objects.exists()


def test_second_supervision_the_same_day_is_appended_and_unread_again(world, assigned):
    supervise(assigned, by=world.office, on=ON, note="第一次")
    Notice.objects.update(read_at="2024-03-20T10:00:00+08:00")
    supervise(assigned, by=world.office_head, on=ON, note="第二次")
    notice = Notice.objects.get(case=assigned, recipient=world.handler)
    assert "第一次" in notice.message and "第二次" in notice.message
    assert notice.read_at is None and notice.sender == world.office_head
    assert Notice.objects.count() == 2
    assert CaseEvent.objects.filter(kind=EventKind.SUPERVISE).count() == 2


def test_supervision_is_emailed_after_commit(world, assigned, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        supervise(assigned, by=world.office, on=ON, note="请本周内拟办")
    assert [m.to for m in mail.outbox] == [["handler@example.cn"]]
    assert assigned.tracking_number in mail.outbox[0].body
    assert Notice.objects.get(recipient=world.handler).emailed_at is not None
    assert Notice.objects.get(recipient=world.handler_no_mail).emailed_at is None
