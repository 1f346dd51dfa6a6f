"""How long the program keeps a person it no longer works with (GDPR Art. 5(1)(e), storage
limitation), from the policy's ``retention_months`` and ``retention_grace_days``
(``references.models.Retention``).

- ``retention_check`` (the nightly check ``retention``): a contact with no activity for the
  policy's months (no usage-ledger entry, no ask, no consent given or renewed, not added or kept by a
  manager in that time) and no valid consent today is *due for review* from today
  (``retention_review_since``); one who became active again, or whom a manager kept, leaves the
  list; one still due ``retention_grace_days`` after the review started is erased through the
  erasure service (``contact_erase``, reason "retention", no user: the nightly check). A few
  set-based statements, then one erasure per person; a second run on the same day changes nothing.
- ``retention_keep``: a manager keeps a person due for review, saying why; the day they keep them
  restarts the clock.
- ``contacts_due_for_review``: the review list (managers' page and API).

What counts as activity above this app (the usage ledger, asks) is handed in by the caller as
``active_since(day) -> QuerySet of contact ids`` (``requests_app.retention_activity``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from refprogram.errors import RuleViolation
from refprogram.i18n import day

from ..models import Contact, ContactConsent, Retention, program_policy
from .erasure import CODE_ALREADY_ERASED, contact_erase

__all__ = [
    "RETENTION_REASON",
    "contacts_due_for_review",
    "retention_check",
    "retention_erase_on",
    "retention_keep",
]

# The reason the nightly check gives the erasure service (kept in the contact's history).
RETENTION_REASON = "retention"

ActiveSince = Callable[[date], QuerySet]


def contacts_due_for_review() -> QuerySet[Contact]:
    """People the nightly check found inactive, without a valid consent, for the policy's months:
    longest waiting first."""
    return (
        Contact.objects.filter(retention_review_since__isnull=False, erased_at__isnull=True)
        .select_related("customer")
        .order_by("retention_review_since", "id")
    )


def retention_erase_on(review_since: date, policy: Retention) -> date:
    """The day a person due for review since ``review_since`` is erased, unless kept or active."""
    return review_since + timedelta(days=policy.retention_grace_days)


def _inactive(*, today: date, cutoff: date, active_since: Iterable[ActiveSince]) -> QuerySet[Contact]:
    """Contacts not erased, with no activity since ``cutoff`` and no valid consent today."""
    consents = ContactConsent.objects.filter(
        Q(given_on__gte=cutoff) | Q(pk__in=ContactConsent.objects.valid(today))
    )
    qs = (
        Contact.objects.filter(erased_at__isnull=True, created_at__date__lt=cutoff)
        .exclude(retention_kept_on__gte=cutoff)
        .exclude(pk__in=consents.values("contact_id"))
    )
    for provider in active_since:
        qs = qs.exclude(pk__in=provider(cutoff))
    return qs


@transaction.atomic
def retention_check(
    *, today: date, active_since: Iterable[ActiveSince], policy: Retention | None = None
) -> dict[str, int]:
    """The nightly retention run (see the module's docstring). ``active_since`` is required: what
    the apps above count as activity (``requests_app.retention_activity.ACTIVITY``); without it a
    person asked yesterday would look inactive. Returns what it changed:
    ``{"retention_active_again": …, "retention_due_for_review": …, "retention_erased": …}``."""
    policy = policy or program_policy()
    cutoff = policy.retention_cutoff(today)
    active_since = tuple(active_since)
    inactive = _inactive(today=today, cutoff=cutoff, active_since=active_since)
    # Active again (or kept, or given a consent) since the review started: off the list.
    active_again = (
        Contact.objects.filter(retention_review_since__isnull=False, erased_at__isnull=True)
        .exclude(pk__in=inactive.values("pk"))
        .update(retention_review_since=None)
    )
    due = inactive.filter(retention_review_since__isnull=True).update(retention_review_since=today)
    last_review_day = today - timedelta(days=policy.retention_grace_days)
    erased = 0
    for contact in inactive.filter(retention_review_since__lte=last_review_day).order_by("pk"):
        contact_erase(
            contact=contact,
            reason=(
                f"{RETENTION_REASON}: no activity and no valid consent for {policy.retention_months} months, "
                f"not kept within {policy.retention_grace_days} days of the review"
            ),
            by=None,
            now=timezone.now(),
        )
        erased += 1
    return {
        "retention_active_again": active_again,
        "retention_due_for_review": due,
        "retention_erased": erased,
    }


@transaction.atomic
def retention_keep(*, contact: Contact, reason: str, by: User | None, today: date | None = None) -> Contact:
    """Keep a person (due for review or not): records why and restarts their retention clock
    today. An erased person cannot be kept (409 ``already_erased``)."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(
            {"reason": _("Say why the program keeps this person (e.g. 'Case study due in May').")}
        )
    limit = Contact._meta.get_field("retention_kept_reason").max_length
    if len(reason) > limit:
        raise ValidationError({"reason": _("At most %(limit)s characters.") % {"limit": limit}})
    today = today or timezone.localdate()
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.erased_at:
        raise RuleViolation(
            CODE_ALREADY_ERASED, _("This contact was erased on %(date)s.") % {"date": day(contact.erased_at)}
        )
    contact.retention_kept_on = today
    contact.retention_kept_reason = reason
    contact.retention_review_since = None
    contact._change_reason = f"Kept (retention): {reason}"[:100]
    if by is not None:
        contact._history_user = by
    contact.save(
        update_fields=["retention_kept_on", "retention_kept_reason", "retention_review_since", "updated_at"]
    )
    return contact
