"""The policy's history (placeholder: operations are filled in by the change that needs them)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0005_retention_policy"),
    ]

    operations = []
