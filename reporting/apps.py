from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Program metrics"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the nightly metrics snapshot)
