"""``manage.py compile_translations [--force]``: see ``refprogram.catalogs``."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from refprogram.catalogs import compile_catalogs


class Command(BaseCommand):
    help = "Compile the interface's translation catalogs (locale/*/LC_MESSAGES/django.po)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Compile every catalog, changed or not.")

    def handle(self, *args, force: bool = False, **options):
        done = compile_catalogs([Path(p) for p in settings.LOCALE_PATHS], force=force)
        self.stdout.write(f"{len(done)} translation catalog(s) compiled.")
