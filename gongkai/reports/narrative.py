"""Figures stated in a report's narrative text (for NARRATIVE-MATCH).

regulation.md §2.6 rule 7: any number in 一、总体情况 (收到/办结/结转 counts,
复议/诉讼 counts, 规范性文件 counts) must equal the table value. This module only
reads the text; checks.py compares. Pure Python.

Conservative by design: a figure is taken only when the wording names what is
counted (依申请公开, 政府信息公开申请, 规范性文件, a 复议/诉讼 qualified by 信息公开)
and the number is exact (no 余/多/约). A missed figure costs nothing; a
misread one is a false warning on a correct report.
"""

import re

from .cells import MAX_DIGITS
from .normalize import detect_script, replace_each, to_simplified

# What a stated figure counts (the checker maps each to table cells).
RECEIVED = "received"  # 本年新收 (一)
RECEIVED_WITH_CARRIED = "received_with_carried"  # 新收 + 上年结转 (含上年结转)
CARRIED_OVER = "carried_over"  # 上年结转 (二)
COMPLETED = "completed"  # 办结 = 三（七）总计
CARRY_FORWARD = "carry_forward"  # 结转下年度 (四)
GRANTED = "granted"  # 予以公开
PARTIAL = "partial"  # 部分公开
DENIED = "denied"  # 不予公开 (all eight rows)
UNAVAILABLE = "unavailable"  # 无法提供 (three rows)
NOT_PROCESSED = "not_processed"  # 不予处理 (five rows)
RECONSIDERATION = "reconsideration"  # 行政复议 (表四)
LITIGATION = "litigation"  # 行政诉讼 = 未经复议直接起诉 + 复议后起诉
NORMATIVE_ISSUED = "normative_issued"  # 制发规范性文件
NORMATIVE_REPEALED = "normative_repealed"  # 废止规范性文件
NORMATIVE_IN_FORCE = "normative_in_force"  # 现行有效规范性文件

_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH[0x3000] = 0x20

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
_CN_DIGITS.update({"五": 5, "六": 6, "七": 7, "八": 8, "九": 9})
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}

# A number as printed: Arabic (spaces around allowed, "2020 年") or simple Chinese.
_N = r"(?<![\d.约近逾超])\s?(?P<n>\d+|[零〇一二两三四五六七八九十百千]+)\s?"
_PIECE = r"(?:件|个|起|宗|份|例)"  # a count of applications, cases or documents
_GAP = r"[^,;:。；！？!?\n\d]"  # within one clause, no digits
_OBJ = r"(?:依申请公开|信息公开申请|公开申请)"  # an application for disclosure
_GOV = r"(?:信息公开|政务公开|依申请公开|公开申请)"  # qualifies 复议/诉讼
_NEG = r"(?:(?<!尚)未(?!经)|没有|无(?!法|正当))"
_DOC = r"(?:行政)?规范性文件"

_SENTENCE_ENDS = "。;；!?！？\n"
_SENTENCE_END = re.compile(f"[{_SENTENCE_ENDS}]")
_CLAUSE_END = re.compile(r"[,，、:：]")
_YEAR = re.compile(r"(\d{4})\s?年")
_PREVIOUS = re.compile(r"(?:上年|上一年|去年|前年|同比|较|比)$")
_WITH_CARRIED = re.compile(r"\s?[(（]?(?:含|包括|其中)上一?年度?结转")
_FIGURE = re.compile(r"\d\s?(?:件|个|起|宗|份|例)")
_CHANNEL = re.compile(r"当面|信函|网上|网络|传真|电子邮件|邮寄|现场")
_APPEAL = re.compile(r"复议|诉讼")
_REQUEST = re.compile(_OBJ + r"|申请")
_GOV_WORD = re.compile(_GOV)


def _patterns():
    """(key, regex, guard) triples; guard names the checks a match must pass."""
    verb = r"(?:共|累计|合计)?(?:收到|接到|受理|接收|新收)"
    issue = r"(?:制发|制定|出台|印发|新制作)"
    return [
        # 共收到依申请公开3件 / 本年度新收政府信息公开申请3件
        (RECEIVED, rf"{verb}{_GAP}{{0,20}}?{_OBJ}{_GAP}{{0,8}}?{_N}{_PIECE}", "received"),
        # 共收到3件政府信息公开申请
        (RECEIVED, rf"{verb}了?{_N}{_PIECE}{_GAP}{{0,6}}?{_OBJ}", "received"),
        # 未接到群众提出依申请公开事项诉求 / 未收到政府信息公开申请
        (RECEIVED, rf"{_NEG}(?:接到|收到|受理|接收|发生){_GAP}{{0,20}}?{_OBJ}", "none"),
        (CARRIED_OVER, rf"上一?年度?结转{_GAP}{{0,8}}?{_N}{_PIECE}", "request"),
        (COMPLETED, rf"办结了?{_N}{_PIECE}", "request"),
        # 3件依申请公开均已办结
        (
            COMPLETED,
            rf"{_N}{_PIECE}(?:{_OBJ}|申请)?(?:事项)?(?:均已|已全部|全部|均)(?:按时|依法)?办结",
            "request",
        ),
        (
            CARRY_FORWARD,
            rf"(?<!上年)(?<!上一年)(?<!上年度)(?<!上一年度)结转(?:至|到)?(?:下一?年度?|\d{{4}}年度?)?"
            rf"(?:继续)?(?:办理)?{_N}{_PIECE}",
            "request",
        ),
        (CARRY_FORWARD, rf"{_N}{_PIECE}(?:申请)?结转(?:至|到)?下一?年", "request"),
        (GRANTED, rf"(?<![不及])予以公开的?{_N}{_PIECE}", "request"),
        (PARTIAL, rf"(?<![及和与、])部分公开的?{_N}{_PIECE}", "request"),
        (DENIED, rf"不予(?:以)?公开的?{_N}{_PIECE}", "request"),
        (UNAVAILABLE, rf"无法提供的?{_N}{_PIECE}", "request"),
        (NOT_PROCESSED, rf"不予处理的?{_N}{_PIECE}", "request"),
        # 因政府信息公开被申请行政复议1件 / 行政复议案件0起
        (RECONSIDERATION, rf"行政复议(?:案件|申请)?(?:共|为)?{_N}{_PIECE}", "appeal"),
        (RECONSIDERATION, rf"{_N}{_PIECE}行政复议", "appeal"),
        (LITIGATION, rf"行政诉讼(?:案件)?(?:共|为)?{_N}{_PIECE}", "appeal"),
        (LITIGATION, rf"{_N}{_PIECE}行政诉讼", "appeal"),
        # 本年度无因政府信息公开引起的行政复议案件 / 没有发生因政务公开申请行政复议、提起行政诉讼
        (
            RECONSIDERATION,
            rf"{_NEG}(?:发生|出现|收到|接到)?{_GAP}{{0,20}}?{_GOV}{_GAP}{{0,12}}?行政复议",
            "none",
        ),
        (
            LITIGATION,
            rf"{_NEG}(?:发生|出现|收到|接到)?{_GAP}{{0,20}}?{_GOV}"
            rf"[^,;:。；！？!?\n\d]{{0,20}}?行政诉讼",
            "none",
        ),
        # 制发规范性文件1件 / 制定了2件规范性文件 / 现行有效规范性文件1件
        (NORMATIVE_ISSUED, rf"{issue}了?{_DOC}(?:共)?{_N}{_PIECE}", ""),
        (NORMATIVE_ISSUED, rf"{issue}了?{_N}{_PIECE}{_DOC}", ""),
        (NORMATIVE_REPEALED, rf"废止了?{_DOC}(?:共)?{_N}{_PIECE}", ""),
        (NORMATIVE_REPEALED, rf"废止了?{_N}{_PIECE}{_DOC}", ""),
        (NORMATIVE_IN_FORCE, rf"现行有效的?{_DOC}(?:共)?{_N}{_PIECE}", ""),
        (NORMATIVE_IN_FORCE, rf"{_DOC}现行有效的?(?:共|为)?{_N}{_PIECE}", ""),
    ]


# Words every match of a key contains: a cheap test that skips most patterns on most texts.
_ANCHORS = {
    RECEIVED: ("申请公开", "公开申请"),
    CARRIED_OVER: ("结转",),
    COMPLETED: ("办结",),
    CARRY_FORWARD: ("结转",),
    GRANTED: ("予以公开",),
    PARTIAL: ("部分公开",),
    DENIED: ("不予",),
    UNAVAILABLE: ("无法提供",),
    NOT_PROCESSED: ("不予处理",),
    RECONSIDERATION: ("行政复议",),
    LITIGATION: ("行政诉讼",),
    NORMATIVE_ISSUED: ("规范性文件",),
    NORMATIVE_REPEALED: ("规范性文件",),
    NORMATIVE_IN_FORCE: ("规范性文件",),
}
_COMPILED = [(key, re.compile(rx), guard) for key, rx, guard in _patterns()]


def _keys_by_anchor():
    """Anchor word -> the keys it anchors (a sentence's keys are those of its words)."""
    out = {}
    for key, words in _ANCHORS.items():
        for word in words:
            out.setdefault(word, []).append(key)
    return out


_ANCHOR_KEYS = _keys_by_anchor()
_ANY_ANCHOR = re.compile("|".join(sorted(_ANCHOR_KEYS)))
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")
_HALF = {chr(cp): chr(to) for cp, to in _WIDTH.items()}


def _half_width(text):
    """Full-width ASCII to ASCII, one character for one so snippets keep positions."""
    # A text holds a handful of distinct full-width characters, each many times.
    return replace_each(text, _FULL_WIDTH, _HALF)


def chinese_number(text):
    """'3' -> 3, '两' -> 2, '十二' -> 12, '一百零五' -> 105; None if not a number."""
    text = text.strip()
    if text.isdecimal():
        return int(text) if len(text) <= MAX_DIGITS else None
    total, digit = 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            if digit is not None and digit != 0:
                return None  # two digits in a row: "一二" is not a number
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            if digit == 0:
                return None
            total += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


def _sentences(text):
    """(start, end) of each sentence: the unit every context check looks within."""
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > start:
            yield start, m.start()
        start = m.end()
    if start < len(text):
        yield start, len(text)


def _anchored_sentences(text):
    """The sentences of _sentences(text) that hold an anchor word (_ANY_ANCHOR): found
    from the anchors, as most sentences hold none. No anchor holds a sentence end."""
    pos, size = 0, len(text)
    while (anchor := _ANY_ANCHOR.search(text, pos)) is not None:
        # Just after the last sentence end before the anchor (found from the anchor back).
        head = max(pos, *(text.rfind(ch, pos, anchor.start()) + 1 for ch in _SENTENCE_ENDS))
        end = _SENTENCE_END.search(text, anchor.end())
        tail = end.start() if end else size
        yield head, tail
        pos = tail + 1


def _passes(guard, text, m, sentence):
    """The context checks that keep a match from reading an unrelated sentence."""
    head, tail = sentence
    before = text[head : m.start()]
    clause = _CLAUSE_END.split(before)[-1] + m.group(0)
    if _PREVIOUS.search(before.rstrip("的")):
        return False  # 较上年的5件: a comparison with another year
    if guard == "received":
        if "其中" in clause or before.rstrip(" ,，:：").endswith("其中"):
            return False  # a part (其中通过网络收到…), not the total
        if _CHANNEL.search(clause):
            return False  # a count by channel
        return not _APPEAL.search(clause)
    if guard == "none":
        if _FIGURE.search(text, head, tail):
            return False  # a sentence that also gives figures: let those speak
        if m.group(0).endswith(("行政复议", "行政诉讼")):
            return True
        clause_end = _CLAUSE_END.search(text, m.end(), tail)
        rest = text[m.end() : clause_end.start() if clause_end else tail]
        return not _APPEAL.search(m.group(0) + rest)
    if guard == "request":
        return _REQUEST.search(text, head, tail) is not None
    if guard == "appeal":
        # The qualifier must be close: 因政府信息公开被申请行政复议1件，行政诉讼2件.
        near = text[max(head, m.start() - 25) : m.start()] + m.group(0)
        return _GOV_WORD.search(near) is not None
    return True


def _other_year(text, start, sentence, year):
    if year is None:
        return False
    mentioned = _YEAR.findall(text[sentence[0] : start])
    return bool(mentioned) and int(mentioned[-1]) != year


def stated_figures(text, year=None):
    """Figures the text states: a list of (key, value, snippet) in text order.

    `year`, when given, drops figures whose sentence is about another year
    ("2020年收到…" in a 2021 report).
    """
    if not text:
        return []
    # Read in the simplified, half-width form; quote the text as written where the
    # script conversion keeps every position (it nearly always does).
    if detect_script(text) == "traditional":
        simplified = to_simplified(text)
        if len(simplified) != len(text):
            text = simplified
        plain = _half_width(simplified)
    else:
        plain = _half_width(text)
    found = {}
    for head, tail in _anchored_sentences(plain):
        sentence = plain[head:tail]
        keys = {key for word, of in _ANCHOR_KEYS.items() if word in sentence for key in of}
        for key, regex, guard in _COMPILED:
            if key not in keys:
                continue
            for m in regex.finditer(plain, head, tail):
                figure = _figure(plain, m, key, guard, (head, tail), year)
                if figure is not None:
                    found.setdefault((m.start(), figure[0]), (*figure, text[m.start() : m.end()]))
    return [found[k] for k in sorted(found)]


def _figure(plain, m, key, guard, sentence, year):
    """(key, value) for one match, or None when its context rules it out."""
    if not _passes(guard, plain, m, sentence) or _other_year(plain, m.start(), sentence, year):
        return None
    value = 0 if guard == "none" else chinese_number(m.group("n"))
    if value is None:
        return None
    if key == RECEIVED and _WITH_CARRIED.match(plain, m.end(), sentence[1]):
        return RECEIVED_WITH_CARRIED, value
    return key, value
