"""Retention of personal data in the policy: review after N months without activity, erase after a
grace period, and whether the Art. 14 notice goes out with the nightly check."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0004_holds"),
    ]

    operations = [
        migrations.AddField(
            model_name="overusepolicy",
            name="notice_auto_send",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="overusepolicy",
            name="retention_grace_days",
            field=models.PositiveSmallIntegerField(default=30),
        ),
        migrations.AddField(
            model_name="overusepolicy",
            name="retention_months",
            field=models.PositiveSmallIntegerField(
                default=24, validators=[django.core.validators.MinValueValidator(1)]
            ),
        ),
    ]
