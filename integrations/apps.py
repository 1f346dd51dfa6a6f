from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations: webhooks and CRM sync"

    def ready(self) -> None:
        from refprogram import events

        from .services.crm_sync import write_back_for_event
        from .services.webhooks import event_fan_out

        # The domain apps publish product events (refprogram.events); the webhooks and the CRM
        # write-back listen here, so no domain app imports integrations.
        events.subscribe(event_fan_out)
        events.subscribe(write_back_for_event)
        from .slack.wiring import connect as slack_connect  # Slack notices, its nightly check, admin

        slack_connect()
