"""Reading table cells: numbers, signed changes, money, and placing them.

Pure Python. "Never guess silently": `place` fills only the cells that every
possible reading of a short or long row agrees on, and says what it did.
"""

import functools
import math
import re
from dataclasses import dataclass
from itertools import combinations
from operator import itemgetter

BLANKS = frozenset({"", "-", "--", "—", "——", "/", "无", "空", "null", "None"})
# Money units, then the measure words a count may carry ("2笔" purchases).
_UNITS = ("亿元", "万元", "元", "万", "件", "条", "项", "个", "笔")
UNITS = "|".join(_UNITS)  # a regex alternation, longest first where one ends another
_NUMBER = re.compile(
    r"^(?P<sign>增加|减少|增|减|\+|-)?\s*(?P<num>\d[\d,]*(?:\.\d+)?)\s*"
    rf"(?P<unit>{UNITS})?$"
)
_UNIT_IN_HEADER = re.compile(r"单位[:：]?\s*(亿元|万元|元)")
YUAN_PER = {"元": 1, "万元": 10_000, "万": 10_000, "亿元": 100_000_000}
# No figure in an annual report has this many digits. Longer digit strings are not read
# as numbers: Python's int() refuses more than 4,300 digits (ValueError) and float()
# turns more than 308 into infinity.
MAX_DIGITS = 100


@dataclass(frozen=True)
class Number:
    value: float | int
    sign: int  # -1 for 减, +1 for 增, 0 when unsigned
    unit: str | None
    text: str


def is_blank(cell):
    return cell in BLANKS or cell.strip() in BLANKS


@functools.lru_cache(maxsize=8192)
def read_number(cell):
    """A Number for a numeric cell ("12", "增22", "855.034 万元"), else None."""
    text = cell.strip()
    m = _NUMBER.match(text)
    if not m:
        return None
    raw = m["num"].replace(",", "")
    if len(raw) > MAX_DIGITS:
        return None
    value = float(raw) if "." in raw else int(raw)
    sign = {"增": 1, "增加": 1, "+": 1, "减": -1, "减少": -1, "-": -1}.get(m["sign"] or "", 0)
    return Number(value, sign, m["unit"], text)


# A figure cell that was there but could not be read (an OCR reading the sums could not
# confirm): a value's place, never a number; the parser blanks it with a finding.
UNREADABLE = "□"


# The last character of every cell is_value accepts, besides a digit (str.isdecimal, as
# the regex's \d): a unit's, a blank mark's, the unreadable mark, or a thousands comma
# ("1,200," reads as a number). A line that ends otherwise holds no value at its end.
VALUE_ENDS = frozenset([u[-1] for u in _UNITS] + [b[-1] for b in BLANKS if b] + [UNREADABLE, ","])


@functools.lru_cache(maxsize=8192)
def is_value(cell):
    return is_blank(cell) or read_number(cell) is not None or cell.strip() == UNREADABLE


def header_unit(label):
    """The money unit a column header declares, e.g. "采购总金额(单位:万元,保留4位小数)"."""
    m = _UNIT_IN_HEADER.search(label)
    return m[1] if m else None


_MAX_CANDIDATES = 20_000


@functools.cache
def placements(n, k):
    """Every order-preserving way to put k printed figures into n cells (k ≤ n): for
    each, a function of the figures followed by one blank that returns the n cells."""
    out = []
    for slots in combinations(range(n), k):
        index = [k] * n  # the blank
        for i, slot in enumerate(slots):
            index[slot] = i
        out.append(_getter(index))
    return tuple(out)


def _getter(index):
    """The tuple of a sequence's items at `index`."""
    if len(index) == 1:
        return lambda seq: (seq[index[0]],)
    return itemgetter(*index)


def place(tokens, n, valid=None):
    """The `n` slot values for `tokens` (cell contents in printed order, blanks dropped).

    With exactly n tokens they go in order. Otherwise every order-preserving
    placement is tried (blank slots when short, dropped tokens when long); those
    that break the table's own sums (`valid`, blanks counting as 0) are set
    aside, and a slot is filled only when all remaining placements agree on it.
    """
    k = len(tokens)
    if k == n:
        return list(tokens)
    if k == 0:
        return [None] * n
    candidates = []
    if k < n:
        if math.comb(n, k) > _MAX_CANDIDATES + 1:
            return [None] * n  # too many readings to try: place nothing
        if valid is None and all(type(t) is int for t in tokens):
            # Without sums to narrow them, every placement stands: slot i holds one of
            # tokens i-(n-k) … i in some, a blank (0) in others, so it is known only
            # when all of those are 0 (what the enumeration below finds, without it).
            return [
                None if any(tokens[max(0, i - (n - k)) : min(i, k - 1) + 1]) else 0
                for i in range(n)
            ]
        padded = [*tokens, None]
        candidates = [way(padded) for way in placements(n, k)]
    else:
        for count, dropped in enumerate(combinations(range(k), k - n)):
            if count > _MAX_CANDIDATES:
                return [None] * n  # too many readings to try: place nothing
            drop = set(dropped)
            candidates.append([t for i, t in enumerate(tokens) if i not in drop])
    if valid is not None:
        candidates = [c for c in candidates if valid(c)] or candidates
    values = []
    for column in zip(*candidates, strict=True):
        seen = {(v if v is not None else 0) for v in column}
        values.append(seen.pop() if len(seen) == 1 else None)
    return values


def sums_hold(groups):
    """A `valid` function: in each (parts, total) index group, total == sum(parts)."""

    def valid(cand):
        for parts, total in groups:
            if (cand[total] or 0) != sum(cand[i] or 0 for i in parts):
                return False
        return True

    return valid
