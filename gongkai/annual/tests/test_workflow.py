"""The report's life in the workflow functions: draft, check gate, 审核/审批 with
opinions, lock, publish (real date), drift; and the refusals, each in Chinese with
nothing half-saved."""

import datetime as dt

import pytest
from django.utils import timezone

from gongkai.annual import assembly, workflow
from gongkai.annual.models import AnnualReport, Opinion, Status, Step
from gongkai.cases.tests.factories import make_case, run_to
from gongkai.portal.models import PublishedReport

from .conftest import PINNED, fill_placeholders

PUBLISH_AT = timezone.make_aware(dt.datetime(2027, 1, 20, 10, 30))


def _ready(world, year=2026):
    annual = workflow.start(world.agency, year, by=world.office, today=PINNED)
    return fill_placeholders(annual, world.office)


def _approved(world):
    annual = workflow.submit(_ready(world), by=world.office, today=PINNED)
    annual = workflow.review(annual, by=world.office_head, decision="agree", text="同意报审")
    return workflow.approve(annual, by=world.leader, decision="agree", text="同意发布")


def test_draft_is_written_from_the_records_with_bound_figures(world):
    case = make_case(world.agency, world.registrar, submitted_on=dt.date(2026, 3, 2))
    run_to(case, world, "delivered")
    annual = workflow.start(world.agency, 2026, by=world.office, today=PINNED)
    assert set(annual.sections) == {"一", "五", "六"}
    assert all(annual.sections[k] for k in annual.sections)
    bound = [s for s in annual.sections["一"] if s["figures"]]
    assert bound, "sentences of 一 state figures bound to the records"
    assert annual.opinions.get().step == Step.DRAFT


def test_empty_section_blocks_submission(world):
    annual = _ready(world)
    annual = workflow.edit(annual, texts={"五": [""] * len(annual.sections["五"])}, by=world.office)
    with pytest.raises(workflow.AnnualError, match="错误.*五、政府信息公开工作存在的主要问题"):
        workflow.submit(annual, by=world.office, today=PINNED)
    annual.refresh_from_db()
    assert annual.status == Status.DRAFT
    assert not annual.opinions.filter(step=Step.SUBMIT).exists()


def test_placeholder_left_blocks_submission(world):
    annual = workflow.start(world.agency, 2026, by=world.office, today=PINNED)
    report = assembly.assemble(annual)
    if not any(f["rule"] == "NARRATIVE-EMPTY" for f in report["findings"]):
        pytest.skip("the draft has no 【待补充】 sentence")
    with pytest.raises(workflow.AnnualError, match="待补充"):
        workflow.submit(annual, by=world.office, today=PINNED)


def test_warning_needs_an_explanation(world, monkeypatch):
    annual = _ready(world)
    warning = {
        "rule": "NARRATIVE-MATCH",
        "severity": "warning",
        "where": "narrative.overview",
        "message": "正文所述与表格不一致",
        "expected": 1,
        "actual": 2,
    }
    real = assembly.gate_findings
    monkeypatch.setattr(assembly, "gate_findings", lambda r: [*real(r), warning])
    with pytest.raises(workflow.AnnualError, match="没有填写说明"):
        workflow.submit(annual, by=world.office, today=PINNED)
    key = assembly.finding_key(warning)
    annual = workflow.edit(
        annual, texts={}, explanations={key: "表格含上年结转，正文仅计新收。"}, by=world.office
    )
    annual = workflow.submit(annual, by=world.office, today=PINNED)
    assert annual.status == Status.REVIEW


def test_the_year_must_be_over_to_submit(world):
    annual = fill_placeholders(
        workflow.start(world.agency, 2026, by=world.office, today=dt.date(2026, 12, 3)),
        world.office,
    )
    with pytest.raises(workflow.AnnualError, match="2026年度还没有结束"):
        workflow.submit(annual, by=world.office, today=dt.date(2026, 12, 3))


def test_return_needs_a_reason_and_goes_back_to_draft(world):
    annual = workflow.submit(_ready(world), by=world.office, today=PINNED)
    with pytest.raises(workflow.AnnualError, match="退回时必须填写退回理由"):
        workflow.review(annual, by=world.office_head, decision="return", text="  ")
    annual.refresh_from_db()
    assert annual.status == Status.REVIEW
    annual = workflow.review(
        annual, by=world.office_head, decision="return", text="第五部分请写明改进措施"
    )
    assert annual.status == Status.DRAFT
    opinion = annual.opinions.get(step=Step.REVIEW)
    assert opinion.decision == "return" and opinion.text == "第五部分请写明改进措施"
    assert opinion.actor_name == "office_head" and "工作机构负责人" in opinion.actor_roles


def test_each_step_is_for_its_role_only(world):
    with pytest.raises(workflow.AnnualError, match="起草年度报告.*政务公开办"):
        workflow.start(world.agency, 2026, by=world.leader, today=PINNED)
    annual = workflow.submit(_ready(world), by=world.office, today=PINNED)
    with pytest.raises(workflow.AnnualError, match="审核年度报告"):
        workflow.review(annual, by=world.leader, decision="agree")
    with pytest.raises(workflow.AnnualError, match="不能审批"):
        workflow.approve(annual, by=world.leader, decision="agree")
    with pytest.raises(workflow.AnnualError, match="修改年度报告正文"):
        workflow.edit(annual, texts={}, by=world.outsider)


def test_approval_locks_a_snapshot_and_later_records_show_as_drift(world):
    annual = _approved(world)
    assert annual.status == Status.APPROVED and annual.locked
    frozen = annual.snapshot
    assert frozen["requests"]["new"]["total"] == 0
    assert frozen["narrative"]["problems"]
    assert assembly.drift(annual) == []
    with pytest.raises(workflow.AnnualError, match="不能修改正文"):
        workflow.edit(annual, texts={"一": ["改写"]}, by=world.office)
    # A case of 2026 registered after the lock: the snapshot stays, the drift shows it.
    make_case(world.agency, world.registrar, submitted_on=dt.date(2026, 12, 30))
    annual.refresh_from_db()
    assert assembly.assemble(annual) == frozen
    changed = {(s, r, c) for s, r, c, _a, _b in assembly.drift(annual)}
    assert ("requests", "new", "total") in changed


def test_publish_is_dated_with_the_real_moment(world):
    annual = _approved(world)
    row = workflow.publish(annual, by=world.office, at=PUBLISH_AT)
    assert row.published_on == dt.date(2027, 1, 20)
    assert row.data["published"] == "2027-01-20"
    assert row.data["narrative"] == annual.snapshot["narrative"]
    annual.refresh_from_db()
    assert annual.status == Status.PUBLISHED and annual.published == row
    with pytest.raises(workflow.AnnualError, match="已发布"):
        workflow.publish(annual, by=world.office, at=PUBLISH_AT)
    assert PublishedReport.objects.count() == 1


def test_only_the_office_publishes(world):
    annual = _approved(world)
    for user in (world.office_head, world.leader, world.admin):
        with pytest.raises(workflow.AnnualError, match="发布年度报告"):
            workflow.publish(annual, by=user, at=PUBLISH_AT)
    assert not PublishedReport.objects.exists()


# ---- bad input: refused in Chinese, nothing saved ------------------------------------


def test_a_future_year_is_refused(world):
    with pytest.raises(workflow.AnnualError, match="2028年度.*还没有开始"):
        workflow.start(world.agency, 2028, by=world.office, today=PINNED)
    assert not AnnualReport.objects.exists() and not Opinion.objects.exists()


def test_a_year_before_the_2021_format_is_refused(world):
    with pytest.raises(workflow.AnnualError, match="2021年格式"):
        workflow.start(world.agency, 2019, by=world.office, today=PINNED)
    assert not AnnualReport.objects.exists()


def test_a_second_draft_of_a_locked_year_is_refused(world):
    _approved(world)
    with pytest.raises(workflow.AnnualError, match="已经批准并锁定.*不能再起草"):
        workflow.start(world.agency, 2026, by=world.office, today=PINNED)
    assert AnnualReport.objects.count() == 1
    assert Opinion.objects.filter(step=Step.DRAFT).count() == 1


def test_a_second_draft_of_a_year_in_draft_is_refused(world):
    workflow.start(world.agency, 2026, by=world.office, today=PINNED)
    with pytest.raises(workflow.AnnualError, match="已经在起草中"):
        workflow.start(world.agency, 2026, by=world.office, today=PINNED)
    assert AnnualReport.objects.count() == 1


def test_overlong_or_control_text_is_refused_whole(world):
    annual = workflow.start(world.agency, 2026, by=world.office, today=PINNED)
    before = annual.sections
    with pytest.raises(workflow.AnnualError, match="最多"):
        workflow.edit(annual, texts={"一": ["好"], "五": ["字" * 20_001]}, by=world.office)
    with pytest.raises(workflow.AnnualError, match="控制字符"):
        workflow.edit(annual, texts={"一": ["a\x00b"]}, by=world.office)
    annual.refresh_from_db()
    assert annual.sections == before


def test_editing_keeps_figures_and_punctuation(world):
    annual = workflow.start(world.agency, 2026, by=world.office, today=PINNED)
    first = annual.sections["一"][0]
    text = "（改）2026年，本局认真贯彻《条例》：做好公开；接受监督，“应公开尽公开”。"
    annual = workflow.edit(annual, texts={"一": [text]}, by=world.office)
    assert annual.sections["一"][0]["text"] == text
    assert annual.sections["一"][0]["figures"] == first["figures"]
    assert assembly.narrative_of(annual.sections)["overview"] == text


def test_a_correction_is_published_as_a_new_version_with_its_note(world):
    row = workflow.publish(_approved(world), by=world.office, at=PUBLISH_AT)
    annual = AnnualReport.objects.get()
    with pytest.raises(workflow.AnnualError, match="请填写更正说明"):
        workflow.correct(annual, by=world.office, note=" ")
    with pytest.raises(workflow.AnnualError, match="更正已发布的年度报告"):
        workflow.correct(annual, by=world.leader, note="更正表三")
    annual = workflow.correct(annual, by=world.office, note="更正第一部分的申请件数")
    assert annual.status == Status.DRAFT and not annual.locked
    annual = workflow.submit(annual, by=world.office, today=PINNED)
    annual = workflow.review(annual, by=world.office_head, decision="agree")
    annual = workflow.approve(annual, by=world.leader, decision="agree")
    later = PUBLISH_AT + dt.timedelta(days=20)
    second = workflow.publish(annual, by=world.office, at=later)
    assert second.pk != row.pk and second.note == "更正说明：更正第一部分的申请件数"
    assert list(PublishedReport.objects.order_by("id")) == [row, second]
    assert second.published_on == dt.date(2027, 2, 9)
