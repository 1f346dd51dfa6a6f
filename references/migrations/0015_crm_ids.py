"""Customers and contacts synced from a CRM: a contact's CRM id, and the "deleted in CRM" marks."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("references", "0014_matching_row"),
    ]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="crm_deleted_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="deleted in CRM"),
        ),
        migrations.AddField(
            model_name="contact",
            name="crm_id",
            field=models.CharField(blank=True, max_length=64, null=True, unique=True, verbose_name="CRM id"),
        ),
        migrations.AddField(
            model_name="customer",
            name="crm_deleted_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="deleted in CRM"),
        ),
        migrations.AddField(
            model_name="historicalcontact",
            name="crm_deleted_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="deleted in CRM"),
        ),
        migrations.AddField(
            model_name="historicalcontact",
            name="crm_id",
            field=models.CharField(
                blank=True, db_index=True, max_length=64, null=True, verbose_name="CRM id"
            ),
        ),
        migrations.AddField(
            model_name="historicalcustomer",
            name="crm_deleted_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="deleted in CRM"),
        ),
    ]
