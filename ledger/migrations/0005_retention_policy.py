"""Retention of personal data in the policy (placeholder: operations are filled in by the change that needs them)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0004_holds"),
    ]

    operations = []
