"""Private links: the one home of the token rules every no-log-in link follows (the customer's
consent to public use, the account owner's one-click consent, the reference's answer to an ask).

- the token is 256 bits from ``secrets``; the e-mail holds the only copy, the database keeps its
  sha256 hash (a leaked table opens nothing);
- a link decides once (``used_at``), ends at ``expires_at``, and a newer link for the same thing
  withdraws the older ones (``withdrawn_at``);
- the page tells an unknown (or tampered) token (404) from a used, withdrawn or expired one (410).

A link model only needs the fields ``token_hash`` (unique), ``expires_at``, ``used_at`` and
``withdrawn_at``; the functions below do the rest, so every link kind refuses the same things.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

TOKEN_BYTES = 32  # 256 bits
TOKEN_MAX_LENGTH = 100  # anything longer is not one of ours: refused before hashing

# Why a link cannot be used, in the words its page shows (the reason code is the key).
INVALID_MESSAGES = {
    "unknown": _("This link is not valid. Please use the exact link from your email."),
    "used": _("This link has already been used. Thank you, your answer was recorded."),
    "withdrawn": _("This link is no longer valid: we sent a newer one or the request changed."),
    "expired": _("This link has expired. Please ask your contact at our company for a new one."),
}


class LinkInvalid(Exception):
    """The link is unknown (or tampered with), used, withdrawn or expired; ``reason`` says which."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason

    @property
    def status(self) -> int:
        """404 for a token we never issued, 410 (gone) for one that was ours."""
        return 404 if self.reason == "unknown" else 410

    @property
    def message(self) -> str:
        return INVALID_MESSAGES.get(self.reason, INVALID_MESSAGES["unknown"])


@dataclass(frozen=True)
class IssuedLink:
    link: Any
    token: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_new() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def link_state(link, now: datetime | None = None) -> str:
    """``usable``, ``used``, ``withdrawn`` or ``expired``."""
    now = now or timezone.now()
    if link.used_at:
        return "used"
    if link.withdrawn_at:
        return "withdrawn"
    if now >= link.expires_at:
        return "expired"
    return "usable"


def links_withdraw(queryset: models.QuerySet, now: datetime | None = None) -> int:
    """Withdraw the links of ``queryset`` not used or withdrawn yet (a newer one replaces them)."""
    return queryset.filter(used_at__isnull=True, withdrawn_at__isnull=True).update(
        withdrawn_at=now or timezone.now()
    )


def link_issue(
    model: type[models.Model],
    *,
    supersedes: models.QuerySet | None,
    valid_days: int,
    now: datetime | None = None,
    **fields,
) -> IssuedLink:
    """Create a link row (only the token's hash is stored) valid ``valid_days`` days, after
    withdrawing the older links of ``supersedes``. Call inside the caller's transaction."""
    now = now or timezone.now()
    if supersedes is not None:
        links_withdraw(supersedes, now)
    token = token_new()
    link = model.objects.create(
        token_hash=token_hash(token), created_at=now, expires_at=now + timedelta(days=valid_days), **fields
    )
    return IssuedLink(link=link, token=token)


def link_get(queryset: models.QuerySet, token: str, *, for_update: bool = False, now=None):
    """The usable link for ``token`` in ``queryset``, or ``LinkInvalid`` with the reason.
    ``for_update`` locks the link's row (the decision then spends it in the same transaction)."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        raise LinkInvalid("unknown")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    link = queryset.filter(token_hash=token_hash(token)).first()
    if link is None:
        raise LinkInvalid("unknown")
    state = link_state(link, now)
    if state != "usable":
        raise LinkInvalid(state)
    return link


def link_spend(link, now: datetime | None = None) -> None:
    """Mark the link used (once: a second decision through it finds it used and is refused)."""
    now = now or timezone.now()
    updated = type(link).objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=now)
    if not updated:
        raise LinkInvalid("used")
    link.used_at = now


def link_headers(response):
    """Headers every link page sends: the token never leaks through Referer to other sites (and
    the form still sends its Origin for CSRF), no search engine indexes it, no cache keeps it."""
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    response["Content-Language"] = translation.get_language()
    return response
