"""The audit log reads the ledger newest first, a page of asks at a time: its rows are indexed by
when they were written."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0006_policy_history'),
        ('references', '0019_customer_usage_carries_activity'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='usageentry',
            index=models.Index(fields=['-created_at', '-id'], name='usage_newest'),
        ),
    ]
