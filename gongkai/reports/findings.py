"""Findings: what the parser and the checker say about a report.

A finding is a plain dict in the interchange format:
{"rule", "severity", "where", "message", "expected", "actual"}.
Rule names are a public contract (../shared/spec/annual-report-format.md).
"""

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITIES = (ERROR, WARNING, INFO)

# Rule name -> short Chinese title shown to people.
RULES = {
    "T3-BALANCE": "表三勾稽关系（一+二=三（七）+四）",
    "T3-ROW-TOTAL": "表三行合计（总计=各类申请人之和）",
    "T3-RESULT-SUM": "表三办理结果合计",
    "T3-OTHER-SUM": "表三其他处理分项合计",
    "T4-GROUP-SUM": "表四各组合计",
    "TEMPLATE-YEAR": "报告格式与年度不符",
    "NARRATIVE-MATCH": "正文数字与表格不一致",
    "CONTINUITY": "与上年报告不衔接",
    "NARRATIVE-EMPTY": "正文部分没有内容",
    "SHAPE": "表格行的单元格数与模板不符",
    # Not table rules: reading problems the parser reports instead of guessing.
    "PARSE": "无法确定的内容",
    "UNIT": "金额单位",
}


def finding(rule, severity, where, message, expected=None, actual=None, *, rules=RULES):
    """A finding of one of `rules` (the engine's; the library's cross-report rules pass theirs)."""
    assert rule in rules and severity in SEVERITIES, (rule, severity)
    return {
        "rule": rule,
        "severity": severity,
        "where": where,
        "message": message,
        "expected": expected,
        "actual": actual,
    }


def has_errors(findings):
    return any(f["severity"] == ERROR for f in findings)
