"""PostgreSQL only: trigram indexes for the case list's search (icontains compiles to
UPPER(col::text) LIKE UPPER('%…%'), so the indexes are on that expression).
Three or more characters use them; SQLite scans, which is fine at its scale."""

from django.db import migrations

COLUMNS = ("tracking_number", "applicant_name", "content")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS cases_case_{column}_trgm ON cases_case "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS cases_case_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_business_types_fees_confirmation")]
    operations = [migrations.RunPython(forwards, backwards)]
