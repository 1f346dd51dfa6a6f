"""The usage ledger now lives in the ledger app (ledger 0001 took it over, table and all): it
leaves the references app's state. State only: the table stays, with its rows."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("references", "0008_approvals_to_own_app"),
        ("ledger", "0001_initial"),
        ("requests_app", "0003_usage_in_ledger"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="UsageEntry")],
            database_operations=[],
        ),
    ]
