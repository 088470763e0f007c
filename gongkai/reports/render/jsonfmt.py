"""JSON: the interchange dict itself (spec: annual-report-format.md)."""

import json


def render_json(report):
    try:
        text = json.dumps(report, ensure_ascii=False, indent=2, allow_nan=False, default=str)
    except ValueError as exc:  # NaN or Infinity: not a number JSON can carry
        raise ValueError(
            "报告中有无法写入 JSON 的数值（NaN 或无穷大）；请改为数字或留空。"
        ) from exc
    return (text + "\n").encode("utf-8")
