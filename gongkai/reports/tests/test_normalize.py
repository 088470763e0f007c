"""Text normalisation: the traditional-script marks kept with the code."""

from hypothesis import given
from hypothesis import strategies as st

from gongkai.reports import normalize, traditional


def test_the_kept_traditional_characters_are_those_opencc_changes():
    # Regenerate gongkai/reports/traditional.py when this fails after an OpenCC upgrade.
    chars = traditional.CHARS
    assert chars == "".join(sorted(set(chars)))  # in code point order, each once
    assert set(chars) == normalize.traditional_chars()


def test_detect_script_needs_three_distinct_traditional_characters():
    assert normalize.detect_script("政府信息公开工作年度报告") == "simplified"
    assert normalize.detect_script("政府資訊公告") == "simplified"  # two: 資 訊
    assert normalize.detect_script("政府資訊公開工作報告") == "traditional"


@given(st.text(st.sampled_from("，：（）\u3000\u200b\ufeff│ａ1年 |-\u2212"), max_size=40))
def test_to_halfwidth_replaces_every_character_as_its_table_says(text):
    expected = "".join(normalize._WIDTH_STR.get(ch, ch) for ch in text)
    assert normalize.to_halfwidth(text) == expected
