"""A request links to its CRM opportunity; the opportunity carries the prospect's firmographics
and the day the deal was opened (its sales cycle)."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0007_opportunity_table"),
    ]

    operations = [
        migrations.AddField(
            model_name="opportunity",
            name="country",
            field=models.CharField(
                blank=True,
                max_length=2,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[A-Z]{2}$", "Use an ISO 3166-1 alpha-2 country code, e.g. DE or US."
                    )
                ],
            ),
        ),
        migrations.AddField(
            model_name="opportunity",
            name="employees",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="opportunity",
            name="industry",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="references.industry",
            ),
        ),
        migrations.AddField(
            model_name="opportunity",
            name="opened_on",
            field=models.DateField(blank=True, help_text="When the deal was created in the CRM.", null=True),
        ),
        migrations.AddField(
            model_name="opportunity",
            name="owner_email",
            field=models.EmailField(blank=True, max_length=254, verbose_name="owner's e-mail"),
        ),
        migrations.AddField(
            model_name="opportunity",
            name="region",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="references.region",
            ),
        ),
        migrations.AddField(
            model_name="opportunity",
            name="size_band",
            field=models.CharField(
                blank=True,
                choices=[
                    ("smb", "SMB (<100)"),
                    ("midmarket", "Mid-market (100–999)"),
                    ("enterprise", "Enterprise (1,000–9,999)"),
                    ("global", "Global (10,000+)"),
                ],
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="request",
            name="opportunity",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="requests",
                to="requests_app.opportunity",
            ),
        ),
    ]
