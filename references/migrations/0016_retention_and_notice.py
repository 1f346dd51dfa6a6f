"""Retention review and the Art. 14 notice: a contact's review date and a manager's "keep", the
notice template's versions and the record of each notice sent; what each nightly check changed per
day (the morning digest)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def ship_the_default_notice(apps, schema_editor):
    """Version 1 of the Art. 14 notice: the default text (``references.services.notices``)."""
    from references.services.notices import NOTICE_DEFAULTS

    NoticeTemplate = apps.get_model("references", "NoticeTemplate")
    if not NoticeTemplate.objects.exists():
        NoticeTemplate.objects.create(version=1, **NOTICE_DEFAULTS)


class Migration(migrations.Migration):
    dependencies = [
        ("references", "0015_crm_ids"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="retention_kept_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="contact",
            name="retention_kept_reason",
            field=models.CharField(blank=True, editable=False, max_length=500),
        ),
        migrations.AddField(
            model_name="contact",
            name="retention_review_since",
            field=models.DateField(blank=True, db_index=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="historicalcontact",
            name="retention_kept_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="historicalcontact",
            name="retention_kept_reason",
            field=models.CharField(blank=True, editable=False, max_length=500),
        ),
        migrations.AddField(
            model_name="historicalcontact",
            name="retention_review_since",
            field=models.DateField(blank=True, db_index=True, editable=False, null=True),
        ),
        migrations.CreateModel(
            name="NoticeTemplate",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.PositiveIntegerField(unique=True)),
                ("subject", models.CharField(max_length=200)),
                ("body", models.TextField()),
                ("purpose", models.TextField()),
                ("legal_basis", models.TextField()),
                ("rights", models.TextField()),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-version"],
            },
        ),
        migrations.CreateModel(
            name="ContactNotice",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sent_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "sent_via",
                    models.CharField(
                        help_text="A manager's button, the API or the nightly check.", max_length=100
                    ),
                ),
                (
                    "contact",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE, related_name="notice", to="references.contact"
                    ),
                ),
                (
                    "sent_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "template",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="sent", to="references.noticetemplate"
                    ),
                ),
            ],
            options={
                "ordering": ["-sent_at", "-id"],
            },
        ),
        migrations.RunPython(ship_the_default_notice, migrations.RunPython.noop),
        migrations.CreateModel(
            name="NightlyResult",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField()),
                ("check_name", models.CharField(max_length=100)),
                ("changes", models.JSONField(default=dict)),
            ],
            options={
                "ordering": ["day", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("day", "check_name"), name="nightly_result_once")
                ],
            },
        ),
    ]
