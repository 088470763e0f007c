"""Placeholders, Chinese dates and money (pure, no database)."""

import datetime as dt
import decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongkai.letters.defaults import DEFAULTS, PLACEHOLDERS
from gongkai.letters.text import (
    BLANK,
    Field,
    TemplateError,
    check,
    chinese_date,
    fill,
    money,
    parse,
    placeholders,
    tidy,
)


def test_parse_and_fill():
    assert parse("{申请人}：你好") == [Field("申请人"), "：你好"]
    assert (
        fill("{申请人}：编号{受理编号}", {"申请人": "张三", "受理编号": "A-1"}) == "张三：编号A-1"
    )


def test_doubled_braces_are_literal_braces():
    assert fill("{{申请人}} {申请人}", {"申请人": "张三"}) == "{申请人} 张三"
    assert placeholders("{{x}}") == []


def test_missing_values_become_blanks_to_fill_in_by_hand():
    assert fill("期限：{补正期限}", {"补正期限": None}) == f"期限：{BLANK}"
    assert fill("期限：{补正期限}", {}) == f"期限：{BLANK}"


def test_values_are_inserted_literally_never_interpreted():
    values = {"申请人": "{受理编号}{0.__class__}", "受理编号": "X"}
    assert fill("{申请人}", values) == "{受理编号}{0.__class__}"


def test_attribute_access_and_format_specs_are_unknown_placeholders():
    errors = check("{申请人.__class__} {申请人!r} {申请人:>10}", PLACEHOLDERS)
    assert len(errors) == 1
    assert "未知的占位符：{申请人.__class__}、{申请人!r}、{申请人:>10}" in errors[0]


def test_unknown_placeholders_are_listed_with_the_allowed_ones():
    [error] = check("{申请人}{申请日}{姓名}", PLACEHOLDERS)
    assert error.startswith(
        "未知的占位符：{申请日}、{姓名}。可用的占位符有：{申请人}、{称谓}、{查询码}、{受理编号}"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("第一行\n{申请人", "第 2 行第 1 个字的“{”没有对应的“}”"),
        ("abc}", "第 1 行第 4 个字的“}”没有对应的“{”"),
        ("a\nb{ 申请{人}", "第 2 行第 2 个字的“{”没有对应的“}”"),
        ("{}", "空的占位符"),
        ("{申请人\n}", "没有对应的“}”"),
    ],
)
def test_broken_braces_are_reported_with_their_position(text, expected):
    with pytest.raises(TemplateError) as error:
        parse(text)
    assert any(expected in e for e in error.value.errors)
    assert check(text, PLACEHOLDERS)


def test_every_problem_is_reported_at_once():
    with pytest.raises(TemplateError) as error:
        parse("{a} } {b {")
    assert len(error.value.errors) == 3


@pytest.mark.parametrize("key", DEFAULTS)
def test_every_shipped_template_is_valid(key):
    assert check(DEFAULTS[key]["body"], PLACEHOLDERS) == []
    assert check(DEFAULTS[key]["title"], PLACEHOLDERS) == []


@pytest.mark.parametrize(
    ("day", "text"),
    [
        ("2026-11-21", "二〇二六年十一月二十一日"),
        ("2024-01-01", "二〇二四年一月一日"),
        ("2020-10-10", "二〇二〇年十月十日"),
        ("2019-05-15", "二〇一九年五月十五日"),
        ("2030-12-30", "二〇三〇年十二月三十日"),
        ("2031-03-31", "二〇三一年三月三十一日"),
    ],
)
def test_chinese_dates(day, text):
    assert chinese_date(dt.date.fromisoformat(day)) == text


def test_money():
    assert money(decimal.Decimal("1200")) == "1200.00"
    assert money(decimal.Decimal("0.5")) == "0.50"
    assert money(None) is None


@given(st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=200))
def test_text_without_braces_fills_to_itself(text):
    assert fill(text, {}) == text
    assert check(text, PLACEHOLDERS) == []


@given(st.text(max_size=100))
def test_parse_either_succeeds_or_explains(text):
    try:
        parts = parse(text)
    except TemplateError as error:
        assert error.errors and all(isinstance(e, str) for e in error.errors)
    else:
        assert all(isinstance(p, str | Field) for p in parts)


# ---- tidy: the punctuation filling leaves ------------------------------------------------


@pytest.mark.parametrize(
    ("filled", "clean"),
    [
        ("申请获取：“统计数据。”。经审查", "申请获取：“统计数据”。经审查"),
        ("依据：条例第十六条。，本机关", "依据：条例第十六条，本机关"),
        ("具体理由：尚未结案。。", "具体理由：尚未结案。"),
        ("（依据：条例。）。", "（依据：条例）。"),
        ("理由；。", "理由。"),
        ("是否属实？。", "是否属实？"),
        ("他说：“好。”", "他说：“好。”"),  # a quoted sentence keeps its own stop
        ("甲，乙。丙、丁：戊", "甲，乙。丙、丁：戊"),  # nothing doubled: unchanged
    ],
)
def test_tidy_removes_doubled_punctuation(filled, clean):
    assert tidy(filled) == clean


def test_tidy_is_idempotent():
    text = "申请获取：“统计数据。”。依据：条例。，理由。。"
    assert tidy(tidy(text)) == tidy(text)
