"""The policy's history (django-simple-history), for the audit log; the policy as it stands when
this runs is its first line, so the first change afterwards shows only what changed."""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

POLICY_FIELDS = [
    "id",
    "stale_after_days",
    "retention_months",
    "retention_grace_days",
    "notice_auto_send",
    "window_days",
    "reference_cap",
    "customer_cap",
    "rest_days",
    "near_cap_ratio",
    "detractor_below",
    "c_level_protected_below",
    "renewal_hold_days",
    "health_hold_below",
    "updated_at",
    "updated_by_id",
]


def first_line(apps, schema_editor):
    policy = apps.get_model("ledger", "OverusePolicy").objects.filter(pk=1).first()
    if policy is None:
        return
    apps.get_model("ledger", "HistoricalOverusePolicy").objects.create(
        **{name: getattr(policy, name) for name in POLICY_FIELDS},
        history_date=timezone.now(),
        history_type="+",
        history_change_reason="the policy's history starts",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0005_retention_policy"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalOverusePolicy",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("stale_after_days", models.PositiveSmallIntegerField(default=180, validators=[django.core.validators.MinValueValidator(1)])),
                ("retention_months", models.PositiveSmallIntegerField(default=24, validators=[django.core.validators.MinValueValidator(1)])),
                ("retention_grace_days", models.PositiveSmallIntegerField(default=30)),
                ("notice_auto_send", models.BooleanField(default=False)),
                ("window_days", models.PositiveSmallIntegerField(default=180, validators=[django.core.validators.MinValueValidator(1)])),
                ("reference_cap", models.PositiveSmallIntegerField(default=6, validators=[django.core.validators.MinValueValidator(1)])),
                ("customer_cap", models.PositiveSmallIntegerField(default=8, validators=[django.core.validators.MinValueValidator(1)])),
                ("rest_days", models.PositiveSmallIntegerField(default=30)),
                ("near_cap_ratio", models.DecimalField(decimal_places=2, default=0.75, max_digits=3)),
                ("detractor_below", models.SmallIntegerField(default=0)),
                ("c_level_protected_below", models.CharField(blank=True, choices=[("c_level", "C-level"), ("vp", "VP"), ("director", "Director"), ("manager", "Manager"), ("individual", "Individual contributor")], default="director", max_length=16)),
                ("renewal_hold_days", models.PositiveSmallIntegerField(default=60)),
                ("health_hold_below", models.SmallIntegerField(blank=True, default=20, null=True)),
                ("updated_at", models.DateTimeField(blank=True, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                ("history_type", models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1)),
                ("history_user", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("updated_by", models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "verbose_name": "historical overuse policy",
                "verbose_name_plural": "historical overuse policy",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(first_line, migrations.RunPython.noop),
    ]
