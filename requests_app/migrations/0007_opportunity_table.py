"""The opportunities' table takes the requests app's name (its rows and constraints stay)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0006_opportunity_from_integrations"),
        ("integrations", "0002_opportunity_to_requests_app"),
    ]

    operations = [
        migrations.AlterModelTable(name="opportunity", table=None),
    ]
