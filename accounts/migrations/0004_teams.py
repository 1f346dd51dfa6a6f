"""Teams (placeholder: operations are filled in by the change that needs them)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_scim_tokens_user_history"),
    ]

    operations = []
