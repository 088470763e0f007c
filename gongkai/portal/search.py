"""Catalogue search and paging, the pure part (no ORM): queries, tsquery text, cursors.

Chinese has no spaces between words, and most words are two characters (公安, 户籍,
反诈). PostgreSQL's pg_trgm cannot use its index for a two-character pattern, so
the portal indexes overlapping character pairs (bigrams) instead: the text
"公安局" is indexed as the tokens 公安 and 安局 (see migrations/0002, function
portal_item_document). A query is turned into the same pairs, all required
(`tsquery`); the database then checks the exact text (title or body contains the
query), so the pairs only narrow the candidates and never change the result.
"""

import datetime as dt
import re

MAX_QUERY = 50  # characters of a search query that are kept
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def normalise(query):
    """The query as searched: control characters dropped, spaces collapsed, ≤ MAX_QUERY."""
    text = " ".join(_CONTROL.sub(" ", str(query or "")).split())
    return text[:MAX_QUERY]


# Han characters, ASCII digits and spaces have no case, and lowering any text (in any
# locale) neither makes nor changes one: text contains such a query exactly when its
# lower case does, so its exact check needs no lower() (which reads every candidate's
# body twice: half of the database's work in search step 1).
_CASELESS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff0-9 ]+")


def caseless(query):
    """Whether `query` (normalised) is found the same with or without lower-casing."""
    return bool(_CASELESS.fullmatch(query))


def _runs(text):
    """Runs of letters and digits (CJK characters count as letters), lower-cased."""
    runs, current = [], []
    for char in text.lower():
        if char.isalnum():
            current.append(char)
        elif current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return runs


def tsquery(query):
    """PostgreSQL to_tsquery('simple', …) text for `query`; "" when nothing is indexable.

    Each run of letters and digits becomes its overlapping pairs; a run of one
    character becomes a prefix term (any pair starting with it). Only letters and
    digits reach the result, so nothing in it needs quoting beyond the quotes.
    """
    terms = []
    for run in _runs(normalise(query)):
        if len(run) == 1:
            terms.append(f"'{run}':*")
        else:
            terms.extend(f"'{run[i : i + 2]}'" for i in range(len(run) - 1))
    return " & ".join(dict.fromkeys(terms))


# ---- month windows (search step 2) ----------------------------------------------------

WINDOW_MONTHS = 24  # a longer window costs more than reading all older matches


def month_token(when):
    """The index's month token of a moment: '#m' + its UTC year and month."""
    when = when.astimezone(dt.UTC)
    return f"#m{when.year}{when.month:02d}"


def month_start(when):
    """The first instant (UTC) of the month of `when`."""
    when = when.astimezone(dt.UTC)
    return dt.datetime(when.year, when.month, 1, tzinfo=dt.UTC)


def window(top, boundary, found, want):
    """Where the rest of a page probably is: (oldest month's first instant, month
    tokens newest first), or None when the matches are too rare for a window to pay.

    The probe read the items between `top` (the newest) and `boundary` and found
    `found` matches; at that density the `want - found` still missing lie within
    about (top - boundary) × (want - found) / found before the boundary. The
    window is twice that, whole months, at most WINDOW_MONTHS.
    """
    if found <= 0 or found >= want:
        return None
    span = max(top - boundary, dt.timedelta(hours=1))
    start = month_start(boundary - span * (want - found) / found * 2)
    tokens, month = [], month_start(boundary)
    while month >= start:
        tokens.append(month_token(month))
        if len(tokens) > WINDOW_MONTHS:
            return None
        month = month_start(month - dt.timedelta(days=1))
    return start, tokens


# ---- keyset paging ------------------------------------------------------------------


class BadCursor(ValueError):
    """A paging cursor that was not made by `cursor()`; the message is Chinese."""


def cursor(published_at, pk):
    """The opaque position after a row: microseconds since the epoch and the id."""
    micros = round(published_at.timestamp() * 1_000_000)
    return f"{micros}-{pk}"


def parse_cursor(text):
    """(aware UTC datetime, id) from a cursor; BadCursor when it is malformed."""
    match = re.fullmatch(r"(-?\d{1,17})-(\d{1,19})", str(text or ""))
    if not match:
        raise BadCursor("翻页参数无效，请回到第一页重新浏览。")
    micros, pk = int(match[1]), int(match[2])
    try:
        when = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=micros)
    except OverflowError:
        raise BadCursor("翻页参数无效，请回到第一页重新浏览。") from None
    return when, pk
