from django.core.management.base import BaseCommand

from accounts.scim.services import scim_token_create


class Command(BaseCommand):
    help = (
        "Create a SCIM 2.0 bearer token for the identity provider (/scim/v2/Users, /scim/v2/Groups). "
        "It is printed once, as the last word of the output; only its hash is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--label", default="", help="Whose token it is, e.g. the identity provider's name."
        )

    def handle(self, *args, label, **options):
        _, token = scim_token_create(label=label)
        self.stdout.write(
            "SCIM base URL: /scim/v2/ . Give the identity provider this bearer token; it is shown only "
            f"now:\n{token}"
        )
