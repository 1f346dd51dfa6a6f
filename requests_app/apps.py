from django.apps import AppConfig


class RequestsAppConfig(AppConfig):
    name = "requests_app"
    verbose_name = "Requests and matching"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the nightly checks)
