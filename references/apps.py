from django.apps import AppConfig


class ReferencesConfig(AppConfig):
    name = "references"
    verbose_name = "Reference inventory"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the nightly checks)
        from .approval_checks import approvals_expire  # noqa: F401  (approval expiry)
