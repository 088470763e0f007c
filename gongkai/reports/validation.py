"""The interchange format's JSON Schema (schema.json, Draft 2020-12) and its validator.

The schema is a static file shipped with the package; tests check it against
tables.py. Pure Python: no Django import.
"""

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator

SCHEMA_PATH = Path(__file__).with_name("schema.json")


@cache
def load_schema():
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _validator():
    return Draft202012Validator(load_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def validate(report):
    """Raise jsonschema.ValidationError (the most relevant one) if `report` breaks the schema."""
    _validator().validate(report)


def schema_errors(report):
    """Every schema violation as a Chinese line naming where it is, in document order."""
    errors = sorted(_validator().iter_errors(report), key=lambda e: list(map(str, e.path)))
    return [f"{_where(e)}：{_describe(e)}" for e in errors]


def _where(error):
    return "/".join(map(str, error.absolute_path)) or "（报告顶层）"


def _describe(error):
    value = json.dumps(error.instance, ensure_ascii=False)
    if len(value) > 60:
        value = value[:57] + "..."
    kind = error.validator
    if "propertyNames" in error.relative_schema_path:
        return f"键“{error.instance}”不属于报告所用的格式（见 template）"
    if kind == "type":
        return f"值 {value} 的类型不对，应为 {_types(error.validator_value)}"
    if kind == "additionalProperties":
        known = error.schema.get("properties", {})
        extra = [k for k in error.instance if k not in known]
        return f"含有格式中没有的键：{'、'.join(map(str, extra))}"
    if kind == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        return f"缺少必需的键：{'、'.join(missing)}"
    if kind in ("enum", "const"):
        return f"值 {value} 不是允许的取值 {json.dumps(error.validator_value, ensure_ascii=False)}"
    return f"值 {value} 不符合格式要求（{kind}）"


_TYPE_NAMES = {
    "integer": "整数",
    "number": "数字",
    "string": "文字",
    "null": "null（空）",
    "object": "对象",
    "array": "数组",
}


def _types(expected):
    names = [expected] if isinstance(expected, str) else expected
    return "或".join(_TYPE_NAMES.get(n, n) for n in names)
