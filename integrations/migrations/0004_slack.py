"""Slack (placeholder: operations are filled in by the change that needs them)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0003_crm_sync"),
    ]

    operations = []
