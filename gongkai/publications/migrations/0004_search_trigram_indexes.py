"""PostgreSQL only: trigram indexes for the staff list's title search (/publications/?q=).

The list filters `title__icontains | index_number__icontains`, which compiles to
UPPER(col::text) LIKE UPPER('%…%') on PostgreSQL, so the indexes are on that
expression (as in cases/migrations/0004). Both columns are indexed: an OR can use
indexes only if each side has one (BitmapOr). Words of three or more characters use
them; shorter ones and SQLite scan, which is fine at their scale.
"""

from django.db import migrations

COLUMNS = ("title", "index_number")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS publications_item_{column}_trgm ON publications_item "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS publications_item_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("publications", "0003_schedule_events")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
