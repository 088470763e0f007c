"""The public catalogue (政府信息公开目录, Art. 24): the one place that queries items.

Everything starts from `Item.objects.public(now)`, the publications app's rule for
what the public may see (published, not withdrawn, publication time reached).
No query here counts the whole table: pages are cut by a keyset cursor on
(发布日期, id), and "more" is known by fetching one row beyond the page.

Search on PostgreSQL (see search.py and migrations/0002) runs in two steps, because
the cost of a search is the rows it reads, and which plan reads fewer depends on how
common the word is:
1. the newest PROBE items that pass the filters are read in catalogue order and
   checked for the word: a common word fills the page here;
2. if the page is not full, the older items are found through the GIN index of
   character pairs and filter tokens (a rare word, or a word rare under the chosen
   filters), read only where the index says the word and the filters may match:
   a. when the probe found some matches, their density says how far back the rest
      of the page probably is: the index is asked for those months only (month
      tokens, migrations/0003), so a word in a few per cent of a million items
      reads a few hundred rows, not tens of thousands;
   b. whatever is still missing comes from all older items (a rare word: few rows).
Step 2 tells PostgreSQL not to walk the date index (SET LOCAL, inside a transaction):
its estimate for several pairs of one word multiplies their frequencies as if they
were independent and would otherwise walk the whole table looking for a "common"
match that is in fact rare. Either way the exact test (strpos) decides.
"""

import datetime as dt
import re
import threading
from collections import namedtuple
from dataclasses import dataclass, fields

from django.db import connection, transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from gongkai.portal import search
from gongkai.publications.models import Item

PAGE_SIZE = 20
PROBE = 1000  # step 1 reads at most this many of the newest matching-filter items
# What a list row shows; the body is never loaded for a list.
LIST_FIELDS = (
    "id",
    "agency_id",
    "index_number",
    "title",
    "document_number",
    "issuer",
    "written_on",
    "published_at",
    "genre",
    "topic",
    "category",
    "summary",
)
# Bodies longer than the 50,000 characters the index covers are always candidates.
LONG_BODY = 50_000
_T = "publications_item"
_MATCH_SQL = (
    f"(portal_item_document({_T}.title, {_T}.body, {_T}.agency_id, {_T}.topic, {_T}.genre,"
    f" {_T}.category, {_T}.published_at) @@ (to_tsquery('simple', %s) && %s::tsquery)"
    f" OR length({_T}.body) > {LONG_BODY})"
)
_EXACT_SQL = (
    f"(strpos(lower({_T}.title), lower(%s)) > 0 OR strpos(lower({_T}.body), lower(%s)) > 0)"
)
_TOKEN = re.compile(r"[a-z0-9_]+")
# filter field -> token prefix in portal_item_document
TOKENS = {"topic": "#t", "genre": "#g", "category": "#c"}


@dataclass(frozen=True)
class Filters:
    """A catalogue query: every field optional ("" / None = not filtered)."""

    q: str = ""
    topic: str = ""
    genre: str = ""
    category: str = ""
    issuer: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def any(self):
        return any(getattr(self, f.name) for f in fields(self))


def public_items(now, agency=None):
    items = Item.objects.public(now)
    return items.filter(agency=agency) if agency is not None else items


def _day_start(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _ordered(items):
    return items.only(*LIST_FIELDS).order_by("-published_at", "-id")


def _before(items, when, pk):
    """Items after position (when, pk) in catalogue order (older, or same time, lower id)."""
    # published_at <= when uses the index; the second test breaks ties by id.
    return items.filter(published_at__lte=when).filter(Q(published_at__lt=when) | Q(id__lt=pk))


def _from(items, when, pk):
    """Items at or before position (when, pk) in catalogue order (newer, or it)."""
    return items.filter(published_at__gte=when).filter(Q(published_at__gt=when) | Q(id__gte=pk))


VALUE_FILTERS = ("topic", "genre", "category", "issuer")


def _date_bounds(filters):
    """(first instant, instant after the last day) of the 发布日期 filter (None: open)."""
    start = _day_start(filters.date_from) if filters.date_from else None
    end = _day_start(filters.date_to + dt.timedelta(days=1)) if filters.date_to else None
    return start, end


def narrowed(items, filters):
    """`items` narrowed by every filter except the search words (发布日期 inclusive)."""
    for name in VALUE_FILTERS:
        value = getattr(filters, name)
        if value:
            items = items.filter(**{name: value})
    start, end = _date_bounds(filters)
    if start:
        items = items.filter(published_at__gte=start)
    if end:
        items = items.filter(published_at__lt=end)
    return items


def _tokens(agency, filters):
    """The filter tokens of portal_item_document as a tsquery literal ("" if none)."""
    values = [f"#a{agency.pk}"] if agency is not None else []
    values += [
        f"{prefix}{getattr(filters, name)}"
        for name, prefix in TOKENS.items()
        if getattr(filters, name) and _TOKEN.fullmatch(getattr(filters, name))
    ]
    return " & ".join(f"'{value}'" for value in values)


def _match(terms, tokens):
    """The index test: the word's pairs and the filter (and month) tokens."""
    if not tokens:
        return RawSQL(
            _MATCH_SQL.replace(" && %s::tsquery", ""), [terms], output_field=BooleanField()
        )
    return RawSQL(_MATCH_SQL, [terms, tokens], output_field=BooleanField())


def _search_postgresql(items, agency, filters, want, top):
    query, terms = filters.q, search.tsquery(filters.q)
    exact = RawSQL(_EXACT_SQL, [query, query], output_field=BooleanField())
    probe = list(_ordered(items).values_list("published_at", "id")[PROBE - 1 : PROBE])
    if not probe:  # fewer than PROBE items pass the filters: read them all
        return list(_ordered(items.filter(exact))[:want])
    rows = list(_ordered(_from(items, *probe[0]).filter(exact))[:want])
    if len(rows) >= want:
        return rows
    tokens = _tokens(agency, filters)
    older = _before(items, *probe[0])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        # room for an exact bitmap: a lossy one would recompute the document per row
        cursor.execute("SET LOCAL work_mem = '32MB'")
        months = search.window(top, probe[0][0], len(rows), want)
        if months is not None:  # 2a: the months just before the probe
            start, month_tokens = months
            in_months = " | ".join(f"'{token}'" for token in month_tokens)
            narrowed_tokens = f"{tokens} & ({in_months})" if tokens else f"({in_months})"
            recent = older.filter(published_at__gte=start)
            match = _match(terms, narrowed_tokens)
            rows += list(_ordered(recent.filter(match, exact))[: want - len(rows)])
            older = older.filter(published_at__lt=start)
        if len(rows) < want:  # 2b: everything older
            match = _match(terms, tokens)
            rows += list(_ordered(older.filter(match, exact))[: want - len(rows)])
    return rows


def find(now, agency, filters, after=None, size=PAGE_SIZE, *, rows_only=False):
    """One page of the catalogue, newest first: (rows, cursor of the next page or None).

    agency: the catalogue's agency (None: every agency). after: a cursor from a
    previous page (search.cursor); BadCursor if malformed. rows: Items with LIST_FIELDS;
    rows_only: what a list row shows is enough (the 目录 page), then a page without
    search words comes as Rows (the same query, compiled once per process: _listed).
    """
    position = search.parse_cursor(after) if after else None
    want = size + 1
    if not filters.q and rows_only:
        return _page(list(_listed(now, agency, filters, position, want)), size)
    items = narrowed(public_items(now, agency), filters)
    if position:
        items = _before(items, *position)
    if not filters.q:
        rows = list(_ordered(items)[:want])
    elif connection.vendor == "postgresql" and search.tsquery(filters.q):
        top = search.parse_cursor(after)[0] if after else now
        rows = _search_postgresql(items, agency, filters, want, top)
    else:
        contains = Q(title__icontains=filters.q) | Q(body__icontains=filters.q)
        rows = list(_ordered(items.filter(contains))[:want])
    return _page(rows, size)


def _page(rows, size):
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = search.cursor(rows[-1].published_at, rows[-1].pk) if more else None
    return rows, next_cursor


def latest(items, count):
    return list(_ordered(items)[:count])


# ---- the 目录's query without search words, compiled once ----------------------------
#
# A page that is not in the page cache (a new deployment, a page just expired, a later
# page) cost about 1.8 ms of the server's CPU in the ORM for a query that PostgreSQL
# answers in a fraction of that: building the queryset, compiling it to SQL and making
# 21 model instances. The query has few shapes (which filters are set, whether it is a
# later page, the page size), so each shape's SQL is compiled by the ORM once per
# thread, from the same functions as above (narrowed, _before, public_items), and then
# run with the request's values: the same SQL and parameters the ORM would send
# (checked when the shape is compiled), read as tuples.


class Row(namedtuple("Row", LIST_FIELDS)):
    """A catalogue row: LIST_FIELDS of an item, read without a model instance."""

    __slots__ = ()

    @property
    def pk(self):
        return self.id


def _listed(now, agency, filters, position, want):
    """Rows of `public_items(now, agency)` narrowed by `filters`, after `position`
    ((published_at, id) or None), the first `want` in catalogue order."""
    shape = (
        agency is not None,
        tuple(bool(getattr(filters, name)) for name in VALUE_FILTERS),
        tuple(bound is not None for bound in _date_bounds(filters)),
        position is not None,
        want,
    )
    compiled = _compiled.get(connection, shape)
    if compiled is None:  # a shape the check refused: through the ORM every time
        items = narrowed(public_items(now, agency), filters)
        if position:
            items = _before(items, *position)
        return [Row._make(r) for r in _ordered(items).values_list(*LIST_FIELDS)[:want]]
    slots = _slot_values(now, agency, filters, position)
    return compiled.rows(slots)


def _slot_values(now, agency, filters, position):
    """Every value of a catalogue query by slot name: (model field, value)."""
    start, end = _date_bounds(filters)
    values = {"now": ("published_at", now)}
    if agency is not None:
        values["agency"] = ("agency", agency.pk)
    for name in VALUE_FILTERS:
        if getattr(filters, name):
            values[name] = (name, getattr(filters, name))
    if start:
        values["start"] = ("published_at", start)
    if end:
        values["end"] = ("published_at", end)
    if position:
        values["when"] = ("published_at", position[0])
        values["pk"] = ("id", position[1])
    return values


class _Compiled:
    """One shape's SQL: params are taken from the slots (or constants) by position."""

    def __init__(self, sql, sources, converters, compiler):
        self.sql, self.sources = sql, sources
        self.converters, self.compiler = converters, compiler

    def params(self, slots):
        prepared = _prepared(slots)
        return [prepared[source] if kind else source for kind, source in self.sources]

    def rows(self, slots):
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.params(slots))
            found = cursor.fetchall()
        if self.converters:
            found = self.compiler.apply_converters(found, self.converters)
        return [Row._make(r) for r in found]


def _prepared(slots):
    """The slots' values as the database gets them (the field's get_db_prep_value)."""
    meta = Item._meta
    return {
        name: meta.get_field(field).get_db_prep_value(value, connection, prepared=False)
        for name, (field, value) in slots.items()
    }


class _Shapes(threading.local):
    """Each thread's compiled shapes (a compiled query holds its thread's connection)."""

    def __init__(self):
        self.shapes = {}

    def get(self, conn, shape):
        key = (conn.alias, shape)
        if key not in self.shapes:
            self.shapes[key] = _compile(shape)
        return self.shapes[key]


_compiled = _Shapes()


def _sentinels(shape, seed):
    """Made-up values for every slot of `shape`, each different from all the others
    (seed: a second, different set)."""
    has_agency, values, bounds, later, _want = shape
    base = dt.datetime(1901 + seed, 1, 1, tzinfo=dt.UTC)
    agency = Item._meta.get_field("agency").related_model(pk=900_000_001 + seed)
    text = {
        name: f"\x00{name}{seed}" if on else ""
        for name, on in zip(VALUE_FILTERS, values, strict=True)
    }
    day = dt.date(1950 + seed, 3, 1)
    filters = Filters(
        date_from=day if bounds[0] else None,
        date_to=day + dt.timedelta(days=40) if bounds[1] else None,
        **text,
    )
    position = (base + dt.timedelta(microseconds=7), 900_000_101 + seed) if later else None
    return base, agency if has_agency else None, filters, position


def _compile(shape):
    """The shape's _Compiled, or None when its parameters cannot be told apart."""
    want = shape[-1]
    made = []
    for seed in (0, 1):
        now, agency, filters, position = _sentinels(shape, seed)
        items = narrowed(public_items(now, agency), filters)
        if position:
            items = _before(items, *position)
        query = _ordered(items).values_list(*LIST_FIELDS)[:want].query
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        made.append((sql, list(params), _prepared(_slot_values(now, agency, filters, position))))
        if seed == 0:
            first = compiler
    (sql, params, slots), (sql_b, params_b, slots_b) = made
    sources = []
    for value in params:
        names = [name for name, prepared in slots.items() if prepared == value]
        if len(names) > 1:
            return None
        sources.append((True, names[0]) if names else (False, value))
    if sql != sql_b or [slots_b[s] if kind else s for kind, s in sources] != params_b:
        return None
    fields = [selected[0] for selected in first.select[: first.col_count]]
    return _Compiled(sql, sources, first.get_converters(fields), first)
