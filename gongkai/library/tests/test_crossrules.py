"""The checks beyond one report, as pure functions over report dicts (no database)."""

import copy
import datetime as dt
import functools

import pytest

from gongkai.library import crossrules
from gongkai.reports import engine

from .conftest import TESTDATA

HAINING, _GUANGDONG, SHIZUISHAN, LINXIA, SONGXIAN = TESTDATA


@functools.cache
def _read(path):
    return engine.analyse_file(path)


def doc(path, *, year=None, agency=None, agency_id=1, id=1):
    d = copy.deepcopy(_read(path))
    d.update(year=year or d["year"], agency=agency or d["agency"], agency_id=agency_id, id=id)
    return d


def rules(found):
    return [(f["rule"], f["severity"], f["where"]) for f in found]


# ---- TEMPLATE-YEAR on the library's year ----------------------------------------------


def test_template_year_is_checked_on_the_year_the_report_is_filed_under():
    # 海宁市公安局's 2021 report is printed in the 2019 format (the seed).
    assert rules(crossrules.template_year(doc(HAINING))) == [("TEMPLATE-YEAR", "error", "template")]
    # Filed under 2020 by a person (its text misread), the 2019 format is right.
    assert crossrules.template_year(doc(HAINING, year=2020)) == []
    # 临夏 2023 in the 2021 format, filed as 2020: wrong for that year.
    found = crossrules.template_year(doc(LINXIA, year=2020))
    assert (found[0]["expected"], found[0]["actual"]) == ("2019", "2021")


# ---- PARENT-SUM ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        # The wording of real reports (丽水市 2017, 南平市 2012, 上海市 2012) …
        "本年度报告根据《中华人民共和国政府信息公开条例》要求，综合2023年度洛阳市各县（市、区）"
        "公安局和市局各部门的政府信息公开年度工作报告编制而成。",
        "本报告由市公安局汇总各县（市、区）公安局政府信息公开工作情况编制而成。",
        # … and of bureaus' own statements of scope.
        "本报告数据包括局机关及所属各县（市、区）公安局。",
        "2023年，全局（含下属单位）共收到政府信息公开申请12件。",
        "本报告统计数据含各分局数据。",
    ],
)
def test_a_statement_that_the_figures_include_subordinate_agencies_is_found(sentence):
    d = doc(LINXIA)
    d["narrative"]["overview"] = "一些别的话。" + sentence + "其后的话。"
    assert crossrules.covers_children(d) == sentence


@pytest.mark.parametrize(
    "sentence",
    [
        # Real sentences that speak of subordinate units without saying the figures cover them.
        "由分管领导负责，局属相关部门根据职责，统筹开展工作，推动政府信息工作不断走深走实。",
        "2023年，全州公安机关共召开媒体通气会、通联会、座谈会92场次。",
        "定期与区县公安（分）局、区级部门开展政府信息依申请公开工作交流。",
    ],
)
def test_words_about_subordinate_units_alone_are_not_such_a_statement(sentence):
    d = doc(LINXIA)
    d["narrative"]["overview"] = sentence
    assert crossrules.covers_children(d) is None
    for path in TESTDATA:  # none of the seeds says so
        assert crossrules.covers_children(doc(path)) is None


def _with_requests(new, reconsideration=0, **kw):
    d = doc(LINXIA, **kw)
    d["requests"]["new"]["total"] = new
    d["appeals"]["reconsideration"]["total"] = reconsideration
    return d


def test_parent_covering_its_children_cannot_report_less_than_their_sum():
    parent = _with_requests(3, agency="洛阳市公安局")
    children = [
        _with_requests(5, 1, agency="嵩县公安局", agency_id=2),
        _with_requests(2, agency="栾川县公安局", agency_id=3),
    ]
    for section, row, col, _words in crossrules.SUM_FIGURES[1:]:  # these cover the children
        parent[section][row][col] = sum(c[section][row][col] or 0 for c in children)
    statement = "本报告数据包括局机关及所属各县（市、区）公安局。"
    found = crossrules.parent_sum(parent, children, statement)
    assert rules(found) == [("PARENT-SUM", "error", "children.requests.new/total")]
    assert (found[0]["expected"], found[0]["actual"]) == (7, 3)
    assert found[0]["message"].startswith(
        f"报告称“{statement}”，但“本年新收政府信息公开申请数量”为 3"
    )
    assert (
        "少于下级机关（嵩县公安局、栾川县公安局）2023年度报告之和 7，相差 4" in found[0]["message"]
    )
    # Enough to cover them (its own applications on top): nothing to say.
    parent["requests"]["new"]["total"] = 9
    parent["appeals"]["reconsideration"]["total"] = 1
    assert crossrules.parent_sum(parent, children, statement) == []
    # Without the statement, a parent's report is its own: not compared.
    parent["requests"]["new"]["total"] = 0
    assert crossrules.parent_sum(parent, children, None) == []


# ---- REPORT-MISSING / REPORT-LATE (Art. 49) ---------------------------------------------


def test_a_missing_report_is_a_finding_once_the_deadline_passed():
    # A department: by 31 January (Beijing dates, pinned).
    assert (
        crossrules.missing("嵩县公安局", 2023, government=False, today=dt.date(2024, 1, 31)) == []
    )
    found = crossrules.missing("嵩县公安局", 2023, government=False, today=dt.date(2024, 2, 1))
    assert rules(found) == [("REPORT-MISSING", "error", "report")]
    assert found[0]["message"].startswith(
        "嵩县公安局的2023年度政府信息公开工作年度报告应于2024年1月31日前发布（条例第四十九条），"
        "至2024年2月1日年报库中仍没有这份报告。"
    )
    # A government: by 31 March.
    assert (
        crossrules.missing("嵩县人民政府", 2023, government=True, today=dt.date(2024, 2, 1)) == []
    )
    assert crossrules.missing("嵩县人民政府", 2023, government=True, today=dt.date(2024, 4, 1))


def test_a_report_published_after_the_deadline_is_late():
    d = doc(HAINING)  # 2021, printed 发布日期 2022-01-15: on time
    assert crossrules.late(d, government=False) == []
    d["published"] = "2022-02-05"
    found = crossrules.late(d, government=False)
    assert rules(found) == [("REPORT-LATE", "error", "published")]
    assert "实际发布日期为2022年2月5日，逾期 5 天" in found[0]["message"]
    assert crossrules.late(d, government=True) == []  # a government's is due 31 March
    d["published"] = None  # no date to tell: 未报送与逾期 lists it as 发布日期不详
    assert crossrules.late(d, government=False) == []


# ---- NARRATIVE-COPY ----------------------------------------------------------------------


def _next_year(d):
    """The same narrative a year on, with this year's figures: a copied report."""
    out = copy.deepcopy(d)
    out["year"] = d["year"] + 1
    out["id"] = d["id"] + 1
    for key, text in out["narrative"].items():
        out["narrative"][key] = text.replace("2020", "2021").replace("10 条", "12 条")
    return out


def test_a_narrative_copied_from_last_year_is_found():
    last = doc(SHIZUISHAN)  # 石嘴山市公安局 2020
    this = _next_year(last)
    found = crossrules.copy_from_last_year(this, last)
    assert rules(found) == [("NARRATIVE-COPY", "warning", "narrative.last_year")]
    assert found[0]["expected"] == last["id"] and found[0]["actual"] == 1.0
    assert "与2020年度报告相同（仅数字不同的也算相同）" in found[0]["message"]
    # A narrative rewritten for the year: nothing.
    this["narrative"] = {
        "overview": doc(SONGXIAN)["narrative"]["overview"],
        "problems": "",
        "other": "",
    }
    assert crossrules.copy_from_last_year(this, last) == []


def test_a_narrative_copied_from_another_agency_is_found_and_shown_side_by_side():
    songxian = doc(SONGXIAN, agency_id=2, id=20)
    copied = doc(SONGXIAN, agency="栾川县公安局", agency_id=3, id=30)
    for key, text in copied["narrative"].items():
        copied["narrative"][key] = text.replace("嵩县", "栾川县").replace("我局", "本局")
    other = doc(SHIZUISHAN, year=2020, agency_id=4, id=40)
    found = crossrules.copy_from_others(copied, [songxian, other])
    assert rules(found) == [("NARRATIVE-COPY", "warning", "narrative.agency/2")]
    assert found[0]["expected"] == 20
    assert "与嵩县公安局2020年度报告相同" in found[0]["message"]
    mine, theirs, shared = crossrules.side_by_side(copied, songxian)
    assert shared >= crossrules.COPY_MIN
    marked = [text for _h, pieces in mine for text, repeated in pieces if repeated]
    assert len(marked) >= shared and all("嵩县" not in t for t in marked)
    assert len(marked) == sum(repeated for _h, pieces in theirs for _t, repeated in pieces)
    assert [h for h, _p in theirs][0] == "一、总体情况"
    # Sentences most of a group's reports carry are the group's boilerplate, not copying.
    common = crossrules.common_sentences([copied, songxian, songxian, songxian])
    assert crossrules.copy_from_others(copied, [songxian], common) == []


# ---- OUTLIER-JUMP / OUTLIER-ZERO ---------------------------------------------------------


def test_a_year_on_year_jump_is_noted():
    last, this = _with_requests(12, year=2022), _with_requests(300, year=2023)
    found = crossrules.jumps(this, last)
    assert rules(found) == [("OUTLIER-JUMP", "info", "requests.new/total")]
    assert "为 300，是上年（12）的 25.0 倍" in found[0]["message"]
    assert crossrules.jumps(last, this)[0]["message"].startswith(
        "“本年新收政府信息公开申请数量”为 12，不到上年（300）的五分之一"
    )
    # Small numbers move a lot without meaning anything.
    assert crossrules.jumps(_with_requests(10), _with_requests(1)) == []


def test_zero_where_peers_have_volume_is_a_warning():
    def penalties(n, agency_id):
        d = doc(LINXIA, agency_id=agency_id)
        d["proactive"]["penalties"]["decisions"] = n
        return d

    this = penalties(0, 1)
    peers = [penalties(n, i) for i, n in ((2, 1200), (3, 340), (4, 95))]
    found = [f for f in crossrules.zeros(this, peers) if f["where"].startswith("proactive")]
    assert rules(found) == [("OUTLIER-ZERO", "warning", "proactive.penalties/decisions")]
    assert "同级 3 个机关同年的中位数为 340" in found[0]["message"]
    assert not [
        f for f in crossrules.zeros(this, peers[:2]) if f["where"].startswith("proactive")
    ]  # too few peers to say
