"""Domain errors shared by every app."""


class RuleViolation(Exception):
    """A business rule refused the action. ``code`` is the machine-readable reason (API.md)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message


# Every reason code a refused rule answers with (409 ``{"detail", "code"}``), and what it means.
# The one list: the OpenAPI schema's ``ReasonCode`` enum and docs/api.md are made from it, and
# tests/api_schema/test_reason_codes.py fails when a ``RuleViolation`` raises a code missing here.
REASON_CODES: dict[str, str] = {
    # Any state machine (reference profile, nomination, request, candidate, approval, usage).
    "invalid_transition": "The state machine does not allow this move from the current state.",
    # Reference inventory and nominations.
    "already_a_reference": "This contact already has a reference profile.",
    "customer_has_usage": "The customer has usage history; retire its references instead of deleting it.",
    "vetting_incomplete": "The nomination's vetting checks are not all recorded yet.",
    "vetting_failed": "A vetting check failed; reject the nomination instead.",
    "owner_consent_missing": "The account owner declined; reject the nomination instead.",
    "activities_missing": "Accepting needs at least one activity the reference agreed to do.",
    # Requests and candidates.
    "request_closed": "The request is fulfilled, closed or cancelled.",
    "not_editable": "The request can no longer be changed.",
    "already_proposed": "The reference is already proposed for (or already completed) this request.",
    "already_rated": "The requester already rated this request.",
    "not_fulfilled": "Nothing to rate until a reference has completed.",
    "private_only": "The reference is kept for private (sales) use; the activity is public.",
    "not_account_owner": "Only the customer's account owner can answer for them.",
    "slot_not_offered": "Pick one of the times the reference offered.",
    "outcome_from_crm": "The request is linked to a CRM opportunity: its won or lost comes from the CRM.",
    # Capacity (the usage ledger's verdict).
    "reference_unavailable": "The reference is not active (resting, retired, or not yet active).",
    "reference_stale": "The reference has not been re-confirmed recently enough.",
    "customer_detractor": "The customer's health is at or below the detractor threshold.",
    "on_hold": "The reference, or its whole customer, is on hold (escalation, renewal, its own wish…).",
    "hold_ended": "The hold has already ended.",
    "activity_not_offered": "The reference has not agreed to this activity type.",
    "in_rest_period": "The reference is in its rest period after a recent activity (overridable).",
    "over_reference_cap": "The ask would take the reference over its cap (overridable).",
    "over_customer_cap": "The ask would take the customer over its cap (overridable).",
    "override_reason_required": "Overriding a cap or rest period needs a written reason.",
    "override_not_allowed": "This refusal cannot be overridden, or the caller may not override.",
    "source_in_use": "The ledger already has an ask for this source.",
    # Public-use approvals.
    "approval_missing": "The customer has no valid approval for this public use.",
    "reference_private_only": "The customer's reference is private only: never for public use.",
    "new_approval_required": "The customer approved this exact wording; request a new approval for new text.",
    "approval_locked": "Only open approval requests can be edited.",
    "approval_not_open": "The approval is no longer open for the customer's decision.",
    "consent_recipient_missing": "Choose the customer contact (with an e-mail address) who should decide.",
    "approval_decided": "A decided approval's files are frozen.",
    "supersedes_other_customer": "An approval can only supersede one of the same customer.",
    # A person's consent (references.ContactConsent).
    "consent_withdrawn": "The person withdrew their consent or left the reference program.",
    "already_erased": "The contact was already erased; erasure is irreversible and happens once.",
    "notice_already_sent": "The person was already sent the Art. 14 notice (it goes once per person).",
    "no_email": "The contact has no e-mail address to send to.",
    # The manager's work queue.
    "nothing_to_chase": "The candidate is not waiting for anyone.",
    "no_account_owner": "The customer has no account owner to remind.",
    # CRM connections (integrations).
    "crm_not_enabled": "The CRM connection is switched off.",
    "crm_sync_running": "A sync of this CRM is already under way.",
}
