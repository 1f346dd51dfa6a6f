"""The public-use approvals now live in the approvals app (approvals 0001 took them over, tables
and all): they leave the references app's state. State only: the tables stay, with their rows."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("references", "0007_approval_event_person"),
        ("approvals", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ConsentLink"),
                migrations.DeleteModel(name="ApprovalEvent"),
                migrations.DeleteModel(name="Approval"),
            ],
            database_operations=[],
        ),
    ]
