"""``python manage.py run_nightly_checks [--date YYYY-MM-DD] [--only NAME …]``."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from refprogram import nightly


class Command(BaseCommand):
    help = "Run every nightly check once, synchronously, and print what each changed."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Run as if today were this day (YYYY-MM-DD).")
        parser.add_argument("--only", nargs="+", metavar="NAME", help="Run only these checks.")

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date must look like 2025-01-31: {exc}") from None
        known = [check.name for check in nightly.registered()]
        unknown = sorted(set(options["only"] or []) - set(known))
        if unknown:
            raise CommandError(f"Unknown check(s) {', '.join(unknown)}; known: {', '.join(known)}")
        results = nightly.run_all(today=today, only=options["only"])
        for name, changes in results.items():
            summary = ", ".join(f"{key}={value}" for key, value in changes.items()) or "nothing to do"
            self.stdout.write(f"{name}: {summary}")
        total = sum(sum(changes.values()) for changes in results.values())
        self.stdout.write(self.style.SUCCESS(f"{len(results)} checks run, {total} changes."))
