"""Placeholder: replaced by the full demo seeder."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Fill an empty database with a deterministic demo program."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=200)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--logins-only", action="store_true")

    def handle(self, *args, **options):
        self.stdout.write("seed_demo is not built yet.")
