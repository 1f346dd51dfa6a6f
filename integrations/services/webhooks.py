"""Outbound webhooks: subscribe, fan an event out to its subscriptions, deliver one signed POST.

A delivery is ``POST url`` with the versioned JSON body ``{"version": 1, "event", "id",
"occurred_at", "data"}`` and the headers ``X-RefProgram-Event``, ``X-RefProgram-Delivery``,
``X-RefProgram-Timestamp`` and ``X-RefProgram-Signature: sha256=<hex HMAC-SHA256(secret,
timestamp + "." + body)>``. Targets that resolve to a private, loopback or link-local address are
refused (SSRF) unless ``WEBHOOK_ALLOW_PRIVATE_TARGETS`` is set; the connection goes to the very
address that was checked, and redirects are never followed.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from refprogram.tasks_util import enqueue

from ..choices import DeliveryStatus, WebhookEvent
from ..models import WebhookDelivery, WebhookSubscription

logger = logging.getLogger("refprogram.webhooks")

SCHEMA_VERSION = 1
TIMEOUT_SECONDS = 10
RESPONSE_KEPT_CHARS = 1000
# Retries: 42 s, 84 s, 168 s … doubling; the eleventh and last retry comes about 23.9 hours after
# the first attempt (42 × (2¹¹ − 1) s). Then the delivery is failed; a manager can redeliver it.
RETRY_BASE_SECONDS = 42
MAX_RETRIES = 11
# The receiver is down or overloaded: try again. Any other answer (3xx, 4xx) is the receiver's
# considered "no": a manual redelivery after fixing it, not 24 hours of knocking.
RETRYABLE_CODES = frozenset({408, 425, 429, 500, 502, 503, 504})


class TargetRefused(Exception):
    """The webhook's host resolves to an address deliveries may not reach (SSRF protection)."""


def retry_delay(retries_so_far: int) -> int:
    """Seconds to wait before the next retry, after ``retries_so_far`` retries (exponential)."""
    return RETRY_BASE_SECONDS * 2**retries_so_far


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-RefProgram-Signature`` value: ``sha256=`` + hex HMAC-SHA256 of ``timestamp.body``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def _address_allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _private_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_PRIVATE_TARGETS", False))


def resolve_target(url: str) -> tuple[str, list[str]]:
    """The URL's host and every address it resolves to; ``TargetRefused`` when any address is
    private, loopback, link-local or otherwise not public (unless private targets are allowed)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OSError(f"Cannot resolve {host}: {exc}") from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not _private_allowed():
        refused = [a for a in addresses if not _address_allowed(a)]
        if refused:
            raise TargetRefused(
                f"{host} resolves to {', '.join(refused)}: private, loopback and link-local targets are "
                "refused (set WEBHOOK_ALLOW_PRIVATE_TARGETS=1 for receivers inside your network)."
            )
    return host, addresses


def url_check(url: str) -> None:
    """Refuse at subscription time what can never be delivered: not http(s), no host, or a literal
    private address (host names are checked again at every delivery, as DNS can change)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": _("Give an http:// or https:// URL with a host name.")})
    if parts.username or parts.password:
        raise ValidationError(
            {"url": _("Put no user name or password in the URL; the signature proves the sender.")}
        )
    try:
        literal = ipaddress.ip_address(parts.hostname)
    except ValueError:
        return
    if not _private_allowed() and not _address_allowed(str(literal)):
        raise ValidationError({"url": _("Private, loopback and link-local addresses are refused.")})


@transaction.atomic
def webhook_create(*, actor: User, url: str, events: list[str], secret: str = "") -> WebhookSubscription:
    """Subscribe ``url`` to ``events``. Without a secret one is generated; either way it is
    returned once, at creation, and used to sign every delivery."""
    url_check(url)
    unknown = sorted(set(events) - set(WebhookEvent.values))
    if not events or unknown:
        raise ValidationError(
            {"events": _("Choose one or more of: %(valid)s.") % {"valid": ", ".join(WebhookEvent.values)}}
        )
    subscription = WebhookSubscription(
        url=url,
        events=sorted(set(events)),
        secret=secret or secrets.token_urlsafe(32),
        created_by=actor,
    )
    subscription._history_user = actor  # the audit log's "who", however it was called
    subscription.save()
    return subscription


@transaction.atomic
def webhook_delete(*, subscription: WebhookSubscription, actor: User | None = None) -> None:
    """Stop delivering to a webhook (its delivery log goes with it; the audit log keeps who removed
    it and when)."""
    if actor is not None:
        subscription._history_user = actor
    subscription.delete()


def event_body(*, event: str, event_id: uuid.UUID, occurred_at: datetime, data: dict[str, Any]) -> str:
    """The versioned JSON body every subscriber of the event receives, byte for byte."""
    document = {
        "version": SCHEMA_VERSION,
        "event": event,
        "id": str(event_id),
        "occurred_at": occurred_at.isoformat(),
        "data": data,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True, default=str)


def _queue(delivery_ids: list[int]) -> None:
    from ..tasks import webhook_deliver

    for delivery_id in delivery_ids:
        enqueue(webhook_deliver, delivery_id)


def event_fan_out(*, event: str, event_id: uuid.UUID, occurred_at: datetime, data: dict[str, Any]) -> int:
    """A product event was committed: one pending delivery per active subscription to it, queued.
    Returns how many deliveries were made."""
    body = event_body(event=event, event_id=event_id, occurred_at=occurred_at, data=data)
    subscription_ids = list(
        WebhookSubscription.objects.filter(is_active=True, events__contains=[event]).values_list(
            "pk", flat=True
        )
    )
    if not subscription_ids:
        return 0
    with transaction.atomic():
        deliveries = WebhookDelivery.objects.bulk_create(
            WebhookDelivery(subscription_id=pk, event=event, event_id=event_id, body=body)
            for pk in subscription_ids
        )
        ids = [d.pk for d in deliveries]
        transaction.on_commit(lambda: _queue(ids))
    return len(ids)


@transaction.atomic
def delivery_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery's exact body again, as a new delivery (new ``X-RefProgram-Delivery`` id,
    same event ``id`` so the receiver can de-duplicate), queued after commit."""
    copy = WebhookDelivery.objects.create(
        subscription_id=delivery.subscription_id,
        event=delivery.event,
        event_id=delivery.event_id,
        body=delivery.body,
        redelivery_of=delivery,
    )
    transaction.on_commit(lambda: _queue([copy.pk]))
    return copy


@dataclass(frozen=True)
class AttemptResult:
    status: str
    response_code: int | None
    retry: bool


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST to the address the SSRF check approved (not a second DNS answer); no redirects."""
    parts = urlsplit(url)
    host, addresses = resolve_target(url)
    address = addresses[0]
    port = parts.port or (443 if parts.scheme == "https" else 80)
    timeout = urllib3.Timeout(connect=5, read=TIMEOUT_SECONDS)
    if parts.scheme == "https":
        pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
            address, port, timeout=timeout, retries=False, server_hostname=host, assert_hostname=host
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    try:
        response = pool.urlopen(
            "POST",
            path,
            body=body,
            headers={**headers, "Host": netloc},
            redirect=False,
            retries=False,
            preload_content=False,
        )
        try:
            text = response.read(RESPONSE_KEPT_CHARS * 4, decode_content=True).decode("utf-8", "replace")
        finally:
            response.release_conn()
        return response.status, text[:RESPONSE_KEPT_CHARS]
    finally:
        pool.close()


def delivery_attempt(*, delivery_id: int, final: bool, now: datetime | None = None) -> AttemptResult:
    """Make one attempt at a delivery and record it. ``final``: no retry follows whatever happens.

    2xx is success; a refused (private) target is refused for good; a connection error or a
    ``RETRYABLE_CODES`` answer is retried unless ``final``; any other answer fails the delivery.
    """
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    if delivery.status in (DeliveryStatus.SUCCEEDED, DeliveryStatus.REFUSED, DeliveryStatus.FAILED):
        return AttemptResult(delivery.status, delivery.response_code, retry=False)  # already settled
    subscription = delivery.subscription
    body = delivery.body.encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "RefProgram-Webhooks/1",
        "X-RefProgram-Event": delivery.event,
        "X-RefProgram-Delivery": str(delivery.uuid),
        "X-RefProgram-Timestamp": timestamp,
        "X-RefProgram-Signature": sign(subscription.secret, timestamp, body),
    }
    code: int | None = None
    text = ""
    error = ""
    retryable = False
    try:
        code, text = _post(subscription.url, body, headers)
    except TargetRefused as exc:
        error = str(exc)
    except (OSError, urllib3.exceptions.HTTPError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
        retryable = True
    now = now or timezone.now()
    if code is not None and 200 <= code < 300:
        status = DeliveryStatus.SUCCEEDED
    elif error and not retryable:
        status = DeliveryStatus.REFUSED
    else:
        retryable = retryable or code in RETRYABLE_CODES
        status = DeliveryStatus.RETRYING if retryable and not final else DeliveryStatus.FAILED
    if code is not None and not (200 <= code < 300) and not error:
        error = f"The receiver answered {code}" + (
            " (redirects are not followed)." if 300 <= code < 400 else "."
        )
    delivery.attempts += 1
    delivery.status = status
    delivery.response_code = code
    delivery.response_body = text
    delivery.error = error[:500]
    delivery.last_attempt_at = now
    delivery.delivered_at = now if status == DeliveryStatus.SUCCEEDED else None
    delivery.next_attempt_at = (
        now + timedelta(seconds=retry_delay(delivery.attempts - 1))
        if status == DeliveryStatus.RETRYING
        else None
    )
    delivery.attempt_log = [
        *delivery.attempt_log,
        {"at": now.isoformat(), "response_code": code, "error": error},
    ]
    delivery.save()
    return AttemptResult(status, code, retry=status == DeliveryStatus.RETRYING)
