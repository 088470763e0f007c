"""Table 二 rows whose label wraps onto the next line with the figures (failure class 1)."""

import random

from gongkai.reports import accuracy, parsing
from gongkai.reports.render import render


def test_a_table_two_label_wrapped_before_its_figures_is_read_with_them():
    truth = next(t for t in accuracy.truth_reports() if t["name"] == "shizuishan_2020")
    text = render(truth, "txt").decode("utf-8")
    text = accuracy.damage(text, "wrapped", random.Random("shizuishan_2020/wrapped/0"))
    assert "其他对 外管理服\n务事项 40 增8 16" in text  # as a PDF or a narrow column prints it
    report = parsing.parse_text(text)
    assert report["proactive"]["other_services"] == {"prev_items": 40, "change": 8, "decisions": 16}
