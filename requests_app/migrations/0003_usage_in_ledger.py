"""A candidate's ledger row is now the ledger app's ``UsageEntry``: state only (same table, same
foreign key constraint)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0001_initial"),
        ("requests_app", "0002_outcome_notes_without_amounts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="candidate",
                    name="usage",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="ledger.usageentry",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
