"""The matching row: a narrow, integer-coded copy of every reference profile that the match list
reads its candidates from (``references.models.MatchingRow``), and the code of every facet key
(``FacetCode``).

The database keeps it in step, so that no writer can forget it (the application, bulk SQL
updates, ``COPY`` in the demo's bulk loader, later migrations' backfills all write the profile
row only):

- one function, ``references_matching_rows_refresh(ids)``, codes the keys these profiles hold that
  have no code yet and writes their rows (insert or update, only when something changed); the
  codes are in the order of the profile's keys (``references.facets.facet_text``);
- a statement trigger after INSERT on the profile table calls it once for all inserted rows
  (``COPY`` of thousands of profiles is one call);
- a row trigger after UPDATE OF the columns the row copies (``facet_keys`` and
  ``customer_health`` are generated from ``search_facets``) calls it for the rows where one of
  them really changed (Django's ``save()`` sets every column; the ``WHEN`` skips the rest);
- the row's foreign key to its profile is ``ON DELETE CASCADE``.

Profiles that already exist get their rows here, in one call.
"""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.db.models.deletion
from django.db import migrations, models

REFRESH = [
    """
CREATE OR REPLACE FUNCTION references_matching_rows_refresh(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    known jsonb;  -- every coded key and its code
BEGIN
    SELECT coalesce(jsonb_object_agg(key, code), '{}') INTO known FROM references_facetcode;
    -- Keys no profile held before get the next codes (in key order: a fresh database codes alike).
    IF EXISTS (
        SELECT FROM unnest(ids) AS i(id) JOIN references_referenceprofile p ON p.id = i.id
        WHERE NOT known ?& p.facet_keys
    ) THEN
        INSERT INTO references_facetcode (key)
        SELECT DISTINCT k.key
        FROM unnest(ids) AS i(id)
        JOIN references_referenceprofile p ON p.id = i.id
        CROSS JOIN LATERAL unnest(p.facet_keys) AS k(key)
        WHERE NOT known ?& p.facet_keys AND NOT known ? k.key
        ORDER BY k.key
        ON CONFLICT (key) DO NOTHING;
        SELECT jsonb_object_agg(key, code) INTO known FROM references_facetcode;
    END IF;

    INSERT INTO references_matchingrow AS m
        (profile_id, customer_id, status, private_only, last_validated, customer_health, codes)
    SELECT p.id, p.customer_id, p.status, p.private_only, p.last_validated, p.customer_health,
           ARRAY(SELECT (known ->> k)::integer FROM unnest(p.facet_keys) AS k)
    FROM (SELECT DISTINCT unnest(ids) AS id) i
    JOIN references_referenceprofile p ON p.id = i.id
    ON CONFLICT (profile_id) DO UPDATE SET
        customer_id = EXCLUDED.customer_id,
        status = EXCLUDED.status,
        private_only = EXCLUDED.private_only,
        last_validated = EXCLUDED.last_validated,
        customer_health = EXCLUDED.customer_health,
        codes = EXCLUDED.codes
    WHERE (m.customer_id, m.status, m.private_only, m.last_validated, m.customer_health, m.codes)
        IS DISTINCT FROM (EXCLUDED.customer_id, EXCLUDED.status, EXCLUDED.private_only,
                          EXCLUDED.last_validated, EXCLUDED.customer_health, EXCLUDED.codes);
END
$$
""",
    """
CREATE OR REPLACE FUNCTION references_matching_rows_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM references_matching_rows_refresh(ARRAY(SELECT id FROM inserted_profiles));
    RETURN NULL;
END
$$
""",
    """
CREATE OR REPLACE FUNCTION references_matching_row_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM references_matching_rows_refresh(ARRAY[NEW.id]);
    RETURN NULL;
END
$$
""",
    """
CREATE TRIGGER matching_rows_inserted
    AFTER INSERT ON references_referenceprofile
    REFERENCING NEW TABLE AS inserted_profiles
    FOR EACH STATEMENT EXECUTE FUNCTION references_matching_rows_inserted()
""",
    """
CREATE TRIGGER matching_row_updated
    AFTER UPDATE OF search_facets, status, private_only, last_validated, customer_id
    ON references_referenceprofile
    FOR EACH ROW
    WHEN ((OLD.search_facets, OLD.status, OLD.private_only, OLD.last_validated, OLD.customer_id)
          IS DISTINCT FROM
          (NEW.search_facets, NEW.status, NEW.private_only, NEW.last_validated, NEW.customer_id))
    EXECUTE FUNCTION references_matching_row_updated()
""",
    """
ALTER TABLE references_matchingrow
    ADD CONSTRAINT matchingrow_profile_cascade FOREIGN KEY (profile_id)
    REFERENCES references_referenceprofile (id) ON DELETE CASCADE
""",
    """
SELECT references_matching_rows_refresh(ARRAY(SELECT id FROM references_referenceprofile))
""",
]

REMOVE = [
    "DROP TRIGGER IF EXISTS matching_row_updated ON references_referenceprofile",
    "DROP TRIGGER IF EXISTS matching_rows_inserted ON references_referenceprofile",
    "DROP FUNCTION IF EXISTS references_matching_row_updated()",
    "DROP FUNCTION IF EXISTS references_matching_rows_inserted()",
    "DROP FUNCTION IF EXISTS references_matching_rows_refresh(bigint[])",
]


class Migration(migrations.Migration):
    dependencies = [
        ("references", "0013_contact_consents"),
    ]

    operations = [
        migrations.CreateModel(
            name="FacetCode",
            fields=[
                ("code", models.AutoField(primary_key=True, serialize=False)),
                ("key", models.TextField(unique=True)),
            ],
        ),
        migrations.CreateModel(
            name="MatchingRow",
            fields=[
                (
                    "profile",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="matching_row",
                        serialize=False,
                        to="references.referenceprofile",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("nominated", "Nominated"),
                            ("vetting", "Vetting"),
                            ("active", "Active"),
                            ("resting", "Resting"),
                            ("retired", "Retired"),
                        ],
                        max_length=16,
                    ),
                ),
                ("private_only", models.BooleanField()),
                ("last_validated", models.DateField(null=True)),
                ("customer_health", models.SmallIntegerField(null=True)),
                (
                    "codes",
                    django.contrib.postgres.fields.ArrayField(base_field=models.IntegerField(), size=None),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="references.customer",
                    ),
                ),
            ],
            options={
                "indexes": [
                    django.contrib.postgres.indexes.GinIndex(fields=["codes"], name="matching_row_codes")
                ],
            },
        ),
        migrations.RunSQL(REFRESH, REMOVE),
    ]
