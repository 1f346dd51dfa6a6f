"""``manage.py seed_demo [--scale N] [--seed S] [--logins-only] [--url URL]``: a demo program in an
empty database. On a database that already holds a program it changes nothing and prints the demo
logins (when the demo users are there), so ``scripts/dev.sh`` can call it on every start.

It lives in ``demo``, on top of every app: it seeds the inventory (``demo.inventory``) and then
requests through the real services (``demo.requests``); nothing in the product imports ``demo``.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from accounts.models import User
from demo.inventory import demo_logins, seed_demo
from demo.requests import seed_requests
from demo.vocabulary import DEMO_URL
from references.models import Customer


class Command(BaseCommand):
    help = (
        "Fill an empty database with a realistic, deterministic demo program (N customers with "
        "contacts, reference profiles, nominations and some usage; requests in every state with "
        "their candidates, outcomes and ratings; public-use approvals) and the demo users."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=200, help="Number of customers (default 200).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed, the same data.")
        parser.add_argument(
            "--logins-only", action="store_true", help="Only print the demo logins; change nothing."
        )
        parser.add_argument("--url", default=DEMO_URL, help=f"The address to print (default {DEMO_URL}).")

    def handle(self, *args, scale: int, seed: int, logins_only: bool, url: str, **options):
        self.url = url
        if logins_only:
            self.print_logins()
            return
        if scale < 1:
            raise CommandError("--scale must be at least 1.")
        if Customer.objects.exists():
            self.stdout.write(
                "The database already holds a program, so seed_demo left it alone (it only fills an "
                "empty database)."
            )
            demo_usernames = [username for username, _, _ in demo_logins()]
            if User.objects.filter(username__in=demo_usernames, is_active=True).exists():
                self.print_logins()
            else:
                self.stdout.write(self.style.WARNING("It has no demo users: log in with your own account."))
            return
        self.stdout.write(f"Seeding a demo program of {scale:,} customers (seed {seed})…")
        verbose = options.get("verbosity", 1) > 1 or scale >= 20_000
        result = seed_demo(
            scale=scale, seed=seed, progress=(lambda msg: self.stdout.write(f"  {msg}")) if verbose else None
        )
        summary = ", ".join(f"{n:,} {what.replace('_', ' ')}" for what, n in result.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Created {summary} in {result.seconds:.1f} s."))
        started = time.monotonic()
        # Fresh statistics before the requests are matched against the new inventory: a freshly
        # COPY-loaded table has none until autovacuum comes by, and the planner then guesses badly.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        created = seed_requests(seed=seed, today=timezone.localdate(), scale=scale)
        summary = ", ".join(f"{n:,} {what}" for what, n in created.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {summary} and ran the nightly checks in {time.monotonic() - started:.1f} s."
            )
        )
        self.print_logins()

    def print_logins(self) -> None:
        rows = [("username", "role", "password"), *demo_logins()]
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        self.stdout.write("")
        self.stdout.write("Demo logins:")
        for i, row in enumerate(rows):
            self.stdout.write("  " + "  ".join(cell.ljust(widths[j]) for j, cell in enumerate(row)).rstrip())
            if i == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))
        self.stdout.write(f"\nOpen {self.url} and log in with one of them.")
