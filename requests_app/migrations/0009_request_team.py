"""A request's owning team (placeholder: operations are filled in by the change that needs them)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0008_request_opportunity"),
        ("accounts", "0004_teams"),
    ]

    operations = []
