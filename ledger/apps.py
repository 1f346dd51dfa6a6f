from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "ledger"
    verbose_name = "Usage ledger and capacity"

    def ready(self) -> None:
        from references import models as reference_models

        from . import capacity, checks  # noqa: F401  (checks registers the nightly checks)
        from .models import OverusePolicy

        # The catalog (references, an app below this one) shows "Available now" and each profile's
        # capacity; the rule is the ledger's. Hand it down here instead of references importing up.
        reference_models.capacity_provider_register(capacity)
        # Its stale filters read the staleness setting kept on the ledger's policy row.
        reference_models.policy_model_register(OverusePolicy)
        # A customer's renewal date or health changed (form, API, import): its automatic holds follow.
        reference_models.customer_changed_register(_customer_holds_sync)


def _customer_holds_sync(customer_ids: list[int]) -> None:
    from django.utils import timezone

    from .holds import holds_sync

    holds_sync(today=timezone.localdate(), customer_ids=customer_ids)
