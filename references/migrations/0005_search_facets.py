"""The catalog's facet keys (``references.facets``): a text column on every database and, on
PostgreSQL, the same keys as a stored, GIN-indexed array so that several filters are one index
lookup. Profiles that already exist get their keys here, in one UPDATE."""

from django.db import migrations, models

ADD = [
    "ALTER TABLE references_referenceprofile ADD COLUMN IF NOT EXISTS facet_keys text[] "
    "GENERATED ALWAYS AS (string_to_array(search_facets, ' ')) STORED",
    "CREATE INDEX IF NOT EXISTS profile_facet_keys ON references_referenceprofile USING gin (facet_keys)",
]
REMOVE = [
    "DROP INDEX IF EXISTS profile_facet_keys",
    "ALTER TABLE references_referenceprofile DROP COLUMN IF EXISTS facet_keys",
]

# The same keys as ``references.facets.facet_text`` (a test holds the two together).
BACKFILL = """
UPDATE references_referenceprofile p SET search_facets = concat_ws(' ',
    'industry=' || c.industry_id,
    'region=' || c.region_id,
    'country=' || c.country,
    'size=' || c.size_band,
    CASE WHEN p.deployment <> '' THEN 'deployment=' || p.deployment END,
    CASE WHEN ct.seniority <> '' THEN 'seniority=' || ct.seniority END,
    (SELECT string_agg('product=' || x.product_id, ' ' ORDER BY x.product_id)
       FROM references_referenceprofile_products x WHERE x.referenceprofile_id = p.id),
    (SELECT string_agg('usecase=' || x.usecase_id, ' ' ORDER BY x.usecase_id)
       FROM references_referenceprofile_use_cases x WHERE x.referenceprofile_id = p.id),
    (SELECT string_agg('activity=' || x.activitytype_id, ' ' ORDER BY x.activitytype_id COLLATE "C")
       FROM references_referenceprofile_activity_types x WHERE x.referenceprofile_id = p.id),
    (SELECT string_agg('language=' || x.language_id, ' ' ORDER BY x.language_id COLLATE "C")
       FROM references_contact_languages x WHERE x.contact_id = p.contact_id)
)
FROM references_customer c, references_contact ct
WHERE c.id = p.customer_id AND ct.id = p.contact_id
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


class Migration(migrations.Migration):
    dependencies = [("references", "0004_search_vector")]

    operations = [
        migrations.AddField(
            model_name="referenceprofile",
            name="search_facets",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(add, remove),
    ]
