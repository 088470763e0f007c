"""PDF text whose table labels and figures interleave (failure class 4), from real reports.

上海市科委 2024 and 上海市人民政府办公厅 2025 (tests/corpus/published): the text
layer of each PDF prints a narrow cell's label in pieces before or after its
row's figures, and several rows of figures carry no label at all.
"""

import pytest

from gongkai.reports import accuracy, tables
from gongkai.reports.parsing import parse_text


def truth(name):
    return next(t for t in accuracy.truth_reports() if t["name"] == name)


def published(name):
    return truth(name)["published_text"].read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["shanghai_kw_2024", "shanghai_bgt_2025"])
def test_real_pdf_text_is_read_without_a_wrong_cell(name):
    expected = truth(name)
    right, blank, wrong, silent, cells = accuracy.score(parse_text(published(name)), expected)
    assert (wrong, silent) == (0, 0), cells
    assert right >= 194


def test_unlabelled_figure_lines_take_the_rows_between_two_labelled_rows_in_order():
    # 上海市科委 2024: "（三）不予公开 5.属于三类内部事务信息" and "1.本机关不掌握相关政府信息"
    # are printed before the figures of 5. (1 … 1); the figures of the three 无法提供 rows
    # (4, 6, 0) stand between 8.属于行政查询事项 and 1.信访举报投诉类申请 with their
    # labels scattered around them. They used to land one row off.
    parsed = parse_text(published("shanghai_kw_2024"))
    rows = parsed["requests"]
    assert rows["denied.internal_affairs"]["total"] == 1
    assert rows["unavailable.not_held"]["total"] == 4
    assert rows["unavailable.needs_creation"]["total"] == 6
    assert rows["unavailable.unclear"]["total"] == 0
    # A lone "1" among the （六） rows' labels is no row: four full lines, four rows.
    assert rows["other.no_correction"] == dict(
        zip([c.key for c in tables.REQUEST_COLUMNS], [8, 2, 0, 0, 0, 0, 10], strict=True)
    )
    assert rows["other.no_fee"]["total"] == 0


def test_a_row_label_split_from_its_figures_by_a_page_footer():
    # 上海市政府办公厅 2025: "2.申请人逾期未按收费通知要求" … "— 5 —" … "缴纳费用、 | 行政机关不再
    # 处理其政 | 0 …": the page number is no figure of the row.
    parsed = parse_text(published("shanghai_bgt_2025"))
    assert parsed["requests"]["other.no_fee"]["total"] == 0
    assert parsed["requests"]["other.no_correction"]["total"] == 43
    assert "— 5 —" not in parsed["narrative"]["overview"]


def test_a_sentence_with_figures_is_not_a_table_row():
    text = published("shanghai_kw_2024")
    # The narrative says "部分公开答复 0 件,不予公开答复 2" on one line: not the row 部分公开.
    assert "不予公开答复 2\n" in text
    parsed = parse_text(text)
    assert parsed["requests"]["partial"]["total"] == 0
    assert not [f for f in parsed["findings"] if f["where"] == "requests.partial"]


def test_table_two_printed_after_a_narrative_with_its_own_section_headings():
    # The narrative's "三、主动公开工作情况" comes first; table 二 follows as an appendix
    # under "一、主动公开政府信息情况" (after the narrative's "四、…申请情况").
    parsed = parse_text(published("shanghai_kw_2024"))
    proactive = parsed["proactive"]
    assert proactive["normative_documents"] == {"issued": 13, "repealed": 0, "in_force": 55}
    assert proactive["licensing"]["decisions"] == 97


def test_figures_placed_by_order_that_break_the_sums_are_left_blank():
    # A misprinted line among those placed by order: the results no longer add up to
    # （七）总计, so the order cannot be trusted and its rows are left blank.
    text = published("shanghai_kw_2024").replace(
        "| 4 | 0 | 0 | 0 | 0 | 0 | 4 |", "| 5 | 0 | 0 | 0 | 0 | 0 | 5 |", 1
    )
    parsed = parse_text(text)
    right, blank, wrong, silent, cells = accuracy.score(parsed, truth("shanghai_kw_2024"))
    assert (wrong, silent) == (0, 0), cells
    assert parsed["requests"]["unavailable.not_held"]["total"] is None
    assert any(
        f["where"] == "requests.unavailable.not_held" and "合计关系" in f["message"]
        for f in parsed["findings"]
    )


def test_a_misprinted_total_does_not_blank_the_rows_placed_by_order():
    # The report's own （七）总计 misprinted (33 → 32 自然人; real reports do this: 平潭
    # 2020 prints 21 over results of 27): 一 + 二 = the results as placed + 四 still holds,
    # so the rows placed by order keep their figures; the misprint is read as printed.
    text = published("shanghai_kw_2024")
    misprinted = text.replace("| （七）总计 | 33 |", "| （七）总计 | 32 |", 1)
    assert misprinted != text
    parsed = parse_text(misprinted)
    rows = parsed["requests"]
    assert rows["total"]["natural_person"] == 32
    assert rows["unavailable.not_held"]["total"] == 4
    assert rows["unavailable.needs_creation"]["total"] == 6
    assert not [f for f in parsed["findings"] if "印刷顺序" in f["message"]]
    right, blank, wrong, silent, cells = accuracy.score(parsed, truth("shanghai_kw_2024"))
    assert cells == [(("requests", "total", "natural_person"), 33, 32)]


def test_a_pipe_row_of_blank_cells_does_not_take_the_figures_below_it():
    # 上海市政府办公厅 2019 through a PDF-to-Markdown converter: "| 4.保护第三方合法权益 | | … |"
    # prints its own (blank) cells; the "| 5 | | … |" below it belongs to 5.属于三类内部事务信息,
    # whose label the converter printed after it. It used to land in 4.
    from gongkai.reports.render import render

    report = truth("shanghai_bgt_2019")
    text = render(report, "txt").decode("utf-8")
    row = "| 三、本年度办理结果 （三）不予公开 5.属于三类内部事务信息 | 5 | | | | | | |"
    assert row in text
    text = text.replace(row, "| 5 |  |  |  |  |  |  |\n5.属于三类内\n部事务信息")
    parsed = parse_text(text)
    right, blank, wrong, silent, cells = accuracy.score(parsed, report)
    assert (wrong, silent, blank) == (0, 0, 0), cells
    assert parsed["requests"]["denied.internal_affairs"]["natural_person"] == 5
    assert parsed["requests"]["denied.third_party"]["natural_person"] is None


def test_a_tall_row_cut_into_two_cell_rows_keeps_its_figures():
    # A converter cuts a tall row in two: the label's head over blank cells, the rest of
    # the label with the figures. "2.其他法律" (cut short) also holds the words of 3.其他:
    # its number says it is not that row.
    import re

    from gongkai.reports.render import render

    report = truth("huaian_2024")
    out = []
    for line in render(report, "txt").decode("utf-8").split("\n"):
        m = re.match(r"^\| (三、本年度办理结果 （[三四五六]）\S+ \d\.\S{4})(\S+) \|(.*)$", line)
        if m:
            out += [f"| {m[1]} |" + " |" * 7, f"| {m[2]} |{m[3]}"]
        else:
            out.append(line)
    text = "\n".join(out)
    assert (
        "| 三、本年度办理结果 （三）不予公开 2.其他法律 | | | | | | | |\n| 行政法规禁止公开 | 30 |"
        in text
    )
    right, blank, wrong, silent, cells = accuracy.score(parse_text(text), report)
    assert (right, wrong, silent) == (200, 0, 0), cells


def test_a_report_opening_on_a_row_of_figures_does_not_raise():
    # Found by Hypothesis (a truncated report): the first line is figures with a label
    # that names no row.
    parse_text("政府集中采购\t9\t855.034 万元\t\n信息内容\t上一年项目数量\t本年增/减\t处理决定数量")


@pytest.mark.parametrize("other_printed", [True, False])
def test_a_row_label_missing_words_is_not_taken_for_the_row_its_words_fit(other_printed):
    # 淮安市洪泽区 2023/2024 print "2.其他法律行政止公开" (法规禁 dropped): its words hold
    # 其他, the phrase of the row 3.其他, but its number is 2. Read as 3.其他 its figures
    # went to the wrong row, printed as fact. Some reports print no 3.其他 row at all:
    # a row not found is blank with a finding, never a silent 0.
    from gongkai.reports.render import render

    report = truth("huaian_2024")
    text = render(report, "txt").decode("utf-8")
    assert "2.其他法律行政法规禁止公开" in text
    text = text.replace("2.其他法律行政法规禁止公开", "2.其他法律行政止公开")
    if not other_printed:
        lines = text.split("\n")
        [row] = [ln for ln in lines if "3.其他" in ln and "（六）" in ln]
        text = "\n".join(ln for ln in lines if ln != row)
    parsed = parse_text(text)
    right, blank, wrong, silent, cells = accuracy.score(parsed, report)
    assert (wrong, silent) == (0, 0), cells
    # Between 1. and 3. of 不予公开, the row numbered 2. is 2.其他法律行政法规禁止公开.
    assert (
        parsed["requests"]["denied.prohibited_by_law"]
        == report["requests"]["denied.prohibited_by_law"]
    )
    where = {f["where"] for f in parsed["findings"] if f["rule"] == "PARSE"}
    assert where == (set() if other_printed else {"requests.other.other"})


def test_a_row_naming_no_row_is_placed_by_number_only_between_its_neighbours():
    # Without 3. after it, "2.其他法律行政止公开" could be any row numbered 2: blank, said.
    from gongkai.reports.render import render

    report = truth("huaian_2024")
    lines = render(report, "txt").decode("utf-8").split("\n")
    lines = [ln for ln in lines if "3.危及" not in ln]
    text = "\n".join(lines).replace("2.其他法律行政法规禁止公开", "2.其他法律行政止公开")
    parsed = parse_text(text)
    right, blank, wrong, silent, cells = accuracy.score(parsed, report)
    assert (wrong, silent) == (0, 0), cells
    where = {f["where"] for f in parsed["findings"] if f["rule"] == "PARSE"}
    assert {"requests.denied.prohibited_by_law", "requests.denied.security_stability"} <= where


@pytest.mark.parametrize("figure", ["0", "2"])
def test_other_handling_printed_as_one_row_without_its_parts(figure):
    # 淮安市洪泽区 2023/2024 print （六）其他处理 as a single row of zeros: its three parts
    # are 0 as well (counts are never negative). A row with other figures leaves the
    # parts unknown: blank, with a finding.
    from gongkai.reports.render import render

    report = truth("linxia_2023")
    lines = render(report, "txt").decode("utf-8").split("\n")
    parts = [i for i, ln in enumerate(lines) if "（六）其他处理" in ln]
    assert len(parts) == 3
    lines[parts[0] : parts[-1] + 1] = [f"| 三、本年度办理结果 （六）其他处理 |{f' {figure} |' * 7}"]
    parsed = parse_text("\n".join(lines))
    right, blank, wrong, silent, cells = accuracy.score(parsed, report)
    assert (wrong, silent) == (0, 0), cells
    unread = {f["where"] for f in parsed["findings"] if f["rule"] == "PARSE"}
    if figure == "0":
        assert blank == 0 and not unread
        assert parsed["requests"]["other.no_fee"]["natural_person"] == 0
    else:
        assert unread == {f"requests.{k}" for k in tables.OTHER_PARTS}
