"""The search document gets a month token (PostgreSQL only; see catalogue.py step 2).

portal_item_document gains the item's 发布日期 and adds the token "#m<YYYYMM>" (the
UTC month of published_at; "#m" while unpublished). A search for a word in a few
per cent of the items can then ask the GIN index for "the word, in these months"
and read a few hundred rows instead of every row that contains the word.
The index is rebuilt once (on 1,000,000 items: a few minutes).
"""

import importlib

from django.db import migrations

# The bench drops and rebuilds this one around a bulk load (gongkai/bench/portal.py).
CREATE_SEARCH_INDEX = """
CREATE INDEX IF NOT EXISTS portal_item_search ON publications_item
  USING gin (portal_item_document(title, body, agency_id, topic, genre, category, published_at))
"""
DROP_SEARCH_INDEX = "DROP INDEX IF EXISTS portal_item_search"

FORWARD = r"""
CREATE OR REPLACE FUNCTION portal_item_document(
  title text, body text, agency bigint, topic text, genre text, category text,
  published timestamptz
) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_tsvector('simple'::regconfig, portal_bigrams(
    coalesce(title, '') || ' ' ||
    left(regexp_replace(coalesce(body, ''), '<[^>]*>', ' ', 'g'), 50000)
  )) || array_to_tsvector(ARRAY[
    '#a' || agency, '#t' || coalesce(topic, ''), '#g' || coalesce(genre, ''),
    '#c' || coalesce(category, ''),
    '#m' || coalesce((
      extract(year FROM timezone('UTC', published)) * 100
      + extract(month FROM timezone('UTC', published))
    )::int::text, '')
  ])
$$;
"""

OLD_INDEX = """
CREATE INDEX IF NOT EXISTS portal_item_search ON publications_item
  USING gin (portal_item_document(title, body, agency_id, topic, genre, category))
"""
OLD_FUNCTION = "portal_item_document(text, text, bigint, text, text, text)"
NEW_FUNCTION = "portal_item_document(text, text, bigint, text, text, text, timestamptz)"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SEARCH_INDEX)
        schema_editor.execute(FORWARD)
        schema_editor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        schema_editor.execute(CREATE_SEARCH_INDEX)
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {OLD_FUNCTION}")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        earlier = importlib.import_module("gongkai.portal.migrations.0002_search_indexes")
        schema_editor.execute(DROP_SEARCH_INDEX)
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {NEW_FUNCTION}")
        schema_editor.execute(earlier.FORWARD)  # the six-argument function (IF NOT EXISTS rest)
        schema_editor.execute(OLD_INDEX)


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_search_indexes")]

    operations = [migrations.RunPython(forward, backward)]
