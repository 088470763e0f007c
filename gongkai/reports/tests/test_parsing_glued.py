"""Reports whose tables lost their layout: wrapped labels, tab copies, crawled one-liners.

A cell is read right or left blank with a finding; never a wrong figure.
The truth files of the corpus (tests/corpus/truth) are real reports' tables.
"""

import copy
import itertools
import json
import random
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai.reports import accuracy, glued, tables
from gongkai.reports.glued import readings, solve_columns
from gongkai.reports.parsing import parse_text
from gongkai.reports.render import render

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def truth(name):
    return next(t for t in accuracy.truth_reports() if t["name"] == name)


def text_of(report):
    return render(report, "txt").decode("utf-8")


def assert_never_wrong(parsed, expected):
    right, blank, wrong, silent, cells = accuracy.score(parsed, expected)
    assert (wrong, silent) == (0, 0), cells
    return right, blank


def test_truth_files_satisfy_the_national_sums():
    reports = accuracy.truth_reports()
    assert len(reports) >= 16
    for report in reports:
        assert accuracy.truth_errors(report) == [], report["name"]


def test_accuracy_answers_help_and_unknown_options_without_measuring(monkeypatch, capsys):
    # `--help` (or a typo of --no-scan) used to start the whole run, scans included.
    def measure(**kwargs):
        raise AssertionError("measured")

    monkeypatch.setattr(accuracy, "measure", measure)
    assert accuracy.main(["--help"]) == 0
    assert "--no-scan" in capsys.readouterr().out
    assert accuracy.main(["--no-scans"]) == 2
    assert accuracy.main(["--write"]) == 2


def test_a_wrapped_label_continuation_stays_in_its_row():
    # "计其他情形）" also holds the words of the 2021 row 其他: it must not land there.
    report = truth("hangzhou_2025")
    lines = []
    for line in text_of(report).split("\n"):
        if "部分公开" in line and line.startswith("|"):
            lines += [
                "（二）部分公开（区分处理的，只计这一情 形，不",
                "计其他情形） 2120 39 0 1 6 2 2168",
            ]
        else:
            lines.append(line)
    parsed = parse_text("\n".join(lines))
    assert parsed["requests"]["partial"] == report["requests"]["partial"]
    assert parsed["requests"]["other.other"] == report["requests"]["other.other"]
    assert_never_wrong(parsed, report)


def test_a_row_number_with_a_stray_space_starts_its_own_row():
    # Found by the wrapped-copy property below: "（二 ）部分" after a label-only row
    # "（一）予以 公开" was read as more of that row's label, and 部分公开's figures
    # landed in 予以公开.
    report = copy.deepcopy(truth("shanghai_bgt_2019"))
    rows = report["requests"]
    rows["partial"] = {
        c: (rows["granted"][c] or 0) + (rows["partial"][c] or 0) or None for c in rows["granted"]
    }
    rows["granted"] = dict.fromkeys(rows["granted"])
    assert accuracy.truth_errors(report) == []
    lines = text_of(report).split("\n")
    at = lines.index("| 三、本年度办理结果 （一）予以公开 | | | | | | | |")
    lines[at : at + 2] = [
        "（一）予以 公开",
        "（二 ）部分",
        "公开（区分处理的，只计这一情形，不计其他情形） 261 12 1 1",
    ]
    parsed = parse_text("\n".join(lines))
    assert_never_wrong(parsed, report)
    assert parsed["requests"]["partial"]["natural_person"] == 261


def test_a_row_cut_in_two_cell_rows_whose_rest_holds_its_own_words_keeps_its_figures():
    # Found by the PDF-to-Markdown property below: the label's head over blank cells, the
    # rest ("要求缴纳费用…", itself a phrase of the row) with the figures. The blank head
    # was taken for the row, its figures dropped: blank cells without a finding.
    report = truth("hangzhou_2025")
    lines = text_of(report).split("\n")
    at = next(i for i, line in enumerate(lines) if "未按收费通知" in line)
    figures = lines[at].split("|")[2:-1]
    lines[at : at + 1] = [
        "| 2.申请人逾期未按收费通知 |" + " |" * len(figures),
        "| 要求缴纳费用、行政机关不再处理其政府信息公开申请 |" + "|".join(figures) + "|",
    ]
    parsed = parse_text("\n".join(lines))
    assert_never_wrong(parsed, report)
    assert parsed["requests"]["other.no_fee"] == report["requests"]["other.no_fee"]


def test_tab_positions_keep_a_blank_total_column_blank():
    # 上海市政府办公厅 2019: 总计 is left blank on every result row.
    report = truth("shanghai_bgt_2019")
    text = accuracy.damage(text_of(report), "tabs", random.Random(0))
    assert "（一）予以公开\t258\t12\t\t\t1\t1\t" in text
    parsed = parse_text(text)
    assert parsed["requests"] == report["requests"]


def test_digits_glued_to_the_label_are_split_by_the_row_sum():
    report = truth("linxia_2023")
    text = text_of(report).replace(
        "| 一、本年新收政府信息公开申请数量 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
        "一、本年新收政府信息公开申请数量10 00001",
    )
    parsed = parse_text(text)
    assert parsed["requests"]["new"] == report["requests"]["new"]
    found = [f for f in parsed["findings"] if f["where"] == "requests.new"]
    assert "数字连在一起" in found[0]["message"]


def test_a_crawled_one_line_page_is_read_from_the_text_stream():
    report = truth("hangzhou_2025")
    text = accuracy.damage(text_of(report), "flat", random.Random(3))
    assert "\n" not in text
    parsed = parse_text(text)
    assert parsed["template"] == "2021"
    right, blank = assert_never_wrong(parsed, report)
    assert parsed["requests"]["granted"] == report["requests"]["granted"]
    assert right > blank


def test_two_splits_that_both_satisfy_the_sums_leave_the_cells_blank():
    # 行政诉讼（未经复议直接起诉）"16 112 27 56": 16 1 12 27 56 and 16 11 2 27 56 both add up.
    groups = readings(["376", "97", "196", "121", "790", "16112", "27", "56"] + ["0"] * 5, [4] * 3)
    assert {r[5:10] for r in groups} == {(16, 1, 12, 27, 56), (16, 11, 2, 27, 56)}
    report = truth("hangzhou_2025")
    text = text_of(report)
    text = text.replace("| 16 | 1 | 12 | 27 | 56 |", "| 16 | 112 | 27 | 56 |")
    flat = "".join(line.replace("|", " ") for line in text.split("\n"))
    parsed = parse_text(flat)
    assert parsed["appeals"]["litigation_direct"] == {
        "upheld": 16,
        "corrected": None,
        "other": None,
        "pending": 27,
        "total": 56,
    }
    message = next(f["message"] for f in parsed["findings"] if f["where"] == "appeals")
    assert "不止一种拆分" in message


def test_a_label_remark_or_closing_quote_before_glued_figures_is_skipped():
    # A crawl prints "（二）部分公开（区分处理的，…）0 0 00" and "…一稳定”0 00": the
    # remark and the quote stand between the label and the row's figures.
    report = truth("linxia_2023")
    text = accuracy.damage(text_of(report), "flat", random.Random(0))
    assert "不计其他情形）0" in text and "一稳定”0" in text
    parsed = parse_text(text)
    assert_never_wrong(parsed, report)
    for key in ("partial", "denied.security_stability"):
        assert parsed["requests"][key] == report["requests"][key], key


def test_table_two_glued_digits_are_cut_only_where_one_reading_remains():
    report = truth("songxian_2020")
    text = text_of(report)
    text = text.replace("| 规章 | 0 | 0 | 0 |", "规章0 00").replace(
        "| 其他对外管理服务事项 | 2 | 0 | 51 |", "其他对外管理服务事项2 051"
    )
    text = text.replace("| 行政强制 | 14 | 0 | 645 |", "行政强制140 645")
    flat = "".join(line.strip() for line in text.split("\n"))
    parsed = parse_text(flat)
    proactive = parsed["proactive"]
    assert proactive["rules"] == {"made": 0, "published": 0, "public_total": 0}
    # "2 051": 0 cannot start 51, so the only cut is 2 | 0 | 51.
    assert proactive["other_services"] == {"prev_items": 2, "change": 0, "decisions": 51}
    # "140 645": 14 | 0 | 645, 140 | 6 | 45, 140 | 64 | 5 … all read: blank, and said so.
    assert proactive["coercion"] == {"prev_items": None, "change": None, "decisions": None}
    assert any(f["where"] == "proactive.coercion" for f in parsed["findings"])


def test_pdf_text_label_printed_around_table_two_figures():
    report = truth("songxian_2020")
    text = text_of(report).replace(
        "| 其他对外管理服务事项 | 2 | 0 | 51 |", "其他对外管\n2 0 51\n理服务事项"
    )
    parsed = parse_text(text)
    assert parsed["proactive"]["other_services"] == report["proactive"]["other_services"]


def test_rows_with_a_blank_total_are_placed_by_the_column_sums():
    # 上海市政府办公厅 2019 leaves 总计 blank on every result row; wrapped, the blank
    # cells' positions are lost. A row with no figure at all is blank (zeros in the sums).
    report = truth("shanghai_bgt_2019")
    text = accuracy.damage(text_of(report), "wrapped", random.Random(0))
    parsed = parse_text(text)
    assert_never_wrong(parsed, report)
    assert parsed["requests"]["granted"]["total"] is None  # printed blank, as the truth
    assert parsed["requests"]["new"]["total"] == 859
    assert parsed["requests"]["partial"]["legal_service"] == 0  # 3 cannot stand there


def test_a_crawled_table_with_one_blank_total_is_read_by_the_column_sums():
    # 上海市科委 2024 leaves 四、结转下年度继续办理's 总计 blank ("1 0 0 0 0 0"): no reading
    # of that row adds up, so any row may leave its 总计 blank; the whole table's column
    # sums, searched jointly, still leave one reading of every row.
    report = truth("shanghai_kw_2024")
    for seed in range(4):
        parsed = parse_text(accuracy.damage(text_of(report), "flat", random.Random(seed)))
        assert_never_wrong(parsed, report)
        for key, row in report["requests"].items():
            assert {c: v or 0 for c, v in parsed["requests"][key].items()} == {
                c: v or 0 for c, v in row.items()
            }, (seed, key)


def test_a_crawled_table_with_blank_totals_and_blank_columns_reads_what_the_sums_fix():
    # 上海市政府办公厅 2019: every result row's 总计 blank, and 科研机构 and 社会公益组织
    # blank on every row. Glued ("821 3521859"), each figure could stand in any column:
    # the column sums fix the totals and the columns right of every figure, never which
    # of the applicant columns the figures fill (any shift of the four printed columns
    # over the two blank ones adds up as well): those stay blank.
    report = truth("shanghai_bgt_2019")
    text = accuracy.damage(text_of(report), "flat", random.Random(0))
    assert "数量821 3521859二、" in text
    parsed = parse_text(text)
    assert_never_wrong(parsed, report)
    requests = parsed["requests"]
    assert requests["new"]["total"] == 859
    assert requests["carry_forward"]["total"] == 72
    assert requests["granted"]["total"] is None  # not a figure of the row: left blank in print
    assert requests["partial"]["legal_service"] == 0
    assert requests["new"]["natural_person"] is None  # 821 may stand in three columns


def test_a_row_whose_figures_add_up_by_chance_still_may_leave_its_total_blank():
    # The table leaves 总计 blank on every result row (the rows in known columns show it);
    # one row lost its blank cells' positions: "2.重复申请 5 5" is not 5 with a 总计 of 5.
    report = copy.deepcopy(truth("shanghai_bgt_2019"))
    rows = report["requests"]
    rows["not_processed.duplicate"]["commercial"] = 5
    for key in ("total", "new"):
        rows[key]["commercial"] += 1
        rows[key]["total"] += 1
    assert accuracy.truth_errors(report) == []
    text = text_of(report)
    row = "| 三、本年度办理结果 （五）不予处理 2.重复申请 | 5 | 5 | | | | | |"
    assert row in text
    parsed = parse_text(text.replace(row, "2.重复申请 5 5"))
    assert_never_wrong(parsed, report)
    assert parsed["requests"]["not_processed.duplicate"]["commercial"] == 5


def test_a_blank_total_is_not_summed_in_its_column():
    # a + b = t in each column; a leaves its 总计 blank (None): column 2 is not summed,
    # columns 0 and 1 still place b's figure.
    domains = {"a": {(1, 0, None)}, "b": {(2, 0, 2), (0, 2, 2)}, "t": {(3, 0, 3)}}
    solved = solve_columns(domains, [[("a", 1), ("b", 1), ("t", -1)]], 3)
    assert solved["b"] == {(2, 0, 2)}


def test_a_table_whose_columns_add_up_one_by_one_but_not_together_has_no_reading():
    # Each column alone can add up (1 + 2 or 2 + 1 = 3), the rows' readings cannot.
    domains = {"a": {(1, 2), (2, 1)}, "b": {(1, 1), (2, 2)}, "t": {(3, 3)}}
    assert solve_columns(domains, [[("a", 1), ("b", 1), ("t", -1)]], 2) is None


def test_a_search_too_wide_to_finish_decides_nothing_more(monkeypatch):
    domains = {"a": {(1, 2), (2, 1)}, "b": {(2, 1), (1, 2), (0, 3)}, "t": {(3, 3)}}
    equations = [[("a", 1), ("b", 1), ("t", -1)]]
    monkeypatch.setattr(glued, "_ROUNDS", 0)  # the search alone
    assert solve_columns(domains, equations, 2)["b"] == {(2, 1), (1, 2)}  # 0 + a ≠ 3
    # Stopped at once: neither "no reading adds up" (which would set the column sums
    # aside) nor any reading dropped.
    monkeypatch.setattr(glued, "_SEARCH_BUDGET", 1)
    assert solve_columns(domains, equations, 2) == domains


@st.composite
def small_table(draw):
    """A few rows' readings and equations between them; a last-column cell may be None."""
    width = draw(st.integers(1, 3))
    keys = ["a", "b", "c", "d"][: draw(st.integers(2, 4))]
    cell = st.integers(0, 4)
    last = st.one_of(cell, st.none())
    reading = st.tuples(*([cell] * (width - 1)), last)
    domains = {k: draw(st.sets(reading, min_size=1, max_size=4)) for k in keys}
    equations = []
    for _ in range(draw(st.integers(1, 2))):
        rows = draw(st.lists(st.sampled_from(keys), min_size=2, max_size=len(keys), unique=True))
        equations.append([(k, draw(st.sampled_from([1, -1]))) for k in rows])
    return domains, equations, width


@given(table=small_table())
@settings(max_examples=300, deadline=None)
def test_the_column_search_keeps_exactly_the_readings_some_whole_solution_uses(table):
    domains, equations, width = table
    keys = list(domains)
    used = {k: set() for k in keys}
    for combo in itertools.product(*(domains[k] for k in keys)):
        rows = dict(zip(keys, combo, strict=True))
        if all(
            any(rows[k][col] is None for k, _c in eq)  # through an unprinted cell: not summed
            or sum(c * rows[k][col] for k, c in eq) == 0
            for eq in equations
            for col in range(width)
        ):
            for k in keys:
                used[k].add(rows[k])
    expected = used if all(used.values()) else None
    assert solve_columns(domains, equations, width) == expected


def preamble_and_no_note(text):
    """The text with a preamble naming the sections, and table 三 without its note on
    the sums ("（本列数据的勾稽关系为…）"), as many reports print it."""
    text = re.sub(r"（本列数据[^）]*）", "", text)
    preamble = (
        "本报告包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
        "政府信息公开行政复议、行政诉讼情况、存在的主要问题及改进情况和其他需要报告的事项。"
        + "本机关认真贯彻落实条例要求，持续推进政务公开工作。"
        * 30
    )
    return text.replace("\n一、", f"\n{preamble}\n一、", 1)


def test_table_three_is_found_after_a_preamble_that_names_it():
    # Read from the preamble's "收到和处理政府信息公开申请情况", only 3.其他 turned up
    # (in "其他需要报告的事项") and every other row was left blank without a word.
    report = truth("hangzhou_2025")
    text = accuracy.damage(preamble_and_no_note(text_of(report)), "flat", random.Random(1))
    parsed = parse_text(text)
    assert_never_wrong(parsed, report)
    assert parsed["requests"]["new"] == report["requests"]["new"]


def test_a_row_the_crawled_text_does_not_yield_is_blank_with_a_finding():
    report = truth("hangzhou_2025")
    text = accuracy.damage(text_of(report), "flat", random.Random(1))
    assert "3.补正后申请内容仍不明确" in text
    parsed = parse_text(text.replace("3.补正后申请内容仍不明确", "3.补正后申请内容不清"))
    assert_never_wrong(parsed, report)
    assert parsed["requests"]["unavailable.unclear"]["total"] is None
    assert any(f["where"] == "requests.unavailable.unclear" for f in parsed["findings"])


def test_table_four_is_found_after_a_preamble_that_names_it():
    # 平潭 2025: "本报告包括…政府信息公开行政复议、行政诉讼情况、存在的主要问题…"
    # comes first; table 四's figures follow its own heading and header cells.
    report = truth("pingtan_2025")
    text = report["published_text"].read_text(encoding="utf-8")
    assert text.find("行政诉讼情况、存在") < text.find("行政诉讼情况行政复议")
    parsed = parse_text(text)
    assert parsed["appeals"] == report["appeals"]


def test_tab_positions_place_table_four():
    report = truth("shanghai_bgt_2019")
    text = accuracy.damage(text_of(report), "tabs", random.Random(0))
    assert "5\t\t\t2\t7\t8\t\t\t1\t9" in text
    parsed = parse_text(text)
    for group, row in report["appeals"].items():
        assert {k: v or 0 for k, v in parsed["appeals"][group].items()} == {
            k: v or 0 for k, v in row.items()
        }


def test_the_corpus_is_read_without_a_wrong_cell():
    totals, wrong = accuracy.measure(variants=2)
    assert wrong == []  # neither a wrong figure nor a blank without a finding
    for kind, (right, blank, bad, silent, _docs) in totals.items():
        cells = right + blank + bad + silent
        if not cells:
            continue  # the agencies' PDFs are not in this checkout (corpus/README.md)
        # "published" holds the reports' own texts, crawled pages with glued tables among
        # them (平潭): the floor for flattened layouts, 95 %, applies to them.
        # Floors as measured (44 reports, 2026-12): published 97.6 % (98.3 % on the 13
        # texts a clean checkout has), wrapped 98.3 %, pdf and PDF-to-Markdown 98.2 %
        # (PDF-to-Markdown 97.6 % over the two variants this test reads), flat 97.3 %,
        # the agencies' own PDF files 100 % (3 files, where a checkout has them in
        # var/corpus/). What the flattened copies leave blank, two readings
        # satisfy every sum: whole columns printed blank (any shift of the printed ones
        # adds up as well), table 二 (no sums), table 四's groups cut two ways. Where
        # labels and figures are apart (wrapped, pdf, pdf-md), rows placed by the printed
        # order are blank when the sums break with 四 itself placed by order, or in a
        # report whose own results and 总计 disagree with 一 + 二 − 四 as well.
        floor = {
            "published": 0.97,
            "clean": 1.0,
            "tabs": 1.0,
            "wrapped": 0.98,
            "pdf": 0.98,
            "pdf-md": 0.97,
            # Each cell on its own line, blank cells dropped: 99.5 % (rows with blank
            # cells fit several columns, as in flat copies: 上海市人民政府办公厅 2019
            # prints four of six applicant columns, and any shift of them adds up).
            "cell-lines": 0.99,
            "flat": 0.97,
            "pdf-real": 0.98,
            "html-real": 0.98,
            "docx-real": 0.98,
        }[kind]
        assert right / cells >= floor, (kind, right, cells)


def test_an_agencys_own_web_page_and_crawled_text_are_read_from_var(tmp_path, monkeypatch):
    """A truth file may name the agency's web page (html-real) and its crawled text
    (published) that only var/corpus/ of a checkout keeps: both are read from there, as
    a user uploads them, and a truth whose files are absent is still loaded."""
    data = json.loads((accuracy.CORPUS / "truth" / "hangzhou_2025.json").read_text("utf-8"))
    data.update(html="html/hangzhou_2025.html", published="txt/hangzhou_2025.txt")
    path = tmp_path / "hangzhou_2025.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(accuracy, "_var", lambda: tmp_path / "var")
    absent = accuracy.load_truth(path)
    assert absent["originals"] == {"html": None} and absent["published_text"] is None

    base = tmp_path / "var" / "corpus"
    (base / "html").mkdir(parents=True)
    (base / "txt").mkdir()
    (base / "html" / "hangzhou_2025.html").write_bytes(render(absent, "html"))
    (base / "txt" / "hangzhou_2025.txt").write_text(text_of(absent), encoding="utf-8")
    report = accuracy.load_truth(path)
    monkeypatch.setattr(accuracy, "truth_reports", lambda: [report])
    [(kind, _name, parsed, _truth)] = list(accuracy.real_files())
    right, blank, wrong, silent, _cells = accuracy.score(parsed, report)
    assert kind == "html-real" and (blank, wrong, silent) == (0, 0, 0) and right > 0
    assert ("published", "hangzhou_2025") in {(k, n) for k, n, _t, _r in accuracy.corpus(1)}


# ---- Any correct report, flattened -------------------------------------------------------


@st.composite
def correct_report(draw):
    """A report whose tables 三 and 四 hold random figures that satisfy every national sum."""
    template = draw(st.sampled_from(["2019", "2021"]))
    base = copy.deepcopy(truth("hangzhou_2025" if template == "2021" else "shanghai_bgt_2019"))
    rows = base["requests"]
    results = [k for k in tables.RESULT_KEYS if k != "other"]
    results += list(tables.OTHER_PARTS) if template == "2021" else ["other"]
    figure = st.one_of(st.just(0), st.just(0), st.integers(0, 9), st.integers(10, 5000))
    cols = [c.key for c in tables.REQUEST_COLUMNS]
    for key in rows:
        rows[key] = dict.fromkeys(cols, 0)
    for col in cols[:-1]:
        for key in results:
            rows[key][col] = draw(figure)
        rows["total"][col] = sum(rows[k][col] for k in results)
        rows["carry_forward"][col] = draw(figure)
        done = rows["total"][col] + rows["carry_forward"][col]
        rows["carried_over"][col] = draw(st.integers(0, done))
        rows["new"][col] = done - rows["carried_over"][col]
    for row in rows.values():
        row["total"] = sum(row[c] for c in cols[:-1])
    # Blanks as real tables print them: a result row with no figure at all, zeros left
    # blank, and (some reports) the 总计 column left blank on every result row.
    blank_totals = draw(st.booleans())
    for key in results:
        if not any(rows[key].values()) and draw(st.booleans()):
            rows[key] = dict.fromkeys(cols)
            continue
        for col in cols[:-1]:
            if rows[key][col] == 0 and draw(st.integers(0, 3)) == 0:
                rows[key][col] = None
        if blank_totals:
            rows[key]["total"] = None
    # One row printing its 总计 blank although its figures call for one (上海市科委 2024's
    # 结转下年度): the row is read blank or placed by the column sums, never shifted. (A
    # result row's alone would break the results' sum in the 总计 column, which the truth
    # files only waive for the whole column: the result rows are drawn above.)
    lone = draw(st.sampled_from([None, "new", "carried_over", "total", "carry_forward"]))
    if lone is not None:
        rows[lone]["total"] = None
        base["blank_cells"] = {f"requests.{lone}/total": "原文该格空白"}
    if template == "2021":
        rows["other"] = {
            c: None
            if all(rows[k][c] is None for k in tables.OTHER_PARTS)
            else sum(rows[k][c] or 0 for k in tables.OTHER_PARTS)
            for c in cols
        }
    for group in base["appeals"].values():
        for col in ("upheld", "corrected", "other", "pending"):
            group[col] = draw(figure)
        group["total"] = sum(group[c] for c in ("upheld", "corrected", "other", "pending"))
    # Table 二 has no sums: its counts (blanks among them) are cut by the digits alone.
    for block, row in tables.TEMPLATES[template].proactive_rows():
        for col in block.columns:
            if col.kind == tables.COUNT:
                base["proactive"][row.key][col.key] = draw(st.one_of(st.none(), figure))
            elif col.kind == tables.SIGNED:
                base["proactive"][row.key][col.key] = draw(st.integers(-60, 60))
    return base


@given(report=correct_report(), seed=st.integers(0, 10**6))
@FAST
def test_any_correct_report_flattened_is_read_back_or_left_blank(report, seed):
    assert accuracy.truth_errors(report) == []
    text = accuracy.damage(text_of(report), "flat", random.Random(seed))
    assert_never_wrong(parse_text(text), report)


@given(
    report=correct_report(),
    seed=st.integers(0, 10**6),
    kind=st.sampled_from(["wrapped", "pdf", "pdf-md", "cell-lines"]),
)
@FAST
def test_any_correct_report_wrapped_or_pdf_like_has_no_wrong_figure(report, seed, kind):
    text = accuracy.damage(text_of(report), kind, random.Random(seed))
    right, blank, wrong, _silent, cells = accuracy.score(parse_text(text), report)
    assert wrong == 0, cells


@given(
    report=correct_report(),
    seed=st.integers(0, 10**6),
    kind=st.sampled_from(["wrapped", "pdf", "pdf-md", "flat", "cell-lines"]),
    col=st.sampled_from([c.key for c in tables.REQUEST_COLUMNS]),
    slip=st.integers(1, 30),
)
@FAST
def test_a_misprinted_total_is_read_as_printed_or_left_blank_never_elsewhere_wrong(
    report, seed, kind, col, slip
):
    """The report's own （七）总计 misprinted in one column (as 平潭 2020 and 经济发展局
    2024/2025 print it): the parser may read it as printed, or leave cells blank, but
    no other cell may take a wrong figure from the broken sum."""
    report["requests"]["total"][col] = (report["requests"]["total"][col] or 0) + slip
    text = accuracy.damage(text_of(report), kind, random.Random(seed))
    assert_never_wrong(parse_text(text), report)


def test_a_count_with_its_measure_word_in_a_crawled_table_two():
    # 平潭财政金融局 2020's crawled page prints "政府集中采购 2笔 984361元": the count
    # carries 笔, as amounts carry 元; both cells are read, not the row left blank.
    text = accuracy.damage(text_of(truth("shizuishan_2020")), "flat", random.Random(1))
    glued_row = re.search(r"政府集中采购\s*[\d ]+元", text)[0]
    parsed = parse_text(text.replace(glued_row, "政府集中采购 2笔 984361元"))
    assert parsed["proactive"]["procurement"]["items"] == 2
    assert parsed["proactive"]["procurement"]["amount_yuan"] == 984361


def test_a_misprinted_total_in_a_glued_table_is_not_read_as_a_total_left_blank():
    # （七）总计 prints 1 自然人 over results of 0 (found by the property above): no reading
    # of "10 0 0 010 10" adds up with a 总计, so the table was also tried as one leaving
    # its 总计 blank, and "10 0 0 0 10 10" (总计 unprinted) was read as fact. That guess
    # needs the column sums, which the misprint breaks: the row stays blank.
    report = copy.deepcopy(truth("hangzhou_2025"))
    for row in report["requests"].values():
        for col in row:
            row[col] = 0
    for key in ("new", "other.other", "other", "total"):
        report["requests"][key].update(other_org=10, total=10)
    report["requests"]["total"]["natural_person"] = 1
    text = accuracy.damage(text_of(report), "flat", random.Random(0))
    text = re.sub(r"（七）总计[\d ]+四、", "（七）总计10 0 0 010 10四、", text)
    parsed = parse_text(text)
    assert_never_wrong(parsed, report)
    assert parsed["requests"]["total"]["other_org"] is None


def test_a_table_printed_a_cell_per_line_is_read_by_its_sums():
    # pdftotext without -layout: each cell on its own line, blank cells dropped. Only a
    # row's first figure used to be taken, the rest dropped.
    report = truth("hangzhou_2025")
    text = accuracy.damage(text_of(report), "cell-lines", random.Random(0))
    assert "一、本年新收政府信息公开申请数量\n13612\n252\n" in text
    parsed = parse_text(text)
    right, _blank = assert_never_wrong(parsed, report)
    assert parsed["requests"]["new"] == report["requests"]["new"]
    assert right >= 180


def test_a_row_whose_other_figures_stand_apart_has_no_total_of_0():
    # 上海市人民政府办公厅 2019 a cell per line: its rows print blank cells, so their
    # figures (821 35 2 1 859) fit several columns and stay blank. A row read with one
    # figure only had its 总计 read as a decided 0, although 859 was printed.
    report = truth("shanghai_bgt_2019")
    text = accuracy.damage(text_of(report), "cell-lines", random.Random(0))
    assert "一、本年新收政府信息公开申请数量\n821\n35\n2\n1\n859\n" in text
    lines = text.replace("\n35\n2\n1\n859\n", "\n", 1)  # the rest of the row lost
    parsed = parse_text(lines)
    assert parsed["requests"]["new"]["total"] is None
    right, blank, wrong, silent, cells = accuracy.score(parsed, report)
    assert ("requests", "new", "total") not in {c for c, _e, _v in cells}


def test_a_short_numbered_label_alone_on_its_line_takes_the_figures_below_it():
    # A cell per line: "（七）总计" and "3.其他" stand alone, their figures on the lines
    # below. Their phrases are short, so alone they read as header cells ("总计", "其他"):
    # both rows were lost. Their row number says they start a row; the figures follow.
    report = truth("hangzhou_2025")
    text = accuracy.damage(text_of(report), "cell-lines", random.Random(0))
    assert "（七）总计\n13364\n252\n" in text and "3.其他\n941\n17\n" in text
    parsed = parse_text(text)
    assert_never_wrong(parsed, report)
    for key in ("total", "other.other"):
        assert parsed["requests"][key] == report["requests"][key]


def test_a_group_label_cut_short_before_its_figures_is_no_short_row_of_its_own():
    # PDF text cuts 2019's "（六）其他处理" around its figures: "（六）其他" / "2 0 0 0 0 0 2" /
    # "处理". "（六）其他" holds the words of 2021's 3.其他, but not its number: it is
    # the start of 其他处理, whose figures these are (read as 3.其他, a row the 2019
    # format has not, they were lost and 其他处理 left blank without a word).
    report = truth("pingtan_gwh_2019")
    text = accuracy.damage(text_of(report), "pdf", random.Random(1))
    assert "\n（六）其他\n2 0 0 0 0 0 2\n处理\n" in text
    parsed = parse_text(text)
    assert_never_wrong(parsed, report)
    assert parsed["requests"]["other"] == report["requests"]["other"]
    assert "requests.other.other" not in {f["where"] for f in parsed["findings"]}
