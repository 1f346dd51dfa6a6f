"""Retention review and the Art. 14 notice (placeholder: operations are filled in by the change that needs them)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("references", "0015_crm_ids"),
    ]

    operations = []
