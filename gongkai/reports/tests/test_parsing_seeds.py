"""Every number of the five real seed reports, pinned; and their real quirks."""

import pytest

from gongkai.reports import tables
from gongkai.reports.engine import analyse_text
from gongkai.reports.parsing import parse_text
from gongkai.reports.tests.conftest import SEEDS, seed_text

COLS = [c.key for c in tables.REQUEST_COLUMNS]
ZERO_ROW = dict.fromkeys(COLS, 0)
ZERO_APPEALS = {g.key: {c.key: 0 for c in tables.APPEAL_COLUMNS} for g in tables.APPEAL_GROUPS}


def row(*values):
    return dict(zip(COLS, values, strict=True))


def total_only(total):
    return row(None, None, None, None, None, None, total)


def all_zero(template):
    rows = {r.key: dict(ZERO_ROW) for r in tables.TEMPLATES[template].request_rows}
    if template == "2021":
        rows["other"] = dict(ZERO_ROW)
    return rows


def rules(report):
    return [f["rule"] for f in report["findings"]]


def test_haining_2021_metadata_and_proactive():
    r = parse_text(seed_text("haining_2021"))
    assert (r["agency"], r["year"], r["published"], r["template"]) == (
        "海宁市公安局",
        2021,
        "2022-01-15",
        "2019",
    )
    assert r["source"]["script"] == "simplified"
    assert r["proactive"] == {
        "rules": {"made": 0, "published": 0, "public_total": 0},
        "normative_documents": {"made": 0, "published": 0, "public_total": 0},
        "licensing": {"prev_items": 159, "change": -61, "decisions": 79034},
        "other_services": {"prev_items": 54, "change": 22, "decisions": 80697},
        "penalties": {"prev_items": 77, "change": 3, "decisions": 4502},
        "coercion": {"prev_items": 0, "change": 0, "decisions": 0},
        "fees": {"prev_items": 51, "change": 0},
        "procurement": {
            "items": 99,
            "amount_yuan": 35222378.65,
            "amount_as_printed": "35222378.65",
            "unit_as_printed": None,
        },
    }


def test_haining_2021_requests_fill_only_what_is_certain():
    """Rows printed as "2 | 1 | 3" with their blank cells dropped: only 总计 is certain."""
    r = parse_text(seed_text("haining_2021"))
    expected = {key: dict.fromkeys(COLS) for key in r["requests"]}
    expected.update(
        new=total_only(3),
        carried_over=dict(ZERO_ROW),  # a lone "0": every placement gives zeros
        # The rows printed with no figure are blank (zeros in the column sums): then no
        # reading of the table puts 予以公开's "1" under 其他 (法人或其他组织).
        granted=row(None, None, None, None, None, 0, 1),
        other=total_only(2),
        total=total_only(3),
        carry_forward=dict(ZERO_ROW),
    )
    assert r["requests"] == expected
    assert r["appeals"] == ZERO_APPEALS
    shape = {f["where"]: f for f in r["findings"] if f["rule"] == "SHAPE"}
    assert set(shape) == {
        "requests.new",
        "requests.carried_over",
        "requests.granted",
        "requests.other",
        "requests.total",
    }
    assert shape["requests.new"]["expected"] == 7 and shape["requests.new"]["actual"] == 3
    assert "2、1、3" in shape["requests.new"]["message"]
    assert "能确定的只有：总计" in shape["requests.new"]["message"]


def test_haining_2021_quirks_are_findings():
    r = analyse_text(seed_text("haining_2021"))
    template_year = [f for f in r["findings"] if f["rule"] == "TEMPLATE-YEAR"]
    assert len(template_year) == 1 and template_year[0]["severity"] == "error"
    unit = [f for f in r["findings"] if f["rule"] == "UNIT"]
    assert unit and unit[0]["where"] == "proactive.procurement/amount_yuan"


def test_guangdong_2017_traditional_narrative_into_legacy():
    r = parse_text(seed_text("guangdong_2017"))
    assert (r["agency"], r["year"], r["template"]) == ("广东省公安厅", 2017, "2008")
    assert r["source"]["script"] == "traditional"
    assert r["requests"] == {} and r["appeals"] == {} and r["proactive"] == {}
    assert r["legacy"] == {
        "received": 258,
        "by_channel": {
            "online": 203,
            "letter": 55,
            "fax": 0,
            "in_person": 0,
            "email": None,
            "other": None,
        },
        "replies": [
            {"label": "不同意公开", "count": 36},
            {"label": "同意公开", "count": 41},
            {"label": "同意部分公开", "count": 8},
            {"label": "已主动公开", "count": 5},
            {"label": "不属于政府信息公开范围", "count": 11},
            {"label": "非本机关职责许可权范围", "count": 105},
            {"label": "其他情况", "count": 52},
        ],
        "reconsideration": 11,
        "litigation": 4,
        "proactive_items": 23000,
        "fees_yuan": 0,
    }
    # Kept as written (issue 18): traditional script and its own punctuation; the
    # simplified form is only what the reader reads.
    assert "省公安廳" in r["narrative"]["overview"]
    assert "省公安厅" not in r["narrative"]["overview"]
    assert r["source"]["script"] == "traditional"


def test_shizuishan_2020_rows_with_a_dropped_cell():
    r = parse_text(seed_text("shizuishan_2020"))
    assert (r["agency"], r["year"], r["published"], r["template"]) == (
        "石嘴山市公安局",
        2020,
        None,
        "2019",
    )
    assert r["proactive"] == {
        "rules": {"made": 0, "published": 0, "public_total": 0},
        "normative_documents": {"made": 1, "published": 1, "public_total": 12},
        "licensing": {"prev_items": 24, "change": 0, "decisions": 22},
        "other_services": {"prev_items": 40, "change": 8, "decisions": 16},
        "penalties": {"prev_items": 247, "change": 43, "decisions": 750},
        "coercion": {"prev_items": 24, "change": 0, "decisions": 620},
        "fees": {"prev_items": 2, "change": 0},
        "procurement": {
            "items": 9,
            "amount_yuan": 8550340.0,
            "amount_as_printed": "855.034 万元",
            "unit_as_printed": "万元",
        },
    }
    # （一）（二） print six zeros and an empty last field: the tabs place the
    # zeros, and 总计 is blank as printed.
    expected = all_zero("2019")
    expected["granted"]["total"] = expected["partial"]["total"] = None
    assert r["requests"] == expected
    assert r["appeals"] == ZERO_APPEALS
    # Thirteen rows print six numbers for seven columns (all zero, so certain).
    shape = [f for f in r["findings"] if f["rule"] == "SHAPE"]
    assert len(shape) == 13
    assert all(f["expected"] == 7 and f["actual"] == 6 for f in shape)
    assert {f["where"] for f in shape} >= {
        "requests.denied.state_secret",
        "requests.not_processed.duplicate",
    }


def test_linxia_2023_clean_2021_format():
    r = parse_text(seed_text("linxia_2023"))
    assert (r["agency"], r["year"], r["template"]) == ("临夏州公安局", 2023, "2021")
    assert r["proactive"] == {
        "rules": {"issued": 0, "repealed": 0, "in_force": 0},
        "normative_documents": {"issued": 1, "repealed": 0, "in_force": 1},
        "licensing": {"decisions": 383652},
        "penalties": {"decisions": 0},
        "coercion": {"decisions": 0},
        "fees": {"amount_wan": 18.15},
    }
    expected = all_zero("2021")
    for key in ("new", "granted", "total"):
        expected[key] = row(1, 0, 0, 0, 0, 0, 1)
    assert r["requests"] == expected
    assert r["appeals"] == ZERO_APPEALS
    assert r["findings"] == []
    assert "制发规范性文件1件" in r["narrative"]["overview"]
    assert "没有产生信息公开处理费" in r["narrative"]["other"]


def test_songxian_2020_appeals_table_with_sixteen_numbers():
    r = parse_text(seed_text("songxian_2020"))
    assert (r["agency"], r["year"], r["template"]) == ("嵩县公安局", 2020, "2019")
    assert r["proactive"]["licensing"] == {"prev_items": 10, "change": 0, "decisions": 14674}
    assert r["proactive"]["other_services"] == {"prev_items": 2, "change": 0, "decisions": 51}
    assert r["proactive"]["penalties"] == {"prev_items": 219, "change": 0, "decisions": 525}
    assert r["proactive"]["coercion"] == {"prev_items": 14, "change": 0, "decisions": 645}
    assert r["proactive"]["fees"] == {"prev_items": 0, "change": 0}
    # "采购总金额(单位:万元,保留4位小数)" declares the unit in the header.
    assert r["proactive"]["procurement"] == {
        "items": 51,
        "amount_yuan": 15110000,
        "amount_as_printed": "1511",
        "unit_as_printed": "万元",
    }
    assert r["requests"] == all_zero("2019")
    assert r["appeals"] == ZERO_APPEALS
    (shape,) = [f for f in r["findings"] if f["rule"] == "SHAPE"]
    assert shape["where"] == "appeals" and (shape["expected"], shape["actual"]) == (15, 16)


def test_songxian_misnumbered_headings_do_not_split_sections():
    """ "（六）" after "（四）" and a second "二、下步打算" stay inside their sections."""
    r = parse_text(seed_text("songxian_2020"))
    assert "下步打算" in r["narrative"]["problems"]
    assert r["narrative"]["other"] == "无"
    assert "监督保障及教育培训工作" in r["narrative"]["overview"]


@pytest.mark.parametrize("name", SEEDS)
def test_every_seed_analyses_without_raising(name):
    report = analyse_text(seed_text(name))
    assert report["format"] == "gongkai.annual-report/1"
    assert report["source"]["sha256"]
