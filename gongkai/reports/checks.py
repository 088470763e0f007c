"""The checker: every rule of the spec (annual-report-format.md, "Checks").

`check(report)` gives the single-report findings; `check_continuity(last, this)`
the year-to-year ones. The rules come from regulation.md §2.6 (勾稽关系) and
§4.3. Pure Python: reads the report dict, never the ORM.

Null semantics: a blank cell (null) counts as 0 in sums, because a blank in a
printed table means none. But a null cell of a row the parser could not place
with certainty (a SHAPE or PARSE finding whose "where" is that cell, its row or
its whole section) is unknown: a comparison that needs it is skipped, not
reported. A comparison whose operands are all null is skipped too.
"""

import functools

from . import narrative, tables
from .findings import ERROR, INFO, WARNING, finding

_UNSURE_RULES = ("SHAPE", "PARSE")
_ROWS = {r.key: r for r in tables.REQUEST_ROWS_2019 + tables.REQUEST_ROWS_2021}
_REQUEST_COLS = {c.key: c.label for c in tables.REQUEST_COLUMNS}
_APPEAL_COLS = {c.key: c.label for c in tables.APPEAL_COLUMNS}
_OUTCOMES = tuple(c.key for c in tables.APPEAL_COLUMNS[:-1])
_DENIED = tuple(k for k in tables.RESULT_KEYS if k.startswith("denied."))
_UNAVAILABLE = tuple(k for k in tables.RESULT_KEYS if k.startswith("unavailable."))
_NOT_PROCESSED = tuple(k for k in tables.RESULT_KEYS if k.startswith("not_processed."))


# ---- Reading cells ----------------------------------------------------------


class _Cells:
    """A report's cells with the null semantics of the module docstring."""

    def __init__(self, report):
        self.report = report
        self.unsure = {
            f.get("where")
            for f in report.get("findings") or []
            if isinstance(f, dict) and f.get("rule") in _UNSURE_RULES
        }

    def _is_unsure(self, section, row, col):
        if not self.unsure:
            return False
        unsure = self.unsure
        if section in unsure or f"{section}.{row}" in unsure or f"{section}.{row}/{col}" in unsure:
            return True
        # 2021: the derived `other` row is as uncertain as any of its parts.
        rows = self.report.get(section) or {}
        if section == "requests" and row == "other" and tables.OTHER_PARTS[0] in rows:
            return any(self._is_unsure(section, part, col) for part in tables.OTHER_PARTS)
        return False

    def get(self, section, row, col):
        """(value, known): value is None when blank; known is False when unverifiable."""
        try:
            value = self.report[section][row][col]
        except (KeyError, TypeError, IndexError):
            return None, False
        if value is None:
            return None, not self._is_unsure(section, row, col)
        if type(value) is int or type(value) is float:  # not bool, not text
            return value, True
        return None, False

    def values(self, refs):
        """The values of cells (section, row, col), or None if any is unknown (as `get`,
        inlined: the checks ask for some 200 cells a report)."""
        out = []
        report, unsure = self.report, self.unsure
        for section, row, col in refs:
            try:
                value = report[section][row][col]
            except (KeyError, TypeError, IndexError):
                return None
            if value is None:
                if unsure and self._is_unsure(section, row, col):
                    return None
            elif type(value) is not int and type(value) is not float:  # not bool, not text
                return None
            out.append(value)
        return out


def _total(values):
    return sum([v for v in values if v is not None])


def _side(values):
    """What a finding reports for one side: the cell itself, or the sum."""
    return values[0] if len(values) == 1 else _total(values)


def _fmt(value):
    if value is None:
        return "空白"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _compare(cells, left, right):
    """(left values, right values) when the equation can be verified and fails."""
    lv = cells.values(left)
    rv = cells.values(right) if lv is not None else None
    # All operands blank: both totals are 0, so such an equation is skipped here too.
    if rv is None or _total(lv) == _total(rv):
        return None
    return lv, rv


def _diff(lv, rv):
    return f"{abs(_total(lv) - _total(rv)):g}"


# ---- Labels (from tables.py, never re-spelled) ------------------------------


@functools.cache
def _row(key):
    """A request row as a clerk finds it: 二级 group + label, e.g. （三）不予公开1.属于国家秘密."""
    row = _ROWS[key]
    return (row.groups[1] if len(row.groups) > 1 else "") + row.label


def _group(key):
    group = next(g for g in tables.APPEAL_GROUPS if g.key == key)
    return f"{group.parent}（{group.label}）" if group.parent else group.label


def _litigation_groups():
    return "、".join(g.label for g in tables.APPEAL_GROUPS if g.parent)


def _proactive_label(template_key, row_key, col_key):
    template = tables.TEMPLATES[template_key]
    for block, row in template.proactive_rows():
        if row.key == row_key:
            col = next(c for c in block.columns if c.key == col_key)
            return row.label, col.label
    raise KeyError(row_key)


def cell_label(section, row, col, template_key="2021"):
    """A table cell as a clerk finds it (Chinese), e.g. 表三“（一）予以公开”·“总计”;
    the key itself when the template has no such cell."""
    try:
        if section == "requests":
            return f"表三“{_row(row)}”·“{_REQUEST_COLS[col]}”"
        if section == "appeals":
            return f"表四“{_group(row)}”·“{_APPEAL_COLS[col]}”"
        if section == "proactive":
            row_label, col_label = _proactive_label(template_key, row, col)
            return f"表二“{row_label}”·“{col_label}”"
    except (KeyError, StopIteration):
        pass
    return f"{section}.{row}/{col}"


def _has(report, section, row):
    rows = report.get(section)
    return isinstance(rows, dict) and isinstance(rows.get(row), dict)


# ---- Table 三 and 四 ----------------------------------------------------------


# The cells each rule compares, spelled out once (the checks run on every report).
_BALANCE_REFS = tuple(
    (
        col,
        label,
        (("requests", "new", col), ("requests", "carried_over", col)),
        (("requests", "total", col), ("requests", "carry_forward", col)),
    )
    for col, label in _REQUEST_COLS.items()
)


@functools.cache
def _row_refs(row, cols):
    return tuple(("requests", row, col) for col in cols)


@functools.cache
def _column_refs(rows, col):
    return tuple(("requests", row, col) for row in rows)


def _t3_balance(cells):
    out = []
    for col, label, left, right in _BALANCE_REFS:
        failed = _compare(cells, left, right)
        if not failed:
            continue
        (a, b), (c, d) = failed
        message = (
            f"“{label}”列：{_row('new')}（{_fmt(a)}）加{_row('carried_over')}（{_fmt(b)}）"
            f"应等于{_row('total')}（{_fmt(c)}）加{_row('carry_forward')}（{_fmt(d)}），"
            f"实际相差{_diff([a, b], [c, d])}。"
        )
        where = f"requests.total/{col}"
        out.append(finding("T3-BALANCE", ERROR, where, message, _total([a, b]), _total([c, d])))
    return out


def _t3_row_total(cells, row_keys):
    names = "、".join(_REQUEST_COLS[k] for k in tables.APPLICANT_KEYS)
    out = []
    for row in row_keys:
        failed = _compare(cells, _row_refs(row, tables.APPLICANT_KEYS), _row_refs(row, ("total",)))
        if not failed:
            continue
        lv, (total,) = failed
        parts_sum = _total(lv)
        message = (
            f"“{_row(row)}”行：“总计”列（{_fmt(total)}）应等于{names}六列之和"
            f"（{_fmt(parts_sum)}），实际相差{_diff(lv, [total])}。"
        )
        where = f"requests.{row}/total"
        out.append(finding("T3-ROW-TOTAL", ERROR, where, message, parts_sum, total))
    return out


def _t3_result_sum(cells, result_keys):
    out = []
    for col, label in _REQUEST_COLS.items():
        failed = _compare(cells, _column_refs(result_keys, col), _column_refs(("total",), col))
        if not failed:
            continue
        lv, (total,) = failed
        parts_sum = _total(lv)
        listed = "、".join(f"{_row(k)}{_fmt(v)}" for k, v in zip(result_keys, lv, strict=True) if v)
        message = (
            f"“{label}”列：{_row('total')}（{_fmt(total)}）应等于本年度办理结果各项之和"
            f"（{_fmt(parts_sum)}），实际相差{_diff(lv, [total])}。"
            + (f"有数的项：{listed}。" if listed else "")
        )
        where = f"requests.total/{col}"
        out.append(finding("T3-RESULT-SUM", ERROR, where, message, parts_sum, total))
    return out


def _t3_other_sum(cells):
    """2021: the derived （六）其他处理 row equals its three printed sub-rows."""
    out = []
    for col, label in _REQUEST_COLS.items():
        if cells.get("requests", "other", col)[0] is None:
            continue  # not printed in 2021: a missing derived cell says nothing
        parts = [("requests", row, col) for row in tables.OTHER_PARTS]
        failed = _compare(cells, parts, [("requests", "other", col)])
        if not failed:
            continue
        lv, (other,) = failed
        parts_sum = _total(lv)
        message = (
            f"“{label}”列：“{_row('other')}”（{_fmt(other)}）应等于其下1至3项之和"
            f"（{_fmt(parts_sum)}），实际相差{_diff(lv, [other])}。"
        )
        where = f"requests.other/{col}"
        out.append(finding("T3-OTHER-SUM", ERROR, where, message, parts_sum, other))
    return out


def _t4_group_sum(cells):
    names = "、".join(_APPEAL_COLS[k] for k in _OUTCOMES)
    out = []
    for group in tables.APPEAL_GROUPS:
        parts = [("appeals", group.key, col) for col in _OUTCOMES]
        failed = _compare(cells, parts, [("appeals", group.key, "total")])
        if not failed:
            continue
        lv, (total,) = failed
        parts_sum = _total(lv)
        message = (
            f"表四“{_group(group.key)}”：“总计”（{_fmt(total)}）应等于{names}之和"
            f"（{_fmt(parts_sum)}），实际相差{_diff(lv, [total])}。"
        )
        where = f"appeals.{group.key}/total"
        out.append(finding("T4-GROUP-SUM", ERROR, where, message, parts_sum, total))
    return out


def _table_findings(report, cells):
    requests = report.get("requests")
    out = []
    if isinstance(requests, dict) and requests:
        split = all(_has(report, "requests", k) for k in tables.OTHER_PARTS)
        result_keys = tables.RESULT_KEYS[:-1] + (tables.OTHER_PARTS if split else ("other",))
        printed = [k for k in requests if k in _ROWS and not (split and k == "other")]
        out += _t3_balance(cells)
        out += _t3_row_total(cells, printed)
        out += _t3_result_sum(cells, result_keys)
        if split and _has(report, "requests", "other"):
            out += _t3_other_sum(cells)
    if isinstance(report.get("appeals"), dict) and report["appeals"]:
        out += _t4_group_sum(cells)
    return out


# ---- TEMPLATE-YEAR ------------------------------------------------------------


def template_year(report):
    """TEMPLATE-YEAR alone (the library checks it on the year a report is filed under)."""
    return _template_year(report) if isinstance(report, dict) else []


def _template_year(report):
    year, key = report.get("year"), report.get("template")
    if not isinstance(year, int) or isinstance(year, bool) or key not in tables.TEMPLATES:
        return []
    expected = tables.template_for_year(year)
    if expected.key == key:
        return []
    actual = tables.TEMPLATES[key]
    message = (
        f"本报告为{year}年度报告，应使用{expected.name}，"
        f"实际使用的是{actual.name}。2021年度及以后的报告用2021年格式，"
        "2019、2020年度的报告用2019年格式。"
    )
    return [finding("TEMPLATE-YEAR", ERROR, "template", message, expected.key, key)]


# ---- NARRATIVE-MATCH ------------------------------------------------------------


def _req(*rows):
    return [("requests", row, "total") for row in rows]


@functools.cache
def _narrative_targets(template_key):
    """Figure key -> (what the table says, in Chinese; the cells it sums); the same for
    every report of a template (shared: not to be changed)."""
    group = _ROWS[_DENIED[0]].groups[1], _ROWS[_UNAVAILABLE[0]].groups[1]
    np_group = _ROWS[_NOT_PROCESSED[0]].groups[1]
    targets = {
        narrative.RECEIVED: (f"表三“{_row('new')}”的“总计”", _req("new")),
        narrative.RECEIVED_WITH_CARRIED: (
            f"表三“{_row('new')}”与“{_row('carried_over')}”的“总计”之和",
            _req("new", "carried_over"),
        ),
        narrative.CARRIED_OVER: (f"表三“{_row('carried_over')}”的“总计”", _req("carried_over")),
        narrative.COMPLETED: (f"表三“{_row('total')}”的“总计”", _req("total")),
        narrative.CARRY_FORWARD: (
            f"表三“{_row('carry_forward')}”的“总计”",
            _req("carry_forward"),
        ),
        narrative.GRANTED: (f"表三“{_row('granted')}”的“总计”", _req("granted")),
        narrative.PARTIAL: (f"表三“{_row('partial')}”的“总计”", _req("partial")),
        narrative.DENIED: (f"表三“{group[0]}”各项的“总计”之和", _req(*_DENIED)),
        narrative.UNAVAILABLE: (f"表三“{group[1]}”各项的“总计”之和", _req(*_UNAVAILABLE)),
        narrative.NOT_PROCESSED: (f"表三“{np_group}”各项的“总计”之和", _req(*_NOT_PROCESSED)),
        narrative.RECONSIDERATION: (
            f"表四“{_group('reconsideration')}”的“总计”",
            [("appeals", "reconsideration", "total")],
        ),
        narrative.LITIGATION: (
            f"表四“{tables.LITIGATION_HEADER}”两组（{_litigation_groups()}）的“总计”之和",
            [("appeals", "litigation_direct", "total"), ("appeals", "litigation_after", "total")],
        ),
    }
    columns = {
        "2021": {
            narrative.NORMATIVE_ISSUED: "issued",
            narrative.NORMATIVE_REPEALED: "repealed",
            narrative.NORMATIVE_IN_FORCE: "in_force",
        },
        "2019": {narrative.NORMATIVE_ISSUED: "made", narrative.NORMATIVE_IN_FORCE: "public_total"},
    }.get(template_key, {})
    for key, col in columns.items():
        row_label, col_label = _proactive_label(template_key, "normative_documents", col)
        ref = ("proactive", "normative_documents", col)
        targets[key] = (f"表二“{row_label}”的“{col_label}”", [ref])
    return targets


def _narrative_match(report, cells):
    texts = report.get("narrative")
    if report.get("template") not in ("2019", "2021") or not isinstance(texts, dict):
        return []  # a 2008-era report has no tables: its figures come from the text itself
    year = report.get("year") if isinstance(report.get("year"), int) else None
    targets = _narrative_targets(report["template"])
    out, seen = [], set()
    for part in ("overview", "problems", "other"):
        text = texts.get(part)
        if not isinstance(text, str):
            continue
        for key, stated, snippet in narrative.stated_figures(text, year=year):
            if key not in targets or (part, key, stated) in seen:
                continue
            seen.add((part, key, stated))
            description, refs = targets[key]
            values = cells.values(refs)
            if values is None or all(v is None for v in values) or _total(values) == stated:
                continue
            table = _total(values)
            message = (
                f"正文“{snippet.strip()}”所述数字（{stated}）与{description}（{_fmt(table)}）"
                "不一致，请核对正文或表格。"
            )
            out.append(
                finding("NARRATIVE-MATCH", WARNING, f"narrative.{part}", message, table, stated)
            )
    return out


def check(report):
    """All single-report findings (SHAPE comes from the parser, not from here)."""
    if not isinstance(report, dict):
        return []
    cells = _Cells(report)
    out = _template_year(report)
    if report.get("template") != "2008":
        out += _table_findings(report, cells)
    out += _narrative_match(report, cells)
    return out


# The narrative parts a report must have (regulation.md §2.6; Art. 50 lists the contents
# of the annual report): 一、总体情况, 五、存在的主要问题及改进情况, 六、其他需要报告的事项.
NARRATIVE_PARTS = {
    "overview": "一、总体情况",
    "problems": "五、政府信息公开工作存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}


def check_narrative_present(report):
    """NARRATIVE-EMPTY: an error for each narrative part with no text. Run on reports
    written in the system (gongkai.annual) before submission, not on parsed documents
    (an uploaded report's narrative is what it is)."""
    texts = report.get("narrative") if isinstance(report, dict) else None
    texts = texts if isinstance(texts, dict) else {}
    return [
        finding(
            "NARRATIVE-EMPTY",
            ERROR,
            f"narrative.{key}",
            f"“{title}”没有内容：年度报告的这一部分不能空着，请填写后再提交。",
        )
        for key, title in NARRATIVE_PARTS.items()
        if not str(texts.get(key) or "").strip()
    ]


# ---- CONTINUITY -------------------------------------------------------------------


def _refusal(where, message, expected=None, actual=None):
    return finding("CONTINUITY", WARNING, where, message, expected, actual)


def _refuse(last, this):
    """A finding explaining why the two reports cannot be compared, or None."""
    if not isinstance(last, dict) or not isinstance(this, dict):
        return _refusal("", "无法比较：需要两份已解析的年度报告。")
    a = (last.get("agency") or "").replace(" ", "").strip()
    b = (this.get("agency") or "").replace(" ", "").strip()
    if a and b and a != b:
        return _refusal(
            "agency",
            f"两份报告不属于同一机关（上年：{a}；本年：{b}），无法进行年度衔接检查。"
            "请选择同一机关相邻两个年度的报告。",
            a,
            b,
        )
    ly, ty = last.get("year"), this.get("year")
    if not isinstance(ly, int) or not isinstance(ty, int):
        return _refusal("year", "无法确定报告年度，无法进行年度衔接检查。", ly, ty)
    if ly == ty + 1:
        return _refusal(
            "year",
            f"两份报告的顺序颠倒了：请先给上一年度（{ty}年）的报告，再给本年度（{ly}年）的报告。",
            ty + 1,
            ty,
        )
    if ty != ly + 1:
        return _refusal(
            "year",
            f"两份报告的年度（{ly}年、{ty}年）不相邻，无法进行年度衔接检查。"
            "请选择同一机关相邻两个年度的报告。",
            ly + 1,
            ty,
        )
    return None


def _pair(last_cells, this_cells, last_ref, this_ref):
    """(last value, this value) when both are known and not both blank."""
    lv, lk = last_cells.get(*last_ref)
    tv, tk = this_cells.get(*this_ref)
    if not (lk and tk) or (lv is None and tv is None):
        return None
    return lv or 0, tv or 0


def _carried_over(last, this, lc, tc):
    if not (_has(last, "requests", "carry_forward") and _has(this, "requests", "carried_over")):
        return [
            finding(
                "CONTINUITY",
                INFO,
                "requests",
                "两份报告中至少一份没有表三数据（如2008年条例时期的叙述式报告），未比较上年结转。",
            )
        ]
    out = []
    for col, label in _REQUEST_COLS.items():
        pair = _pair(lc, tc, ("requests", "carry_forward", col), ("requests", "carried_over", col))
        if pair is None or pair[0] == pair[1]:
            continue
        was, now = pair
        message = (
            f"“{label}”列：本年“{_row('carried_over')}”（{_fmt(now)}）应等于{last['year']}年报告"
            f"“{_row('carry_forward')}”（{_fmt(was)}），实际相差{abs(now - was):g}。"
        )
        where = f"requests.carried_over/{col}"
        out.append(finding("CONTINUITY", ERROR, where, message, was, now))
    return out


def _signed(value):
    return f"增{value:g}" if value > 0 else f"减{-value:g}" if value < 0 else "0"


def _prev_items(last, this, lc, tc):
    """2019 format: this prev_items = last prev_items + last change (第二十条第（五）（六）（八）项)."""
    if last.get("template") != "2019" or this.get("template") != "2019":
        return []
    out = []
    for block, row in tables.TEMPLATE_2019.proactive_rows():
        if "prev_items" not in {c.key for c in block.columns}:
            continue
        refs = [("proactive", row.key, "prev_items"), ("proactive", row.key, "change")]
        was = lc.values(refs)
        now, known = tc.get("proactive", row.key, "prev_items")
        if was is None or not known or all(v is None for v in was + [now]):
            continue
        expected, now = _total(was), now or 0
        if expected == now:
            continue
        prev_label = _proactive_label("2019", row.key, "prev_items")[1]
        change_label = _proactive_label("2019", row.key, "change")[1]
        message = (
            f"“{row.label}”：本年“{prev_label}”（{_fmt(now)}）应等于{last['year']}年报告的"
            f"“{prev_label}”（{_fmt(was[0])}）加“{change_label}”（{_signed(was[1] or 0)}），"
            f"即{_fmt(expected)}，实际相差{abs(now - expected):g}。"
        )
        where = f"proactive.{row.key}/prev_items"
        out.append(finding("CONTINUITY", ERROR, where, message, expected, now))
    return out


def _in_force(last, this, lc, tc):
    """2021 format, heuristic (regulation.md §2.6 rule 6): a warning only."""
    if last.get("template") != "2021" or this.get("template") != "2021":
        return []
    out = []
    for row_key in ("rules", "normative_documents"):
        was, lk = lc.get("proactive", row_key, "in_force")
        now = tc.values([("proactive", row_key, c) for c in ("issued", "repealed", "in_force")])
        if not lk or now is None or all(v is None for v in [was] + now):
            continue
        issued, repealed, in_force = (v or 0 for v in now)
        expected = (was or 0) + issued - repealed
        if expected == in_force:
            continue
        row_label, in_label = _proactive_label("2021", row_key, "in_force")
        issued_label = _proactive_label("2021", row_key, "issued")[1]
        repealed_label = _proactive_label("2021", row_key, "repealed")[1]
        message = (
            f"“{row_label}”：{last['year']}年报告的“{in_label}”（{_fmt(was or 0)}）"
            f"加本年“{issued_label}”（{issued}）减“{repealed_label}”（{repealed}）为"
            f"{expected:g}，而本年“{in_label}”为{in_force:g}。如有文件清理、修订或失效，"
            "可能属正常情况，请核实。"
        )
        where = f"proactive.{row_key}/in_force"
        out.append(finding("CONTINUITY", WARNING, where, message, expected, in_force))
    return out


def _public_total(last, this, lc, tc):
    """2019 format, heuristic like `_in_force`: this year's 对外公开总数量 ≈ last year's +
    本年新公开数量 (a repeal or a clean-up can lower it legitimately): a warning only."""
    if last.get("template") != "2019" or this.get("template") != "2019":
        return []
    out = []
    for row_key in ("rules", "normative_documents"):
        was, lk = lc.get("proactive", row_key, "public_total")
        now = tc.values([("proactive", row_key, c) for c in ("published", "public_total")])
        if not lk or now is None or all(v is None for v in [was] + now):
            continue
        published, total = (v or 0 for v in now)
        expected = (was or 0) + published
        if expected == total:
            continue
        row_label, total_label = _proactive_label("2019", row_key, "public_total")
        published_label = _proactive_label("2019", row_key, "published")[1]
        message = (
            f"“{row_label}”：{last['year']}年报告的“{total_label}”（{_fmt(was or 0)}）"
            f"加本年“{published_label}”（{published:g}）为{expected:g}，"
            f"而本年“{total_label}”为{total:g}。如有文件废止或清理，可能属正常情况，请核实。"
        )
        where = f"proactive.{row_key}/public_total"
        out.append(finding("CONTINUITY", WARNING, where, message, expected, total))
    return out


def check_continuity(last, this):
    """Year-to-year findings for two reports of one agency (last year, this year)."""
    refusal = _refuse(last, this)
    if refusal:
        return [refusal]
    lc, tc = _Cells(last), _Cells(this)
    return (
        _carried_over(last, this, lc, tc)
        + _prev_items(last, this, lc, tc)
        + _in_force(last, this, lc, tc)
        + _public_total(last, this, lc, tc)
    )
