"""Digits whose cell boundaries were lost, resolved by the national tables' sums.

Pure Python. A crawled page or a PDF text layer may print a row as
"230 000023" (23 0 0 0 0 0 23) or glue a whole table onto one line. The
national tables are full of sums (regulation.md §2.6): each row of table 三
adds its six applicant columns to 总计; per column 一 + 二 = 三（七） + 四 and the
result rows add to （七）总计; each group of table 四 adds to its 总计. A digit
string usually has exactly one split that satisfies them all.

Every reading that survives the sums is kept; a cell is filled only when all
of them agree on it ("never guess silently"). If the printed figures break
the sums themselves, nothing is decided from them.
"""

import functools
import itertools
import re

from .cells import placements

# Larger figures than this are not table 三/四 counts: such a cut is not tried.
_MAX_DIGITS = 9
_LIMIT = 20_000  # readings of one row beyond which nothing is decided (cells left blank)
_SUMSET_CAP = 20_000
# Rounds of column-by-column narrowing before the exact search (_search): one
# round takes most of what they can; more cost more than the search they save.
_ROUNDS = 1

DIGITS = re.compile(r"^\d+$")


def is_glued(token):
    """A digit string that cannot be one printed count: "000023", "0000000"."""
    return len(token) > 1 and token[0] == "0" and token.isdigit()


def _splits(chunk, max_parts):
    """Every cut of a digit string into at most `max_parts` numbers, none with a leading zero."""
    out = []
    end = len(chunk)

    def walk(i, acc):
        if len(acc) > max_parts:
            return
        if i == end:
            out.append(tuple(acc))
            return
        if chunk[i] == "0":
            acc.append(0)
            walk(i + 1, acc)
            acc.pop()
            return
        for j in range(i + 1, min(end, i + _MAX_DIGITS) + 1):
            acc.append(int(chunk[i:j]))
            walk(j, acc)
            acc.pop()

    walk(0, [])
    return out


def row_candidates(chunks, n, valid, *, split=True, limit=_LIMIT):
    """Every n-cell reading of `chunks` (digit strings in printed order) that `valid` accepts.

    Each chunk may hold several glued cells (when `split`); cells missing from
    the print are blanks anywhere in the row. Blanks count as 0. Returns a set
    of n-tuples, or None when the row is unreadable or has too many readings.
    """
    if not chunks or any(not DIGITS.match(c) for c in chunks):
        return None
    if split:
        per_chunk = [_splits(c, n) for c in chunks]
    else:
        per_chunk = [[(int(c),)] for c in chunks]
    out = set()
    tried = 0
    for combo in itertools.product(*per_chunk):
        tried += 1  # cuts that give too many cells count too: their number can explode
        if tried > limit:
            return None
        seq = [v for part in combo for v in part]
        m = len(seq)
        if m > n:
            continue
        ways = placements(n, m)
        tried += len(ways)
        if tried > limit:
            return None
        seq.append(0)  # the blank
        for way in ways:
            cand = way(seq)
            if valid(cand):
                out.add(cand)
    return out


def readings(chunks, groups, limit=_LIMIT):
    """Every reading of glued digit strings in which each group's parts add to its total.

    `chunks`: digit strings in printed order (a cut is certain between two
    chunks; anywhere inside one it is possible); `groups`: the number of part
    cells of each group, in printed order, each followed by its total cell
    (table 三: [6]; table 四: [4, 4, 4]). Cells not printed at all are blanks
    (0). Returns a set of tuples, or None when the chunks are not digits or the
    readings are too many to list.
    """
    if not chunks or any(not DIGITS.match(c) for c in chunks):
        return None
    digits = "".join(chunks)
    end = len(digits)
    # The first certain cut after each digit: a number may not run across it.
    cut_after = []
    for c in chunks:
        cut_after += [len(cut_after) + len(c)] * len(c)

    @functools.cache
    def number(a, b):
        if b - a > _MAX_DIGITS or (digits[a] == "0" and b - a > 1) or cut_after[a] < b:
            return None
        return int(digits[a:b])

    @functools.cache
    def can(k, a, b, want):
        """Whether k cells can read digits[a:b] exactly and add to `want`."""
        if k == 0:
            return a == b and want == 0
        width = len(str(want))
        if b - a > k * width:
            return False  # no part has more digits than the total
        if want == 0:
            return b - a <= k and digits.count("0", a, b) == b - a
        if width > b - a + 1:
            return False  # k ≤ 9 parts of at most b - a digits add up to fewer digits
        if can(k - 1, a, b, want):  # a blank cell
            return True
        for c in range(a + 1, min(b, a + _MAX_DIGITS) + 1):
            value = number(a, c)
            if value is not None and value <= want and can(k - 1, c, b, want - value):
                return True
        return False

    @functools.cache
    def parts(k, a, b, want):
        """The k-cell readings of digits[a:b] that add to `want`."""
        if not can(k, a, b, want):
            return frozenset()
        if k == 0:
            return frozenset({()})
        out = {(0, *rest) for rest in parts(k - 1, a, b, want)}  # a blank cell
        for c in range(a + 1, min(b, a + _MAX_DIGITS) + 1):
            value = number(a, c)
            if value is None or value > want or not can(k - 1, c, b, want - value):
                continue
            out |= {(value, *rest) for rest in parts(k - 1, c, b, want - value)}
            if len(out) > limit:
                raise OverflowError
        return frozenset(out)

    @functools.cache
    def tail(g, p):
        """Readings of groups g… from digit p to the end."""
        if g == len(groups):
            return frozenset({()}) if p == end else frozenset()
        out = set()
        for q in range(p, end + 1):
            totals = [(0, q)]  # a blank total
            for r in range(q + 1, min(end, q + _MAX_DIGITS) + 1):
                value = number(q, r)
                if value is not None:
                    totals.append((value, r))
            for value, r in totals:
                rest = tail(g + 1, r)
                if not rest or not can(groups[g], p, q, value):
                    continue
                heads = parts(groups[g], p, q, value)
                out |= {(*h, value, *t) for h in heads for t in rest}
                if len(out) > limit:
                    raise OverflowError
        return frozenset(out)

    try:
        return set(tail(0, 0))
    except OverflowError:
        return None


def cell_readings(tokens, n, limit=_LIMIT):
    """Every n-cell reading of printed tokens when no sum binds the cells (table 二).

    A token of plain digits may hold several glued cells ("0 00" is 0 0 0;
    "2 051" is 2 0 51), cut only where no number gets a leading zero; any
    other token (a signed "增8", "18.15", "6251000元") is one cell. Cells not
    printed at all are blanks (None) anywhere in the row. Returns a set of
    n-tuples of printed cells, or None when there are too many to list.
    """
    per_token = [
        [tuple(str(v) for v in cut) for cut in _splits(t, n)] if DIGITS.match(t) else [(t,)]
        for t in tokens
    ]
    out = set()
    for combo in itertools.product(*per_token):
        seq = [v for part in combo for v in part]
        if len(seq) > n:
            continue
        for slots in itertools.combinations(range(n), len(seq)):
            cand = [None] * n
            for slot, value in zip(slots, seq, strict=True):
                cand[slot] = value
            out.add(tuple(cand))
            if len(out) > limit:
                return None
    return out


def row_sum(parts, total):
    """A `valid` function: cand[total] == sum of cand[parts]."""

    def valid(cand):
        return cand[total] == sum(map(cand.__getitem__, parts))

    return valid


def agree(candidates, n):
    """Per slot: the value every candidate gives, else None."""
    if not candidates:
        return [None] * n
    first = next(iter(candidates))
    return [first[i] if all(c[i] == first[i] for c in candidates) else None for i in range(n)]


# ---- Column sums across rows (table 三) ----------------------------------------


def _sumsets(domains, coefs):
    """Prefix sumsets of sum(coef * x) over the domains, or None when too large."""
    sets = [{0}]
    for dom, coef in zip(domains, coefs, strict=True):
        if len(sets[-1]) * len(dom) > 2 * _SUMSET_CAP:
            return None  # too many sums to list cheaply: this column is not narrowed
        nxt = {a + coef * v for a in sets[-1] for v in dom}
        if len(nxt) > _SUMSET_CAP:
            return None
        sets.append(nxt)
    return sets


def _supported(domains, coefs):
    """For the equation sum(coef_i * x_i) == 0: the values of each x_i some solution uses."""
    pre = _sumsets(domains, coefs)
    suf = _sumsets(domains[::-1], coefs[::-1])
    if pre is None or suf is None:
        return None
    suf = suf[::-1]
    out = []
    for i, (dom, coef) in enumerate(zip(domains, coefs, strict=True)):
        left, right = pre[i], suf[i + 1]
        small, big = (left, right) if len(left) <= len(right) else (right, left)
        out.append({v for v in dom if any((-coef * v - a) in big for a in small)})
    return out


def solve_columns(domains, equations, width, columns=None):
    """Narrow each row's readings by equations that hold in every column.

    `domains`: {row key: set of width-tuples}; `equations`: lists of
    (row key, coefficient) whose weighted sum is 0 in each column (or, where
    `columns` gives one, only in the columns of the equation's entry). A cell
    None is one the row does not print although its parts are not all 0 (a
    总计 left blank): an equation through it does not hold in its column for
    that reading. Returns the narrowed domains, or None when no reading of the
    table satisfies them all (the printed figures break the sums: nothing may
    be decided from them). Sound: a reading that is part of some full solution
    is never removed.
    """
    doms = {k: set(v) for k, v in domains.items()}
    cols_of = list(columns) if columns is not None else [range(width)] * len(equations)
    equations = list(zip(equations, cols_of, strict=True))
    for _ in range(_ROUNDS):
        changed = False
        for eq, eq_cols in equations:
            keys = [k for k, _ in eq]
            coefs = [c for _, c in eq]
            for col in eq_cols:
                proj = [{t[col] for t in doms[k]} for k in keys]
                if any(None in p for p in proj):
                    continue  # a cell some reading leaves unprinted: not summed here
                sup = _supported(proj, coefs)
                if sup is None:
                    continue
                for key, allowed in zip(keys, sup, strict=True):
                    kept = {t for t in doms[key] if t[col] in allowed}
                    if not kept:
                        return None
                    if len(kept) != len(doms[key]):
                        doms[key] = kept
                        changed = True
        if not changed:
            break
    return _search(doms, equations)


# Transitions the exact search may take for one table (a few tenths of a second at most).
_SEARCH_BUDGET = 100_000
# Sums of the search's column reach sets are kept below this (bit sets of this width).
_REACH_CAP = 1 << 16


class _Budget(Exception):
    pass


def _search(doms, equations):
    """Keep only the readings that are part of a full solution of the table.

    An exact search, row by row, over the sums still owed in each equation and
    column: every state (rows read so far, sums owed) is explored once, and a
    reading is kept when it leads from a state to one that can still be
    completed. States that cannot be completed are cut early by the bounds of
    what the rows left can still add in each column, and, where those rows only
    add, by the exact set of sums they can make. Returns None when no reading
    of the table satisfies every equation; the domains unchanged when the
    search is too wide to finish (nothing is decided that was not already).
    """
    keys = _search_order(doms, equations)
    # Each equation holds in each of its columns, and so in the sum of those no
    # reading leaves unprinted (None): a bound on that sum cuts readings whose
    # figures are cut too short or too long.
    void_cols = {c for v in doms.values() for t in v for c, x in enumerate(t) if x is None}
    pairs = []
    for e, (_eq, cols) in enumerate(equations):
        cols = tuple(cols)
        pairs += [(e, (col,)) for col in cols]
        summed = tuple(c for c in cols if c not in void_cols)
        if len(summed) > 1:
            pairs.append((e, summed))
    coef = [dict(eq) for eq, _cols in equations]
    # What an unprinted cell adds to the sums owed: more than twice what every figure of
    # the table adds up to, so that a sum through it is known to be void (and it never
    # cancels: it is always added).
    void = 2 * sum(abs(x or 0) for v in doms.values() for t in v for x in t) + 2

    def adds(key, t, e, cols):
        c = coef[e].get(key, 0)
        if not c:
            return 0
        if any(t[col] is None for col in cols):
            return void
        return c * sum(t[col] for col in cols)

    # Each row's readings as the vector of what it adds to each (equation, columns).
    options = []
    for key in keys:
        by_vec = {}
        for t in doms[key]:
            vec = tuple(adds(key, t, e, cols) for e, cols in pairs)
            by_vec.setdefault(vec, []).append(t)
        options.append(list(by_vec.items()))
    m, width = len(keys), len(pairs)
    inf = float("inf")
    lo = [[0] * width for _ in range(m + 1)]
    hi = [[0] * width for _ in range(m + 1)]
    reach = [[1] * width for _ in range(m + 1)]  # bit s: the rows left can add s (or None)
    for i in range(m - 1, -1, -1):
        vecs = [v for v, _ in options[i]]
        for p in range(width):
            col = [v[p] for v in vecs]
            if void in col:
                lo[i][p], hi[i][p], reach[i][p] = -inf, inf, None
                continue
            lo[i][p] = lo[i + 1][p] + min(col)
            hi[i][p] = hi[i + 1][p] + max(col)
            below = reach[i + 1][p]
            if below is None or min(col) < 0:
                reach[i][p] = None
                continue
            bits = 0
            for v in set(col):
                if v < _REACH_CAP:
                    bits |= below << v
            reach[i][p] = bits & ((1 << _REACH_CAP) - 1)
    ok = {}
    used = [set() for _ in range(m)]
    spent = 0

    def feasible(i, state):
        lo_i, hi_i, reach_i = lo[i], hi[i], reach[i]
        for p in range(width):
            owed = state[p]
            if owed >= void // 2:
                continue  # a sum through an unprinted cell: void
            need = -owed
            if need < lo_i[p] or need > hi_i[p]:
                return False
            bits = reach_i[p]
            if bits is not None and need < _REACH_CAP and not (bits >> need) & 1:
                return False
        return True

    def good(i, state):
        nonlocal spent
        if i == m:
            return True
        known = ok.get((i, state))
        if known is not None:
            return known
        spent += len(options[i])
        if spent > _SEARCH_BUDGET:
            raise _Budget
        found = False
        for j, (vec, _ts) in enumerate(options[i]):
            nxt = tuple(map(int.__add__, state, vec))
            if feasible(i + 1, nxt) and good(i + 1, nxt):
                used[i].add(j)
                found = True
        ok[i, state] = found
        return found

    start = (0,) * width
    try:
        if not feasible(0, start) or not good(0, start):
            return None
    except _Budget:
        return doms
    out = dict(doms)
    for i, key in enumerate(keys):
        out[key] = {t for j in used[i] for t in options[i][j][1]}
    return out


def _search_order(doms, equations):
    """Rows in the order the search reads them: rows with one reading first, then rows
    that stand in more than one equation (so that every equation's sums owed are soon
    known), then each equation's rows, largest equation first, most readings first (the
    wide rows cut the sums owed into few states before the narrow ones multiply them:
    ten times faster on 上海市政府办公厅 2019 flattened than fewest first)."""
    count = {}
    for eq, _cols in equations:
        for k, _c in eq:
            count[k] = count.get(k, 0) + 1
    fixed = [k for k, v in doms.items() if len(v) == 1]
    hubs = sorted(
        (k for k in doms if count.get(k, 0) > 1 and len(doms[k]) > 1), key=lambda k: len(doms[k])
    )
    order = fixed + hubs
    seen = set(order)
    for eq, _cols in sorted(equations, key=lambda ec: -len(ec[0])):
        rest = sorted((k for k, _c in eq if k not in seen), key=lambda k: -len(doms[k]))
        order += rest
        seen.update(rest)
    order += [k for k in doms if k not in seen]
    return order
