import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.services import user_set_password


class Command(BaseCommand):
    help = (
        "Change a user's password (replaces Django's changepassword) and revoke their API tokens. "
        "The password comes from --password, REFPROGRAM_PASSWORD or a prompt."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", default=None)

    def handle(self, *args, username, password, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"There is no user {username!r}.") from exc
        password = password or os.environ.get("REFPROGRAM_PASSWORD")
        if not password:
            try:
                password = getpass.getpass("Password: ")
                again = getpass.getpass("Password (again): ")
            except (EOFError, KeyboardInterrupt) as exc:
                raise CommandError("No password given (use --password or REFPROGRAM_PASSWORD).") from exc
            if password != again:
                raise CommandError("The passwords do not match.")
        if not password:
            raise CommandError("The password may not be empty.")
        try:
            revoked = user_set_password(user=user, password=password)
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Changed the password of {user.username}; {revoked} API token(s) revoked.")
        )
