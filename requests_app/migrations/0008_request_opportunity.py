"""A request links to its CRM opportunity (placeholder: operations are filled in by the change that needs them)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0007_opportunity_table"),
    ]

    operations = []
