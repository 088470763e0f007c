"""Checks beyond one report (issue 19): pure functions over plain report dicts, no ORM.

A "doc" is a report's current data in the interchange format
(../shared/spec/annual-report-format.md) as the library holds it, with the library's
own facts put in: "year" is the year the report is filed under, "agency" the
directory's name, and "id" / "agency_id" the library's keys. The thin layer that
feeds these functions from the database is gongkai.library.crosscheck.

The rules, each with a stable name, a severity and a Chinese message:

- CONTINUITY (spec name; the engine's rule, gongkai.reports.checks): across the years
  of one agency, incl. table 二 (2021: 现行有效 = last year's + 制发 − 废止; 2019:
  上一年项目数量 + 增/减, 对外公开总数量 + 本年新公开). The template states no
  tolerance for table 二; regulation.md §2.6 rule 6 calls it a heuristic, so a
  difference is a warning, never an error.
- TEMPLATE-YEAR (spec name): the format against the year the report is *filed* under
  (a person may have assigned a year the text did not print).
- PARENT-SUM: a report that says its figures include its subordinate agencies (e.g.
  "本报告数据包括局机关及所属各分局", "综合各县（市、区）……年度报告编制而成")
  against the sum of those agencies' reports of the same year.
- REPORT-MISSING / REPORT-LATE: regulation.md Art. 49 (deadlines in
  gongkai.workdays.periods.annual_report_due).
- NARRATIVE-COPY: the share of the narrative's sentences repeated from last year's
  report or from another agency's report of the same year.
- OUTLIER-JUMP / OUTLIER-ZERO: year-on-year jumps; zero where peer agencies have volume.
"""

import datetime as dt
import functools
import re
import statistics
from dataclasses import dataclass

from gongkai.reports import checks, findings, tables
from gongkai.reports.findings import ERROR, INFO, WARNING
from gongkai.workdays.periods import annual_report_due

# Rule name -> short Chinese title (the engine's titles are gongkai.reports.findings.RULES).
RULES = {
    "PARENT-SUM": "所含下级机关数字之和",
    "REPORT-MISSING": "未发布年度报告",
    "REPORT-LATE": "逾期发布年度报告",
    "NARRATIVE-COPY": "正文与上年或其他机关的报告雷同",
    "OUTLIER-JUMP": "数字较上年异常变化",
    "OUTLIER-ZERO": "同级机关有量而本机关为零",
}
CROSS_RULES = frozenset(RULES) | {"CONTINUITY", "TEMPLATE-YEAR"}

# Places of the cross-report findings that are not a table cell.
PLACES = {
    "narrative.last_year": "报告正文 · 与上年报告比较",
    "report": "整份报告",
    "published": "发布日期",
}


def finding(rule, severity, where, message, expected=None, actual=None):
    return findings.finding(rule, severity, where, message, expected, actual, rules=RULES)


def place(where):
    """A cross-report finding's place in words, or None."""
    if where in PLACES:
        return PLACES[where]
    if where.startswith("narrative.agency/"):
        return "报告正文 · 与其他机关报告比较"
    if where.startswith("children."):
        return "表三、表四 · 与下级机关报告之和比较"
    return None


def _num(doc, section, row, col):
    try:
        value = doc[section][row][col]
    except (KeyError, TypeError):
        return None
    return value if type(value) in (int, float) else None


# ---- TEMPLATE-YEAR on the library's year ---------------------------------------------


def template_year(doc):
    """TEMPLATE-YEAR for the year the report is filed under (the engine's rule)."""
    return checks.template_year(doc)


# ---- PARENT-SUM -------------------------------------------------------------------------

# A statement that the report's figures cover subordinate agencies. Real phrasing (2008–
# 2024 reports of cities, counties and their bureaus): "综合2017年度丽水市各县（市、区）
# 政府和市级各部门的政府信息公开年度工作报告编制而成", "汇总南平市各县（市、区）、市政府
# 各有关部门政府信息公开工作情况编制而成", "本报告数据包括局机关及所属各分局",
# "含下属单位", "全局（含各县区分局）共收到……". Words about merely working with
# subordinate units ("局属相关部门根据职责", "定期与区县公安（分）局开展交流",
# "全州公安机关共召开……") do not say the figures cover them.
_UNITS = r"(?:下属|所属|直属|局属|下级|各)[^。；，,]{0,12}?(?:单位|机构|分局|部门|派出所|公安局|局|县|区|市|乡镇|街道)"
_COVERS = [
    re.compile(
        r"(?:汇总|综合)[^。；]{0,40}?" + _UNITS + r"[^。；]{0,60}?(?:编制而成|编制|汇总而成)"
    ),
    re.compile(
        r"(?:数据|数字|统计|报告)[^。；]{0,20}?(?:包括|包含|含|涵盖)[^。；]{0,10}?" + _UNITS
    ),
    re.compile(r"[（(](?:含|包括|包含)[^）)]{0,10}?" + _UNITS + r"[^）)]{0,10}[）)]"),
    re.compile(r"(?:含|包括)(?:本级|局机关|机关本级)?(?:及|和)?" + _UNITS + r"(?:数据|在内)"),
]


def covers_children(doc):
    """The sentence in which the report says its figures include its subordinate
    agencies, or None."""
    texts = (doc.get("narrative") or {}).values()
    for text in texts:
        if not isinstance(text, str):
            continue
        for pattern in _COVERS:
            m = pattern.search(text)
            if m:
                start = max(text.rfind("。", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
                end = text.find("。", m.end())
                return text[start : end + 1 if end >= 0 else len(text)].strip()[:200]
    return None


# The figures compared: (section, row, column, words).
SUM_FIGURES = (
    ("requests", "new", "total", "本年新收政府信息公开申请数量"),
    ("requests", "total", "total", "本年度办理结果总计"),
    ("requests", "granted", "total", "予以公开"),
    ("appeals", "reconsideration", "total", "行政复议总计"),
    ("appeals", "litigation_direct", "total", "未经复议直接起诉总计"),
    ("appeals", "litigation_after", "total", "复议后起诉总计"),
)


def parent_sum(parent, children, statement):
    """PARENT-SUM: a report whose figures include its subordinate agencies' cannot have
    fewer applications, results or appeals than those agencies report together."""
    if not statement or not children:
        return []
    names = "、".join(c.get("agency") or "" for c in children[:5])
    names += f"等 {len(children)} 个机关" if len(children) > 5 else ""
    out = []
    for section, row, col, words in SUM_FIGURES:
        own = _num(parent, section, row, col)
        values = [_num(c, section, row, col) for c in children]
        if own is None or all(v is None for v in values):
            continue
        total = sum(v for v in values if v is not None)
        if own >= total:
            continue
        message = (
            f"报告称“{statement}”，但“{words}”为 {own:g}，少于下级机关（{names}）"
            f"{parent.get('year')}年度报告之和 {total:g}，相差 {total - own:g}。"
            "请核对本报告的数字是否漏计了下级机关，或下级机关的报告是否有误。"
        )
        out.append(
            finding("PARENT-SUM", ERROR, f"children.{section}.{row}/{col}", message, total, own)
        )
    return out


# ---- REPORT-MISSING / REPORT-LATE (Art. 49) ------------------------------------------


def missing(agency_name, year, *, government, today):
    """REPORT-MISSING when no report of `year` is in the library and the deadline passed."""
    due = annual_report_due(year, government=government)
    if today <= due:
        return []
    message = (
        f"{agency_name}的{year}年度政府信息公开工作年度报告应于{due:%Y年%-m月%-d日}前发布"
        f"（条例第四十九条），至{today:%Y年%-m月%-d日}年报库中仍没有这份报告。"
        "请核实是否未发布，或尚未收集入库。"
    )
    return [finding("REPORT-MISSING", ERROR, "report", message, due.isoformat(), None)]


def late(doc, *, government):
    """REPORT-LATE: published after the Art. 49 deadline."""
    year = doc.get("year")
    if not isinstance(year, int):
        return []
    due = annual_report_due(year, government=government)
    try:
        published = dt.date.fromisoformat(doc.get("published") or "")
    except ValueError:
        published = None
    if published is None:
        return []  # no date to tell: listed as 发布日期不详 on 未报送与逾期 (due.py)
    if published <= due:
        return []
    days = (published - due).days
    message = (
        f"{year}年度报告应于{due:%Y年%-m月%-d日}前发布（条例第四十九条），"
        f"实际发布日期为{published:%Y年%-m月%-d日}，逾期 {days} 天。"
    )
    return [
        finding("REPORT-LATE", ERROR, "published", message, due.isoformat(), published.isoformat())
    ]


# ---- NARRATIVE-COPY ----------------------------------------------------------------------

MIN_SENTENCE = 15  # characters after normalising: shorter ones repeat by chance
COPY_SHARE = 0.5  # at least half of the sentences repeated …
COPY_MIN = 5  # … and at least this many
_SPLIT = re.compile(r"[。！？；!?;\n]+")
_STRIP = re.compile(r"[\s\u3000，、,：:“”\"‘’'（）()《》<>【】\[\]—\-·.…]+")
_DIGITS = re.compile(r"[0-9０-９一二三四五六七八九十百千万零〇两]+")
# Sentences every report is told to carry (the template's own words): not copying.
_BOILERPLATE = re.compile(
    r"统计期限|统计时限|电子版|如对本(?:年度)?报告|有任何疑问|联系电话|邮编|邮政编码|以公开为常态|"
    r"根据中华人民共和国政府信息公开条例|依据中华人民共和国政府信息公开条例|编制本报告|"
    r"全文包括|本报告由|报告全文"
)


def sentences(doc):
    """{normalised sentence: the sentence as printed} of the narrative. Figures and
    years are blanked ("#"), so a sentence repeated with this year's numbers counts."""
    texts = tuple(t for t in (doc.get("narrative") or {}).values() if isinstance(t, str))
    return _sentences(texts)


@functools.lru_cache(maxsize=512)
def _sentences(texts):
    """sentences() by the narrative's texts: a report compared with its whole group of
    peers is split once, not once per comparison. Callers must not change the result."""
    out = {}
    for text in texts:
        for raw in _SPLIT.split(text):
            key = _key(raw)
            if len(key) >= MIN_SENTENCE and not _BOILERPLATE.search(_STRIP.sub("", raw)):
                out.setdefault(key, raw.strip())
    return out


def _key(raw):
    """A sentence as compared: no spaces, punctuation or figures."""
    return _DIGITS.sub("#", _STRIP.sub("", _SPLIT.sub("", raw)))


@dataclass
class Overlap:
    shared: set
    total: int

    @property
    def share(self):
        return len(self.shared) / self.total if self.total else 0.0

    @property
    def copied(self):
        return len(self.shared) >= COPY_MIN and self.share >= COPY_SHARE


def overlap(mine, theirs, common=frozenset()):
    """Sentences of `mine` (from `sentences`) also in `theirs`, leaving out `common`
    (sentences most reports of a group share: local boilerplate)."""
    own = set(mine) - set(common)
    return Overlap(own & set(theirs), len(own))


def copy_from_last_year(doc, last):
    mine, theirs = sentences(doc), sentences(last)
    o = overlap(mine, theirs)
    if not o.copied:
        return []
    message = (
        f"正文 {o.total} 句中有 {len(o.shared)} 句（{o.share:.0%}）与{last.get('year')}年度报告"
        "相同（仅数字不同的也算相同），年度报告应反映本年度的工作情况。请对照两份正文核实。"
    )
    return [
        finding(
            "NARRATIVE-COPY",
            WARNING,
            "narrative.last_year",
            message,
            last.get("id"),
            round(o.share, 2),
        )
    ]


def copy_from_others(doc, others, common=frozenset()):
    """NARRATIVE-COPY against other agencies' reports of the same year (one finding per
    agency copied from, identified by that agency)."""
    mine = sentences(doc)
    out = []
    for other in others:
        if other.get("agency_id") == doc.get("agency_id"):
            continue
        o = overlap(mine, sentences(other), common)
        if not o.copied:
            continue
        message = (
            f"正文 {o.total} 句中有 {len(o.shared)} 句（{o.share:.0%}）与{other.get('agency')}"
            f"{other.get('year')}年度报告相同（仅数字不同的也算相同）。请对照两份正文核实"
            "是否照抄了其他机关的报告。"
        )
        where = f"narrative.agency/{other.get('agency_id')}"
        out.append(
            finding("NARRATIVE-COPY", WARNING, where, message, other.get("id"), round(o.share, 2))
        )
    return out


def common_sentences(docs, share=0.5, minimum=4):
    """Sentences that more than `share` of a group's reports carry (the group's own
    boilerplate, e.g. a province's required wording); none for groups under `minimum`."""
    if len(docs) < minimum:
        return frozenset()
    counts = {}
    for d in docs:
        for s in sentences(d):
            counts[s] = counts.get(s, 0) + 1
    return frozenset(s for s, n in counts.items() if n > share * len(docs))


def side_by_side(doc, other):
    """Both narratives as [(heading, [(sentence text, repeated?)])] for the compare page."""
    shared = overlap(sentences(doc), sentences(other)).shared

    def parts(d):
        out = []
        headings = {"overview": tables.SECTIONS[0], "problems": tables.SECTIONS[4],
                    "other": tables.SECTIONS[5]}  # fmt: skip
        for key, heading in headings.items():
            text = (d.get("narrative") or {}).get(key)
            if not isinstance(text, str) or not text.strip():
                continue
            pieces = []
            for m in re.finditer(r"[^。！？；!?;\n]+[。！？；!?;]?", text):
                raw = m.group(0)
                pieces.append((raw, _key(raw) in shared))
            out.append((heading, pieces))
        return out

    return parts(doc), parts(other), len(shared)


# ---- OUTLIER-JUMP / OUTLIER-ZERO ---------------------------------------------------------

# (section, row, column, words): figures every report of either format has.
OUTLIER_FIGURES = (
    ("requests", "new", "total", "本年新收政府信息公开申请数量"),
    ("appeals", "reconsideration", "total", "行政复议总计"),
    ("proactive", "licensing", "decisions", "行政许可处理决定数量"),
    ("proactive", "penalties", "decisions", "行政处罚处理决定数量"),
)
JUMP_RATIO = 5  # this year at least 5 times last year's, or at most a fifth of it …
JUMP_MIN = 50  # … with the larger of the two at least this much
ZERO_MIN_PEERS = 3  # peers with a report that year
ZERO_PEER_MEDIAN = 20  # the peers' median at least this much


def jumps(doc, last):
    out = []
    for section, row, col, words in OUTLIER_FIGURES:
        now, was = _num(doc, section, row, col), _num(last, section, row, col)
        if now is None or was is None or max(now, was) < JUMP_MIN:
            continue
        if now >= JUMP_RATIO * was:
            how = f"是上年（{was:g}）的 {now / was:.1f} 倍" if was else "上年为 0"
        elif was >= JUMP_RATIO * now:
            how = f"不到上年（{was:g}）的五分之一"
        else:
            continue
        message = (
            f"“{words}”为 {now:g}，{how}。变化异常大：请核实是否填错单元格、"
            "单位或统计口径，确属实际情况的可排除并写明原因。"
        )
        out.append(finding("OUTLIER-JUMP", INFO, f"{section}.{row}/{col}", message, was, now))
    return out


def zeros(doc, peers):
    """OUTLIER-ZERO: a figure blank or 0 where the peers' (same-level agencies under the
    same supervisor, same year) median is at least ZERO_PEER_MEDIAN."""
    out = []
    for section, row, col, words in OUTLIER_FIGURES:
        if section not in doc or not isinstance(doc.get(section), dict):
            continue
        if row not in doc[section]:
            continue  # the template has no such row (e.g. 2019 fees)
        if _num(doc, section, row, col) not in (None, 0):
            continue
        values = [v for v in (_num(p, section, row, col) for p in peers) if v is not None]
        if len(values) < ZERO_MIN_PEERS:
            continue
        median = statistics.median(values)
        if median < ZERO_PEER_MEDIAN:
            continue
        message = (
            f"“{words}”为 0 或空白，而同级 {len(values)} 个机关同年的中位数为 {median:g}。"
            "请核实是否漏填，确实没有的可排除并写明原因。"
        )
        out.append(finding("OUTLIER-ZERO", WARNING, f"{section}.{row}/{col}", message, median, 0))
    return out
