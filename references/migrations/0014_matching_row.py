"""The matching row (placeholder: operations are filled in by the change that needs them)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("references", "0013_contact_consents"),
    ]

    operations = []
