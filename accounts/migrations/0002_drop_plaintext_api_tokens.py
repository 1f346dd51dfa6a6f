# API tokens moved to django-rest-knox (stored as digests, with an expiry). The old tokens of
# rest_framework.authtoken were stored in plain text and never expired: they no longer work, and
# their table is dropped so they cannot be read from the database or a backup made after this.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", reverse_sql=migrations.RunSQL.noop),
    ]
