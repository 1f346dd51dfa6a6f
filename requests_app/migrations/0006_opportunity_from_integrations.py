"""CRM opportunities move from the integrations app to requests (a request links to its deal,
and the dashboard reads won deals): state only here, the table and its rows stay; 0007 renames
the table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0005_reference_answers"),
        ("integrations", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Opportunity',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('crm', models.CharField(choices=[('salesforce', 'Salesforce'), ('hubspot', 'HubSpot'), ('other', 'Other CRM')], max_length=20)),
                        ('crm_id', models.CharField(max_length=100)),
                        ('name', models.CharField(max_length=300)),
                        ('amount', models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True)),
                        ('stage', models.CharField(blank=True, max_length=100)),
                        ('close_date', models.DateField(blank=True, null=True)),
                        ('is_closed', models.BooleanField(default=False)),
                        ('is_won', models.BooleanField(default=False)),
                        ('account_name', models.CharField(blank=True, max_length=300)),
                        ('account_crm_id', models.CharField(blank=True, max_length=100)),
                        ('modified_at', models.DateTimeField(blank=True, help_text='When the CRM last changed it.', null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        'verbose_name_plural': 'opportunities',
                        'db_table': 'integrations_opportunity',
                        'ordering': ['crm', 'crm_id'],
                        'constraints': [models.UniqueConstraint(fields=('crm', 'crm_id'), name='opportunity_unique_crm_id'), models.CheckConstraint(condition=models.Q(('is_won', False), ('is_closed', True), _connector='OR'), name='opportunity_won_is_closed'), models.CheckConstraint(condition=models.Q(('amount__isnull', True), ('amount__gte', 0), _connector='OR'), name='opportunity_amount_gte_0')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
