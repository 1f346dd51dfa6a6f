"""Codes of the usage ledger: what became of an ask, which asks count, and the reservation's
refusals (API.md 409 ``code``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UsageStatus(models.TextChoices):
    """What became of one ask of a reference (a usage ledger row)."""

    RESERVED = "reserved", _("Reserved (proposed, not yet asked)")
    ASKED = "asked", _("Asked")
    DECLINED = "declined", _("Declined by customer")
    DONE = "done", _("Done")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Every status but withdrawn counts against the caps: asking costs goodwill even when declined.
USAGE_COUNTING = (UsageStatus.RESERVED, UsageStatus.ASKED, UsageStatus.DECLINED, UsageStatus.DONE)

USAGE_TRANSITIONS: dict[str, set[str]] = {
    UsageStatus.RESERVED: {UsageStatus.ASKED, UsageStatus.WITHDRAWN},
    UsageStatus.ASKED: {UsageStatus.DECLINED, UsageStatus.DONE},
    UsageStatus.DECLINED: set(),
    UsageStatus.DONE: set(),
    UsageStatus.WITHDRAWN: set(),
}

# Reason codes (API.md 409 `code`). The first nine are the verdict's (ledger.capacity).
CODE_REFERENCE_UNAVAILABLE = "reference_unavailable"
CODE_STALE = "reference_stale"
CODE_DETRACTOR = "customer_detractor"
# The reference or its whole customer is on hold (ledger.models.Hold); never overridable.
CODE_ON_HOLD = "on_hold"
CODE_HOLD_ENDED = "hold_ended"
CODE_ACTIVITY_NOT_OFFERED = "activity_not_offered"
# The same code the request workflow uses when a private-only reference is proposed for public use.
CODE_PRIVATE_ONLY = "private_only"
CODE_REST_PERIOD = "in_rest_period"
CODE_REFERENCE_CAP = "over_reference_cap"
CODE_CUSTOMER_CAP = "over_customer_cap"
CODE_OVERRIDE_REASON = "override_reason_required"
