"""Bulk item generator for benchmarks (`manage.py generate_items`).

Skips the per-item workflow: writes items straight in the 已发布 state with
bulk_create (COPY on PostgreSQL), in batches, each batch in its own transaction. The rows are
consistent with the model's constraints and with what the workflow would produce:
主动公开, a 索引号 continuing the agency's serials of the year (the agency row is
locked while numbering), published_at on or after 成文日期 and not after `now`, the
Art. 26 due date from the working-day calendar when it is loaded, and a body that is
already clean (the constant templates are cleaned once, not per row).

Trail: generated rows carry `generated=True` and no per-item events, revisions or
review checks; each run writes ONE ItemEvent of kind GENERATE (on its first item)
recording the count, the first and last 索引号 and the seed. Items come in 成文日期
order, spread evenly over the years (as the table fills in service). Deterministic for a
seed.
"""

import datetime as dt
import itertools
import random

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from gongkai.agencies.models import Agency
from gongkai.publications import samples, sanitize
from gongkai.publications.models import (
    DisclosureAttribute,
    DisclosureMode,
    Item,
    ItemEvent,
    PublicationSettings,
    Status,
    format_index_number,
)
from gongkai.publications.models import EventKind as K
from gongkai.workdays import loading, periods

DEFAULT_YEARS = (2019, 2026)


class GenerateError(ValueError):
    """Bad generator input; the message is Chinese."""


def ensure_agency(code, name=None):
    """The agency `code`, created if missing."""
    agency, _ = Agency.objects.get_or_create(
        code=code, defaults={"name": name or f"基准测试机关{code}"}
    )
    return agency


def _due_function(agency, first_year, last_year):
    """written_on → (due, provisional) of Art. 26, or None when no calendar is loaded."""
    try:
        cal = loading.get_calendar(agency.code).provisional(last_year + 1)
    except LookupError:
        return None
    cache = {}
    counting = loading.count_receipt_day()

    def due(day):
        if day not in cache:
            result = periods.publication_due(cal, day, count_receipt_day=counting)
            cache[day] = (result, cal.is_provisional_span(day.toordinal(), result.toordinal()))
        return cache[day]

    return due


def _bodies():
    """Pre-cleaned bodies per (topic label, genre label) — cleaned once per run."""
    cache = {}

    def body(topic, genre):
        key = (topic, genre)
        if key not in cache:
            cache[key] = sanitize.clean_body(samples.BODY.format(topic=topic, genre=genre))
        return cache[key]

    return body


# The columns that differ between generated rows; every other column is constant per run.
VARYING = (
    "index_number",
    "index_year",
    "index_serial",
    "title",
    "written_on",
    "published_at",
    "genre",
    "topic",
    "category",
    "summary",
    "body",
    "publication_due_on",
    "due_provisional",
)


def _prototype(agency, now):
    """An unsaved Item holding the constant fields of every generated row."""
    return Item(
        agency=agency,
        disclosure_mode=DisclosureMode.PROACTIVE,
        disclosure_attribute=DisclosureAttribute.PROACTIVE,
        issuer=agency.name,
        status=Status.PUBLISHED,
        generated=True,
        created_at=now,
        updated_at=now,
    )


def _write_bulk(proto, rows):
    """Portable path: bulk_create of model instances."""
    constant = {
        f.attname: getattr(proto, f.attname)
        for f in Item._meta.concrete_fields
        if not f.primary_key and f.attname not in VARYING
    }
    Item.objects.bulk_create(
        [Item(**constant, **dict(zip(VARYING, row, strict=True))) for row in rows],
        batch_size=len(rows),
    )


def _copy_columns(proto):
    """(column names, constant values by column) for COPY; auto_now fields get `now`."""
    fields = [f for f in Item._meta.concrete_fields if not f.primary_key]
    constant = {
        f.attname: f.get_db_prep_save(getattr(proto, f.attname), connection)
        for f in fields
        if f.attname not in VARYING
    }
    return [f.column for f in fields], [f.attname for f in fields], constant


def _write_copy(proto, rows):
    """PostgreSQL path: COPY FROM STDIN (several times faster than INSERT for 10⁵–10⁶
    rows); the same columns and values bulk_create would write."""
    columns, names, constant = _copy_columns(proto)
    positions = {name: i for i, name in enumerate(VARYING)}
    sql = f"COPY {Item._meta.db_table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([row[positions[n]] if n in positions else constant[n] for n in names])


def generate(agency, count, *, years=DEFAULT_YEARS, seed=1, batch=5000, now=None, progress=None):
    """Write `count` published items of `agency` written in `years` (first, last).

    Returns the number written. `now` (aware; default: the current time) bounds
    published_at, so every generated item is public at `now`. On PostgreSQL each batch
    is written with COPY, elsewhere with bulk_create; the rows are the same.
    """
    if count < 0:
        raise GenerateError("生成条数不能为负数。")
    if batch < 1:
        raise GenerateError("每批写入条数至少为 1。")
    first_year, last_year = years
    now = now or timezone.now()
    latest = timezone.localtime(now).date()
    if dt.date(first_year, 1, 1) > latest:
        raise GenerateError(f"起始年份 {first_year} 晚于当前日期，无法生成已发布的信息。")
    rng = random.Random(seed)
    prefix = PublicationSettings.prefix_for(agency)
    due_of = _due_function(agency, first_year, last_year)
    body_of = _bodies()
    kinds = samples.KINDS
    cumulative = list(itertools.accumulate(k[0] for k in kinds))
    start = dt.date(first_year, 1, 1)
    span = (min(dt.date(last_year, 12, 31), latest) - start).days
    tz = timezone.get_current_timezone()
    proto = _prototype(agency, now)
    write = _write_copy if connection.vendor == "postgresql" else _write_bulk
    written, first_number, last_number = 0, None, None
    while written < count:
        size = min(batch, count - written)
        with transaction.atomic():
            Agency.objects.select_for_update().filter(pk=agency.pk).first()  # numbering lock
            serials = dict(
                Item.objects.filter(agency=agency)
                .order_by()  # no default ordering in the GROUP BY
                .values_list("index_year")
                .annotate(n=Max("index_serial"))
            )
            rows = []
            for position in range(written, written + size):
                # Spread evenly over the years but written in date order, as rows are
                # appended in service: the table's physical order follows the dates.
                day = min(span, int((position + rng.random()) * (span + 1) / count))
                written_on = start + dt.timedelta(day)
                year = written_on.year
                serial = serials.get(year, 0) + 1
                serials[year] = serial
                _w, category, genre, topic, titles = rng.choices(kinds, cum_weights=cumulative)[0]
                published_on = min(written_on + dt.timedelta(rng.randrange(0, 20)), latest)
                published_at = dt.datetime.combine(
                    published_on, dt.time(8 + rng.randrange(10), rng.randrange(60)), tz
                )
                if published_at > now:
                    published_at = now
                due, provisional = due_of(written_on) if due_of else (None, False)
                title = samples.fill(
                    rng.choice(titles),
                    year=year,
                    month=written_on.month,
                    place=rng.choice(samples.PLACES),
                )
                rows.append(
                    (
                        format_index_number(prefix, year, serial),
                        year,
                        serial,
                        title,
                        written_on,
                        published_at,
                        genre.value,
                        topic.value,
                        category.value,
                        title,
                        body_of(topic.label, genre.label),
                        due,
                        provisional,
                    )
                )
            write(proto, rows)
            if first_number is None:
                first_number = rows[0][0]
            last_number = rows[-1][0]
        written += size
        if progress:
            progress(written, count)
    if written:
        first = Item.objects.get(index_number=first_number)
        ItemEvent.objects.create(
            item=first,
            kind=K.GENERATE,
            actor=None,
            data={"count": written, "first": first_number, "last": last_number, "seed": seed},
        )
    return written
