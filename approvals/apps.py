from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = "Public-use approvals and content library"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the nightly approval expiry check)
