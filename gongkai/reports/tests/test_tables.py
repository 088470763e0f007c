"""The templates are data: labels and shapes as the national formats print them."""

from gongkai.reports import tables


def test_each_format_has_seven_request_columns_and_fifteen_appeal_cells():
    assert [c.label for c in tables.REQUEST_COLUMNS] == [
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ]
    assert len(tables.APPEAL_GROUPS) * len(tables.APPEAL_COLUMNS) == 15


def test_2021_splits_other_processing_into_three_rows():
    keys_2019 = [r.key for r in tables.TEMPLATE_2019.request_rows]
    keys_2021 = [r.key for r in tables.TEMPLATE_2021.request_rows]
    assert "other" in keys_2019 and "other" not in keys_2021
    assert [k for k in keys_2021 if k.startswith("other.")] == list(tables.OTHER_PARTS)
    assert len(keys_2019) == 23 and len(keys_2021) == 25


def test_template_for_year():
    assert tables.template_for_year(2017).key == "2008"
    assert tables.template_for_year(2020).key == "2019"
    assert tables.template_for_year(2021).key == "2021"


def test_2021_drops_procurement_and_counts_fees_in_wan():
    rows_2021 = {r.key for _, r in tables.TEMPLATE_2021.proactive_rows()}
    assert "procurement" not in rows_2021 and "other_services" not in rows_2021
    fees = tables.TEMPLATE_2021.proactive[-1]
    assert fees.columns[0].label == "本年收费金额（单位：万元）"
