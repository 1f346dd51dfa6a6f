"""Every state-changing use case of requests: submit, triage, propose, walk candidates to
completion, close, and report what happened afterwards.

Rules live here (keyword-only, in ``transaction.atomic``); capacity and the usage ledger belong
to ``ledger`` and are changed only through its services, public-use approvals through
``approvals``.
"""

from .answers import (
    ask_summary,
    can_owner_decide,
    can_pick_slot,
    candidate_ask_answer,
    candidate_link_get,
    candidate_link_language,
    candidate_owner_decide,
    candidate_owner_decide_by_link,
    candidate_slot_pick,
)
from .candidates import candidate_feedback_record, candidate_propose, candidate_transition
from .common import lead_time_warning
from .requests import (
    REQUEST_FIELDS,
    can_edit,
    can_report_outcome,
    deadline_reminders_send,
    request_assign,
    request_cancel,
    request_close_unfulfilled,
    request_outcome,
    request_rate,
    request_submit,
    request_supply_check,
    request_update,
    unmet_demand_record,
)

__all__ = [
    "REQUEST_FIELDS",
    "ask_summary",
    "can_owner_decide",
    "can_pick_slot",
    "candidate_ask_answer",
    "candidate_link_get",
    "candidate_link_language",
    "candidate_owner_decide",
    "candidate_owner_decide_by_link",
    "candidate_slot_pick",
    "can_edit",
    "can_report_outcome",
    "candidate_feedback_record",
    "candidate_propose",
    "candidate_transition",
    "deadline_reminders_send",
    "lead_time_warning",
    "request_assign",
    "request_cancel",
    "request_close_unfulfilled",
    "request_outcome",
    "request_rate",
    "request_submit",
    "request_supply_check",
    "request_update",
    "unmet_demand_record",
]
