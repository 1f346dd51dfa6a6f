import getpass

from django.core.management.base import BaseCommand, CommandError

from accounts import second_factor
from accounts.models import User


class Command(BaseCommand):
    help = (
        "Remove a user's second factor (authenticator app and recovery codes), for someone who lost "
        "their phone and their recovery codes, or the break-glass administrator. Their next password "
        "log-in asks them to set one up again (administrators) or asks for no code (others). The audit "
        "log shows the reset, with the operating-system account that ran this command."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        try:
            operator = getpass.getuser()
        except (KeyError, OSError):
            operator = "unknown"
        removed = second_factor.second_factor_remove(
            user=user, by=None, reason=f"{second_factor.RESET}: otp_reset by {operator}"[:100]
        )
        if not removed:
            self.stdout.write(f"{username} has no second factor: nothing to reset.")
            return
        then = (
            "sets up a new one at their next log-in"
            if second_factor.second_factor_required(user)
            else "logs in with their password alone until they set up a new one"
        )
        self.stdout.write(f"Removed the second factor of {username}: they {then}.")
