"""The overuse policy now lives in the ledger app (ledger 0002 took it over, table and row): it
leaves the references app's state. State only: the table stays, with its row; the staleness
setting on it is still read here (``references.models.Staleness``, ``program_policy``)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("references", "0009_ledger_to_own_app"),
        ("ledger", "0002_overuse_policy"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="OverusePolicy")],
            database_operations=[],
        ),
    ]
