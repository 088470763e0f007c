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


def narrowed(items, filters):
    """`items` narrowed by every filter except the search words (发布日期 inclusive)."""
    for name in ("topic", "genre", "category", "issuer"):
        value = getattr(filters, name)
        if value:
            items = items.filter(**{name: value})
    if filters.date_from:
        items = items.filter(published_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        items = items.filter(published_at__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
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


def find(now, agency, filters, after=None, size=PAGE_SIZE):
    """One page of the catalogue, newest first: (rows, cursor of the next page or None).

    agency: the catalogue's agency (None: every agency). after: a cursor from a
    previous page (search.cursor); BadCursor if malformed.
    """
    items = narrowed(public_items(now, agency), filters)
    if after:
        items = _before(items, *search.parse_cursor(after))
    want = size + 1
    if not filters.q:
        rows = list(_ordered(items)[:want])
    elif connection.vendor == "postgresql" and search.tsquery(filters.q):
        top = search.parse_cursor(after)[0] if after else now
        rows = _search_postgresql(items, agency, filters, want, top)
    else:
        contains = Q(title__icontains=filters.q) | Q(body__icontains=filters.q)
        rows = list(_ordered(items.filter(contains))[:want])
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = search.cursor(rows[-1].published_at, rows[-1].pk) if more else None
    return rows, next_cursor


def latest(items, count):
    return list(_ordered(items)[:count])
