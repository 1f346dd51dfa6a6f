"""``manage.py crm_sync [--full] [--crm salesforce|hubspot]``: run one CRM sync now, print a summary."""

from django.core.management.base import BaseCommand, CommandError

from integrations.choices import CrmKind
from integrations.models import CrmConnection
from integrations.services.crm_sync import crm_sync
from refprogram.errors import RuleViolation


class Command(BaseCommand):
    help = (
        "Run one CRM sync (incremental unless --full) of each enabled CRM, or of --crm, and print a summary."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--full", action="store_true", help="Everything, not only what changed since the last run."
        )
        parser.add_argument("--crm", choices=CrmKind.values, help="Only this CRM.")

    def handle(self, *args, full=False, crm=None, **options):
        kinds = (
            [crm] if crm else list(CrmConnection.objects.filter(enabled=True).values_list("kind", flat=True))
        )
        if not kinds:
            raise CommandError("No CRM connection is enabled (see /integrations/ or the README).")
        failed = False
        for kind in kinds:
            try:
                run = crm_sync(kind=kind, full=full)
            except RuleViolation as exc:
                raise CommandError(exc.message) from exc
            summary = ", ".join(
                f"{label} {getattr(run, label)}"
                for label in ("created", "updated", "unchanged", "deleted", "skipped", "failed")
            )
            conflicts = f", conflicts {len(run.conflicts)}" if run.conflicts else ""
            self.stdout.write(f"{run.connection}: {run.get_status_display()} — {summary}{conflicts}")
            for error in run.errors[:20]:
                self.stdout.write(f"  {error['object']} {error['crm_id']}: {error['message']}")
            if run.error:
                self.stdout.write(f"  stopped: {run.error}")
                failed = True
        if failed:
            raise CommandError("A sync failed.")
