"""整改事项 state changes: handing out, answering (explanation or corrected report),
closing and sending back — guarded, audited, nothing half-written on refusal."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from gongkai.library import review
from gongkai.library.models import LibraryEvent, LibraryReport, Review, SupersededOriginal
from gongkai.rectification import workflow
from gongkai.rectification.models import Answer, Rectification, State

from .conftest import COUNTY_2025, TODAY, county_with_error


def test_create_hands_confirmed_findings_to_the_agency(item, rect_world):
    w = rect_world
    assert item.state == State.OPEN and item.agency.platform == w.county_agency
    assert item.supervisor.platform == w.mps  # the creator's office above 示范县
    assert list(item.findings.all()) == [w.finding]
    assert "表三" in item.requirement or w.finding.message in item.requirement
    event = item.events.get()
    assert (event.kind, event.actor, event.data["findings"]) == (
        "create",
        w.office,
        [["T3-BALANCE", w.finding.where]],
    )


def test_create_refuses_unconfirmed_taken_and_own_agency(item, rect_world):
    w = rect_world
    other = w.report.findings.exclude(pk=w.finding.pk).first()
    with pytest.raises(workflow.RectificationError, match="确认"):
        workflow.create([other], dt.date(2026, 7, 1), "", w.office, today=TODAY)
    with pytest.raises(workflow.RectificationError, match="未销号"):
        workflow.create([w.finding], dt.date(2026, 7, 1), "", w.office, today=TODAY)
    review.review(other, Review.CONFIRMED, "", w.office)
    with pytest.raises(workflow.RectificationError, match="晚于今天"):
        workflow.create([other], TODAY, "", w.office, today=TODAY)
    # 示范县's own office cannot hand out 整改 to itself.
    with pytest.raises(workflow.RectificationError, match="上级机关"):
        workflow.create([other], dt.date(2026, 7, 1), "", w.xian, today=TODAY)
    assert Rectification.objects.count() == 1


def test_answer_with_corrected_report_makes_a_new_version_and_keeps_decisions(item, rect_world):
    w = rect_world
    data = COUNTY_2025.read_bytes()
    workflow.answer(item, "已更正表三自然人新收件数", w.xian, ("更正后.txt", data), today=TODAY)
    item.refresh_from_db()
    report = LibraryReport.objects.get(pk=w.report.pk)
    assert item.state == State.ANSWERED and item.answered_on == TODAY
    assert report.version == 2 and report.filename == "更正后.txt"
    assert report.error_count == 0
    w.finding.refresh_from_db()
    # The confirmed decision survives; the corrected report no longer shows the error.
    assert (w.finding.state, w.finding.present) == (Review.CONFIRMED, False)
    old = SupersededOriginal.objects.get(report=report)
    assert old.sha256 != report.sha256 and old.until_version == 2
    assert LibraryEvent.objects.filter(report=report, kind="revise").count() == 1
    assert Answer.objects.get(item=item).report_version == 2
    # Importing either file again changes nothing.
    from gongkai.library import collecting

    again = collecting.collect([("a.txt", data), ("b.txt", county_with_error())], user=w.office)
    assert [o.result for o in again] == ["same", "same"]
    assert LibraryReport.objects.count() == 1


def test_refused_file_changes_nothing(item, rect_world):
    w = rect_world
    seed = rect_world  # a report of another agency and year
    from gongkai.library.tests.conftest import LINXIA

    for data, message in [
        (LINXIA.read_bytes(), "年度报告不符|不是示范县公安局"),
        (county_with_error(), "完全相同"),
        ("这不是年报".encode(), "未能识别"),
    ]:
        with pytest.raises(workflow.RectificationError, match=message):
            workflow.answer(item, "更正", w.xian, ("x.txt", data), today=TODAY)
    item.refresh_from_db()
    assert item.state == State.OPEN and not item.answers.exists()
    assert LibraryReport.objects.get(pk=w.report.pk).version == 1
    assert not SupersededOriginal.objects.exists()
    assert seed


def test_only_the_agency_answers_and_only_the_supervisor_verifies(item, rect_world):
    w = rect_world
    for user in (w.office, w.county, w.xian_leader, w.researcher):
        with pytest.raises(PermissionDenied):
            workflow.answer(item, "说明", user)
    workflow.answer(item, "经核对原报告无误，系排版错误", w.xian, today=TODAY)
    for user in (w.xian, w.county, w.leader):
        with pytest.raises(PermissionDenied):
            workflow.close(item, "同意", user)
    item.refresh_from_db()
    assert item.state == State.ANSWERED


def test_send_back_then_close(item, rect_world):
    w = rect_world
    workflow.answer(item, "已核实", w.xian, today=TODAY)
    with pytest.raises(workflow.RectificationError, match="退回理由"):
        workflow.send_back(item, "", w.office, today=TODAY)
    workflow.send_back(item, "未见更正后的报告", w.office, dt.date(2026, 7, 10), today=TODAY)
    item.refresh_from_db()
    assert (item.state, item.due_on) == (State.OPEN, dt.date(2026, 7, 10))
    with pytest.raises(workflow.RectificationError, match="待整改"):
        workflow.close(item, "同意", w.office)
    workflow.answer(item, "说明已补充", w.xian, today=TODAY)
    # The error is still found: closing needs the supervisor's note.
    with pytest.raises(workflow.RectificationError, match="仍发现 1 项"):
        workflow.close(item, "", w.office)
    workflow.close(item, "认可机关说明", w.office)
    item.refresh_from_db()
    assert item.state == State.CLOSED and item.closed_at is not None
    assert [e.kind for e in item.events.all()] == [
        "create",
        "answer",
        "send_back",
        "answer",
        "close",
    ]


def test_overdue_is_derived_from_the_due_date(item):
    assert not item.is_overdue(dt.date(2026, 6, 30))
    assert item.days_overdue(dt.date(2026, 7, 3)) == 3
    assert list(Rectification.objects.overdue(dt.date(2026, 7, 1))) == [item]
    item.state = State.ANSWERED
    item.save()
    assert not Rectification.objects.overdue(dt.date(2026, 7, 1)).exists()


def test_an_agency_not_on_the_platform_has_its_answer_recorded_by_the_supervisor(rect_world):
    """临夏 has no account here: the 公安部 office records the answer it received."""
    from gongkai.library import collecting
    from gongkai.library.models import LibraryAgency
    from gongkai.library.tests.conftest import LINXIA, linxia_with_error

    w = rect_world
    office = LibraryAgency.objects.get(platform=w.mps)
    report = collecting.collect([("临夏.txt", linxia_with_error())], user=w.office,
                                collector=office)[0].report  # fmt: skip
    finding = report.findings.get(rule="T3-BALANCE")
    review.review(finding, Review.CONFIRMED, "", w.office)
    item = workflow.create([finding], dt.date(2026, 7, 1), "请更正", w.office, today=TODAY)
    with pytest.raises(PermissionDenied):
        workflow.answer(item, "说明", w.xian)
    workflow.answer(item, "收到临夏州公安局更正后的报告", w.office, ("临夏更正.txt",
                    LINXIA.read_bytes()), today=TODAY)  # fmt: skip
    item.refresh_from_db()
    assert item.state == State.ANSWERED and item.report.version == 2


@pytest.mark.parametrize("answered", [False, True])
def test_withdraw_needs_a_reason_is_audited_and_frees_the_findings(item, rect_world, answered):
    w = rect_world
    if answered:
        workflow.answer(item, "已核实", w.xian, today=TODAY)
    with pytest.raises(workflow.RectificationError, match="撤销理由"):
        workflow.withdraw(item, "  ", w.office)
    workflow.withdraw(item, "交办有误：该问题已在上一轮整改中处理", w.office)
    item.refresh_from_db()
    assert item.state == State.WITHDRAWN
    assert item.withdrawn_reason() == "交办有误：该问题已在上一轮整改中处理"
    event = item.events.order_by("at", "id").last()
    assert (event.kind, event.actor, event.data["reason"]) == (
        "withdraw",
        w.office,
        "交办有误：该问题已在上一轮整改中处理",
    )
    assert event.data["state_before"] == ("answered" if answered else "open")
    # The agency can no longer answer; nothing else applies to it either.
    with pytest.raises(workflow.RectificationError, match="已撤销"):
        workflow.answer(item, "说明", w.xian, today=TODAY)
    for step in (workflow.close, workflow.send_back, workflow.withdraw):
        with pytest.raises(workflow.RectificationError, match="已撤销"):
            step(item, "理由", w.office)
    # Its finding may be handed out again.
    assert list(workflow.candidates(w.report)) == [w.finding]
    again = workflow.create([w.finding], dt.date(2026, 7, 1), "", w.office, today=TODAY)
    assert again.state == State.OPEN


def test_only_the_supervising_office_withdraws_and_not_a_closed_item(item, rect_world):
    w = rect_world
    for user in (w.xian, w.xian_leader, w.county, w.researcher, w.leader):
        with pytest.raises(PermissionDenied):
            workflow.withdraw(item, "撤销", user)
    workflow.answer(item, "已核实", w.xian, today=TODAY)
    workflow.close(item, "认可说明", w.office)
    with pytest.raises(workflow.RectificationError, match="已销号"):
        workflow.withdraw(item, "撤销", w.office)
    item.refresh_from_db()
    assert item.state == State.CLOSED and not item.events.filter(kind="withdraw").exists()
