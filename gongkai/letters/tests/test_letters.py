"""Generating letters: contents (read back with python-docx), numbering, records, versions."""

import datetime as dt
import hashlib
import io

import docx
import pytest

from gongkai.cases import workflow
from gongkai.cases.models import Outcome
from gongkai.cases.tests.conftest import national_calendar  # noqa: F401 (autouse, DB tests)
from gongkai.cases.tests.factories import make_case, run_to
from gongkai.letters import services
from gongkai.letters.models import LetterIssued, LetterTemplate
from gongkai.letters.services import LetterError, generate
from gongkai.letters.tests.factories import complete_letterhead
from gongkai.letters.text import BLANK, TemplateError, chinese_date

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
ON = D("2024-03-20")

# The article each 答复书 must cite (2019 条例; regulation.md §1.5–1.9).
ARTICLES = {
    "granted": "第三十六条第（二）项",
    "partial": "第三十七条",
    "denied.state_secret": "第十四条、第三十六条第（三）项",
    "denied.prohibited_by_law": "第十四条、第三十六条第（三）项",
    "denied.security_stability": "第十四条、第三十六条第（三）项",
    "denied.third_party": "第十五条、第三十二条",
    "denied.internal_affairs": "第十六条第一款",
    "denied.process_info": "第十六条第二款",
    "denied.enforcement_file": "第十六条第二款",
    "denied.query_matter": "第三十六条第（七）项",
    "unavailable.not_held": "第三十六条第（四）项",
    "unavailable.needs_creation": "第三十八条",
    "unavailable.unclear": "第二十九条、第三十条",
    "not_processed.petition": "第三十九条第一款",
    "not_processed.duplicate": "第三十六条第（六）项",
    "not_processed.publication": "第三十九条第二款",
    "not_processed.mass_repeat": "第三十五条",
    "not_processed.confirm_or_reissue": "本机关不予处理",
    "other.no_correction": "第三十条",
    "other.no_fee": "第四十二条",
    "other.other": "申请人撤回申请",
}
# ❓ in regulation.md (no article found) / case-specific (withdrawal): no article printed.
NO_ARTICLE = {"not_processed.confirm_or_reissue", "other.other"}


def text_of(data):
    """Every paragraph of a DOCX, joined by newlines."""
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


@pytest.fixture
def case(world):
    return make_case(world.agency, world.registrar, applicant_name="王小明")


def case_with_outcome(world, outcome):
    case = make_case(world.agency, world.registrar, applicant_name="王小明")
    if outcome == "other.no_correction":
        case = workflow.request_correction(
            case,
            by=world.office,
            on=D("2024-03-04"),
            items="请写明文号",
            correction_due_on=D("2024-03-15"),
        )
        return workflow.lapse_correction(case, by=world.office, on=D("2024-03-18"))
    if outcome == "other.no_fee":
        case = workflow.notify_fee(
            case, by=world.office, on=D("2024-03-04"), amount="300", basis="按件计收"
        )
        return workflow.lapse_fee(case, by=world.office, on=D("2024-04-10"))
    if outcome == "other.other":
        return workflow.withdraw(case, by=world.office, on=D("2024-03-04"))
    case = run_to(case, world, "assigned")
    return workflow.draft_decision(
        case,
        by=world.handler,
        outcome=outcome,
        legal_basis="具体理由见卷宗",
        reasons="" if outcome == "granted" else f"本案理由：{outcome}。",
        on=D("2024-03-04"),
    )


# Closed by their own step (no 拟办): no drafted reasons to quote.
UNDRAFTED = {"other.no_correction", "other.no_fee", "other.other"}


def test_the_table_covers_every_outcome():
    assert set(ARTICLES) == set(Outcome.values)
    assert {f"reply.{o}" for o in Outcome.values} <= set(services.DEFAULTS)


def test_each_outcome_has_a_reply_citing_its_article(world):
    for outcome in Outcome.values:
        check_reply(world, outcome)


def check_reply(world, outcome):
    case = case_with_outcome(world, outcome)
    key = f"reply.{outcome}"
    assert key in [item.key for item in services.available(case)]
    data, issued = generate(case, key, by=world.office, on=ON)
    text = text_of(data)
    assert "王小明" in text
    assert case.tracking_number in text
    assert ARTICLES[outcome] in text, (outcome, text)
    if outcome not in NO_ARTICLE:
        assert "《中华人民共和国政府信息公开条例》" in text
    assert "六十日内向某某市人民政府申请行政复议" in text
    assert "六个月内向某某市某某区人民法院提起行政诉讼" in text
    if outcome not in UNDRAFTED | {"granted"}:
        assert f"具体理由：本案理由：{outcome}。" in text, text  # Art. 36: 说明理由
    for doubled in ("。，", "。。", "。”。"):
        assert doubled not in text
    assert "二〇二四年三月二十日" in text  # 发文日期
    assert issued.kind == key and issued.template_version == 0
    assert issued.sha256 == hashlib.sha256(data).hexdigest()


def test_a_reply_before_approval_is_marked_as_a_draft_and_not_after(world, case):
    case = run_to(case, world, "drafted")
    assert "草稿" in text_of(generate(case, "reply.granted", by=world.handler, on=ON)[0])
    case = run_to(make_case(world.agency, world.registrar), world, "approved")
    assert "草稿" not in text_of(generate(case, "reply.granted", by=world.office, on=ON)[0])


def test_the_receipt_states_receipt_date_deadline_and_tracking_number(world, case):
    data, _ = generate(case, "receipt", by=world.registrar, on=ON)
    text = text_of(data)
    assert "王小明" in text and case.tracking_number in text
    assert "二〇二四年三月一日" in text  # 收到申请日期
    assert "第三十三条第二款" in text
    assert world.agency.name in text  # default letterhead and signature


def test_the_correction_notice_lists_the_items_and_the_deadline(world, case):
    assert "correction" not in [i.key for i in services.available(case)]
    case = workflow.request_correction(
        case,
        by=world.office,
        on=D("2024-03-04"),
        items="1. 请写明所需信息的文号\n2. 请提供身份证明",
        correction_due_on=D("2024-03-15"),
    )
    paragraphs = text_of(generate(case, "correction", by=world.office, on=ON)[0]).split("\n")
    assert "1. 请写明所需信息的文号" in paragraphs and "2. 请提供身份证明" in paragraphs
    assert any("二〇二四年三月十五日前" in p for p in paragraphs)
    assert any("第二十九条、第三十条" in p for p in paragraphs)


def test_a_consultation_letter_per_consultation_without_the_applicant(world, case):
    case = run_to(case, world, "assigned")
    workflow.consult(
        case, by=world.handler, party="third_party", addressee="某科技公司", on=D("2024-03-05")
    )
    workflow.consult(
        case, by=world.handler, party="agency", addressee="市交通局", on=D("2024-03-06")
    )
    items = [i for i in services.available(case) if i.consultation]
    assert [(i.key, i.consultation.addressee) for i in items] == [
        ("consultation.third_party", "某科技公司"),
        ("consultation.agency", "市交通局"),
    ]
    third = text_of(
        generate(
            case, items[0].key, by=world.handler, on=ON, consultation_id=items[0].consultation.pk
        )[0]
    )
    assert "某科技公司" in third and "第三十二条" in third and "15个工作日" in third
    assert "王小明" not in third  # the applicant is not named to the third party
    other = text_of(
        generate(
            case, items[1].key, by=world.handler, on=ON, consultation_id=items[1].consultation.pk
        )[0]
    )
    assert "市交通局" in other and "第三十四条" in other and "视为同意公开" in other
    with pytest.raises(LetterError):
        generate(
            case, items[0].key, by=world.handler, on=ON, consultation_id=items[1].consultation.pk
        )


def test_extension_and_fee_letters(world, case):
    case = run_to(case, world, "assigned")
    case = workflow.approve_extension(
        case, by=world.office_head, on=D("2024-03-20"), reason="信息量大需检索"
    )
    text = text_of(generate(case, "extension", by=world.office, on=ON)[0])
    assert "因信息量大需检索" in text and "第三十三条第二款" in text
    assert "二〇二四年三月二十九日前" in text  # the original deadline
    case = workflow.notify_fee(
        case, by=world.office, on=D("2024-03-21"), amount="1200", basis="按件计收"
    )
    text = text_of(generate(case, "fee", by=world.office, on=ON)[0])
    assert "人民币1200.00元" in text and "按件计收" in text and "第四十二条" in text
    assert "国办函〔2020〕109号" in text
    assert case.fee_due_on and chinese_date(case.fee_due_on) in text


def test_letters_not_available_for_the_state_are_refused(world, case):
    for key in ("correction", "extension", "fee", "reply.granted", "nonsense"):
        with pytest.raises(LetterError, match="当前不能生成"):
            generate(case, key, by=world.office, on=ON)


def test_only_people_acting_on_the_case_may_generate(world, case):
    case = run_to(case, world, "assigned")
    with pytest.raises(LetterError, match="无权"):
        generate(case, "receipt", by=world.other_handler, on=ON)
    assert not LetterIssued.objects.exists()


# ---- numbering and records -----------------------------------------------------------


def test_numbers_are_per_agency_and_year_and_kept_for_the_same_letter(world, case):
    complete_letterhead(
        world.agency,
        full_name="某某市公安局",
        number_prefix="某公开〔{year}〕",
        signature="某某市公安局",
    )
    _, first = generate(case, "receipt", by=world.office, on=ON)
    _, again = generate(case, "receipt", by=world.office, on=D("2025-01-05"))
    other = make_case(world.agency, world.registrar)
    _, second = generate(other, "receipt", by=world.office, on=ON)
    assert first.number == again.number == "某公开〔2024〕1号"
    assert second.number == "某公开〔2024〕2号"
    assert LetterIssued.objects.count() == 3


def test_the_letterhead_shapes_the_letter_and_the_remedy(world, case):
    complete_letterhead(
        world.agency,
        full_name="某某市公安局",
        number_prefix="某公开〔{year}〕",
        address="某某路1号",
        postcode="100000",
        phone="010-12345678",
        signature="某某市公安局（印章）",
        reconsideration_body="某某市人民政府",
        court="某某区人民法院",
    )
    case = run_to(case, world, "approved")
    text = text_of(generate(case, "reply.granted", by=world.office, on=ON)[0])
    lines = text.split("\n")
    assert lines[0] == "某某市公安局" and lines[1] == "某公开〔2024〕1号"
    assert "某某市公安局（印章）" in lines and "二〇二四年三月二十日" in lines
    assert "地址：某某路1号　邮编：100000　联系电话：010-12345678" in lines
    assert "六十日内向某某市人民政府申请行政复议" in text and "向某某区人民法院提起行政诉讼" in text


def test_unrecorded_values_print_as_blanks_and_are_reported(world, case):
    LetterTemplate.objects.create(
        agency=world.agency,
        kind="receipt",
        version=1,
        title="回执",
        body="{申请人}：\n延期理由：{延期理由}",
        created_by=world.office,
    )
    [item] = services.annotate_missing(case, services.available(case), on=ON)
    assert item.missing == ["延期理由"]
    assert f"延期理由：{BLANK}" in text_of(generate(case, "receipt", by=world.office, on=ON)[0])


# ---- templates -----------------------------------------------------------------------


def test_an_edited_template_is_used_and_its_version_recorded(world, case):
    row = services.save_template(
        world.agency,
        "receipt",
        by=world.office,
        title="受理通知",
        body="{申请人}：\n已收到，编号{受理编号}。",
    )
    assert row.version == 1
    data, issued = generate(case, "receipt", by=world.office, on=ON)
    text = text_of(data)
    assert "受理通知" in text and f"已收到，编号{case.tracking_number}。" in text
    assert issued.template_version == 1
    row2 = services.save_template(
        world.agency, "receipt", by=world.admin, title="受理通知", body="{申请人}：\n第二版"
    )
    assert row2.version == 2
    assert services.current_template(world.agency, "receipt").body == "{申请人}：\n第二版"
    # history kept: both versions readable, the shipped default still version 0
    assert list(
        LetterTemplate.objects.filter(agency=world.agency, kind="receipt").values_list(
            "version", flat=True
        )
    ) == [2, 1]
    with pytest.raises(ValueError, match="文书模板的历史版本只能新增，不能修改。请保存为新版本。"):
        row.save()
    with pytest.raises(ValueError, match="文书模板的历史版本不能删除。"):
        row.delete()


def test_template_validation_lists_allowed_placeholders(world):
    with pytest.raises(TemplateError) as error:
        services.save_template(
            world.agency, "receipt", by=world.office, title="{标题", body="{申请者}"
        )
    messages = error.value.errors
    assert any(m.startswith("标题：") and "没有对应的“}”" in m for m in messages)
    assert any("未知的占位符：{申请者}" in m and "{申请人}" in m for m in messages)
    assert not LetterTemplate.objects.exists()


def test_saving_the_same_text_again_is_refused(world):
    default = services.DEFAULTS["receipt"]
    with pytest.raises(LetterError, match="相同"):
        services.save_template(
            world.agency, "receipt", by=world.office, title=default["title"], body=default["body"]
        )


def test_only_the_office_or_admin_edit_templates(world):
    for user in (world.handler, world.leader, world.registrar):
        with pytest.raises(LetterError, match="只有本机关的政务公开办或系统管理员"):
            services.save_template(world.agency, "receipt", by=user, title="x", body="y")
