from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations: webhooks and CRM opportunities"

    def ready(self) -> None:
        from refprogram import events

        from .services.webhooks import event_fan_out

        # The domain apps publish product events (refprogram.events); the webhooks listen here, so
        # no domain app imports integrations.
        events.subscribe(event_fan_out)
