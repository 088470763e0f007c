"""The checker: each rule passing and failing, null/SHAPE skipping, continuity."""

import pytest

from gongkai.reports import checks, findings, tables


def zeros(report):
    """Every request, appeal and proactive count printed as 0."""
    for section in ("requests", "appeals", "proactive"):
        for row in report[section].values():
            for col in row:
                if col not in ("amount_as_printed", "unit_as_printed"):
                    row[col] = 0
    return report


def add(report, row, **cells):
    """Add counts to a request row and keep its 总计 column right."""
    target = report["requests"][row]
    for col, value in cells.items():
        target[col] += value
        target["total"] += value


def consistent(template, year, agency="海宁市公安局"):
    """A report whose tables hold: 3 new (2 自然人, 1 商业企业), 1 granted, 2 other."""
    report = zeros(tables.empty_report(template))
    report.update(year=year, agency=agency)
    other = "other" if template == "2019" else "other.other"
    add(report, "new", natural_person=2, commercial=1)
    add(report, "granted", natural_person=1)
    add(report, other, natural_person=1, commercial=1)
    add(report, "total", natural_person=2, commercial=1)
    if template == "2021":
        add(report, "other", natural_person=1, commercial=1)  # the derived row
    return report


def rules(found):
    return sorted({f["rule"] for f in found})


def shape(where):
    return findings.finding("SHAPE", findings.WARNING, where, "单元格数与模板不符")


@pytest.mark.parametrize("template,year", [("2019", 2020), ("2021", 2021)])
def test_a_consistent_report_has_no_findings(template, year):
    assert checks.check(consistent(template, year)) == []


def test_every_finding_is_well_formed():
    report = consistent("2021", 2021)
    report["requests"]["carry_forward"]["natural_person"] = 1
    report["appeals"]["reconsideration"]["upheld"] = 1
    report["template"] = "2019"
    for f in checks.check(report):
        assert f["rule"] in findings.RULES and f["severity"] in findings.SEVERITIES
        assert set(f) == {"rule", "severity", "where", "message", "expected", "actual"}


# ---- T3-BALANCE ----------------------------------------------------------------------


def test_balance_fails_per_column_with_a_clear_chinese_message():
    report = consistent("2021", 2021)
    report["requests"]["carried_over"]["total"] = 1  # 总计 column only: 3+1 != 3+0
    found = [f for f in checks.check(report) if f["rule"] == "T3-BALANCE"]
    assert len(found) == 1
    f = found[0]
    assert f["severity"] == "error" and f["where"] == "requests.total/total"
    assert (f["expected"], f["actual"]) == (4, 3)
    assert f["message"] == (
        "“总计”列：一、本年新收政府信息公开申请数量（3）加二、上年结转政府信息公开申请数量（1）"
        "应等于（七）总计（3）加四、结转下年度继续办理（0），实际相差1。"
    )


def test_balance_counts_blank_cells_as_zero():
    report = tables.empty_report("2021")
    report["year"] = 2021
    report["requests"]["new"].update(natural_person=2, total=2)
    report["requests"]["granted"].update(natural_person=2, total=2)
    report["requests"]["total"].update(natural_person=2, total=2)
    assert checks.check(report) == []
    report["requests"]["carry_forward"]["natural_person"] = 1
    found = [f for f in checks.check(report) if f["rule"] == "T3-BALANCE"]
    assert [f["where"] for f in found] == ["requests.total/natural_person"]
    assert "四、结转下年度继续办理（1）" in found[0]["message"]


def test_an_empty_table_is_not_checked():
    report = tables.empty_report("2021")
    report["year"] = 2021
    assert checks.check(report) == []


# ---- Null cells in rows the parser could not place (SHAPE) ---------------------------


def seed_000_new_row(report):
    """Seed 000 prints 一、本年新收 as "2 | 1 | 3": only the 总计 is certain."""
    report["requests"]["new"].update(natural_person=None, commercial=None, total=3)
    return report


def test_uncertain_row_is_skipped_not_reported():
    report = seed_000_new_row(consistent("2019", 2020))
    report["findings"].append(shape("requests.new"))
    assert checks.check(report) == []


def test_the_same_blanks_without_a_shape_finding_are_errors():
    report = seed_000_new_row(consistent("2019", 2020))
    found = checks.check(report)
    assert rules(found) == ["T3-BALANCE", "T3-ROW-TOTAL"]
    assert {f["where"] for f in found if f["rule"] == "T3-BALANCE"} == {
        "requests.total/natural_person",
        "requests.total/commercial",
    }


def test_a_parse_finding_on_one_cell_marks_only_that_cell_unknown():
    report = seed_000_new_row(consistent("2019", 2020))
    report["findings"].append(
        findings.finding("PARSE", findings.WARNING, "requests.new/natural_person", "无法确定")
    )
    found = checks.check(report)
    # 商业企业 is still a blank of a certain row: 0 + 0 != 0 + 1.
    assert {f["where"] for f in found} == {"requests.total/commercial"}


def test_uncertain_whole_appeals_table_is_skipped():
    report = consistent("2021", 2021)
    report["appeals"]["litigation_after"].update(upheld=None, total=1)
    assert rules(checks.check(report)) == ["T4-GROUP-SUM"]
    report["findings"].append(shape("appeals"))
    assert checks.check(report) == []


def test_a_certain_number_in_an_uncertain_row_is_still_checked():
    report = consistent("2021", 2021)
    report["findings"].append(shape("requests.new"))
    report["requests"]["new"]["total"] = 5  # printed, so known: 5 != 2 + 1
    assert "T3-ROW-TOTAL" in rules(checks.check(report))


# ---- T3-ROW-TOTAL -------------------------------------------------------------------------


def test_row_total_blank_total_cell_is_reported():
    report = consistent("2019", 2020)
    report["requests"]["granted"]["total"] = None  # Shanghai 2019: 总计 left blank
    found = [f for f in checks.check(report) if f["rule"] == "T3-ROW-TOTAL"]
    assert len(found) == 1
    f = found[0]
    assert f["where"] == "requests.granted/total" and f["severity"] == "error"
    assert (f["expected"], f["actual"]) == (1, None)
    assert f["message"].startswith("“（一）予以公开”行：“总计”列（空白）应等于自然人、商业企业")
    assert "实际相差1。" in f["message"]


def test_row_total_names_the_group_of_a_numbered_row():
    report = consistent("2021", 2021)
    report["requests"]["denied.state_secret"]["natural_person"] = 1
    found = [f for f in checks.check(report) if f["rule"] == "T3-ROW-TOTAL"]
    assert [f["where"] for f in found] == ["requests.denied.state_secret/total"]
    assert "“（三）不予公开1.属于国家秘密”行" in found[0]["message"]


# ---- T3-RESULT-SUM -------------------------------------------------------------------------


def test_result_sum_fails_and_lists_the_rows_with_numbers():
    report = consistent("2019", 2020)
    add(report, "granted", natural_person=1)
    add(report, "carry_forward", natural_person=-1)  # keep the balance right: 3+0 = 3+0
    add(report, "total", natural_person=1)
    add(report, "total", natural_person=-1)
    add(report, "carry_forward", natural_person=1)
    found = checks.check(report)
    assert rules(found) == ["T3-RESULT-SUM"]
    by_col = {f["where"]: f for f in found}
    assert set(by_col) == {"requests.total/natural_person", "requests.total/total"}
    f = by_col["requests.total/natural_person"]
    assert (f["expected"], f["actual"]) == (3, 2)
    assert "（七）总计（2）应等于本年度办理结果各项之和（3）" in f["message"]
    assert "有数的项：（一）予以公开2、（六）其他处理1。" in f["message"]


def test_result_sum_2021_uses_the_three_other_rows():
    report = consistent("2021", 2021)
    report["requests"]["other"] = {c: None for c in report["requests"]["other"]}
    assert checks.check(report) == []  # the derived row is not needed to check 总计


# ---- T3-OTHER-SUM (2021 only) ----------------------------------------------------------------


def test_other_sum_fails_when_the_derived_row_is_wrong():
    report = consistent("2021", 2021)
    report["requests"]["other"]["total"] = 5
    found = checks.check(report)
    assert rules(found) == ["T3-OTHER-SUM"]
    f = found[0]
    assert f["where"] == "requests.other/total" and (f["expected"], f["actual"]) == (2, 5)
    assert f["message"] == "“总计”列：“（六）其他处理”（5）应等于其下1至3项之和（2），实际相差3。"


def test_other_sum_is_not_a_2019_rule():
    report = consistent("2019", 2020)
    assert "other.other" not in report["requests"]
    assert all(f["rule"] != "T3-OTHER-SUM" for f in checks.check(report))


# ---- T4-GROUP-SUM -----------------------------------------------------------------------------


def test_group_sum_passes_and_fails():
    report = consistent("2021", 2021)
    report["appeals"]["reconsideration"].update(upheld=1, pending=1, total=2)
    assert checks.check(report) == []
    report["appeals"]["litigation_direct"].update(corrected=1, total=0)
    found = checks.check(report)
    assert rules(found) == ["T4-GROUP-SUM"]
    f = found[0]
    assert f["where"] == "appeals.litigation_direct/total"
    assert (f["expected"], f["actual"]) == (1, 0)
    assert f["message"] == (
        "表四“行政诉讼（未经复议直接起诉）”：“总计”（0）应等于结果维持、结果纠正、其他结果、"
        "尚未审结之和（1），实际相差1。"
    )


# ---- TEMPLATE-YEAR ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "template,year,expected",
    [
        ("2019", 2021, "2021"),
        ("2021", 2020, "2019"),
        ("2008", 2019, "2019"),
        ("2019", 2024, "2021"),
    ],
)
def test_template_year_mismatch_is_an_error(template, year, expected):
    report = tables.empty_report(template)
    report["year"] = year
    found = checks.check(report)
    assert rules(found) == ["TEMPLATE-YEAR"]
    f = found[0]
    assert f["severity"] == "error" and (f["expected"], f["actual"]) == (expected, template)
    assert f"本报告为{year}年度报告，应使用{tables.TEMPLATES[expected].name}" in f["message"]


@pytest.mark.parametrize(
    "template,year",
    [("2019", 2019), ("2019", 2020), ("2021", 2021), ("2008", 2017), ("2021", None)],
)
def test_template_year_match_or_unknown_year(template, year):
    report = tables.empty_report(template)
    report["year"] = year
    assert checks.check(report) == []


# ---- NARRATIVE-MATCH ------------------------------------------------------------------------------

SEED_000 = (
    "共收到依申请公开3件,其中申请人主动撤回2件,依法依规公开政府信息1件,3件依申请公开均已办结。"
    "本年度无因政府信息公开引起的行政复议案件。"
)


def test_narrative_matching_the_table_passes():
    report = consistent("2021", 2021)
    report["narrative"]["overview"] = SEED_000
    assert checks.check(report) == []


def test_narrative_contradicting_the_table_is_a_warning():
    report = consistent("2021", 2021)
    report["narrative"]["overview"] = SEED_000.replace("收到依申请公开3件", "收到依申请公开5件")
    found = checks.check(report)
    assert rules(found) == ["NARRATIVE-MATCH"]
    f = found[0]
    assert f["severity"] == "warning" and f["where"] == "narrative.overview"
    assert (f["expected"], f["actual"]) == (3, 5)
    assert f["message"] == (
        "正文“共收到依申请公开5件”所述数字（5）与表三“一、本年新收政府信息公开申请数量”的"
        "“总计”（3）不一致，请核对正文或表格。"
    )


def test_narrative_appeals_and_litigation_sum():
    report = consistent("2021", 2021)
    report["appeals"]["reconsideration"].update(upheld=1, total=1)
    report["appeals"]["litigation_direct"].update(pending=1, total=1)
    report["appeals"]["litigation_after"].update(upheld=1, total=1)
    report["narrative"]["overview"] = "因政府信息公开被申请行政复议1件，被提起行政诉讼2件。"
    assert checks.check(report) == []
    report["narrative"]["overview"] = "没有发生因政务公开申请行政复议、提起行政诉讼情况。"
    found = checks.check(report)
    assert [(f["expected"], f["actual"]) for f in found] == [(2, 0), (1, 0)]
    assert (
        "表四“行政诉讼”两组（未经复议直接起诉、复议后起诉）的“总计”之和（2）" in found[0]["message"]
    )


@pytest.mark.parametrize(
    "template,year,columns",
    [("2021", 2023, ("issued", "in_force")), ("2019", 2020, ("made", "public_total"))],
)
def test_narrative_normative_documents_per_template(template, year, columns):
    report = consistent(template, year)
    report["narrative"]["overview"] = "制发规范性文件1件,现行有效规范性文件1件。"
    issued, in_force = columns
    report["proactive"]["normative_documents"].update({issued: 1, in_force: 1})
    assert checks.check(report) == []
    report["proactive"]["normative_documents"][in_force] = 12
    found = checks.check(report)
    assert [f["rule"] for f in found] == ["NARRATIVE-MATCH"]
    label = "行政规范性文件" if template == "2021" else "规范性文件"
    assert f"表二“{label}”" in found[0]["message"] and found[0]["expected"] == 12


def test_narrative_figure_against_an_unknown_cell_is_skipped():
    report = seed_000_new_row(consistent("2019", 2020))
    report["requests"]["new"]["total"] = None
    report["findings"].append(shape("requests.new"))
    report["narrative"]["overview"] = "共收到依申请公开3件。"
    assert checks.check(report) == []


def test_narrative_about_another_year_is_not_compared():
    report = consistent("2021", 2021)
    report["narrative"]["overview"] = "2020年共收到依申请公开7件。"
    assert checks.check(report) == []


def test_narrative_in_later_sections_is_located():
    report = consistent("2021", 2021)
    report["narrative"]["other"] = "本年度共收到政府信息公开申请4件。"
    found = checks.check(report)
    assert [f["where"] for f in found] == ["narrative.other"]


def test_2008_report_has_no_table_or_narrative_checks():
    report = tables.empty_report("2008")
    report["year"] = 2017
    report["narrative"]["overview"] = "共收到政府信息公开申请5件。"
    report["legacy"]["received"] = 5
    assert checks.check(report) == []


# ---- Robustness --------------------------------------------------------------------------------


def test_malformed_input_does_not_crash():
    assert checks.check({}) == []
    assert checks.check(None) == []
    report = consistent("2021", 2021)
    report["requests"]["new"]["natural_person"] = "二"  # not a number: unknown, skipped
    del report["requests"]["partial"]
    report["narrative"] = None
    assert checks.check(report) == []


# ---- CONTINUITY ------------------------------------------------------------------------------------


def carry(report, **cells):
    add(report, "carry_forward", **cells)
    add(report, "total", **{k: -v for k, v in cells.items()})
    add(report, "granted", **{k: -v for k, v in cells.items()})


def test_continuity_consecutive_reports_that_agree():
    last, this = consistent("2019", 2020), consistent("2021", 2021)
    carry(last, natural_person=1)
    add(this, "carried_over", natural_person=1)
    add(this, "granted", natural_person=1)
    add(this, "total", natural_person=1)
    assert checks.check(last) == [] and checks.check(this) == []
    assert checks.check_continuity(last, this) == []


def test_continuity_carried_over_must_equal_last_years_carry_forward():
    last, this = consistent("2021", 2021), consistent("2021", 2022)
    carry(last, natural_person=1)
    found = checks.check_continuity(last, this)
    assert [(f["rule"], f["severity"], f["where"]) for f in found] == [
        ("CONTINUITY", "error", "requests.carried_over/natural_person"),
        ("CONTINUITY", "error", "requests.carried_over/total"),
    ]
    assert (found[0]["expected"], found[0]["actual"]) == (1, 0)
    assert found[0]["message"] == (
        "“自然人”列：本年“二、上年结转政府信息公开申请数量”（0）应等于2021年报告"
        "“四、结转下年度继续办理”（1），实际相差1。"
    )


def test_continuity_skips_unknown_cells():
    last, this = consistent("2021", 2021), consistent("2021", 2022)
    carry(last, natural_person=1)
    this["requests"]["carried_over"].update(natural_person=None, total=None)
    this["findings"].append(shape("requests.carried_over"))
    assert checks.check_continuity(last, this) == []


def test_continuity_2019_proactive_items():
    last, this = consistent("2019", 2019), consistent("2019", 2020)
    last["proactive"]["licensing"].update(prev_items=159, change=-61)  # seed 000
    this["proactive"]["licensing"]["prev_items"] = 98
    assert checks.check_continuity(last, this) == []
    this["proactive"]["licensing"]["prev_items"] = 159
    found = checks.check_continuity(last, this)
    assert [f["where"] for f in found] == ["proactive.licensing/prev_items"]
    assert (found[0]["expected"], found[0]["actual"]) == (98, 159)
    assert found[0]["message"] == (
        "“行政许可”：本年“上一年项目数量”（159）应等于2019年报告的“上一年项目数量”（159）"
        "加“本年增/减”（减61），即98，实际相差61。"
    )


def test_continuity_in_force_is_a_warning_only():
    last, this = consistent("2021", 2021), consistent("2021", 2022)
    last["proactive"]["normative_documents"]["in_force"] = 3
    this["proactive"]["normative_documents"].update(issued=2, repealed=1, in_force=4)
    assert checks.check_continuity(last, this) == []
    this["proactive"]["normative_documents"]["in_force"] = 9
    found = checks.check_continuity(last, this)
    assert [(f["severity"], f["where"]) for f in found] == [
        ("warning", "proactive.normative_documents/in_force")
    ]
    assert (found[0]["expected"], found[0]["actual"]) == (4, 9)
    assert "“行政规范性文件”：2021年报告的“现行有效件数”（3）" in found[0]["message"]


def test_continuity_2019_public_total_is_a_warning_only():
    """2019 format: this year's 对外公开总数量 ≈ last year's + 本年新公开数量 (heuristic)."""
    last, this = consistent("2019", 2019), consistent("2019", 2020)
    last["proactive"]["normative_documents"]["public_total"] = 40
    this["proactive"]["normative_documents"].update(made=6, published=5, public_total=45)
    assert checks.check_continuity(last, this) == []
    this["proactive"]["normative_documents"]["public_total"] = 5  # this year's only
    found = checks.check_continuity(last, this)
    assert [(f["rule"], f["severity"], f["where"]) for f in found] == [
        ("CONTINUITY", "warning", "proactive.normative_documents/public_total")
    ]
    assert (found[0]["expected"], found[0]["actual"]) == (45, 5)
    assert (
        "2019年报告的“对外公开总数量”（40）加本年“本年新公开数量”（5）为45" in found[0]["message"]
    )


def test_continuity_across_formats_compares_only_what_both_have():
    last, this = consistent("2019", 2020), consistent("2021", 2021)
    last["proactive"]["licensing"].update(prev_items=10, change=5)
    last["proactive"]["normative_documents"]["public_total"] = 12
    this["proactive"]["normative_documents"]["in_force"] = 1
    assert checks.check_continuity(last, this) == []


@pytest.mark.parametrize(
    "last,this,where,text",
    [
        (("海宁市公安局", 2020), ("嵩县公安局", 2021), "agency", "不属于同一机关"),
        (("海宁市公安局", 2019), ("海宁市公安局", 2021), "year", "不相邻"),
        (("海宁市公安局", 2021), ("海宁市公安局", 2020), "year", "顺序颠倒"),
        (("海宁市公安局", None), ("海宁市公安局", 2021), "year", "无法确定报告年度"),
    ],
)
def test_continuity_refuses_politely(last, this, where, text):
    a = consistent("2021", 2021, agency=last[0])
    b = consistent("2021", 2021, agency=this[0])
    a["year"], b["year"] = last[1], this[1]
    carry(a, natural_person=1)  # would be a CONTINUITY error if compared
    found = checks.check_continuity(a, b)
    assert len(found) == 1
    assert found[0]["rule"] == "CONTINUITY" and found[0]["where"] == where
    assert text in found[0]["message"] and found[0]["severity"] == "warning"


def test_continuity_with_a_2008_report_says_what_it_could_not_compare():
    last = tables.empty_report("2008")
    last.update(year=2018, agency="海宁市公安局")
    found = checks.check_continuity(last, consistent("2019", 2019))
    assert [(f["rule"], f["severity"]) for f in found] == [("CONTINUITY", "info")]
    assert checks.check_continuity(None, {})[0]["rule"] == "CONTINUITY"
