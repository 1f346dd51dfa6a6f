"""CRM connections (one per CRM, no secrets), their sync runs, and the notes written back to CRM
opportunities."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0002_opportunity_to_requests_app"),
        ("requests_app", "0006_opportunity_from_integrations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CrmConnection",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("salesforce", "Salesforce"), ("hubspot", "HubSpot")],
                        max_length=20,
                        unique=True,
                    ),
                ),
                ("enabled", models.BooleanField(default=False)),
                ("base_url", models.URLField(blank=True, max_length=300, verbose_name="login / API URL")),
                (
                    "auth_flow",
                    models.CharField(
                        choices=[
                            ("client_credentials", "OAuth client credentials"),
                            ("jwt_bearer", "OAuth JWT bearer"),
                        ],
                        default="client_credentials",
                        help_text="Salesforce only.",
                        max_length=20,
                    ),
                ),
                (
                    "mapping",
                    models.JSONField(
                        blank=True, default=dict, help_text="Field and value mapping (see the README)."
                    ),
                ),
                ("cursor", models.JSONField(blank=True, default=dict)),
                ("last_run_at", models.DateTimeField(blank=True, null=True)),
                ("last_success_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "ordering": ["kind"],
            },
        ),
        migrations.CreateModel(
            name="CrmSyncRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "full",
                    models.BooleanField(
                        default=False, help_text="Everything, not only what changed since the last run."
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "Queued"),
                            ("running", "Running"),
                            ("succeeded", "Succeeded"),
                            ("partial", "Succeeded with record errors"),
                            ("failed", "Failed"),
                        ],
                        default="queued",
                        max_length=20,
                    ),
                ),
                (
                    "phase",
                    models.CharField(blank=True, help_text="The object being synced now.", max_length=20),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("created", models.PositiveIntegerField(default=0)),
                ("updated", models.PositiveIntegerField(default=0)),
                ("unchanged", models.PositiveIntegerField(default=0)),
                ("deleted", models.PositiveIntegerField(default=0)),
                (
                    "skipped",
                    models.PositiveIntegerField(
                        default=0, help_text="Not for RefProgram (e.g. a prospect's contact)."
                    ),
                ),
                ("failed", models.PositiveIntegerField(default=0)),
                ("errors", models.JSONField(blank=True, default=list)),
                ("conflicts", models.JSONField(blank=True, default=list)),
                ("error", models.TextField(blank=True, help_text="Why the whole run stopped.")),
                (
                    "connection",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="runs",
                        to="integrations.crmconnection",
                    ),
                ),
                (
                    "requested_by",
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
                "ordering": ["-created_at", "-id"],
                "indexes": [models.Index(fields=["connection", "-created_at"], name="crm_sync_run_conn_idx")],
            },
        ),
        migrations.CreateModel(
            name="CrmWriteBack",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "crm",
                    models.CharField(
                        choices=[("salesforce", "Salesforce"), ("hubspot", "HubSpot")], max_length=20
                    ),
                ),
                ("opportunity_crm_id", models.CharField(max_length=100)),
                ("state", models.CharField(help_text="The candidate's new state.", max_length=16)),
                ("subject", models.CharField(max_length=255)),
                ("body", models.TextField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("retrying", "Retrying"),
                            ("succeeded", "Written"),
                            ("failed", "Failed"),
                        ],
                        default="pending",
                        max_length=20,
                    ),
                ),
                ("attempts", models.PositiveIntegerField(default=0)),
                ("error", models.CharField(blank=True, max_length=500)),
                (
                    "crm_record_id",
                    models.CharField(
                        blank=True, help_text="The Task or note the CRM created.", max_length=100
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "candidate",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="requests_app.candidate",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("candidate", "state"), name="crm_write_back_once_per_state"
                    )
                ],
            },
        ),
    ]
