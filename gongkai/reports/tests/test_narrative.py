"""Figures stated in the narrative text: the five seeds and the wordings reports use."""

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongkai.reports import narrative as n
from gongkai.reports.narrative import stated_figures

TESTDATA = Path(__file__).parent / "testdata"


def overview(name, start="一、总体情况", end="二、主动公开"):
    """Section 一 of a seed: the text between its heading and section 二."""
    text = next(TESTDATA.glob(f"{name}_*.txt")).read_text(encoding="utf-8")
    a = text.index(start)
    return text[a : text.index(end, a)]


def keys_values(text, **kw):
    return [(key, value) for key, value, _ in stated_figures(text, **kw)]


# ---- The five seeds -------------------------------------------------------------


def test_seed_000_received_completed_and_no_reconsideration():
    figures = stated_figures(overview("000"), year=2021)
    assert figures == [
        (n.RECEIVED, 3, "共收到依申请公开3件"),
        (n.COMPLETED, 3, "3件依申请公开均已办结"),
        (n.RECONSIDERATION, 0, "无因政府信息公开引起的行政复议"),
    ]


def test_seed_000_reads_nothing_from_unrelated_counts():
    # 主动公开政府信息812条, 发布政策文件7件, 45名信息员, 70名青年民警, 撤回2件: none is a table figure.
    values = [value for _, value, _ in stated_figures(overview("000"))]
    assert not {812, 575, 7, 45, 70, 2, 4200} & set(values)


def test_seed_001_traditional_2008_report_gives_no_false_figures():
    text = overview("001", "一、概述", "二、主動公開")
    assert stated_figures(text) == []


# The narrative is kept as written (issue 18), so a traditional report's text reaches the
# reader in traditional script: it reads it simplified and quotes it as written.
SEED_001_STATED = [
    (n.RECEIVED, 258, "共收到政府信息公開申請258件"),
    (n.RECONSIDERATION, 11, "行政複議申請11宗"),
    (n.LITIGATION, 4, "行政訴訟4宗"),
]


def test_seed_001_traditional_figures_are_read_and_quoted_as_written():
    text = next(TESTDATA.glob("001_*.txt")).read_text(encoding="utf-8")
    assert stated_figures(text, year=2017) == SEED_001_STATED


def test_seed_002_says_none_received_and_no_appeals():
    figures = keys_values(overview("002"), year=2020)
    assert sorted(figures) == [(n.LITIGATION, 0), (n.RECEIVED, 0), (n.RECONSIDERATION, 0)]


def test_seed_002_no_appeal_sentence_is_not_read_as_no_applications():
    sentence = "没有发生因政务公开申请行政复议、提起行政诉讼情况。"
    assert sorted(keys_values(sentence)) == [(n.LITIGATION, 0), (n.RECONSIDERATION, 0)]


def test_seed_003_received_and_normative_documents():
    assert keys_values(overview("003"), year=2023) == [
        (n.RECEIVED, 1),
        (n.NORMATIVE_ISSUED, 1),
        (n.NORMATIVE_IN_FORCE, 1),
    ]


def test_seed_004_states_no_figures():
    assert stated_figures(overview("004"), year=2020) == []


@pytest.mark.parametrize("name", ["000", "001", "002", "003", "004"])
def test_whole_seed_text_including_tables_adds_nothing_new(name):
    """The tables and sections 五, 六 must not produce figures of their own."""
    text = next(TESTDATA.glob(f"{name}_*.txt")).read_text(encoding="utf-8")
    start = text.find("一、总体情况")
    section_one = keys_values(overview(name)) if start >= 0 else []
    if name == "001":  # a 2008-era report states them in its 三 and 六 (read above)
        section_one = [(key, value) for key, value, _ in SEED_001_STATED]
    assert keys_values(text) == section_one


# ---- Numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,value",
    [("3", 3), ("一", 1), ("两", 2), ("十", 10), ("十二", 12), ("二十", 20), ("一百零五", 105)],
)
def test_chinese_number(text, value):
    assert n.chinese_number(text) == value


@pytest.mark.parametrize("text", ["一二", "零十", "件"])
def test_chinese_number_rejects_what_is_not_a_number(text):
    assert n.chinese_number(text) is None


@pytest.mark.parametrize(
    "text,value",
    [
        ("共收到政府信息公开申请两件。", 2),
        ("本年度共收到依申请公开十二件。", 12),
        ("共收到依申请公开３件。", 3),  # full-width digit
        ("2021 年共收到依申请公开 3 件。", 3),  # spaces around numbers
        ("本年度新收政府信息公开申请5件。", 5),
        ("共受理政府信息公开申请7件，均已按时答复。", 7),
        ("共收到3件政府信息公开申请。", 3),
    ],
)
def test_received_wordings(text, value):
    assert keys_values(text) == [(n.RECEIVED, value)]


@pytest.mark.parametrize(
    "text",
    [
        "未收到政府信息公开申请。",
        "本年度没有收到依申请公开申请。",
        "全年未接到公民、法人或其他组织提出的政府信息公开申请。",
    ],
)
def test_no_applications_is_zero(text):
    assert keys_values(text) == [(n.RECEIVED, 0)]


def test_received_including_carried_over():
    text = "共受理政府信息公开申请5件（含上年结转1件），办结4件，结转下年度继续办理1件。"
    assert keys_values(text) == [
        (n.RECEIVED_WITH_CARRIED, 5),
        (n.CARRIED_OVER, 1),
        (n.COMPLETED, 4),
        (n.CARRY_FORWARD, 1),
    ]


def test_carry_forward_wordings_and_last_years_carry_over_kept_apart():
    text = "本年新收政府信息公开申请3件，上年结转2件，1件申请结转下年度办理。"
    assert keys_values(text) == [
        (n.RECEIVED, 3),
        (n.CARRIED_OVER, 2),
        (n.CARRY_FORWARD, 1),
    ]


def test_result_categories():
    text = "对收到的申请，予以公开2件，部分公开1件，不予公开1件，无法提供3件，不予处理1件。"
    assert keys_values(text) == [
        (n.GRANTED, 2),
        (n.PARTIAL, 1),
        (n.DENIED, 1),
        (n.UNAVAILABLE, 3),
        (n.NOT_PROCESSED, 1),
    ]


def test_combined_or_negated_categories_are_not_read_as_one():
    text = "对申请予以公开及部分公开258件，不予以公开35件。"
    assert keys_values(text) == [(n.DENIED, 35)]


def test_appeal_counts_need_an_information_disclosure_qualifier():
    text = "因政府信息公开申请行政复议0件、提起行政诉讼1件。"
    assert keys_values(text) == [(n.RECONSIDERATION, 0), (n.LITIGATION, 1)]
    # A public security bureau's own 复议 caseload is not about 信息公开.
    assert stated_figures("全年共办理行政复议案件120件，行政诉讼案件35件。") == []


def test_pending_appeal_is_not_read_as_none():
    text = "尚未审结的政府信息公开行政复议案件1件。"
    assert keys_values(text) == [(n.RECONSIDERATION, 1)]


def test_normative_document_wordings():
    text = "制定了2件行政规范性文件，废止规范性文件1件，现行有效的规范性文件共5件。"
    assert keys_values(text) == [
        (n.NORMATIVE_ISSUED, 2),
        (n.NORMATIVE_REPEALED, 1),
        (n.NORMATIVE_IN_FORCE, 5),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "发布政策文件7件。",
        "全年共办理人大代表建议和政协提案117件，全部按时办结。",
        "收集意见建议380余条，收到群众来信20件。",
        "共收到政府信息公开申请10余件。",
        "共收到政府信息公开申请约3件。",
        "其中，通过信函收到政府信息公开申请2件。",
        "其中网上收到政府信息公开申请2件。",
        "较上年收到政府信息公开申请5件有所增加。",
        "结转资金30万元。",
        "主动公开政府信息812条。",
    ],
)
def test_unrelated_or_inexact_sentences_give_nothing(text):
    assert stated_figures(text) == []


def test_sentence_about_another_year_is_dropped_when_the_year_is_known():
    text = "2020年共收到政府信息公开申请5件。"
    assert stated_figures(text, year=2021) == []
    assert keys_values(text, year=2020) == [(n.RECEIVED, 5)]


def test_empty_text():
    assert stated_figures("") == [] and stated_figures(None) == []


# ---- Sentences found from their anchor words -------------------------------------------

_PIECES = ["。", "；", "\n", "！", "?", "，", "申请公开", "行政复议", "结转", "办结", "规范性文件"]


@given(st.lists(st.sampled_from(_PIECES) | st.text("收到3件的年 ", max_size=4), max_size=30))
def test_anchored_sentences_are_the_sentences_holding_an_anchor(pieces):
    text = "".join(pieces)
    expected = [
        (head, tail) for head, tail in n._sentences(text) if n._ANY_ANCHOR.search(text, head, tail)
    ]
    assert list(n._anchored_sentences(text)) == expected


def test_anchored_sentences_of_the_seeds():
    for path in sorted(TESTDATA.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        expected = [s for s in n._sentences(text) if n._ANY_ANCHOR.search(text, *s)]
        assert list(n._anchored_sentences(text)) == expected
