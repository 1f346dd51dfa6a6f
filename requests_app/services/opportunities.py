"""CRM opportunities: the one upsert that the inbound endpoint and the CRM sync both call."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from ..models import Opportunity

# The fields a CRM sends; the CRM owns all of them.
OPPORTUNITY_FIELDS = (
    "name",
    "amount",
    "stage",
    "close_date",
    "is_closed",
    "is_won",
    "account_name",
    "account_crm_id",
    "modified_at",
)


@transaction.atomic
def opportunity_upsert(*, crm: str, crm_id: str, data: dict[str, Any]) -> tuple[Opportunity, bool, bool]:
    """Create or update the opportunity ``(crm, crm_id)`` from what the CRM sent.

    Idempotent: sending the same thing twice changes nothing the second time. Fields left out keep
    their stored value. A change older than the stored one (``modified_at`` before the stored
    ``modified_at``) arrived out of order and is ignored. Returns (opportunity, created, changed).
    """
    values = {name: data[name] for name in OPPORTUNITY_FIELDS if name in data}
    opportunity = Opportunity.objects.select_for_update().filter(crm=crm, crm_id=crm_id).first()
    if opportunity is None:
        try:
            with transaction.atomic():
                opportunity = Opportunity(crm=crm, crm_id=crm_id, **values)
                opportunity.full_clean()
                opportunity.save()
            return opportunity, True, True
        except IntegrityError:  # another call created it meanwhile: update that one
            opportunity = Opportunity.objects.select_for_update().get(crm=crm, crm_id=crm_id)
    incoming = values.get("modified_at")
    if incoming is not None and opportunity.modified_at is not None and incoming < opportunity.modified_at:
        return opportunity, False, False
    changed = [name for name, value in values.items() if getattr(opportunity, name) != value]
    if not changed:
        return opportunity, False, False
    for name in changed:
        setattr(opportunity, name, values[name])
    opportunity.full_clean()
    opportunity.save(update_fields=[*changed, "updated_at"])
    return opportunity, False, True
