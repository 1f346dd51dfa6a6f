"""Outcome events used to carry the won or lost amount in their note ("Won, 120000.00"), where
every role that could read the request's history saw it. The amount lives on the request; the
note keeps only the result."""

from django.db import migrations


def strip_amounts(apps, schema_editor):
    RequestEvent = apps.get_model("requests_app", "RequestEvent")
    for label in ("Won", "Lost"):
        RequestEvent.objects.filter(kind="outcome", note__startswith=f"{label}, ").update(note=label)


class Migration(migrations.Migration):
    dependencies = [("requests_app", "0001_initial")]

    operations = [migrations.RunPython(strip_amounts, migrations.RunPython.noop)]
