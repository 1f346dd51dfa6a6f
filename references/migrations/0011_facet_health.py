"""The customer's health score in every profile's one-row read: a ``health=`` facet key
(``references.facets``) and, on PostgreSQL, the same number as a stored integer column
``customer_health`` that the matching engine scores without joining the customer."""

from django.db import migrations

ADD = [
    "ALTER TABLE references_referenceprofile ADD COLUMN IF NOT EXISTS customer_health smallint "
    "GENERATED ALWAYS AS ((substring(search_facets from 'health=(-?[0-9]+)'))::smallint) STORED",
]
REMOVE = ["ALTER TABLE references_referenceprofile DROP COLUMN IF EXISTS customer_health"]

# The key ``references.facets.facet_text`` writes last, for profiles that existed before.
BACKFILL = """
UPDATE references_referenceprofile p
SET search_facets = concat_ws(' ', NULLIF(p.search_facets, ''), 'health=' || c.health_score)
FROM references_customer c
WHERE c.id = p.customer_id AND c.health_score IS NOT NULL AND strpos(p.search_facets, 'health=') = 0
"""


def add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKFILL)
        for statement in ADD:
            schema_editor.execute(statement)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in REMOVE:
            schema_editor.execute(statement)
        schema_editor.execute(
            "UPDATE references_referenceprofile SET search_facets = "
            "regexp_replace(search_facets, ' ?health=-?[0-9]+', '')"
        )


class Migration(migrations.Migration):
    dependencies = [("references", "0010_overuse_policy_to_ledger")]

    operations = [migrations.RunPython(add, remove)]
