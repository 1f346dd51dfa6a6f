"""Product events: what happened in the program, announced after the change is saved.

Domain services call ``publish(EVENT, data)`` inside their transaction; every listener runs only
once that transaction commits, so a change that rolls back announces nothing. Listeners register
with ``subscribe`` from a higher app's ``AppConfig.ready()`` (the outbound webhooks of
``integrations``), so the domain apps never import the apps that listen to them.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger("refprogram.events")

REQUEST_SUBMITTED = "request.submitted"
REQUEST_FULFILLED = "request.fulfilled"
CANDIDATE_TRANSITIONED = "candidate.transitioned"
APPROVAL_DECIDED = "approval.decided"
REFERENCE_STATUS_CHANGED = "reference.status_changed"
EVENTS: tuple[str, ...] = (
    REQUEST_SUBMITTED,
    REQUEST_FULFILLED,
    CANDIDATE_TRANSITIONED,
    APPROVAL_DECIDED,
    REFERENCE_STATUS_CHANGED,
)

# listener(event=, event_id=, occurred_at=, data=)
Listener = Callable[..., None]
_listeners: list[Listener] = []


def subscribe(listener: Listener) -> None:
    """Call ``listener`` after commit for every published event (idempotent per listener)."""
    if listener not in _listeners:
        _listeners.append(listener)


def publish(event: str, data: dict[str, Any]) -> None:
    """Announce ``event`` with ``data`` (ids and codes, JSON-ready) once the transaction commits.

    A listener that fails is logged and does not undo the change (``robust`` on-commit hooks).
    """
    if event not in EVENTS:
        raise ValueError(f"Unknown event {event!r}; known: {', '.join(EVENTS)}.")
    event_id = uuid.uuid4()
    occurred_at: datetime = timezone.now()
    for listener in list(_listeners):
        transaction.on_commit(
            partial(listener, event=event, event_id=event_id, occurred_at=occurred_at, data=dict(data)),
            robust=True,
        )
