from django.apps import AppConfig


class ReferencesConfig(AppConfig):
    name = "references"
    verbose_name = "Reference inventory"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the nightly checks)
