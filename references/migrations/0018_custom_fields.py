"""The program's own fields (issue #19): their definitions, and a ``custom`` JSONB column (default
``{}``) on customers, contacts and reference profiles, each with a GIN index (``jsonb_path_ops``:
``custom @> {"slug": value}`` is one index lookup). Values of lists and yes/no fields are also the
profile's facet keys (``references.facets``), written by the application."""

import django.contrib.postgres.indexes
import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("references", "0017_languages"),
    ]

    operations = [
        migrations.CreateModel(
            name="CustomField",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "on",
                    models.CharField(
                        choices=[
                            ("customer", "Customer"),
                            ("contact", "Contact"),
                            ("profile", "Reference profile"),
                        ],
                        max_length=16,
                        verbose_name="on",
                    ),
                ),
                (
                    "slug",
                    models.CharField(
                        max_length=40,
                        unique=True,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[a-z][a-z0-9_]{0,39}$",
                                "Use lower-case letters, digits and _, starting with a letter (at most 40), e.g. partner_tier.",
                            )
                        ],
                        verbose_name="machine name",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("text", "Text"),
                            ("number", "Number"),
                            ("date", "Date"),
                            ("yes_no", "Yes/no"),
                            ("one_of", "One of a list"),
                            ("several_of", "Several of a list"),
                        ],
                        max_length=16,
                        verbose_name="kind",
                    ),
                ),
                ("label_en", models.CharField(max_length=100, verbose_name="label (English)")),
                ("label_de", models.CharField(blank=True, max_length=100, verbose_name="label (German)")),
                ("label_fr", models.CharField(blank=True, max_length=100, verbose_name="label (French)")),
                ("label_es", models.CharField(blank=True, max_length=100, verbose_name="label (Spanish)")),
                ("choices", models.JSONField(blank=True, default=list, verbose_name="choices")),
                ("required", models.BooleanField(default=False, verbose_name="required")),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                ("active", models.BooleanField(default=True, verbose_name="active")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "ordering": ["on", "position", "slug"],
            },
        ),
        migrations.AddField(
            model_name="contact",
            name="custom",
            field=models.JSONField(blank=True, default=dict, editable=False, verbose_name="own fields"),
        ),
        migrations.AddField(
            model_name="customer",
            name="custom",
            field=models.JSONField(blank=True, default=dict, editable=False, verbose_name="own fields"),
        ),
        migrations.AddField(
            model_name="historicalcontact",
            name="custom",
            field=models.JSONField(blank=True, default=dict, editable=False, verbose_name="own fields"),
        ),
        migrations.AddField(
            model_name="historicalcustomer",
            name="custom",
            field=models.JSONField(blank=True, default=dict, editable=False, verbose_name="own fields"),
        ),
        migrations.AddField(
            model_name="historicalreferenceprofile",
            name="custom",
            field=models.JSONField(blank=True, default=dict, editable=False, verbose_name="own fields"),
        ),
        migrations.AddField(
            model_name="referenceprofile",
            name="custom",
            field=models.JSONField(blank=True, default=dict, editable=False, verbose_name="own fields"),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["custom"], name="contact_custom", opclasses=["jsonb_path_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["custom"], name="customer_custom", opclasses=["jsonb_path_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="referenceprofile",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["custom"], name="profile_custom", opclasses=["jsonb_path_ops"]
            ),
        ),
    ]
