"""The history of webhook subscriptions (never their secret) and of CRM connections (not the
sync's bookkeeping), which the audit log reads; each existing one gets its "created" line, dated
and signed as the row says (a webhook's creator; no one for a connection)."""

import django.contrib.postgres.fields
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def created_lines(apps, schema_editor):
    for name, user in (("WebhookSubscription", "created_by_id"), ("CrmConnection", None)):
        model = apps.get_model("integrations", name)
        history = apps.get_model("integrations", f"Historical{name}")
        copied = [f.attname for f in history._meta.fields if not f.name.startswith("history_")]
        history.objects.bulk_create(
            history(
                **{f: getattr(row, f) for f in copied},
                history_date=row.created_at,
                history_type="+",
                history_user_id=getattr(row, user) if user else None,
                history_change_reason="existing before its history was kept",
            )
            for row in model.objects.all()
        )


class Migration(migrations.Migration):

    dependencies = [
        ('integrations', '0004_slack'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalCrmConnection',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('kind', models.CharField(choices=[('salesforce', 'Salesforce'), ('hubspot', 'HubSpot')], db_index=True, max_length=20)),
                ('enabled', models.BooleanField(default=False)),
                ('base_url', models.URLField(blank=True, max_length=300, verbose_name='login / API URL')),
                ('auth_flow', models.CharField(choices=[('client_credentials', 'OAuth client credentials'), ('jwt_bearer', 'OAuth JWT bearer')], default='client_credentials', help_text='Salesforce only.', max_length=20)),
                ('mapping', models.JSONField(blank=True, default=dict, help_text='Field and value mapping (see the README).')),
                ('created_at', models.DateTimeField(blank=True, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical crm connection',
                'verbose_name_plural': 'historical crm connections',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalWebhookSubscription',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('url', models.URLField(max_length=2000)),
                ('events', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('request.submitted', 'A request was submitted'), ('request.fulfilled', 'A request was fulfilled'), ('candidate.transitioned', 'A candidate moved to a new state'), ('approval.decided', 'A public-use approval was approved or declined'), ('reference.status_changed', "A reference's status changed")], max_length=40), size=None)),
                ('is_active', models.BooleanField(default=True)),
                ('created_at', models.DateTimeField(blank=True, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('created_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical webhook subscription',
                'verbose_name_plural': 'historical webhook subscriptions',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(created_lines, migrations.RunPython.noop),
    ]
