from django.db import migrations

SEARCH_INDEX = (
    "CREATE INDEX IF NOT EXISTS profile_search_fts ON references_referenceprofile "
    "USING gin (to_tsvector('english'::regconfig, COALESCE(search_document, '')))"
)


def install_defaults(apps, schema_editor):
    from references.defaults import install

    install(apps)


def create_search_index(apps, schema_editor):
    # Full-text search on PostgreSQL; SQLite falls back to substring matching.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SEARCH_INDEX)
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS customer_name_trgm ON references_customer USING gin (name gin_trgm_ops)"
        )


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS profile_search_fts")
        schema_editor.execute("DROP INDEX IF EXISTS customer_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("references", "0001_initial")]

    operations = [
        migrations.RunPython(install_defaults, migrations.RunPython.noop),
        migrations.RunPython(create_search_index, drop_search_index),
    ]
