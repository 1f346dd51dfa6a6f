"""CRM opportunities now live in the requests app (requests_app 0006 took them over, table and
rows): they leave the integrations app's state. State only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0001_initial"),
        ("requests_app", "0006_opportunity_from_integrations"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Opportunity")],
            database_operations=[],
        ),
    ]
