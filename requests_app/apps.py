from django.apps import AppConfig


class RequestsAppConfig(AppConfig):
    name = "requests_app"
    verbose_name = "Requests and matching"

    def ready(self) -> None:
        from ledger import selectors as ledger_selectors

        from . import checks  # noqa: F401  (registers the nightly checks)
        from .selectors import request_facts

        # A profile's usage history (ledger) names the requests it served, their prospect and outcome.
        ledger_selectors.request_facts_provider_register(request_facts)
