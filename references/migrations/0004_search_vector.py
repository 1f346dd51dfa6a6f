"""A stored, GIN-indexed tsvector of each profile's search text (PostgreSQL only).

Searching through an expression index made PostgreSQL recompute ``to_tsvector`` for every
candidate row whenever it chose to apply other filters first; a stored column costs that once,
at write time. SQLite keeps substring matching on ``search_document``.
"""

from django.db import migrations

ADD = [
    "ALTER TABLE references_referenceprofile ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, COALESCE(search_document, ''))) STORED",
    "DROP INDEX IF EXISTS profile_search_fts",
    "CREATE INDEX IF NOT EXISTS profile_search_vector ON references_referenceprofile USING gin (search_vector)",
]
REMOVE = [
    "DROP INDEX IF EXISTS profile_search_vector",
    "ALTER TABLE references_referenceprofile DROP COLUMN IF EXISTS search_vector",
    "CREATE INDEX IF NOT EXISTS profile_search_fts ON references_referenceprofile "
    "USING gin (to_tsvector('english'::regconfig, COALESCE(search_document, '')))",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("references", "0003_approvals")]

    operations = [migrations.RunPython(_run(ADD), _run(REMOVE))]
