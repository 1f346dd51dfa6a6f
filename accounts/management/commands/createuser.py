import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.choices import Role
from accounts.services import user_create


class Command(BaseCommand):
    help = (
        "Create a user with one role. The password (at least 12 characters, see AUTH_PASSWORD_VALIDATORS) "
        "comes from --password, REFPROGRAM_PASSWORD or a prompt."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--email", default="")
        parser.add_argument("--password", default=None)

    def handle(self, *args, username, role, email, password, **options):
        password = password or os.environ.get("REFPROGRAM_PASSWORD")
        if not password:
            try:
                password = getpass.getpass("Password: ")
            except (EOFError, KeyboardInterrupt) as exc:
                raise CommandError("No password given (use --password or REFPROGRAM_PASSWORD).") from exc
        if not password:
            raise CommandError("The password may not be empty.")
        try:
            user = user_create(username=username, role=role, password=password, email=email)
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {user.username} ({user.get_role_display()})."))
