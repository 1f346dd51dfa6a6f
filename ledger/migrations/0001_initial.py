"""The usage ledger moves from the references app into its own app: state only. The table
(``references_usageentry``), its rows, its covering indexes (references 0006) and its constraints
stay exactly as they are; only Django's idea of which app owns the model changes."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("references", "0008_approvals_to_own_app"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="UsageEntry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("reserved", "Reserved (proposed, not yet asked)"),
                                    ("asked", "Asked"),
                                    ("declined", "Declined by customer"),
                                    ("done", "Done"),
                                    ("withdrawn", "Withdrawn"),
                                ],
                                default="reserved",
                                max_length=16,
                            ),
                        ),
                        (
                            "points",
                            models.PositiveSmallIntegerField(help_text="The activity's weight when it was asked."),
                        ),
                        ("occurred_on", models.DateField(help_text="The day the ask counts from.")),
                        (
                            "request_ref",
                            models.PositiveBigIntegerField(
                                blank=True, db_index=True, null=True, verbose_name="request"
                            ),
                        ),
                        ("source", models.CharField(blank=True, max_length=80, null=True, unique=True)),
                        ("override", models.BooleanField(default=False)),
                        ("override_reason", models.TextField(blank=True)),
                        ("note", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "activity_type",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="usage",
                                to="references.activitytype",
                            ),
                        ),
                        (
                            "asked_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "customer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="usage",
                                to="references.customer",
                            ),
                        ),
                        (
                            "reference",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="usage",
                                to="references.referenceprofile",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "usage entries",
                        "db_table": "references_usageentry",
                        "ordering": ["-occurred_on", "-id"],
                        "indexes": [
                            models.Index(fields=["reference", "occurred_on"], name="usage_ref_day"),
                            models.Index(fields=["customer", "occurred_on"], name="usage_customer_day"),
                            models.Index(fields=["occurred_on", "status"], name="usage_day_status"),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("override", False),
                                    models.Q(("override_reason", ""), _negated=True),
                                    _connector="OR",
                                ),
                                name="usage_override_needs_reason",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("points__gte", 1)), name="usage_points_positive"
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
