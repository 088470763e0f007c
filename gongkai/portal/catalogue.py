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
import functools
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
_CASELESS_SQL = f"(strpos({_T}.title, %s) > 0 OR strpos({_T}.body, %s) > 0)"
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


def _slots(now, agency, filters, position):
    """The values a catalogue query is made of, by slot name: (model field or None for a
    raw SQL parameter, value). position: (published_at, id) of a previous page's last
    row, or None."""
    start, end = _date_bounds(filters)
    slots = {"now": ("published_at", now)}
    if agency is not None:
        slots["agency"] = ("agency", agency.pk)
    for name in VALUE_FILTERS:
        if getattr(filters, name):
            slots[name] = (name, getattr(filters, name))
    if start:
        slots["start"] = ("published_at", start)
    if end:
        slots["end"] = ("published_at", end)
    if position:
        slots["when"], slots["pk"] = ("published_at", position[0]), ("id", position[1])
    return slots


def _listing(v):
    """The catalogue's items for the slot values `v` (_slots): public at v["now"], of
    the agency, narrowed by every filter except the search words (发布日期 inclusive),
    after the previous page."""
    items = public_items(v["now"], v.get("agency"))
    for name in VALUE_FILTERS:
        if name in v:
            items = items.filter(**{name: v[name]})
    if "start" in v:
        items = items.filter(published_at__gte=v["start"])
    if "end" in v:
        items = items.filter(published_at__lt=v["end"])
    if "when" in v:
        items = _before(items, v["when"], v["pk"])
    return items


def _exact(v):
    """The exact test: title or body contains the words (v["query"]; or v["caseless"],
    words that no lower-casing changes, search.caseless: compared as they are)."""
    if "caseless" in v:
        return RawSQL(_CASELESS_SQL, [v["caseless"]] * 2, output_field=BooleanField())
    return RawSQL(_EXACT_SQL, [v["query"], v["query"]], output_field=BooleanField())


def _searched_first(v):
    """Search step 1: the listing's items up to the probe's row that contain the words."""
    items = _listing(v)
    if "probe_when" in v:
        items = _from(items, v["probe_when"], v["probe_pk"])
    return items.filter(_exact(v))


def _searched_older(v):
    """Search step 2: the listing's items older than the probe's row (within the month
    window, or older than it) where the index says the words may be, and they are."""
    items = _before(_listing(v), v["probe_when"], v["probe_pk"])
    if "window" in v:
        items = items.filter(published_at__gte=v["window"])
    if "older_than" in v:
        items = items.filter(published_at__lt=v["older_than"])
    return items.filter(_match(v["terms"], v.get("tokens", "")), _exact(v))


def _search_postgresql(slots, agency, filters, want, top, light):
    read = functools.partial(_read, light=light)
    words = "caseless" if search.caseless(filters.q) else "query"
    slots = {**slots, words: (None, filters.q)}
    probe = read(_listing, slots, ("published_at", "id"), PROBE - 1, PROBE)
    if not probe:  # fewer than PROBE items pass the filters: read them all
        return read(_searched_first, slots, LIST_FIELDS, 0, want)
    when, pk = probe[0]
    slots["probe_when"], slots["probe_pk"] = ("published_at", when), ("id", pk)
    rows = read(_searched_first, slots, LIST_FIELDS, 0, want)
    if len(rows) >= want:
        return rows
    tokens = _tokens(agency, filters)
    slots["terms"] = (None, search.tsquery(filters.q))
    if tokens:
        slots["tokens"] = (None, tokens)
    with transaction.atomic(), connection.cursor() as cursor:
        # one round trip; work_mem: room for an exact bitmap (a lossy one would recompute
        # the document per row); no parallel workers: the leader builds the bitmap alone
        # (most of the step's time), and starting two more processes to read the few
        # rows it finds cost 10-20 ms and their CPU (measured on 1,000,000 items)
        cursor.execute(
            "SET LOCAL enable_indexscan = off; SET LOCAL enable_seqscan = off;"
            " SET LOCAL work_mem = '32MB'; SET LOCAL max_parallel_workers_per_gather = 0"
        )
        months = search.window(top, when, len(rows), want)
        if months is not None:  # 2a: the months just before the probe
            start, month_tokens = months
            in_months = " | ".join(f"'{token}'" for token in month_tokens)
            window = {
                **slots,
                "window": ("published_at", start),
                "tokens": (None, f"{tokens} & ({in_months})" if tokens else f"({in_months})"),
            }
            rows += read(_searched_older, window, LIST_FIELDS, 0, want - len(rows))
            slots["older_than"] = ("published_at", start)
        if len(rows) < want:  # 2b: everything older
            rows += read(_searched_older, slots, LIST_FIELDS, 0, want - len(rows))
    return rows


def find(now, agency, filters, after=None, size=PAGE_SIZE, *, rows_only=False):
    """One page of the catalogue, newest first: (rows, cursor of the next page or None).

    agency: the catalogue's agency (None: every agency). after: a cursor from a
    previous page (search.cursor); BadCursor if malformed. rows: Items with LIST_FIELDS;
    rows_only: what a list row shows is enough (the 目录 page): Rows, read by each
    query's SQL compiled once per process (_Compiled).
    """
    position = search.parse_cursor(after) if after else None
    want = size + 1
    slots = _slots(now, agency, filters, position)
    if not filters.q:
        rows = _read(_listing, slots, LIST_FIELDS, 0, want, light=rows_only)
    elif connection.vendor == "postgresql" and search.tsquery(filters.q):
        top = position[0] if position else now
        rows = _search_postgresql(slots, agency, filters, want, top, rows_only)
    else:
        contains = Q(title__icontains=filters.q) | Q(body__icontains=filters.q)
        items = _listing({name: value for name, (_field, value) in slots.items()})
        rows = list(_ordered(items.filter(contains))[:want])
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = search.cursor(rows[-1].published_at, rows[-1].pk) if more else None
    return rows, next_cursor


def latest(items, count):
    return list(_ordered(items)[:count])


# ---- the catalogue's queries, compiled once ------------------------------------------
#
# A 目录 page that is not in the page cache (a new deployment, a page just expired, a
# later page) cost about 1.8 ms of the server's CPU in the ORM for a query that
# PostgreSQL answers in a fraction of that: building the queryset, compiling it to SQL
# and making 21 model instances (a search: up to four such queries). The queries have
# few shapes (which filters and steps are used, the slice), so each shape's SQL is
# compiled by the ORM once per thread, from the functions above (_listing and the
# search steps, with made-up values), and then run with the request's values: the same
# SQL and parameters the ORM would send (checked when the shape is compiled), read as
# tuples.


class Row(namedtuple("Row", LIST_FIELDS)):
    """A catalogue row: LIST_FIELDS of an item, read without a model instance."""

    __slots__ = ()

    @property
    def pk(self):
        return self.id


def _read(build, slots, fields, start, stop, *, light):
    """Rows [start:stop] in catalogue order of the items build(values) (values: the
    slots' values by name); each a Row (fields LIST_FIELDS), a tuple of `fields`, or,
    unless light, an Item."""
    if light:
        shape = (build.__name__, tuple((n, f) for n, (f, _v) in slots.items()), fields)
        compiled = _compiled.get(connection, (*shape, start, stop), build)
        if compiled is not None:
            found = compiled.rows(slots)
            return [Row._make(r) for r in found] if fields == LIST_FIELDS else found
    items = _ordered(build({name: value for name, (_field, value) in slots.items()}))
    if fields == LIST_FIELDS and not light:
        return list(items[start:stop])
    found = list(items.values_list(*fields)[start:stop])
    return [Row._make(r) for r in found] if fields == LIST_FIELDS else found


class _Compiled:
    """One shape's SQL: params are taken from the slots (or constants) by position."""

    def __init__(self, sql, sources, converters, compiler):
        self.sql, self.sources = sql, sources
        self.converters, self.compiler = converters, compiler

    def rows(self, slots):
        prepared = _prepared(slots)
        params = [prepared[source] if slot else source for slot, source in self.sources]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            found = cursor.fetchall()
        if self.converters:
            return [tuple(r) for r in self.compiler.apply_converters(found, self.converters)]
        return found


def _prepared(slots):
    """The slots' values as the database gets them (the field's get_db_prep_value)."""
    meta = Item._meta
    return {
        name: meta.get_field(field).get_db_prep_value(value, connection, prepared=False)
        if field
        else value
        for name, (field, value) in slots.items()
    }


class _Shapes(threading.local):
    """Each thread's compiled shapes (a compiled query holds its thread's connection)."""

    def __init__(self):
        self.shapes = {}

    def get(self, conn, shape, build):
        key = (conn.alias, shape)
        if key not in self.shapes:
            self.shapes[key] = _compile(shape, build)
        return self.shapes[key]


_compiled = _Shapes()
_SENTINEL_TIME = dt.datetime(1901, 1, 1, tzinfo=dt.UTC)


def _sentinels(slot_shape, seed):
    """Made-up slots of `slot_shape`, each value different from all the others (seed: a
    second, different set). A value's type is its field's (a raw parameter: text)."""
    slots = {}
    for n, (name, field) in enumerate(slot_shape):
        internal = Item._meta.get_field(field).get_internal_type() if field else "TextField"
        if internal == "DateTimeField":
            value = _SENTINEL_TIME + dt.timedelta(days=400 * seed + n, microseconds=n + 1)
        elif internal in ("ForeignKey", "BigAutoField", "AutoField", "IntegerField"):
            value = 900_000_000 + 1000 * seed + n
        else:
            value = f"\x00{name}{seed}"
        slots[name] = (field, value)
    return slots


def _compile(shape, build):
    """The shape's _Compiled, or None when its parameters cannot be told apart."""
    _name, slot_shape, fields, start, stop = shape
    made = []
    for seed in (0, 1):
        slots = _sentinels(slot_shape, seed)
        values = {name: value for name, (_field, value) in slots.items()}
        query = _ordered(build(values)).values_list(*fields)[start:stop].query
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        made.append((sql, list(params), _prepared(slots), compiler))
    (sql, params, prepared, compiler), (sql_b, params_b, prepared_b, _c) = made
    sources = []
    for value in params:
        names = [name for name, slot_value in prepared.items() if slot_value == value]
        if len(names) > 1:
            return None
        sources.append((True, names[0]) if names else (False, value))
    if sql != sql_b or [prepared_b[s] if slot else s for slot, s in sources] != params_b:
        return None
    columns = [selected[0] for selected in compiler.select[: compiler.col_count]]
    return _Compiled(sql, sources, compiler.get_converters(columns), compiler)
