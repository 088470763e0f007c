"""The figures a dashboard reads from one report, declared once as data (issue 19).

Each Figure names a cell of the interchange format (spec: annual-report-format.md)
that the dashboards add up over a region: applications received and handled, the
results by kind and reason, 复议 and 诉讼, and 主动公开 volumes. `figures_of(data)`
takes a report's current data (parsed + corrections) and returns {key: value};
a blank cell is None (not 0), so sums count only what reports state.
The rates are defined here once (实质公开率, 纠错率). Pure Python: no Django import.
"""

from dataclasses import dataclass

from gongkai.reports import tables


@dataclass(frozen=True)
class Figure:
    key: str  # the aggregate column (ReportFigures field)
    label: str  # Chinese, as the dashboards and exports show it
    group: str  # "apply" | "denied" | "unavailable" | "appeals" | "proactive"
    section: str
    row: str
    column: str
    decimal: bool = False  # 万元 amounts; every other figure is a count


def _requests(key, label, row, group="apply"):
    return Figure(key, label, group, "requests", row, "total")


def _label(row_key):
    return tables.TEMPLATE_2019.request_row(row_key).label.split("（区分")[0]


FIGURES = (
    _requests("received", "本年新收申请", "new"),
    _requests("carried_over", "上年结转申请", "carried_over"),
    _requests("handled", "办理结果总计", "total"),
    _requests("granted", "予以公开", "granted"),
    _requests("partial", "部分公开", "partial"),
    *(
        _requests(k.replace(".", "_"), _label(k)[2:], k, "denied")
        for k in tables.RESULT_KEYS
        if k.startswith("denied.")
    ),
    *(
        _requests(k.replace(".", "_"), _label(k)[2:], k, "unavailable")
        for k in tables.RESULT_KEYS
        if k.startswith("unavailable.")
    ),
    *(
        _requests(k.replace(".", "_"), _label(k)[2:], k, "not_processed")
        for k in tables.RESULT_KEYS
        if k.startswith("not_processed.")
    ),
    _requests("other", "其他处理", "other"),
    _requests("carry_forward", "结转下年度继续办理", "carry_forward"),
    *(
        Figure(f"{g.key}_{c}", f"{g.label}{label}", "appeals", "appeals", g.key, c)
        for g in tables.APPEAL_GROUPS
        for c, label in (("corrected", "纠正"), ("pending", "尚未审结"), ("total", "总计"))
    ),
    Figure("rules_issued", "规章制发", "proactive", "proactive", "rules", "issued"),
    Figure("normative_issued", "规范性文件制发", "proactive", "proactive", "normative_documents", "issued"),
    Figure("normative_in_force", "规范性文件现行有效", "proactive", "proactive", "normative_documents", "in_force"),
    Figure("licensing", "行政许可决定", "proactive", "proactive", "licensing", "decisions"),
    Figure("penalties", "行政处罚决定", "proactive", "proactive", "penalties", "decisions"),
    Figure("coercion", "行政强制决定", "proactive", "proactive", "coercion", "decisions"),
    Figure("fees_wan", "行政事业性收费（万元）", "proactive", "proactive", "fees", "amount_wan", True),
)  # fmt: skip
BY_KEY = {f.key: f for f in FIGURES}
# The 2019 format has 本年新公开数量 and 对外公开总数量 where the 2021 one has 本年制发件数
# and 现行有效件数.
_2019_COLUMNS = {
    ("rules", "issued"): "published",
    ("normative_documents", "issued"): "published",
    ("normative_documents", "in_force"): "public_total",
}


def group(name):
    return [f for f in FIGURES if f.group == name]


def _number(value, decimal):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if value != value or value < 0:  # NaN, or a negative count: not a volume to add up
        return None
    return float(value) if decimal else int(value)


def figures_of(data):
    """{Figure.key: number or None} of a report's current data."""
    out = {f.key: None for f in FIGURES}
    template = data.get("template")
    if template == "2008":
        legacy = data.get("legacy") or {}
        out["received"] = _number(legacy.get("received"), False)
        out["reconsideration_total"] = _number(legacy.get("reconsideration"), False)
        out["litigation_direct_total"] = _number(legacy.get("litigation"), False)
        return out
    for f in FIGURES:
        column = f.column
        if template == "2019":
            column = _2019_COLUMNS.get((f.row, f.column), column)
        row = (data.get(f.section) or {}).get(f.row)
        if isinstance(row, dict):
            out[f.key] = _number(row.get(column), f.decimal)
    return out


def ratio(part, whole):
    """part / whole, or None when there is nothing to divide by."""
    if not whole or part is None:
        return None
    return part / whole


def disclosure_rate(values):
    """实质公开率 = (予以公开 + 部分公开) / 办理结果总计."""
    granted, partial = values.get("granted"), values.get("partial")
    if granted is None and partial is None:
        return None
    return ratio((granted or 0) + (partial or 0), values.get("handled"))


def concluded(values, group_key):
    """Cases of a 复议/诉讼 group that were decided (总计 − 尚未审结)."""
    total = values.get(f"{group_key}_total")
    if total is None:
        return None
    return total - (values.get(f"{group_key}_pending") or 0)


def correction_rate(values, group_keys):
    """纠错率 = 结果纠正 / 已审结 (总计 − 尚未审结), over the groups given."""
    corrected = sum(values.get(f"{g}_corrected") or 0 for g in group_keys)
    decided = sum(concluded(values, g) or 0 for g in group_keys)
    return ratio(corrected, decided)


LITIGATION = ("litigation_direct", "litigation_after")
