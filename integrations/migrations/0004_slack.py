"""Slack: routes (channel per region), users' Slack ids, and the notices sent."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0003_crm_sync"),
        ("references", "0001_initial"),
        ("requests_app", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SlackUser",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("slack_id", models.CharField(max_length=40, unique=True)),
                ("looked_up_at", models.DateTimeField(auto_now=True)),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="slack",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="SlackNotice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=120, unique=True)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("new_request", "New request"),
                            ("due_soon", "Due within 72 hours"),
                            ("short_supply", "Short supply"),
                            ("progress", "Progress of a request (to its requester)"),
                        ],
                        max_length=20,
                    ),
                ),
                ("channel_id", models.CharField(blank=True, max_length=40)),
                ("detail", models.JSONField(blank=True, default=dict)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("retrying", "Retrying"),
                            ("sent", "Sent"),
                            ("failed", "Failed"),
                            ("skipped", "Skipped (the requester has no Slack account)"),
                        ],
                        default="pending",
                        max_length=12,
                    ),
                ),
                ("attempts", models.PositiveIntegerField(default=0)),
                ("error", models.CharField(blank=True, max_length=500)),
                ("message_ts", models.CharField(blank=True, max_length=40, verbose_name="Slack message ts")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
                (
                    "recipient",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "request",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="requests_app.request",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("kind__in", ["new_request", "due_soon", "short_supply"]),
                                ("recipient", None),
                                models.Q(("channel_id", ""), _negated=True),
                            ),
                            models.Q(("kind", "progress"), ("recipient__isnull", False)),
                            _connector="OR",
                        ),
                        name="slack_notice_channel_or_person",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="SlackRoute",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "channel_id",
                    models.CharField(
                        help_text="The channel's id (C0123…), not its name.",
                        max_length=40,
                        verbose_name="Slack channel id",
                    ),
                ),
                ("new_requests", models.BooleanField(default=True, verbose_name="new requests")),
                ("due_soon", models.BooleanField(default=True, verbose_name="due within 72 hours")),
                ("short_supply", models.BooleanField(default=True, verbose_name="short supply")),
                ("is_active", models.BooleanField(default=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "region",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty: the default channel, for requests of regions without a route of their own.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="references.region",
                    ),
                ),
            ],
            options={
                "ordering": ["region_id", "channel_id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("region", "channel_id"), name="slack_route_region_channel"
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("region", None)),
                        fields=("channel_id",),
                        name="slack_route_default_channel",
                    ),
                ],
            },
        ),
    ]
