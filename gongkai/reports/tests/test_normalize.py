"""Text normalisation: the traditional-script marks kept with the code."""

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
