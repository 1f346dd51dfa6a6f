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
        # A customer's asks in their words (ledger): who asked, the answers and the feedback.
        from .customer_asks import ask_facts

        ledger_selectors.ask_facts_provider_register(ask_facts)
        # A person's withdrawal of consent withdraws their open asks at once.
        from references.services.consents import consent_withdrawn_register

        from .consent_withdrawal import asks_follow_withdrawal

        consent_withdrawn_register(asks_follow_withdrawal)
