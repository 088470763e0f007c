"""The shipped JSON Schema describes the interchange format exactly as tables.py declares it."""

import copy
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, ValidationError

from gongkai.reports import engine, findings, tables
from gongkai.reports.validation import load_schema, schema_errors, validate

SEEDS = sorted((Path(__file__).parent / "testdata").glob("*.txt"))
NUMBER_TYPES = {
    tables.COUNT: ["integer", "null"],
    tables.SIGNED: ["integer", "null"],
    tables.YUAN: ["number", "null"],
    tables.WAN: ["number", "null"],
}


def defs():
    return load_schema()["$defs"]


def shape_rule(template_key):
    """The `then` part the schema applies to reports of one template."""
    for part in load_schema()["allOf"]:
        if part["if"]["properties"]["template"]["const"] == template_key:
            return part["then"]["properties"]
    raise AssertionError(f"no rule for template {template_key}")


def is_valid(report):
    try:
        validate(report)
    except ValidationError:
        return False
    return True


def test_schema_is_valid_draft_2020_12():
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("template", [None, "2008", "2019", "2021"])
def test_empty_report_of_each_template_validates(template):
    assert schema_errors(tables.empty_report(template)) == []


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name)
def test_each_seed_as_parsed_validates(seed):
    report = engine.analyse_file(seed)
    assert schema_errors(report) == []


def test_a_string_where_a_number_belongs_fails_and_says_where():
    report = tables.empty_report("2021")
    report["requests"]["new"]["total"] = "3"
    assert not is_valid(report)
    [problem] = schema_errors(report)
    assert problem.startswith("requests/new/total：")
    assert "整数" in problem


def test_amounts_may_be_fractional_but_counts_may_not():
    report = tables.empty_report("2021")
    report["proactive"]["fees"]["amount_wan"] = 855.034
    assert is_valid(report)
    report["proactive"]["licensing"]["decisions"] = 1.5
    assert not is_valid(report)


@pytest.mark.parametrize(
    "damage",
    [
        lambda r: r.update(extra=1),
        lambda r: r["requests"]["new"].update(bogus=1),
        lambda r: r["requests"].update({"denied.bogus": r["requests"]["new"]}),
        lambda r: r["requests"]["new"].pop("research"),
        lambda r: r["appeals"]["reconsideration"].update(dismissed=0),
        lambda r: r["source"].update(script="mixed"),
        lambda r: r["narrative"].update(summary=""),
        lambda r: r.update(template="2020"),
        lambda r: r.update(format="gongkai.annual-report/2"),
        lambda r: r.update(published="2022-13-45"),
        lambda r: r["source"].update(sha256="ABC"),
        lambda r: r.pop("findings"),
    ],
)
def test_wrong_keys_and_values_fail(damage):
    report = tables.empty_report("2021")
    damage(report)
    assert not is_valid(report)
    assert schema_errors(report)


def test_each_template_has_its_own_shape():
    r2021 = tables.empty_report("2021")
    r2021["proactive"]["rules"]["made"] = 1  # a 2019 column
    assert not is_valid(r2021)
    r2019 = tables.empty_report("2019")
    r2019["requests"]["other.no_fee"] = copy.deepcopy(r2019["requests"]["other"])
    assert not is_valid(r2019)
    r2019 = tables.empty_report("2019")
    r2019["legacy"] = tables.empty_legacy()
    assert not is_valid(r2019)
    r2008 = tables.empty_report("2008")
    r2008["legacy"] = None
    assert not is_valid(r2008)


def test_findings_are_closed_objects_with_known_rules():
    report = tables.empty_report("2019")
    report["findings"].append(findings.finding("SHAPE", "warning", "appeals", "多一个数", 15, 16))
    assert is_valid(report)
    for bad in ({"rule": "NO-SUCH-RULE"}, {"severity": "fatal"}, {"note": "x"}):
        broken = copy.deepcopy(report)
        broken["findings"][0].update(bad)
        assert not is_valid(broken)


def test_legacy_figures():
    report = tables.empty_report("2008")
    report["legacy"].update(received=41, proactive_items=23000, fees_yuan=0.0)
    report["legacy"]["replies"].append({"label": "同意公开", "count": 41})
    assert is_valid(report)
    report["legacy"]["by_channel"]["telegram"] = 1
    assert not is_valid(report)


# ---- the static schema agrees with tables.py ------------------------------------


def test_request_rows_and_columns_agree_with_tables():
    d = defs()
    assert list(d["requests"]["properties"]) == list(tables.ALL_REQUEST_KEYS)
    assert d["request_row"]["required"] == [c.key for c in tables.REQUEST_COLUMNS]
    for template in (tables.TEMPLATE_2019, tables.TEMPLATE_2021):
        rule = shape_rule(template.key)["requests"]
        assert set(rule["required"]) == set(tables.empty_requests(template))
        assert set(rule["propertyNames"]["enum"]) == set(tables.empty_requests(template))


def test_appeal_groups_and_columns_agree_with_tables():
    d = defs()
    assert list(d["appeals"]["properties"]) == [g.key for g in tables.APPEAL_GROUPS]
    assert d["appeal_group"]["required"] == [c.key for c in tables.APPEAL_COLUMNS]


def test_proactive_rows_columns_and_kinds_agree_with_tables():
    d = defs()
    union = {}
    for template in (tables.TEMPLATE_2019, tables.TEMPLATE_2021):
        expected = tables.empty_proactive(template)
        rule = shape_rule(template.key)["proactive"]
        assert set(rule["required"]) == set(expected)
        for row, cells in expected.items():
            assert set(rule["properties"][row]["required"]) == set(cells)
            union.setdefault(row, set()).update(cells)
        for block, row in template.proactive_rows():
            for column in block.columns:
                ref = d[f"proactive.{row.key}"]["properties"][column.key]["$ref"]
                assert d[ref.rsplit("/", 1)[1]]["type"] == NUMBER_TYPES[column.kind]
    assert set(d["proactive"]["properties"]) == set(union)
    for row, columns in union.items():
        assert set(d[f"proactive.{row}"]["properties"]) == columns


def test_top_level_legacy_and_rule_names_agree_with_code():
    schema = load_schema()
    assert schema["required"] == list(tables.empty_report())
    assert schema["properties"]["format"]["const"] == tables.FORMAT_ID
    assert set(schema["properties"]["template"]["enum"]) == set(tables.TEMPLATES) | {None}
    assert defs()["legacy"]["required"] == list(tables.empty_legacy())
    channels = defs()["legacy"]["properties"]["by_channel"]["required"]
    assert channels == list(tables.LEGACY_CHANNELS)
    assert defs()["finding"]["properties"]["rule"]["enum"] == list(findings.RULES)
    assert defs()["finding"]["properties"]["severity"]["enum"] == list(findings.SEVERITIES)


def test_schema_errors_name_the_key_in_chinese():
    report = tables.empty_report("2019")
    del report["year"]
    report["extra"] = 1
    report["requests"]["other.no_fee"] = copy.deepcopy(report["requests"]["other"])
    assert schema_errors(report) == [
        "（报告顶层）：含有格式中没有的键：extra",
        "（报告顶层）：缺少必需的键：year",
        "requests：键“other.no_fee”不属于报告所用的格式（见 template）",
    ]
