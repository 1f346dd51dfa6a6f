"""What counts as a person's activity for retention (``references.services.retention``), from the
apps that know it: an entry in the usage ledger (an ask counted, whatever its outcome) and an ask
of them in a request (proposed, answered, scheduled, done: any step of the candidate). Each is a
subquery of contact ids, so the nightly check stays one statement per rule."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from ledger.models import UsageEntry

from .models import Candidate, CandidateEvent


def ledger_active_since(since: date) -> QuerySet:
    """Contacts with a usage-ledger entry on or after ``since``."""
    return UsageEntry.objects.filter(occurred_on__gte=since).values("reference__contact_id")


def asks_active_since(since: date) -> QuerySet:
    """Contacts asked in a request on or after ``since``."""
    return Candidate.objects.filter(created_at__date__gte=since).values("reference__contact_id")


def asks_moved_since(since: date) -> QuerySet:
    """Contacts whose ask moved (answered, scheduled, done…) on or after ``since``."""
    return CandidateEvent.objects.filter(created_at__date__gte=since).values(
        "candidate__reference__contact_id"
    )


ACTIVITY = (ledger_active_since, asks_active_since, asks_moved_since)
