"""A request's owning team (the team owning the prospect's region, set on submit)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0008_request_opportunity"),
        ("accounts", "0004_teams"),
    ]

    operations = [
        migrations.AddField(
            model_name="request",
            name="team",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="requests",
                to="accounts.team",
            ),
        ),
    ]
