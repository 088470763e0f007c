"""Indexes on publications_item for the public catalogue (PostgreSQL only; see search.py).

publications_item belongs to gongkai.publications; the portal is its heaviest reader,
so the portal owns these read indexes. On SQLite nothing is created (the catalogue
falls back to icontains).

- portal_bigrams(text): "公安局" → "公安 安局 局" (overlapping character pairs).
- portal_item_document(title, body, agency, topic, genre, category): the tsvector of
  the pairs of the title and of the first 50,000 characters of the body's text (tags
  removed), plus one token per filter value ("#a<agency id>", "#t<topic>", "#g<genre>",
  "#c<category>"), so a search within an agency and a filter is answered inside the
  index instead of by reading every row that contains the word. The cap keeps every
  tsvector far below PostgreSQL's 1 MB limit, so no item can fail to save because of
  this index; longer bodies are found through portal_item_long instead. The index
  is not partial: PostgreSQL keeps statistics of an expression index only when it
  covers the whole table, and without them it cannot tell a rare word (use the
  index) from a common one (read the newest items in order and stop at a page).
- portal_item_body_length: statistics on length(body), so the planner knows how few
  bodies are that long (without them it guesses a third of the table and never uses
  the search index).
- Partial indexes (status = 'published') for the catalogue and each filter it offers,
  each in the catalogue's order (发布日期 newest first, then id), so a page is read
  straight from the index, ties included.
"""

from django.db import migrations

# The bench drops and rebuilds this one around a bulk load (gongkai/bench/portal.py).
CREATE_SEARCH_INDEX = """
CREATE INDEX IF NOT EXISTS portal_item_search ON publications_item
  USING gin (portal_item_document(title, body, agency_id, topic, genre, category))
"""
DROP_SEARCH_INDEX = "DROP INDEX IF EXISTS portal_item_search"

FORWARD = r"""
CREATE OR REPLACE FUNCTION portal_bigrams(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT regexp_replace(substr(regexp_replace(t, '(.)', '\1\1', 'g'), 2), '(..)', '\1 ', 'g')
$$;

CREATE OR REPLACE FUNCTION portal_item_document(
  title text, body text, agency bigint, topic text, genre text, category text
) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_tsvector('simple'::regconfig, portal_bigrams(
    coalesce(title, '') || ' ' ||
    left(regexp_replace(coalesce(body, ''), '<[^>]*>', ' ', 'g'), 50000)
  )) || array_to_tsvector(ARRAY[
    '#a' || agency, '#t' || coalesce(topic, ''), '#g' || coalesce(genre, ''),
    '#c' || coalesce(category, '')
  ])
$$;

CREATE INDEX IF NOT EXISTS portal_item_long ON publications_item (id)
  WHERE status = 'published' AND length(body) > 50000;
CREATE STATISTICS IF NOT EXISTS portal_item_body_length ON (length(body)) FROM publications_item;
CREATE INDEX IF NOT EXISTS portal_item_public ON publications_item
  (agency_id, published_at DESC, id DESC) WHERE status = 'published';
CREATE INDEX IF NOT EXISTS portal_item_topic ON publications_item
  (agency_id, topic, published_at DESC, id DESC) WHERE status = 'published';
CREATE INDEX IF NOT EXISTS portal_item_genre ON publications_item
  (agency_id, genre, published_at DESC, id DESC) WHERE status = 'published';
CREATE INDEX IF NOT EXISTS portal_item_category ON publications_item
  (agency_id, category, published_at DESC, id DESC) WHERE status = 'published';
CREATE INDEX IF NOT EXISTS portal_item_issuer ON publications_item
  (agency_id, issuer, published_at DESC, id DESC) WHERE status = 'published';
"""

BACKWARD = """
DROP INDEX IF EXISTS portal_item_issuer;
DROP INDEX IF EXISTS portal_item_category;
DROP INDEX IF EXISTS portal_item_genre;
DROP INDEX IF EXISTS portal_item_topic;
DROP INDEX IF EXISTS portal_item_public;
DROP STATISTICS IF EXISTS portal_item_body_length;
DROP INDEX IF EXISTS portal_item_long;
DROP FUNCTION IF EXISTS portal_item_document(text, text, bigint, text, text, text);
DROP FUNCTION IF EXISTS portal_bigrams(text);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)
        schema_editor.execute(CREATE_SEARCH_INDEX)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SEARCH_INDEX)
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("publications", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]
