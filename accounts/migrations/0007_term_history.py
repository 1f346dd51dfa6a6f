"""The history of the program's words (who renamed which noun, who put the usual word back), which
the audit log reads; each existing renaming gets its line, dated and signed as the row says."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def existing_lines(apps, schema_editor):
    Term = apps.get_model("accounts", "Term")
    HistoricalTerm = apps.get_model("accounts", "HistoricalTerm")
    HistoricalTerm.objects.bulk_create(
        HistoricalTerm(
            id=term.id,
            noun=term.noun,
            language=term.language,
            singular=term.singular,
            plural=term.plural,
            updated_at=term.updated_at,
            updated_by_id=term.updated_by_id,
            history_date=term.updated_at,
            history_type="+",
            history_user_id=term.updated_by_id,
            history_change_reason="existing before its history was kept",
        )
        for term in Term.objects.all()
    )


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0006_terms'),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalTerm',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('noun', models.CharField(max_length=16)),
                ('language', models.CharField(choices=[('en', 'English'), ('de', 'Deutsch'), ('fr', 'Français'), ('es', 'Español')], max_length=8)),
                ('singular', models.CharField(max_length=40)),
                ('plural', models.CharField(max_length=40)),
                ('updated_at', models.DateTimeField(blank=True, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('updated_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical term',
                'verbose_name_plural': 'historical terms',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(existing_lines, migrations.RunPython.noop),
    ]
