"""Customers and contacts synced from a CRM (placeholder: operations are filled in by the change that needs them)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("references", "0014_matching_row"),
    ]

    operations = []
