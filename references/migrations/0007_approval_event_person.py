"""Approval history keeps the customer's person in their own fields (name, title, e-mail), not
in free text, so the e-mail address is shown only to roles that may see contact data; and a
signed-document event keeps the file it attached (earlier versions stay on file).

The data step moves the e-mail addresses out of the history written before: the consent link's
note ``To <name or email> (<email>)`` and the customer decision's label
``Customer: <name>[, <title>] <<email>>`` (cut at 300 characters)."""

import re

from django.db import migrations, models

LINK_NOTE = re.compile(r"^To (?P<name>.*) \((?P<email>[^()\s]*@[^()\s]*)\)$", re.DOTALL)
CUSTOMER_LABEL = "Customer: "


def approval_event_file_path(instance, filename):
    """Historical copy: the approval models moved to the approvals app (references 0008), whose
    ``approvals.models.approval_event_file_path`` is the live one."""
    return f"approvals/{instance.approval.customer_id}/{filename}"


def _split_title(name: str, approver_name: str) -> tuple[str, str]:
    """``"Jane Doe, CMO"`` → ``("Jane Doe", "CMO")`` when the approval names Jane Doe."""
    if approver_name and name.startswith(approver_name + ", "):
        return approver_name, name[len(approver_name) + 2 :]
    return name, ""


def move_emails_out_of_text(apps, schema_editor):
    ApprovalEvent = apps.get_model("references", "ApprovalEvent")
    Approval = apps.get_model("references", "Approval")
    for event in ApprovalEvent.objects.filter(kind="link_sent", note__startswith="To ").iterator():
        match = LINK_NOTE.match(event.note)
        if not match:
            continue
        name, email = match["name"].strip(), match["email"]
        event.person_name = "" if name == email else name[:200]
        event.person_email = email[:254]
        event.note = ""
        event.save(update_fields=["person_name", "person_email", "note"])
    events = ApprovalEvent.objects.filter(actor_label__startswith=CUSTOMER_LABEL).select_related("approval")
    for event in events.iterator():
        rest = event.actor_label[len(CUSTOMER_LABEL) :]
        name, sep, email = rest.rpartition(" <")
        if not sep:
            name, email = rest, ""
        email = email[:-1] if email.endswith(">") else ""  # a label cut short loses the address
        name, title = _split_title(name.strip(), event.approval.approver_name)
        event.person_name = name[:200]
        event.person_title = title[:200]
        event.person_email = email if "@" in email else ""
        event.actor_label = "Customer"
        event.save(update_fields=["person_name", "person_title", "person_email", "actor_label"])
    for approval in Approval.objects.exclude(document="").only("pk", "document"):
        latest = ApprovalEvent.objects.filter(approval=approval, kind="document").order_by(
            "-created_at", "-id"
        )
        latest = latest.first()
        if latest is not None and not latest.file:
            latest.file = approval.document.name
            latest.save(update_fields=["file"])


def put_emails_back(apps, schema_editor):
    ApprovalEvent = apps.get_model("references", "ApprovalEvent")
    for event in ApprovalEvent.objects.filter(kind="link_sent").exclude(person_email="").iterator():
        event.note = f"To {event.person_name or event.person_email} ({event.person_email})"
        event.save(update_fields=["note"])
    events = ApprovalEvent.objects.filter(actor_label="Customer").exclude(person_name="", person_email="")
    for event in events.iterator():
        label = CUSTOMER_LABEL + event.person_name
        label += f", {event.person_title}" if event.person_title else ""
        label += f" <{event.person_email}>" if event.person_email else ""
        event.actor_label = label[:300]
        event.save(update_fields=["actor_label"])


class Migration(migrations.Migration):
    dependencies = [
        ("references", "0006_covering_usage_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="approvalevent",
            name="file",
            field=models.FileField(
                blank=True, max_length=255, upload_to=approval_event_file_path
            ),
        ),
        migrations.AddField(
            model_name="approvalevent",
            name="person_email",
            field=models.EmailField(blank=True, max_length=254),
        ),
        migrations.AddField(
            model_name="approvalevent",
            name="person_name",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="approvalevent",
            name="person_title",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AlterField(
            model_name="approvalevent",
            name="note",
            field=models.TextField(blank=True, help_text="Free text: never a person's contact data."),
        ),
        migrations.RunPython(move_emails_out_of_text, put_emails_back),
    ]
