"""The overuse policy moves from the references app into the ledger: state only. The table
(``references_overusepolicy``), its one row, its single-row constraint and the staleness column
(``stale_after_days``: its rule stays the references app's, ``references.models.Staleness``, which
this model extends) stay exactly as they are; only Django's idea of which app owns the model
changes."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0001_initial"),
        ("references", "0009_ledger_to_own_app"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OverusePolicy",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "stale_after_days",
                            models.PositiveSmallIntegerField(
                                default=180, validators=[django.core.validators.MinValueValidator(1)]
                            ),
                        ),
                        (
                            "window_days",
                            models.PositiveSmallIntegerField(
                                default=180, validators=[django.core.validators.MinValueValidator(1)]
                            ),
                        ),
                        (
                            "reference_cap",
                            models.PositiveSmallIntegerField(
                                default=6, validators=[django.core.validators.MinValueValidator(1)]
                            ),
                        ),
                        (
                            "customer_cap",
                            models.PositiveSmallIntegerField(
                                default=8, validators=[django.core.validators.MinValueValidator(1)]
                            ),
                        ),
                        ("rest_days", models.PositiveSmallIntegerField(default=30)),
                        ("near_cap_ratio", models.DecimalField(decimal_places=2, default=0.75, max_digits=3)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "updated_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "overuse policy",
                        "db_table": "references_overusepolicy",
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("pk", 1)), name="overuse_policy_single_row"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
