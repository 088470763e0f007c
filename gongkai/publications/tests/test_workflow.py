import datetime as dt

import pytest

from gongkai.agencies.models import Role
from gongkai.agencies.tests.factories import make_user
from gongkai.publications import workflow
from gongkai.publications.models import (
    ChannelPublication,
    DisclosureAttribute,
    DisclosureMode,
    EventKind,
    Gate,
    Genre,
    Item,
    ItemEvent,
    ItemRevision,
    PublicationChannel,
    PublicationSettings,
    ReviewCheck,
    Status,
)
from gongkai.publications.tests.factories import NOW, at, make_item, run_to

pytestmark = pytest.mark.django_db
WorkflowError = workflow.WorkflowError
ALL_PASS = {g: (True, "") for g in Gate.values}


def kinds(item):
    return list(ItemEvent.objects.filter(item=item).values_list("kind", flat=True))


# ---- create / edit -------------------------------------------------------------------


def test_create_numbers_items_per_agency_and_year(world):
    a = make_item(world.agency, world.info_officer)
    b = make_item(world.agency, world.office, written_on=dt.date(2026, 1, 5))
    c = make_item(world.agency, world.office, written_on=dt.date(2025, 12, 30))
    assert a.index_number == f"{world.agency.code}/2026-00001"
    assert b.index_number == f"{world.agency.code}/2026-00002"
    assert c.index_number == f"{world.agency.code}/2025-00001"
    assert a.status == Status.DRAFT
    assert a.issuer == world.agency.name
    assert a.disclosure_mode == DisclosureMode.PROACTIVE
    assert kinds(a) == [EventKind.CREATE]


def test_index_prefix_is_configurable(world):
    PublicationSettings.objects.create(agency=world.agency, index_prefix="001008004003008")
    item = make_item(world.agency, world.info_officer, written_on=dt.date(2022, 1, 15))
    assert item.index_number == "001008004003008/2022-00001"


def test_index_number_does_not_change_when_written_on_does(world):
    item = make_item(world.agency, world.info_officer)
    item = workflow.edit(item, by=world.info_officer, now=NOW, written_on=dt.date(2025, 12, 1))
    assert item.index_number.endswith("/2026-00001")


def test_handler_drafts_only_for_own_department(world):
    item = make_item(world.agency, world.handler, department=world.dept)
    assert item.department == world.dept
    with pytest.raises(WorkflowError, match="权限"):
        make_item(world.agency, world.handler, department=world.other_dept)
    with pytest.raises(WorkflowError, match="权限"):
        make_item(world.agency, world.handler)  # no department
    with pytest.raises(WorkflowError, match="权限"):
        workflow.edit(item, by=world.other_handler, now=NOW, title="改")
    workflow.edit(item, by=world.handler, now=NOW, title="关于调整户籍业务办理时间的通知")


@pytest.mark.parametrize(
    "role",
    [Role.REGISTRAR, Role.LEGAL_REVIEWER, Role.SECRECY_REVIEWER, Role.LEADER, Role.OFFICE_HEAD],
)
def test_other_roles_may_not_draft(world, role):
    with pytest.raises(WorkflowError, match="拟稿"):
        make_item(world.agency, getattr(world, role))
    assert not Item.objects.exists()


def test_other_agency_may_not_draft(world):
    with pytest.raises(WorkflowError, match="权限"):
        make_item(world.agency, world.outsider)


def test_create_refuses_bad_input_in_chinese(world):
    with pytest.raises(WorkflowError, match="标题"):
        make_item(world.agency, world.info_officer, title="   ")
    with pytest.raises(WorkflowError, match="体裁分类"):
        make_item(world.agency, world.info_officer, genre="poem")
    with pytest.raises(WorkflowError, match="成文日期"):
        make_item(world.agency, world.info_officer, written_on="2026-13-01")
    with pytest.raises(WorkflowError, match="不予公开的理由"):
        make_item(
            world.agency, world.info_officer, disclosure_attribute=DisclosureAttribute.NOT_DISCLOSED
        )
    assert not Item.objects.exists()


def test_not_disclosed_item_is_kept_but_never_submitted(world):
    item = make_item(
        world.agency,
        world.info_officer,
        disclosure_attribute=DisclosureAttribute.NOT_DISCLOSED,
        attribute_reason="涉及国家秘密（条例第十四条）",
    )
    assert item.publication_due_on is None
    assert item.disclosure_mode == DisclosureMode.ON_REQUEST
    with pytest.raises(WorkflowError, match="不进入主动公开发布流程"):
        workflow.submit(item, by=world.info_officer, now=NOW)


def test_edit_only_in_draft(world):
    item = run_to(make_item(world.agency, world.info_officer), world, "submitted")
    with pytest.raises(WorkflowError, match="待初审"):
        workflow.edit(item, by=world.info_officer, now=NOW, title="新标题")


def test_empty_draft_may_not_be_submitted(world):
    item = make_item(world.agency, world.info_officer, body="<script>alert(1)</script>")
    with pytest.raises(WorkflowError, match="正文为空"):
        workflow.submit(item, by=world.info_officer, now=NOW)


# ---- review --------------------------------------------------------------------------


def test_full_path_to_publication(world):
    item = make_item(world.agency, world.info_officer)
    item = run_to(item, world, "published")
    assert item.status == Status.PUBLISHED
    assert item.published_at == NOW
    assert Item.objects.public(NOW).filter(pk=item.pk).exists()
    assert kinds(item) == [
        EventKind.CREATE,
        EventKind.SUBMIT,
        EventKind.FIRST_REVIEW,
        *[EventKind.SECRECY_CHECK] * 5,
        EventKind.SECRECY_REVIEW,
        EventKind.APPROVE,
        EventKind.PUBLISH,
    ]
    assert ReviewCheck.objects.filter(item=item, round=1, passed=True).count() == 5
    publish = ItemEvent.objects.get(item=item, kind=EventKind.PUBLISH)
    assert publish.data["on_time"] is True
    assert publish.actor == world.office


def test_first_review_return_needs_comment_and_goes_back_to_draft(world):
    item = run_to(make_item(world.agency, world.info_officer), world, "submitted")
    with pytest.raises(WorkflowError, match="退回意见"):
        workflow.first_review(item, by=world.office, now=NOW, passed=False)
    item = workflow.first_review(item, by=world.office, now=NOW, passed=False, comment="文号有误")
    assert item.status == Status.DRAFT
    event = ItemEvent.objects.filter(item=item).last()
    assert event.data == {
        "at": NOW.isoformat(),
        "passed": False,
        "comment": "文号有误",
        "status": "draft",
    }


@pytest.mark.parametrize("role", [Role.INFO_OFFICER, Role.SECRECY_REVIEWER, Role.LEADER])
def test_first_review_only_office(world, role):
    item = run_to(make_item(world.agency, world.info_officer), world, "submitted")
    with pytest.raises(WorkflowError, match="初审"):
        workflow.first_review(item, by=getattr(world, role), now=NOW, passed=True)
    item.refresh_from_db()
    assert item.status == Status.SUBMITTED


def test_secrecy_checks_one_by_one(world):
    item = run_to(make_item(world.agency, world.info_officer), world, "secrecy_review")
    for gate in Gate.values[:-1]:
        item = workflow.record_check(
            item, by=world.secrecy_reviewer, now=NOW, gate=gate, passed=True
        )
        assert item.status == Status.SECRECY_REVIEW
    with pytest.raises(WorkflowError, match="重复"):
        workflow.record_check(
            item, by=world.secrecy_reviewer, now=NOW, gate=Gate.POLITICAL, passed=True
        )
    item = workflow.record_check(
        item, by=world.secrecy_reviewer, now=NOW, gate=Gate.WORDING, passed=True
    )
    assert item.status == Status.APPROVAL
    rows = ReviewCheck.objects.filter(item=item).order_by("id")
    assert [r.gate for r in rows] == list(Gate.values)
    assert all(r.by == world.secrecy_reviewer and r.at for r in rows)


def test_failed_gate_returns_item_with_comments_and_new_round(world):
    item = run_to(make_item(world.agency, world.info_officer), world, "secrecy_review")
    with pytest.raises(WorkflowError, match="保密关不通过时"):
        workflow.record_check(
            item, by=world.secrecy_reviewer, now=NOW, gate=Gate.SECRECY, passed=False
        )
    item = workflow.record_check(
        item,
        by=world.secrecy_reviewer,
        now=NOW,
        gate=Gate.SECRECY,
        passed=False,
        comment="第三段涉及警力部署，应删除",
    )
    assert item.status == Status.DRAFT
    last = ItemEvent.objects.filter(item=item).last()
    assert last.kind == EventKind.SECRECY_REVIEW
    assert last.data["comment"] == "保密关：第三段涉及警力部署，应删除"
    # resubmitted: a new round, all five gates again
    item = workflow.edit(item, by=world.info_officer, now=NOW, body="<p>修改后的正文。</p>")
    item = run_to(item, world, "approval")
    assert item.review_round == 2
    assert ReviewCheck.objects.filter(item=item, round=2, passed=True).count() == 5
    assert ReviewCheck.objects.filter(item=item, round=1).count() == 1


def test_secrecy_review_all_at_once_any_failure_returns(world):
    item = run_to(make_item(world.agency, world.info_officer), world, "secrecy_review")
    results = dict(ALL_PASS, wording=(False, "错别字：“燃方”应为“燃放”"))
    item = workflow.secrecy_review(item, by=world.secrecy_reviewer, now=NOW, results=results)
    assert item.status == Status.DRAFT
    assert ReviewCheck.objects.filter(item=item).count() == 5


def test_secrecy_review_needs_all_five_decided(world):
    item = run_to(make_item(world.agency, world.info_officer), world, "secrecy_review")
    results = {g: (True, "") for g in Gate.values[:3]}
    with pytest.raises(WorkflowError, match="保密关、文字关"):
        workflow.secrecy_review(item, by=world.secrecy_reviewer, now=NOW, results=results)
    assert not ReviewCheck.objects.exists()  # atomic: nothing half-written


@pytest.mark.parametrize("role", [Role.OFFICE, Role.LEGAL_REVIEWER, Role.LEADER])
def test_secrecy_review_only_secrecy_reviewer(world, role):
    item = run_to(make_item(world.agency, world.info_officer), world, "secrecy_review")
    with pytest.raises(WorkflowError, match="保密审查"):
        workflow.secrecy_review(item, by=getattr(world, role), now=NOW, results=ALL_PASS)
    assert not ReviewCheck.objects.exists()


def test_approval_by_leader_or_office_head(world):
    a = run_to(make_item(world.agency, world.info_officer), world, "approval")
    b = run_to(make_item(world.agency, world.info_officer), world, "approval")
    assert workflow.approve(a, by=world.leader, now=NOW).status == Status.APPROVED
    assert workflow.approve(b, by=world.office_head, now=NOW).status == Status.APPROVED
    c = run_to(make_item(world.agency, world.info_officer), world, "approval")
    with pytest.raises(WorkflowError, match="领导审批"):
        workflow.approve(c, by=world.office, now=NOW)
    with pytest.raises(WorkflowError, match="退回意见"):
        workflow.approve(c, by=world.leader, now=NOW, approved=False)
    c = workflow.approve(c, by=world.leader, now=NOW, approved=False, comment="请补充政策依据")
    assert c.status == Status.DRAFT


def test_publish_only_after_approval_and_only_office(world):
    item = run_to(make_item(world.agency, world.info_officer), world, "approval")
    with pytest.raises(WorkflowError, match="待领导审批"):
        workflow.publish(item, by=world.office, now=NOW)
    item = workflow.approve(item, by=world.leader, now=NOW)
    with pytest.raises(WorkflowError, match="发布"):
        workflow.publish(item, by=world.leader, now=NOW)
    with pytest.raises(WorkflowError, match="成文日期"):
        workflow.publish(item, by=world.office, now=NOW, at=at("2026-01-01"))


def test_scheduled_publication_is_hidden_until_its_time(world):
    item = make_item(world.agency, world.info_officer)
    later = at("2026-02-12 08:00")
    item = run_to(item, world, "published", at_time=later)
    assert item.status == Status.PUBLISHED
    assert item.is_scheduled(NOW) and not item.is_public(NOW)
    assert not Item.objects.public(NOW).exists()
    assert Item.objects.scheduled(NOW).count() == 1
    assert Item.objects.public(later).get() == item
    assert item.status_label(NOW) == "定时发布"
    assert ItemEvent.objects.get(item=item, kind=EventKind.PUBLISH).data["scheduled"] is True


def test_publish_needs_aware_time(world):
    item = run_to(make_item(world.agency, world.info_officer), world, "approved")
    with pytest.raises(WorkflowError, match="时区"):
        workflow.publish(item, by=world.office, now=NOW, at=dt.datetime(2026, 2, 11, 9))


# ---- 三同步: interpretations -----------------------------------------------------------


def test_interpretation_published_with_its_document(world):
    policy = run_to(make_item(world.agency, world.info_officer), world, "approved")
    reading = make_item(
        world.agency,
        world.info_officer,
        title="《关于2026年春节期间烟花爆竹燃放管理的通告》政策解读",
        genre=Genre.INTERPRETATION,
        interprets=policy,
    )
    reading = run_to(reading, world, "approved")
    with pytest.raises(WorkflowError, match="尚未发布"):
        workflow.publish(reading, by=world.office, now=NOW)
    workflow.publish(policy, by=world.office, now=NOW)
    reading.refresh_from_db()
    assert reading.status == Status.PUBLISHED and reading.published_at == NOW
    event = ItemEvent.objects.get(item=reading, kind=EventKind.PUBLISH)
    assert event.data["together_with"] == policy.index_number
    assert list(policy.interpretations.all()) == [reading]


def test_late_interpretation_after_document_not_earlier(world):
    policy = run_to(make_item(world.agency, world.info_officer), world, "published")
    reading = make_item(
        world.agency, world.info_officer, genre=Genre.GRAPHIC, interprets=policy, title="图解"
    )
    reading = run_to(reading, world, "approved")
    with pytest.raises(WorkflowError, match="不能早于"):
        workflow.publish(reading, by=world.office, now=NOW, at=at("2026-02-09"))
    reading = workflow.publish(reading, by=world.office, now=NOW)
    assert reading.status == Status.PUBLISHED


def test_interpretation_link_is_checked(world):
    policy = make_item(world.agency, world.info_officer)
    with pytest.raises(WorkflowError, match="体裁分类应为"):
        make_item(world.agency, world.info_officer, interprets=policy)
    reading = make_item(
        world.agency, world.info_officer, genre=Genre.INTERPRETATION, interprets=policy
    )
    with pytest.raises(WorkflowError, match="本身是解读"):
        make_item(world.agency, world.info_officer, genre=Genre.INTERPRETATION, interprets=reading)
    other = make_item(world.outsider.memberships.get().agency, world.outsider)
    with pytest.raises(WorkflowError, match="本机关"):
        make_item(world.agency, world.info_officer, genre=Genre.INTERPRETATION, interprets=other)


# ---- correct / withdraw / channels ---------------------------------------------------


def test_correction_keeps_previous_version(world):
    item = run_to(make_item(world.agency, world.info_officer), world, "published")
    old_title, old_body = item.title, item.body
    later = at("2026-02-11 10:00")
    item = workflow.correct(
        item,
        by=world.office,
        now=later,
        reason="文号录入错误",
        document_number="示公通〔2026〕3号",
        body=old_body.replace("公共安全", "公众安全"),
    )
    assert item.version == 2 and item.revised_at == later
    assert item.document_number == "示公通〔2026〕3号"
    rev = ItemRevision.objects.get(item=item)
    assert (rev.version, rev.title, rev.body, rev.reason) == (
        1,
        old_title,
        old_body,
        "文号录入错误",
    )
    assert rev.metadata["document_number"] == ""
    assert rev.metadata["written_on"] == "2026-02-02"
    assert sorted(rev.changed_fields) == ["body", "document_number"]
    assert rev.by == world.office
    assert Item.objects.public(later).get() == item  # still public


def test_correction_refusals(world):
    item = run_to(make_item(world.agency, world.info_officer), world, "published")
    with pytest.raises(WorkflowError, match="更正理由"):
        workflow.correct(item, by=world.office, now=NOW, reason=" ", title="新标题")
    with pytest.raises(WorkflowError, match="没有需要更正"):
        workflow.correct(item, by=world.office, now=NOW, reason="核对", title=item.title)
    with pytest.raises(WorkflowError, match="一事一审"):
        workflow.correct(
            item, by=world.office, now=NOW, reason="改写", body="<p>完全不同的一段新内容。</p>"
        )
    with pytest.raises(WorkflowError, match="更正"):
        workflow.correct(item, by=world.info_officer, now=NOW, reason="x", title="新标题")
    with pytest.raises(TypeError):
        workflow.correct(item, by=world.office, now=NOW, reason="x", disclosure_attribute="x")
    assert not ItemRevision.objects.exists()


def test_withdrawn_item_not_public_but_history_intact(world):
    item = run_to(make_item(world.agency, world.info_officer), world, "published")
    item = workflow.correct(
        item, by=world.office, now=NOW, reason="错字", title="关于春节期间烟花爆竹燃放管理的通告"
    )
    with pytest.raises(WorkflowError, match="撤回理由"):
        workflow.withdraw(item, by=world.office, now=NOW, reason="")
    later = at("2026-03-01 10:00")
    item = workflow.withdraw(item, by=world.office, now=later, reason="已被新通告替代")
    assert item.status == Status.WITHDRAWN
    assert item.withdrawn_at == later and item.withdrawn_reason == "已被新通告替代"
    assert not Item.objects.public(later).exists()
    assert not item.is_public(later)
    assert Item.objects.filter(pk=item.pk).exists()
    assert kinds(item)[-2:] == [EventKind.CORRECT, EventKind.WITHDRAW]
    assert ReviewCheck.objects.filter(item=item).count() == 5
    assert ItemRevision.objects.filter(item=item).count() == 1
    with pytest.raises(WorkflowError, match="已撤回"):
        workflow.withdraw(item, by=world.office, now=later, reason="再次")
    with pytest.raises(ValueError):
        ItemEvent.objects.filter(item=item).first().delete()


def test_withdrawing_a_document_withdraws_its_interpretations(world):
    policy = run_to(make_item(world.agency, world.info_officer), world, "approved")
    reading = make_item(
        world.agency, world.info_officer, genre=Genre.INTERPRETATION, interprets=policy
    )
    run_to(reading, world, "approved")
    workflow.publish(policy, by=world.office, now=NOW)
    workflow.withdraw(policy, by=world.office, now=NOW, reason="文件废止")
    reading.refresh_from_db()
    assert reading.status == Status.WITHDRAWN
    assert policy.index_number in reading.withdrawn_reason
    with pytest.raises(WorkflowError, match="已撤回"):
        make_item(world.agency, world.info_officer, genre=Genre.INTERPRETATION, interprets=policy)


def test_record_channel(world):
    item = run_to(make_item(world.agency, world.info_officer), world, "published")
    workflow.record_channel(
        item,
        by=world.info_officer,
        now=NOW,
        channel=PublicationChannel.WECHAT,
        published_on=dt.date(2026, 2, 10),
        url="https://mp.weixin.qq.com/s/abc",
    )
    row = ChannelPublication.objects.get()
    assert (row.channel, row.recorded_by) == (PublicationChannel.WECHAT, world.info_officer)
    with pytest.raises(WorkflowError, match="网址无效"):
        workflow.record_channel(
            item,
            by=world.office,
            now=NOW,
            channel="weibo",
            published_on=dt.date(2026, 2, 10),
            url="javascript:alert(1)",
        )
    with pytest.raises(WorkflowError, match="渠道"):
        workflow.record_channel(
            item, by=world.office, now=NOW, channel="fax", published_on=dt.date(2026, 2, 10)
        )
    with pytest.raises(WorkflowError, match="具体渠道"):
        workflow.record_channel(
            item, by=world.office, now=NOW, channel="other", published_on=dt.date(2026, 2, 10)
        )
    with pytest.raises(WorkflowError, match="晚于今天"):
        workflow.record_channel(
            item, by=world.office, now=NOW, channel="weibo", published_on=dt.date(2026, 3, 10)
        )
    with pytest.raises(WorkflowError, match="登记其他渠道发布"):
        workflow.record_channel(
            item, by=world.leader, now=NOW, channel="weibo", published_on=dt.date(2026, 2, 10)
        )
    draft = make_item(world.agency, world.info_officer)
    with pytest.raises(WorkflowError, match="草稿"):
        workflow.record_channel(
            draft, by=world.office, now=NOW, channel="weibo", published_on=dt.date(2026, 2, 10)
        )
    assert ChannelPublication.objects.count() == 1


# ---- Art. 26 -------------------------------------------------------------------------


def test_publication_due_counts_working_days_across_spring_festival(world):
    # 成文 Mon 2026-02-02. Working days: Feb 3–6, 9–13, Sat 14 (调休), then the 春节
    # holiday Feb 15–23, Feb 24–27, Sat 28 (调休), Mar 2–6 → the 20th is Fri 2026-03-06
    # (a plain Mon–Fri count would give 2026-03-02).
    item = make_item(world.agency, world.info_officer, written_on=dt.date(2026, 2, 2))
    assert item.publication_due_on == dt.date(2026, 3, 6)
    assert not item.due_provisional
    assert not item.is_overdue(dt.date(2026, 3, 6))
    assert item.is_overdue(dt.date(2026, 3, 7))
    assert list(Item.objects.overdue(dt.date(2026, 3, 7))) == [item]
    assert not Item.objects.overdue(dt.date(2026, 3, 6)).exists()


def test_due_date_follows_written_on_and_attribute(world):
    item = make_item(world.agency, world.info_officer, written_on=dt.date(2026, 2, 2))
    item = workflow.edit(item, by=world.info_officer, now=NOW, written_on=dt.date(2026, 3, 2))
    assert item.publication_due_on == dt.date(2026, 3, 30)  # Mar 3–6, 9–13, 16–20, 23–27, 30
    item = workflow.edit(
        item, by=world.info_officer, now=NOW, disclosure_attribute=DisclosureAttribute.ON_REQUEST
    )
    assert item.publication_due_on is None
    assert not Item.objects.overdue(dt.date(2026, 12, 31)).exists()


def test_published_late_is_recorded_and_no_longer_overdue(world):
    item = make_item(world.agency, world.info_officer, written_on=dt.date(2026, 1, 5))
    late = at("2026-02-10 10:00")
    item = run_to(item, world, "published", now=late)
    assert ItemEvent.objects.get(item=item, kind=EventKind.PUBLISH).data["on_time"] is False
    assert not item.is_overdue(dt.date(2026, 2, 11))


def test_unloaded_year_is_provisional(world):
    item = make_item(world.agency, world.info_officer, written_on=dt.date(2026, 12, 20))
    assert item.due_provisional  # runs into 2027, whose schedule is not published


def test_local_day_of_agency_moves_due_date(world):
    from gongkai.workdays.models import ExceptionalDay

    ExceptionalDay.objects.create(
        date=dt.date(2026, 3, 3), kind="holiday", year=2026, scope=world.agency.code, name="本地"
    )
    item = make_item(world.agency, world.info_officer, written_on=dt.date(2026, 2, 2))
    assert item.publication_due_on == dt.date(2026, 3, 9)


def test_steps_are_atomic_on_failure(world, monkeypatch):
    item = run_to(make_item(world.agency, world.info_officer), world, "approved")

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(workflow, "_event", boom)
    with pytest.raises(RuntimeError):
        workflow.publish(item, by=world.office, now=NOW)
    item.refresh_from_db()
    assert item.status == Status.APPROVED and item.published_at is None


def test_membership_in_two_roles(world):
    both = make_user(world.agency, Role.OFFICE, Role.SECRECY_REVIEWER)
    item = run_to(make_item(world.agency, world.info_officer), world, "submitted")
    item = workflow.first_review(item, by=both, now=NOW, passed=True)
    item = workflow.secrecy_review(item, by=both, now=NOW, results=ALL_PASS)
    assert item.status == Status.APPROVAL


# ---- 定时发布: reschedule / unschedule -------------------------------------------------

LATER = at("2026-02-12 08:30")
LATEST = at("2026-02-13 10:00")


def scheduled_item(world, **kw):
    return run_to(
        make_item(world.agency, world.info_officer, **kw), world, "published", at_time=LATER
    )


def test_reschedule_moves_a_scheduled_item(world):
    item = scheduled_item(world)
    item = workflow.reschedule(item, by=world.office, now=NOW, at=LATEST, seen_at=LATER)
    item.refresh_from_db()
    assert item.status == Status.PUBLISHED and item.published_at == LATEST
    assert not Item.objects.public(LATER).exists()
    assert Item.objects.public(LATEST).get() == item
    event = ItemEvent.objects.get(item=item, kind=EventKind.RESCHEDULE)
    assert event.actor == world.office
    assert event.data["published_at"].startswith("2026-02-13T10:00")
    assert event.data["previous_at"].startswith("2026-02-12T08:30")
    assert event.data["on_time"] is True  # due 2026-03-06 (Art. 26)


def test_reschedule_refusals_change_nothing(world):
    item = scheduled_item(world)
    events = kinds(item)
    refusals = [
        (dict(by=world.office, now=NOW, at=at("2026-02-10 08:00")), "应晚于现在"),
        (dict(by=world.office, now=NOW, at=NOW), "应晚于现在"),
        (dict(by=world.office, now=NOW, at=LATER), "相同"),
        (dict(by=world.office, now=NOW, at=dt.datetime(2026, 2, 13, 9)), "时区"),
        (dict(by=world.leader, now=NOW, at=LATEST), "权限"),
        (dict(by=world.info_officer, now=NOW, at=LATEST), "权限"),
        (dict(by=world.outsider, now=NOW, at=LATEST), "权限"),
        # a stale page: it showed another time than the one now stored
        (
            dict(by=world.office, now=NOW, at=LATEST, seen_at=LATEST),
            "已被他人改为 2026-02-12 08:30",
        ),
        # the time has come: the item is public, no longer scheduled
        (dict(by=world.office, now=at("2026-02-12 09:00"), at=LATEST), "公众已经可以看到"),
    ]
    for kwargs, message in refusals:
        with pytest.raises(WorkflowError, match=message):
            workflow.reschedule(item, **kwargs)
    item.refresh_from_db()
    assert item.published_at == LATER and kinds(item) == events


def test_only_scheduled_items_can_be_rescheduled_or_unscheduled(world):
    approved = run_to(make_item(world.agency, world.info_officer), world, "approved")
    public = run_to(make_item(world.agency, world.info_officer), world, "published")
    for step in (workflow.reschedule, workflow.unschedule):
        extra = {"at": LATEST} if step is workflow.reschedule else {}
        with pytest.raises(WorkflowError, match="当前状态为“待发布”"):
            step(approved, by=world.office, now=NOW, **extra)
        with pytest.raises(WorkflowError, match="已于 2026-02-10 09:00 发布，公众已经可以看到"):
            step(public, by=world.office, now=NOW, **extra)
    public = workflow.withdraw(public, by=world.office, now=NOW, reason="过时")
    with pytest.raises(WorkflowError, match="当前状态为“已撤回”"):
        workflow.unschedule(public, by=world.office, now=NOW)


def test_unschedule_returns_the_item_to_approved(world):
    item = scheduled_item(world)
    with pytest.raises(WorkflowError, match="权限"):
        workflow.unschedule(item, by=world.leader, now=NOW)
    with pytest.raises(WorkflowError, match="已被他人改为"):
        workflow.unschedule(item, by=world.office, now=NOW, seen_at=LATEST)
    item = workflow.unschedule(item, by=world.office, now=NOW, seen_at=LATER)
    item.refresh_from_db()
    assert item.status == Status.APPROVED and item.published_at is None
    assert not Item.objects.public(LATEST).exists()
    assert not Item.objects.scheduled(NOW).exists()
    event = ItemEvent.objects.get(item=item, kind=EventKind.UNSCHEDULE)
    assert event.data["status"] == Status.APPROVED
    assert event.data["previous_at"].startswith("2026-02-12T08:30")
    # ready to publish again, without a new review
    item = workflow.publish(item, by=world.office, now=NOW)
    assert item.is_public(NOW)
    assert kinds(item)[-3:] == [EventKind.PUBLISH, EventKind.UNSCHEDULE, EventKind.PUBLISH]


def test_schedule_changes_keep_interpretations_with_their_document(world):
    policy = run_to(make_item(world.agency, world.info_officer), world, "approved")
    reading = make_item(
        world.agency,
        world.info_officer,
        title="政策解读",
        genre=Genre.INTERPRETATION,
        interprets=policy,
    )
    reading = run_to(reading, world, "approved")
    workflow.publish(policy, by=world.office, now=NOW, at=LATER)
    reading.refresh_from_db()
    assert reading.published_at == LATER

    # the interpretation alone may not go before its document
    with pytest.raises(WorkflowError, match="不能早于所解读文件"):
        workflow.reschedule(reading, by=world.office, now=NOW, at=at("2026-02-11 08:00"))
    # the document moves, the interpretation scheduled with it follows
    workflow.reschedule(policy, by=world.office, now=NOW, at=LATEST)
    reading.refresh_from_db()
    assert reading.published_at == LATEST
    event = ItemEvent.objects.get(item=reading, kind=EventKind.RESCHEDULE)
    assert event.data["together_with"] == policy.index_number
    # the interpretation alone may move later
    reading = workflow.reschedule(reading, by=world.office, now=NOW, at=at("2026-02-14 10:00"))
    assert reading.published_at == at("2026-02-14 10:00")
    # cancelling the document's schedule takes its interpretation back too
    workflow.unschedule(policy, by=world.office, now=NOW)
    reading.refresh_from_db()
    assert reading.status == Status.APPROVED and reading.published_at is None
    # publishing the document again publishes both (三同步)
    workflow.publish(policy, by=world.office, now=NOW)
    reading.refresh_from_db()
    assert reading.is_public(NOW)
