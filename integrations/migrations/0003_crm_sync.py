"""CRM connections and sync runs (placeholder: operations are filled in by the change that needs them)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0002_opportunity_to_requests_app"),
    ]

    operations = []
