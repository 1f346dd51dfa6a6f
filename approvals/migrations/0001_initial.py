"""The public-use approvals move out of the references app into their own app, tables and all:
state only. The tables keep their names (``references_approval``, ``references_approvalevent``,
``references_consentlink``) and their rows; nothing is created, copied or dropped.

Runs after references 0007 (the last change to these models there); references 0008 then
removes them from the references app's state."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import approvals.models

STATUS_CHOICES = [
    ("requested", "Requested"),
    ("in_review", "In customer review"),
    ("approved", "Approved"),
    ("declined", "Declined"),
    ("expired", "Expired"),
    ("revoked", "Revoked"),
]


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("references", "0007_approval_event_person"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.CreateModel(
            name="Approval",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "use",
                    models.CharField(
                        choices=[
                            ("logo", "Logo"),
                            ("name", "Name"),
                            ("quote", "Quote"),
                            ("case_study", "Case study"),
                            ("press_release", "Press release"),
                            ("video", "Video"),
                            ("website_listing", "Website listing"),
                        ],
                        max_length=24,
                    ),
                ),
                ("status", models.CharField(choices=STATUS_CHOICES, default="requested", max_length=16)),
                (
                    "title",
                    models.CharField(
                        blank=True,
                        help_text="E.g. 'Logo on the customers page'.",
                        max_length=200,
                        verbose_name="what it concerns",
                    ),
                ),
                ("quote_text", models.TextField(blank=True, verbose_name="exact quote text")),
                ("asset_url", models.URLField(blank=True, max_length=500, verbose_name="link to the asset")),
                ("scope", models.JSONField(blank=True, default=list, help_text="Channels the use is approved for.")),
                ("expires_on", models.DateField(blank=True, null=True)),
                ("notes", models.TextField(blank=True)),
                ("approver_name", models.CharField(blank=True, max_length=200)),
                ("approver_title", models.CharField(blank=True, max_length=200)),
                ("approver_email", models.EmailField(blank=True, max_length=254)),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                ("decision_comment", models.TextField(blank=True)),
                (
                    "document",
                    models.FileField(blank=True, max_length=255, upload_to=approvals.models.approval_file_path),
                ),
                ("document_name", models.CharField(blank=True, max_length=255)),
                ("document_type", models.CharField(blank=True, max_length=40)),
                (
                    "asset_file",
                    models.FileField(blank=True, max_length=255, upload_to=approvals.models.approval_file_path),
                ),
                ("asset_file_name", models.CharField(blank=True, max_length=255)),
                ("asset_file_type", models.CharField(blank=True, max_length=40)),
                (
                    "expiry_warned_for",
                    models.DateField(
                        blank=True, editable=False, help_text="The expiry date we last warned about.", null=True
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "contact",
                    models.ForeignKey(
                        blank=True,
                        help_text="Who at the customer decides.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="approvals",
                        to="references.contact",
                    ),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="approvals",
                        to="references.customer",
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
                (
                    "supersedes",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="superseded_by",
                        to="approvals.approval",
                    ),
                ),
            ],
            options={
                "db_table": "references_approval",
                "ordering": ["customer__name", "use", "-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["customer", "use", "status"], name="approval_customer_use"),
                    models.Index(fields=["status", "expires_on"], name="approval_status_expiry"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "approved"), _negated=True),
                            ("expires_on__isnull", False),
                            _connector="OR",
                        ),
                        name="approval_approved_needs_expiry",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("use", "quote"), _negated=True),
                            models.Q(("quote_text", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="approval_quote_needs_text",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ApprovalEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("requested", "Requested"),
                            ("edited", "Edited"),
                            ("transition", "Status change"),
                            ("link_sent", "Consent link sent"),
                            ("customer_decision", "Customer decided"),
                            ("document", "Signed document attached"),
                            ("asset", "Asset file attached"),
                            ("expired", "Expired"),
                        ],
                        max_length=20,
                    ),
                ),
                ("from_status", models.CharField(blank=True, choices=STATUS_CHOICES, max_length=16)),
                ("to_status", models.CharField(blank=True, choices=STATUS_CHOICES, max_length=16)),
                (
                    "actor_label",
                    models.CharField(
                        blank=True,
                        help_text="Who acted when it was not a user (customer, nightly check).",
                        max_length=300,
                    ),
                ),
                ("changes", models.JSONField(blank=True, default=dict, help_text="Field → [before, after].")),
                ("note", models.TextField(blank=True, help_text="Free text: never a person's contact data.")),
                ("person_name", models.CharField(blank=True, max_length=200)),
                ("person_title", models.CharField(blank=True, max_length=200)),
                ("person_email", models.EmailField(blank=True, max_length=254)),
                (
                    "file",
                    models.FileField(
                        blank=True, max_length=255, upload_to=approvals.models.approval_event_file_path
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "approval",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="approvals.approval",
                    ),
                ),
            ],
            options={
                "db_table": "references_approvalevent",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="ConsentLink",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token_hash", models.CharField(max_length=64, unique=True)),
                ("email", models.EmailField(max_length=254)),
                ("name", models.CharField(blank=True, max_length=200)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("expires_at", models.DateTimeField()),
                ("used_at", models.DateTimeField(blank=True, null=True)),
                ("withdrawn_at", models.DateTimeField(blank=True, null=True)),
                (
                    "approval",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="consent_links",
                        to="approvals.approval",
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
            ],
            options={
                "db_table": "references_consentlink",
                "ordering": ["-created_at", "-id"],
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations, database_operations=[]),
    ]
